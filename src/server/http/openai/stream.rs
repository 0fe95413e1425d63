//! How a streamed completion is written: OpenAI's chunks from the turn's events, frame by frame.

use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::{
    wire::{closing_paragraph, Chunk, ChunkChoice, CompletionUsage, Delta, TallyExtras},
    TAX_MODEL,
};
use crate::{
    model::{TurnEvent, DISCLAIMER},
    server::{error::openai_error_body, store::now_ms},
};

/// Writes one `data:` frame.
pub(super) fn frame(value: &impl Serialize) -> String {
    format!(
        "data: {}\n\n",
        serde_json::to_string(value).unwrap_or_default()
    )
}

/// Turns the turn's events into OpenAI's chunks.
pub(super) struct ChunkWriter {
    id: String,
    created: i64,
    include_usage: bool,
    answer: Option<crate::model::ChatMessage>,
    follow_ups: Vec<String>,
    failed: bool,
}

impl ChunkWriter {
    pub(super) fn new(include_usage: bool) -> Self {
        ChunkWriter {
            id: format!("chatcmpl-{}", Uuid::now_v7()),
            created: now_ms() / 1000,
            include_usage,
            answer: None,
            follow_ups: Vec::new(),
            failed: false,
        }
    }

    fn chunk(&self, delta: Delta, finish_reason: Option<&'static str>) -> Chunk {
        Chunk {
            id: self.id.clone(),
            object: "chat.completion.chunk",
            created: self.created,
            model: TAX_MODEL.into(),
            system_fingerprint: None,
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                logprobs: None,
                finish_reason,
            }],
            usage: self.include_usage.then_some(None),
            tally: None,
        }
    }

    fn content(&self, text: String) -> String {
        frame(&self.chunk(
            Delta {
                role: None,
                content: Some(text),
            },
            None,
        ))
    }

    pub(super) fn on(&mut self, event: TurnEvent) -> Vec<String> {
        match event {
            TurnEvent::Started {
                assistant_message_id,
                ..
            } => {
                self.id = format!("chatcmpl-{assistant_message_id}");
                vec![frame(&self.chunk(
                    Delta {
                        role: Some("assistant"),
                        content: Some(String::new()),
                    },
                    None,
                ))]
            }
            TurnEvent::Token { text } => vec![self.content(text)],
            TurnEvent::Finished {
                error: Some(error), ..
            } => {
                self.failed = true;
                vec![frame(&openai_error_body(StatusCode::BAD_GATEWAY, &error))]
            }
            TurnEvent::Finished { message, .. } => {
                let sources = message
                    .grounding
                    .as_ref()
                    .map(|g| g.sources.clone())
                    .unwrap_or_default();
                let closing = self.content(closing_paragraph(&sources, DISCLAIMER));
                self.answer = Some(*message);
                vec![closing]
            }
            TurnEvent::FollowUps { questions, .. } => {
                self.follow_ups = questions;
                Vec::new()
            }
            TurnEvent::Grounded { .. }
            | TurnEvent::Rerouted { .. }
            | TurnEvent::Noted { .. }
            | TurnEvent::Titled { .. } => Vec::new(),
        }
    }

    /// The finish chunk (with Tally's extras), the usage chunk when asked for, and `[DONE]`.
    pub(super) fn finish(&mut self, conversation_id: Option<String>) -> Vec<String> {
        let mut frames = Vec::new();
        if let (false, Some(answer)) = (self.failed, self.answer.take()) {
            let grounding = answer.grounding.clone().unwrap_or_default();
            let mut last = self.chunk(Delta::default(), Some("stop"));
            last.tally = Some(TallyExtras {
                disclaimer: DISCLAIMER.into(),
                sources: grounding.sources,
                follow_ups: std::mem::take(&mut self.follow_ups),
                tax_stamp: (!grounding.stamp.is_empty()).then_some(grounding.stamp),
                conversation_id,
                message_id: answer.id.clone(),
            });
            frames.push(frame(&last));
            if self.include_usage {
                let mut usage = self.chunk(Delta::default(), None);
                usage.choices.clear();
                usage.usage = Some(Some(CompletionUsage::from(
                    answer.usage.unwrap_or_default(),
                )));
                frames.push(frame(&usage));
            }
        }
        frames.push("data: [DONE]\n\n".into());
        frames
    }
}
