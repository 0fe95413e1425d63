//! Types shared by the browser and the server: what crosses the wire between them.
//!
//! Everything here compiles to wasm, so it holds plain data only; behaviour lives in `server/` or `app/`.

pub mod account;
pub mod admin;
pub mod json;
pub mod share;
pub mod tax;

use serde::{Deserialize, Serialize};

/// The disclaimer shown on the chat page and stored with every answer, word for word from the brief. The page shows
/// it in its own language (`chat.disclaimer` in the catalogue, whose English is this text).
pub const DISCLAIMER: &str =
    "This information is provided for general guidance only and does not constitute legal or \
financial advice. Consult with a qualified tax professional for advice specific to your situation.";

/// The provider name of the offline model that runs inside Tally.
pub const OFFLINE_PROVIDER: &str = "embedded";

/// An input that could not be used, with the field it came from, for the message next to that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "user" => Some(Role::User),
            "assistant" => Some(Role::Assistant),
            _ => None,
        }
    }
}

/// Where a message is in its life (design: the chat turn).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MessageStatus {
    /// The model is still writing it.
    Streaming,
    Complete,
    /// Stopped by the user, a disconnect or a restart; the partial text is kept.
    Interrupted,
    /// The provider failed; any partial text is kept and `error_id` says where to look in the logs.
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Streaming => "streaming",
            MessageStatus::Complete => "complete",
            MessageStatus::Interrupted => "interrupted",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "streaming" => Some(MessageStatus::Streaming),
            "complete" => Some(MessageStatus::Complete),
            "interrupted" => Some(MessageStatus::Interrupted),
            "failed" => Some(MessageStatus::Failed),
            _ => None,
        }
    }
}

/// Tokens a turn used, as the provider reported them or as estimated when it did not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// True when the provider sent no usage and the numbers are our estimate.
    #[serde(default)]
    pub estimated: bool,
}

impl Usage {
    pub fn total(&self) -> u32 {
        self.prompt_tokens + self.completion_tokens
    }

    /// "412 tokens: 380 in, 32 out", the line under every answer.
    pub fn describe(&self) -> String {
        let approx = if self.estimated { "about " } else { "" };
        format!(
            "{approx}{} tokens: {} in, {} out",
            self.total(),
            self.prompt_tokens,
            self.completion_tokens
        )
    }
}

/// One message as the chat shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    pub id: String,
    pub role: Role,
    /// The raw text (markdown for answers).
    pub content: String,
    /// Sanitized HTML rendered on the server from `content`; empty for user messages.
    pub html: String,
    pub status: MessageStatus,
    /// The provider and model that wrote an answer.
    #[serde(default)]
    pub provider: Option<String>,
    pub model: Option<String>,
    pub usage: Option<Usage>,
    pub error_id: Option<String>,
    /// A quiet note about how the answer came to be, e.g. which provider stood in for the chosen one.
    #[serde(default)]
    pub notice: Option<String>,
    /// Three short questions the user might ask next; empty until generated, or when generation failed.
    #[serde(default)]
    pub follow_ups: Vec<String>,
    /// What a tax answer was grounded on: the profile stamp, its sources and calculations, unsupported figures.
    #[serde(default)]
    pub grounding: Option<tax::Grounding>,
    /// How long the answer took, shown under it ("answered in 3.2 s"); `None` while written and for questions.
    #[serde(default)]
    pub timing: Option<AnswerTiming>,
    pub created_at_ms: i64,
    /// Where this message sits among its versions (Regenerate, Edit): `None` when it has none.
    #[serde(default)]
    pub branch: Option<Branch>,
}

/// A message that has other versions: "2 / 3", and the versions before and after it to switch to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Branch {
    /// From 1.
    pub index: u32,
    pub count: u32,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// How long an answer took, from the question being stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerTiming {
    /// Until its first word arrived; `None` when none did.
    pub first_token_ms: Option<i64>,
    /// Until it was complete (or stopped, or failed).
    pub total_ms: i64,
}

