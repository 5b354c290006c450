key_prefix "shared/" {
  policy = "list"
}
key "shared/motd" {
  policy = "write"
}
session_prefix "" {
  policy = "write"
}
