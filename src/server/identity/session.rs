//! Browser sessions of signed-in users, kept on the server: the cookie holds a random 256-bit token, the database
//! only its SHA-256, so a leaked table cannot be replayed as cookies. Every sign-in makes a new token (no session
//! fixation); a session lives 30 days from its last use (slid at most once a minute) and can be revoked at once.
//!
//! Why not tower-sessions: its store keeps the session id itself as the key (a stolen table is a set of working
//! cookies), it has no per-user index to list or revoke a user's sessions, and its data-blob model would turn
//! "sign out every other session" into a scan. What a session is here fits in one indexed row.

use axum::http::{header, HeaderMap, HeaderValue};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

use super::{caller::SignedIn, guest::GUEST_COOKIE};
use crate::server::store::{now_ms, Store, StoreResult};

pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A session's last use (and expiry) is written at most this often.
const TOUCH_AFTER_MS: i64 = 60_000;

/// Session cookie settings: over https the cookie is `Secure` and `__Host-` prefixed (bound to this host, path /).
#[derive(Clone, Debug)]
pub struct Sessions {
    secure: bool,
}

/// A session cookie's token, as the browser sent it (decoded).
pub struct SessionToken(pub [u8; 32]);

impl SessionToken {
    pub fn generate() -> Self {
        SessionToken(rand::random())
    }

    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
}

impl Sessions {
    pub fn new(secure: bool) -> Self {
        Sessions { secure }
    }

    /// Whether the site is served over https (`PUBLIC_URL`), so cookies are `Secure`.
    pub fn secure(&self) -> bool {
        self.secure
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-tally_session"
        } else {
            "tally_session"
        }
    }

    fn cookie(&self, value: &str, max_age_secs: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
            self.cookie_name()
        ))
        .expect("base64 and digits make a valid header")
    }

    /// The cookie that carries a new session's token.
    pub fn issue_cookie(&self, token: &SessionToken) -> HeaderValue {
        self.cookie(&URL_SAFE_NO_PAD.encode(token.0), SESSION_TTL_MS / 1000)
    }

    pub fn clear_cookie(&self) -> HeaderValue {
        self.cookie("", 0)
    }

    /// The signed-in user of a session token, sliding the session's expiry when it was last written more than a
    /// minute ago (then with the cookie to re-issue, so the browser's expiry slides too). `None`: unknown,
    /// expired or revoked.
    pub async fn resolve(
        &self,
        store: &dyn Store,
        token: &SessionToken,
    ) -> StoreResult<Option<(SignedIn, Option<HeaderValue>)>> {
        let Some(found) = store.find_session(&token.hash()).await? else {
            return Ok(None);
        };
        let refreshed = if now_ms() - found.last_seen_at_ms > TOUCH_AFTER_MS {
            store
                .touch_session(found.session_id, SESSION_TTL_MS)
                .await?;
            Some(self.issue_cookie(token))
        } else {
            None
        };
        let user = SignedIn {
            user_id: found.user_id,
            username: found.username,
            role: found.role,
            session_id: found.session_id,
            access: super::caller::Access::Browser,
            language: found.language.as_deref().and_then(crate::i18n::Lang::parse),
            tax_profile: Some(found.tax_profile),
        };
        Ok(Some((user, refreshed)))
    }
}

/// The cookies of a request that identify its caller.
pub struct Cookies<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Cookies<'a> {
    pub fn of(headers: &'a HeaderMap) -> Self {
        let pairs = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .collect();
        Cookies { pairs }
    }

    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find_map(|(key, value)| (*key == name && !value.is_empty()).then_some(*value))
    }

    pub fn guest(&self) -> Option<&'a str> {
        self.get(GUEST_COOKIE)
    }

    /// The session token, if the request carries a well-formed one under this site's cookie name.
    pub fn session(&self, sessions: &Sessions) -> Option<SessionToken> {
        let raw = self.get(sessions.cookie_name())?;
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        Some(SessionToken(bytes.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_the_cookie_is_host_bound_and_secure() {
        let cookie = Sessions::new(true).issue_cookie(&SessionToken([3; 32]));
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("__Host-tally_session="));
        for attribute in [
            "Path=/",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Max-Age=2592000",
        ] {
            assert!(
                cookie.contains(attribute),
                "{attribute} missing from {cookie}"
            );
        }
        assert!(
            !cookie.contains("Domain"),
            "__Host- cookies must not name a domain"
        );
        let plain = Sessions::new(false).issue_cookie(&SessionToken([3; 32]));
        assert!(plain.to_str().unwrap().starts_with("tally_session="));
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn the_token_round_trips_through_the_cookie_and_only_its_hash_is_kept() {
        let sessions = Sessions::new(false);
        let token = SessionToken::generate();
        let cookie = sessions.issue_cookie(&token);
        let pair = cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {pair}")).unwrap(),
        );
        let read = Cookies::of(&headers).session(&sessions).unwrap();
        assert_eq!(read.0, token.0);
        assert_ne!(read.hash(), token.0);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("tally_session=short"),
        );
        assert!(Cookies::of(&headers).session(&sessions).is_none());
    }
}
