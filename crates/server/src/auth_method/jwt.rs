//! The `jwt` auth method with static public keys: a login's bearer token
//! is a JWT signed by one of `JWTValidationPubKeys` (PEM, RSA or ECDSA),
//! with one of `JWTSupportedAlgs` (default `RS256`), issued by
//! `BoundIssuer` and for one of `BoundAudiences` when those are set, and
//! valid now (`exp`, `nbf`, `iat` with Consul's leeways). Claims named by
//! `ClaimMappings` / `ListClaimMappings` (a name, or a JSON pointer such as
//! `/a/b`) become the identity.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_types::acl_auth::AclAuthMethod;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::{AuthError, Identity};

/// go-sso's leeway when a token has no `exp` (or no `nbf`) and the config
/// sets none.
const DEFAULT_CLAIM_LEEWAY_SECS: i64 = 150;
/// go-jose's default clock-skew leeway.
const DEFAULT_CLOCK_SKEW_SECS: i64 = 60;

/// A `jwt` method's `Config`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JwtConfig {
    /// PEM public keys (or certificates) a token may be signed by.
    #[serde(rename = "JWTValidationPubKeys")]
    pub jwt_validation_pub_keys: Vec<String>,
    /// Accepted signing algorithms (default `RS256`).
    #[serde(rename = "JWTSupportedAlgs")]
    pub jwt_supported_algs: Vec<String>,
    /// Required `iss`, when set.
    pub bound_issuer: String,
    /// `aud` must contain one of these, when set.
    pub bound_audiences: Vec<String>,
    /// Claim → `value.<name>`.
    pub claim_mappings: BTreeMap<String, String>,
    /// List claim → `list.<name>`.
    pub list_claim_mappings: BTreeMap<String, String>,
    /// JWKS endpoint (not served here).
    #[serde(rename = "JWKSURL")]
    pub jwks_url: String,
    /// OIDC discovery (not served here).
    #[serde(rename = "OIDCDiscoveryURL")]
    pub oidc_discovery_url: String,
    /// Leeway on `exp` (negative: none; zero: the default).
    #[serde(with = "consul_types::duration::serde_go")]
    pub expiration_leeway: Duration,
    /// Leeway on `nbf`.
    #[serde(with = "consul_types::duration::serde_go")]
    pub not_before_leeway: Duration,
    /// Leeway for clock skew.
    #[serde(with = "consul_types::duration::serde_go")]
    pub clock_skew_leeway: Duration,
}

fn config_err(msg: impl Into<String>) -> AuthError {
    AuthError::Config(msg.into())
}

fn login_err(msg: impl Into<String>) -> AuthError {
    AuthError::Login(msg.into())
}

impl JwtConfig {
    /// The config of `method`, checked as Consul checks it at write time.
    pub fn from_method(method: &AclAuthMethod) -> Result<JwtConfig, AuthError> {
        let raw = Value::Object(method.config.clone().into_iter().collect());
        let cfg: JwtConfig = consul_types::json::from_value_ci(raw)
            .map_err(|e| config_err(format!("error decoding config: {e}")))?;
        if !cfg.jwks_url.is_empty() || !cfg.oidc_discovery_url.is_empty() {
            return Err(config_err(
                "JWKSURL and OIDCDiscoveryURL are not supported; use JWTValidationPubKeys",
            ));
        }
        if cfg.jwt_validation_pub_keys.is_empty() {
            return Err(config_err(
                "exactly one of 'JWTValidationPubKeys', 'JWKSURL', or 'OIDCDiscoveryURL' must be set for type \"jwt\"",
            ));
        }
        for k in &cfg.jwt_validation_pub_keys {
            decoding_keys(k).map_err(|e| config_err(format!("error parsing public key: {e}")))?;
        }
        cfg.algorithms()?;
        for target in cfg
            .claim_mappings
            .values()
            .chain(cfg.list_claim_mappings.values())
        {
            if target.is_empty() {
                return Err(config_err("claim mapping targets must not be empty"));
            }
        }
        Ok(cfg)
    }

