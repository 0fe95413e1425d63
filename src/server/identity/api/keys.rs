//! Personal API keys and refresh tokens as strings: how they look, how they are made, and the hash that is all
//! the database keeps. Both are 256 random bits, so a plain SHA-256 is enough to make a stolen table useless
//! (there is nothing to guess, unlike a password).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

/// Every API key starts so: a bearer token that starts otherwise is an access token.
pub const KEY_PREFIX: &str = "tly_";
const REFRESH_PREFIX: &str = "rt_";
/// How much of a key lists show: the prefix and 8 characters.
const SHOWN_CHARS: usize = KEY_PREFIX.len() + 8;

/// A new secret: `prefix` and 256 random bits, base64url.
fn secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn new_key() -> String {
    secret(KEY_PREFIX)
}

pub fn new_refresh_token() -> String {
    secret(REFRESH_PREFIX)
}

/// What is stored of a key or refresh token.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The part of a key its owner sees in lists to tell keys apart.
pub fn shown_part(key: &str) -> String {
    key.chars().take(SHOWN_CHARS).collect()
}

/// What an API key may do. Passwords (browser sessions, access tokens) may do all of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Read conversations, models, usage and the account.
    Read,
    /// Create, rename, pin, archive and delete conversations.
    Write,
    /// Ask questions (`/conversations/{id}/messages`, `/v1/chat/completions`).
    Chat,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Chat];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Chat => "chat",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes, stored as words separated by spaces (`read chat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    pub fn all() -> Self {
        Scopes::from_iter(Scope::ALL)
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Scopes named by words; the first unknown word is the error.
    pub fn parse<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut scopes = Scopes::default();
        for word in words {
            let scope = Scope::parse(word.trim()).ok_or_else(|| word.trim().to_string())?;
            scopes.0 |= scope.bit();
        }
        Ok(scopes)
    }

    /// As stored: read from the database, where only this module wrote.
    pub fn from_stored(text: &str) -> Self {
        Scopes::parse(text.split_whitespace()).unwrap_or_default()
    }

    pub fn names(self) -> Vec<&'static str> {
        Scope::ALL
            .into_iter()
            .filter(|s| self.contains(*s))
            .map(Scope::as_str)
            .collect()
    }

    pub fn to_stored(self) -> String {
        self.names().join(" ")
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Scopes(iter.into_iter().fold(0, |bits, s| bits | s.bit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_recognisable() {
        let (a, b) = (new_key(), new_key());
        assert_ne!(a, b);
        assert!(a.starts_with(KEY_PREFIX) && a.len() == KEY_PREFIX.len() + 43);
        assert_eq!(shown_part(&a).len(), 12);
        assert!(a.starts_with(&shown_part(&a)));
        assert_ne!(hash(&a), hash(&b));
        assert!(!new_refresh_token().starts_with(KEY_PREFIX));
    }

    #[test]
    fn scopes_round_trip_and_refuse_unknown_words() {
        let scopes = Scopes::parse(["chat", "read"]).unwrap();
        assert!(scopes.contains(Scope::Read) && scopes.contains(Scope::Chat));
        assert!(!scopes.contains(Scope::Write));
        assert_eq!(scopes.to_stored(), "read chat");
        assert_eq!(Scopes::from_stored("read chat"), scopes);
        assert_eq!(Scopes::parse(["read", "admin"]), Err("admin".to_string()));
        assert_eq!(Scopes::all().names(), vec!["read", "write", "chat"]);
    }
}
