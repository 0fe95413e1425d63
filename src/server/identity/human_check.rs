//! The check that a sign-up (or a sign-in after failures) comes from a person's browser, not a script: a
//! self-hosted proof of work in the manner of ALTCHA, with no third-party service. The server picks a secret
//! number up to `max_number` and sends `challenge = SHA-256(salt + number)` with an HMAC signature of it; the
//! browser (`public/human-check.js`) tries numbers until one hashes to the challenge, about a second of work.
//! Verification is stateless (the signature proves the challenge is ours, the salt carries its expiry) except
//! for replays: a redeemed signature is remembered until the challenge would have expired.
//!
//! [`HumanCheck`] is the seam where Turnstile or hCaptcha could be plugged in instead.

use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::server::{
    error::AppError,
    store::{now_ms, Store},
};

/// How long a challenge may be solved and redeemed.
const CHALLENGE_TTL_MS: i64 = 10 * 60 * 1000;

/// What the browser gets to solve.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Challenge {
    pub algorithm: String,
    pub challenge: String,
    pub maxnumber: u64,
    pub salt: String,
    pub signature: String,
}

/// What the browser sends back (base64 of this JSON, in the form field `human_check`).
#[derive(Clone, Debug, Deserialize)]
struct Solution {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

#[async_trait]
pub trait HumanCheck: Send + Sync {
    fn challenge(&self) -> Challenge;
    /// Accepts a solution once; a missing, wrong, expired or replayed one is refused with the reason.
    async fn verify(&self, solution: &str, store: &dyn Store) -> Result<(), AppError>;
}

pub struct ProofOfWork {
    key: Vec<u8>,
    /// The secret number is drawn from 0..=max_number: the work grows with it (`HUMAN_CHECK_MAX_NUMBER`).
    max_number: u64,
}

impl ProofOfWork {
    pub fn new(secret: &[u8], max_number: u64) -> Self {
        // A key of its own, derived from the site secret, so a signature here is worth nothing elsewhere.
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"tally human check");
        ProofOfWork {
            key: mac.finalize().into_bytes().to_vec(),
            max_number: max_number.max(1),
        }
    }

    fn sign(&self, challenge: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(challenge.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    fn challenge_at(&self, now_ms: i64, number: u64) -> Challenge {
        let nonce: [u8; 12] = rand::random();
        let salt = format!(
            "{}?expires={}",
            hex(&nonce),
            (now_ms + CHALLENGE_TTL_MS) / 1000
        );
        let challenge = hex(&Sha256::digest(format!("{salt}{number}")));
        Challenge {
            algorithm: "SHA-256".into(),
            signature: self.sign(&challenge),
            challenge,
            maxnumber: self.max_number,
            salt,
        }
    }

    /// Checks a solution without the replay table; the expiry (ms) on success.
    fn check(&self, solution: &str, now_ms: i64) -> Result<(String, i64), AppError> {
        let solution = solution.trim();
        if solution.is_empty() {
            return Err(AppError::HumanCheckFailed("the check did not finish"));
        }
        let json = STANDARD
            .decode(solution)
            .map_err(|_| AppError::HumanCheckFailed("the answer is malformed"))?;
        let solution: Solution = serde_json::from_slice(&json)
            .map_err(|_| AppError::HumanCheckFailed("the answer is malformed"))?;
        if solution.algorithm != "SHA-256" {
            return Err(AppError::HumanCheckFailed("unknown algorithm"));
        }
        let signature = self.sign(&solution.challenge);
        // Compared as MACs, in constant time.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(solution.challenge.as_bytes());
        let given = decode_hex(&solution.signature)
            .ok_or(AppError::HumanCheckFailed("the signature is malformed"))?;
        mac.verify_slice(&given)
            .map_err(|_| AppError::HumanCheckFailed("the challenge is not ours"))?;
        let expires_ms = solution
            .salt
            .split_once("?expires=")
            .and_then(|(_, at)| at.parse::<i64>().ok())
            .ok_or(AppError::HumanCheckFailed("the challenge has no expiry"))?
            * 1000;
        if expires_ms < now_ms {
            return Err(AppError::HumanCheckFailed("the challenge expired"));
        }
        let hashed = hex(&Sha256::digest(format!(
            "{}{}",
            solution.salt, solution.number
        )));
        if hashed != solution.challenge {
            return Err(AppError::HumanCheckFailed("the answer is wrong"));
        }
        Ok((signature, expires_ms))
    }
}

#[async_trait]
impl HumanCheck for ProofOfWork {
    fn challenge(&self) -> Challenge {
        let number = rand::random::<u64>() % (self.max_number + 1);
        self.challenge_at(now_ms(), number)
    }

    async fn verify(&self, solution: &str, store: &dyn Store) -> Result<(), AppError> {
        let (signature, expires_ms) = self.check(solution, now_ms())?;
        if !store.redeem_challenge(&signature, expires_ms).await? {
            return Err(AppError::HumanCheckFailed("this check was already used"));
        }
        Ok(())
    }
}

/// Lower-case hex, as the challenge and its signature travel (and the counters' keys are written).
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Solves a challenge the way the browser does (tests, and the load bench's sign-ups).
pub fn solve(challenge: &Challenge) -> Option<String> {
    let number = (0..=challenge.maxnumber)
        .find(|n| hex(&Sha256::digest(format!("{}{n}", challenge.salt))) == challenge.challenge)?;
    let json = serde_json::json!({
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "number": number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    });
    Some(STANDARD.encode(json.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pow() -> ProofOfWork {
        ProofOfWork::new(b"test secret", 500)
    }

    #[test]
    fn a_solved_challenge_checks_and_a_forged_one_does_not() {
        let pow = pow();
        let challenge = pow.challenge();
        let solution = solve(&challenge).unwrap();
        assert!(pow.check(&solution, now_ms()).is_ok());
        // Another server's signature.
        let other = ProofOfWork::new(b"other secret", 500);
        assert!(other.check(&solution, now_ms()).is_err());
        // A wrong number.
        let mut wrong = challenge.clone();
        wrong.challenge = hex(&Sha256::digest(format!("{}{}", challenge.salt, 9999)));
        wrong.signature = pow.sign(&wrong.challenge);
        let json: serde_json::Value =
            serde_json::from_slice(&STANDARD.decode(&solution).unwrap()).unwrap();
        let forged = serde_json::json!({
            "algorithm": "SHA-256", "challenge": wrong.challenge, "number": json["number"],
            "salt": challenge.salt, "signature": wrong.signature,
        });
        assert!(matches!(
            pow.check(&STANDARD.encode(forged.to_string()), now_ms()),
            Err(AppError::HumanCheckFailed("the answer is wrong"))
        ));
        assert!(pow.check("", now_ms()).is_err());
        assert!(pow.check("not base64!", now_ms()).is_err());
    }

    #[test]
    fn an_expired_challenge_is_refused() {
        let pow = pow();
        let old = pow.challenge_at(now_ms() - 2 * CHALLENGE_TTL_MS, 3);
        let solution = solve(&old).unwrap();
        assert!(matches!(
            pow.check(&solution, now_ms()),
            Err(AppError::HumanCheckFailed("the challenge expired"))
        ));
    }
}
