//! Any OpenAI-compatible chat-completions API (OpenAI, Gemini's and Anthropic's compatible endpoints, Groq, Ollama,
//! vLLM, llama.cpp server), through async-openai with a configurable base URL.

use async_openai::{
    config::OpenAIConfig,
    error::OpenAIError,
    middleware::ReqwestService,
    types::chat::{
        ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
        ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
        ChatCompletionRequestSystemMessageContent, ChatCompletionRequestUserMessage,
        ChatCompletionRequestUserMessageContent, ChatCompletionStreamOptions,
        CreateChatCompletionRequest,
    },
    Client,
};
use async_trait::async_trait;
use futures::StreamExt;

use super::{
    connections::{ConnectionSettings, Connections},
    ChatChunk, ChatProvider, ChatRequest, ChunkStream, ProviderError,
};
use crate::{
    model::Usage,
    server::prompt::{PromptMessage, PromptRole},
};

pub struct OpenAiCompatible {
    connections: Connections<Client<OpenAIConfig>>,
}

impl OpenAiCompatible {
    pub fn new(base_url: &str, api_key: &str, settings: ConnectionSettings) -> Self {
        let config = OpenAIConfig::new()
            .with_api_base(base_url.trim_end_matches('/'))
            .with_api_key(api_key);
        let connections = Connections::new(settings.streams_per_connection, move || {
            let http = settings.http_client();
            // No retries inside the client (its default retries 429, 5xx and connect errors three times with
            // backoff): a failing provider should hand the question to the next one now, not after seconds.
            Client::with_config(config.clone())
                .with_http_client(http.clone())
                .with_http_service(ReqwestService::new(http))
        });
        OpenAiCompatible { connections }
    }
}

fn to_openai(message: &PromptMessage) -> ChatCompletionRequestMessage {
    let content = message.content.clone();
    match message.role {
        PromptRole::System => {
            ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
                content: ChatCompletionRequestSystemMessageContent::Text(content),
                name: None,
            })
        }
        PromptRole::User => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Text(content),
            name: None,
        }),
        #[allow(deprecated)]
        PromptRole::Assistant => {
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content: Some(ChatCompletionRequestAssistantMessageContent::Text(content)),
                ..Default::default()
            })
        }
    }
}

/// The part of a streamed chat-completion chunk Tally reads. async-openai queues each stream's chunks in blocks of
/// 32 until the answer takes them; its full response type made that block 12 KiB per streaming answer, this one
/// about a third of it (the error type is now the larger side), and parsing skips the fields nobody reads.
#[derive(Debug, serde::Deserialize)]
struct StreamChunk {
    #[serde(default)]
    choices: Vec<StreamChoice>,
    usage: Option<StreamUsage>,
}

#[derive(Debug, serde::Deserialize)]
struct StreamChoice {
    delta: StreamDelta,
}

#[derive(Debug, serde::Deserialize)]
struct StreamDelta {
    content: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct StreamUsage {
    prompt_tokens: u32,
    completion_tokens: u32,
}

fn map_error(error: OpenAIError) -> ProviderError {
    match error {
        OpenAIError::Reqwest(e) => ProviderError::Connect(e.to_string()),
        OpenAIError::ApiError(response) => ProviderError::Status {
            status: response.status_code.as_u16(),
            message: response.api_error.message,
        },
        OpenAIError::JSONDeserialize(e, _) => ProviderError::Malformed(e.to_string()),
        OpenAIError::StreamError(e) => ProviderError::Stream(e.to_string()),
        other => ProviderError::Stream(other.to_string()),
    }
}

#[async_trait]
impl ChatProvider for OpenAiCompatible {
    async fn stream(
        &self,
        model: &str,
        request: ChatRequest,
    ) -> Result<ChunkStream, ProviderError> {
        #[allow(deprecated)]
        let body = CreateChatCompletionRequest {
            model: model.to_string(),
            messages: request.messages.iter().map(to_openai).collect(),
            max_completion_tokens: Some(request.max_tokens),
            temperature: Some(request.temperature),
            stream: Some(true),
            stream_options: Some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        let (client, lease) = self.connections.acquire();
        let upstream = client
            .chat()
            .create_stream_byot::<_, StreamChunk>(body)
            .await
            .map_err(map_error)?;
        let chunks = upstream.flat_map(move |item| {
            let out: Vec<Result<ChatChunk, ProviderError>> = match item {
                Ok(response) => {
                    let mut out = Vec::new();
                    for choice in response.choices {
                        if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
                            out.push(Ok(ChatChunk::Token(text)));
                        }
                    }
                    if let Some(usage) = response.usage {
                        out.push(Ok(ChatChunk::Usage(Usage {
                            prompt_tokens: usage.prompt_tokens,
                            completion_tokens: usage.completion_tokens,
                            estimated: false,
                        })));
                    }
                    out
                }
                Err(error) => vec![Err(map_error(error))],
            };
            // The stream holds its place on the connection until it ends or is dropped.
            let _holds = &lease;
            futures::stream::iter(out)
        });
        Ok(Box::pin(chunks))
    }
}
