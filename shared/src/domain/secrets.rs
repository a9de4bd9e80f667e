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

/// The HMAC key and the operations on it.
#[derive(Clone)]
pub struct Keyring {
    key: Vec<u8>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keyring(<redacted>)")
    }
}

/// A hex HMAC-SHA256 digest as stored in an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest(pub String);

/// A person, known only by the keyed hash of their national ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonKey(pub String);

impl Keyring {
    pub fn new(key: &[u8]) -> Result<Self, WeakKey> {
        if key.len() < 32 {
            return Err(WeakKey);
        }
        Ok(Self { key: key.to_vec() })
    }

    fn mac(&self, purpose: Purpose, value: &[u8]) -> String {
        let bytes = hmac_bytes(&self.key, purpose, value);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The sealer of secrets that must be stored until they are sent.
    pub fn sealer(&self) -> Sealer {
        Sealer {
            key: hmac_bytes(&self.key, Purpose::Seal, b"v1"),
            nonce_key: hmac_bytes(&self.key, Purpose::SealNonce, b"v1"),
        }
    }

    pub fn person_key(&self, id: &NationalId) -> PersonKey {
        PersonKey(self.mac(Purpose::Person, id.canonical().as_bytes()))
    }

    pub fn digest(&self, purpose: Purpose, value: &str) -> Digest {
        Digest(self.mac(purpose, value.as_bytes()))
    }

    /// The keyed digest of raw bytes (a request body).
    pub fn digest_bytes(&self, purpose: Purpose, value: &[u8]) -> Digest {
        Digest(self.mac(purpose, value))
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

    /// The signing secret of a kiosk: derived from the key, the kiosk's id and
    /// its generation (raised to revoke a leaked secret), so it is never stored.
    /// Staff type it into the kiosk once.
    pub fn kiosk_secret(&self, kiosk_id: &str, generation: u32) -> String {
        self.mac(
            Purpose::KioskSecret,
            format!("{kiosk_id}#{generation}").as_bytes(),
        )
    }

    /// The key the local runner signs staff tokens with: derived, never stored.
    pub fn local_staff_token_key(&self) -> Vec<u8> {
        self.mac(Purpose::LocalStaffTokens, b"v1").into_bytes()
    }

    /// Constant-time check of `value` against a stored digest.
    pub fn verify(&self, purpose: Purpose, value: &str, stored: &Digest) -> bool {
        let fresh = self.mac(purpose, value.as_bytes());
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
    key: [u8; 32],
    nonce_key: [u8; 32],
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

/// What a sealed value starts with (the version of the scheme).
const SEALED_PREFIX: &str = "sealed1:";

impl Sealer {
    fn aead(&self) -> LessSafeKey {
        // A 32-byte key is what ChaCha20-Poly1305 takes, so this cannot fail.
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &self.key).unwrap_or_else(|_| unreachable!()),
        )
    }

    pub fn seal(&self, context: &str, value: &str) -> String {
        let mut synthesized = [0u8; NONCE_LEN];
        let mut input = context.as_bytes().to_vec();
        input.push(0);
        input.extend_from_slice(value.as_bytes());
        synthesized
            .copy_from_slice(&hmac_bytes(&self.nonce_key, Purpose::SealNonce, &input)[..NONCE_LEN]);
        let mut sealed = value.as_bytes().to_vec();
        // Sealing fails only for inputs of gigabytes.
        self.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(synthesized),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .unwrap_or_else(|_| unreachable!());
        let mut out = synthesized.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
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
    /// context or key, or altered.
    pub fn open(&self, context: &str, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let mut buffer = rest.to_vec();
        let plain = self
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
        assert_eq!(key.0.len(), 64);
        let other = Keyring::new(&[8; 32]).unwrap();
        assert_ne!(key, other.person_key(&id));
    }

    #[test]
    fn a_kiosk_secret_changes_with_the_kiosk_its_generation_and_the_key() {
        let keyring = Keyring::new(&[7; 32]).unwrap();
        let secret = keyring.kiosk_secret("olsztyn-hall-1", 1);
        assert_eq!(secret, keyring.kiosk_secret("olsztyn-hall-1", 1));
        assert_eq!(secret.len(), 64);
        assert_ne!(secret, keyring.kiosk_secret("olsztyn-hall-2", 1));
        assert_ne!(secret, keyring.kiosk_secret("olsztyn-hall-1", 2));
        let other = Keyring::new(&[8; 32]).unwrap();
        assert_ne!(secret, other.kiosk_secret("olsztyn-hall-1", 1));
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
}
