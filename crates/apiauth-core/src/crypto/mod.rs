//! Cryptographic building blocks: secret types, randomness, hashing, key derivation and
//! AES-256-GCM sealing.
//!
//! Every secret held in memory is one of the types here: [`MasterKey`], [`SigningSecret`] and
//! [`SecretString`]. They zeroize their bytes on drop and print `[redacted]` under `Debug`, so a
//! stray `{:?}` or a panic message cannot leak them.

pub mod jwt;

use std::fmt;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRng as _;
use rand::rngs::SysRng;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of the AES-GCM authentication tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;
/// Length of an AES-GCM nonce.
pub const NONCE_LEN: usize = 12;

/// Fills `buf` from the operating system's CSPRNG.
///
/// Failure of the OS random source is unrecoverable for a key manager: nothing may be generated
/// from a weaker source, so this panics (with no secret in the message).
pub fn fill_random(buf: &mut [u8]) {
    SysRng
        .try_fill_bytes(buf)
        .expect("the operating system's random number generator failed");
}

/// Returns `N` random bytes from the OS CSPRNG.
pub fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill_random(&mut out);
    out
}

/// The 256-bit key that encrypts the keystore and from which every other key is derived.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    /// Length of a master key in bytes.
    pub const LEN: usize = 32;

    /// Makes a fresh key from the OS CSPRNG.
    pub fn generate() -> Self {
        Self(random_array())
    }

    /// Wraps existing key bytes; `None` unless there are exactly 32 of them.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    /// The raw key bytes, for writing `master.key`.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Derives a purpose-bound 256-bit subkey with HKDF-SHA256.
    pub fn derive(&self, salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), &self.0);
        let mut okm = Zeroizing::new([0u8; 32]);
        hk.expand(info, okm.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        okm
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

/// A JWT signing secret, kept encrypted inside the keystore and never shown.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SigningSecret(#[serde(with = "serde_bytes")] [u8; 32]);

impl SigningSecret {
    /// Makes a fresh secret from the OS CSPRNG.
    pub fn generate() -> Self {
        Self(random_array())
    }

    /// The raw secret, for computing an HMAC.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret([redacted])")
    }
}

/// A plaintext key or token. Shown once, then zeroized when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Takes ownership of a plaintext value.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The plaintext. Call only at the point where it is shown, copied or hashed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

/// A heap buffer of secret bytes (a decrypted keystore, an encoded payload), wiped on drop.
///
/// `Zeroizing<Vec<u8>>` wipes a vector one volatile byte store at a time; for the 2 MB of a
/// 10,000-key store that alone cost every `verify` over half a millisecond. This wipes the
/// bytes, and the vector's spare capacity, with zeroize's bulk fill instead (same guarantee:
/// the writes are not optimized away).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Makes room for `additional` more bytes without leaving a copy behind: when the buffer
    /// must grow, its contents move to a new allocation and the old one is wiped (a `Vec`
    /// growing by itself frees the old allocation as it is). Call before every insertion.
    pub fn reserve(&mut self, additional: usize) {
        if self.0.capacity() - self.0.len() >= additional {
            return;
        }
        let needed = self.0.len() + additional;
        let mut grown = Vec::with_capacity(needed.max(self.0.capacity() * 2));
        grown.extend_from_slice(&self.0);
        drop(SecretBytes(std::mem::replace(&mut self.0, grown)));
    }
}

impl std::ops::Deref for SecretBytes {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl std::ops::DerefMut for SecretBytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.0.as_mut_slice().zeroize();
        self.0.spare_capacity_mut().zeroize();
    }
}

impl ZeroizeOnDrop for SecretBytes {}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([redacted], {} bytes)", self.0.len())
    }
}

/// The SHA-256 digest of a full key string: all the keystore knows about a key's value.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct KeyHash(#[serde(with = "serde_bytes")] [u8; 32]);

