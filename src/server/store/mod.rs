//! Persistence of guests, conversations and messages behind one object-safe trait, so callers never see which
//! database is underneath. SQLite is the default; a PostgreSQL implementation plugs in beside it.
//!
//! Every read and write that touches a conversation takes the [`Owner`] and is scoped by it: another owner's id
//! behaves exactly like an id that does not exist.

pub mod accounts;
mod accounts_sql;
pub mod admin;
mod admin_sql;
pub mod api_access;
mod api_access_sql;
pub mod branches;
mod branches_sql;
pub mod imports;
mod imports_sql;
mod postgres;
mod records;
mod rows;
pub mod shares;
mod shares_sql;
mod sql;
mod sqlite;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use uuid::Uuid;

pub use accounts::AccountStore;
pub use admin::AdminStore;
pub use api_access::ApiAccessStore;
pub use branches::BranchStore;
pub use imports::ImportStore;
pub use postgres::PgStore;
pub use records::*;
pub use shares::ShareStore;
pub use sqlite::SqliteStore;

pub use crate::model::one_line;
use crate::model::tax::TaxProfile;

pub type StoreResult<T> = Result<T, sqlx::Error>;

/// Connection pool and timeout settings, the same for both databases (`DATABASE_*` in `.env.example`).
#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    pub max_connections: u32,
    pub min_connections: u32,
    /// How long a request waits for a free connection before failing.
    pub acquire_timeout: Duration,
    /// Longest a single statement may run (PostgreSQL `statement_timeout`; SQLite's lock wait).
    pub statement_timeout: Duration,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            max_connections: 8,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

impl DatabaseSettings {
    /// The pool both stores build from these settings.
    fn pool_options<DB: sqlx::Database>(&self) -> sqlx::pool::PoolOptions<DB> {
        sqlx::pool::PoolOptions::new()
            .max_connections(self.max_connections.max(1))
            .min_connections(self.min_connections)
            .acquire_timeout(self.acquire_timeout)
    }
}

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    pub fn of(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(DatabaseKind::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "SQLite",
            DatabaseKind::Postgres => "PostgreSQL",
        }
    }
}

/// Database URLs can carry passwords; logs must not.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Opens the database `url` names (SQLite or PostgreSQL) and applies its pending migrations.
pub async fn connect(url: &str, settings: &DatabaseSettings) -> Result<Arc<dyn Store>, String> {
    let opened = match DatabaseKind::of(url) {
        Some(DatabaseKind::Sqlite) => SqliteStore::connect(url, settings)
            .await
            .map(|s| Arc::new(s) as Arc<dyn Store>),
        Some(DatabaseKind::Postgres) => PgStore::connect(url, settings)
            .await
            .map(|s| Arc::new(s) as Arc<dyn Store>),
        None => {
            return Err(
                "DATABASE_URL must start with sqlite:// or postgres:// (or be empty for the default SQLite file)"
                    .into(),
            )
        }
    };
    opened.map_err(|e| format!("cannot open the database: {e}"))
}

