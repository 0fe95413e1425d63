//! The account pages' form posts: `/signup`, `/signin`, `/signout` and the Settings forms. They are plain HTML
//! form posts, so they work before the page's wasm has arrived (and without it): each answers with a redirect
//! (303) and leaves what the next page should say (errors next to fields, the values typed, a notice) in a
//! short-lived flash cookie that the page reads once. A client that asks for JSON (`Accept: application/json`)
//! gets the outcome as JSON instead, with the usual error shape and status (429 with `Retry-After`, ...).

use std::net::SocketAddr;

use axum::{
    extract::{rejection::FormRejection as BadForm, ConnectInfo, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension, Form, Json,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;

use super::{
    accounts::{Client, FormRejection, SignInForm, SignUpForm, SignedInNow},
    caller::{Caller, SignedIn},
    session::Cookies,
};
use crate::{
    model::{account::Flash, FieldError},
    server::{error::AppError, state::AppState},
};

pub const FLASH_COOKIE: &str = "tally_flash";

/// How the client wants the outcome.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reply {
    Redirect,
    Json,
}

fn reply_kind(headers: &HeaderMap) -> Reply {
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

fn client(headers: &HeaderMap, peer: Option<SocketAddr>) -> Client {
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

fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Response {
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

/// An error as JSON: the usual shape, the fields beside it, `Retry-After` on a 429.
fn json_error(error: &AppError, fields: Vec<FieldError>) -> Response {
    let api = error.report();
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

/// A rejected form: back to its page with the errors, or the error as JSON.
fn rejected(reply: Reply, page: &str, mut flash: Flash, rejection: FormRejection) -> Response {
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
            let message = error.user_message();
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
        Reply::Json => json_error(&error, fields),
        Reply::Redirect => {
            if error.status().is_server_error() {
                // Logged with a reference the page shows.
                let report = error.report();
                flash.errors = vec![FieldError {
                    field: "form".into(),
                    message: format!("{} Reference: {}", report.message, report.correlation_id),
                }];
            } else {
                flash.errors = fields;
            }
            flash.needs_human_check = needs_check;
            see_other(page, vec![flash_cookie(&flash)])
        }
    }
}

fn malformed(reply: Reply, page: &str, form: &str, rejection: BadForm) -> Response {
    let error = AppError::InvalidBody(format!(
        "the form could not be read ({})",
        rejection.body_text()
    ));
    match reply {
        Reply::Json => json_error(&error, Vec::new()),
        Reply::Redirect => {
            let report = error.report();
            let flash = Flash {
                form: form.into(),
                errors: vec![FieldError {
                    field: "form".into(),
                    message: format!("{} Reference: {}", report.message, report.correlation_id),
                }],
                ..Flash::default()
            };
            see_other(page, vec![flash_cookie(&flash)])
        }
    }
}

/// Signed in: the session cookie, the guest cookie ended, and the chat with a word on what came along.
fn signed_in(state: &AppState, reply: Reply, now: SignedInNow, created: bool) -> Response {
    let moved = now.moved.conversations;
    let came_along = match moved {
        0 => String::new(),
        1 => " The conversation you started as a guest came along.".into(),
        n => format!(" The {n} conversations you started as a guest came along."),
    };
    let notice = if created {
        format!("Welcome to Tally, {}! Your history is now kept on every device you sign in on.{came_along}", now.username)
    } else {
        format!("Signed in as {}.{came_along}", now.username)
    };
    let mut cookies = vec![
        state.sessions.issue_cookie(&now.token),
        state.cookie_signer.clear_cookie(),
    ];
    match reply {
        Reply::Json => {
            let mut response = (
                if created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                Json(serde_json::json!({
                    "username": now.username,
                    "moved_conversations": moved,
                    "notice": notice,
                })),
            )
                .into_response();
            for cookie in cookies {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Reply::Redirect => {
            cookies.push(flash_cookie(&Flash {
                form: "welcome".into(),
                notice: Some(notice),
                ..Flash::default()
            }));
            see_other("/", cookies)
        }
    }
}

/// What a sign-up or sign-in page gets back after a rejected post: the values typed, cut short, never a password.
fn typed(form: &str, values: &[(&str, &str)]) -> Flash {
    Flash {
        form: form.into(),
        values: values
            .iter()
            .map(|(name, value)| (name.to_string(), value.trim().chars().take(300).collect()))
            .collect(),
        ..Flash::default()
    }
}

pub async fn sign_up(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<SignUpForm>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return malformed(reply, "/signup", "signup", rejection),
    };
    let flash = typed(
        "signup",
        &[("username", &form.username), ("email", &form.email)],
    );
    let client = client(&headers, peer.map(|Extension(ConnectInfo(p))| p));
    match state.accounts.sign_up(&caller, form, &client).await {
        Ok(now) => signed_in(&state, reply, now, true),
        Err(rejection) => rejected(reply, "/signup", flash, rejection),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return malformed(reply, "/signin", "signin", rejection),
    };
    let flash = typed("signin", &[("login", &form.login)]);
    let client = client(&headers, peer.map(|Extension(ConnectInfo(p))| p));
    match state.accounts.sign_in(&caller, form, &client).await {
        Ok(now) => signed_in(&state, reply, now, false),
        Err(rejection) => rejected(reply, "/signin", flash, rejection),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    let reply = reply_kind(&headers);
    if let Caller::User(user) = &caller {
        if let Err(error) = state.accounts.sign_out(user).await {
            return rejected(reply, "/", Flash::default(), FormRejection::Refused(error));
        }
    }
    let cookies = vec![state.sessions.clear_cookie()];
    match reply {
        Reply::Json => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            for cookie in cookies {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Reply::Redirect => {
            let mut cookies = cookies;
            cookies.push(flash_cookie(&Flash {
                form: "signed_out".into(),
                notice: Some(
                    "You are signed out. Questions you ask now are kept on this device only."
                        .into(),
                ),
                ..Flash::default()
            }));
            see_other("/", cookies)
        }
    }
}

/// The signed-in user and their form, or the answer instead: for a guest a redirect to sign in (a 401 as JSON),
/// for a form that cannot be read a 400.
fn user_and_form<T>(
    caller: &Caller,
    reply: Reply,
    form: Result<Form<T>, BadForm>,
    name: &str,
) -> Result<(SignedIn, T), Box<Response>> {
    let Some(user) = caller.user() else {
        return Err(Box::new(match reply {
            Reply::Json => json_error(&AppError::SignInRequired, Vec::new()),
            Reply::Redirect => see_other("/signin", Vec::new()),
        }));
    };
    match form {
        Ok(Form(form)) => Ok((user.clone(), form)),
        Err(rejection) => Err(Box::new(malformed(reply, "/settings", name, rejection))),
    }
}

/// A Settings form's outcome: back to Settings with a notice or the errors.
fn settings_outcome(reply: Reply, form: &str, outcome: Result<String, FormRejection>) -> Response {
    let flash = Flash {
        form: form.into(),
        ..Flash::default()
    };
    match outcome {
        Ok(notice) => match reply {
            Reply::Json => Json(serde_json::json!({ "notice": notice })).into_response(),
            Reply::Redirect => see_other(
                "/settings",
                vec![flash_cookie(&Flash {
                    notice: Some(notice),
                    ..flash
                })],
            ),
        },
        Err(rejection) => rejected(reply, "/settings", flash, rejection),
    }
}

#[derive(Deserialize)]
pub struct EmailFields {
    #[serde(default)]
    email: String,
}

pub async fn change_email(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<EmailFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let (user, form) = match user_and_form(&caller, reply, form, "email") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome = state
        .accounts
        .change_email(&user, &form.email)
        .await
        .map(|()| "Your email address is changed.".to_string());
    settings_outcome(reply, "email", outcome)
}

#[derive(Deserialize)]
pub struct PasswordFields {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<PasswordFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let (user, form) = match user_and_form(&caller, reply, form, "password") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome = state
        .accounts
        .change_password(&user, &form.current_password, &form.new_password)
        .await
        .map(|others| match others {
            0 => "Your password is changed.".to_string(),
            1 => "Your password is changed, and your other session is signed out.".to_string(),
            n => format!("Your password is changed, and your {n} other sessions are signed out."),
        });
    settings_outcome(reply, "password", outcome)
}

#[derive(Deserialize)]
pub struct SessionFields {
    #[serde(default)]
    session_id: String,
}

pub async fn revoke_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<SessionFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let (user, form) = match user_and_form(&caller, reply, form, "sessions") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome = async {
        let id = uuid::Uuid::parse_str(form.session_id.trim()).map_err(|_| AppError::NotFound)?;
        if !state.store.revoke_session(user.user_id, id).await? {
            return Err(AppError::NotFound);
        }
        Ok(id == user.session_id)
    }
    .await;
    match outcome {
        // Signing this very browser out: like the Sign out button.
        Ok(true) => {
            let mut response =
                settings_outcome(reply, "sessions", Ok("You are signed out.".into()));
            if reply == Reply::Redirect {
                response
                    .headers_mut()
                    .insert(header::LOCATION, HeaderValue::from_static("/"));
            }
            response
                .headers_mut()
                .append(header::SET_COOKIE, state.sessions.clear_cookie());
            response
        }
        Ok(false) => settings_outcome(reply, "sessions", Ok("That session is signed out.".into())),
        Err(error) => settings_outcome(reply, "sessions", Err(FormRejection::Refused(error))),
    }
}

#[derive(Deserialize)]
pub struct DeleteFields {
    #[serde(default)]
    password: String,
}

pub async fn delete_account(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<DeleteFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let (user, form) = match user_and_form(&caller, reply, form, "delete") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match state.accounts.delete_account(&user, &form.password).await {
        Ok(()) => {
            let cookies = vec![state.sessions.clear_cookie()];
            match reply {
                Reply::Json => {
                    let mut response = StatusCode::NO_CONTENT.into_response();
                    for cookie in cookies {
                        response.headers_mut().append(header::SET_COOKIE, cookie);
                    }
                    response
                }
                Reply::Redirect => {
                    let mut cookies = cookies;
                    cookies.push(flash_cookie(&Flash {
                        form: "deleted".into(),
                        notice: Some("Your account and everything in it are deleted.".into()),
                        ..Flash::default()
                    }));
                    see_other("/", cookies)
                }
            }
        }
        Err(rejection) => rejected(
            reply,
            "/settings",
            Flash {
                form: "delete".into(),
                ..Flash::default()
            },
            rejection,
        ),
    }
}

/// `GET /auth/challenge`: a fresh proof-of-work challenge for the sign-up and sign-in forms.
pub async fn challenge(State(state): State<AppState>) -> Response {
    let mut response = Json(state.accounts.human_check.challenge()).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
