//! The account pages' form posts: `/signup`, `/signin`, `/signout` and the Settings forms. They are plain HTML
//! form posts, so they work before the page's wasm has arrived (and without it): each answers with a redirect
//! (303) and leaves what the next page should say (errors next to fields, the values typed, a notice) in a
//! short-lived flash cookie that the page reads once. A client that asks for JSON (`Accept: application/json`)
//! gets the outcome as JSON instead, with the usual error shape and status (429 with `Retry-After`, ...). What they
//! say is in the language of the request (`Lang::of_request`; on Settings, the user's own choice first).
use std::net::SocketAddr;

use axum::{
    extract::{rejection::FormRejection as BadForm, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::{
    accounts::{Client, FormRejection},
    session::Cookies,
};
use crate::{
    i18n::{fill, Lang},
    model::{account::Flash, FieldError},
    server::{error::AppError, state::AppState},
};

mod keys;
mod settings;
mod sign;

pub use keys::{create_key, revoke_key};
pub use settings::{change_email, change_password, delete_account, revoke_session, revoke_share};
pub use sign::{sign_in, sign_out, sign_up};

pub const FLASH_COOKIE: &str = "tally_flash";

/// How the client wants the outcome.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reply {
    Redirect,
    Json,
}

pub(crate) fn reply_kind(headers: &HeaderMap) -> Reply {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if accept.contains("application/json") && !accept.contains("text/html") {
        Reply::Json
    } else {
        Reply::Redirect
    }
}

/// The language a signed-in user chose (the page they return to is rendered in it, see `Lang::of_parts`), else the
/// request's.
pub(crate) fn client(headers: &HeaderMap, peer: Option<SocketAddr>) -> Client {
    Client {
        ip: peer.map(|p| p.ip().to_string()).unwrap_or_default(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
    }
}

pub fn flash_cookie(flash: &Flash) -> HeaderValue {
    let json = serde_json::to_vec(flash).unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={}; Path=/; Max-Age=120; HttpOnly; SameSite=Lax",
        URL_SAFE_NO_PAD.encode(json)
    ))
    .expect("base64 is a valid header")
}

pub fn clear_flash_cookie() -> HeaderValue {
    HeaderValue::from_static("tally_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// The flash a request carries, if any.
pub fn read_flash(headers: &HeaderMap) -> Option<Flash> {
    let raw = Cookies::of(headers).get(FLASH_COOKIE)?;
    let json = URL_SAFE_NO_PAD.decode(raw).ok()?;
    serde_json::from_slice(&json).ok()
}

pub fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/")),
    );
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

/// An error as JSON: the usual shape (its message in `lang`), the fields beside it, `Retry-After` on a 429.
pub(crate) fn json_error(lang: Lang, error: &AppError, fields: Vec<FieldError>) -> Response {
    let api = error.report_in(lang);
    let mut body = serde_json::to_value(&api).unwrap_or_default();
    if !fields.is_empty() {
        body["fields"] = serde_json::to_value(&fields).unwrap_or_default();
    }
    let mut response = (error.status(), Json(body)).into_response();
    if let Some(wait) = api.retry_after_secs {
        if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// A server error's message with the reference it is logged under, for the form-wide error.
fn with_reference(lang: Lang, message: &str, correlation_id: &str) -> String {
    fill(
        lang.texts().identity.with_reference,
        &[("message", message), ("reference", correlation_id)],
    )
}

/// A rejected form: back to its page with the errors, or the error as JSON.
pub(crate) fn rejected(
    lang: Lang,
    reply: Reply,
    page: &str,
    mut flash: Flash,
    rejection: FormRejection,
) -> Response {
    let (error, fields, needs_check) = match rejection {
        FormRejection::Fields {
            errors,
            needs_human_check,
        } => (
            AppError::InvalidField {
                field: errors.first().map(|e| e.field.clone()).unwrap_or_default(),
                message: errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            errors,
            needs_human_check,
        ),
        FormRejection::Refused(error) => {
            let message = error.message_in(lang);
            (
                error,
                vec![FieldError {
                    field: "form".into(),
                    message,
                }],
                false,
            )
        }
    };
    match reply {
        Reply::Json => json_error(lang, &error, fields),
        Reply::Redirect => {
            if error.status().is_server_error() {
                // Logged with a reference the page shows.
                let report = error.report_in(lang);
                flash.errors = vec![FieldError {
                    field: "form".into(),
                    message: with_reference(lang, &report.message, &report.correlation_id),
                }];
            } else {
                flash.errors = fields;
            }
            flash.needs_human_check = needs_check;
            see_other(page, vec![flash_cookie(&flash)])
        }
    }
}

pub(crate) fn malformed(
    lang: Lang,
    reply: Reply,
    page: &str,
    form: &str,
    rejection: BadForm,
) -> Response {
    let error = AppError::InvalidBody(fill(
        lang.texts().identity.form_unreadable,
        &[("reason", &rejection.body_text())],
    ));
    match reply {
        Reply::Json => json_error(lang, &error, Vec::new()),
        Reply::Redirect => {
            let report = error.report_in(lang);
            let flash = Flash {
                form: form.into(),
                errors: vec![FieldError {
                    field: "form".into(),
                    message: with_reference(lang, &report.message, &report.correlation_id),
                }],
                ..Flash::default()
            };
            see_other(page, vec![flash_cookie(&flash)])
        }
    }
}

/// The session cookie ended: 204 as JSON, or the chat with `notice` (signing out, deleting the account).
fn signed_out(state: &AppState, reply: Reply, form: &str, notice: &str) -> Response {
    let mut cookies = vec![state.sessions.clear_cookie()];
    let mut response = match reply {
        Reply::Json => StatusCode::NO_CONTENT.into_response(),
        Reply::Redirect => {
            cookies.push(flash_cookie(&Flash {
                form: form.into(),
                notice: Some(notice.into()),
                ..Flash::default()
            }));
            see_other("/", Vec::new())
        }
    };
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /auth/challenge`: a fresh proof-of-work challenge for the sign-up and sign-in forms.
pub async fn challenge(State(state): State<AppState>) -> Response {
    let mut response = Json(state.accounts.human_check.challenge()).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