impl KeyHash {
    /// Hashes a key value as DESIGN.md §1 says: `sha256(full key string)`.
    pub fn of(value: &str) -> Self {
        Self(Sha256::digest(value.as_bytes()).into())
    }

    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Compares in constant time, so the comparison leaks nothing about how many bytes matched.
    pub fn ct_eq(&self, other: &KeyHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// Lowercase hex, as shown in `show` and JSON.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The first 12 hex characters, enough to tell versions apart on screen.
    pub fn short(&self) -> String {
        hex(&self.0[..6])
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash({}…)", self.short())
    }
}

/// Lowercase hex encoding.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Generates an API key: `{prefix}_{base64url(32 random bytes), no padding}`.
pub fn generate_api_key(prefix: &str) -> SecretString {
    let body = Zeroizing::new(random_array::<32>());
    let mut value = String::with_capacity(prefix.len() + 44);
    value.push_str(prefix);
    value.push('_');
    URL_SAFE_NO_PAD.encode_string(body.as_ref(), &mut value);
    SecretString::new(value)
}

/// Encrypts `buf` in place with AES-256-GCM and appends the tag.
pub fn seal_in_place(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut Vec<u8>) {
    let cipher = Aes256Gcm::new(key.into());
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(*nonce), aad, buf.as_mut_slice().into())
        .expect("plaintext is below the AES-GCM length limit");
    buf.extend_from_slice(&tag);
}

/// Decrypts `ciphertext_and_tag` in place; on success the first `len - 16` bytes are the
/// plaintext. Fails when the key is wrong or any byte of the ciphertext, tag or `aad` changed.
pub fn open_in_place(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &mut [u8],
) -> Result<(), aes_gcm::Error> {
    let split = ciphertext_and_tag
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(aes_gcm::Error)?;
    let (body, tag) = ciphertext_and_tag.split_at_mut(split);
    let tag = Tag::try_from(&*tag).map_err(|_| aes_gcm::Error)?;
    Aes256Gcm::new(key.into()).decrypt_inout_detached(&Nonce::from(*nonce), aad, body.into(), &tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_have_prefix_and_43_char_body() {
        let key = generate_api_key("ak");
        let (prefix, body) = key.expose().split_once('_').unwrap();
        assert_eq!(prefix, "ak");
        assert_eq!(body.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), 32);
        assert_ne!(generate_api_key("ak"), key);
    }

    #[test]
    fn hash_is_sha256_hex_of_the_full_string() {
        assert_eq!(
            KeyHash::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secret_bytes_grow_without_losing_their_contents() {
        let mut bytes = SecretBytes::new(Vec::with_capacity(4));
        bytes.extend_from_slice(b"abcd");
        bytes.reserve(3);
        assert!(bytes.capacity() >= 7);
        let before = bytes.capacity();
        bytes.extend_from_slice(b"efg");
        assert_eq!(bytes.capacity(), before, "no growth after reserve");
        assert_eq!(&bytes[..], b"abcdefg");
        bytes.reserve(1);
        assert_eq!(&bytes[..], b"abcdefg");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let secret = SecretString::new("ak_supersecretvalue".into());
        let master = MasterKey::generate();
        let signing = SigningSecret::generate();
        let bytes = SecretBytes::new(b"supersecret payload".to_vec());
        for shown in [
            format!("{secret:?}"),
            format!("{master:?}"),
            format!("{signing:?}"),
            format!("{bytes:?}"),
        ] {
            assert!(shown.contains("[redacted]"), "{shown}");
            assert!(!shown.contains("supersecret"));
        }
        assert!(!format!("{master:?}").contains(&hex(master.as_bytes())[..8]));
    }

    #[test]
    fn seal_then_open_round_trips_and_detects_tampering() {
        let key = random_array::<32>();
        let nonce = random_array::<NONCE_LEN>();
        let mut buf = b"payload bytes".to_vec();
        seal_in_place(&key, &nonce, b"header", &mut buf);
        let sealed = buf.clone();
        open_in_place(&key, &nonce, b"header", &mut buf).unwrap();
        assert_eq!(&buf[..buf.len() - TAG_LEN], b"payload bytes");

        let mut wrong_aad = sealed.clone();
        assert!(open_in_place(&key, &nonce, b"HEADER", &mut wrong_aad).is_err());
        let mut flipped = sealed.clone();
        flipped[3] ^= 1;
        assert!(open_in_place(&key, &nonce, b"header", &mut flipped).is_err());
        let mut wrong_key = sealed;
        assert!(open_in_place(&random_array(), &nonce, b"header", &mut wrong_key).is_err());
    }

    #[test]
    fn derived_keys_depend_on_salt_and_purpose() {
        let master = MasterKey::generate();
        let a = master.derive(b"salt-a", b"apiauth/v1/keystore");
        let b = master.derive(b"salt-b", b"apiauth/v1/keystore");
        let c = master.derive(b"salt-a", b"apiauth/v1/events");
        assert_ne!(*a, *b);
        assert_ne!(*a, *c);
        assert_eq!(*a, *master.derive(b"salt-a", b"apiauth/v1/keystore"));
    }
}
