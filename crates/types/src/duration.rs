//! Go-syntax durations (`"10s"`, `"1m30s"`, `"1.5h"`), parsed and formatted as Consul does.
