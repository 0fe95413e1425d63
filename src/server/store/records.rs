//! What the store reads and writes: owners, conversation and message rows, list cursors, search hits, and the
//! writes of a turn. Plain data, the same for both databases.

use uuid::Uuid;

use crate::model::{
    tax::{Grounding, TaxProfile},
    MessageStatus, Role, Usage,
};

/// Who owns a conversation (and a tax profile, and usage): a guest session or a user account, never both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    Guest(Uuid),
    User(Uuid),
}

impl Owner {
    pub fn id(self) -> Uuid {
        match self {
            Owner::Guest(id) | Owner::User(id) => id,
        }
    }

    /// The id as the owner columns hold it.
    pub(crate) fn id_text(self) -> String {
        self.id().to_string()
    }

    /// The column of `conversations` (and of the tax-profile table) that holds this kind of owner. Every query
    /// that reads or changes an owner's rows is scoped by it; both are constants, so the statement cache holds
    /// one statement per kind.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Owner::Guest(_) => "guest_session_id",
            Owner::User(_) => "user_id",
        }
    }

    pub(crate) fn tax_profile_table(self) -> &'static str {
        match self {
            Owner::Guest(_) => "tax_profiles",
            Owner::User(_) => "user_tax_profiles",
        }
    }
}

/// An owner as a request names it: a user by id, or a guest by its cookie's token hash (before, or instead of,
/// looking the guest up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerRef<'a> {
    GuestToken(&'a [u8]),
    User(Uuid),
}

/// A bound owner key: the guest's token hash is bytes, a user's id text.
pub(crate) enum OwnerKey<'a> {
    Bytes(&'a [u8]),
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConversationRow {
    pub id: Uuid,
    pub assistant_id: String,
    pub title: String,
    pub model_key: Option<String>,
    pub pinned: bool,
    pub archived: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConversationListItem {
    pub id: Uuid,
    pub title: String,
    pub pinned: bool,
    pub archived: bool,
    pub last_message: Option<String>,
    pub message_count: i64,
    pub updated_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: Role,
    pub content: String,
    pub status: MessageStatus,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub usage: Option<Usage>,
    pub ttft_ms: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error_id: Option<String>,
    pub disclaimer: Option<String>,
    pub notice: Option<String>,
    pub follow_ups: Vec<String>,
    /// What a tax answer was grounded on: its stamp, sources, calculations and unsupported figures.
    pub grounding: Option<Grounding>,
    pub created_at_ms: i64,
    /// The message before it on its branch; `None` for a conversation's first.
    pub parent_id: Option<Uuid>,
}

/// Which of the owner's conversations a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFilter {
    Active,
    Archived,
}

/// Where the next page of a list starts: just after this entry, in sidebar order (pinned first, newest first).
/// A keyset rather than an offset, so conversations created meanwhile neither repeat nor hide entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListCursor {
    pub pinned: bool,
    pub updated_at_ms: i64,
    pub id: Uuid,
}

impl ListCursor {
    pub fn after(item: &ConversationListItem) -> Self {
        ListCursor {
            pinned: item.pinned,
            updated_at_ms: item.updated_at_ms,
            id: item.id,
        }
    }
}

/// A conversation that matches a search, with the best-matching passage. `snippet` marks matched words with
/// [`HIGHLIGHT_START`] and [`HIGHLIGHT_END`], characters that never occur in text people type.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub conversation_id: Uuid,
    pub title: String,
    pub snippet: String,
    pub archived: bool,
}

pub const HIGHLIGHT_START: char = '\u{E000}';
pub const HIGHLIGHT_END: char = '\u{E001}';

/// An existing conversation as a turn reads it (see [`Store::turn_context`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TurnContext {
    pub owner: Owner,
    pub title: String,
    pub model_key: Option<String>,
    /// The owner's saved tax profile, read in the same query.
    pub tax_profile: Option<TaxProfile>,
    /// The newest messages, oldest first.
    pub recent_messages: Vec<MessageRow>,
}

/// What a new turn writes before the model is called.
#[derive(Clone, Debug)]
pub struct NewTurn {
    pub conversation_id: Uuid,
    /// Set when the turn starts a conversation (with id `conversation_id`), written in the same transaction.
    pub new_conversation: Option<NewConversation>,
    pub question: TurnQuestion,
    pub provider: String,
    pub model: String,
    pub disclaimer: String,
}

/// The question a turn answers.
#[derive(Clone, Debug)]
pub enum TurnQuestion {
    /// A new question, stored after the conversation's last message.
    New(String),
    /// Asked again (Regenerate): the stored question gets another answer.
    Again(Box<MessageRow>),
}

/// A conversation a turn starts.
#[derive(Clone, Debug)]
pub struct NewConversation {
    pub owner: Owner,
    pub assistant_id: String,
    pub title: String,
    pub model_key: Option<String>,
}

/// A guest's `last_seen_at` (and with it the sliding expiry) is rewritten at most this often.
pub const GUEST_SEEN_REFRESH_MS: i64 = 60_000;

/// How an answer ended.
#[derive(Clone, Debug)]
pub struct FinishedAnswer {
    /// The provider and model that wrote it, which differ from those of [`NewTurn`] after a fallback.
    pub provider: String,
    pub model: String,
    pub notice: Option<String>,
    pub content: String,
    pub status: MessageStatus,
    pub usage: Option<Usage>,
    pub ttft_ms: Option<i64>,
    pub latency_ms: i64,
    pub error_id: Option<String>,
    pub grounding: Option<Grounding>,
}