    fn algorithms(&self) -> Result<Vec<Algorithm>, AuthError> {
        if self.jwt_supported_algs.is_empty() {
            return Ok(vec![Algorithm::RS256]);
        }
        self.jwt_supported_algs
            .iter()
            .map(|a| {
                a.parse::<Algorithm>()
                    .ok()
                    .filter(|alg| {
                        !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
                    })
                    .ok_or_else(|| config_err(format!("Invalid supported algorithm: {a}")))
            })
            .collect()
    }

    /// Verify `token` at unix time `now`; the identity its claims map to.
    pub fn verify(&self, token: &str, now: i64) -> Result<Identity, AuthError> {
        if token.is_empty() {
            return Err(login_err("missing jwt"));
        }
        let claims = self.verified_claims(token)?;
        self.check_times(&claims, now)?;
        self.check_issuer_and_audience(&claims)?;
        self.identity(&claims)
    }

    fn verified_claims(&self, token: &str) -> Result<serde_json::Map<String, Value>, AuthError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| login_err(format!("error parsing token: {e}")))?;
        if !self.algorithms()?.contains(&header.alg) {
            return Err(login_err(
                "no known key successfully validated the token signature",
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        for pem in &self.jwt_validation_pub_keys {
            for key in decoding_keys(pem).unwrap_or_default() {
                if let Ok(data) =
                    jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, &key, &validation)
                {
                    return Ok(data.claims);
                }
            }
        }
        Err(login_err(
            "no known key successfully validated the token signature",
        ))
    }

    fn check_times(&self, c: &serde_json::Map<String, Value>, now: i64) -> Result<(), AuthError> {
        let num = |k: &str| {
            c.get(k)
                .and_then(Value::as_f64)
                .map(|f| f as i64)
                .unwrap_or(0)
        };
        let (iat, mut exp, mut nbf) = (num("iat"), num("exp"), num("nbf"));
        if iat == 0 && exp == 0 && nbf == 0 {
            return Err(login_err(
                "no issue time, notbefore, or expiration time encoded in token",
            ));
        }
        let leeway = |d: Duration| match d.as_secs() as i64 {
            0 => DEFAULT_CLAIM_LEEWAY_SECS,
            s => s,
        };
        if exp == 0 {
            exp = iat.max(nbf) + leeway(self.expiration_leeway);
        }
        if nbf == 0 {
            nbf = if iat != 0 {
                iat
            } else {
                exp - leeway(self.not_before_leeway)
            };
        }
        let skew = match self.clock_skew_leeway.as_secs() as i64 {
            0 => DEFAULT_CLOCK_SKEW_SECS,
            s => s,
        };
        if now > exp + skew {
            return Err(login_err(
                "error validating claims: square/go-jose/jwt: validation failed, token is expired (exp)",
            ));
        }
        if now + skew < nbf {
            return Err(login_err(
                "error validating claims: square/go-jose/jwt: validation failed, token not valid yet (nbf)",
            ));
        }
        if iat != 0 && now + skew < iat {
            return Err(login_err(
                "error validating claims: square/go-jose/jwt: validation field, token issued in the future (iat)",
            ));
        }
        Ok(())
    }

    fn check_issuer_and_audience(
        &self,
        c: &serde_json::Map<String, Value>,
    ) -> Result<(), AuthError> {
        if !self.bound_issuer.is_empty()
            && c.get("iss").and_then(Value::as_str) != Some(self.bound_issuer.as_str())
        {
            return Err(login_err(
                "error validating claims: square/go-jose/jwt: validation failed, invalid issuer claim (iss)",
            ));
        }
        if !self.bound_audiences.is_empty() {
            let aud: Vec<&str> = match c.get("aud") {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if aud.is_empty() {
                return Err(login_err(
                    "error validating claims: audience claim not found in token",
                ));
            }
            if !aud
                .iter()
                .any(|a| self.bound_audiences.iter().any(|b| b == a))
            {
                return Err(login_err(
                    "error validating claims: aud claim does not match any bound audience",
                ));
            }
        }
        Ok(())
    }

    fn identity(&self, c: &serde_json::Map<String, Value>) -> Result<Identity, AuthError> {
        let mut id = Identity::default();
        for target in self.claim_mappings.values() {
            id.values.insert(target.clone(), String::new());
        }
        for target in self.list_claim_mappings.values() {
            id.lists.insert(target.clone(), Vec::new());
        }
        for (source, target) in &self.claim_mappings {
            let Some(v) = claim(c, source) else { continue };
            let s = stringify(v).ok_or_else(|| {
                login_err(format!(
                    "error converting claim '{source}' to string from unknown type"
                ))
            })?;
            id.values.insert(target.clone(), s);
        }
        for (source, target) in &self.list_claim_mappings {
            let Some(v) = claim(c, source) else { continue };
            let items: Vec<String> = match v {
                Value::Array(a) => a.iter().map(stringify).collect::<Option<_>>(),
                other => stringify(other).map(|s| vec![s]),
            }
            .ok_or_else(|| {
                login_err(format!(
                    "error converting claim '{source}' to list of strings"
                ))
            })?;
            id.lists.insert(target.clone(), items);
        }
        Ok(id)
    }
}

/// A claim by name, or by JSON pointer when it starts with `/`.
fn claim<'a>(c: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    if name.starts_with('/') {
        let mut cur: &Value = c.get(name.trim_start_matches('/').split('/').next()?)?;
        for part in name.trim_start_matches('/').split('/').skip(1) {
            cur = cur.get(part)?;
        }
        Some(cur).filter(|v| !v.is_null())
    } else {
        c.get(name).filter(|v| !v.is_null())
    }
}

