//! Turning SQLite rows into the store's types. Ids are stored as text, statuses and roles as their names.

use sqlx::{sqlite::SqliteRow, Row};
use uuid::Uuid;

use crate::{
    model::{MessageStatus, Role, Usage},
    server::store::{ConversationListItem, ConversationRow, MessageRow, StoreResult},
};

pub(super) fn parse_uuid(row: &SqliteRow, column: &str) -> StoreResult<Uuid> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn decode_error(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {value:?}").into())
}

pub(super) const MESSAGE_COLUMNS: &str =
    "id, conversation_id, role, content, status, provider, model, prompt_tokens, \
    completion_tokens, usage_estimated, ttft_ms, latency_ms, error_id, disclaimer, notice, follow_ups, created_at";

/// Conversation columns, as `conversation_from_row` reads them.
pub(super) const CONVERSATION_COLUMNS: &str =
    "id, assistant_id, title, model_key, created_at, updated_at";

pub(super) fn message_from_row(row: &SqliteRow) -> StoreResult<MessageRow> {
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    let prompt_tokens: Option<i64> = row.try_get("prompt_tokens")?;
    let completion_tokens: Option<i64> = row.try_get("completion_tokens")?;
    let usage = match (prompt_tokens, completion_tokens) {
        (Some(prompt), Some(completion)) => Some(Usage {
            prompt_tokens: u32::try_from(prompt).unwrap_or(0),
            completion_tokens: u32::try_from(completion).unwrap_or(0),
            estimated: row.try_get("usage_estimated")?,
        }),
        _ => None,
    };
    Ok(MessageRow {
        id: parse_uuid(row, "id")?,
        conversation_id: parse_uuid(row, "conversation_id")?,
        role: Role::parse(&role).ok_or_else(|| decode_error("role", &role))?,
        content: row.try_get("content")?,
        status: MessageStatus::parse(&status).ok_or_else(|| decode_error("status", &status))?,
        provider: row.try_get("provider")?,
        model: row.try_get("model")?,
        usage,
        ttft_ms: row.try_get("ttft_ms")?,
        latency_ms: row.try_get("latency_ms")?,
        error_id: row.try_get("error_id")?,
        disclaimer: row.try_get("disclaimer")?,
        notice: row.try_get("notice")?,
        follow_ups: follow_ups_from_json(row.try_get("follow_ups")?),
        created_at_ms: row.try_get("created_at")?,
    })
}

pub(super) fn conversation_from_row(row: &SqliteRow) -> StoreResult<ConversationRow> {
    Ok(ConversationRow {
        id: parse_uuid(row, "id")?,
        assistant_id: row.try_get("assistant_id")?,
        title: row.try_get("title")?,
        model_key: row.try_get("model_key")?,
        created_at_ms: row.try_get("created_at")?,
        updated_at_ms: row.try_get("updated_at")?,
    })
}

/// A sidebar entry: the conversation with its message count and newest message.
pub(super) fn list_item_from_row(row: &SqliteRow) -> StoreResult<ConversationListItem> {
    Ok(ConversationListItem {
        id: parse_uuid(row, "id")?,
        title: row.try_get("title")?,
        last_message: row.try_get("last_message")?,
        message_count: row.try_get("message_count")?,
        updated_at_ms: row.try_get("updated_at")?,
    })
}

/// Follow-ups are stored as a JSON array; anything unreadable counts as none rather than failing the whole read.
fn follow_ups_from_json(json: Option<String>) -> Vec<String> {
    json.and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}
