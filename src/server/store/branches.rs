//! Branches of a conversation in the store: Regenerate and Edit set the shown path aside instead of replacing it,
//! switching brings a set-aside path back, and a question with its answer can be deleted. The statements are in
//! `branches_sql.rs`, shared by both databases; every one is scoped by the owner.

use async_trait::async_trait;
use uuid::Uuid;

use super::{MessageRow, Owner, StoreResult};
use crate::model::Role;

/// A message's place among its versions, for the "2 / 3" the page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sibling {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub role: Role,
}

/// What setting a message aside came to.
#[derive(Clone, Debug, PartialEq)]
pub enum SetAside {
    /// Set aside, with everything shown after it; the message as it was.
    Done(Box<MessageRow>),
    /// Not the owner's, not shown, not of the role asked for, or (when only the last may be) not the last.
    Missing,
    /// An answer is being written in the conversation: nothing was changed.
    Busy,
}

#[async_trait]
pub trait BranchStore: Send + Sync {
    /// Sets aside a shown message of `role` in one of the owner's conversations and everything shown after it
    /// (Edit sets a question aside, Regenerate the last answer: `last_only`).
    async fn set_aside_from(
        &self,
        owner: Owner,
        message_id: Uuid,
        role: Role,
        last_only: bool,
    ) -> StoreResult<SetAside>;
    /// Shows another version of a message: the version shown now, and what follows it, are set aside, and the
    /// path last shown with `message_id` comes back. The conversation's id, or `None` if it is not the owner's.
    async fn show_version(&self, owner: Owner, message_id: Uuid) -> StoreResult<Option<Uuid>>;
    /// Every version beside the shown messages with ids from `first` to `last` (theirs included), for their
    /// "2 / 3". The caller has checked that the conversation is the owner's.
    async fn versions(
        &self,
        conversation_id: Uuid,
        first: Uuid,
        last: Uuid,
    ) -> StoreResult<Vec<Sibling>>;
    /// Deletes a shown question of the owner's with every version of it (Edit's) and of its answers (Regenerate's);
    /// what followed the shown answer now follows what came before the question. The conversation's id, or `None` if it is not theirs.
    async fn delete_exchange(&self, owner: Owner, question_id: Uuid) -> StoreResult<Option<Uuid>>;
}
