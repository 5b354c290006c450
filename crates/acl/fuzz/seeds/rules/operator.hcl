operator = "write"
keyring  = "read"
acl      = "read"
node_prefix "" { policy = "read" }
