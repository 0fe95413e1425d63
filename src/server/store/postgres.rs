//! The PostgreSQL store, for production and several app replicas. Same statements as SQLite (see `sql.rs`).

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::{
    postgres::{PgConnectOptions, PgRow},
    PgPool, Row,
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
pub struct PgStore {
    pool: PgPool,
    /// The same pool: PostgreSQL runs concurrent writers itself.
    writer: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (which must exist) and applies pending migrations.
    pub async fn connect(url: &str, settings: &DatabaseSettings) -> StoreResult<Self> {
        let timeout_ms = settings.statement_timeout.as_millis().to_string();
        // Every connection gets the statement timeout, so one slow query cannot hold a connection for ever.
        let options = PgConnectOptions::from_str(url)?
            .options([("statement_timeout", timeout_ms.as_str())])
            .application_name("tally");
        let pool = settings.pool_options().connect_with(options).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore {
            writer: pool.clone(),
            pool,
        })
    }
}

/// A tsquery that needs every term, the last one as a prefix (search as you type). Terms are letters and digits
/// only (see `conversations::search_terms`), so nothing a person types is read as tsquery syntax.
fn tsquery(terms: &[String]) -> Option<String> {
    let (last, rest) = terms.split_last()?;
    let mut query: Vec<String> = rest.to_vec();
    query.push(format!("{last}:*"));
    Some(query.join(" & "))
}

sql_store!(PgStore, PgRow, "SHOW server_version", "BEGIN", {
    async fn search(
        &self,
        owner: Owner,
        terms: &[String],
        limit: i64,
    ) -> StoreResult<Vec<SearchHit>> {
        let Some(query) = tsquery(terms) else {
            return Ok(Vec::new());
        };
        let headline = format!(
            "StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=20, MinWords=8, MaxFragments=1"
        );
        // Title matches first, then passages; several passages of one conversation collapse into its best.
        let rows = sqlx::query(
            &format!("WITH q AS (SELECT to_tsquery('english', $1) AS query)
             SELECT c.id, c.title, c.archived, ts_headline('english', c.title, q.query, $3) AS snippet,
                    0 AS kind, ts_rank(to_tsvector('english', c.title), q.query) AS score
             FROM conversations c, q
             WHERE c.{owner} = $2 AND to_tsvector('english', c.title) @@ q.query
             UNION ALL
             SELECT c.id, c.title, c.archived, ts_headline('english', m.content, q.query, $3) AS snippet,
                    1 AS kind, ts_rank(to_tsvector('english', m.content), q.query) AS score
             FROM messages m JOIN conversations c ON c.id = m.conversation_id, q
             WHERE c.{owner} = $2 AND m.status <> 'streaming' AND m.active = TRUE
               AND to_tsvector('english', m.content) @@ q.query
             ORDER BY kind, score DESC
             LIMIT $4", owner = owner.column()),
        )
        .bind(query)
        .bind(owner.id_text())
        .bind(headline)
        .bind(limit * 4)
        .fetch_all(&self.pool)
        .await?;
        best_per_conversation(&rows, limit)
    }
});

accounts_store!(PgStore, sqlx::postgres::PgRow, "BEGIN");
shares_store!(PgStore, sqlx::postgres::PgRow, "BEGIN");
branches_store!(PgStore, sqlx::postgres::PgRow, "BEGIN");
admin_store!(PgStore, sqlx::postgres::PgRow, "BEGIN");
api_access_store!(PgStore, sqlx::postgres::PgRow, "BEGIN");
imports_store!(PgStore, "BEGIN");
