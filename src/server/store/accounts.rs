//! Accounts in the store: users, their signed-in browsers, the move of a guest's history to a user, daily usage,
//! and redeemed proof-of-work challenges. The statements are in `accounts_sql.rs`, shared by both databases.

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreResult;

/// A user's role: admins manage the site and are not limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserRole {
    User,
    Admin,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::User => "user",
            UserRole::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "user" => Some(UserRole::User),
            "admin" => Some(UserRole::Admin),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: UserRole,
    pub created_at_ms: i64,
    pub last_login_at_ms: Option<i64>,
    /// When an admin disabled the account; a disabled user cannot sign in.
    pub disabled_at_ms: Option<i64>,
}

/// A user to create. Username and email as typed; the store keeps their lower-case keys for uniqueness.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: UserRole,
}

/// A signed-in browser, for the Settings list.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    pub id: Uuid,
    pub user_agent: String,
    /// Signed in through the API (`POST /api/v1/auth/login`) rather than a browser.
    pub api: bool,
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
}

/// What a valid session cookie resolves to: the session and its user.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionUser {
    pub session_id: Uuid,
    pub last_seen_at_ms: i64,
    pub user_id: Uuid,
    pub username: String,
    pub role: UserRole,
    /// The interface language they chose (`en`, `vi`), if they have.
    pub language: Option<String>,
    /// The user's saved tax profile, read in the same query (a new conversation's turn needs no read of its own).
    pub tax_profile: Option<crate::model::tax::TaxProfile>,
}

/// A new session's token hash and lifetime.
#[derive(Clone, Debug)]
pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub token_hash: &'a [u8],
    pub user_agent: &'a str,
    pub ttl_ms: i64,
}

/// What a move of a guest's history to a user carried over (nothing when the guest was already moved).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestMove {
    pub conversations: u64,
    pub tax_profile: bool,
}

/// One owner's usage of one model on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageRecord {
    pub questions: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Estimated cost in millionths of a US dollar.
    pub cost_micros: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageDay {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub model_key: String,
    pub usage: UsageRecord,
}

/// Which unique rule a new user or a new email broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    Username,
    Email,
}

/// The unique rule a failed insert or update of `users` broke, if that is why it failed.
pub fn taken(error: &sqlx::Error) -> Option<Taken> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    // SQLite names the column ("users.username_key"), PostgreSQL the constraint ("users_username_key_key").
    let said = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
    if said.contains("username_key") {
        Some(Taken::Username)
    } else if said.contains("email_key") {
        Some(Taken::Email)
    } else {
        None
    }
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a user; a taken username or email fails with a unique violation (see [`taken`]).
    async fn create_user(&self, user: NewUser) -> StoreResult<UserRow>;
    async fn find_user(&self, id: Uuid) -> StoreResult<Option<UserRow>>;
    /// The user whose username or email is `login`, whatever its case.
    async fn find_user_by_login(&self, login: &str) -> StoreResult<Option<UserRow>>;
    async fn set_email(&self, user_id: Uuid, email: &str) -> StoreResult<bool>;
    async fn set_password_hash(&self, user_id: Uuid, password_hash: &str) -> StoreResult<bool>;
    /// Remembers the interface language a user chose (`en`, `vi`); false if there is no such user.
    async fn set_language(&self, user_id: Uuid, language: &str) -> StoreResult<bool>;
    /// Deletes the user and every row they own (conversations, messages, sessions, tax profile, usage, the guest
    /// sessions moved to them) in one transaction; false if there was no such user.
    async fn delete_user(&self, user_id: Uuid) -> StoreResult<bool>;

    /// Stores a new session (its token's hash only) and the user's sign-in time; returns the session id.
    async fn create_session(&self, session: NewSession<'_>) -> StoreResult<Uuid>;
    /// The live session (not revoked, not expired) of a cookie token hash, with its user.
    async fn find_session(&self, token_hash: &[u8]) -> StoreResult<Option<SessionUser>>;
    /// Slides a session's expiry: seen now, valid for `ttl_ms` more.
    async fn touch_session(&self, session_id: Uuid, ttl_ms: i64) -> StoreResult<()>;
    /// The user's live sessions, most recently seen first.
    async fn list_sessions(&self, user_id: Uuid) -> StoreResult<Vec<SessionRow>>;
    /// Revokes one of the user's sessions; false if it is not theirs or already ended.
    async fn revoke_session(&self, user_id: Uuid, session_id: Uuid) -> StoreResult<bool>;
    /// Revokes every live session of the user except `keep`; returns how many.
    async fn revoke_other_sessions(&self, user_id: Uuid, keep: Option<Uuid>) -> StoreResult<u64>;

    /// Moves every conversation of the guest whose cookie token hash this is to the user (and its tax profile and
    /// usage, when the user has none of their own), and closes the guest, in one transaction. A guest already
    /// moved (a second tab signing in at the same time) moves nothing.
    async fn move_guest_to_user(&self, token_hash: &[u8], user_id: Uuid) -> StoreResult<GuestMove>;

    /// Adds to an owner's usage of a model on a day.
    async fn add_usage(
        &self,
        owner_id: Uuid,
        day: &str,
        model_key: &str,
        usage: &UsageRecord,
    ) -> StoreResult<()>;
    /// An owner's usage on `day` across models (the daily quotas start from it after a restart).
    async fn usage_on(&self, owner_id: Uuid, day: &str) -> StoreResult<UsageRecord>;
    /// [`usage_on`](Self::usage_on) for the guest whose cookie token hash this is (before the guest is looked up).
    async fn guest_usage_on(&self, token_hash: &[u8], day: &str) -> StoreResult<UsageRecord>;
    /// An owner's usage per day and model since `first_day`, newest first.
    async fn usage_since(&self, owner_id: Uuid, first_day: &str) -> StoreResult<Vec<UsageDay>>;

    /// Records a proof-of-work challenge as used until `expires_at_ms`; false if it already was (a replay).
    async fn redeem_challenge(&self, signature: &str, expires_at_ms: i64) -> StoreResult<bool>;
}
