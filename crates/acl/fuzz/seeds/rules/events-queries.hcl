event_prefix "" {
  policy = "read"
}
event "deploy" {
  policy = "write"
}
query_prefix "" {
  policy = "read"
}
query "geo-db" {
  policy = "write"
}
