//! Server functions: the typed calls the browser makes. Each is thin: resolve who is asking, call the service layer,
//! turn its error into the typed [`ApiError`] with the right HTTP status.

use leptos::{
    prelude::*,
    server_fn::codec::{Json, StreamingText, TextStream},
};

use crate::model::{
    ApiError, ConversationDetail, ConversationPage, MessagePage, ModelChoices, SearchResult,
    TurnRequest,
};

mod account;
mod admin;
mod preferences;

pub use account::{load_account_settings, load_viewer, take_flash};
pub use admin::load_admin;
pub use preferences::save_language;

#[cfg(feature = "ssr")]
mod context {
    use axum::Extension;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use crate::{
        model::ApiError,
        server::{error::AppError, identity::caller::Caller, state::AppState},
    };

    /// The app state and who is behind this request.
    pub async fn caller() -> Result<(AppState, Caller), ApiError> {
        let state = use_context::<AppState>()
            .ok_or_else(|| fail(AppError::Internal("no app state".into())))?;
        let Extension(caller) = leptos_axum::extract::<Extension<Caller>>()
            .await
            .map_err(|e| fail(AppError::Internal(format!("no caller: {e}"))))?;
        Ok((state, caller))
    }

    /// Logs the error with a correlation id, sets the HTTP status, and returns what the browser gets: the message in
    /// the language of the page asking (its cookie, else its `Accept-Language`).
    pub fn fail(error: AppError) -> ApiError {
        let report = error.report_in(crate::i18n::Lang::current());
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(error.status());
            // A limit says when to come back, in the header HTTP clients read as well as in the body.
            if let Some(wait) = report.retry_after_secs {
                if let Ok(value) = axum::http::HeaderValue::from_str(&wait.to_string()) {
                    response.insert_header(axum::http::header::RETRY_AFTER, value);
                }
            }
        }
        report
    }
}

/// The models this server offers, for the "Model" selector.
#[server(endpoint = "models/list", output = crate::model::json::Json)]
pub async fn list_models() -> Result<ModelChoices, ApiError> {
    let (state, caller) = context::caller().await?;
    Ok(state
        .catalog
        .choices_for(&state.chat.limits.for_tier(caller.tier()).models))
}

/// A page of the caller's conversations (pinned first, then newest), archived ones or the others; `after` is the
/// previous page's `next`.
#[server(endpoint = "conversations/list", output = crate::model::json::Json)]
pub async fn list_conversations(
    #[server(default)] archived: bool,
    #[server(default)] after: Option<String>,
) -> Result<ConversationPage, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::list(&state.chat, &caller, archived, after.as_deref())
        .await
        .map_err(context::fail)
}

/// Older messages of one of the caller's conversations, before the message `before`.
#[server(endpoint = "conversations/messages", output = crate::model::json::Json)]
pub async fn earlier_messages(id: String, before: String) -> Result<MessagePage, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::earlier_messages(&state.chat, &caller, &id, &before)
        .await
        .map_err(context::fail)
}

/// Renames one of the caller's conversations; returns the title as stored (trimmed).
#[server(endpoint = "conversations/rename", output = crate::model::json::Json)]
pub async fn rename_conversation(id: String, title: String) -> Result<String, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::rename(&state.chat, &caller, &id, &title)
        .await
        .map_err(context::fail)
}

#[server(endpoint = "conversations/pin", output = crate::model::json::Json)]
pub async fn pin_conversation(id: String, pinned: bool) -> Result<(), ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::set_pinned(&state.chat, &caller, &id, pinned)
        .await
        .map_err(context::fail)
}

#[server(endpoint = "conversations/archive", output = crate::model::json::Json)]
pub async fn archive_conversation(id: String, archived: bool) -> Result<(), ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::set_archived(&state.chat, &caller, &id, archived)
        .await
        .map_err(context::fail)
}

/// Full-text search over the caller's titles and messages.
#[server(endpoint = "conversations/search", output = crate::model::json::Json)]
pub async fn search_conversations(query: String) -> Result<Vec<SearchResult>, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::search(&state.chat, &caller, &query)
        .await
        .map_err(context::fail)
}

/// One of the caller's conversations with its messages; not-found for anyone else's.
#[server(endpoint = "conversations/get", output = crate::model::json::Json)]
pub async fn get_conversation(id: String) -> Result<ConversationDetail, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::open(&state.chat, &caller, &id)
        .await
        .map_err(context::fail)
}

#[server(endpoint = "conversations/delete", output = crate::model::json::Json)]
pub async fn delete_conversation(id: String) -> Result<(), ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::conversations::delete(&state.chat, &caller, &id)
        .await
        .map_err(context::fail)
}

/// Shows another version of a message (after Regenerate or Edit): the conversation as it then is.
#[server(endpoint = "messages/switch", output = crate::model::json::Json)]
pub async fn switch_version(message_id: String) -> Result<ConversationDetail, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::branches::switch(&state.chat, &caller, &message_id)
        .await
        .map_err(context::fail)
}

