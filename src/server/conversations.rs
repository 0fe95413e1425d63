//! Reading and deleting conversations on behalf of their owner, and shaping stored rows for the browser.

use uuid::Uuid;

use super::{
    error::AppError,
    identity::GuestToken,
    markdown,
    state::AppState,
    store::{one_line, MessageRow, Owner},
    validation::parse_id,
};
use crate::model::{ChatMessage, ConversationDetail, ConversationSummary, Role};

/// How many conversations the sidebar shows.
const SIDEBAR_LIMIT: i64 = 200;
const PREVIEW_CHARS: usize = 90;

/// The owner behind a guest cookie, without creating anything: a guest who never wrote has no conversations.
pub async fn existing_owner(
    state: &AppState,
    guest: &GuestToken,
) -> Result<Option<Owner>, AppError> {
    Ok(state
        .store
        .find_guest(&guest.token_hash)
        .await?
        .map(Owner::Guest))
}

pub async fn list(
    state: &AppState,
    guest: &GuestToken,
) -> Result<Vec<ConversationSummary>, AppError> {
    let Some(owner) = existing_owner(state, guest).await? else {
        return Ok(Vec::new());
    };
    let items = state.store.list_conversations(owner, SIDEBAR_LIMIT).await?;
    Ok(items
        .into_iter()
        .map(|item| ConversationSummary {
            id: item.id.to_string(),
            title: item.title,
            preview: item
                .last_message
                .as_deref()
                .map(|m| one_line(m, PREVIEW_CHARS))
                .unwrap_or_default(),
            message_count: item.message_count,
            updated_at_ms: item.updated_at_ms,
        })
        .collect())
}

pub async fn open(
    state: &AppState,
    guest: &GuestToken,
    id: &str,
) -> Result<ConversationDetail, AppError> {
    let id = parse_id(id)?;
    let owner = existing_owner(state, guest)
        .await?
        .ok_or(AppError::NotFound)?;
    let conversation = state
        .store
        .get_conversation(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let messages = state
        .store
        .list_messages(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ConversationDetail {
        id: conversation.id.to_string(),
        title: conversation.title,
        // A model removed from the configuration since is forgotten rather than shown as chosen.
        model_key: conversation
            .model_key
            .filter(|key| state.catalog.contains(key)),
        messages: messages.into_iter().map(to_chat_message).collect(),
    })
}

pub async fn delete(state: &AppState, guest: &GuestToken, id: &str) -> Result<(), AppError> {
    let id: Uuid = parse_id(id)?;
    let owner = existing_owner(state, guest)
        .await?
        .ok_or(AppError::NotFound)?;
    if state.store.delete_conversation(owner, id).await? {
        tracing::info!(conversation_id = %id, "conversation deleted");
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A stored message as the browser shows it; answers are rendered to sanitized HTML here, on the server.
pub fn to_chat_message(row: MessageRow) -> ChatMessage {
    let html = match row.role {
        Role::Assistant => markdown::render(&row.content),
        Role::User => String::new(),
    };
    ChatMessage {
        id: row.id.to_string(),
        role: row.role,
        html,
        content: row.content,
        status: row.status,
        provider: row.provider,
        model: row.model,
        usage: row.usage,
        error_id: row.error_id,
        notice: row.notice,
        follow_ups: row.follow_ups,
        created_at_ms: row.created_at_ms,
    }
}
