//! The UI's files as served: bytes, a gzip copy for text, an ETag and a
//! content type. Embedded files carry one version (a hash of them all);
//! the JavaScript modules' relative imports get `?v=<version>` appended so
//! every URL the page loads can be cached for a year.

use std::collections::HashMap;
use std::io::Write;

use bytes::Bytes;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));
}

use super::{index, UiSettings};

/// Files smaller than this are not worth compressing.
const GZIP_MIN_BYTES: usize = 256;

/// One servable file.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The bytes as sent without compression.
    pub bytes: Bytes,
    /// A gzip copy, for text files worth compressing.
    pub gzip: Option<Bytes>,
    /// Strong ETag of `bytes` (quoted).
    pub etag: String,
    /// `Content-Type`.
    pub content_type: &'static str,
}

impl Asset {
    /// Build an asset for file `name` holding `bytes`.
    pub fn new(name: &str, bytes: Vec<u8>) -> Asset {
        let content_type = content_type(name);
        let text = content_type.starts_with("text/")
            || content_type.starts_with("application/")
            || content_type.starts_with("image/svg");
        let gzip = (text && bytes.len() >= GZIP_MIN_BYTES).then(|| Bytes::from(gzip(&bytes)));
        Asset {
            etag: format!("\"{:016x}\"", fnv1a(&bytes)),
            bytes: Bytes::from(bytes),
            gzip,
            content_type,
        }
    }
}

/// The embedded files, prepared once at start.
#[derive(Debug)]
pub struct AssetSet {
    /// Version of this set (`?v=` of every asset URL).
    pub version: String,
    files: HashMap<String, Asset>,
}

impl AssetSet {
    /// Prepare the embedded files for `settings` (renders `index.html`).
    pub fn embedded(settings: &UiSettings) -> AssetSet {
        let mut h = FNV_OFFSET;
        for (name, bytes) in embedded::EMBEDDED {
            h = fnv1a_from(h, name.as_bytes());
            h = fnv1a_from(h, bytes);
        }
        let version = format!("{:012x}", h & 0xffff_ffff_ffff);
        let files = embedded::EMBEDDED
            .iter()
            .map(|(name, bytes)| {
                let prepared = prepare(name, bytes, settings, &version);
                (name.to_string(), Asset::new(name, prepared))
            })
            .collect();
        AssetSet { version, files }
    }

    /// The file at `path` (relative to the content path), if embedded.
    pub fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path)
    }

    /// Every embedded path (for listing and measuring).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

/// What one file becomes before serving: `index.html` rendered, JS imports
/// versioned, the rest as is.
pub fn prepare(name: &str, bytes: &[u8], settings: &UiSettings, version: &str) -> Vec<u8> {
    if name == "index.html" {
        let t = String::from_utf8_lossy(bytes);
        return index::render(&t, settings, version).into_bytes();
    }
    if name.ends_with(".js") && !version.is_empty() {
        if let Ok(src) = std::str::from_utf8(bytes) {
            return version_imports(src, version).into_bytes();
        }
    }
    bytes.to_vec()
}

/// Append `?v=<version>` to the module specifiers ending in `.js` on
/// `import` / `export … from` lines and lines with a dynamic `import(…)`.
pub fn version_imports(src: &str, version: &str) -> String {
    let mut out = String::with_capacity(src.len() + 256);
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("import ") || t.starts_with("export ") || t.contains("import(") {
            let l = line
                .replace(".js'", &format!(".js?v={version}'"))
                .replace(".js\"", &format!(".js?v={version}\""));
            out.push_str(&l);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `Content-Type` by file extension.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    e.write_all(bytes).expect("gzip to memory");
    e.finish().expect("gzip to memory")
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a_from(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// FNV-1a: a stable, dependency-free content hash for ETags and versions.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_imports_get_the_version() {
        let src = "import { a } from './a.js';\nexport { b } from \"../b.js\";\nconst s = 'x.js';\nconst p = () => import('./p.js');\n";
        let out = version_imports(src, "v1");
        assert!(out.contains("'./a.js?v=v1'"));
        assert!(out.contains("\"../b.js?v=v1\""));
        assert!(out.contains("const s = 'x.js';"));
        assert!(out.contains("import('./p.js?v=v1')"));
    }

    #[test]
    fn embedded_set_has_the_index_rendered_and_compressed() {
        let s = UiSettings {
            enabled: true,
            dir: None,
            content_path: "/ui/".into(),
            datacenter: "dc1".into(),
            acls_enabled: false,
        };
        let set = AssetSet::embedded(&s);
        let idx = set.get("index.html").expect("index embedded");
        let text = std::str::from_utf8(&idx.bytes).unwrap();
        assert!(text.contains("\"ContentPath\":\"/ui/\""));
        assert!(!text.contains("%V%"));
        assert!(idx.gzip.is_some());
    }
}
