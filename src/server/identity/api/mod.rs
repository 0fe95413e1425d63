//! How the public API knows who is calling: a bearer access token of an API session, or a personal API key.
//! Signing in through the API starts a session like a browser's (listed in Settings, ended by "Sign out", a
//! password change or an admin's disable) that hands out a 30-minute access token and a refresh token; each
//! refresh token is used once, and showing a used one again ends the session (someone holds a copy).

pub mod jwt;
pub mod keys;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use uuid::Uuid;

use self::{
    jwt::{AccessTokens, TokenSubject},
    keys::{Scopes, KEY_PREFIX},
};
use super::{
    accounts::FormRejection,
    caller::{Access, SignedIn},
    session::SESSION_TTL_MS,
};
use crate::i18n::{fill, Lang};
use crate::model::FieldError;
use crate::server::{
    error::AppError,
    store::{
        accounts::{SessionUser, UserRole, UserRow},
        api_access::{ApiKeyRow, NewApiKey, NewApiSession, Rotation},
        now_ms, Store,
    },
};

/// How long a session found live is trusted without asking the database again: a revocation made on another
/// replica (or by a password change) reaches this one's access tokens within this time.
const RECHECK_AFTER_MS: i64 = 60_000;
/// A key's last use is written at most this often.
const KEY_TOUCH_AFTER_MS: i64 = 60_000;

/// What signing in or refreshing hands the client.
#[derive(Clone, Debug)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token is good for.
    pub expires_in: i64,
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub role: UserRole,
}

/// API sessions found live recently, so most requests check their access token without a database read.
#[derive(Default)]
struct LiveSessions {
    checked: Mutex<HashMap<Uuid, (SessionUser, i64)>>,
}

impl LiveSessions {
    fn get(&self, session_id: Uuid) -> Option<SessionUser> {
        let checked = self.checked.lock().expect("live sessions lock");
        let (user, at) = checked.get(&session_id)?;
        (now_ms() - at < RECHECK_AFTER_MS).then(|| user.clone())
    }

    fn remember(&self, user: SessionUser) {
        let mut checked = self.checked.lock().expect("live sessions lock");
        let now = now_ms();
        // Entries past their recheck are useless: drop them while here, so the map stays as small as the set of
        // sessions used in the last minute.
        if checked.len() > 1024 {
            checked.retain(|_, (_, at)| now - *at < RECHECK_AFTER_MS);
        }
        checked.insert(user.session_id, (user, now));
    }

    fn forget(&self, session_id: Uuid) {
        self.checked
            .lock()
            .expect("live sessions lock")
            .remove(&session_id);
    }

    fn forget_user(&self, user_id: Uuid) {
        self.checked
            .lock()
            .expect("live sessions lock")
            .retain(|_, (user, _)| user.user_id != user_id);
    }
}

/// API sessions, their tokens and API keys.
pub struct ApiAccess {
    store: Arc<dyn Store>,
    tokens: AccessTokens,
    live: LiveSessions,
}

impl ApiAccess {
    pub fn new(store: Arc<dyn Store>, server_secret: &[u8], access_ttl_secs: i64) -> Self {
        ApiAccess {
            store,
            tokens: AccessTokens::new(server_secret, access_ttl_secs),
            live: LiveSessions::default(),
        }
    }

    /// A new API session for a user whose password was just checked.
    pub async fn start_session(
        &self,
        user: &UserRow,
        user_agent: &str,
    ) -> Result<IssuedTokens, AppError> {
        let refresh_token = keys::new_refresh_token();
        let user_agent: String = user_agent.chars().take(400).collect();
        let session_id = self
            .store
            .create_api_session(NewApiSession {
                user_id: user.id,
                refresh_hash: &keys::hash(&refresh_token),
                user_agent: &user_agent,
                ttl_ms: SESSION_TTL_MS,
            })
            .await?;
        tracing::info!(user_id = %user.id, %session_id, "API session started");
        self.issued(
            session_id,
            (user.id, user.username.clone(), user.role),
            refresh_token,
        )
    }

    fn issued(
        &self,
        session_id: Uuid,
        (user_id, username, role): (Uuid, String, UserRole),
        refresh_token: String,
    ) -> Result<IssuedTokens, AppError> {
        Ok(IssuedTokens {
            access_token: self.tokens.issue(TokenSubject {
                user_id,
                session_id,
            })?,
            refresh_token,
            expires_in: self.tokens.ttl_secs(),
            session_id,
            user_id,
            username,
            role,
        })
    }

