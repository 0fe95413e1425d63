//! Model providers behind one object-safe trait. The chat turn only sees [`ChatProvider`]; which API or local model
//! answers is configuration.

mod openai;

use std::pin::Pin;

use async_trait::async_trait;
use futures::Stream;

pub use openai::OpenAiCompatible;

use crate::{model::Usage, server::prompt::PromptMessage};

/// What the turn asks a provider for.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    pub messages: Vec<PromptMessage>,
    pub max_tokens: u32,
    pub temperature: f32,
}

/// A piece of a streamed answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ChatChunk {
    Token(String),
    /// Sent once, at the end, when the provider reports usage.
    Usage(Usage),
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
        }
    }
}

#[async_trait]
pub trait ChatProvider: Send + Sync + 'static {
    /// A short name stored with each answer ("openai", "groq", ...).
    fn name(&self) -> &str;
    /// The model that will answer.
    fn model(&self) -> &str;
    /// Starts an answer. Errors returned here happened before the first token.
    async fn stream(&self, request: ChatRequest) -> Result<ChunkStream, ProviderError>;
}
