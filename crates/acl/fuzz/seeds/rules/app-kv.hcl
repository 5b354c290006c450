# An application's own configuration tree, readable elsewhere.
key_prefix "" {
  policy = "read"
}
key_prefix "app/web/" {
  policy = "write"
}
key_prefix "app/web/secrets/" {
  policy = "deny"
}
key "app/web/secrets/public-cert" {
  policy = "read"
}
