//! Streaming one answer: each model in turn until one starts answering, its tokens forwarded to the browser and
//! staged for checkpoints.

use std::time::Duration;

use futures::{future::BoxFuture, StreamExt};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{
    offline::SummaryFilter,
    request::Requests,
    tools::{self, PendingCalls},
    EventSender,
};
use crate::{
    i18n::fill,
    model::{tax::CalculationResult, TurnEvent, Usage},
    server::{
        chat::Chat,
        llm::{Candidate, ChatChunk, ChunkStream, ProviderError, ToolRound},
        tax::GroundedQuestion,
    },
};

/// How the answer ended.
pub(super) enum Ending {
    Complete,
    Stopped,
    Disconnected,
    Failed(ProviderError),
    NoProvider,
}

pub(super) struct Progress {
    pub(super) text: String,
    pub(super) usage: Option<Usage>,
    pub(super) first_token_at: Option<Instant>,
    /// Index into the candidates of the model answering now.
    pub(super) candidate: usize,
    /// What the answer says quietly under it: what was masked from the question, and when a model other than the
    /// chosen one answered, why.
    pub(super) notice: Option<String>,
    /// What was masked from the question, said first in any later notice.
    pub(super) privacy_note: Option<String>,
    /// Time this turn waited on the database: before the answer and the final write (checkpoints are written
    /// for all answers together, see `checkpoints`).
    pub(super) db_time: Duration,
    /// Calculations the model asked for (function calls), shown as cards like those found for the question.
    pub(super) calculations: Vec<CalculationResult>,
}

/// A model's answer being opened: resolves when the provider accepted the request, or refused it.
pub(super) type Opening<'a> = BoxFuture<'a, Result<ChunkStream, ProviderError>>;

/// What streaming one answer needs from the turn.
pub(super) struct Turn<'a> {
    pub(super) chat: &'a Chat,
    pub(super) message_id: Uuid,
    pub(super) cancel: &'a CancellationToken,
    pub(super) events: &'a EventSender,
    pub(super) grounded: &'a GroundedQuestion,
}

