//! The answer task: grounds the question (see `request`), streams the model's tokens to the browser, checkpoints
//! the partial text, and stores the final state however the turn ends.

use std::time::Duration;

use tokio::{sync::oneshot, time::Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{
    lock_turns,
    request::{ground, Question, Requests},
    streaming::{Ending, Opening, Progress, Turn},
    EventSender,
};
use crate::{
    model::{ApiError, MessageStatus, TurnEvent, Usage},
    server::{
        chat::{
            conversations::to_chat_message,
            follow_ups, pii, prompt, titles,
            usage::{self, UsageOwner},
            Chat,
        },
        error::{new_correlation_id, AppError},
        llm::{model_key, Candidate},
        store::{FinishedAnswer, MessageRow},
    },
};

/// Everything the answer task needs; it owns all of it, so it outlives the request that started it.
pub(super) struct AnswerJob {
    pub chat: Chat,
    /// The models to try, in order (the chosen one first).
    pub candidates: Vec<Candidate>,
    pub question: Question,
    /// The first exchange of a new conversation, which earns it a generated title.
    pub first_exchange: bool,
    /// Arrives when the turn has stored the question; dropped if it could not.
    pub stored: oneshot::Receiver<Stored>,
    pub cancel: CancellationToken,
    pub events: EventSender,
}

/// The turn's word that the question is stored.
pub(super) struct Stored {
    pub answer: MessageRow,
    /// Database time the turn spent before the answer started (storing the question, reading history).
    pub db_time: Duration,
    /// Whose day the answer's usage counts against.
    pub usage_owner: UsageOwner,
}

pub(super) async fn write_answer(job: AnswerJob) {
    let AnswerJob {
        chat,
        candidates,
        question,
        first_exchange,
        stored,
        cancel,
        events,
    } = job;
    let grounded = ground(&chat, &candidates, &question, &cancel).await;
    let requests = Requests::new(&chat, &candidates, &question, &grounded);
    // In the answer's language (the question's), like the answer it sits under.
    let privacy_note = pii::note(&question.masked, &grounded.language.texts().chat);
    let Question { text: question, .. } = question;
    let started = Instant::now();
    // The first model is asked now, while the turn stores the question: its first token takes far longer than the
    // write. Nothing reaches the browser or the database before the question is stored; if it could not be, the
    // request is dropped, which cancels it, and the turn reports the error.
    let first_opening = candidates.first().map(|candidate| {
        candidate.provider.stream(
            &candidate.model,
            requests.for_candidate(candidate, &grounded),
        )
    });
    let Some((
        Stored {
            answer,
            db_time,
            usage_owner,
        },
        first_opening,
    )) = question_stored(stored, first_opening).await
    else {
        return;
    };
    let mut progress = Progress {
        text: String::new(),
        usage: None,
        first_token_at: None,
        candidate: 0,
        notice: privacy_note.clone(),
        privacy_note: privacy_note.clone(),
        db_time,
        calculations: Vec::new(),
    };
    // The stamp and sources show above the answer before its first token.
    // Small talk carries no stamp or sources: nothing in it is about tax.
    if !grounded.small_talk {
        let grounded_event = TurnEvent::Grounded {
            message_id: answer.id.to_string(),
            grounding: Box::new(grounded.grounding.clone()),
        };
        events.send(grounded_event).await;
    }
    if let Some(notice) = privacy_note {
        events.send(TurnEvent::Noted { notice }).await;
    }
    let ending = if candidates.is_empty() {
        Ending::NoProvider
    } else {
        let turn = Turn {
            chat: &chat,
            message_id: answer.id,
            cancel: &cancel,
            events: &events,
            grounded: &grounded,
        };
        turn.stream_with_fallback(&candidates, &requests, first_opening, &mut progress)
            .await
    };
    chat.checkpoints.forget(answer.id);

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
            prompt_tokens: u32::try_from(requests.estimate_tokens()).unwrap_or(u32::MAX),
            completion_tokens: u32::try_from(prompt::estimate_tokens(&progress.text))
                .unwrap_or(u32::MAX),
            estimated: true,
        })
    });
    let answered_by = candidates.get(progress.candidate).cloned();
    let (provider, model) = match &answered_by {
        Some(candidate) => (candidate.provider_name.clone(), candidate.model.clone()),
        None => (
            answer.provider.clone().unwrap_or_default(),
            answer.model.clone().unwrap_or_default(),
        ),
    };
    let complete = matches!(ending, Ending::Complete) && !progress.text.trim().is_empty();
    let mut grounding = grounded.grounding.clone();
    grounding.unsupported_figures =
        grounded.unsupported_figures_with(&progress.text, &progress.calculations);
    grounding.calculations.extend(progress.calculations);
    if !grounding.unsupported_figures.is_empty() {
        // Counted in the log: how often models state figures the sources do not hold.
        tracing::warn!(message_id = %answer.id, unsupported_figures = grounding.unsupported_figures.len(),
            figures = ?grounding.unsupported_figures, "answer states figures found in none of its sources");
    }
    let finished = FinishedAnswer {
        provider,
        model,
        notice: progress.notice,
        content: progress.text,
        status,
        usage,
        ttft_ms: progress.first_token_at.map(|at| millis(at - started)),
        latency_ms: millis(started.elapsed()),
        error_id: error.as_ref().map(|e| e.correlation_id.clone()),
        grounding: (!grounded.small_talk).then_some(grounding),
    };
    let answer_text = finished.content.clone();
    let used_model = model_key(&finished.provider, &finished.model);
    let used = finished.usage;
    let finish_started = Instant::now();
    let stored = chat.store.finish_answer(answer.id, finished).await;
    let start_db_ms = progress.db_time.as_secs_f64() * 1000.0;
    let db_ms = start_db_ms + finish_started.elapsed().as_secs_f64() * 1000.0;
    match stored {
        Ok(row) => {
            tracing::info!(message_id = %row.id, status = row.status.as_str(), provider = row.provider.as_deref(),
                ttft_ms = row.ttft_ms, latency_ms = row.latency_ms, start_db_ms, db_ms, "answer stored");
            events
                .send(TurnEvent::Finished {
                    message: Box::new(to_chat_message(row)),
                    error,
                })
                .await;
            // Reachable by Stop and by readers attaching until now; those attached still get follow-ups and title.
            lock_turns(&chat).remove(&answer.id);
        }
        Err(db_error) => {
            let report = AppError::Database(db_error).report();
            let answer_id = answer.id;
            let mut message = to_chat_message(answer);
            message.status = MessageStatus::Failed;
            events
                .send(TurnEvent::Finished {
                    message: Box::new(message),
                    error: Some(report),
                })
                .await;
            lock_turns(&chat).remove(&answer_id);
            return;
        }
    }
    // After the browser has the answer: the accounting is nobody's wait.
    usage::record(&chat, &usage_owner, &used_model, used.as_ref()).await;
    if let (true, Some(candidate)) = (complete, answered_by) {
        let follow_ups = suggest_follow_ups(
            &chat,
            &candidate,
            answer.id,
            &question,
            &answer_text,
            &events,
        );
        let title = async {
            if first_exchange {
                let conversation_id = answer.conversation_id;
                name_conversation(
                    &chat,
                    &candidate,
                    conversation_id,
                    &question,
                    &answer_text,
                    &events,
                )
                .await;
            }
        };
        tokio::join!(follow_ups, title);
    }
}

