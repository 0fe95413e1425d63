//! The chat-completions request body, serialized straight from the prompt it borrows. Building async-openai's
//! request types, then a `serde_json::Value` to add the tools, copied every message and the calculators' schema
//! three times per request before the bytes were written; this writes them once.

use serde::{ser::SerializeSeq, Serialize, Serializer};

use super::{ChatRequest, PromptRole, Tools};

#[derive(Serialize)]
pub(super) struct RequestBody<'a> {
    model: &'a str,
    messages: Messages<'a>,
    max_completion_tokens: u32,
    temperature: f32,
    stream: bool,
    stream_options: StreamOptions,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

impl<'a> RequestBody<'a> {
    pub(super) fn new(model: &'a str, request: &'a ChatRequest) -> Self {
        RequestBody {
            model,
            messages: Messages(request),
            max_completion_tokens: request.max_tokens,
            temperature: request.temperature,
            stream: true,
            stream_options: StreamOptions {
                include_usage: true,
            },
            tools: request.tools.as_ref().map(|tools| &*tools.definitions),
        }
    }
}

/// The conversation, then each round of tool calls already made: an assistant message with its `tool_calls`, then
/// one `tool` message per result.
struct Messages<'a>(&'a ChatRequest);

#[derive(Serialize)]
struct TextMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct CallsMessage<'a> {
    role: &'static str,
    content: Option<&'a str>,
    tool_calls: Vec<WireCall<'a>>,
}

#[derive(Serialize)]
struct WireCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunction<'a>,
}

#[derive(Serialize)]
struct WireFunction<'a> {
    name: &'a str,
    arguments: &'a str,
}

#[derive(Serialize)]
struct ResultMessage<'a> {
    role: &'static str,
    tool_call_id: &'a str,
    content: &'a str,
}

impl Serialize for Messages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let request = self.0;
        let rounds = request
            .tools
            .as_ref()
            .map_or(&[][..], |t: &Tools| &t.rounds);
        let mut seq = serializer.serialize_seq(None)?;
        for message in &request.messages {
            let role = match message.role {
                PromptRole::System => "system",
                PromptRole::User => "user",
                PromptRole::Assistant => "assistant",
            };
            seq.serialize_element(&TextMessage {
                role,
                content: &message.content,
            })?;
        }
        for round in rounds {
            let tool_calls = round
                .calls
                .iter()
                .map(|call| WireCall {
                    id: &call.id,
                    kind: "function",
                    function: WireFunction {
                        name: &call.name,
                        arguments: &call.arguments,
                    },
                })
                .collect();
            seq.serialize_element(&CallsMessage {
                role: "assistant",
                content: None,
                tool_calls,
            })?;
            for (call, result) in round.calls.iter().zip(&round.results) {
                seq.serialize_element(&ResultMessage {
                    role: "tool",
                    tool_call_id: &call.id,
                    content: result,
                })?;
            }
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::server::llm::{PromptMessage, ToolCall, ToolRound};

    fn request(tools: Option<Tools>) -> ChatRequest {
        ChatRequest {
            messages: vec![
                PromptMessage {
                    role: PromptRole::System,
                    content: "rules".into(),
                },
                PromptMessage {
                    role: PromptRole::User,
                    content: "What is \"SE\" tax?".into(),
                },
            ],
            max_tokens: 800,
            temperature: 0.25,
            tools,
        }
    }

    #[test]
    fn a_plain_request_is_the_openai_shape() {
        let request = request(None);
        let body = serde_json::to_value(RequestBody::new("gpt-x", &request)).unwrap();
        assert_eq!(
            body,
            json!({
                "model": "gpt-x",
                "messages": [{"role": "system", "content": "rules"},
                             {"role": "user", "content": "What is \"SE\" tax?"}],
                "max_completion_tokens": 800,
                "temperature": 0.25,
                "stream": true,
                "stream_options": {"include_usage": true}
            })
        );
    }

    #[test]
    fn tools_and_their_rounds_follow_the_conversation() {
        let definitions = json!([{"type": "function", "function": {"name": "se_tax"}}]);
        let request = request(Some(Tools {
            definitions: Arc::new(definitions.clone()),
            rounds: vec![ToolRound {
                calls: vec![ToolCall {
                    id: "call_1".into(),
                    name: "se_tax".into(),
                    arguments: "{\"net_profit\":\"50000\"}".into(),
                }],
                results: vec!["$7,064.78".into()],
            }],
        }));
        let body = serde_json::to_value(RequestBody::new("m", &request)).unwrap();
        assert_eq!(body["tools"], definitions);
        assert_eq!(
            body["messages"][2],
            json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "se_tax", "arguments": "{\"net_profit\":\"50000\"}"}}]})
        );
        assert_eq!(
            body["messages"][3],
            json!({"role": "tool", "tool_call_id": "call_1", "content": "$7,064.78"})
        );
    }
}
