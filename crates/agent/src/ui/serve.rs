//! Answering requests for the UI: redirects to the content path, files under
//! it (conditional GET, gzip when accepted, a year of caching for versioned
//! URLs), `index.html` for every other path under it (history URLs), and
//! Consul's 404 for anything else.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::assets::{Asset, AssetSet};
use super::UiSettings;
use crate::http::respond::HttpError;

/// Where the files come from.
#[derive(Debug)]
enum Source {
    /// Compiled into the binary.
    Embedded(AssetSet),
    /// Read from `ui_config.dir` on every request (for UI development, or an
    /// operator-supplied build).
    Dir(PathBuf),
}

/// A UI ready to serve.
#[derive(Debug)]
pub struct Ui {
    settings: UiSettings,
    source: Source,
}

/// How an asset may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caching {
    /// A versioned URL: its bytes never change.
    Immutable,
    /// Revalidate with the ETag every time.
    Revalidate,
}

impl Ui {
    /// Prepare the UI for `settings`.
    pub fn new(settings: UiSettings) -> Ui {
        let source = match &settings.dir {
            Some(d) => Source::Dir(d.clone()),
            None => Source::Embedded(AssetSet::embedded(&settings)),
        };
        Ui { settings, source }
    }

    /// The file at `rel` (relative to the content path).
    async fn file(&self, rel: &str) -> Option<Asset> {
        match &self.source {
            Source::Embedded(set) => set.get(rel).cloned(),
            Source::Dir(dir) => {
                let path = safe_join(dir, rel)?;
                let bytes = tokio::fs::read(&path).await.ok()?;
                let prepared = super::assets::prepare(rel, &bytes, &self.settings, "");
                Some(Asset::new(rel, prepared))
            }
        }
    }

    fn version(&self) -> Option<&str> {
        match &self.source {
            Source::Embedded(set) => Some(&set.version),
            Source::Dir(_) => None,
        }
    }
}

/// Consul's answer for an unknown path.
pub async fn not_found() -> HttpError {
    HttpError::not_found("404 page not found")
}

/// Serve one request that no API route took.
pub async fn handle(ui: std::sync::Arc<Ui>, req: Request) -> Response {
    let (parts, _body) = req.into_parts();
    let req = &parts;
    let path = req.uri.path().to_string();
    let cp = ui.settings.content_path.as_str();
    if path == "/robots.txt" {
        return asset_response(&ui, "robots.txt", &req.headers, Caching::Revalidate).await;
    }
    if path == "/" && cp != "/" {
        // Relative, so it also holds behind a proxy that adds a path prefix.
        return redirect(&cp[1..]);
    }
    if format!("{path}/") == cp {
        let last = cp.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        return redirect(&format!("{last}/"));
    }
    // The API's namespace is never the UI's, even with a content path of `/`.
    let api = path.starts_with("/v1/") || path == "/v1";
    let Some(rel) = path.strip_prefix(cp).filter(|_| !api) else {
        return not_found().await.into_response();
    };
    if req.method != Method::GET && req.method != Method::HEAD {
        return method_not_allowed(&req.method);
    }
    if rel.starts_with("assets/") || rel == "robots.txt" || rel == "favicon.svg" {
        let versioned = match (ui.version(), query_version(req.uri.query())) {
            (Some(v), Some(q)) => v == q,
            _ => false,
        };
        let caching = if versioned {
            Caching::Immutable
        } else {
            Caching::Revalidate
        };
        return asset_response(&ui, rel, &req.headers, caching).await;
    }
    asset_response(&ui, "index.html", &req.headers, Caching::Revalidate).await
}

async fn asset_response(ui: &Ui, rel: &str, headers: &HeaderMap, caching: Caching) -> Response {
    match ui.file(rel).await {
        Some(a) => respond(&a, headers, caching),
        None => not_found().await.into_response(),
    }
}

/// The response for `asset` given the request's headers.
fn respond(asset: &Asset, headers: &HeaderMap, caching: Caching) -> Response {
    let gzip = asset.gzip.as_ref().filter(|_| accepts_gzip(headers));
    let etag = match gzip {
        Some(_) => format!("{}-gz\"", asset.etag.trim_end_matches('"')),
        None => asset.etag.clone(),
    };
    let cache = match caching {
        Caching::Immutable => "public, max-age=31536000, immutable",
        Caching::Revalidate => "no-cache",
    };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let body = gzip.cloned().unwrap_or_else(|| asset.bytes.clone());
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        if gzip.is_some() {
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if asset.gzip.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    resp
}

/// Whether `Accept-Encoding` allows gzip (and does not refuse it with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let q_zero = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !q_zero
        })
}

/// `v` of a query string.
fn query_version(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "v")
        .map(|(_, v)| v.into_owned())
}

fn redirect(location: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn method_not_allowed(m: &Method) -> Response {
    let mut r = HttpError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: format!("method {m} not allowed"),
    }
    .into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
    r
}

/// `dir/rel` when `rel` stays inside `dir` (no `..`, no absolute parts).
fn safe_join(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.components().all(|c| matches!(c, Component::Normal(_))) {
        Some(dir.join(rel))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdrs(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn gzip_negotiation_honours_q_zero() {
        assert!(accepts_gzip(&hdrs(&[(
            "accept-encoding",
            "gzip, deflate, br"
        )])));
        assert!(accepts_gzip(&hdrs(&[(
            "accept-encoding",
            "br;q=1, gzip;q=0.5"
        )])));
        assert!(!accepts_gzip(&hdrs(&[("accept-encoding", "gzip;q=0")])));
        assert!(!accepts_gzip(&hdrs(&[("accept-encoding", "br")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn paths_cannot_leave_the_ui_dir() {
        let d = Path::new("/srv/ui");
        assert_eq!(safe_join(d, "assets/a.js"), Some(d.join("assets/a.js")));
        assert_eq!(safe_join(d, "assets/../../etc/passwd"), None);
        assert_eq!(safe_join(d, "/etc/passwd"), None);
    }

    #[test]
    fn if_none_match_answers_304_for_the_served_variant() {
        let a = Asset::new("x.js", vec![b'a'; 1000]);
        let plain = respond(&a, &HeaderMap::new(), Caching::Immutable);
        let etag = plain.headers()[header::ETAG].to_str().unwrap().to_string();
        assert_eq!(
            plain.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&etag).unwrap());
        assert_eq!(
            respond(&a, &h, Caching::Revalidate).status(),
            StatusCode::NOT_MODIFIED
        );
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let gz = respond(&a, &h, Caching::Revalidate);
        assert_eq!(gz.status(), StatusCode::OK);
        assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
    }
}