/// Waits until the turn has stored the question while the first model's request, if any, makes progress; returns
/// that request, opened or still opening. `None`: the question was not stored.
async fn question_stored(
    mut stored: oneshot::Receiver<Stored>,
    opening: Option<Opening<'_>>,
) -> Option<(Stored, Option<Opening<'_>>)> {
    let Some(mut opening) = opening else {
        return Some((stored.await.ok()?, None));
    };
    tokio::select! {
        biased;
        result = &mut stored => Some((result.ok()?, Some(opening))),
        opened = &mut opening => {
            let stored = stored.await.ok()?;
            Some((stored, Some(Box::pin(futures::future::ready(opened)))))
        }
    }
}

/// Replaces a new conversation's provisional title (the question's first words) with one the model wrote.
async fn name_conversation(
    chat: &Chat,
    candidate: &Candidate,
    conversation_id: Uuid,
    question: &str,
    answer: &str,
    events: &EventSender,
) {
    let Some(title) = titles::generate(candidate, question, answer).await else {
        return;
    };
    match chat
        .store
        .set_generated_title(conversation_id, &title)
        .await
    {
        Ok(true) => {
            events
                .send(TurnEvent::Titled {
                    conversation_id: conversation_id.to_string(),
                    title,
                })
                .await;
        }
        // Renamed by its owner meanwhile: their title stays.
        Ok(false) => {}
        Err(error) => tracing::warn!(%conversation_id, %error, "generated title not stored"),
    }
}

/// Asks the model that answered for follow-ups, stores them and tells the browser. Runs after the answer is
/// stored, so a slow or failing suggestion never delays or endangers the answer itself.
async fn suggest_follow_ups(
    chat: &Chat,
    candidate: &Candidate,
    message_id: Uuid,
    question: &str,
    answer: &str,
    events: &EventSender,
) {
    let Some(questions) = follow_ups::generate(candidate, question, answer).await else {
        return;
    };
    if let Err(error) = chat.store.set_follow_ups(message_id, &questions).await {
        tracing::warn!(%message_id, %error, "follow-up questions not stored");
        return;
    }
    events
        .send(TurnEvent::FollowUps {
            message_id: message_id.to_string(),
            questions,
        })
        .await;
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
