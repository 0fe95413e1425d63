//! App-wide chat state, provided once as context. It lives above the routes so an answer keeps streaming while the
//! URL changes from `/` to the new conversation's `/c/{id}`.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;

use crate::model::{ApiError, ChatMessage, ConversationDetail, MessageStatus, Role};

static NEXT_TURN: AtomicU64 = AtomicU64::new(1);

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
    /// The stamp, sources and calculations the answer is grounded on, shown from before its first token.
    pub grounding: ArcRwSignal<Option<crate::model::tax::Grounding>>,
    /// Stop was pressed before the server named the answer; stop it as soon as it does.
    pub stop_requested: bool,
}

impl PendingTurn {
    /// A turn this page starts now: the question is shown at once, the rest comes from the server.
    pub fn asked(question: String) -> Self {
        PendingTurn {
            turn_id: NEXT_TURN.fetch_add(1, Ordering::Relaxed),
            question,
            user_message: None,
            assistant_message_id: None,
            text: ArcRwSignal::new(String::new()),
            notice: ArcRwSignal::new(None),
            grounding: ArcRwSignal::new(None),
            stop_requested: false,
        }
    }

    /// An answer still being written when the conversation was opened (after a reload, in another tab or on another
    /// device, or after the question was posted as a plain form): its last two messages become the turn again,
    /// showing the text stored so far until the page reads the live answer.
    fn still_streaming(messages: &mut Vec<ChatMessage>) -> Option<Self> {
        let streaming = messages
            .last()
            .is_some_and(|m| m.role == Role::Assistant && m.status == MessageStatus::Streaming);
        if !streaming {
            return None;
        }
        let answer = messages.pop()?;
        let question = if messages.last().is_some_and(|m| m.role == Role::User) {
            messages.pop()
        } else {
            None
        };
        let mut turn = PendingTurn::asked(
            question
                .as_ref()
                .map(|q| q.content.clone())
                .unwrap_or_default(),
        );
        turn.user_message = question;
        turn.assistant_message_id = Some(answer.id);
        turn.text = ArcRwSignal::new(answer.content);
        turn.grounding = ArcRwSignal::new(answer.grounding);
        turn.notice = ArcRwSignal::new(answer.notice);
        Some(turn)
    }
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
    /// The newest message's id: what the latest-answer controls and the scroll to the bottom follow, without
    /// every bubble watching the whole list (a page of earlier messages leaves it as it is).
    pub last_message_id: Memo<Option<String>>,
    /// Where the log's boxes of messages start (message ids, oldest first; see `chat::messages::MessageBoxes`).
    pub box_starts: RwSignal<Vec<String>>,
    pub pending: RwSignal<Option<PendingTurn>>,
    pub error: RwSignal<Option<TurnError>>,
    /// Text in the composer; restored when a question could not be sent.
    pub draft: RwSignal<String>,
    /// Older messages of the shown conversation exist on the server (it opened with its latest page).
    pub has_earlier: RwSignal<bool>,
    /// The model chosen in the "Model" selector (`provider/model`); `None` means the server's default.
    pub model: RwSignal<Option<String>>,
    /// Bumped to reload the sidebar.
    pub list_version: RwSignal<u32>,
    /// An answer shown as it stood when the conversation was opened, still being written: the page attaches to it.
    pub resume: RwSignal<Option<String>>,
    /// The narrow-screen drawer with the conversation list.
    pub drawer_open: RwSignal<bool>,
    /// The wasm has taken over the page. Until then the server-rendered forms work as plain posts.
    pub hydrated: RwSignal<bool>,
}

