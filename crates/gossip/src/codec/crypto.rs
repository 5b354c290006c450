//! AES-GCM encryption with a keyring, as memberlist's `security.go` does it.
//!
//! An encrypted payload is `[version][12-byte nonce][ciphertext + 16-byte tag]`.
//! Version 0 pads the plaintext with PKCS#7 to 16-byte blocks first;
//! version 1 does not pad. Keys are 16, 24 or 32 bytes (AES-128/192/256).
//! On receive every key in the ring is tried in order.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm};
use rand::RngCore;

type Aes192Gcm = AesGcm<aes_gcm::aes::Aes192, U12>;

const VERSION_SIZE: usize = 1;
const NONCE_SIZE: usize = 12;
const TAG_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;

/// Errors from the keyring or from decrypting untrusted input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A key was not 16, 24 or 32 bytes long.
    #[error("key size must be 16, 24 or 32 bytes, got {0}")]
    KeySize(usize),
    /// The keyring has no keys.
    #[error("keyring is empty")]
    EmptyKeyring,
    /// The payload is shorter than the fixed overhead.
    #[error("payload is too small to decrypt")]
    TooSmall,
    /// The version byte is not 0 or 1.
    #[error("unsupported encryption version {0}")]
    Version(u8),
    /// No key in the ring authenticated the payload.
    #[error("no installed keys could decrypt the message")]
    NoKey,
    /// Version 0 padding was malformed.
    #[error("bad padding")]
    Padding,
}

/// Message encryption format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncryptionVersion {
    /// PKCS#7-padded (memberlist protocol < 3 peers).
    V0,
    /// Unpadded (what memberlist sends to protocol ≥ 3 peers).
    #[default]
    V1,
}

/// A validated AES key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({} bytes)", self.0.len())
    }
}

impl Key {
    /// Validate a raw key.
    pub fn new(bytes: &[u8]) -> Result<Self, CryptoError> {
        match bytes.len() {
            16 | 24 | 32 => Ok(Key(bytes.to_vec())),
            n => Err(CryptoError::KeySize(n)),
        }
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn seal(&self, nonce: &[u8], msg: &[u8], aad: &[u8]) -> Vec<u8> {
        let p = Payload { msg, aad };
        let n = aes_gcm::Nonce::from_slice(nonce);
        // Encryption with a valid key and nonce cannot fail.
        let r = match self.0.len() {
            16 => Aes128Gcm::new_from_slice(&self.0).map(|c| c.encrypt(n, p)),
            24 => Aes192Gcm::new_from_slice(&self.0).map(|c| c.encrypt(n, p)),
            _ => Aes256Gcm::new_from_slice(&self.0).map(|c| c.encrypt(n, p)),
        };
        r.ok().and_then(|r| r.ok()).unwrap_or_default()
    }

    fn open(&self, nonce: &[u8], ct: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let p = Payload { msg: ct, aad };
        let n = aes_gcm::Nonce::from_slice(nonce);
        let r = match self.0.len() {
            16 => Aes128Gcm::new_from_slice(&self.0).map(|c| c.decrypt(n, p)),
            24 => Aes192Gcm::new_from_slice(&self.0).map(|c| c.decrypt(n, p)),
            _ => Aes256Gcm::new_from_slice(&self.0).map(|c| c.decrypt(n, p)),
        };
        r.ok().and_then(|r| r.ok())
    }
}

/// An ordered set of keys; the first is the primary used for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl Keyring {
    /// A keyring with `primary` first, then `others` (duplicates dropped).
    pub fn new(primary: Key, others: impl IntoIterator<Item = Key>) -> Self {
        let mut kr = Keyring {
            keys: vec![primary],
        };
        for k in others {
            kr.add(k);
        }
        kr
    }

    /// Install a key (no-op if present).
    pub fn add(&mut self, key: Key) {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }

    /// Make an installed or new key the primary.
    pub fn use_key(&mut self, key: Key) {
        self.keys.retain(|k| k != &key);
        self.keys.insert(0, key);
    }

    /// Remove a non-primary key; returns false if it is the primary.
    pub fn remove(&mut self, key: &Key) -> bool {
        if self.keys.first() == Some(key) {
            return false;
        }
        self.keys.retain(|k| k != key);
        true
    }

    /// The key used for sending.
    pub fn primary(&self) -> &Key {
        &self.keys[0]
    }

    /// All keys, primary first.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }
}

/// Length of an encrypted payload for a plaintext of `len` bytes.
pub fn encrypted_len(vsn: EncryptionVersion, len: usize) -> usize {
    let base = VERSION_SIZE + NONCE_SIZE + len + TAG_SIZE;
    match vsn {
        EncryptionVersion::V0 => base + (BLOCK_SIZE - len % BLOCK_SIZE),
        EncryptionVersion::V1 => base,
    }
}

/// Encrypt `msg` with additional data `aad` under `key`.
pub fn encrypt(
    vsn: EncryptionVersion,
    key: &Key,
    msg: &[u8],
    aad: &[u8],
    rng: &mut impl RngCore,
) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_SIZE];
    rng.fill_bytes(&mut nonce);
    encrypt_with_nonce(vsn, key, msg, aad, nonce)
}

