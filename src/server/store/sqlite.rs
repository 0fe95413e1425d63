//! The SQLite store: the zero-setup default, a single file under the data directory.

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteRow, SqliteSynchronous},
    Row, SqlitePool,
};
use uuid::Uuid;

use super::{
    accounts_sql::accounts_store,
    admin_sql::admin_store,
    api_access_sql::api_access_store,
    branches_sql::branches_store,
    imports_sql::imports_store,
    now_ms,
    shares_sql::shares_store,
    sql::{
        checkpoint_sql, follow_ups_from_json, grounding_from_json, grounding_to_json,
        profile_from_json, sql_store, CHECKPOINT_CHUNK, CONVERSATION_COLUMNS, MESSAGE_COLUMNS,
        QUALIFIED_MESSAGE_COLUMNS,
    },
    ConversationListItem, ConversationRow, DatabaseSettings, FinishedAnswer, ListCursor,
    ListFilter, MessageRow, NewTurn, Owner, OwnerKey, OwnerRef, SearchHit, Store, StoreResult,
    TurnContext, TurnQuestion, GUEST_SEEN_REFRESH_MS, HIGHLIGHT_END, HIGHLIGHT_START,
};
use crate::model::{tax::TaxProfile, MessageStatus, Role, Usage};

#[derive(Clone)]
pub struct SqliteStore {
    /// Reads, on several connections at once (WAL lets readers run beside the writer).
    pool: SqlitePool,
    /// Every write, on one connection: SQLite allows one writer at a time anyway.
    writer: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str, settings: &DatabaseSettings) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // SQLite has no statement timeout. Writers of this process queue for `writer`; this bounds the wait for
            // the file lock held by another process (`tally migrate`, a backup).
            .busy_timeout(settings.statement_timeout.max(Duration::from_secs(1)));
        let writer = settings
            .pool_options()
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        // The writer creates the file and its tables before any reader opens it.
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let pool = settings.pool_options().connect_with(options).await?;
        Ok(SqliteStore { pool, writer })
    }
}

/// An FTS5 query that needs every term, the last one as a prefix (search as you type). Terms are quoted, so
/// nothing a person types is read as FTS5 syntax.
fn fts5_query(terms: &[String]) -> Option<String> {
    let (last, rest) = terms.split_last()?;
    let quote = |term: &str| format!("\"{}\"", term.replace('"', "\"\""));
    let mut query: Vec<String> = rest.iter().map(|t| quote(t)).collect();
    query.push(format!("{}*", quote(last)));
    Some(query.join(" "))
}

sql_store!(
    SqliteStore,
    SqliteRow,
    "SELECT sqlite_version()",
    "BEGIN IMMEDIATE",
    {
        async fn search(
            &self,
            owner: Owner,
            terms: &[String],
            limit: i64,
        ) -> StoreResult<Vec<SearchHit>> {
            let Some(query) = fts5_query(terms) else {
                return Ok(Vec::new());
            };
            // Title matches first, then passages; several passages of one conversation collapse into its best.
            let rows = sqlx::query(
            &format!("SELECT c.id, c.title, c.archived, highlight(conversations_fts, 0, $3, $4) AS snippet,
                    0 AS kind, bm25(conversations_fts) AS score
             FROM conversations_fts JOIN conversations c ON c.rowid = conversations_fts.rowid
             WHERE conversations_fts MATCH $1 AND c.{owner} = $2
             UNION ALL
             SELECT c.id, c.title, c.archived, snippet(messages_fts, 0, $3, $4, '…', 14) AS snippet,
                    1 AS kind, bm25(messages_fts) AS score
             FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
                  JOIN conversations c ON c.id = m.conversation_id
             WHERE messages_fts MATCH $1 AND c.{owner} = $2 AND m.active = TRUE
             ORDER BY kind, score
             LIMIT $5", owner = owner.column()),
        )
        .bind(query)
        .bind(owner.id_text())
        .bind(HIGHLIGHT_START.to_string())
        .bind(HIGHLIGHT_END.to_string())
        .bind(limit * 4)
        .fetch_all(&self.pool)
        .await?;
            best_per_conversation(&rows, limit)
        }
    }
);

accounts_store!(SqliteStore, sqlx::sqlite::SqliteRow, "BEGIN IMMEDIATE");
shares_store!(SqliteStore, sqlx::sqlite::SqliteRow, "BEGIN IMMEDIATE");
branches_store!(SqliteStore, sqlx::sqlite::SqliteRow, "BEGIN IMMEDIATE");
admin_store!(SqliteStore, sqlx::sqlite::SqliteRow, "BEGIN IMMEDIATE");
api_access_store!(SqliteStore, sqlx::sqlite::SqliteRow, "BEGIN IMMEDIATE");
imports_store!(SqliteStore, "BEGIN IMMEDIATE");
