//! The public API's credentials in the store: API sessions (a `user_sessions` row of kind `api`) with their
//! rotating refresh tokens, and personal API keys. Only hashes of tokens and keys are stored. The statements are
//! in `api_access_sql.rs`, shared by both databases.

use async_trait::async_trait;
use uuid::Uuid;

use super::{accounts::SessionUser, StoreResult};

/// A new API session and its first refresh token.
#[derive(Clone, Debug)]
pub struct NewApiSession<'a> {
    pub user_id: Uuid,
    pub refresh_hash: &'a [u8],
    pub user_agent: &'a str,
    pub ttl_ms: i64,
}

/// What presenting a refresh token did.
#[derive(Clone, Debug, PartialEq)]
pub enum Rotation {
    /// The token was current: it is used up, `next` replaced it, and the session lives `ttl_ms` longer.
    Rotated(SessionUser),
    /// The token had been exchanged before: someone holds a copy, so its whole session is now revoked.
    Reused { session_id: Uuid, user_id: Uuid },
    /// No such token, or its session has ended (revoked, expired, or the user disabled).
    Unknown,
}

/// A personal API key as its owner sees it in lists (never the key itself).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    /// The key's first characters (`tly_AbCd1234`).
    pub prefix: String,
    /// Space-separated scopes (`read write chat`).
    pub scopes: String,
    /// Whether `/v1/chat/completions` keeps its answers as conversations.
    pub record: bool,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
}

/// A key to store: its hash and what its owner chose.
#[derive(Clone, Debug)]
pub struct NewApiKey<'a> {
    pub user_id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a [u8],
    pub scopes: &'a str,
    pub record: bool,
}

/// A live key presented with a request, and the user it acts for.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyUser {
    pub key: ApiKeyRow,
    pub user: SessionUser,
}

#[async_trait]
pub trait ApiAccessStore: Send + Sync {
    /// Starts an API session with its first refresh token; returns the session id.
    async fn create_api_session(&self, session: NewApiSession<'_>) -> StoreResult<Uuid>;
    /// Exchanges the refresh token `used` for `next` in one transaction (see [`Rotation`]). Two requests racing
    /// with the same token: one rotates, the other finds it used and revokes the session.
    async fn rotate_refresh_token(
        &self,
        used: &[u8],
        next: &[u8],
        ttl_ms: i64,
    ) -> StoreResult<Rotation>;
    /// The live API session (not revoked, not expired, its user not disabled) with its user.
    async fn find_api_session(&self, session_id: Uuid) -> StoreResult<Option<SessionUser>>;
    /// The API session a refresh token belongs to, if it is the user's and live (signing out with it).
    async fn api_session_of_refresh(&self, refresh_hash: &[u8]) -> StoreResult<Option<Uuid>>;

    async fn create_api_key(&self, key: NewApiKey<'_>) -> StoreResult<ApiKeyRow>;
    /// The user's live keys, newest first.
    async fn list_api_keys(&self, user_id: Uuid) -> StoreResult<Vec<ApiKeyRow>>;
    /// Revokes one of the user's keys for good; false if it is not theirs or already revoked.
    async fn revoke_api_key(&self, user_id: Uuid, key_id: Uuid) -> StoreResult<bool>;
    /// The live key with this hash and its user (not disabled).
    async fn find_api_key(&self, key_hash: &[u8]) -> StoreResult<Option<ApiKeyUser>>;
    /// Records that a key was just used.
    async fn touch_api_key(&self, key_id: Uuid) -> StoreResult<()>;
}
