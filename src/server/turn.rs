//! The chat turn, the heart of Tally (design: "The chat turn").
//!
//! The user's message is stored before any model is called. The answer is written by a task of its own that
//! outlives nothing and loses nothing: it checkpoints the partial text about every second, and however the turn
//! ends (finished, Stop pressed, browser gone, provider failure, shutdown) it stores the final state. The HTTP
//! response only reads events from that task through a channel, so a vanished client is noticed as a closed channel.

use std::{sync::Arc, time::Duration};

use futures::{Stream, StreamExt};
use tokio::{sync::mpsc, time::Instant};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{
    conversations::to_chat_message,
    error::{new_correlation_id, AppError},
    identity::{GuestToken, GUEST_TTL_MS},
    llm::{ChatChunk, ChatProvider, ChatRequest, ProviderError},
    prompt::{self, PromptMessage},
    state::AppState,
    store::{one_line, FinishedAnswer, MessageRow, NewTurn, Owner},
    validation::{parse_id, validate_message},
};
use crate::model::{ApiError, MessageStatus, TurnEvent, TurnRequest, Usage, DISCLAIMER};

/// The tax assistant is the only assistant so far; conversations record it for when there are more.
pub const TAX_ASSISTANT_ID: &str = "tax";
const TITLE_CHARS: usize = 60;
const ANSWER_TEMPERATURE: f32 = 0.3;
/// Events buffered for a slow reader before the answer task waits for it.
const EVENT_BUFFER: usize = 256;

/// Validates and stores the question, starts the answer, and returns the stream of events for the browser.
pub async fn start(
    state: &AppState,
    guest: &GuestToken,
    request: TurnRequest,
) -> Result<impl Stream<Item = TurnEvent> + Send + 'static, AppError> {
    let content = validate_message(&request.content, state.config.max_message_chars)?;
    state.turn_limiter.check(&guest.token_hash)?;
    let owner = Owner::Guest(
        state
            .store
            .ensure_guest(&guest.token_hash, GUEST_TTL_MS)
            .await?,
    );

    let conversation = match &request.conversation_id {
        Some(id) => {
            let id = parse_id(id)?;
            let conversation = state
                .store
                .get_conversation(owner, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if state.store.has_streaming_answer(id).await? {
                return Err(AppError::TurnInProgress);
            }
            conversation
        }
        None => {
            state
                .store
                .create_conversation(owner, TAX_ASSISTANT_ID, &one_line(&content, TITLE_CHARS))
                .await?
        }
    };

    let history = state
        .store
        .list_messages(owner, conversation.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut prompt_history: Vec<PromptMessage> =
        history.iter().filter_map(prompt_message).collect();
    prompt_history.push(PromptMessage {
        role: prompt::PromptRole::User,
        content: content.clone(),
    });
    let messages = prompt::build(&prompt_history, state.config.context_token_budget);

    let provider = state.provider.clone();
    let (provider_name, model) = provider
        .as_ref()
        .map(|p| (p.name().to_string(), p.model().to_string()))
        .unwrap_or_else(|| ("none".into(), "none".into()));
    let (user_message, answer) = state
        .store
        .begin_turn(NewTurn {
            conversation_id: conversation.id,
            user_content: content,
            provider: provider_name,
            model: model.clone(),
            disclaimer: DISCLAIMER.into(),
        })
        .await?;

    let cancel = state.shutdown.child_token();
    lock_turns(state).insert(answer.id, cancel.clone());
    let started = TurnEvent::Started {
        conversation_id: conversation.id.to_string(),
        title: conversation.title,
        user_message: to_chat_message(user_message),
        assistant_message_id: answer.id.to_string(),
        model,
    };
    let (events, receiver) = mpsc::channel(EVENT_BUFFER);
    let request = ChatRequest {
        messages,
        max_tokens: state.config.max_answer_tokens,
        temperature: ANSWER_TEMPERATURE,
    };
    state.tasks.spawn(write_answer(
        state.clone(),
        provider,
        request,
        answer,
        cancel,
        events,
    ));
    Ok(futures::stream::once(async move { started }).chain(ReceiverStream::new(receiver)))
}

/// Stops an answer the guest owns. Stopping an answer that already ended is not an error.
pub async fn stop(state: &AppState, guest: &GuestToken, message_id: &str) -> Result<(), AppError> {
    let id = parse_id(message_id)?;
    let owner = state
        .store
        .find_guest(&guest.token_hash)
        .await?
        .map(Owner::Guest)
        .ok_or(AppError::NotFound)?;
    state
        .store
        .find_message(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(cancel) = lock_turns(state).get(&id) {
        cancel.cancel();
    }
    Ok(())
}

fn lock_turns(
    state: &AppState,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<Uuid, CancellationToken>> {
    // The map is only touched in short, panic-free sections, so a poisoned lock still holds consistent data.
    state
        .active_turns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Earlier messages worth showing the model: anything with text that did not fail.
fn prompt_message(row: &MessageRow) -> Option<PromptMessage> {
    let usable = matches!(
        row.status,
        MessageStatus::Complete | MessageStatus::Interrupted
    );
    (usable && !row.content.trim().is_empty()).then(|| PromptMessage {
        role: row.role.into(),
        content: row.content.clone(),
    })
}

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

async fn write_answer(
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

/// One event as a line of JSON with every non-ASCII character escaped. The browser decodes each network chunk as
/// UTF-8 on its own, so a character split across two chunks would break it; pure ASCII cannot be split badly.
pub fn encode_event_line(event: &TurnEvent) -> String {
    let json = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    let mut line = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if c.is_ascii() {
            line.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                line.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventLineReader;

    #[test]
    fn event_lines_are_ascii_and_round_trip() {
        let event = TurnEvent::Token {
            text: "Thuế — 💶 \"quoted\"\n".into(),
        };
        let line = encode_event_line(&event);
        assert!(line.is_ascii(), "{line}");
        assert!(line.ends_with('\n'));
        let mut reader = EventLineReader::default();
        assert_eq!(reader.push(&line), vec![Ok(event)]);
    }
}
