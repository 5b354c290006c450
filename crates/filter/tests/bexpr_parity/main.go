// Records go-bexpr's answers for tests/bexpr_parity.jsonl: reads JSON lines
// {"expr": ...} on stdin, evaluates each against the Go struct below (the
// shape of tests/bexpr_parity_doc.json, whose path is the first argument),
// and writes {"expr": ..., "bexpr": ...} lines. Run through regen.sh.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"bexprparity/bexpr"
)

type Weights struct {
	Passing int
	Warning int
}

type Check struct {
	Status      string
	CheckID     string
	ServiceTags []string
	Notes       string
}

type Doc struct {
	Node    string
	Address string
	Tags    []string
	Meta    map[string]string
	Port    int
	Index   uint64
	Score   float64
	Enabled bool
	Weights Weights
	Checks  []Check
	Ports   []int
	Lists   map[string][]string
	Nested  map[string]Weights
	Empty   string
	NilTags []string
	NilMeta map[string]string
}

func answer(expr string, doc *Doc) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("PANIC %v", r)
		}
	}()
	ev, err := bexpr.CreateEvaluatorForType(expr, nil, (*Doc)(nil))
	if err != nil {
		// Only the first error: ours are one line.
		return "PERR " + strings.SplitN(err.Error(), "\n", 2)[0]
	}
	ok, err := ev.Evaluate(doc)
	switch {
	case err != nil:
		return "EERR " + err.Error()
	case ok:
		return "T"
	default:
		return "F"
	}
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var doc Doc
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		var c struct {
			Expr string `json:"expr"`
		}
		if strings.TrimSpace(in.Text()) == "" {
			continue
		}
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			panic(err)
		}
		if err := enc.Encode(map[string]string{"expr": c.Expr, "bexpr": answer(c.Expr, &doc)}); err != nil {
			panic(err)
		}
	}
}
