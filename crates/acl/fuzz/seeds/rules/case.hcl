KEY_PREFIX "Upper/" {
  Policy = "WRITE"
}
key_prefix "Upper/" {
  policy = "read"
}
operator = "Read"
service "web" { policy = "Write" }