    /// Exchanges a refresh token for a new pair. A used one shown again revokes its session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedTokens, AppError> {
        let next = keys::new_refresh_token();
        match self
            .store
            .rotate_refresh_token(
                &keys::hash(refresh_token),
                &keys::hash(&next),
                SESSION_TTL_MS,
            )
            .await?
        {
            Rotation::Rotated(user) => {
                let session_id = user.session_id;
                let who = (user.user_id, user.username.clone(), user.role);
                self.live.remember(user);
                self.issued(session_id, who, next)
            }
            Rotation::Reused {
                session_id,
                user_id,
            } => {
                tracing::warn!(%user_id, %session_id, "a used refresh token was shown again: session revoked");
                self.live.forget(session_id);
                Err(AppError::RefreshTokenReused)
            }
            Rotation::Unknown => Err(AppError::InvalidRefreshToken),
        }
    }

    /// Ends the caller's API session (an access token's), or the session a refresh token belongs to.
    pub async fn sign_out(
        &self,
        user: &SignedIn,
        refresh_token: Option<&str>,
    ) -> Result<(), AppError> {
        let session_id = match (&user.access, refresh_token) {
            (_, Some(token)) => self
                .store
                .api_session_of_refresh(&keys::hash(token))
                .await?
                .ok_or(AppError::InvalidRefreshToken)?,
            (Access::Token, None) => user.session_id,
            (_, None) => return Err(AppError::InvalidRefreshToken),
        };
        // Scoped by the user: a refresh token of someone else's session ends nothing.
        if !self.store.revoke_session(user.user_id, session_id).await? {
            return Err(AppError::InvalidRefreshToken);
        }
        self.live.forget(session_id);
        Ok(())
    }

    /// After a password change, a disable or a deletion: no access token of the user outlives its next request here.
    pub fn forget_user(&self, user_id: Uuid) {
        self.live.forget_user(user_id);
    }

    /// The user behind an `Authorization: Bearer` credential: an API key (`tly_...`) or an access token.
    pub async fn caller_of(&self, bearer: &str) -> Result<SignedIn, AppError> {
        if bearer.starts_with(KEY_PREFIX) {
            return self.key_user(bearer).await;
        }
        let subject = self.tokens.check(bearer)?;
        let user = match self.live.get(subject.session_id) {
            Some(user) => user,
            None => {
                let user = self
                    .store
                    .find_api_session(subject.session_id)
                    .await?
                    .filter(|user| user.user_id == subject.user_id)
                    .ok_or(AppError::InvalidToken)?;
                self.live.remember(user.clone());
                user
            }
        };
        Ok(signed_in(user, Access::Token, None))
    }

    async fn key_user(&self, key: &str) -> Result<SignedIn, AppError> {
        let found = self
            .store
            .find_api_key(&keys::hash(key))
            .await?
            .ok_or(AppError::InvalidToken)?;
        let last_use = found.key.last_used_at_ms.unwrap_or(0);
        if now_ms() - last_use > KEY_TOUCH_AFTER_MS {
            self.store.touch_api_key(found.key.id).await?;
        }
        let access = Access::Key {
            scopes: Scopes::from_stored(&found.key.scopes),
            record: found.key.record,
        };
        let profile = found.user.tax_profile.clone();
        Ok(signed_in(found.user, access, Some(profile)))
    }
}

/// How many live keys one user may have: plenty for scripts and tools, few enough to stay reviewable.
pub const MAX_KEYS_PER_USER: usize = 25;
/// The longest key name.
pub const MAX_KEY_NAME_CHARS: usize = 60;

/// A key to make, as its owner asked for it.
#[derive(Clone, Debug)]
pub struct KeyRequest {
    pub name: String,
    /// Scope words (`read`, `write`, `chat`); `None` means all three.
    pub scopes: Option<Vec<String>>,
    /// Keep `/v1/chat/completions` answers as conversations.
    pub record: bool,
}

/// A key just made: the row to list, and the key itself, shown this once.
pub struct MadeKey {
    pub row: ApiKeyRow,
    pub key: String,
}

