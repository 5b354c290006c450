//! consul-dns.
