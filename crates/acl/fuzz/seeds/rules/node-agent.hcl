// What a client agent's own token needs.
node "web-01" {
  policy = "write"
}
agent "web-01" {
  policy = "write"
}
service_prefix "" {
  policy = "read"
}
key_prefix "_rexec" {
  policy = "write"
}