impl AnswerTiming {
    /// "answered in 3.2 s" (first word after 0.4 s): seconds with one decimal, whole seconds from a minute up.
    pub fn seconds(ms: i64) -> String {
        if ms >= 60_000 {
            let secs = (ms + 500) / 1000;
            format!("{} min {} s", secs / 60, secs % 60)
        } else {
            let tenths = (ms + 50) / 100;
            format!("{}.{} s", tenths / 10, tenths % 10)
        }
    }
}

/// A line in the sidebar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    /// The last message, cut to one line.
    pub preview: String,
    pub message_count: i64,
    pub updated_at_ms: i64,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub archived: bool,
}

/// One page of the sidebar, and where the next one starts (`None` at the end).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversationPage {
    pub items: Vec<ConversationSummary>,
    pub next: Option<String>,
}

/// A run of text, marked when it matched the search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TextRun {
    pub text: String,
    pub matched: bool,
}

/// A conversation that matches a search, with the passage that matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchResult {
    pub id: String,
    pub title: String,
    pub snippet: Vec<TextRun>,
    pub archived: bool,
}

/// A conversation opened with its messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    pub id: String,
    pub title: String,
    /// The model chosen for this conversation ([`ModelOption::key`]); `None` uses the default.
    pub model_key: Option<String>,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub archived: bool,
    /// The newest messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Older messages exist; `conversations/messages` with `before` = the first message's id loads them.
    #[serde(default)]
    pub has_earlier: bool,
}

/// Older messages of a conversation, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessagePage {
    pub messages: Vec<ChatMessage>,
    pub has_earlier: bool,
}

/// A model the user can pick in the "Model" selector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelOption {
    /// `provider/model`, what a turn request names.
    pub key: String,
    /// What the selector shows.
    pub label: String,
    /// Runs inside Tally: nothing leaves the machine.
    pub offline: bool,
}

/// The models configured on this server, in fallback order, and the one new conversations start with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelChoices {
    pub models: Vec<ModelOption>,
    pub default_key: Option<String>,
}

/// What the browser sends to start a turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TurnRequest {
    /// `None` starts a new conversation.
    pub conversation_id: Option<String>,
    pub content: String,
    /// The model to ask ([`ModelOption::key`]); `None` keeps the conversation's choice or the default.
    #[serde(default)]
    pub model: Option<String>,
    /// Regenerate: the latest answer (its id) to ask again; the question stays, `content` is not read. The earlier
    /// answer stays reachable as another version.
    #[serde(default)]
    pub regenerate: Option<String>,
    /// Edit: the question (its id) `content` replaces; the conversation goes on from there, and the earlier
    /// question with everything after it stays reachable as another version.
    #[serde(default)]
    pub edit: Option<String>,
}

/// One event of a streamed turn. The server writes them as JSON lines; the browser reads them back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TurnEvent {
    /// The user message is stored and the answer has begun.
    Started {
        conversation_id: String,
        title: String,
        /// Boxed, like `Finished::message`: every event of an answer, tokens included, is as large as the largest
        /// variant, and a streaming answer queues them in blocks of 32.
        user_message: Box<ChatMessage>,
        assistant_message_id: String,
        model: String,
    },
    /// What the answer is grounded on (stamp, sources, calculations), sent before its first token.
    Grounded {
        message_id: String,
        grounding: Box<tax::Grounding>,
    },
    /// A piece of the answer, in order.
    Token { text: String },
    /// The chosen model failed before its first token and another one is answering instead.
    Rerouted { model: String, notice: String },
    /// A quiet note to show under the answer while it is written (what was taken out of the question before a
    /// model read it); the finished message carries it too.
    Noted { notice: String },
    /// The turn ended (complete, stopped or failed); the message is final as stored.
    Finished {
        message: Box<ChatMessage>,
        error: Option<ApiError>,
    },
    /// The conversation got a title written from its first exchange.
    Titled {
        conversation_id: String,
        title: String,
    },
    /// Suggested next questions for the finished answer (sent after `Finished`, only when there are exactly three).
    FollowUps {
        message_id: String,
        questions: Vec<String>,
    },
}

/// The body of `POST /api/v1/answer`: one question, answered in one JSON reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerRequest {
    pub question: String,
    /// Continue this conversation (it must belong to the caller); `None` starts a new one.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// [`ModelOption::key`]; `None` uses the conversation's or the server's default.
    #[serde(default)]
    pub model: Option<String>,
}