impl ChatContext {
    pub fn new() -> Self {
        browser::keep_text_typed_before_hydration();
        let messages = RwSignal::new(Vec::<ChatMessage>::new());
        ChatContext {
            conversation_id: RwSignal::new(None),
            title: RwSignal::new(String::new()),
            messages,
            box_starts: RwSignal::new(Vec::new()),
            last_message_id: Memo::new(move |_| messages.with(|m| m.last().map(|m| m.id.clone()))),
            pending: RwSignal::new(None),
            error: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            model: RwSignal::new(None),
            has_earlier: RwSignal::new(false),
            list_version: RwSignal::new(0),
            resume: RwSignal::new(None),
            drawer_open: RwSignal::new(false),
            hydrated: RwSignal::new(false),
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
        let typed = browser::text_typed_before_hydration(id.as_deref());
        self.draft
            .set(typed.unwrap_or_else(|| browser::load_draft(id.as_deref())));
        self.conversation_id.set(id);
        match detail {
            Some(detail) => {
                browser::remember_last_conversation(Some(&detail.id));
                self.title.set(detail.title);
                self.model.set(detail.model_key.or_else(preferred_model));
                self.has_earlier.set(detail.has_earlier);
                let mut messages = detail.messages;
                let still_streaming = PendingTurn::still_streaming(&mut messages);
                self.resume.set(
                    still_streaming
                        .as_ref()
                        .and_then(|turn| turn.assistant_message_id.clone()),
                );
                self.pending.set(still_streaming);
                self.box_starts.set(box_starts(&messages));
                self.messages.set(messages);
            }
            None => {
                self.resume.set(None);
                self.title.set(String::new());
                self.model.set(preferred_model());
                self.has_earlier.set(false);
                self.box_starts.set(Vec::new());
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

pub use browser::{
    forget_last_conversation, last_conversation_on_return, preferred_model, remember_model,
    save_draft,
};

/// What this browser remembers between visits, in `localStorage` (never sent to the server). On the server every
/// read is empty and every write does nothing.
mod browser {
    const MODEL_KEY: &str = "tally.model";
    const LAST_KEY: &str = "tally.last";
    const DRAFT_PREFIX: &str = "tally.draft.";
    /// Set in `sessionStorage` once this tab has opened Tally, so only a return visit reopens the last conversation.
    const VISITED_KEY: &str = "tally.visited";

    #[cfg(feature = "hydrate")]
    fn local() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    #[cfg(feature = "hydrate")]
    fn get(key: &str) -> Option<String> {
        local()?.get_item(key).ok()?
    }

    #[cfg(feature = "hydrate")]
    fn set(key: &str, value: Option<&str>) {
        if let Some(storage) = local() {
            let _ = match value {
                Some(value) => storage.set_item(key, value),
                None => storage.remove_item(key),
            };
        }
    }

    #[cfg(not(feature = "hydrate"))]
    fn get(_key: &str) -> Option<String> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    fn set(_key: &str, _value: Option<&str>) {}

    fn draft_key(conversation_id: Option<&str>) -> String {
        format!("{DRAFT_PREFIX}{}", conversation_id.unwrap_or("new"))
    }

    /// The model last picked in this browser, which new conversations start with.
    pub fn preferred_model() -> Option<String> {
        get(MODEL_KEY)
    }

    pub fn remember_model(key: &str) {
        set(MODEL_KEY, Some(key));
    }

    /// The unsent text of a conversation (or of a new chat), kept while the user looks elsewhere.
    pub fn load_draft(conversation_id: Option<&str>) -> String {
        get(&draft_key(conversation_id)).unwrap_or_default()
    }

    pub fn save_draft(conversation_id: Option<&str>, text: &str) {
        let key = draft_key(conversation_id);
        set(&key, (!text.trim().is_empty()).then_some(text));
    }

    #[cfg(feature = "hydrate")]
    thread_local! {
        static TYPED_BEFORE_HYDRATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }

    /// Keeps what was typed into the server-rendered composer before the wasm arrived, before hydration sets the
    /// composer to the saved draft. Called once, as the app starts in the browser.
    pub fn keep_text_typed_before_hydration() {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let typed = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("composer"))
                .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .map(|composer| composer.value())
                .filter(|text| !text.trim().is_empty());
            TYPED_BEFORE_HYDRATION.with(|kept| *kept.borrow_mut() = typed);
        }
    }

    /// That text, once: the first conversation shown starts with it in the composer (and saves it as its draft).
    pub fn text_typed_before_hydration(conversation_id: Option<&str>) -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            let typed = TYPED_BEFORE_HYDRATION.with(|kept| kept.borrow_mut().take());
            if let Some(text) = &typed {
                save_draft(conversation_id, text);
            }
            typed
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = conversation_id;
            None
        }
    }

    pub fn remember_last_conversation(id: Option<&str>) {
        set(LAST_KEY, id);
    }

    pub fn forget_last_conversation() {
        set(LAST_KEY, None);
    }

    /// The conversation to reopen when someone comes back: only on the first page of a new visit (a tab that has
    /// not shown Tally yet), so "New chat" and reloads stay where they are.
    pub fn last_conversation_on_return() -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            let session = web_sys::window()?.session_storage().ok()??;
            let returning = session.get_item(VISITED_KEY).ok()?.is_none();
            let _ = session.set_item(VISITED_KEY, "1");
            if returning {
                return get(LAST_KEY);
            }
        }
        let _ = VISITED_KEY;
        None
    }
}

impl Default for ChatContext {
    fn default() -> Self {
        Self::new()
    }
}

/// Messages per box of the log. Small enough that a box coming into view lays out in one short task, large enough
/// that the browser watches few of them (it checks every `content-visibility: auto` box on every scrolled frame).
pub const MESSAGES_PER_BOX: usize = 25;

/// Where the boxes of `messages` (a page, oldest first) start: every [`MESSAGES_PER_BOX`]th message.
pub fn box_starts(messages: &[ChatMessage]) -> Vec<String> {
    messages
        .iter()
        .step_by(MESSAGES_PER_BOX)
        .map(|m| m.id.clone())
        .collect()
}
