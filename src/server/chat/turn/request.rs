//! What an answer asks its models: the question grounded (searched as the model rewrote it when it leans on the
//! conversation or is in another language), and the prompts built from it for each candidate.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::offline;
use crate::{
    model::tax::TaxProfile,
    server::{
        chat::{pii::Identifier, prompt, search_query, Chat},
        llm::{Candidate, ChatRequest, PromptMessage, PromptRole, Tools},
        tax::{profile as tax_profile, GroundedQuestion},
    },
};

const ANSWER_TEMPERATURE: f32 = 0.3;

/// The question as the answer task grounds it.
pub(super) struct Question {
    pub text: String,
    /// The conversation's earlier messages worth quoting, then the question.
    pub history: Vec<PromptMessage>,
    /// The tax profile the answer is for (the saved one, or the defaults).
    pub profile: TaxProfile,
    /// Tokens of earlier conversation the caller's tier may send.
    pub context_tokens: usize,
    /// What was taken out of the question and the history before any model reads them (see `pii`).
    pub masked: Vec<Identifier>,
}

impl Question {
    /// The conversation's earlier questions, oldest first.
    pub(super) fn earlier(&self) -> Vec<&str> {
        let before = &self.history[..self.history.len().saturating_sub(1)];
        before
            .iter()
            .filter(|m| m.role == PromptRole::User)
            .map(|m| &*m.content)
            .collect()
    }
}

/// The prompts of a tax answer: the grounded one, and the offline model's short one. The grounding itself is
/// written again for each request from the answer's `GroundedQuestion`, so an answer in flight keeps the prompt
/// without its few kilobytes of quoted passages.
pub(super) struct Requests {
    /// The instructions and the conversation, without the grounding.
    pub base: ChatRequest,
    pub offline: Option<ChatRequest>,
    /// The calculators as function-calling tools, offered to every model but the offline one.
    pub tool_definitions: Arc<serde_json::Value>,
    /// The grounding's share of the prompt, estimated once.
    grounding_tokens: usize,
}

impl Requests {
    pub(super) fn new(
        chat: &Chat,
        candidates: &[Candidate],
        question: &Question,
        grounded: &GroundedQuestion,
    ) -> Self {
        let grounding_tokens = prompt::estimate_tokens(&grounded.context());
        Requests {
            base: ChatRequest {
                messages: prompt::build(
                    &question.history,
                    grounding_tokens,
                    question.context_tokens,
                ),
                max_tokens: chat.settings.max_answer_tokens,
                temperature: ANSWER_TEMPERATURE,
                tools: None,
            },
            // Only an answer the offline model may write needs its prompt: most answers never carry one.
            offline: candidates
                .iter()
                .any(|c| c.offline)
                .then(|| offline::request(grounded, &question.text))
                .flatten(),
            tool_definitions: chat.tax.tool_definitions.clone(),
            grounding_tokens,
        }
    }

    pub(super) fn for_candidate(
        &self,
        candidate: &Candidate,
        grounded: &GroundedQuestion,
    ) -> ChatRequest {
        if let (Some(offline), true) = (&self.offline, candidate.offline) {
            return offline.clone();
        }
        ChatRequest {
            messages: prompt::with_grounding(&self.base.messages, grounded.context()),
            tools: (!candidate.offline).then(|| Tools {
                definitions: self.tool_definitions.clone(),
                rounds: Vec::new(),
            }),
            ..self.base.clone()
        }
    }

    /// The tokens of the grounded prompt, for an answer whose provider reports no usage.
    pub(super) fn estimate_tokens(&self) -> usize {
        let messages: usize = self
            .base
            .messages
            .iter()
            .map(|m| prompt::estimate_tokens(&m.content) + 4)
            .sum();
        messages + self.grounding_tokens + 4
    }
}

/// Grounds the question: searched for the model's standalone rewrite when it leans on earlier questions or is in
/// another language and a model other than the offline one answers first; as typed otherwise.
pub(super) async fn ground(
    chat: &Chat,
    candidates: &[Candidate],
    question: &Question,
    cancel: &CancellationToken,
) -> GroundedQuestion {
    let earlier = question.earlier();
    let rewriter = candidates.first().filter(|c| !c.offline);
    let search_query = match rewriter {
        Some(candidate) if search_query::needs_rewrite(&question.text, &earlier) => {
            tokio::select! {
                _ = cancel.cancelled() => None,
                query = search_query::rewrite(candidate, &question.text, &earlier) => query,
            }
        }
        _ => None,
    };
    if let Some(query) = &search_query {
        tracing::debug!(%query, "question searched as rewritten by the model");
    }
    let today = tax_profile::today();
    chat.tax.ground_searching(
        &question.text,
        search_query.as_deref(),
        &earlier,
        &question.profile,
        today,
    )
}
