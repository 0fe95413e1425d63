//! Share links in the store: a user's read-only links to one of their conversations as it stood when shared. The
//! statements are in `shares_sql.rs`, shared by both databases.

use async_trait::async_trait;
use uuid::Uuid;

use super::{MessageRow, StoreResult};

/// One live share link, for the owner's Settings list and the share dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareLinkRow {
    pub id: Uuid,
    pub token: String,
    pub conversation_id: Uuid,
    pub title: String,
    pub created_at_ms: i64,
    /// Messages up to this time are shown.
    pub shared_at_ms: i64,
}

/// What a share link shows: the conversation's title and its messages as of the time it was shared.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedSnapshot {
    pub title: String,
    pub shared_at_ms: i64,
    pub messages: Vec<MessageRow>,
}

#[async_trait]
pub trait ShareStore: Send + Sync {
    /// Shares one of the user's conversations as it is now: the live link it already has, moved to now (so it shows
    /// the latest messages), or a new one with `token`. `None` if the conversation is not the user's.
    async fn share_conversation(
        &self,
        user_id: Uuid,
        conversation_id: Uuid,
        token: &str,
    ) -> StoreResult<Option<ShareLinkRow>>;
    /// The user's live share links, newest first.
    async fn list_share_links(&self, user_id: Uuid) -> StoreResult<Vec<ShareLinkRow>>;
    /// Revokes one of the user's share links for good; false if it is not theirs or already revoked.
    async fn revoke_share_link(&self, user_id: Uuid, link_id: Uuid) -> StoreResult<bool>;
    /// What the live link `token` shows; `None` for an unknown or revoked token.
    async fn shared_snapshot(&self, token: &str) -> StoreResult<Option<SharedSnapshot>>;
}
