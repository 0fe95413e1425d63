//! Guest identity: a random 128-bit token in a signed cookie, re-issued for a sliding 30 days. The server stores only
//! a SHA-256 hash of the token, so a leaked database cannot be turned back into working cookies.
//!
//! [`identify`](super::caller::identify) makes every request without a session a guest. The database row is created
//! on the first write, not on the first page view, so crawlers and one-off visits leave nothing behind.

use axum::http::HeaderValue;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::server::store::now_ms;

pub const GUEST_COOKIE: &str = "tally_guest";
pub const GUEST_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// Re-issue the cookie (sliding expiry) once it is older than this, not on every request.
const REISSUE_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

type HmacSha256 = Hmac<Sha256>;

/// The guest behind a request.
#[derive(Clone, Debug)]
pub struct GuestToken {
    /// SHA-256 of the random token: the only form the database sees.
    pub token_hash: [u8; 32],
    /// Whether this guest saved a tax profile, as its cookie says: a guest's profile is saved only from its own
    /// browser, which then gets the cookie with the mark, so a new conversation's turn can skip the read.
    pub profile: ProfileHint,
    /// The cookie was made for this very request: nothing of this guest is stored yet.
    pub is_new: bool,
    cookie: CookieValue,
}

/// What the guest cookie says about a saved tax profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileHint {
    /// Certainly none (the cookie was made after this mark existed and no profile was saved since).
    None,
    Saved,
    /// A cookie from before the mark: read to know.
    Unknown,
}

/// Signs and verifies guest cookies.
#[derive(Clone)]
pub struct CookieSigner {
    key: Vec<u8>,
    secure: bool,
}

#[derive(Clone, Debug)]
struct CookieValue {
    token: [u8; 16],
    issued_at_ms: i64,
    profile: ProfileHint,
}

impl CookieSigner {
    pub fn new(secret: &[u8], secure: bool) -> Self {
        CookieSigner {
            key: secret.to_vec(),
            secure,
        }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(payload);
        mac
    }

    fn encode(&self, value: &CookieValue) -> String {
        let mut payload = Vec::with_capacity(25);
        payload.extend_from_slice(&value.token);
        payload.extend_from_slice(&value.issued_at_ms.to_be_bytes());
        match value.profile {
            ProfileHint::None => payload.push(0),
            ProfileHint::Saved => payload.push(1),
            // Written as it was read: without the mark.
            ProfileHint::Unknown => {}
        }
        let signature = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    fn decode(&self, raw: &str) -> Option<CookieValue> {
        let (payload, signature) = raw.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.mac(&payload).verify_slice(&signature).ok()?;
        let (token, rest) = payload.split_at_checked(16)?;
        let (issued, mark) = rest.split_at_checked(8)?;
        let profile = match mark {
            [] => ProfileHint::Unknown,
            [0] => ProfileHint::None,
            [1] => ProfileHint::Saved,
            _ => return None,
        };
        Some(CookieValue {
            token: token.try_into().ok()?,
            issued_at_ms: i64::from_be_bytes(issued.try_into().ok()?),
            profile,
        })
    }

    fn set_cookie_header(&self, value: &CookieValue) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        let max_age = GUEST_TTL_MS / 1000;
        HeaderValue::from_str(&format!(
            "{GUEST_COOKIE}={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            self.encode(value)
        ))
        .ok()
    }
}

fn hash_token(token: &[u8; 16]) -> [u8; 32] {
    Sha256::digest(token).into()
}

impl CookieSigner {
    /// The guest of a request's guest cookie (`raw`), or a new guest; with the cookie to set when it is new or due
    /// for its sliding re-issue.
    pub fn guest_for(&self, raw: Option<&str>) -> (GuestToken, Option<HeaderValue>) {
        let now = now_ms();
        let decoded = raw.and_then(|raw| self.decode(raw));
        let is_new = decoded.is_none();
        let (value, reissue) = match decoded {
            Some(value) => {
                let stale = now - value.issued_at_ms > REISSUE_AFTER_MS;
                (
                    CookieValue {
                        issued_at_ms: if stale { now } else { value.issued_at_ms },
                        ..value
                    },
                    stale,
                )
            }
            None => (
                CookieValue {
                    token: rand::random(),
                    issued_at_ms: now,
                    profile: ProfileHint::None,
                },
                true,
            ),
        };
        let cookie = reissue.then(|| self.set_cookie_header(&value)).flatten();
        let guest = GuestToken {
            token_hash: hash_token(&value.token),
            profile: value.profile,
            is_new,
            cookie: value,
        };
        (guest, cookie)
    }

