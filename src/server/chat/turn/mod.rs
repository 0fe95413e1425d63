//! The chat turn, the heart of Tally (design: "The chat turn").
//!
//! The user's message is stored before any part of the answer reaches the browser or the database; the first model
//! is asked while it is being stored, since its first token takes far longer than the write (a question that cannot
//! be stored cancels that request and is refused). The answer is written by a task of its own that
//! outlives nothing and loses nothing: it checkpoints the partial text about every second, and however the turn
//! ends (finished, Stop pressed, browser gone, provider failure, shutdown) it stores the final state. The HTTP
//! response only reads events from that task through a channel, so a vanished client is noticed as a closed channel.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

mod answer;
mod checkpoints;
mod events;
pub mod live;
mod offline;
mod request;
mod streaming;
mod tools;

pub use checkpoints::{write_checkpoints, Checkpoints};
use events::EventSender;
pub use events::{encode_event_line, event_writes};
use live::{LiveAnswer, Reader};

use super::{
    branches::{self, Fork},
    conversations::to_chat_message,
    pii,
    prompt::{self, PromptMessage},
    usage::UsageOwner,
    validation::{parse_id, validate_message},
    Chat,
};
use crate::model::{tax::TaxProfile, MessageStatus, TurnEvent, TurnRequest, DISCLAIMER};
use crate::server::{
    error::AppError,
    identity::{caller::Caller, limits::TierLimits},
    store::{one_line, MessageRow, NewConversation, NewTurn, TurnQuestion},
    tax::profile as tax_profile,
};

/// The tax assistant is the only assistant so far; conversations record it for when there are more.
pub const TAX_ASSISTANT_ID: &str = "tax";
const TITLE_CHARS: usize = 60;
/// Messages read to build a prompt; the token budget keeps fewer.
const PROMPT_HISTORY_MESSAGES: i64 = 200;

/// An answer being written, reachable by Stop and by readers attaching.
pub struct LiveTurn {
    pub cancel: CancellationToken,
    pub live: Arc<LiveAnswer>,
}

/// Validates and stores the question, starts the answer, and returns the stream of events for the browser.
pub async fn start(
    chat: &Chat,
    caller: &Caller,
    request: TurnRequest,
) -> Result<impl Stream<Item = TurnEvent> + Send + Unpin + 'static, AppError> {
    let (started, reader) = begin(chat, caller, request, true).await?;
    let reader = reader.ok_or_else(|| AppError::Internal("answer ended before it began".into()))?;
    Ok(futures::stream::iter([started]).chain(reader))
}

/// Like [`start`], for a question posted as a plain form (the page before its script has arrived): nobody reads
/// the answer yet; the conversation page that follows attaches to it, or shows it when it is done. Returns the
/// conversation's id.
pub async fn start_unread(
    chat: &Chat,
    caller: &Caller,
    request: TurnRequest,
) -> Result<String, AppError> {
    match begin(chat, caller, request, false).await?.0 {
        TurnEvent::Started {
            conversation_id, ..
        } => Ok(conversation_id),
        _ => Err(AppError::Internal("a turn began without its start".into())),
    }
}

/// The events of an answer of the caller's still being written: what it has so far, then the rest as it comes.
pub async fn attach(
    chat: &Chat,
    caller: &Caller,
    message_id: &str,
) -> Result<impl Stream<Item = TurnEvent> + Send + Unpin + 'static, AppError> {
    let id = parse_id(message_id)?;
    let owner = caller
        .existing_owner(chat.store.as_ref())
        .await?
        .ok_or(AppError::NotFound)?;
    chat.store
        .find_message(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let live = lock_turns(chat).get(&id).map(|turn| turn.live.clone());
    live.and_then(|live| live.attach())
        .ok_or(AppError::AnswerEnded)
}

