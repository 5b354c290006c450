//! ECDSA P-256 private keys in the two DER layouts we meet: PKCS#8
//! (what `ring`/`rcgen` produce and read) and SEC1 "EC PRIVATE KEY" (what
//! Consul writes). We write SEC1 like Consul and read either.

/// DER of the `prime256v1` curve OID.
const P256_OID: &[u8] = &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
/// DER of the `id-ecPublicKey` OID.
const EC_PUBLIC_KEY_OID: &[u8] = &[0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

/// Why a key could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The DER is not the structure we expect.
    #[error("failed to parse private key: malformed {0}")]
    Malformed(&'static str),
    /// The PEM block is neither "PRIVATE KEY" nor "EC PRIVATE KEY".
    #[error("failed to parse private key: unsupported PEM block {0:?}")]
    Unsupported(String),
}

/// One DER element: (tag, content, rest of input).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// Encode one DER element.
fn enc(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The SEC1 ECPrivateKey inside a PKCS#8 P-256 key, with the curve
/// parameters filled in as Go's `x509.MarshalECPrivateKey` writes them.
pub fn pkcs8_to_sec1(pkcs8: &[u8]) -> Result<Vec<u8>, KeyError> {
    let bad = KeyError::Malformed;
    let (_, outer, _) = tlv(pkcs8).ok_or(bad("PKCS#8"))?;
    let (_, _version, rest) = tlv(outer).ok_or(bad("PKCS#8 version"))?;
    let (_, _alg, rest) = tlv(rest).ok_or(bad("PKCS#8 algorithm"))?;
    let (_, inner, _) = tlv(rest).ok_or(bad("PKCS#8 key"))?;
    let (_, ec, _) = tlv(inner).ok_or(bad("ECPrivateKey"))?;
    let (_, _v, rest) = tlv(ec).ok_or(bad("ECPrivateKey version"))?;
    let (_, private, mut rest) = tlv(rest).ok_or(bad("ECPrivateKey key"))?;
    let mut public = None;
    while let Some((tag, content, more)) = tlv(rest) {
        if tag == 0xA1 {
            public = Some(content);
        }
        rest = more;
    }
    let public = public.ok_or(bad("ECPrivateKey public key"))?;
    let mut body = vec![0x02, 0x01, 0x01];
    body.extend(enc(0x04, private));
    body.extend(enc(0xA0, P256_OID));
    body.extend(enc(0xA1, public));
    Ok(enc(0x30, &body))
}

/// Wrap a SEC1 P-256 key as PKCS#8 so `ring` can load it.
pub fn sec1_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    let mut alg = EC_PUBLIC_KEY_OID.to_vec();
    alg.extend_from_slice(P256_OID);
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend(enc(0x30, &alg));
    body.extend(enc(0x04, sec1));
    enc(0x30, &body)
}

/// A key pair from a PEM file holding either layout.
pub fn load_pem(pem_text: &str) -> Result<rcgen::KeyPair, Box<dyn std::error::Error>> {
    let block = pem::parse(pem_text)?;
    let pkcs8 = match block.tag() {
        "PRIVATE KEY" => block.contents().to_vec(),
        "EC PRIVATE KEY" => sec1_to_pkcs8(block.contents()),
        other => return Err(Box::new(KeyError::Unsupported(other.to_string()))),
    };
    Ok(rcgen::KeyPair::try_from(pkcs8)?)
}

/// A key pair's private key as a SEC1 "EC PRIVATE KEY" PEM block.
pub fn to_sec1_pem(key: &rcgen::KeyPair) -> Result<String, KeyError> {
    let der = pkcs8_to_sec1(&key.serialize_der())?;
    Ok(pem::encode(&pem::Pem::new("EC PRIVATE KEY", der)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec1_round_trips_through_pkcs8() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let pem_text = to_sec1_pem(&key).unwrap();
        assert!(pem_text.starts_with("-----BEGIN EC PRIVATE KEY-----"));
        let back = load_pem(&pem_text).unwrap();
        assert_eq!(back.public_key_raw(), key.public_key_raw());
    }
}