#[async_trait]
pub trait Store:
    AccountStore
    + AdminStore
    + ApiAccessStore
    + BranchStore
    + ImportStore
    + ShareStore
    + Send
    + Sync
    + 'static
{
    /// Checks the database answers (readiness probe).
    async fn ping(&self) -> StoreResult<()>;
    /// The database server's version, for the start-up log.
    async fn version(&self) -> StoreResult<String>;

    /// Finds the guest session for a cookie token hash, extending its expiry. `None` if unknown or expired.
    async fn find_guest(&self, token_hash: &[u8]) -> StoreResult<Option<Uuid>>;
    /// Finds or creates the guest session for a cookie token hash, sliding its expiry (at most once every
    /// [`GUEST_SEEN_REFRESH_MS`], so a guest's every turn is not a write).
    async fn ensure_guest(&self, token_hash: &[u8], ttl_ms: i64) -> StoreResult<Uuid>;

    /// A page of the owner's conversations in sidebar order (pinned first, then most recently updated).
    async fn list_conversations(
        &self,
        owner: Owner,
        filter: ListFilter,
        after: Option<&ListCursor>,
        limit: i64,
    ) -> StoreResult<Vec<ConversationListItem>>;
    /// Renames one of the owner's conversations for good (an automatic title never replaces it); false if not theirs.
    async fn rename_conversation(&self, owner: Owner, id: Uuid, title: &str) -> StoreResult<bool>;
    /// Sets a title generated from the first exchange, unless the owner renamed the conversation meanwhile.
    async fn set_generated_title(&self, id: Uuid, title: &str) -> StoreResult<bool>;
    async fn set_pinned(&self, owner: Owner, id: Uuid, pinned: bool) -> StoreResult<bool>;
    async fn set_archived(&self, owner: Owner, id: Uuid, archived: bool) -> StoreResult<bool>;
    /// The owner's conversations whose title or messages match `terms` (all of them; the last as a prefix), best
    /// first, one hit per conversation.
    async fn search(
        &self,
        owner: Owner,
        terms: &[String],
        limit: i64,
    ) -> StoreResult<Vec<SearchHit>>;
    async fn get_conversation(
        &self,
        owner: Owner,
        id: Uuid,
    ) -> StoreResult<Option<ConversationRow>>;
    async fn create_conversation(
        &self,
        owner: Owner,
        assistant_id: &str,
        title: &str,
        model_key: Option<&str>,
    ) -> StoreResult<ConversationRow>;
    /// Remembers the model chosen for one of the owner's conversations.
    async fn set_conversation_model(
        &self,
        owner: Owner,
        id: Uuid,
        model_key: &str,
    ) -> StoreResult<()>;
    /// Deletes a conversation and its messages; false if the owner has no such conversation.
    async fn delete_conversation(&self, owner: Owner, id: Uuid) -> StoreResult<bool>;
    /// All messages of one of the owner's conversations, oldest first; `None` if it is not theirs.
    async fn list_messages(
        &self,
        owner: Owner,
        conversation_id: Uuid,
    ) -> StoreResult<Option<Vec<MessageRow>>>;
    /// The newest `limit` messages of one of the owner's conversations older than `before` (all, without it),
    /// oldest first, and whether older ones remain; `None` if the conversation is not theirs.
    async fn list_recent_messages(
        &self,
        owner: Owner,
        conversation_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Option<(Vec<MessageRow>, bool)>>;
    /// What a turn in an existing conversation reads before the model is asked, in one query: the owner, the
    /// conversation if it is theirs, their tax profile, and its newest `limit` messages, oldest first. `None` if
    /// the conversation is not the owner's (or a guest is unknown).
    async fn turn_context(
        &self,
        owner: OwnerRef<'_>,
        conversation_id: Uuid,
        limit: i64,
    ) -> StoreResult<Option<TurnContext>>;

    /// Stores the user's message (complete) and an empty assistant message (streaming) in one transaction, with
    /// the conversation itself when the turn starts one.
    async fn begin_turn(&self, turn: NewTurn) -> StoreResult<(MessageRow, MessageRow)>;
    /// Saves the partial text of answers still streaming, all in one transaction.
    async fn checkpoint_answers(&self, partial: &[(Uuid, String)]) -> StoreResult<()>;
    /// Stores the final state of an answer.
    async fn finish_answer(
        &self,
        message_id: Uuid,
        answer: FinishedAnswer,
    ) -> StoreResult<MessageRow>;
    /// Stores the suggested follow-up questions of a finished answer.
    async fn set_follow_ups(&self, message_id: Uuid, questions: &[String]) -> StoreResult<()>;
    /// The assistant message if it belongs to the owner.
    async fn find_message(&self, owner: Owner, message_id: Uuid)
        -> StoreResult<Option<MessageRow>>;
    /// The owner's saved tax profile, if any.
    async fn tax_profile(&self, owner: Owner) -> StoreResult<Option<TaxProfile>>;
    /// The saved tax profile of a user, or of the guest whose cookie token hash this is (a new conversation's turn
    /// reads it before the guest is looked up).
    async fn tax_profile_of(&self, owner: OwnerRef<'_>) -> StoreResult<Option<TaxProfile>>;
    /// Saves the owner's tax profile, replacing any earlier one.
    async fn set_tax_profile(&self, owner: Owner, profile: &TaxProfile) -> StoreResult<()>;
    /// Marks answers left `streaming` by a crash as `interrupted`; returns how many.
    async fn interrupt_abandoned_answers(&self) -> StoreResult<u64>;
}

pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn one_line_flattens_and_cuts() {
        assert_eq!(one_line("a\n\n b  c", 10), "a b c");
        assert_eq!(one_line("Can I deduct my home office?", 12), "Can I deduc…");
    }
}