/// Deletes one of the caller's questions with its answer: the conversation as it then is.
#[server(endpoint = "messages/delete", output = crate::model::json::Json)]
pub async fn delete_exchange(message_id: String) -> Result<ConversationDetail, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::branches::delete_exchange(&state.chat, &caller, &message_id)
        .await
        .map_err(context::fail)
}

/// Shares one of the signed-in caller's conversations as it is now: a read-only link anyone with it can open.
#[server(endpoint = "conversations/share", output = crate::model::json::Json)]
pub async fn share_conversation(id: String) -> Result<crate::model::share::SharedLink, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::sharing::share(&state.chat, &caller, &id)
        .await
        .map_err(context::fail)
}

/// A shared conversation, for anyone holding its link; 404 once revoked. The page is not for search engines.
#[server(endpoint = "shared/get", output = crate::model::json::Json)]
pub async fn load_shared(
    token: String,
) -> Result<crate::model::share::SharedConversation, ApiError> {
    let (state, _) = context::caller().await?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::HeaderName::from_static("x-robots-tag"),
            axum::http::HeaderValue::from_static("noindex, nofollow"),
        );
    }
    crate::server::chat::sharing::shared(state.store.as_ref(), &token)
        .await
        .map_err(context::fail)
}

/// Sends a question and streams the answer as JSON lines of [`crate::model::TurnEvent`].
#[server(endpoint = "chat/send", input = Json, output = StreamingText)]
pub async fn send_message(request: TurnRequest) -> Result<TextStream<ApiError>, ApiError> {
    use futures::StreamExt;
    let (state, caller) = context::caller().await?;
    let events = crate::server::chat::turn::start(&state.chat, &caller, request)
        .await
        .map_err(context::fail)?;
    Ok(TextStream::new(
        crate::server::chat::turn::event_writes(events).map(Ok),
    ))
}

/// Reads an answer of the caller's that is still being written (after a reload, or from another tab or device):
/// the text so far, then the rest as JSON lines of [`crate::model::TurnEvent`]. `answer_ended` once it is stored.
#[server(endpoint = "chat/attach", output = StreamingText)]
pub async fn attach_answer(message_id: String) -> Result<TextStream<ApiError>, ApiError> {
    use futures::StreamExt;
    let (state, caller) = context::caller().await?;
    let events = crate::server::chat::turn::attach(&state.chat, &caller, &message_id)
        .await
        .map_err(context::fail)?;
    Ok(TextStream::new(
        crate::server::chat::turn::event_writes(events).map(Ok),
    ))
}

/// Stops an answer that is being written; the partial text is kept.
#[server(endpoint = "chat/stop", output = crate::model::json::Json)]
pub async fn stop_answer(message_id: String) -> Result<(), ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::chat::turn::stop(&state.chat, &caller, &message_id)
        .await
        .map_err(context::fail)
}

/// The caller's tax profile (the defaults until they save one).
#[server(endpoint = "tax/profile", output = crate::model::json::Json)]
pub async fn get_tax_profile() -> Result<crate::model::tax::TaxProfile, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::tax::service::load_profile(state.store.as_ref(), &caller)
        .await
        .map_err(context::fail)
}

/// Saves the caller's tax profile; an invalid field comes back named (`Ok(Err(..))`), for the message next to it.
#[server(endpoint = "tax/profile/save", output = crate::model::json::Json)]
pub async fn save_tax_profile(
    tax_year: i32,
    filing_status: String,
    business_form: String,
    #[server(default)] state: String,
    #[server(default)] has_w2_wages: bool,
) -> Result<Result<crate::model::tax::TaxProfile, crate::model::tax::FieldError>, ApiError> {
    use crate::{
        model::tax::FieldError,
        server::{
            error::AppError,
            tax::service::{save_profile, ProfileForm},
        },
    };
    let (app, caller) = context::caller().await?;
    let form = ProfileForm {
        tax_year,
        filing_status,
        business_form,
        state,
        has_w2_wages,
    };
    match save_profile(
        app.store.as_ref(),
        &caller,
        form,
        crate::i18n::Lang::current(),
    )
    .await
    {
        Ok(profile) => {
            // The guest's cookie now says a profile exists, so new conversations read it.
            if let crate::server::identity::caller::Caller::Guest(guest) = &caller {
                if let (Some(cookie), Some(response)) = (
                    app.cookie_signer.cookie_with_profile(guest),
                    use_context::<leptos_axum::ResponseOptions>(),
                ) {
                    response.append_header(axum::http::header::SET_COOKIE, cookie);
                }
            }
            Ok(Ok(profile))
        }
        Err(AppError::InvalidField { field, message }) => Ok(Err(FieldError { field, message })),
        Err(error) => Err(context::fail(error)),
    }
}

/// Runs one calculator on the inputs as typed; a field that cannot be used comes back named.
#[server(endpoint = "tax/calculate", input = Json, output = crate::model::json::Json)]
pub async fn calculate(
    input: crate::model::tax::CalculatorInput,
) -> Result<Result<crate::model::tax::CalculationResult, crate::model::tax::FieldError>, ApiError> {
    let (state, _) = context::caller().await?;
    Ok(crate::server::tax::service::calculate(
        &state.tax,
        &input,
        crate::i18n::Lang::current(),
    ))
}
