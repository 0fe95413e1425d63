//! Sending a question and applying the streamed answer to the page (runs in the browser).

use futures::StreamExt;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{hooks::use_navigate, NavigateOptions};

use crate::{
    api::{
        attach_answer, delete_exchange, get_conversation, send_message, stop_answer, switch_version,
    },
    app::{
        state::{save_draft, PendingTurn, TurnError},
        ChatContext,
    },
    i18n::Lang,
    model::{ApiError, EventLineReader, MessageStatus, TurnEvent, TurnRequest},
};

/// Returns a function that sends a question in the current conversation (or starts one).
pub fn use_send() -> impl Fn(String) + Clone + 'static {
    let ask = use_ask();
    move |question: String| ask(question, None)
}

/// What a Regenerate or an Edit replaces: the last answer, or a question (with everything after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replacing {
    Answer(String),
    Question(String),
}

/// Returns a function that asks `question`, or (with `replacing`) asks the last question again or an edited one.
/// What is replaced leaves the page at once; the server keeps it as another version, which the page shows once
/// the new answer is done.
pub fn use_ask() -> impl Fn(String, Option<Replacing>) + Clone + 'static {
    let ctx = ChatContext::use_context();
    let navigate = use_navigate();
    move |question: String, replacing: Option<Replacing>| {
        let question = question.trim().to_string();
        if question.is_empty() || ctx.is_busy() {
            return;
        }
        let conversation_id = ctx.conversation_id.get_untracked();
        let model = ctx.model.get_untracked();
        ctx.error.set(None);
        if replacing.is_none() {
            ctx.draft.set(String::new());
            save_draft(conversation_id.as_deref(), "");
        }
        if let Some(replacing) = &replacing {
            // The question asked again shows as the pending one; an edited question replaces the old from there.
            let (from, also_question) = match replacing {
                Replacing::Answer(id) => (id, true),
                Replacing::Question(id) => (id, false),
            };
            ctx.messages.update(|messages| {
                if let Some(at) = messages.iter().position(|m| &m.id == from) {
                    messages.truncate(if also_question {
                        at.saturating_sub(1)
                    } else {
                        at
                    });
                }
            });
        }
        let turn = PendingTurn::asked(question.clone());
        let turn_id = turn.turn_id;
        ctx.pending.set(Some(turn));
        let navigate = navigate.clone();
        spawn_local(async move {
            let (regenerate, edit) = match &replacing {
                Some(Replacing::Answer(id)) => (Some(id.clone()), None),
                Some(Replacing::Question(id)) => (None, Some(id.clone())),
                None => (None, None),
            };
            let request = TurnRequest {
                conversation_id,
                content: question.clone(),
                model,
                regenerate,
                edit,
            };
            match send_message(request).await {
                Ok(stream) => {
                    read_events(ctx, turn_id, stream, &navigate).await;
                    if replacing.is_some() {
                        show_versions(ctx).await;
                    }
                }
                Err(error) => {
                    if current_turn(ctx, turn_id) {
                        ctx.pending.set(None);
                        if replacing.is_some() {
                            // Nothing changed on the server: show the conversation as it is.
                            show_versions(ctx).await;
                        } else {
                            // Nothing was stored: give the text back so nothing typed is lost.
                            save_draft(ctx.conversation_id.get_untracked().as_deref(), &question);
                            ctx.draft.set(question.clone());
                        }
                        let retry = (retryable(&error) && replacing.is_none()).then_some(question);
                        ctx.error.set(Some(TurnError { error, retry }));
                    }
                }
            }
        });
    }
}

/// Reloads the conversation on screen, with each message's versions ("2 / 2").
async fn show_versions(ctx: ChatContext) {
    let Some(id) = ctx.conversation_id.get_untracked() else {
        return;
    };
    if let Ok(detail) = get_conversation(id).await {
        if !ctx.is_busy() {
            let error = ctx.error.get_untracked();
            ctx.show(Some(detail));
            ctx.error.set(error);
        }
    }
}

/// Shows another version of a message, or deletes a question with its answer: the server answers with the
/// conversation as it then is.
pub fn use_change_versions() -> impl Fn(VersionChange) + Clone + 'static {
    let ctx = ChatContext::use_context();
    move |change: VersionChange| {
        if ctx.is_busy() {
            return;
        }
        spawn_local(async move {
            let result = match change {
                VersionChange::Show(id) => switch_version(id).await,
                VersionChange::Delete(id) => delete_exchange(id).await,
            };
            match result {
                Ok(detail) => {
                    ctx.show(Some(detail));
                    ctx.reload_list();
                }
                Err(error) => ctx.error.set(Some(TurnError { error, retry: None })),
            }
        });
    }
}

