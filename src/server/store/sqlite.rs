//! The SQLite store: the zero-setup default, a single file under the data directory.

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
    },
    Row, SqlitePool,
};
use uuid::Uuid;

use super::{
    now_ms,
    sql::{follow_ups_from_json, owner_guest, sql_store, CONVERSATION_COLUMNS, MESSAGE_COLUMNS},
    ConversationListItem, ConversationRow, DatabaseSettings, FinishedAnswer, MessageRow, NewTurn,
    Owner, Store, StoreResult,
};
use crate::model::{MessageStatus, Role, Usage};

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str, settings: &DatabaseSettings) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // SQLite has no statement timeout; a writer waits this long for the file lock instead.
            .busy_timeout(settings.statement_timeout.max(Duration::from_secs(1)));
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .min_connections(settings.min_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await
            .map_err(Into::into)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

sql_store!(SqliteStore, SqliteRow, "SELECT sqlite_version()");
