service_prefix "" {
  policy     = "read"
  intentions = "read"
}
service_prefix "payments-" {
  policy     = "write"
  intentions = "write"
}
service "payments-legacy" {
  policy     = "read"
  intentions = "deny"
}