impl ApiAccess {
    /// Makes a personal API key. Only a password may (a browser session or an access token): a key cannot make
    /// keys, so a leaked one cannot entrench itself.
    pub async fn create_key(
        &self,
        user: &SignedIn,
        request: KeyRequest,
        lang: Lang,
    ) -> Result<MadeKey, FormRejection> {
        if matches!(user.access, Access::Key { .. }) {
            return Err(AppError::KeyCannotManageKeys.into());
        }
        let t = &lang.texts().identity;
        let name = request.name.trim().to_string();
        let mut errors = Vec::new();
        let name_chars = name.chars().count();
        if name_chars == 0 {
            errors.push(field("name", t.key_name_missing));
        } else if name_chars > MAX_KEY_NAME_CHARS {
            errors.push(field(
                "name",
                &fill(
                    t.key_name_too_long,
                    &[("max", &MAX_KEY_NAME_CHARS.to_string())],
                ),
            ));
        } else if name.chars().any(char::is_control) {
            errors.push(field("name", t.key_name_control));
        }
        let scopes = match request
            .scopes
            .as_deref()
            .map(|words| Scopes::parse(words.iter().map(String::as_str)))
        {
            None => Ok(Scopes::all()),
            Some(parsed) => parsed,
        };
        let scopes = match scopes {
            Ok(scopes) if scopes.is_empty() => {
                errors.push(field("scopes", t.key_scopes_empty));
                scopes
            }
            Ok(scopes) => scopes,
            Err(unknown) => {
                let unknown: String = unknown.chars().take(20).collect();
                errors.push(field(
                    "scopes",
                    &fill(t.key_scope_unknown, &[("scope", &unknown)]),
                ));
                Scopes::default()
            }
        };
        if !errors.is_empty() {
            return Err(FormRejection::Fields {
                errors,
                needs_human_check: false,
            });
        }
        if self.store.list_api_keys(user.user_id).await?.len() >= MAX_KEYS_PER_USER {
            return Err(FormRejection::Fields {
                errors: vec![field(
                    "name",
                    &fill(t.too_many_keys, &[("max", &MAX_KEYS_PER_USER.to_string())]),
                )],
                needs_human_check: false,
            });
        }
        let key = keys::new_key();
        let row = self
            .store
            .create_api_key(NewApiKey {
                user_id: user.user_id,
                name: &name,
                prefix: &keys::shown_part(&key),
                key_hash: &keys::hash(&key),
                scopes: &scopes.to_stored(),
                record: request.record,
            })
            .await?;
        tracing::info!(user_id = %user.user_id, key_id = %row.id, scopes = %row.scopes, "API key created");
        Ok(MadeKey { row, key })
    }

    pub async fn list_keys(&self, user: &SignedIn) -> Result<Vec<ApiKeyRow>, AppError> {
        Ok(self.store.list_api_keys(user.user_id).await?)
    }

    /// Revokes one of the user's keys; `NotFound` when it is not theirs or already revoked.
    pub async fn revoke_key(&self, user: &SignedIn, key_id: &str) -> Result<(), AppError> {
        if matches!(user.access, Access::Key { .. }) {
            return Err(AppError::KeyCannotManageKeys);
        }
        let id = Uuid::parse_str(key_id).map_err(|_| AppError::NotFound)?;
        if !self.store.revoke_api_key(user.user_id, id).await? {
            return Err(AppError::NotFound);
        }
        tracing::info!(user_id = %user.user_id, key_id = %id, "API key revoked");
        Ok(())
    }
}

/// A key as lists show it.
pub fn key_info(row: &ApiKeyRow) -> crate::model::account::ApiKeyInfo {
    crate::model::account::ApiKeyInfo {
        id: row.id.to_string(),
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        scopes: Scopes::from_stored(&row.scopes)
            .names()
            .into_iter()
            .map(String::from)
            .collect(),
        record: row.record,
        created_at_ms: row.created_at_ms,
        last_used_at_ms: row.last_used_at_ms,
    }
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.into(),
        message: message.into(),
    }
}

fn signed_in(
    user: SessionUser,
    access: Access,
    tax_profile: Option<Option<crate::model::tax::TaxProfile>>,
) -> SignedIn {
    SignedIn {
        user_id: user.user_id,
        username: user.username,
        role: user.role,
        session_id: user.session_id,
        access,
        language: user.language.as_deref().and_then(crate::i18n::Lang::parse),
        tax_profile,
    }
}
