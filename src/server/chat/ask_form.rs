//! `POST /ask`: the composer as a plain HTML form, for a page whose script has not arrived yet (a slow phone
//! network) or never will (scripts off). It stores the question, starts the answer with nobody reading it, and
//! sends the browser to the conversation, which shows the answer as it is written (attaching once its script runs,
//! reloading without one) and in full when it is done. Refused, it goes back to the page it came from with the
//! reason and the question typed (a flash), so nothing typed is lost.

use crate::i18n::{fill, Lang};
use axum::{
    extract::{rejection::FormRejection, State},
    response::Response,
    Extension, Form,
};
use serde::Deserialize;

use super::{turn, validation::parse_id};
use crate::{
    model::{
        account::{Flash, ASK_FORM},
        FieldError, TurnRequest,
    },
    server::{
        error::AppError,
        identity::{
            caller::Caller,
            forms::{flash_cookie, see_other},
        },
        state::AppState,
    },
};

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    message: String,
    /// Empty for a new chat.
    #[serde(default)]
    conversation_id: String,
    /// Empty for the conversation's (or the server's) default.
    #[serde(default)]
    model: String,
}

pub async fn ask(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    form: Result<Form<AskForm>, FormRejection>,
) -> Response {
    let lang = Lang::of_caller(&caller, &headers);
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let error = AppError::InvalidBody(format!(
                "the form could not be read ({})",
                rejection.body_text()
            ));
            return refused(lang, "/", &error, String::new());
        }
    };
    let conversation_id = non_empty(form.conversation_id);
    // Only a well-formed id goes back into a Location header.
    let page = match conversation_id.as_deref().map(parse_id) {
        Some(Ok(id)) => format!("/c/{id}"),
        _ => "/".to_string(),
    };
    let request = TurnRequest {
        conversation_id,
        content: form.message.clone(),
        model: non_empty(form.model),

        regenerate: None,
        edit: None,
    };
    match turn::start_unread(&state.chat, &caller, request).await {
        Ok(conversation_id) => see_other(&format!("/c/{conversation_id}"), Vec::new()),
        Err(error) => refused(lang, &page, &error, form.message),
    }
}

/// Most of the question kept in the flash cookie (browsers drop cookies over 4 KB; base64 adds a third). Longer
/// text stays in the browser's form history (Back) rather than in a cookie.
const KEPT_QUESTION_BYTES: usize = 1_500;

fn refused(lang: Lang, page: &str, error: &AppError, message: String) -> Response {
    let report = error.report_in(lang);
    let text = match report.correlation_id.as_str() {
        "" => report.message,
        reference => fill(
            lang.texts().identity.with_reference,
            &[("message", &report.message), ("reference", reference)],
        ),
    };
    let kept = if message.len() <= KEPT_QUESTION_BYTES {
        message
    } else {
        String::new()
    };
    let flash = Flash {
        form: ASK_FORM.into(),
        values: vec![("message".into(), kept)],
        errors: vec![FieldError {
            field: "message".into(),
            message: text,
        }],
        ..Flash::default()
    };
    see_other(page, vec![flash_cookie(&flash)])
}

fn non_empty(value: String) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}
