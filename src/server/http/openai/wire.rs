//! OpenAI's chat-completions protocol as it travels: the request Tally reads and the replies and stream chunks it
//! writes, field for field as OpenAI's own API sends them, plus one `tally` object beside them (sources, disclaimer,
//! follow-ups) for clients that look for it.

use serde::{Deserialize, Serialize};

use crate::model::{tax::Source, Usage};

/// The body of `POST /v1/chat/completions`. Fields Tally does not use (`temperature`, `max_tokens`, `user`, ...)
/// are accepted and left aside: the assistant's own settings apply.
#[derive(Debug, Deserialize)]
pub struct CompletionRequest {
    pub model: String,
    pub messages: Vec<InMessage>,
    #[serde(default)]
    pub stream: bool,
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    /// Only one choice is ever written.
    #[serde(default)]
    pub n: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

#[derive(Debug, Deserialize)]
pub struct InMessage {
    pub role: String,
    #[serde(default)]
    pub content: Option<Content>,
}

/// A message's content: a string, or parts of which the text ones are read.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Deserialize)]
pub struct Part {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
}

impl Content {
    /// The text of the content; `None` when a part is not text (an image, audio), which Tally cannot read.
    pub fn text(&self) -> Option<String> {
        match self {
            Content::Text(text) => Some(text.clone()),
            Content::Parts(parts) => parts
                .iter()
                .map(|part| (part.kind == "text").then(|| part.text.clone().unwrap_or_default()))
                .collect::<Option<Vec<_>>>()
                .map(|texts| texts.join("")),
        }
    }
}

/// What Tally adds beside OpenAI's fields: every client shows the sources and disclaimer in the content's last
/// paragraph; these are the same, structured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TallyExtras {
    pub disclaimer: String,
    pub sources: Vec<Source>,
    pub follow_ups: Vec<String>,
    /// "Tax year 2025 · US federal · Sole proprietor", the profile the answer assumed.
    pub tax_stamp: Option<String>,
    /// The conversation the exchange was kept in; `None` when the key does not record.
    pub conversation_id: Option<String>,
    pub message_id: String,
}

#[derive(Debug, Serialize)]
pub struct Completion {
    pub id: String,
    pub object: &'static str,
    pub created: i64,
    pub model: String,
    pub system_fingerprint: Option<String>,
    pub choices: Vec<Choice>,
    pub usage: CompletionUsage,
    pub tally: TallyExtras,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub index: u32,
    pub message: OutMessage,
    pub logprobs: Option<()>,
    pub finish_reason: &'static str,
}

#[derive(Debug, Serialize)]
pub struct OutMessage {
    pub role: &'static str,
    pub content: String,
    pub refusal: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct CompletionUsage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub total_tokens: u32,
}

impl From<Usage> for CompletionUsage {
    fn from(usage: Usage) -> Self {
        CompletionUsage {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total(),
        }
    }
}

/// One `data:` line of a streamed completion.
#[derive(Debug, Serialize)]
pub struct Chunk {
    pub id: String,
    pub object: &'static str,
    pub created: i64,
    pub model: String,
    pub system_fingerprint: Option<String>,
    pub choices: Vec<ChunkChoice>,
    /// With `stream_options.include_usage`: `null` on every chunk but the last, which has no choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Option<CompletionUsage>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tally: Option<TallyExtras>,
}

#[derive(Debug, Serialize)]
pub struct ChunkChoice {
    pub index: u32,
    pub delta: Delta,
    pub logprobs: Option<()>,
    pub finish_reason: Option<&'static str>,
}

#[derive(Debug, Default, Serialize)]
pub struct Delta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// `GET /v1/models`.
#[derive(Debug, Serialize)]
pub struct ModelList {
    pub object: &'static str,
    pub data: Vec<ModelCard>,
}

#[derive(Debug, Serialize)]
pub struct ModelCard {
    pub id: &'static str,
    pub object: &'static str,
    pub created: i64,
    pub owned_by: &'static str,
}

/// The paragraph that closes every answer on this endpoint: its sources, then the disclaimer, in Markdown.
pub fn closing_paragraph(sources: &[Source], disclaimer: &str) -> String {
    let mut text = String::from("\n\n---\n");
    if !sources.is_empty() {
        text.push_str("**Sources**\n\n");
        for source in sources {
            text.push_str(&format!(
                "[{}] {}, {} (tax year {}): {}\n",
                source.number, source.title, source.publication, source.tax_year, source.url
            ));
        }
        text.push('\n');
    }
    text.push_str(&format!("*{disclaimer}*"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_parts_are_read_and_other_parts_refused() {
        let parts: Content = serde_json::from_str(
            r#"[{"type":"text","text":"How much "},{"type":"text","text":"tax?"}]"#,
        )
        .unwrap();
        assert_eq!(parts.text().as_deref(), Some("How much tax?"));
        let image: Content =
            serde_json::from_str(r#"[{"type":"image_url","image_url":{"url":"x"}}]"#).unwrap();
        assert_eq!(image.text(), None);
    }

    #[test]
    fn the_closing_paragraph_cites_and_disclaims() {
        let source = Source {
            number: 1,
            passage_id: "se-tax".into(),
            title: "Self-employment tax".into(),
            publication: "IRS Topic 554".into(),
            section: String::new(),
            url: "https://www.irs.gov/taxtopics/tc554".into(),
            tax_year: 2026,
            last_checked: "2026-11-30".into(),
        };
        let text = closing_paragraph(&[source], "General guidance only.");
        assert!(text.contains("[1] Self-employment tax, IRS Topic 554 (tax year 2026): https://www.irs.gov/taxtopics/tc554"));
        assert!(text.ends_with("*General guidance only.*"));
    }
}
