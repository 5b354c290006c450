//! Embeds the web UI: lists every file under `ui/` as an `include_bytes!`
//! entry in `$OUT_DIR/ui_assets.rs`, so adding a UI file needs no Rust change.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable ui dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, root, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .expect("under the ui root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, p.canonicalize().expect("ui file resolves")));
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("ui");
    println!("cargo:rerun-if-changed=ui");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    for (_, p) in &files {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("ui_assets.rs");
    let mut f = fs::File::create(&out).expect("create ui_assets.rs");
    writeln!(
        f,
        "/// Every embedded UI file: path under `ui/` and its bytes."
    )
    .unwrap();
    writeln!(f, "pub static EMBEDDED: &[(&str, &[u8])] = &[").unwrap();
    for (rel, p) in &files {
        writeln!(
            f,
            "    ({rel:?}, include_bytes!({:?})),",
            p.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "];").unwrap();
}
