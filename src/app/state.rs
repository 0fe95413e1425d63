//! App-wide chat state, provided once as context. It lives above the routes so an answer keeps streaming while the
//! URL changes from `/` to the new conversation's `/c/{id}`.

use leptos::prelude::*;

use crate::model::{ApiError, ChatMessage, ConversationDetail};

/// The answer being written right now.
#[derive(Clone, Debug)]
pub struct PendingTurn {
    /// Tells this turn's events apart from those of a turn the user navigated away from.
    pub turn_id: u64,
    /// What the user asked; shown at once, before the server confirms.
    pub question: String,
    /// The stored user message, once the server confirmed it.
    pub user_message: Option<ChatMessage>,
    pub assistant_message_id: Option<String>,
    /// The answer so far. Reference-counted rather than owned by the component whose handler sent the question: the
    /// turn outlives that component (the route can change mid-answer), and an owned signal would die with it.
    pub text: ArcRwSignal<String>,
    /// Stop was pressed before the server named the answer; stop it as soon as it does.
    pub stop_requested: bool,
}

/// An error shown above the composer, with what Retry would send again.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnError {
    pub error: ApiError,
    pub retry: Option<String>,
}

#[derive(Clone, Copy)]
pub struct ChatContext {
    /// The conversation whose messages are shown; `None` for a new chat.
    pub conversation_id: RwSignal<Option<String>>,
    pub title: RwSignal<String>,
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub pending: RwSignal<Option<PendingTurn>>,
    pub error: RwSignal<Option<TurnError>>,
    /// Text in the composer; restored when a question could not be sent.
    pub draft: RwSignal<String>,
    /// Bumped to reload the sidebar.
    pub list_version: RwSignal<u32>,
    /// The narrow-screen drawer with the conversation list.
    pub drawer_open: RwSignal<bool>,
}

impl ChatContext {
    pub fn new() -> Self {
        ChatContext {
            conversation_id: RwSignal::new(None),
            title: RwSignal::new(String::new()),
            messages: RwSignal::new(Vec::new()),
            pending: RwSignal::new(None),
            error: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            list_version: RwSignal::new(0),
            drawer_open: RwSignal::new(false),
        }
    }

    pub fn use_context() -> Self {
        expect_context::<ChatContext>()
    }

    /// Shows a conversation loaded from the server (or a new chat for `None`), unless this page is the fresher
    /// source: an answer is still streaming into that very conversation.
    pub fn show(&self, detail: Option<ConversationDetail>) {
        let id = detail.as_ref().map(|d| d.id.clone());
        if self.pending.get_untracked().is_some() && id == self.conversation_id.get_untracked() {
            return;
        }
        self.error.set(None);
        self.pending.set(None);
        self.conversation_id.set(id);
        match detail {
            Some(detail) => {
                self.title.set(detail.title);
                self.messages.set(detail.messages);
            }
            None => {
                self.title.set(String::new());
                self.messages.set(Vec::new());
            }
        }
    }

    pub fn is_busy(&self) -> bool {
        self.pending.with(Option::is_some)
    }

    pub fn reload_list(&self) {
        self.list_version.update(|v| *v += 1);
    }
}

impl Default for ChatContext {
    fn default() -> Self {
        Self::new()
    }
}