impl Turn<'_> {
    /// Asks each candidate in turn until one starts answering. A failure after the first token is final: the
    /// partial answer is kept rather than silently restarted elsewhere.
    pub(super) async fn stream_with_fallback(
        &self,
        candidates: &[Candidate],
        requests: &Requests,
        mut first_opening: Option<Opening<'_>>,
        progress: &mut Progress,
    ) -> Ending {
        let mut unavailable: Vec<String> = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            progress.candidate = index;
            let opening = first_opening.take().unwrap_or_else(|| {
                candidate.provider.stream(
                    &candidate.model,
                    requests.for_candidate(candidate, self.grounded),
                )
            });
            let ending = self.stream(candidate, requests, opening, progress).await;
            let failure = match &ending {
                Ending::Failed(error) => Some(error.code()),
                _ => None,
            };
            self.chat
                .provider_health
                .record(&candidate.provider_name, failure);
            let Ending::Failed(error) = &ending else {
                return ending;
            };
            let Some(next) = candidates.get(index + 1) else {
                return ending;
            };
            if progress.first_token_at.is_some() || !error.warrants_fallback() {
                return ending;
            }
            tracing::warn!(message_id = %self.message_id, failed = ?candidate, next = ?next, code = error.code(),
                %error, "provider failed before the first token; trying the next one");
            // In the answer's language (the question's), like the answer it sits under.
            let t = &self.grounded.language.texts().chat;
            unavailable.push(fill(
                t.rerouted_reason,
                &[
                    ("model", &candidate.label),
                    ("reason", error.short_reason(t)),
                ],
            ));
            let rerouted = fill(
                t.rerouted,
                &[
                    ("model", &next.label),
                    ("reasons", &unavailable.join(t.rerouted_and)),
                ],
            );
            let notice = match &progress.privacy_note {
                Some(privacy) => format!("{privacy} {rerouted}"),
                None => rerouted,
            };
            progress.notice = Some(notice.clone());
            let rerouted = TurnEvent::Rerouted {
                model: next.label.clone(),
                notice,
            };
            self.events.send(rerouted).await;
        }
        Ending::NoProvider
    }

    async fn stream(
        &self,
        candidate: &Candidate,
        requests: &Requests,
        opening: Opening<'_>,
        progress: &mut Progress,
    ) -> Ending {
        let Turn {
            chat,
            message_id,
            cancel,
            events,
            grounded,
        } = self;
        // The offline model's tax answer leads with the knowledge base itself, shown at once (the model may still
        // be busy with another answer); its own words follow, filtered.
        let mut summary = (candidate.offline && !grounded.small_talk)
            .then(|| SummaryFilter::new(grounded.known_figures(&[])));
        if summary.is_some() {
            let lead = grounded.offline_lead();
            progress.first_token_at.get_or_insert_with(Instant::now);
            progress.text.push_str(&lead);
            events.send(TurnEvent::Token { text: lead }).await;
        }
        let first_token_timeout = candidate.timeouts.first_token;
        let idle_timeout = candidate.timeouts.idle;
        let mut chunks = tokio::select! {
            _ = cancel.cancelled() => return Ending::Stopped,
            _ = events.closed() => return Ending::Disconnected,
            opened = tokio::time::timeout(first_token_timeout, opening) => match opened {
                Err(_) => return Ending::Failed(ProviderError::Timeout(first_token_timeout.as_secs())),
                Ok(Err(error)) => return Ending::Failed(error),
                Ok(Ok(chunks)) => chunks,
            },
        };
        let mut last_checkpoint = Instant::now();
        let mut pending_calls = PendingCalls::default();
        let mut rounds: Vec<ToolRound> = Vec::new();
        loop {
            let wait = if progress.first_token_at.is_none() {
                first_token_timeout
            } else {
                idle_timeout
            };
            let next = tokio::select! {
                _ = cancel.cancelled() => return Ending::Stopped,
                _ = events.closed() => return Ending::Disconnected,
                next = tokio::time::timeout(wait, chunks.next()) => next,
            };
            match next {
                Err(_) => return Ending::Failed(ProviderError::Timeout(wait.as_secs())),
                Ok(None) => {
                    let calls = pending_calls.take();
                    if !calls.is_empty() && rounds.len() < tools::MAX_ROUNDS {
                        // The model asked for calculations: run them, show their cards, and ask it again with the
                        // results.
                        let g = &grounded.grounding;
                        let shown: Vec<CalculationResult> = g
                            .calculations
                            .iter()
                            .chain(&progress.calculations)
                            .cloned()
                            .collect();
                        let shown = tools::Shown {
                            calculations: &shown,
                            first_number: g.sources.len() + 1,
                        };
                        let (round, calculations) = tools::run(&chat.tax, calls, shown);
                        tracing::info!(message_id = %message_id, calls = round.calls.len(), computed = calculations.len(), "calculator calls");
                        progress.calculations.extend(calculations);
                        rounds.push(round);
                        let mut grounding = g.clone();
                        grounding
                            .calculations
                            .extend(progress.calculations.iter().cloned());
                        let shown = TurnEvent::Grounded {
                            message_id: message_id.to_string(),
                            grounding: Box::new(grounding),
                        };
                        events.send(shown).await;
                        let mut request = requests.for_candidate(candidate, grounded);
                        if let Some(tools) = request.tools.as_mut() {
                            tools.rounds = rounds.clone();
                            // The last round answers without tools, so a model cannot call forever.
                            if rounds.len() == tools::MAX_ROUNDS {
                                request.tools = None;
                            }
                        }
                        let reopened = tokio::select! {
                            _ = cancel.cancelled() => return Ending::Stopped,
                            _ = events.closed() => return Ending::Disconnected,
                            opened = tokio::time::timeout(first_token_timeout, candidate.provider.stream(&candidate.model, request)) => opened,
                        };
                        chunks = match reopened {
                            Err(_) => {
                                return Ending::Failed(ProviderError::Timeout(
                                    first_token_timeout.as_secs(),
                                ))
                            }
                            Ok(Err(error)) => return Ending::Failed(error),
                            Ok(Ok(chunks)) => chunks,
                        };
                        continue;
                    }
                    if let Some(rest) = summary.as_mut().and_then(SummaryFilter::finish) {
                        progress.text.push_str(&rest);
                        events.send(TurnEvent::Token { text: rest }).await;
                    }
                    if let Some(dropped) = summary.map(|s| s.dropped).filter(|d| *d > 0) {
                        tracing::info!(message_id = %message_id, dropped, "offline summary sentences left out for unsourced figures");
                    }
                    return Ending::Complete;
                }
                Ok(Some(Err(error))) => return Ending::Failed(error),
                Ok(Some(Ok(ChatChunk::Usage(usage)))) => progress.usage = Some(usage),
                Ok(Some(Ok(ChatChunk::ToolCall {
                    index,
                    id,
                    name,
                    arguments,
                }))) => pending_calls.add(index, id, name, &arguments),
                Ok(Some(Ok(ChatChunk::Token(text)))) => {
                    let text = match summary.as_mut() {
                        None => text,
                        Some(filter) => match filter.push(&text) {
                            Some(passed) => passed,
                            None => continue,
                        },
                    };
                    progress.first_token_at.get_or_insert_with(Instant::now);
                    progress.text.push_str(&text);
                    events.send(TurnEvent::Token { text }).await;
                    if last_checkpoint.elapsed() >= chat.settings.checkpoint_interval {
                        last_checkpoint = Instant::now();
                        chat.checkpoints.stage(*message_id, &progress.text);
                    }
                }
            }
        }
    }
}
