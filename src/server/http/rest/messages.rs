//! `POST /api/v1/conversations/{id}/messages`: ask in a conversation. With `Accept: text/event-stream` the answer
//! streams as Server-Sent Events, the same events the browser reads (`started`, `grounded`, `token`...,
//! `finished`, `follow_ups`); otherwise one JSON answer once it and its follow-ups are done. A client that goes
//! away mid-stream leaves the answer to be finished and stored, as a closed browser tab does.

use std::convert::Infallible;

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension, Json,
};
use futures::StreamExt;
use serde::Deserialize;
use utoipa::ToSchema;

use super::reply::{error_response, ApiResult, ApiUser, Body, ErrorBody, PathParam};
use crate::{
    model::{AnswerResponse, TurnEvent, TurnRequest},
    server::{
        chat::turn,
        http::answer_api,
        identity::{api::keys::Scope, caller::Caller},
        state::AppState,
    },
};

#[derive(Deserialize, ToSchema)]
pub struct AskRequest {
    /// The question (up to the tier's length limit).
    #[schema(
        example = "How much should I set aside for quarterly estimated taxes on $60,000 of freelance income?",
        min_length = 1
    )]
    pub content: String,
    /// A model key from `GET /models`; the conversation's model when left out.
    #[serde(default)]
    pub model: Option<String>,
}

/// Ask in a conversation: the answer as Server-Sent Events (`Accept: text/event-stream`) or as one JSON reply.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "messages", request_body = AskRequest,
    params(("id" = String, Path, description = "The conversation's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The answer: JSON, or with `Accept: text/event-stream` a stream of events, each `event: <type>` with the event as JSON in `data`", content(
            (AnswerResponse = "application/json"),
            (String = "text/event-stream"))),
        (status = 400, description = "The question is empty, has control characters, or the model is unknown", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the chat scope, or the model is not for this tier", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
        (status = 409, description = "An answer is still being written in this conversation", body = ErrorBody),
        (status = 413, description = "The question is longer than allowed", body = ErrorBody),
        (status = 429, description = "Too many questions (per minute or per day); see `Retry-After`", body = ErrorBody),
        (status = 502, description = "The model failed (JSON reply only; a stream says so in `finished`)", body = ErrorBody),
    ))]
pub async fn ask(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    PathParam(id): PathParam<String>,
    headers: HeaderMap,
    Body(body): Body<AskRequest>,
) -> ApiResult<Response> {
    user.require(Scope::Chat)?;
    let request = TurnRequest {
        conversation_id: Some(id),
        content: body.content,
        model: body.model,
        regenerate: None,
        edit: None,
    };
    if wants_events(&headers) {
        let events = turn::start(&state.chat, &caller, request).await?;
        return Ok(event_stream(events));
    }
    Ok(match answer_api::complete(&state, &caller, request).await {
        Ok(answer) => Json(answer).into_response(),
        Err((status, error)) => error_response(status, error, Vec::new()),
    })
}

fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

/// Each turn event as one SSE event named by its type, with a comment every 15 s so proxies keep the line open.
pub fn event_stream(events: impl futures::Stream<Item = TurnEvent> + Send + 'static) -> Response {
    let events = events.map(|event| {
        let json = serde_json::to_value(&event).unwrap_or_default();
        let name = json
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("message")
            .to_string();
        Ok::<_, Infallible>(Event::default().event(name).data(json.to_string()))
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    // nginx would otherwise hold the events back in its buffer.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
