//! Passwords: the rules a new one must meet, and argon2id hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane)
//! on the blocking pool, a few at a time, so sign-ins neither stall the async runtime nor exhaust memory.

use std::sync::Arc;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::{
    i18n::{fill, Lang},
    server::error::AppError,
};

pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longer passwords only cost hashing time; nobody types more.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The 10,000 most common passwords (lower case, most common first), from the zxcvbn project's frequency lists
/// (MIT licence), which were compiled from leaked password sets.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Every rule a new password breaks, each as its own sentence for the message next to the field.
pub fn password_problems(lang: Lang, password: &str) -> Vec<String> {
    let t = &lang.texts().identity;
    // Nothing typed breaks every rule; one sentence says it (the hint beside the field lists the rules).
    if password.is_empty() {
        return vec![t.choose_password.into()];
    }
    let mut problems = Vec::new();
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        problems.push(fill(
            t.password_too_short,
            &[("min", &MIN_PASSWORD_CHARS.to_string())],
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        problems.push(fill(
            t.password_too_long,
            &[("max", &MAX_PASSWORD_CHARS.to_string())],
        ));
    }
    if !password.chars().any(char::is_uppercase) {
        problems.push(t.password_needs_upper.into());
    }
    if !password.chars().any(char::is_lowercase) {
        problems.push(t.password_needs_lower.into());
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push(t.password_needs_digit.into());
    }
    if is_common(password) {
        problems.push(t.password_common.into());
    }
    problems
}

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|common| common == lower)
}

/// Hashes and verifies passwords off the async runtime.
#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    /// A hash of a password nobody has: an unknown user is checked against it, so the answer takes as long as for
    /// a known user with a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHashing {
    /// `at_once` hashes run in parallel (each takes 19 MiB for about 30 ms); more wait their turn.
    pub fn new(at_once: usize) -> Self {
        let dummy: [u8; 24] = rand::random();
        let dummy_hash = hash_now(&String::from_utf8_lossy(&dummy))
            .expect("argon2 hashes with its default parameters");
        PasswordHashing {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            dummy_hash: dummy_hash.into(),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.blocking(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `hash`; with `None` (no such user) it checks against the dummy hash and
    /// answers false, in the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let matches = self
            .blocking(move || {
                Argon2::default()
                    .verify_password(password.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(known && matches)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal("password hashing closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    }
}

fn hash_now(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_broken_rule_is_named() {
        assert_eq!(
            password_problems(Lang::En, "Tr0ub4dor&3x"),
            Vec::<String>::new()
        );
        let problems = password_problems(Lang::En, "abc");
        assert!(problems.iter().any(|p| p.contains("at least 8")));
        assert!(problems.iter().any(|p| p.contains("upper-case")));
        assert!(problems.iter().any(|p| p.contains("digit")));
        assert!(!problems.iter().any(|p| p.contains("lower-case")));
        assert_eq!(password_problems(Lang::En, ""), ["Choose a password."]);
        // Meets the character rules, but everybody uses it.
        assert_eq!(
            password_problems(Lang::En, "Password1"),
            vec!["This password is one of the most common ones; choose another.".to_string()]
        );
    }

    #[test]
    fn the_common_list_holds_ten_thousand_passwords() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        assert!(is_common("QWERTY123"));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hashing = PasswordHashing::new(2);
        let hash = hashing.hash("Correct-Horse-9").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hashing
            .verify("Correct-Horse-9", Some(&hash))
            .await
            .unwrap());
        assert!(!hashing
            .verify("correct-horse-9", Some(&hash))
            .await
            .unwrap());
        assert!(!hashing.verify("Correct-Horse-9", None).await.unwrap());
    }
}
