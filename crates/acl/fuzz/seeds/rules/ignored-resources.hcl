mesh = "write"
namespace "team-a" {
  policy = "write"
}
partition "default" {
  policy = "read"
}
service "api" {
  policy = "read"
}
