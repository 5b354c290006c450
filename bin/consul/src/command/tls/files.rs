//! What the `tls` verbs share: random serial numbers, validity windows and
//! writing the PEM files with Consul's permissions.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;

/// A random positive 128-bit serial number, as bytes and as the decimal
/// Consul puts into the CA's common name.
pub fn serial() -> std::io::Result<(rcgen::SerialNumber, u128)> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    bytes[0] &= 0x7f;
    if bytes[0] == 0 {
        bytes[0] = 1;
    }
    Ok((
        rcgen::SerialNumber::from_slice(&bytes),
        u128::from_be_bytes(bytes),
    ))
}

/// Set `params` valid from now for `days` days.
pub fn validity(params: &mut rcgen::CertificateParams, days: u64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now;
    params.not_after = now + time::Duration::days(days.min(365 * 1000) as i64);
}

/// Whether neither a file nor anything else exists at `path`.
pub fn absent(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_err()
}

/// Write `text` to a new file at `path` with `mode` (0o666 for certificates,
/// 0o600 for keys, before the umask), via a temporary file and a rename.
pub fn write(path: &str, text: &str, mode: u32) -> std::io::Result<()> {
    let tmp = format!("{path}.tmp{}", std::process::id());
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
