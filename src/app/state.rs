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
    /// Set when the chosen model was unavailable and another one is answering.
    pub notice: ArcRwSignal<Option<String>>,
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
    /// The model chosen in the "Model" selector (`provider/model`); `None` means the server's default.
    pub model: RwSignal<Option<String>>,
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
            model: RwSignal::new(None),
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
                self.model.set(detail.model_key.or_else(preferred_model));
                self.messages.set(detail.messages);
            }
            None => {
                self.title.set(String::new());
                self.model.set(preferred_model());
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

#[cfg(feature = "hydrate")]
const MODEL_PREFERENCE_KEY: &str = "tally.model";

/// The model last picked in this browser, which new conversations start with.
pub fn preferred_model() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let storage = web_sys::window()?.local_storage().ok()??;
        storage.get_item(MODEL_PREFERENCE_KEY).ok()?
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

pub fn remember_model(key: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(MODEL_PREFERENCE_KEY, key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}

impl Default for ChatContext {
    fn default() -> Self {
        Self::new()
    }
}