/// Validates and stores the question and starts its answer; returns the `Started` event and, when `read`, the
/// asker's reader of the answer.
async fn begin(
    chat: &Chat,
    caller: &Caller,
    request: TurnRequest,
    read: bool,
) -> Result<(TurnEvent, Option<Reader>), AppError> {
    let limits = chat.limits.for_tier(caller.tier());
    let fork = Fork::of(request.regenerate.as_deref(), request.edit.as_deref())?;
    if fork.is_some() && request.conversation_id.is_none() {
        return Err(AppError::InvalidBody(
            "regenerate and edit need the conversation_id".into(),
        ));
    }
    // Asked again, the stored question is the one asked; otherwise the text sent.
    let content = match fork {
        Some(Fork::Regenerate(_)) => String::new(),
        _ => validate_message(&request.content, limits.max_question_chars)?,
    };
    let chosen_model = chosen_model(chat, &limits, request.model.as_deref())?;
    chat.limits
        .take_question(caller, chat.store.as_ref())
        .await?;
    // Time spent waiting on the database for this turn, for the log line and the load benchmark.
    let db_started = std::time::Instant::now();
    let find_owner = || async { Ok::<_, AppError>(caller.owner(chat.store.as_ref()).await?) };
    // Only what the prompt needs stands before the model: a guest is found (or created) and its expiry slid
    // while the model reads the question. Should that fail, the answer is dropped unseen.
    let mut asked_again: Option<MessageRow> = None;
    let (owner, conversation, answer) = match &request.conversation_id {
        // A new conversation has no history to read: its answer starts at once.
        None => {
            let conversation = TurnConversation {
                id: Uuid::now_v7(),
                title: one_line(&content, TITLE_CHARS),
                model_key: chosen_model,
                is_new: true,
                tax_profile: None,
            };
            let launch = async {
                // Most callers' profile is known without a read (see `Caller::known_tax_profile`).
                let saved = match caller.known_tax_profile() {
                    Some(known) => known,
                    None => chat.store.tax_profile_of(caller.owner_ref()).await?,
                };
                let conversation = TurnConversation {
                    tax_profile: saved,
                    ..conversation
                };
                let answer = launch_answer(chat, &limits, &conversation, &[], &content, read);
                Ok::<_, AppError>((conversation, answer))
            };
            let (owner, (conversation, answer)) = tokio::try_join!(find_owner(), launch)?;
            (owner, conversation, answer)
        }
        // An existing one: one owner-scoped read (keyed by the cookie, so it need not wait for the guest lookup).
        Some(id) => {
            let id = parse_id(id)?;
            // Regenerate and Edit first set aside what they replace, so the history read is what stays.
            if let Some(fork) = fork {
                let owner = caller
                    .existing_owner(chat.store.as_ref())
                    .await?
                    .ok_or(AppError::NotFound)?;
                asked_again = branches::set_aside(chat, owner, id, fork).await?;
            }
            let read_then_launch = async {
                let (conversation, mut history) =
                    read_conversation(chat, caller, id, chosen_model).await?;
                let question = match &asked_again {
                    Some(question) => {
                        // The question asked again is the history's last message: it is the question now.
                        if history.last().is_some_and(|m| m.id == question.id) {
                            history.pop();
                        }
                        question.content.clone()
                    }
                    None => content.clone(),
                };
                let answer = launch_answer(chat, &limits, &conversation, &history, &question, read);
                Ok((conversation, answer))
            };
            let (owner, (conversation, answer)) = tokio::try_join!(find_owner(), read_then_launch)?;
            (owner, conversation, answer)
        }
    };
    let reads_time = db_started.elapsed();

    let new_conversation = conversation.is_new.then(|| NewConversation {
        owner,
        assistant_id: TAX_ASSISTANT_ID.into(),
        title: conversation.title.clone(),
        model_key: conversation.model_key.clone(),
    });
    // On failure the answer's `stored` is dropped and the answer ends without a trace.
    let (user_message, stored_answer) = chat
        .store
        .begin_turn(NewTurn {
            conversation_id: conversation.id,
            new_conversation,
            question: match asked_again {
                Some(question) => TurnQuestion::Again(Box::new(question)),
                None => TurnQuestion::New(content),
            },
            provider: answer.first.provider_name,
            model: answer.first.model,
            disclaimer: DISCLAIMER.into(),
        })
        .await?;

    let db_time = db_started.elapsed();
    // Where a turn's wait on the database goes, for latency work (the load benchmark reads it).
    tracing::debug!(message_id = %stored_answer.id, reads_ms = ms(reads_time),
        begin_ms = ms(db_time - reads_time), "turn started");
    lock_turns(chat).insert(
        stored_answer.id,
        LiveTurn {
            cancel: answer.cancel,
            live: answer.live,
        },
    );
    let started = TurnEvent::Started {
        conversation_id: conversation.id.to_string(),
        title: conversation.title,
        user_message: Box::new(to_chat_message(user_message)),
        assistant_message_id: stored_answer.id.to_string(),
        model: answer.first.label,
    };
    let _ = answer.stored.send(answer::Stored {
        answer: stored_answer,
        db_time,
        usage_owner: UsageOwner {
            owner,
            counter_key: caller.counter_key(),
        },
    });
    Ok((started, answer.reader))
}

/// The model key the browser asked for, if any; an unknown one, or one the caller's tier may not use, is refused.
pub(crate) fn chosen_model(
    chat: &Chat,
    limits: &TierLimits,
    key: Option<&str>,
) -> Result<Option<String>, AppError> {
    match key.map(str::trim) {
        Some(key) if !key.is_empty() => {
            if !chat.catalog.contains(key) {
                return Err(AppError::UnknownModel(key.chars().take(120).collect()));
            }
            if !limits.models.is_empty() && !limits.models.iter().any(|m| m == key) {
                return Err(AppError::ModelNotAllowed(key.chars().take(120).collect()));
            }
            Ok(Some(key.to_string()))
        }
        _ => Ok(None),
    }
}

/// The conversation a turn writes into.
struct TurnConversation {
    id: Uuid,
    title: String,
    model_key: Option<String>,
    /// Started by this turn: written together with the question.
    is_new: bool,
    /// The owner's saved tax profile; `None` uses the defaults.
    tax_profile: Option<TaxProfile>,
}

