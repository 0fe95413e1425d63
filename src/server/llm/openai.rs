//! Any OpenAI-compatible chat-completions API (OpenAI, Gemini's and Anthropic's compatible endpoints, Groq, Ollama,
//! vLLM, llama.cpp server), through async-openai with a configurable base URL.

use async_openai::{
    config::{Config, OpenAIConfig},
    error::WrappedError,
};
use async_trait::async_trait;
use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::StreamExt;

use super::{
    connections::{ConnectionSettings, Connections},
    request_body::RequestBody,
    ChatChunk, ChatProvider, ChatRequest, ChunkStream, ProviderError,
};
use crate::model::Usage;

/// The error types and the authentication are async-openai's; the request body is written and the stream read
/// here. async-openai
/// reads each stream in a task of its own that hands events over through an unbounded queue: 5 KiB and a task per
/// streaming answer, and no backpressure from a slow browser.
pub struct OpenAiCompatible {
    config: OpenAIConfig,
    connections: Connections<reqwest::Client>,
}

impl OpenAiCompatible {
    pub fn new(base_url: &str, api_key: &str, settings: ConnectionSettings) -> Self {
        let config = OpenAIConfig::new()
            .with_api_base(base_url.trim_end_matches('/'))
            .with_api_key(api_key);
        // No retries (async-openai's client retries 429, 5xx and connect errors three times with backoff): a failing
        // provider should hand the question to the next one now, not after seconds.
        let connections = Connections::new(settings.streams_per_connection, move || {
            settings.http_client()
        });
        OpenAiCompatible {
            config,
            connections,
        }
    }
}

/// The part of a streamed chat-completion chunk Tally reads; parsing skips the fields nobody reads. Some providers
/// report a failure mid-stream as a chunk with an `error` object.
#[derive(Debug, serde::Deserialize)]
struct StreamChunk {
    #[serde(default)]
    choices: Vec<StreamChoice>,
    usage: Option<StreamUsage>,
    error: Option<async_openai::error::ApiError>,
}

#[derive(Debug, serde::Deserialize)]
struct StreamChoice {
    delta: StreamDelta,
}

#[derive(Debug, serde::Deserialize)]
struct StreamDelta {
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Debug, serde::Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: usize,
    id: Option<String>,
    function: Option<FunctionDelta>,
}

#[derive(Debug, serde::Deserialize)]
struct FunctionDelta {
    name: Option<String>,
    arguments: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct StreamUsage {
    prompt_tokens: u32,
    completion_tokens: u32,
}

/// What a provider said when it refused the request: its JSON error message, or the start of whatever it sent.
async fn refusal(response: reqwest::Response) -> ProviderError {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    let message = match serde_json::from_slice::<WrappedError>(&body) {
        Ok(wrapped) => wrapped.error.message,
        Err(_) => String::from_utf8_lossy(&body).chars().take(300).collect(),
    };
    ProviderError::Status { status, message }
}

/// The chunks one server-sent event carries: tokens and, at the end, usage.
fn chunks_of(
    event: Result<Event, EventStreamError<reqwest::Error>>,
) -> Vec<Result<ChatChunk, ProviderError>> {
    let event = match event {
        Ok(event) => event,
        Err(error) => return vec![Err(ProviderError::Stream(error.to_string()))],
    };
    if event.event == "keepalive" {
        return Vec::new();
    }
    let chunk = match serde_json::from_str::<StreamChunk>(&event.data) {
        Ok(chunk) => chunk,
        Err(error) => return vec![Err(ProviderError::Malformed(error.to_string()))],
    };
    if let Some(error) = chunk.error {
        return vec![Err(ProviderError::Stream(error.message))];
    }
    let mut out = Vec::new();
    for choice in chunk.choices {
        if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
            out.push(Ok(ChatChunk::Token(text)));
        }
        for call in choice.delta.tool_calls {
            let (name, arguments) = call
                .function
                .map_or((None, None), |f| (f.name, f.arguments));
            out.push(Ok(ChatChunk::ToolCall {
                index: call.index,
                id: call.id,
                name,
                arguments: arguments.unwrap_or_default(),
            }));
        }
    }
    if let Some(usage) = chunk.usage {
        out.push(Ok(ChatChunk::Usage(Usage {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            estimated: false,
        })));
    }
    out
}

#[async_trait]
impl ChatProvider for OpenAiCompatible {
    async fn stream(
        &self,
        model: &str,
        request: ChatRequest,
    ) -> Result<ChunkStream, ProviderError> {
        let body = serde_json::to_vec(&RequestBody::new(model, &request))
            .map_err(|e| ProviderError::Malformed(e.to_string()))?;
        let (http, lease) = self.connections.acquire();
        let response = http
            .post(self.config.url("/chat/completions"))
            .headers(self.config.headers())
            .query(&self.config.query())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|error| ProviderError::Connect(error.to_string()))?;
        if !response.status().is_success() {
            // Some OpenAI-compatible servers (older Ollama and llama.cpp builds) refuse `tools` with a 400: answer
            // without them rather than fail, so the question still gets its grounded answer.
            if response.status() == reqwest::StatusCode::BAD_REQUEST && request.tools.is_some() {
                tracing::info!(
                    model,
                    "the provider refused the calculator tools; asking again without them"
                );
                drop(lease);
                return self
                    .stream(
                        model,
                        ChatRequest {
                            tools: None,
                            ..request
                        },
                    )
                    .await;
            }
            return Err(refusal(response).await);
        }
        let chunks = response
            .bytes_stream()
            .eventsource()
            .take_while(|event| {
                let done = matches!(event, Ok(event) if event.data == "[DONE]");
                futures::future::ready(!done)
            })
            .flat_map(move |event| {
                // The stream holds its place on the connection until it ends or is dropped.
                let _holds = &lease;
                futures::stream::iter(chunks_of(event))
            });
        Ok(Box::pin(chunks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> Result<Event, EventStreamError<reqwest::Error>> {
        Ok(Event {
            data: data.into(),
            ..Event::default()
        })
    }

    #[test]
    fn a_chunk_gives_its_tokens_then_its_usage() {
        let chunks = chunks_of(event(
            r#"{"choices":[{"delta":{"content":"Hel"}},{"delta":{"content":""}}],
                "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15},"id":"x"}"#,
        ));
        let chunks: Vec<_> = chunks.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            chunks,
            vec![
                ChatChunk::Token("Hel".into()),
                ChatChunk::Usage(Usage {
                    prompt_tokens: 12,
                    completion_tokens: 3,
                    estimated: false
                })
            ]
        );
    }

    #[test]
    fn an_error_sent_mid_stream_breaks_the_stream_with_its_message() {
        let chunks = chunks_of(event(
            r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#,
        ));
        match chunks.as_slice() {
            [Err(ProviderError::Stream(message))] => {
                assert!(message.contains("server had an error"))
            }
            other => panic!("expected one stream error, got {other:?}"),
        }
    }

    #[test]
    fn unreadable_data_is_malformed_and_keepalives_are_skipped() {
        assert!(matches!(
            chunks_of(event("{not json")).as_slice(),
            [Err(ProviderError::Malformed(_))]
        ));
        let keepalive = Ok(Event {
            event: "keepalive".into(),
            ..Event::default()
        });
        assert!(chunks_of(keepalive).is_empty());
    }
}
