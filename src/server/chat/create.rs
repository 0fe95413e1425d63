//! An empty conversation made ahead of its first question (the REST API's `POST /conversations`), with the title
//! and model its owner chose; the browser makes conversations with their first question instead.

use super::{
    conversations::{open, validate_title},
    turn::{chosen_model, TAX_ASSISTANT_ID},
    Chat,
};
use crate::model::ConversationDetail;
use crate::server::{error::AppError, identity::caller::Caller};

/// The title of a conversation made without one.
pub const UNTITLED: &str = "New conversation";

pub async fn create(
    chat: &Chat,
    caller: &Caller,
    title: Option<&str>,
    model: Option<&str>,
) -> Result<ConversationDetail, AppError> {
    let title = match title {
        Some(title) => validate_title(title)?,
        None => UNTITLED.to_string(),
    };
    let limits = chat.limits.for_tier(caller.tier());
    let model = chosen_model(chat, &limits, model)?;
    let owner = caller.owner(chat.store.as_ref()).await?;
    let row = chat
        .store
        .create_conversation(owner, TAX_ASSISTANT_ID, &title, model.as_deref())
        .await?;
    tracing::info!(conversation_id = %row.id, "conversation created");
    open(chat, caller, &row.id.to_string()).await
}