    /// The guest's cookie marked as having a saved tax profile (sent when one is saved), if it lacked the mark.
    pub fn cookie_with_profile(&self, guest: &GuestToken) -> Option<HeaderValue> {
        if guest.profile == ProfileHint::Saved {
            return None;
        }
        self.set_cookie_header(&CookieValue {
            issued_at_ms: now_ms(),
            profile: ProfileHint::Saved,
            ..guest.cookie.clone()
        })
    }

    /// Ends the guest cookie (its history has moved to an account).
    pub fn clear_cookie(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{GUEST_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
        ))
        .expect("a constant cookie is a valid header")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> CookieSigner {
        CookieSigner::new(b"0123456789abcdef0123456789abcdef", false)
    }

    #[test]
    fn a_signed_cookie_round_trips() {
        for profile in [ProfileHint::None, ProfileHint::Saved, ProfileHint::Unknown] {
            let value = CookieValue {
                token: [7; 16],
                issued_at_ms: 1_700_000_000_000,
                profile,
            };
            let decoded = signer().decode(&signer().encode(&value)).unwrap();
            assert_eq!(decoded.token, [7; 16]);
            assert_eq!(decoded.issued_at_ms, 1_700_000_000_000);
            assert_eq!(decoded.profile, profile);
        }
    }

    #[test]
    fn a_new_guest_has_no_profile_until_its_cookie_says_one_was_saved() {
        let signer = signer();
        let (guest, cookie) = signer.guest_for(None);
        assert_eq!(guest.profile, ProfileHint::None);
        let value = |header: HeaderValue| {
            let text = header.to_str().unwrap().to_string();
            text.split(';')
                .next()
                .unwrap()
                .trim_start_matches("tally_guest=")
                .to_string()
        };
        let saved = signer
            .cookie_with_profile(&guest)
            .expect("re-issued with the mark");
        let (again, _) = signer.guest_for(Some(&value(saved)));
        assert_eq!(again.profile, ProfileHint::Saved);
        assert_eq!(again.token_hash, guest.token_hash, "the same guest");
        assert!(
            signer.cookie_with_profile(&again).is_none(),
            "already marked"
        );
        // A cookie from before the mark: unknown, so the turn reads the profile.
        let old = signer.encode(&CookieValue {
            token: [5; 16],
            issued_at_ms: now_ms(),
            profile: ProfileHint::Unknown,
        });
        assert_eq!(signer.guest_for(Some(&old)).0.profile, ProfileHint::Unknown);
        assert!(cookie.is_some());
    }

    #[test]
    fn a_tampered_or_foreign_cookie_is_rejected() {
        let encoded = signer().encode(&CookieValue {
            token: [7; 16],
            issued_at_ms: 1,
            profile: ProfileHint::None,
        });
        let (payload, signature) = encoded.split_once('.').unwrap();
        let mut forged = URL_SAFE_NO_PAD.decode(payload).unwrap();
        forged[0] ^= 1;
        assert!(signer()
            .decode(&format!("{}.{signature}", URL_SAFE_NO_PAD.encode(forged)))
            .is_none());
        let other = CookieSigner::new(b"another-secret-another-secret-!!", false);
        assert!(other.decode(&encoded).is_none());
        assert!(signer().decode("garbage").is_none());
    }

    #[test]
    fn cookie_attributes_follow_the_design() {
        let header = CookieSigner::new(b"k", true)
            .set_cookie_header(&CookieValue {
                token: [1; 16],
                issued_at_ms: 1,
                profile: ProfileHint::None,
            })
            .unwrap();
        let header = header.to_str().unwrap();
        assert!(
            header.contains("HttpOnly")
                && header.contains("SameSite=Lax")
                && header.contains("Secure")
        );
        assert!(header.contains("Max-Age=2592000"));
    }
}