/// Encrypt with a caller-chosen nonce (for tests and known vectors).
pub fn encrypt_with_nonce(
    vsn: EncryptionVersion,
    key: &Key,
    msg: &[u8],
    aad: &[u8],
    nonce: [u8; NONCE_SIZE],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(encrypted_len(vsn, msg.len()));
    let plain;
    let plain_ref = match vsn {
        EncryptionVersion::V0 => {
            let pad = BLOCK_SIZE - msg.len() % BLOCK_SIZE;
            let mut p = msg.to_vec();
            p.extend(std::iter::repeat_n(pad as u8, pad));
            plain = p;
            &plain[..]
        }
        EncryptionVersion::V1 => msg,
    };
    out.push(match vsn {
        EncryptionVersion::V0 => 0,
        EncryptionVersion::V1 => 1,
    });
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&key.seal(&nonce, plain_ref, aad));
    out
}

/// Decrypt an untrusted payload, trying every key in the ring.
pub fn decrypt(keys: &Keyring, msg: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let vsn = match msg.first() {
        Some(0) => EncryptionVersion::V0,
        Some(1) => EncryptionVersion::V1,
        Some(v) => return Err(CryptoError::Version(*v)),
        None => return Err(CryptoError::TooSmall),
    };
    if msg.len() < encrypted_len(vsn, 0) {
        return Err(CryptoError::TooSmall);
    }
    let nonce = &msg[VERSION_SIZE..VERSION_SIZE + NONCE_SIZE];
    let ct = &msg[VERSION_SIZE + NONCE_SIZE..];
    for key in keys.keys() {
        if let Some(mut plain) = key.open(nonce, ct, aad) {
            if vsn == EncryptionVersion::V0 {
                let pad = *plain.last().ok_or(CryptoError::Padding)? as usize;
                if pad == 0 || pad > BLOCK_SIZE || pad > plain.len() {
                    return Err(CryptoError::Padding);
                }
                plain.truncate(plain.len() - pad);
            }
            return Ok(plain);
        }
    }
    Err(CryptoError::NoKey)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn ring(keys: &[&[u8]]) -> Keyring {
        let mut it = keys.iter().map(|k| Key::new(k).unwrap());
        let p = it.next().unwrap();
        Keyring::new(p, it)
    }

    #[test]
    fn roundtrip_all_sizes_and_versions() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for size in [16usize, 24, 32] {
            let key = vec![7u8; size];
            let kr = ring(&[&key]);
            for vsn in [EncryptionVersion::V0, EncryptionVersion::V1] {
                for len in [0usize, 1, 15, 16, 17, 100] {
                    let msg = vec![0xab; len];
                    let ct = encrypt(vsn, kr.primary(), &msg, b"label", &mut rng);
                    assert_eq!(ct.len(), encrypted_len(vsn, len));
                    assert_eq!(decrypt(&kr, &ct, b"label").unwrap(), msg);
                    assert_eq!(decrypt(&kr, &ct, b"other"), Err(CryptoError::NoKey));
                }
            }
        }
    }

    #[test]
    fn every_key_is_tried() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let a = [1u8; 16];
        let b = [2u8; 32];
        let sender = ring(&[&b]);
        let receiver = ring(&[&a, &b]);
        let ct = encrypt(
            EncryptionVersion::V1,
            sender.primary(),
            b"hi",
            b"",
            &mut rng,
        );
        assert_eq!(decrypt(&receiver, &ct, b"").unwrap(), b"hi");
        assert_eq!(decrypt(&ring(&[&a]), &ct, b""), Err(CryptoError::NoKey));
    }

    #[test]
    fn known_vector_aes128_gcm() {
        // NIST GCM test case 2: zero key, zero IV, one zero block.
        let key = Key::new(&[0u8; 16]).unwrap();
        let ct = encrypt_with_nonce(EncryptionVersion::V1, &key, &[0u8; 16], b"", [0; 12]);
        let want_ct = [
            0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92, 0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2,
            0xfe, 0x78,
        ];
        let want_tag = [
            0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd, 0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57,
            0xbd, 0xdf,
        ];
        assert_eq!(ct[0], 1);
        assert_eq!(&ct[1..13], &[0u8; 12]);
        assert_eq!(&ct[13..29], &want_ct);
        assert_eq!(&ct[29..], &want_tag);
    }

    #[test]
    fn garbage_is_rejected() {
        let kr = ring(&[&[1u8; 16]]);
        assert_eq!(decrypt(&kr, &[], b""), Err(CryptoError::TooSmall));
        assert_eq!(decrypt(&kr, &[9; 64], b""), Err(CryptoError::Version(9)));
        assert_eq!(decrypt(&kr, &[0; 44], b""), Err(CryptoError::TooSmall));
        assert_eq!(decrypt(&kr, &[1; 64], b""), Err(CryptoError::NoKey));
        assert!(Key::new(&[0; 17]).is_err());
    }
}