/// An existing conversation of the caller and its newest messages, checked for a turn: not found for anyone
/// else's, refused while an answer in it is still streaming. A model chosen now is remembered for it.
async fn read_conversation(
    chat: &Chat,
    caller: &Caller,
    id: Uuid,
    chosen_model: Option<String>,
) -> Result<(TurnConversation, Vec<MessageRow>), AppError> {
    // The prompt keeps the newest messages that fit its budget; a long conversation's older ones never would.
    let context = chat
        .store
        .turn_context(caller.owner_ref(), id, PROMPT_HISTORY_MESSAGES)
        .await?
        .ok_or(AppError::NotFound)?;
    // An answer still streaming is always among the newest messages: a turn cannot start while one streams, and
    // answers a crash left streaming are marked interrupted at start.
    if context
        .recent_messages
        .iter()
        .any(|m| m.status == MessageStatus::Streaming)
    {
        return Err(AppError::TurnInProgress);
    }
    if let Some(key) = chosen_model.as_deref() {
        if context.model_key.as_deref() != Some(key) {
            chat.store
                .set_conversation_model(context.owner, id, key)
                .await?;
        }
    }
    let conversation = TurnConversation {
        id,
        title: context.title,
        model_key: chosen_model.or(context.model_key),
        is_new: false,
        tax_profile: context.tax_profile,
    };
    Ok((conversation, context.recent_messages))
}

/// An answer started before its question is stored.
struct LaunchedAnswer {
    /// The model asked first, recorded with the question.
    first: FirstChoice,
    /// Tells the answer the question is stored; dropping it ends the answer without a trace.
    stored: oneshot::Sender<answer::Stored>,
    cancel: CancellationToken,
    live: Arc<LiveAnswer>,
    /// The asker's reader, when they read the answer as it is written.
    reader: Option<Reader>,
}

/// The model an answer is asked of first (its fallbacks come after it).
struct FirstChoice {
    provider_name: String,
    model: String,
    label: String,
}

/// Starts the answer task, which grounds the question and asks the first model at once, so the request overlaps
/// storing the question, and waits for the question to be stored before anything reaches the browser or the
/// database.
fn launch_answer(
    chat: &Chat,
    limits: &TierLimits,
    conversation: &TurnConversation,
    history: &[MessageRow],
    question: &str,
    read: bool,
) -> LaunchedAnswer {
    let candidates = chat
        .catalog
        .candidates(conversation.model_key.as_deref(), &limits.models);
    let first = candidates.first().map_or_else(
        || FirstChoice {
            provider_name: "none".into(),
            model: "none".into(),
            label: "none".into(),
        },
        |c| FirstChoice {
            provider_name: c.provider_name.clone(),
            model: c.model.clone(),
            label: c.label.clone(),
        },
    );
    let mut history: Vec<PromptMessage> = history.iter().filter_map(prompt_message).collect();
    history.push(PromptMessage {
        role: prompt::PromptRole::User,
        content: question.into(),
    });
    // Everything a model reads of what the user wrote (the search-query rewrite, the answer, the title and the
    // follow-ups all start from these) leaves without personal identifiers; the stored question keeps them. The
    // note names what this question had: the earlier ones' answers already said theirs.
    let mut masked = Vec::new();
    let last = history.len() - 1;
    for (at, message) in history.iter_mut().enumerate() {
        if message.role != prompt::PromptRole::User {
            continue;
        }
        let result = pii::mask(&message.content);
        if !result.found.is_empty() {
            message.content = result.text.into();
            if at == last {
                masked = result.found;
            }
        }
    }
    // The question as the models see it (the last message), masked like the rest.
    let question = history
        .last()
        .map_or_else(|| question.to_string(), |m| m.content.to_string());
    let profile = conversation
        .tax_profile
        .clone()
        .unwrap_or_else(|| tax_profile::default_profile(tax_profile::today()));
    let cancel = chat.shutdown.child_token();
    let (live, reader) = LiveAnswer::new(chat.settings.answer_grace, read);
    let (stored, question_stored) = oneshot::channel();
    chat.tasks.spawn(answer::write_answer(answer::AnswerJob {
        chat: chat.clone(),
        candidates,
        question: request::Question {
            text: question,
            history,
            profile,
            context_tokens: limits.context_tokens,
            masked,
        },
        first_exchange: conversation.is_new,
        stored: question_stored,
        cancel: cancel.clone(),
        events: EventSender(live.clone()),
    }));
    LaunchedAnswer {
        first,
        stored,
        cancel,
        live,
        reader,
    }
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Stops an answer the caller owns. Stopping an answer that already ended is not an error.
pub async fn stop(chat: &Chat, caller: &Caller, message_id: &str) -> Result<(), AppError> {
    let id = parse_id(message_id)?;
    let owner = caller
        .existing_owner(chat.store.as_ref())
        .await?
        .ok_or(AppError::NotFound)?;
    chat.store
        .find_message(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(turn) = lock_turns(chat).get(&id) {
        turn.cancel.cancel();
    }
    Ok(())
}

pub(super) fn lock_turns(
    chat: &Chat,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<Uuid, LiveTurn>> {
    // The map is only touched in short, panic-free sections, so a poisoned lock still holds consistent data.
    chat.active_turns
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
        content: row.content.as_str().into(),
    })
}
