//! The PostgreSQL store, for production and several app replicas. Same statements as SQLite (see `sql.rs`).

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions, PgRow},
    PgPool, Row,
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
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (which must exist) and applies pending migrations.
    pub async fn connect(url: &str, settings: &DatabaseSettings) -> StoreResult<Self> {
        let timeout_ms = settings.statement_timeout.as_millis().to_string();
        // Every connection gets the statement timeout, so one slow query cannot hold a connection for ever.
        let options = PgConnectOptions::from_str(url)?
            .options([("statement_timeout", timeout_ms.as_str())])
            .application_name("tally");
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .min_connections(settings.min_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(Into::into)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

sql_store!(PgStore, PgRow, "SHOW server_version");
