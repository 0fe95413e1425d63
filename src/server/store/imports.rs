//! Conversations written from outside: a client of the OpenAI-compatible endpoint sends the whole history with
//! each question, and it is stored as a conversation of the key's owner before the question is answered in it.
//! The statements are in `imports_sql.rs`, shared by both databases.

use async_trait::async_trait;
use uuid::Uuid;

use super::{Owner, StoreResult};
use crate::model::Role;

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Creates a conversation of `owner` holding `messages` (each complete, each following the one before) in one
    /// transaction; returns its id.
    async fn import_conversation(
        &self,
        owner: Owner,
        assistant_id: &str,
        title: &str,
        messages: &[(Role, String)],
    ) -> StoreResult<Uuid>;
}
