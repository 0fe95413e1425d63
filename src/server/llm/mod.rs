//! Model providers behind one object-safe trait. The chat turn only sees [`ChatProvider`] and the [`Catalog`] of
//! configured providers; which API or local model answers is configuration.

mod catalog;
pub mod connections;
#[cfg(feature = "embedded-model")]
pub mod embedded;
pub mod health;
mod openai;
pub mod provider_config;
mod request_body;

use std::{pin::Pin, sync::Arc};

use async_trait::async_trait;
use futures::Stream;

pub use catalog::{model_key, Candidate, Catalog, ProviderEntry, Timeouts};
pub use openai::OpenAiCompatible;

use crate::model::{Role, Usage};

/// A message of the conversation as the prompt builder sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptMessage {
    pub role: PromptRole,
    /// Shared, not copied: every answer's prompt holds the same instructions, and a prompt is kept for the whole
    /// answer in case another provider has to take over.
    pub content: Arc<str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptRole {
    System,
    User,
    Assistant,
}

impl From<Role> for PromptRole {
    fn from(role: Role) -> Self {
        match role {
            Role::User => PromptRole::User,
            Role::Assistant => PromptRole::Assistant,
        }
    }
}

/// What the turn asks a provider for.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    pub messages: Vec<PromptMessage>,
    pub max_tokens: u32,
    pub temperature: f32,
    /// Functions the model may call (OpenAI function calling), and the calls it already made in this answer.
    pub tools: Option<Tools>,
}

impl ChatRequest {
    /// A short side request (a title, follow-ups, a search query): fixed instructions, then one user message.
    pub fn instructed(
        instructions: &str,
        content: String,
        max_tokens: u32,
        temperature: f32,
    ) -> Self {
        ChatRequest {
            messages: vec![
                PromptMessage {
                    role: PromptRole::System,
                    content: instructions.into(),
                },
                PromptMessage {
                    role: PromptRole::User,
                    content: content.into(),
                },
            ],
            max_tokens,
            temperature,
            tools: None,
        }
    }
}

/// The tools offered to a model and the rounds of calls it made, with their results, in order.
#[derive(Clone, Debug)]
pub struct Tools {
    /// The OpenAI `tools` array: one `{"type": "function", "function": {...}}` per tool.
    pub definitions: Arc<serde_json::Value>,
    pub rounds: Vec<ToolRound>,
}

/// One assistant turn of tool calls and the results Tally sent back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolRound {
    pub calls: Vec<ToolCall>,
    /// The result of each call, in the order of `calls`.
    pub results: Vec<String>,
}

/// A function call the model made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// JSON text, as the model wrote it.
    pub arguments: String,
}

/// A piece of a streamed answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ChatChunk {
    Token(String),
    /// Sent once, at the end, when the provider reports usage.
    Usage(Usage),
    /// A piece of a function call: the `index`-th call's id and name arrive first, its arguments in parts.
    ToolCall {
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
    },
}

pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<ChatChunk, ProviderError>> + Send>>;

/// Why a provider could not answer. `is_unavailable` errors happen before any token and are worth a fallback.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("could not reach the provider: {0}")]
    Connect(String),
    #[error("the provider answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the provider sent something unreadable: {0}")]
    Malformed(String),
    #[error("the stream broke: {0}")]
    Stream(String),
    #[error("no token within {0} seconds")]
    Timeout(u64),
    /// A local model that cannot take more work right now, or could not be loaded.
    #[error("the model is unavailable: {0}")]
    Unavailable(String),
}