/// The reply of `POST /api/v1/answer`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerResponse {
    pub answer: String,
    pub usage: Usage,
    pub disclaimer: String,
    pub follow_ups: Vec<String>,
    /// The passages the answer cites as [1], [2], ... (title, publication, tax year, link).
    pub sources: Vec<tax::Source>,
    /// Calculator results the answer used, cited after the passages.
    #[serde(default)]
    pub calculations: Vec<tax::CalculationResult>,
    /// "Tax year 2025 · US federal · Sole proprietor": the profile the answer assumed.
    #[serde(default)]
    pub tax_stamp: Option<String>,
    /// Figures in the answer found in none of its sources.
    #[serde(default)]
    pub unsupported_figures: Vec<String>,
    /// The provider and model that actually answered (after any fallback).
    pub provider: String,
    pub model: String,
    pub notice: Option<String>,
    pub conversation_id: String,
    pub message_id: String,
    pub correlation_id: String,
}

/// An error the user sees: a stable code, a plain-language message and the id to quote to support.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} (ref {correlation_id})")]
pub struct ApiError {
    /// Machine-readable, stable: `validation_empty`, `rate_limited`, `provider_unavailable`, ...
    pub code: String,
    pub message: String,
    pub correlation_id: String,
    /// Seconds to wait before retrying, when the error is a rate limit.
    pub retry_after_secs: Option<u64>,
}

impl leptos::server_fn::error::FromServerFnError for ApiError {
    type Encoder = json::JsonText;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        // A body the server cannot read is the client's mistake: 400 with the usual shape, not a 500.
        #[cfg(feature = "ssr")]
        if let Some(error) = crate::server::error::unreadable_request(&value) {
            return error;
        }
        let detail = value.to_string();
        let template = crate::i18n::Lang::current().texts().errors.request_failed;
        ApiError {
            code: "request_failed".into(),
            message: crate::i18n::fill(template, &[("detail", &detail)]),
            correlation_id: String::new(),
            retry_after_secs: None,
        }
    }
}

/// Splits a byte stream of JSON lines back into events, holding an incomplete last line until the rest arrives.
#[derive(Default)]
pub struct EventLineReader {
    pending: String,
}

impl EventLineReader {
    pub fn push(&mut self, chunk: &str) -> Vec<Result<TurnEvent, String>> {
        self.pending.push_str(chunk);
        let mut events = Vec::new();
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            let line = line.trim();
            if !line.is_empty() {
                events.push(serde_json::from_str(line).map_err(|e| e.to_string()));
            }
        }
        events
    }
}

/// The first line of a text, cut to `max` characters with an ellipsis.
pub fn one_line(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each streaming answer queues its events in blocks of 32, so the largest variant sets the memory every
    /// concurrent answer costs (312 bytes per event before the messages were boxed; the load benchmark measures
    /// the effect on the whole server).
    #[test]
    fn a_turn_event_stays_small() {
        assert!(
            std::mem::size_of::<TurnEvent>() <= 128,
            "TurnEvent is {} bytes",
            std::mem::size_of::<TurnEvent>()
        );
    }

    #[test]
    fn the_page_shows_the_disclaimer_word_for_word() {
        assert_eq!(crate::i18n::EN.chat.disclaimer, DISCLAIMER);
    }

    #[test]
    fn usage_line_reads_like_the_brief() {
        let usage = Usage {
            prompt_tokens: 380,
            completion_tokens: 32,
            estimated: false,
        };
        assert_eq!(usage.describe(), "412 tokens: 380 in, 32 out");
    }

    #[test]
    fn line_reader_reassembles_events_split_across_chunks() {
        let event = TurnEvent::Token {
            text: "Schedule C – déductions".into(),
        };
        let line = format!("{}\n", serde_json::to_string(&event).unwrap());
        let (a, b) = line.split_at(10);
        let mut reader = EventLineReader::default();
        assert!(reader.push(a).is_empty());
        let events = reader.push(b);
        assert_eq!(events, vec![Ok(event)]);
    }
}
