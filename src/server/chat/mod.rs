//! Chat: the turn (validate, store, stream, checkpoint, finish), the prompt the model reads, follow-up questions and
//! titles, and the conversations a guest or user keeps (list, open, rename, pin, archive, search, export, share).

pub mod ask_form;
pub mod branches;
pub mod conversations;
pub mod create;
pub mod export;
pub mod follow_ups;
pub mod markdown;
pub mod pdf;
pub mod pii;
pub mod prompt;
pub mod search_query;
pub mod sharing;
pub mod titles;
pub mod turn;
pub mod usage;
pub mod validation;

use std::{collections::HashMap, ops::Deref, sync::Arc, sync::Mutex, time::Duration};

use tokio_util::{sync::CancellationToken, task::TaskTracker};
use uuid::Uuid;

use super::{identity::limits::Limits, llm::Catalog, store::Store, tax::Tax};

/// What the chat needs to run turns and serve conversations: the narrow handles `AppState` hands it. Cheap to clone
/// (one `Arc`), so every answer task owns one.
#[derive(Clone)]
pub struct Chat(Arc<ChatParts>);

pub struct ChatParts {
    pub store: Arc<dyn Store>,
    /// The configured providers in fallback order; empty when none is, and turns then fail with a clear message.
    pub catalog: Arc<Catalog>,
    /// The knowledge base and calculators every tax answer is grounded on.
    pub tax: Arc<Tax>,
    /// The tier limits every turn is checked against, and the counters they keep.
    pub limits: Arc<Limits>,
    /// Estimated cost per model, for usage accounting.
    pub prices: usage::Prices,
    /// Each provider's attempts and failures over the last hour (the admin dashboard).
    pub provider_health: crate::server::llm::health::ProviderHealth,
    /// Partial answers waiting for the next checkpoint pass.
    pub checkpoints: turn::Checkpoints,
    /// Answers being written right now, so Stop and late readers can reach them. Keyed by assistant message id.
    pub active_turns: Mutex<HashMap<Uuid, turn::LiveTurn>>,
    /// Cancelled on shutdown; every turn's token is a child of it.
    pub shutdown: CancellationToken,
    /// Answer tasks, so shutdown can wait until each has stored its final state.
    pub tasks: TaskTracker,
    pub settings: ChatSettings,
}

/// The configuration a turn reads.
#[derive(Clone, Debug)]
pub struct ChatSettings {
    pub max_answer_tokens: u32,
    pub checkpoint_interval: Duration,
    /// How long an answer goes on being written with nobody reading it (a reload, a phone between networks).
    pub answer_grace: Duration,
}

impl Chat {
    pub fn new(parts: ChatParts) -> Self {
        Chat(Arc::new(parts))
    }
}

impl Deref for Chat {
    type Target = ChatParts;

    fn deref(&self) -> &ChatParts {
        &self.0
    }
}
