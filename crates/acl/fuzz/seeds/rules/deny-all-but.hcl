key_prefix     "" { policy = "deny" }
node_prefix    "" { policy = "deny" }
service_prefix "" { policy = "deny" }
service "metrics" { policy = "read" }
node "monitor-1" { policy = "read" }
/* snapshots need acl = "write" */
acl = "deny"
