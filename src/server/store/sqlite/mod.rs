//! The SQLite store: the zero-setup default, a single file under the data directory.

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Row, SqlitePool,
};
use uuid::Uuid;

use self::rows::{
    conversation_from_row, list_item_from_row, message_from_row, parse_uuid, CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
};
use super::{
    now_ms, ConversationListItem, ConversationRow, FinishedAnswer, MessageRow, NewTurn, Owner,
    Store, StoreResult,
};
use crate::model::{MessageStatus, Role};

mod rows;

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn owner_guest(owner: Owner) -> String {
    match owner {
        Owner::Guest(id) => id.to_string(),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    async fn find_guest(&self, token_hash: &[u8]) -> StoreResult<Option<Uuid>> {
        let row =
            sqlx::query("SELECT id FROM guest_sessions WHERE token_hash = ? AND expires_at > ?")
                .bind(token_hash)
                .bind(now_ms())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| parse_uuid(&row, "id")).transpose()
    }

    async fn ensure_guest(&self, token_hash: &[u8], ttl_ms: i64) -> StoreResult<Uuid> {
        let now = now_ms();
        // One statement, so two first requests racing from the same browser end on the same row.
        let row = sqlx::query(
            "INSERT INTO guest_sessions (id, token_hash, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at, last_seen_at = excluded.last_seen_at
             RETURNING id",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(token_hash)
        .bind(now)
        .bind(now + ttl_ms)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        parse_uuid(&row, "id")
    }

    async fn list_conversations(
        &self,
        owner: Owner,
        limit: i64,
    ) -> StoreResult<Vec<ConversationListItem>> {
        let rows = sqlx::query(
            "SELECT c.id, c.title, c.updated_at,
                    (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count,
                    (SELECT m.content FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1)
                        AS last_message
             FROM conversations c
             WHERE c.guest_session_id = ?
             ORDER BY c.updated_at DESC, c.id DESC
             LIMIT ?",
        )
        .bind(owner_guest(owner))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(list_item_from_row).collect()
    }

    async fn get_conversation(
        &self,
        owner: Owner,
        id: Uuid,
    ) -> StoreResult<Option<ConversationRow>> {
        let row = sqlx::query(
            &format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ? AND guest_session_id = ?"),
        )
        .bind(id.to_string())
        .bind(owner_guest(owner))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    async fn create_conversation(
        &self,
        owner: Owner,
        assistant_id: &str,
        title: &str,
        model_key: Option<&str>,
    ) -> StoreResult<ConversationRow> {
        let now = now_ms();
        let row = sqlx::query(&format!(
            "INSERT INTO conversations (id, guest_session_id, assistant_id, title, model_key, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             RETURNING {CONVERSATION_COLUMNS}"
        ))
        .bind(Uuid::now_v7().to_string())
        .bind(owner_guest(owner))
        .bind(assistant_id)
        .bind(title)
        .bind(model_key)
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        conversation_from_row(&row)
    }

    async fn set_conversation_model(
        &self,
        owner: Owner,
        id: Uuid,
        model_key: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET model_key = ? WHERE id = ? AND guest_session_id = ?")
            .bind(model_key)
            .bind(id.to_string())
            .bind(owner_guest(owner))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_conversation(&self, owner: Owner, id: Uuid) -> StoreResult<bool> {
        let result = sqlx::query("DELETE FROM conversations WHERE id = ? AND guest_session_id = ?")
            .bind(id.to_string())
            .bind(owner_guest(owner))
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    async fn list_messages(
        &self,
        owner: Owner,
        conversation_id: Uuid,
    ) -> StoreResult<Option<Vec<MessageRow>>> {
        if self
            .get_conversation(owner, conversation_id)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id"
        ))
        .bind(conversation_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(message_from_row)
            .collect::<StoreResult<Vec<_>>>()
            .map(Some)
    }

    async fn has_streaming_answer(&self, conversation_id: Uuid) -> StoreResult<bool> {
        let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ? AND status = 'streaming')")
            .bind(conversation_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        row.try_get::<bool, _>(0)
    }

    async fn begin_turn(&self, turn: NewTurn) -> StoreResult<(MessageRow, MessageRow)> {
        let now = now_ms();
        let user_id = Uuid::now_v7();
        let assistant_id = Uuid::now_v7();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at)
             VALUES (?, ?, 'user', ?, 'complete', ?, ?)",
        )
        .bind(user_id.to_string())
        .bind(turn.conversation_id.to_string())
        .bind(&turn.user_content)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, role, content, status, provider, model, disclaimer, created_at,
                                   updated_at)
             VALUES (?, ?, 'assistant', '', 'streaming', ?, ?, ?, ?, ?)",
        )
        .bind(assistant_id.to_string())
        .bind(turn.conversation_id.to_string())
        .bind(&turn.provider)
        .bind(&turn.model)
        .bind(&turn.disclaimer)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE conversations SET updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(turn.conversation_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;

        let user = MessageRow {
            id: user_id,
            conversation_id: turn.conversation_id,
            role: Role::User,
            content: turn.user_content,
            status: MessageStatus::Complete,
            provider: None,
            model: None,
            usage: None,
            ttft_ms: None,
            latency_ms: None,
            error_id: None,
            disclaimer: None,
            notice: None,
            follow_ups: Vec::new(),
            created_at_ms: now,
        };
        let assistant = MessageRow {
            id: assistant_id,
            role: Role::Assistant,
            content: String::new(),
            status: MessageStatus::Streaming,
            provider: Some(turn.provider),
            model: Some(turn.model),
            disclaimer: Some(turn.disclaimer),
            ..user.clone()
        };
        Ok((user, assistant))
    }

    async fn checkpoint_answer(&self, message_id: Uuid, content: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE messages SET content = ?, updated_at = ? WHERE id = ? AND status = 'streaming'",
        )
        .bind(content)
        .bind(now_ms())
        .bind(message_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn finish_answer(
        &self,
        message_id: Uuid,
        answer: FinishedAnswer,
    ) -> StoreResult<MessageRow> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE messages SET content = ?, status = ?, prompt_tokens = ?, completion_tokens = ?,
                    usage_estimated = ?, ttft_ms = ?, latency_ms = ?, error_id = ?, provider = ?, model = ?,
                    notice = ?, updated_at = ?
             WHERE id = ?
             RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(&answer.content)
        .bind(answer.status.as_str())
        .bind(answer.usage.map(|u| i64::from(u.prompt_tokens)))
        .bind(answer.usage.map(|u| i64::from(u.completion_tokens)))
        .bind(answer.usage.is_some_and(|u| u.estimated))
        .bind(answer.ttft_ms)
        .bind(answer.latency_ms)
        .bind(&answer.error_id)
        .bind(&answer.provider)
        .bind(&answer.model)
        .bind(&answer.notice)
        .bind(now)
        .bind(message_id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let message = message_from_row(&row)?;
        sqlx::query("UPDATE conversations SET updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(message.conversation_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn set_follow_ups(&self, message_id: Uuid, questions: &[String]) -> StoreResult<()> {
        let json =
            serde_json::to_string(questions).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("UPDATE messages SET follow_ups = ? WHERE id = ?")
            .bind(json)
            .bind(message_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn find_message(
        &self,
        owner: Owner,
        message_id: Uuid,
    ) -> StoreResult<Option<MessageRow>> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE id = ? AND conversation_id IN (SELECT id FROM conversations WHERE guest_session_id = ?)"
        ))
        .bind(message_id.to_string())
        .bind(owner_guest(owner))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message_from_row).transpose()
    }

    async fn interrupt_abandoned_answers(&self) -> StoreResult<u64> {
        let result = sqlx::query(
            "UPDATE messages SET status = 'interrupted', updated_at = ? WHERE status = 'streaming'",
        )
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }
}
