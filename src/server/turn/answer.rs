//! The answer task: streams the model's tokens to the browser, checkpoints the partial text, and stores the final
//! state however the turn ends.

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use tokio::{sync::mpsc, time::Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::lock_turns;
use crate::{
    model::{ApiError, MessageStatus, TurnEvent, Usage},
    server::{
        conversations::to_chat_message,
        error::{new_correlation_id, AppError},
        llm::{ChatChunk, ChatProvider, ChatRequest, ProviderError},
        prompt,
        state::AppState,
        store::{FinishedAnswer, MessageRow},
    },
};

/// How the answer ended.
enum Ending {
    Complete,
    Stopped,
    Disconnected,
    Failed(ProviderError),
    NoProvider,
}

struct Progress {
    text: String,
    usage: Option<Usage>,
    first_token_at: Option<Instant>,
}

pub(super) async fn write_answer(
    state: AppState,
    provider: Option<Arc<dyn ChatProvider>>,
    request: ChatRequest,
    answer: MessageRow,
    cancel: CancellationToken,
    events: mpsc::Sender<TurnEvent>,
) {
    let started = Instant::now();
    let mut progress = Progress {
        text: String::new(),
        usage: None,
        first_token_at: None,
    };
    let prompt_estimate: usize = request
        .messages
        .iter()
        .map(|m| prompt::estimate_tokens(&m.content) + 4)
        .sum::<usize>();
    let ending = match provider {
        Some(provider) => {
            stream_answer(
                &state,
                provider.as_ref(),
                request,
                answer.id,
                &cancel,
                &events,
                &mut progress,
            )
            .await
        }
        None => Ending::NoProvider,
    };
    lock_turns(&state).remove(&answer.id);

    let (status, error) = match &ending {
        Ending::Complete => (MessageStatus::Complete, None),
        Ending::Stopped | Ending::Disconnected => (MessageStatus::Interrupted, None),
        Ending::Failed(failure) => {
            let correlation_id = new_correlation_id();
            tracing::error!(correlation_id, message_id = %answer.id, code = failure.code(), error = %failure,
                partial_chars = progress.text.len(), "answer failed");
            let error = ApiError {
                code: failure.code().into(),
                message: failure.user_message().into(),
                correlation_id,
                retry_after_secs: None,
            };
            (MessageStatus::Failed, Some(error))
        }
        Ending::NoProvider => {
            let error = AppError::ProviderNotConfigured.report();
            (MessageStatus::Failed, Some(error))
        }
    };
    if let Ending::Stopped | Ending::Disconnected = ending {
        let reason = if matches!(ending, Ending::Stopped) {
            "stopped"
        } else {
            "client disconnected"
        };
        tracing::info!(message_id = %answer.id, reason, partial_chars = progress.text.len(), "answer interrupted");
    }
    let usage = progress.usage.or_else(|| {
        (!progress.text.is_empty()).then(|| Usage {
            prompt_tokens: u32::try_from(prompt_estimate).unwrap_or(u32::MAX),
            completion_tokens: u32::try_from(prompt::estimate_tokens(&progress.text))
                .unwrap_or(u32::MAX),
            estimated: true,
        })
    });
    let finished = FinishedAnswer {
        content: progress.text,
        status,
        usage,
        ttft_ms: progress.first_token_at.map(|at| millis(at - started)),
        latency_ms: millis(started.elapsed()),
        error_id: error.as_ref().map(|e| e.correlation_id.clone()),
    };
    match state.store.finish_answer(answer.id, finished).await {
        Ok(row) => {
            tracing::info!(message_id = %row.id, status = row.status.as_str(), ttft_ms = row.ttft_ms,
                latency_ms = row.latency_ms, "answer stored");
            let _ = events
                .send(TurnEvent::Finished {
                    message: to_chat_message(row),
                    error,
                })
                .await;
        }
        Err(db_error) => {
            let report = AppError::Database(db_error).report();
            let mut message = to_chat_message(answer);
            message.status = MessageStatus::Failed;
            let _ = events
                .send(TurnEvent::Finished {
                    message,
                    error: Some(report),
                })
                .await;
        }
    }
}

async fn stream_answer(
    state: &AppState,
    provider: &dyn ChatProvider,
    request: ChatRequest,
    message_id: Uuid,
    cancel: &CancellationToken,
    events: &mpsc::Sender<TurnEvent>,
    progress: &mut Progress,
) -> Ending {
    let config = &state.config;
    let first_token_timeout = Duration::from_secs(config.provider_first_token_timeout_secs);
    let idle_timeout = Duration::from_secs(config.provider_idle_timeout_secs);
    let mut chunks = tokio::select! {
        _ = cancel.cancelled() => return Ending::Stopped,
        _ = events.closed() => return Ending::Disconnected,
        opened = tokio::time::timeout(first_token_timeout, provider.stream(request)) => match opened {
            Err(_) => return Ending::Failed(ProviderError::Timeout(first_token_timeout.as_secs())),
            Ok(Err(error)) => return Ending::Failed(error),
            Ok(Ok(chunks)) => chunks,
        },
    };
    let mut last_checkpoint = Instant::now();
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
            Ok(None) => return Ending::Complete,
            Ok(Some(Err(error))) => return Ending::Failed(error),
            Ok(Some(Ok(ChatChunk::Usage(usage)))) => progress.usage = Some(usage),
            Ok(Some(Ok(ChatChunk::Token(text)))) => {
                progress.first_token_at.get_or_insert_with(Instant::now);
                progress.text.push_str(&text);
                if events.send(TurnEvent::Token { text }).await.is_err() {
                    return Ending::Disconnected;
                }
                if last_checkpoint.elapsed() >= config.checkpoint_interval() {
                    last_checkpoint = Instant::now();
                    if let Err(error) = state
                        .store
                        .checkpoint_answer(message_id, &progress.text)
                        .await
                    {
                        tracing::warn!(%message_id, %error, "checkpoint failed; the answer goes on");
                    }
                }
            }
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
