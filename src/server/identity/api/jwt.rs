//! Access tokens of API sessions: JWTs (HS256, with jsonwebtoken) that name the user and the session, valid 30
//! minutes. Checking one needs no database: the signature and the expiry say it is genuine and current; only
//! whether its session was revoked since is looked up (see [`super::LiveSessions`]).

use hmac::{Hmac, Mac};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::server::{error::AppError, store::now_ms};

/// How long an access token is good for unless `ACCESS_TOKEN_TTL_SECS` says otherwise.
pub const ACCESS_TTL_SECS: i64 = 30 * 60;
const ISSUER: &str = "tally";
const AUDIENCE: &str = "tally-api";

/// What an access token says.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user's id.
    sub: String,
    /// The API session's id: revoking it ends every access token it issued.
    sid: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Whose a genuine, unexpired access token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

/// Signs and checks access tokens with a key of their own, derived from the server's secret (so replicas that
/// share `SESSION_SECRET` accept each other's tokens, and no other use of the secret can forge one).
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl AccessTokens {
    pub fn new(server_secret: &[u8], ttl_secs: i64) -> Self {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(server_secret).expect("HMAC takes keys of any length");
        mac.update(b"tally api access tokens v1");
        let key = mac.finalize().into_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        // Our own clock signs and checks: no skew to allow for.
        validation.leeway = 0;
        AccessTokens {
            encoding: EncodingKey::from_secret(&key).expect("an HMAC key is any bytes"),
            decoding: DecodingKey::from_secret(&key).expect("an HMAC key is any bytes"),
            validation,
            ttl_secs,
        }
    }

    /// Seconds a new token is good for.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// A new access token for the session.
    pub fn issue(&self, subject: TokenSubject) -> Result<String, AppError> {
        let now = now_ms() / 1000;
        let claims = Claims {
            sub: subject.user_id.to_string(),
            sid: subject.session_id.to_string(),
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(format!("signing an access token: {e}")))
    }

    /// Whose the token is, if it is genuine and current.
    pub fn check(&self, token: &str) -> Result<TokenSubject, AppError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => AppError::TokenExpired,
                _ => AppError::InvalidToken,
            })?;
        let parse = |text: &str| Uuid::parse_str(text).map_err(|_| AppError::InvalidToken);
        Ok(TokenSubject {
            user_id: parse(&data.claims.sub)?,
            session_id: parse(&data.claims.sid)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> TokenSubject {
        TokenSubject {
            user_id: Uuid::now_v7(),
            session_id: Uuid::now_v7(),
        }
    }

    #[test]
    fn a_token_names_its_user_and_session() {
        let tokens = AccessTokens::new(b"a server secret of some length", ACCESS_TTL_SECS);
        let who = subject();
        let token = tokens.issue(who).unwrap();
        assert_eq!(tokens.check(&token).unwrap(), who);
    }

    #[test]
    fn another_servers_token_or_a_changed_one_is_refused() {
        let ours = AccessTokens::new(b"our secret", ACCESS_TTL_SECS);
        let theirs = AccessTokens::new(b"their secret", ACCESS_TTL_SECS);
        let token = theirs.issue(subject()).unwrap();
        assert!(matches!(ours.check(&token), Err(AppError::InvalidToken)));
        let mine = ours.issue(subject()).unwrap();
        let mut forged = mine.clone().into_bytes();
        let at = forged.len() / 2;
        forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
        assert!(ours.check(std::str::from_utf8(&forged).unwrap()).is_err());
        assert!(matches!(
            ours.check("not.a.jwt"),
            Err(AppError::InvalidToken)
        ));
    }

    #[test]
    fn an_expired_token_says_so() {
        let tokens = AccessTokens::new(b"secret", ACCESS_TTL_SECS);
        let now = now_ms() / 1000;
        let claims = Claims {
            sub: Uuid::now_v7().to_string(),
            sid: Uuid::now_v7().to_string(),
            iat: now - ACCESS_TTL_SECS - 5,
            exp: now - 5,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &tokens.encoding)
            .unwrap();
        assert!(matches!(tokens.check(&token), Err(AppError::TokenExpired)));
    }

    #[test]
    fn a_token_signed_with_none_is_refused() {
        let tokens = AccessTokens::new(b"secret", ACCESS_TTL_SECS);
        // {"alg":"none"} with valid-looking claims and no signature.
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        let token = format!("{header}.e30.");
        assert!(matches!(tokens.check(&token), Err(AppError::InvalidToken)));
    }
}