#[derive(Clone, Debug)]
pub enum VersionChange {
    Show(String),
    Delete(String),
}

/// Reads a turn's events until the answer is finished; an answer still being written when they stop lost its
/// connection.
async fn read_events(
    ctx: ChatContext,
    turn_id: u64,
    stream: leptos::server_fn::codec::TextStream<ApiError>,
    navigate: &impl Fn(&str, NavigateOptions),
) {
    let mut reader = EventLineReader::default();
    let mut chunks = stream.into_inner();
    'reading: while let Some(chunk) = chunks.next().await {
        let Ok(chunk) = chunk else { break };
        for event in reader.push(&chunk) {
            match event {
                Ok(event) => apply(ctx, turn_id, event, navigate),
                Err(_) => break 'reading,
            }
        }
    }
    if current_turn(ctx, turn_id) {
        let question = ctx
            .pending
            .with_untracked(|p| p.as_ref().map(|p| p.question.clone()))
            .unwrap_or_default();
        lost_connection(ctx, question);
    }
}

/// Reads, from where its text stands, an answer that was still being written when the conversation was opened. An
/// answer that ended meanwhile is read from the server as stored.
pub fn use_resume() -> impl Fn(String) + Clone + 'static {
    let ctx = ChatContext::use_context();
    let navigate = use_navigate();
    move |message_id: String| {
        let Some(turn_id) = ctx
            .pending
            .with_untracked(|p| p.as_ref().map(|p| p.turn_id))
        else {
            return;
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match attach_answer(message_id).await {
                Ok(stream) if current_turn(ctx, turn_id) => {
                    // The live answer starts with all its text so far, which replaces the stored checkpoint.
                    ctx.pending.with_untracked(|pending| {
                        if let Some(pending) = pending {
                            pending.text.set(String::new());
                        }
                    });
                    read_events(ctx, turn_id, stream, &navigate).await;
                }
                Ok(_) => {}
                Err(error) if error.code == "answer_ended" => {
                    let Some(id) = ctx.conversation_id.get_untracked() else {
                        return;
                    };
                    if let Ok(detail) = get_conversation(id).await {
                        if current_turn(ctx, turn_id) {
                            ctx.pending.set(None);
                            // Stored as final now; should it still say streaming (a crashed task), show it as is.
                            let mut detail = detail;
                            for message in &mut detail.messages {
                                if message.status == MessageStatus::Streaming {
                                    message.status = MessageStatus::Interrupted;
                                }
                            }
                            ctx.show(Some(detail));
                        }
                    }
                }
                Err(error) => {
                    if current_turn(ctx, turn_id) {
                        let question = ctx
                            .pending
                            .with_untracked(|p| p.as_ref().map(|p| p.question.clone()))
                            .unwrap_or_default();
                        lost_connection(ctx, question);
                        ctx.error.set(Some(TurnError { error, retry: None }));
                    }
                }
            }
        });
    }
}

/// Stops the answer being written. The server keeps the partial text and ends the stream.
pub fn stop(ctx: ChatContext) {
    let mut id = None;
    ctx.pending.update(|pending| {
        if let Some(pending) = pending {
            pending.stop_requested = true;
            id = pending.assistant_message_id.clone();
        }
    });
    if let Some(id) = id {
        spawn_local(async move {
            let _ = stop_answer(id).await;
        });
    }
}

fn current_turn(ctx: ChatContext, turn_id: u64) -> bool {
    ctx.pending
        .with_untracked(|p| p.as_ref().is_some_and(|p| p.turn_id == turn_id))
}

fn retryable(error: &ApiError) -> bool {
    // Asking again cannot help until the day's allowance is back, nor with a model the tier may not use.
    !error.code.starts_with("validation_")
        && !matches!(error.code.as_str(), "quota_exceeded" | "model_not_allowed")
}

