//! Keyed hashing. Nothing secret is stored in plain text: a national ID becomes a
//! [`PersonKey`], tokens and codes become [`Digest`]s, all HMAC-SHA256 under a key
//! from configuration. Checks compare in constant time.

use crate::domain::codes::{Entropy, ShortCode, Token};
use crate::domain::national_id::NationalId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// What a digest is for; mixed into the hash so a digest of one kind never
/// matches a value of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Person,
    ConfirmToken,
    ConfirmCode,
    ManageToken,
    Idempotency,
    /// The body that came with an `Idempotency-Key` (it holds the national
    /// ID, so it is keyed like everything else stored about a person).
    IdempotentRequest,
    /// A phone number, to find the holds an inbound SMS may confirm.
    Phone,
    /// An email address, to refuse one that bounced for good.
    Email,
    /// A client's network address, to count its requests without storing it.
    ClientAddress,
    /// A kiosk's signing secret, derived from its id and generation (never stored).
    KioskSecret,
    /// The key `local/` signs staff tokens with (in AWS, Cognito signs them).
    LocalStaffTokens,
    /// The key that seals an outbox message's token and code ([`Sealer`]).
    Seal,
    /// The key a sealed value's nonce is synthesized with.
    SealNonce,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Person => b"person",
            Purpose::ConfirmToken => b"confirm-token",
            Purpose::ConfirmCode => b"confirm-code",
            Purpose::ManageToken => b"manage-token",
            Purpose::Idempotency => b"idempotency",
            Purpose::IdempotentRequest => b"idempotent-request",
            Purpose::Phone => b"phone",
            Purpose::Email => b"email",
            Purpose::ClientAddress => b"client-address",
            Purpose::KioskSecret => b"kiosk-secret",
            Purpose::LocalStaffTokens => b"local-staff-tokens",
            Purpose::Seal => b"seal",
            Purpose::SealNonce => b"seal-nonce",
        }
    }
}

/// The configured key was too short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the hashing key must be at least 32 bytes")]
pub struct WeakKey;

/// Why a configured keyring was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("a key is not valid base64")]
    Encoding,
    #[error(transparent)]
    Weak(#[from] WeakKey),
    #[error("a key id must be 1 to 16 lowercase letters, digits or '-' ({0:?})")]
    BadId(String),
    #[error("the key id {0:?} is given twice")]
    DuplicateId(String),
    #[error("no key is given")]
    Empty,
}

/// One key and the id stored beside everything made with it.
#[derive(Clone)]
struct Key {
    id: String,
    secret: Vec<u8>,
}

/// The HMAC keys and the operations on them. The first key is current: every
/// new digest, person key, sealed value and kiosk secret is made with it, and
/// carries its id (`k1.…`). The others are earlier keys kept while a rotation
/// runs: what was made with them still verifies, opens and is found.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        write!(f, "Keyring({ids:?}, <redacted>)")
    }
}

/// A keyed HMAC-SHA256 digest as stored in an item: the id of the key it was
/// made with, a dot, and the hex digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest(pub String);

/// A person, known only by the keyed hash of their national ID (a [`Digest`]'s form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonKey(pub String);

/// The id a keyring given as one bare key gives that key.
pub const FIRST_KEY_ID: &str = "k1";

impl Keyring {
    /// A keyring of one key, with the id [`FIRST_KEY_ID`].
    pub fn new(key: &[u8]) -> Result<Self, WeakKey> {
        Self::with_ids(&[(FIRST_KEY_ID, key)]).map_err(|_| WeakKey)
    }

    /// A keyring of `keys`, the first current.
    pub fn with_ids(keys: &[(&str, &[u8])]) -> Result<Self, KeyringError> {
        let mut ring = Vec::with_capacity(keys.len());
        for (id, secret) in keys {
            let valid_id = (1..=16).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid_id {
                return Err(KeyringError::BadId((*id).to_owned()));
            }
            if ring.iter().any(|k: &Key| k.id == *id) {
                return Err(KeyringError::DuplicateId((*id).to_owned()));
            }
            if secret.len() < 32 {
                return Err(WeakKey.into());
            }
            ring.push(Key {
                id: (*id).to_owned(),
                secret: secret.to_vec(),
            });
        }
        if ring.is_empty() {
            return Err(KeyringError::Empty);
        }
        Ok(Self { keys: ring })
    }

