//! Share links as the browser sees them: the owner's list (Settings, the share dialog) and what a link shows.

use serde::{Deserialize, Serialize};

use super::ChatMessage;

/// One of the owner's live share links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedLink {
    pub id: String,
    pub conversation_id: String,
    pub title: String,
    /// The link's path, `/s/{token}`; the page makes it absolute with its own origin.
    pub path: String,
    pub created_at_ms: i64,
    /// The link shows the messages written up to this time.
    pub shared_at_ms: i64,
}

/// A shared conversation, read-only: no owner name or email, only the title and the messages as of sharing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedConversation {
    pub title: String,
    pub shared_at_ms: i64,
    pub messages: Vec<ChatMessage>,
}