fn apply(
    ctx: ChatContext,
    turn_id: u64,
    event: TurnEvent,
    navigate: &impl Fn(&str, NavigateOptions),
) {
    if let TurnEvent::FollowUps {
        message_id,
        questions,
    } = event
    {
        // These arrive after the answer finished (the turn is over), for whichever conversation is on screen.
        ctx.messages.update(|messages| {
            if let Some(message) = messages.iter_mut().find(|m| m.id == message_id) {
                message.follow_ups = questions;
            }
        });
        return;
    }
    if let TurnEvent::Titled {
        conversation_id,
        title,
    } = event
    {
        if ctx.conversation_id.get_untracked().as_deref() == Some(conversation_id.as_str()) {
            ctx.title.set(title);
        }
        ctx.reload_list();
        return;
    }
    if !current_turn(ctx, turn_id) {
        // The user moved on; the server still stores this answer, and the sidebar will show it.
        if matches!(event, TurnEvent::Finished { .. }) {
            ctx.reload_list();
        }
        return;
    }
    match event {
        TurnEvent::Started {
            conversation_id,
            title,
            user_message,
            assistant_message_id,
            ..
        } => {
            let is_new =
                ctx.conversation_id.get_untracked().as_deref() != Some(conversation_id.as_str());
            let mut stop_now = false;
            ctx.pending.update(|pending| {
                if let Some(pending) = pending {
                    pending.user_message = Some(*user_message);
                    pending.assistant_message_id = Some(assistant_message_id.clone());
                    stop_now = pending.stop_requested;
                }
            });
            if stop_now {
                spawn_local(async move {
                    let _ = stop_answer(assistant_message_id).await;
                });
            }
            if is_new {
                ctx.conversation_id.set(Some(conversation_id.clone()));
                ctx.title.set(title);
                navigate(&format!("/c/{conversation_id}"), NavigateOptions::default());
                ctx.reload_list();
            }
        }
        TurnEvent::Token { text } => {
            ctx.pending.with_untracked(|pending| {
                if let Some(pending) = pending {
                    pending.text.update(|t| t.push_str(&text));
                }
            });
        }
        TurnEvent::Grounded { grounding, .. } => {
            ctx.pending.with_untracked(|pending| {
                if let Some(pending) = pending {
                    pending.grounding.set(Some(*grounding));
                }
            });
        }
        TurnEvent::Rerouted { notice, .. } | TurnEvent::Noted { notice } => {
            ctx.pending.with_untracked(|pending| {
                if let Some(pending) = pending {
                    pending.notice.set(Some(notice));
                }
            });
        }
        TurnEvent::FollowUps { .. } | TurnEvent::Titled { .. } => {}
        TurnEvent::Finished { message, error } => {
            let pending = ctx.pending.get_untracked();
            let question = pending
                .as_ref()
                .map(|p| p.question.clone())
                .unwrap_or_default();
            ctx.messages.update(|messages| {
                if let Some(user) = pending.and_then(|p| p.user_message) {
                    messages.push(user);
                }
                messages.push(*message);
            });
            ctx.pending.set(None);
            if let Some(error) = error {
                let retry = retryable(&error).then_some(question);
                ctx.error.set(Some(TurnError { error, retry }));
            }
            ctx.reload_list();
        }
    }
}

fn lost_connection(ctx: ChatContext, question: String) {
    let pending = ctx.pending.get_untracked();
    ctx.pending.set(None);
    if let Some(pending) = pending {
        // Show what arrived; the server keeps the same partial text (status interrupted).
        ctx.messages.update(|messages| {
            if let Some(user) = pending.user_message.clone() {
                messages.push(user);
            }
            if let Some(id) = pending.assistant_message_id.clone() {
                let content = pending.text.get_untracked();
                messages.push(crate::model::ChatMessage {
                    id,
                    role: crate::model::Role::Assistant,
                    html: format!(
                        "<p class=\"whitespace-pre-wrap\">{}</p>",
                        escape_html(&content)
                    ),
                    content,
                    status: MessageStatus::Interrupted,
                    provider: None,
                    model: None,
                    usage: None,
                    error_id: None,
                    notice: None,
                    follow_ups: Vec::new(),
                    grounding: pending.grounding.get_untracked(),
                    timing: None,
                    created_at_ms: 0,
                    branch: None,
                });
            }
        });
    }
    ctx.error.set(Some(TurnError {
        error: ApiError {
            code: "connection_lost".into(),
            message: Lang::current().texts().errors.connection_lost.into(),
            correlation_id: String::new(),
            retry_after_secs: None,
        },
        retry: Some(question),
    }));
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