    /// A keyring as configured: one base64 key (its id is [`FIRST_KEY_ID`]),
    /// or `id:base64` entries separated by commas, the current key first
    /// (`k2:…,k1:…` while moving from `k1` to `k2`).
    pub fn parse(text: &str) -> Result<Self, KeyringError> {
        let decode = |b64: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| KeyringError::Encoding)
        };
        let text = text.trim();
        if !text.contains(':') {
            return Self::with_ids(&[(FIRST_KEY_ID, &decode(text)?)]);
        }
        let mut keys = Vec::new();
        for entry in text.split(',') {
            let (id, b64) = entry.split_once(':').ok_or(KeyringError::Encoding)?;
            keys.push((id.trim(), decode(b64)?));
        }
        let borrowed: Vec<(&str, &[u8])> = keys.iter().map(|(i, k)| (*i, k.as_slice())).collect();
        Self::with_ids(&borrowed)
    }

    /// The id of the key new digests are made with.
    pub fn current_id(&self) -> &str {
        &self.current().id
    }

    fn current(&self) -> &Key {
        // `with_ids` refuses an empty ring.
        &self.keys[0]
    }

    fn key(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    fn mac(key: &Key, purpose: Purpose, value: &[u8]) -> String {
        let bytes = hmac_bytes(&key.secret, purpose, value);
        let mut out = String::with_capacity(key.id.len() + 1 + 64);
        out.push_str(&key.id);
        out.push('.');
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// The sealer of secrets that must be stored until they are sent.
    pub fn sealer(&self) -> Sealer {
        Sealer {
            keys: self
                .keys
                .iter()
                .map(|k| SealKey {
                    id: k.id.clone(),
                    key: hmac_bytes(&k.secret, Purpose::Seal, b"v1"),
                    nonce_key: hmac_bytes(&k.secret, Purpose::SealNonce, b"v1"),
                })
                .collect(),
        }
    }

    /// The person key under the current key (what new items are written with).
    pub fn person_key(&self, id: &NationalId) -> PersonKey {
        PersonKey(Self::mac(
            self.current(),
            Purpose::Person,
            id.canonical().as_bytes(),
        ))
    }

    /// The person's key under every key of the ring, the current first: what
    /// to look for, since an item may have been written before a rotation.
    pub fn person_keys(&self, id: &NationalId) -> Vec<PersonKey> {
        self.keys
            .iter()
            .map(|k| PersonKey(Self::mac(k, Purpose::Person, id.canonical().as_bytes())))
            .collect()
    }

    pub fn digest(&self, purpose: Purpose, value: &str) -> Digest {
        Digest(Self::mac(self.current(), purpose, value.as_bytes()))
    }

    /// The digest of `value` under every key of the ring, the current first.
    pub fn digests(&self, purpose: Purpose, value: &str) -> Vec<Digest> {
        self.keys
            .iter()
            .map(|k| Digest(Self::mac(k, purpose, value.as_bytes())))
            .collect()
    }

    /// The keyed digest of raw bytes (a request body).
    pub fn digest_bytes(&self, purpose: Purpose, value: &[u8]) -> Digest {
        Digest(Self::mac(self.current(), purpose, value))
    }

    /// A fresh 256-bit token for `purpose` and the digest that is stored in its place.
    pub fn issue_token(&self, purpose: Purpose, entropy: &dyn Entropy) -> (Token, Digest) {
        let token = Token::generate(entropy);
        let digest = self.digest(purpose, token.as_str());
        (token, digest)
    }

    /// A fresh typed code for `purpose` and the digest that is stored in its place.
    pub fn issue_code(&self, purpose: Purpose, entropy: &dyn Entropy) -> (ShortCode, Digest) {
        let code = ShortCode::generate(entropy);
        let digest = self.digest(purpose, code.as_str());
        (code, digest)
    }

    /// The signing secret of a kiosk: derived from the key named `key_id`
    /// (the one current when the kiosk was registered), the kiosk's id and its
    /// generation (raised to revoke a leaked secret), so it is never stored.
    /// Staff type it into the kiosk once. None once that key has left the ring
    /// (the kiosk must be registered again).
    pub fn kiosk_secret(&self, key_id: &str, kiosk_id: &str, generation: u32) -> Option<String> {
        Some(Self::kiosk_secret_with(
            self.key(key_id)?,
            kiosk_id,
            generation,
        ))
    }

    /// The id of the current key and the secret it gives a kiosk being registered.
    pub fn new_kiosk_secret(&self, kiosk_id: &str, generation: u32) -> (String, String) {
        let key = self.current();
        (
            key.id.clone(),
            Self::kiosk_secret_with(key, kiosk_id, generation),
        )
    }

    fn kiosk_secret_with(key: &Key, kiosk_id: &str, generation: u32) -> String {
        let bytes = hmac_bytes(
            &key.secret,
            Purpose::KioskSecret,
            format!("{kiosk_id}#{generation}").as_bytes(),
        );
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key the local runner signs staff tokens with: derived, never stored.
    pub fn local_staff_token_key(&self) -> Vec<u8> {
        hmac_bytes(&self.current().secret, Purpose::LocalStaffTokens, b"v1").to_vec()
    }

    /// Constant-time check of `value` against a stored digest, with the key
    /// whose id the digest carries; false when that key is not in the ring.
    pub fn verify(&self, purpose: Purpose, value: &str, stored: &Digest) -> bool {
        self.verify_bytes(purpose, value.as_bytes(), stored)
    }

    /// [`Keyring::verify`] for raw bytes (a request body).
    pub fn verify_bytes(&self, purpose: Purpose, value: &[u8], stored: &Digest) -> bool {
        let Some(key) = stored.0.split_once('.').and_then(|(id, _)| self.key(id)) else {
            return false;
        };
        let fresh = Self::mac(key, purpose, value);
        fresh.as_bytes().ct_eq(stored.0.as_bytes()).into()
    }
}

fn hmac_bytes(key: &[u8], purpose: Purpose, value: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(purpose.label());
    mac.update(&[0]);
    mac.update(value);
    let mut out = [0u8; 32];
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// Seals the secrets a citizen must still receive (the raw token or code in
/// an outbox message) so that the table, its stream and its backups hold only
/// ciphertext: ChaCha20-Poly1305 under a key derived from the HMAC key. The
/// nonce is synthesized from the context and the value (as in SIV: equal
/// inputs give equal outputs and reveal nothing else, so no nonce is ever
/// reused for two values), and the context (which item, which field) is the
/// associated data, so a sealed value cannot be moved to another item.
#[derive(Clone)]
pub struct Sealer {
    /// The current key first, as in the [`Keyring`].
    keys: Vec<SealKey>,
}

#[derive(Clone)]
struct SealKey {
    id: String,
    key: [u8; 32],
    nonce_key: [u8; 32],
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

/// What a sealed value starts with (the version of the scheme); the id of
/// the key it was sealed with and a colon follow.
const SEALED_PREFIX: &str = "sealed1:";

impl SealKey {
    fn aead(&self) -> LessSafeKey {
        // A 32-byte key is what ChaCha20-Poly1305 takes, so this cannot fail.
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &self.key).unwrap_or_else(|_| unreachable!()),
        )
    }
}

impl Sealer {
    /// `value` sealed for `context` with the current key.
    pub fn seal(&self, context: &str, value: &str) -> String {
        // The keyring refuses to be empty, and the sealer has its keys.
        let key = &self.keys[0];
        let mut synthesized = [0u8; NONCE_LEN];
        let mut input = context.as_bytes().to_vec();
        input.push(0);
        input.extend_from_slice(value.as_bytes());
        synthesized
            .copy_from_slice(&hmac_bytes(&key.nonce_key, Purpose::SealNonce, &input)[..NONCE_LEN]);
        let mut sealed = value.as_bytes().to_vec();
        // Sealing fails only for inputs of gigabytes.
        key.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(synthesized),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .unwrap_or_else(|_| unreachable!());
        let mut out = synthesized.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}:{}", key.id, URL_SAFE_NO_PAD.encode(out))
    }

    /// [`Sealer::open`] for a sealed value; a value without the seal prefix
    /// (stored before sealing began) as it is.
    pub fn open_or_plain(&self, context: &str, stored: &str) -> Option<String> {
        if stored.starts_with(SEALED_PREFIX) {
            self.open(context, stored)
        } else {
            Some(stored.to_owned())
        }
    }

    /// The value sealed for `context`; None when it was sealed for another
    /// context, with a key no longer in the ring, or altered.
    pub fn open(&self, context: &str, sealed: &str) -> Option<String> {
        let (id, body) = sealed.strip_prefix(SEALED_PREFIX)?.split_once(':')?;
        let key = self.keys.iter().find(|k| k.id == id)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let mut buffer = rest.to_vec();
        let plain = key
            .aead()
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).ok()?,
                Aad::from(context.as_bytes()),
                &mut buffer,
            )
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::national_id::Pesel;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_context_and_hides_the_value() {
        let sealer = Keyring::new(&[7; 32]).unwrap().sealer();
        let token = "Zt7Qw3eR9yU1iO5pA2sD8fG4hJ6kL0zXcVbNm_Lk-Q0";
        let sealed = sealer.seal("OUTBOX#1/manage_token", token);
        assert!(!sealed.contains(token) && sealed.starts_with(SEALED_PREFIX));
        assert_eq!(
            sealer.open("OUTBOX#1/manage_token", &sealed).as_deref(),
            Some(token)
        );
        assert_eq!(
            sealer.open("OUTBOX#2/manage_token", &sealed),
            None,
            "moved to another item"
        );
        let other_key = Keyring::new(&[8; 32]).unwrap().sealer();
        assert_eq!(other_key.open("OUTBOX#1/manage_token", &sealed), None);
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sealer.open("OUTBOX#1/manage_token", &altered), None);
        assert_eq!(
            sealer.open("OUTBOX#1/manage_token", token),
            None,
            "not sealed"
        );
        assert_ne!(
            sealer.seal("OUTBOX#1/manage_token", "another token"),
            sealed,
            "another value, another nonce"
        );
    }

    #[test]
    fn a_person_key_is_stable_and_does_not_contain_the_pesel() {
        let keyring = Keyring::new(&[7; 32]).unwrap();
        let id = NationalId::Pesel(Pesel::parse("44051401359").unwrap());
        let key = keyring.person_key(&id);
        assert_eq!(key, keyring.person_key(&id));
        assert!(!key.0.contains("44051401359"));
        assert!(key.0.starts_with("k1.") && key.0.len() == 3 + 64, "{key:?}");
        let other = Keyring::new(&[8; 32]).unwrap();
        assert_ne!(key, other.person_key(&id));
    }

    #[test]
    fn a_kiosk_secret_changes_with_the_kiosk_its_generation_and_the_key() {
        let keyring = Keyring::new(&[7; 32]).unwrap();
        let secret = |ring: &Keyring, kiosk, generation| {
            ring.kiosk_secret(FIRST_KEY_ID, kiosk, generation).unwrap()
        };
        let first = secret(&keyring, "olsztyn-hall-1", 1);
        assert_eq!(first, secret(&keyring, "olsztyn-hall-1", 1));
        assert_eq!(first.len(), 64);
        assert_ne!(first, secret(&keyring, "olsztyn-hall-2", 1));
        assert_ne!(first, secret(&keyring, "olsztyn-hall-1", 2));
        let other = Keyring::new(&[8; 32]).unwrap();
        assert_ne!(first, secret(&other, "olsztyn-hall-1", 1));
        assert_eq!(keyring.kiosk_secret("k2", "olsztyn-hall-1", 1), None);
    }

    #[test]
    fn digests_verify_only_the_same_value_for_the_same_purpose() {
        let keyring = Keyring::new(&[1; 40]).unwrap();
        let d = keyring.digest(Purpose::ConfirmToken, "abc");
        assert!(keyring.verify(Purpose::ConfirmToken, "abc", &d));
        assert!(!keyring.verify(Purpose::ConfirmToken, "abd", &d));
        assert!(!keyring.verify(Purpose::ManageToken, "abc", &d));
    }

    #[test]
    fn an_issued_token_or_code_verifies_against_its_digest_only() {
        let keyring = Keyring::new(&[3; 32]).unwrap();
        let entropy = crate::domain::codes::SeededEntropy::new(1);
        let (token, digest) = keyring.issue_token(Purpose::ManageToken, &entropy);
        assert!(keyring.verify(Purpose::ManageToken, token.as_str(), &digest));
        assert!(!keyring.verify(Purpose::ConfirmToken, token.as_str(), &digest));
        let (again, _) = keyring.issue_token(Purpose::ManageToken, &entropy);
        assert_ne!(token.as_str(), again.as_str());
        let (code, digest) = keyring.issue_code(Purpose::ConfirmCode, &entropy);
        assert!(keyring.verify(Purpose::ConfirmCode, code.as_str(), &digest));
        assert!(!digest.0.contains(code.as_str()));
    }

    #[test]
    fn short_keys_are_refused() {
        assert_eq!(Keyring::new(&[0; 31]).err(), Some(WeakKey));
    }

    fn b64(key: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(key)
    }

    #[test]
    fn a_configured_keyring_is_one_bare_key_or_ids_with_keys_the_current_first() {
        let one = Keyring::parse(&format!(" {} ", b64(&[1; 32]))).unwrap();
        assert_eq!(one.current_id(), FIRST_KEY_ID);
        assert_eq!(
            one.digest(Purpose::Phone, "x"),
            Keyring::new(&[1; 32]).unwrap().digest(Purpose::Phone, "x")
        );
        let two = Keyring::parse(&format!("k2:{}, k1:{}", b64(&[2; 32]), b64(&[1; 32]))).unwrap();
        assert_eq!(two.current_id(), "k2");
        assert!(two.digest(Purpose::Phone, "x").0.starts_with("k2."));
        assert_eq!(format!("{two:?}"), r#"Keyring(["k2", "k1"], <redacted>)"#);
        for (text, error) in [
            (String::new(), KeyringError::Weak(WeakKey)),
            ("k1:%%%".to_owned(), KeyringError::Encoding),
            (format!("k1:{}", b64(&[1; 31])), KeyringError::Weak(WeakKey)),
            (
                format!("K1:{}", b64(&[1; 32])),
                KeyringError::BadId("K1".into()),
            ),
            (
                format!("k.1:{}", b64(&[1; 32])),
                KeyringError::BadId("k.1".into()),
            ),
            (
                format!("k1:{},k1:{}", b64(&[1; 32]), b64(&[2; 32])),
                KeyringError::DuplicateId("k1".into()),
            ),
        ] {
            assert_eq!(Keyring::parse(&text).err(), Some(error), "{text}");
        }
    }

    #[test]
    fn after_a_rotation_what_the_earlier_key_made_still_verifies_opens_and_is_found() {
        let before = Keyring::new(&[1; 32]).unwrap();
        let during = Keyring::with_ids(&[("k2", &[2; 32]), ("k1", &[1; 32])]).unwrap();
        let after = Keyring::with_ids(&[("k2", &[2; 32])]).unwrap();

        let digest = before.digest(Purpose::ManageToken, "token");
        assert!(during.verify(Purpose::ManageToken, "token", &digest));
        assert!(
            !after.verify(Purpose::ManageToken, "token", &digest),
            "k1 is gone"
        );
        let fresh = during.digest(Purpose::ManageToken, "token");
        assert!(fresh.0.starts_with("k2.") && during.verify(Purpose::ManageToken, "token", &fresh));
        assert!(!before.verify(Purpose::ManageToken, "token", &fresh));
        // A digest whose id was changed does not verify under the other key.
        let relabelled = Digest(digest.0.replacen("k1.", "k2.", 1));
        assert!(!during.verify(Purpose::ManageToken, "token", &relabelled));

        let id = NationalId::Pesel(Pesel::parse("44051401359").unwrap());
        let keys = during.person_keys(&id);
        assert_eq!(keys, vec![during.person_key(&id), before.person_key(&id)]);
        assert_eq!(
            during.digests(Purpose::Email, "a@b.pl")[1],
            before.digest(Purpose::Email, "a@b.pl")
        );

        let sealed = before.sealer().seal("OUTBOX#1/code", "ABC123");
        assert!(sealed.starts_with("sealed1:k1:"));
        assert_eq!(
            during.sealer().open("OUTBOX#1/code", &sealed).as_deref(),
            Some("ABC123")
        );
        assert_eq!(after.sealer().open("OUTBOX#1/code", &sealed), None);
        assert!(
            during
                .sealer()
                .seal("OUTBOX#1/code", "ABC123")
                .starts_with("sealed1:k2:")
        );

        let (id, secret) = before.new_kiosk_secret("hall-1", 1);
        assert_eq!(id, "k1");
        assert_eq!(during.kiosk_secret("k1", "hall-1", 1), Some(secret.clone()));
        assert_eq!(during.new_kiosk_secret("hall-1", 1).0, "k2");
        assert_ne!(during.new_kiosk_secret("hall-1", 1).1, secret);
        assert_eq!(after.kiosk_secret("k1", "hall-1", 1), None);
    }
}