fn stringify(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The keys a PEM block may be read as (RSA, then EC).
fn decoding_keys(pem: &str) -> Result<Vec<DecodingKey>, String> {
    let pem = pem.trim().as_bytes();
    let mut out = Vec::new();
    if let Ok(k) = DecodingKey::from_rsa_pem(pem) {
        out.push(k);
    }
    if let Ok(k) = DecodingKey::from_ec_pem(pem) {
        out.push(k);
    }
    if let Ok(k) = DecodingKey::from_ed_pem(pem) {
        out.push(k);
    }
    if out.is_empty() {
        return Err("data does not contain any valid RSA or ECDSA public keys".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> JwtConfig {
        JwtConfig {
            claim_mappings: BTreeMap::from([("name".into(), "name".into())]),
            list_claim_mappings: BTreeMap::from([("groups".into(), "groups".into())]),
            ..Default::default()
        }
    }

    #[test]
    fn times_follow_go_sso() {
        let c = cfg();
        let claims = |v: Value| v.as_object().unwrap().clone();
        assert!(c.check_times(&claims(serde_json::json!({})), 100).is_err());
        assert!(c
            .check_times(&claims(serde_json::json!({"exp": 1000})), 1000 + 60)
            .is_ok());
        assert!(c
            .check_times(&claims(serde_json::json!({"exp": 1000})), 1000 + 61)
            .is_err());
        // No exp: iat + 150 s (+ 60 s skew).
        assert!(c
            .check_times(&claims(serde_json::json!({"iat": 1000})), 1209)
            .is_ok());
        assert!(c
            .check_times(&claims(serde_json::json!({"iat": 1000})), 1211)
            .is_err());
        assert!(c
            .check_times(&claims(serde_json::json!({"nbf": 5000, "exp": 9000})), 4000)
            .is_err());
    }

    #[test]
    fn claims_map_to_values_and_lists() {
        let c = cfg();
        let claims = serde_json::json!({"name": "web", "groups": ["a", "b"], "x": 1})
            .as_object()
            .unwrap()
            .clone();
        let id = c.identity(&claims).unwrap();
        assert_eq!(id.values["name"], "web");
        assert_eq!(id.lists["groups"], vec!["a", "b"]);
        assert_eq!(id.projected_vars()["value.name"], "web");
        let nested = serde_json::json!({"a": {"b": "deep"}})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(claim(&nested, "/a/b"), Some(&Value::String("deep".into())));
    }
}
