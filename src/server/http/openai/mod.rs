//! The OpenAI-compatible endpoint: `POST /v1/chat/completions` (streamed and not) and `GET /v1/models`, so any
//! OpenAI SDK or tool can use Tally with an API key. A "model" is one of Tally's assistants (`tally-tax`, the tax
//! assistant): the answer comes from Tally's own instructions, grounding and limits, never the client's system
//! prompt, and ends with its sources and the disclaimer as a last Markdown paragraph. The history the client
//! sends is kept as a conversation of the key's owner and the question answered in it, as in the browser; a key
//! made with recording off has that conversation deleted once the answer is done.

mod stream;
mod wire;

use std::convert::Infallible;

use axum::{
    body::Body,
    extract::{rejection::JsonRejection, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use futures::StreamExt;
use uuid::Uuid;

use self::{
    stream::ChunkWriter,
    wire::{
        closing_paragraph, Choice, Completion, CompletionRequest, ModelCard, ModelList, OutMessage,
        TallyExtras,
    },
};
use crate::{
    model::{one_line, AnswerResponse, ApiError, Role, TurnEvent, TurnRequest},
    server::{
        chat::turn::{self, TAX_ASSISTANT_ID},
        error::{openai_error_body, AppError},
        http::answer_api,
        identity::{
            api::keys::Scope,
            caller::{Access, Caller, SignedIn},
        },
        state::AppState,
        store::{now_ms, Owner},
    },
};

/// The tax assistant as a model.
pub const TAX_MODEL: &str = "tally-tax";
/// When the assistant "model" was first offered (OpenAI lists a creation time for each).
const TAX_MODEL_CREATED: i64 = 1_764_547_200;
/// Most messages of history a request may carry.
const MAX_HISTORY: usize = 200;

/// A refusal in OpenAI's error shape, with `Retry-After` on a 429.
fn refused(error: &AppError) -> Response {
    let report = error.report();
    let wait = report.retry_after_secs;
    let mut response = (error.status(), Json(error.openai_body(&report))).into_response();
    if let Some(value) = wait.and_then(|w| HeaderValue::from_str(&w.to_string()).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The failure of a whole answer (already reported), in OpenAI's error shape.
fn failed(status: StatusCode, error: &ApiError) -> Response {
    (status, Json(openai_error_body(status, error))).into_response()
}

fn signed_in(caller: &Caller) -> Result<&SignedIn, AppError> {
    let user = caller.user().ok_or(AppError::SignInRequired)?;
    user.require(Scope::Chat)?;
    Ok(user)
}

pub async fn models(Extension(caller): Extension<Caller>) -> Response {
    if let Err(error) = signed_in(&caller) {
        return refused(&error);
    }
    Json(ModelList {
        object: "list",
        data: vec![ModelCard {
            id: TAX_MODEL,
            object: "model",
            created: TAX_MODEL_CREATED,
            owned_by: "tally",
        }],
    })
    .into_response()
}

/// The question, the history before it and the title, read from the client's messages.
struct Asked {
    question: String,
    history: Vec<(Role, String)>,
    title: String,
}

fn read_request(request: &CompletionRequest) -> Result<Asked, AppError> {
    if request.model != TAX_MODEL {
        return Err(AppError::UnknownModel(
            request.model.chars().take(120).collect(),
        ));
    }
    if request.n.is_some_and(|n| n != 1) {
        return Err(AppError::InvalidBody(
            "n must be 1: one answer is written".into(),
        ));
    }
    let mut said = Vec::new();
    for message in &request.messages {
        let role = match message.role.as_str() {
            // Tally's assistant answers by its own instructions: a client's system prompt is left aside.
            "system" | "developer" => continue,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(AppError::InvalidBody(format!(
                    "messages with role {:?} are not supported: send user and assistant messages",
                    other.chars().take(20).collect::<String>()
                )))
            }
        };
        let text = match &message.content {
            Some(content) => content
                .text()
                .ok_or_else(|| AppError::InvalidBody("only text content is supported".into()))?,
            None => String::new(),
        };
        said.push((role, text));
    }
    let Some((Role::User, question)) = said.pop() else {
        return Err(AppError::InvalidBody(
            "the last message must be the user's question".into(),
        ));
    };
    if said.len() > MAX_HISTORY {
        return Err(AppError::InvalidBody(format!(
            "at most {MAX_HISTORY} earlier messages are read"
        )));
    }
    let first_question = said
        .iter()
        .find(|(role, _)| *role == Role::User)
        .map_or(question.as_str(), |(_, text)| text.as_str());
    let title = one_line(first_question, 80);
    Ok(Asked {
        question,
        history: said,
        title: if title.is_empty() {
            crate::server::chat::create::UNTITLED.into()
        } else {
            title
        },
    })
}

pub async fn completions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<CompletionRequest>, JsonRejection>,
) -> Response {
    let user = match signed_in(&caller) {
        Ok(user) => user.clone(),
        Err(error) => return refused(&error),
    };
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => return refused(&AppError::InvalidBody(rejection.body_text())),
    };
    let asked = match read_request(&request) {
        Ok(asked) => asked,
        Err(error) => return refused(&error),
    };
    let record = match user.access {
        Access::Key { record, .. } => record,
        Access::Browser | Access::Token => true,
    };
    // A first question that is kept takes the browser's path: the turn writes the new conversation with the
    // question in one transaction while the model is already being asked. Earlier messages are written first, and
    // so is the conversation of a key that does not record (it is deleted afterwards, whatever happened).
    let kept = if record && asked.history.is_empty() {
        None
    } else {
        match keep_history(&state, &caller, &asked).await {
            Ok(kept) => Some(kept),
            Err(error) => return refused(&error),
        }
    };
    let turn = TurnRequest {
        conversation_id: kept.as_ref().map(|kept| kept.conversation_id.to_string()),
        content: asked.question,
        model: None,
        regenerate: None,
        edit: None,
    };
    let include_usage = request
        .stream_options
        .as_ref()
        .is_some_and(|options| options.include_usage);
    if request.stream {
        match turn::start(&state.chat, &caller, turn).await {
            Ok(events) => stream(state, kept, record, include_usage, events),
            Err(error) => {
                // Refused before anything was asked: the conversation made for it goes.
                Kept::discard_any(kept, &state).await;
                refused(&error)
            }
        }
    } else {
        let answered = answer_api::complete(&state, &caller, turn).await;
        match answered {
            Ok(answer) => {
                if !record {
                    Kept::discard_any(kept, &state).await;
                }
                Json(completion(answer, record)).into_response()
            }
            Err((status, error)) => {
                if status.is_client_error() || !record {
                    Kept::discard_any(kept, &state).await;
                }
                failed(status, &error)
            }
        }
    }
}

/// The conversation a request's history was written into.
struct Kept {
    owner: Owner,
    conversation_id: Uuid,
}

impl Kept {
    /// Deletes the conversation made before the turn, if one was.
    async fn discard_any(kept: Option<Kept>, state: &AppState) {
        if let Some(kept) = kept {
            kept.discard(state).await;
        }
    }

    async fn discard(&self, state: &AppState) {
        if let Err(error) = state
            .store
            .delete_conversation(self.owner, self.conversation_id)
            .await
        {
            tracing::warn!(%error, conversation_id = %self.conversation_id, "could not delete an unrecorded conversation");
        }
    }
}

async fn keep_history(state: &AppState, caller: &Caller, asked: &Asked) -> Result<Kept, AppError> {
    let owner = caller.owner(state.store.as_ref()).await?;
    let conversation_id = state
        .store
        .import_conversation(owner, TAX_ASSISTANT_ID, &asked.title, &asked.history)
        .await?;
    Ok(Kept {
        owner,
        conversation_id,
    })
}

fn completion(answer: AnswerResponse, record: bool) -> Completion {
    let content = format!(
        "{}{}",
        answer.answer,
        closing_paragraph(&answer.sources, &answer.disclaimer)
    );
    Completion {
        id: format!("chatcmpl-{}", answer.message_id),
        object: "chat.completion",
        created: now_ms() / 1000,
        model: TAX_MODEL.into(),
        system_fingerprint: None,
        choices: vec![Choice {
            index: 0,
            message: OutMessage {
                role: "assistant",
                content,
                refusal: None,
            },
            logprobs: None,
            finish_reason: "stop",
        }],
        usage: answer.usage.into(),
        tally: TallyExtras {
            disclaimer: answer.disclaimer,
            sources: answer.sources,
            follow_ups: answer.follow_ups,
            tax_stamp: answer.tax_stamp,
            conversation_id: record.then_some(answer.conversation_id),
            message_id: answer.message_id,
        },
    }
}

/// The answer as OpenAI streams one: a role chunk, content chunks, the closing paragraph, a finish chunk, the usage
/// chunk when asked for, `[DONE]`. The turn is read to its end by a task of its own, so a client that goes away
/// leaves the answer to be finished and stored (and an unrecorded conversation to be deleted after it).
fn stream(
    state: AppState,
    kept: Option<Kept>,
    record: bool,
    include_usage: bool,
    events: impl futures::Stream<Item = TurnEvent> + Send + Unpin + 'static,
) -> Response {
    let (sender, receiver) = tokio::sync::mpsc::channel::<String>(64);
    tokio::spawn(async move {
        let mut writer = ChunkWriter::new(include_usage);
        let mut events = events;
        // The conversation the turn made, when it made one.
        let mut conversation_id = kept.as_ref().map(|kept| kept.conversation_id.to_string());
        while let Some(event) = events.next().await {
            if let TurnEvent::Started {
                conversation_id: started,
                ..
            } = &event
            {
                conversation_id.get_or_insert_with(|| started.clone());
            }
            for text in writer.on(event) {
                // The client may have gone: the answer is read to its end all the same.
                let _ = sender.send(text).await;
            }
        }
        for text in writer.finish(conversation_id.filter(|_| record)) {
            let _ = sender.send(text).await;
        }
        if !record {
            Kept::discard_any(kept, &state).await;
        }
    });
    let body = tokio_stream::wrappers::ReceiverStream::new(receiver).map(Ok::<_, Infallible>);
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// `/v1/chat/completions` and `/v1/models` (tested by tests/openai_api.rs and by the official `openai` package).
pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/v1/chat/completions", post(completions))
        .route("/v1/models", get(models))
}
