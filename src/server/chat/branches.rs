//! Versions of a conversation: Regenerate asks the last question again and Edit changes a question and goes on from
//! there, each setting aside what it replaces (see `store/branches.rs`); a message with other versions shows
//! "2 / 3" and switches between them; Delete takes a question and its answer out.

use std::collections::HashMap;

use uuid::Uuid;

use super::{
    conversations::{open, owned, to_chat_message},
    validation::parse_id,
    Chat,
};
use crate::{
    model::{Branch, ChatMessage, ConversationDetail, Role},
    server::{
        error::AppError,
        identity::caller::Caller,
        store::{
            branches::{SetAside, Sibling},
            MessageRow, Owner,
        },
    },
};

/// Stored messages as the page shows them, each with its place among its versions.
pub async fn with_versions(
    chat: &Chat,
    conversation_id: Uuid,
    rows: Vec<MessageRow>,
) -> Result<Vec<ChatMessage>, AppError> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let siblings = chat
        .store
        .versions(conversation_id, first.id, last.id)
        .await?;
    let versions = group_versions(&siblings);
    Ok(rows
        .into_iter()
        .map(|row| {
            let branch = versions
                .get(&(row.parent_id, row.role))
                .and_then(|ids| branch_of(ids, row.id));
            ChatMessage {
                branch,
                ..to_chat_message(row)
            }
        })
        .collect())
}

/// Versions grouped by what they follow and who wrote them, oldest first.
fn group_versions(siblings: &[Sibling]) -> HashMap<(Option<Uuid>, Role), Vec<Uuid>> {
    let mut groups: HashMap<(Option<Uuid>, Role), Vec<Uuid>> = HashMap::new();
    for sibling in siblings {
        groups
            .entry((sibling.parent_id, sibling.role))
            .or_default()
            .push(sibling.id);
    }
    groups
}

/// "2 / 3" for `id` among `versions` (oldest first); `None` for a message without other versions.
fn branch_of(versions: &[Uuid], id: Uuid) -> Option<Branch> {
    if versions.len() < 2 {
        return None;
    }
    let index = versions.iter().position(|v| *v == id)?;
    Some(Branch {
        index: index as u32 + 1,
        count: versions.len() as u32,
        previous: index.checked_sub(1).map(|i| versions[i].to_string()),
        next: versions.get(index + 1).map(Uuid::to_string),
    })
}

/// What a Regenerate or an Edit asks of the turn.
#[derive(Clone, Copy, Debug)]
pub enum Fork {
    /// Ask the question of this (the last) answer again.
    Regenerate(Uuid),
    /// Replace this question.
    Edit(Uuid),
}

impl Fork {
    pub fn of(regenerate: Option<&str>, edit: Option<&str>) -> Result<Option<Fork>, AppError> {
        match (regenerate, edit) {
            (Some(_), Some(_)) => Err(AppError::InvalidBody(
                "regenerate and edit cannot be asked at once".into(),
            )),
            (Some(id), None) => Ok(Some(Fork::Regenerate(parse_id(id)?))),
            (None, Some(id)) => Ok(Some(Fork::Edit(parse_id(id)?))),
            (None, None) => Ok(None),
        }
    }
}

/// Sets aside what a Regenerate or Edit replaces; for a Regenerate, the question to ask again.
pub async fn set_aside(
    chat: &Chat,
    owner: Owner,
    conversation_id: Uuid,
    fork: Fork,
) -> Result<Option<MessageRow>, AppError> {
    let (id, role, last_only) = match fork {
        Fork::Regenerate(id) => (id, Role::Assistant, true),
        Fork::Edit(id) => (id, Role::User, false),
    };
    let message = match chat
        .store
        .set_aside_from(owner, id, role, last_only)
        .await?
    {
        SetAside::Done(message) if message.conversation_id == conversation_id => *message,
        SetAside::Busy => return Err(AppError::TurnInProgress),
        _ => return Err(AppError::NotFound),
    };
    match fork {
        Fork::Edit(_) => Ok(None),
        Fork::Regenerate(_) => {
            let question_id = message.parent_id.ok_or(AppError::NotFound)?;
            let question = chat
                .store
                .find_message(owner, question_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Some(question))
        }
    }
}

/// Shows another version of a message; the conversation as it then is.
pub async fn switch(
    chat: &Chat,
    caller: &Caller,
    message_id: &str,
) -> Result<ConversationDetail, AppError> {
    let (owner, id) = owned(chat, caller, message_id).await?;
    let conversation = chat
        .store
        .show_version(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    open(chat, caller, &conversation.to_string()).await
}

/// Deletes a shown question and its answer; the conversation as it then is. Not while an answer is written in it.
pub async fn delete_exchange(
    chat: &Chat,
    caller: &Caller,
    question_id: &str,
) -> Result<ConversationDetail, AppError> {
    let (owner, id) = owned(chat, caller, question_id).await?;
    let question = chat
        .store
        .find_message(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let busy = chat
        .store
        .list_recent_messages(owner, question.conversation_id, None, 2)
        .await?
        .is_some_and(|(recent, _)| {
            recent
                .iter()
                .any(|m| m.status == crate::model::MessageStatus::Streaming)
        });
    if busy {
        return Err(AppError::TurnInProgress);
    }
    let conversation = chat
        .store
        .delete_exchange(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tracing::info!(conversation_id = %conversation, question_id = %id, "question and answer deleted");
    open(chat, caller, &conversation.to_string()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_knows_its_place_among_its_versions() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        assert_eq!(branch_of(&ids[..1], ids[0]), None);
        let middle = branch_of(&ids, ids[1]).unwrap();
        assert_eq!((middle.index, middle.count), (2, 3));
        assert_eq!(middle.previous, Some(ids[0].to_string()));
        assert_eq!(middle.next, Some(ids[2].to_string()));
        let first = branch_of(&ids, ids[0]).unwrap();
        assert_eq!((first.index, first.previous), (1, None));
    }
}