impl ProviderError {
    /// The code shown to the user and stored in logs.
    pub fn code(&self) -> &'static str {
        match self {
            ProviderError::Connect(_) => "provider_unavailable",
            ProviderError::Status { status: 429, .. } => "provider_rate_limited",
            ProviderError::Status { .. } => "provider_error",
            ProviderError::Malformed(_) => "provider_malformed",
            ProviderError::Stream(_) => "provider_stream_broken",
            ProviderError::Timeout(_) => "provider_timeout",
            ProviderError::Unavailable(_) => "provider_unavailable",
        }
    }

    /// Whether another provider should get the question when this error happens before the first token: the
    /// provider is unreachable, overloaded or broken (connect errors, 5xx, 429, timeouts). A request the provider
    /// rejected (400, 401, 404) would be rejected again elsewhere or is a configuration error worth surfacing.
    pub fn warrants_fallback(&self) -> bool {
        match self {
            ProviderError::Connect(_)
            | ProviderError::Timeout(_)
            | ProviderError::Stream(_)
            | ProviderError::Unavailable(_) => true,
            ProviderError::Status { status, .. } => *status == 429 || *status >= 500,
            ProviderError::Malformed(_) => false,
        }
    }

    /// A few words for the quiet note under an answer that another provider wrote ("... because X was {reason}"),
    /// in the answer's language.
    pub fn short_reason(&self, texts: &'static crate::i18n::ChatTexts) -> &'static str {
        match self {
            ProviderError::Connect(_) | ProviderError::Unavailable(_) => texts.reason_unavailable,
            ProviderError::Status { status: 429, .. } => texts.reason_rate_limited,
            ProviderError::Status { .. } | ProviderError::Stream(_) => texts.reason_failing,
            ProviderError::Malformed(_) => texts.reason_unreadable,
            ProviderError::Timeout(_) => texts.reason_too_slow,
        }
    }

    pub fn user_message(&self) -> &'static str {
        match self {
            ProviderError::Connect(_) => {
                "The AI model could not be reached. Please try again in a moment."
            }
            ProviderError::Status { status: 429, .. } => {
                "The AI model is busy right now (rate limited). Please try again in a minute."
            }
            ProviderError::Status { .. } => "The AI model returned an error. Please try again.",
            ProviderError::Malformed(_) => {
                "The AI model sent a reply we could not read. Please try again."
            }
            ProviderError::Stream(_) => {
                "The connection to the AI model broke off mid-answer. Please try again."
            }
            ProviderError::Timeout(_) => "The AI model took too long to answer. Please try again.",
            ProviderError::Unavailable(_) => {
                "The AI model is unavailable right now. Please try again in a moment."
            }
        }
    }
}

#[async_trait]
pub trait ChatProvider: Send + Sync + 'static {
    /// Starts an answer from `model`. Errors returned here happened before the first token; so did any error the
    /// stream yields before its first [`ChatChunk::Token`].
    async fn stream(&self, model: &str, request: ChatRequest)
        -> Result<ChunkStream, ProviderError>;
}

/// The whole text of a short, non-streamed request (follow-ups, titles): `None` if the provider fails or `deadline`
/// passes first.
/// Asks `candidate` a side request and reads its answer with `parse`; `None` when the request fails, outlasts
/// `deadline` or `parse` finds nothing usable (logged at debug level as `what`).
pub async fn ask_parsed<T>(
    candidate: &Candidate,
    request: ChatRequest,
    deadline: std::time::Duration,
    parse: impl FnOnce(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let text = collect_text(candidate, request, deadline).await?;
    let parsed = parse(&text);
    if parsed.is_none() {
        tracing::debug!(output = %text, "unusable {what}");
    }
    parsed
}

pub async fn collect_text(
    candidate: &Candidate,
    request: ChatRequest,
    deadline: std::time::Duration,
) -> Option<String> {
    use futures::StreamExt;
    let work = async {
        let mut chunks = candidate
            .provider
            .stream(&candidate.model, request)
            .await
            .ok()?;
        let mut text = String::new();
        while let Some(chunk) = chunks.next().await {
            if let ChatChunk::Token(token) = chunk.ok()? {
                text.push_str(&token);
            }
        }
        Some(text)
    };
    tokio::time::timeout(deadline, work).await.ok()?
}
