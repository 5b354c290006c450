// Prints the selectable fields go-bexpr derives from a Consul 1.10 type
// (path, operators, literal coercion), one per line, for
// tests/consul_schema_parity.rs. Run through regen.sh, which builds it
// inside a copy of Consul's source tree.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/consul/agent/structs"
	"github.com/hashicorp/consul/api"
	"github.com/hashicorp/go-bexpr"
)

func opsString(ops []bexpr.MatchOperator) string {
	var s []string
	for _, o := range ops {
		s = append(s, o.String())
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func dump(fields bexpr.FieldConfigurations, prefix string) {
	var names []string
	for n := range fields {
		names = append(names, string(n))
	}
	sort.Strings(names)
	for _, n := range names {
		cfg := fields[bexpr.FieldName(n)]
		name := n
		if name == "" {
			name = "*"
		}
		path := prefix + name
		coerce := "nil"
		if cfg.CoerceFn != nil {
			coerce = fmt.Sprintf("%p", cfg.CoerceFn)
		}
		fmt.Printf("%s [%s] %s\n", path, opsString(cfg.SupportedOperations), coerceName(coerce))
		dump(cfg.SubFields, path+".")
	}
}

var names = map[string]string{}

func coerceName(p string) string {
	if n, ok := names[p]; ok {
		return n
	}
	return p
}

func main() {
	for n, f := range map[string]bexpr.FieldValueCoercionFn{
		"string": bexpr.CoerceString, "int": bexpr.CoerceInt, "bool": bexpr.CoerceBool,
		"uint64": bexpr.CoerceUint64, "int32": bexpr.CoerceInt32, "float64": bexpr.CoerceFloat64,
		"uint32": bexpr.CoerceUint32, "int64": bexpr.CoerceInt64, "uint": bexpr.CoerceUint,
	} {
		names[fmt.Sprintf("%p", f)] = n
	}
	types := map[string]interface{}{
		"node":               (*structs.Node)(nil),
		"node_service":       (*structs.NodeService)(nil),
		"service_node":       (*structs.ServiceNode)(nil),
		"health_check":       (*structs.HealthCheck)(nil),
		"check_service_node": (*structs.CheckServiceNode)(nil),
		"node_info":          (*structs.NodeInfo)(nil),
		"agent_service":      (*api.AgentService)(nil),
		"intention":          (*structs.Intention)(nil),
	}
	which := os.Args[1]
	fields, err := bexpr.GenerateFieldConfigurations(types[which])
	if err != nil {
		panic(err)
	}
	dump(fields, "")
}
