//! `POST /api/v1/answer`: one question in, one JSON answer out, for integrators who do not want to read a stream.
//! It runs the same chat turn as the browser (validation, storage, fallback, follow-ups) and waits for its end.

use axum::{
    extract::{rejection::JsonRejection, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Extension, Json,
};
use futures::StreamExt;

use crate::model::{
    AnswerRequest, AnswerResponse, ApiError, MessageStatus, TurnEvent, TurnRequest, DISCLAIMER,
};
use crate::server::{
    chat::turn,
    error::{new_correlation_id, AppError},
    identity::caller::Caller,
    state::AppState,
};

pub async fn answer(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<AnswerRequest>, JsonRejection>,
) -> Response {
    let answered = match body {
        Ok(Json(body)) => {
            let request = TurnRequest {
                conversation_id: body.conversation_id,
                content: body.question,
                model: body.model,
                regenerate: None,
                edit: None,
            };
            complete(&state, &caller, request).await
        }
        Err(rejection) => Err(rejected(AppError::InvalidBody(rejection.body_text()))),
    };
    match answered {
        Ok(answer) => Json(answer).into_response(),
        Err((status, error)) => {
            let wait = error.retry_after_secs;
            let mut response = (status, Json(error)).into_response();
            if let Some(value) =
                wait.and_then(|w| axum::http::HeaderValue::from_str(&w.to_string()).ok())
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
            response
        }
    }
}

/// A refused or failed answer: its status and what the client reads.
pub type Failure = (StatusCode, ApiError);

fn rejected(error: AppError) -> Failure {
    (error.status(), error.report())
}

/// Runs a whole turn and waits for its end, follow-ups included (the REST API's JSON answer too).
pub async fn complete(
    state: &AppState,
    caller: &Caller,
    request: TurnRequest,
) -> Result<AnswerResponse, Failure> {
    let events = turn::start(&state.chat, caller, request)
        .await
        .map_err(rejected)?;
    let mut events = std::pin::pin!(events);
    let mut conversation_id = String::new();
    let mut finished = None;
    let mut follow_ups = Vec::new();
    // The stream ends when the answer task is done, follow-ups included.
    while let Some(event) = events.next().await {
        match event {
            TurnEvent::Started {
                conversation_id: id,
                ..
            } => conversation_id = id,
            TurnEvent::Finished {
                error: Some(error), ..
            } => return Err((StatusCode::BAD_GATEWAY, error)),
            TurnEvent::Finished { message, .. } => finished = Some(*message),
            TurnEvent::FollowUps { questions, .. } => follow_ups = questions,
            TurnEvent::Token { .. }
            | TurnEvent::Rerouted { .. }
            | TurnEvent::Noted { .. }
            | TurnEvent::Titled { .. }
            | TurnEvent::Grounded { .. } => {}
        }
    }
    let message = match finished {
        Some(message) if message.status == MessageStatus::Complete => message,
        // Only a shutdown interrupts an answer nobody can stop.
        _ => {
            return Err(rejected(AppError::Internal(
                "the answer did not finish".into(),
            )))
        }
    };
    let correlation_id = new_correlation_id();
    tracing::info!(correlation_id, message_id = %message.id, "answer served as JSON");
    let grounding = message.grounding.unwrap_or_default();
    Ok(AnswerResponse {
        sources: grounding.sources,
        calculations: grounding.calculations,
        tax_stamp: (!grounding.stamp.is_empty()).then_some(grounding.stamp),
        unsupported_figures: grounding.unsupported_figures,
        answer: message.content,
        usage: message.usage.unwrap_or_default(),
        disclaimer: DISCLAIMER.into(),
        follow_ups,
        provider: message.provider.unwrap_or_default(),
        model: message.model.unwrap_or_default(),
        notice: message.notice,
        conversation_id,
        message_id: message.id,
        correlation_id,
    })
}
