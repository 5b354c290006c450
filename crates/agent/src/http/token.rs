//! The caller's ACL token, found the way Consul's HTTP API looks for it: the `?token=` query
//! parameter first, then the `X-Consul-Token` header, then `Authorization: Bearer <token>`
//! (RFC 6750; the scheme is case-insensitive and only the first word after it counts).

use axum::http::HeaderMap;
use consul_server::rpc::Token;

use super::params::Params;

/// The token a request carries (empty when it carries none).
pub fn request_token(params: &Params, headers: &HeaderMap) -> Token {
    if let Some(t) = params.get("token").filter(|t| !t.is_empty()) {
        return Token::new(t);
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    if let Some(t) = header("x-consul-token") {
        return Token::new(t);
    }
    header("authorization")
        .and_then(bearer)
        .map(Token::new)
        .unwrap_or_default()
}

/// The token of an `Authorization: Bearer <token>` value; `None` for another scheme or a
/// value without one.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(rest.trim().split(' ').next().unwrap_or("").trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(query: &str, headers: &[(&'static str, &str)]) -> String {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        request_token(&Params::parse(Some(query)), &map)
            .secret()
            .to_string()
    }

    #[test]
    fn query_then_header_then_bearer() {
        let all = [("x-consul-token", "hdr"), ("authorization", "Bearer bear")];
        assert_eq!(token("token=q", &all), "q");
        assert_eq!(token("", &all), "hdr");
        assert_eq!(token("token=", &all), "hdr");
        assert_eq!(token("", &all[1..]), "bear");
        assert_eq!(token("", &[]), "");
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_takes_the_first_word() {
        assert_eq!(token("", &[("authorization", "bearer abc")]), "abc");
        assert_eq!(token("", &[("authorization", "BEARER  abc def")]), "abc");
        assert_eq!(token("", &[("authorization", "Basic dXNlcjpwdw==")]), "");
        assert_eq!(token("", &[("authorization", "Bearer")]), "");
        assert_eq!(token("", &[("authorization", "abc")]), "");
    }
}
