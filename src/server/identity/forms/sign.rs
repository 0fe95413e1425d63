//! Signing up, in and out from the pages' forms.

use std::net::SocketAddr;

use axum::{
    extract::{rejection::FormRejection as BadForm, ConnectInfo, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Form, Json,
};

use super::{client, flash_cookie, malformed, rejected, reply_kind, see_other, signed_out, Reply};
use crate::{
    i18n::{fill, Lang},
    model::account::Flash,
    server::{
        identity::{
            accounts::{FormRejection, SignInForm, SignUpForm, SignedInNow},
            caller::Caller,
        },
        state::AppState,
    },
};

/// Signed in: the session cookie, the guest cookie ended, and the chat with a word on what came along.
fn signed_in(
    state: &AppState,
    lang: Lang,
    reply: Reply,
    now: SignedInNow,
    created: bool,
) -> Response {
    let t = &lang.texts().identity;
    let moved = now.moved.conversations;
    let came_along = match moved {
        0 => String::new(),
        1 => format!(" {}", t.came_along_one),
        n => format!(
            " {}",
            fill(t.came_along_other, &[("count", &n.to_string())])
        ),
    };
    let greeting = if created { t.welcome } else { t.signed_in };
    let notice = format!(
        "{}{came_along}",
        fill(greeting, &[("username", &now.username)])
    );
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
    let lang = Lang::of_request(&headers);
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return malformed(lang, reply, "/signup", "signup", rejection),
    };
    let flash = typed(
        "signup",
        &[("username", &form.username), ("email", &form.email)],
    );
    let client = client(&headers, peer.map(|Extension(ConnectInfo(p))| p));
    match state.accounts.sign_up(&caller, form, &client, lang).await {
        Ok(now) => signed_in(&state, lang, reply, now, true),
        Err(rejection) => rejected(lang, reply, "/signup", flash, rejection),
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
    let lang = Lang::of_request(&headers);
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return malformed(lang, reply, "/signin", "signin", rejection),
    };
    let flash = typed("signin", &[("login", &form.login)]);
    let client = client(&headers, peer.map(|Extension(ConnectInfo(p))| p));
    match state.accounts.sign_in(&caller, form, &client, lang).await {
        Ok(now) => signed_in(&state, lang, reply, now, false),
        Err(rejection) => rejected(lang, reply, "/signin", flash, rejection),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_request(&headers);
    if let Caller::User(user) = &caller {
        if let Err(error) = state.accounts.sign_out(user).await {
            return rejected(
                lang,
                reply,
                "/",
                Flash::default(),
                FormRejection::Refused(error),
            );
        }
    }
    signed_out(
        &state,
        reply,
        "signed_out",
        lang.texts().identity.signed_out,
    )
}
