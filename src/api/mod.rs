//! Server functions: the typed calls the browser makes. Each is thin: resolve who is asking, call the service layer,
//! turn its error into the typed [`ApiError`] with the right HTTP status.

use leptos::{
    prelude::*,
    server_fn::codec::{Json, StreamingText, TextStream},
};

use crate::model::{ApiError, ConversationDetail, ConversationSummary, ModelChoices, TurnRequest};

#[cfg(feature = "ssr")]
mod context {
    use axum::Extension;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use crate::{
        model::ApiError,
        server::{error::AppError, identity::GuestToken, state::AppState},
    };

    /// The app state and the guest behind this request.
    pub async fn caller() -> Result<(AppState, GuestToken), ApiError> {
        let state = use_context::<AppState>()
            .ok_or_else(|| fail(AppError::Internal("no app state".into())))?;
        let Extension(guest) = leptos_axum::extract::<Extension<GuestToken>>()
            .await
            .map_err(|e| fail(AppError::Internal(format!("no guest token: {e}"))))?;
        Ok((state, guest))
    }

    /// Logs the error with a correlation id, sets the HTTP status, and returns what the browser gets.
    pub fn fail(error: AppError) -> ApiError {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(error.status());
        }
        error.report()
    }
}

/// The models this server offers, for the "Model" selector.
#[server(endpoint = "models/list")]
pub async fn list_models() -> Result<ModelChoices, ApiError> {
    let (state, _) = context::caller().await?;
    Ok(state.catalog.choices())
}

/// The caller's conversations, newest first.
#[server(endpoint = "conversations/list")]
pub async fn list_conversations() -> Result<Vec<ConversationSummary>, ApiError> {
    let (state, guest) = context::caller().await?;
    crate::server::conversations::list(&state, &guest)
        .await
        .map_err(context::fail)
}

/// One of the caller's conversations with its messages; not-found for anyone else's.
#[server(endpoint = "conversations/get")]
pub async fn get_conversation(id: String) -> Result<ConversationDetail, ApiError> {
    let (state, guest) = context::caller().await?;
    crate::server::conversations::open(&state, &guest, &id)
        .await
        .map_err(context::fail)
}

#[server(endpoint = "conversations/delete")]
pub async fn delete_conversation(id: String) -> Result<(), ApiError> {
    let (state, guest) = context::caller().await?;
    crate::server::conversations::delete(&state, &guest, &id)
        .await
        .map_err(context::fail)
}

/// Sends a question and streams the answer as JSON lines of [`crate::model::TurnEvent`].
#[server(endpoint = "chat/send", input = Json, output = StreamingText)]
pub async fn send_message(request: TurnRequest) -> Result<TextStream<ApiError>, ApiError> {
    use futures::StreamExt;
    let (state, guest) = context::caller().await?;
    let events = crate::server::turn::start(&state, &guest, request)
        .await
        .map_err(context::fail)?;
    Ok(TextStream::new(events.map(|event| {
        Ok(crate::server::turn::encode_event_line(&event))
    })))
}

/// Stops an answer that is being written; the partial text is kept.
#[server(endpoint = "chat/stop")]
pub async fn stop_answer(message_id: String) -> Result<(), ApiError> {
    let (state, guest) = context::caller().await?;
    crate::server::turn::stop(&state, &guest, &message_id)
        .await
        .map_err(context::fail)
}
