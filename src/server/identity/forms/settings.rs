//! The Settings forms: email, password, a session's sign-out, the account's deletion.

use axum::{
    extract::{rejection::FormRejection as BadForm, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    Extension, Form, Json,
};
use serde::Deserialize;

use super::{
    flash_cookie, json_error, malformed, rejected, reply_kind, see_other, signed_out, Reply,
};
use crate::{
    i18n::{fill, Lang},
    model::account::Flash,
    server::{
        error::AppError,
        identity::{
            accounts::FormRejection,
            caller::{Caller, SignedIn},
        },
        state::AppState,
    },
};

/// The signed-in user and their form, or the answer instead: for a guest a redirect to sign in (a 401 as JSON),
/// for a form that cannot be read a 400.
pub(super) fn user_and_form<T>(
    caller: &Caller,
    lang: Lang,
    reply: Reply,
    form: Result<Form<T>, BadForm>,
    name: &str,
) -> Result<(SignedIn, T), Box<Response>> {
    let Some(user) = caller.user() else {
        return Err(Box::new(match reply {
            Reply::Json => json_error(lang, &AppError::SignInRequired, Vec::new()),
            Reply::Redirect => see_other("/signin", Vec::new()),
        }));
    };
    match form {
        Ok(Form(form)) => Ok((user.clone(), form)),
        Err(rejection) => Err(Box::new(malformed(
            lang,
            reply,
            "/settings",
            name,
            rejection,
        ))),
    }
}

/// A Settings form's outcome: back to Settings with a notice or the errors.
pub(super) fn settings_outcome(
    lang: Lang,
    reply: Reply,
    form: &str,
    outcome: Result<String, FormRejection>,
) -> Response {
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
        Err(rejection) => rejected(lang, reply, "/settings", flash, rejection),
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
    let lang = Lang::of_caller(&caller, &headers);
    let t = &lang.texts().identity;
    let (user, form) = match user_and_form(&caller, lang, reply, form, "email") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome = state
        .accounts
        .change_email(&user, &form.email, lang)
        .await
        .map(|()| t.email_changed.to_string());
    settings_outcome(lang, reply, "email", outcome)
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
    let lang = Lang::of_caller(&caller, &headers);
    let t = &lang.texts().identity;
    let (user, form) = match user_and_form(&caller, lang, reply, form, "password") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome = state
        .accounts
        .change_password(&user, &form.current_password, &form.new_password, lang)
        .await
        .inspect(|_| state.api_access.forget_user(user.user_id))
        .map(|others| match others {
            0 => t.password_changed.to_string(),
            1 => t.password_changed_one.to_string(),
            n => fill(t.password_changed_other, &[("count", &n.to_string())]),
        });
    settings_outcome(lang, reply, "password", outcome)
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
    let lang = Lang::of_caller(&caller, &headers);
    let t = &lang.texts().identity;
    let (user, form) = match user_and_form(&caller, lang, reply, form, "sessions") {
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
            let mut response = settings_outcome(
                lang,
                reply,
                "sessions",
                Ok(t.this_session_signed_out.into()),
            );
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
        Ok(false) => settings_outcome(lang, reply, "sessions", Ok(t.session_signed_out.into())),
        Err(error) => settings_outcome(lang, reply, "sessions", Err(FormRejection::Refused(error))),
    }
}

#[derive(Deserialize)]
pub struct ShareFields {
    #[serde(default)]
    share_id: String,
}

/// Revokes one of the user's share links (Settings, "Shared links"): its address answers 404 from now on.
pub async fn revoke_share(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<ShareFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_caller(&caller, &headers);
    let (_, form) = match user_and_form(&caller, lang, reply, form, "shares") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome =
        crate::server::chat::sharing::revoke(state.store.as_ref(), &caller, &form.share_id)
            .await
            .map(|()| lang.texts().identity.share_revoked.to_string())
            .map_err(FormRejection::Refused);
    settings_outcome(lang, reply, "shares", outcome)
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
    let lang = Lang::of_caller(&caller, &headers);
    let (user, form) = match user_and_form(&caller, lang, reply, form, "delete") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match state
        .accounts
        .delete_account(&user, &form.password, lang)
        .await
        .inspect(|_| state.api_access.forget_user(user.user_id))
    {
        Ok(()) => signed_out(
            &state,
            reply,
            "deleted",
            lang.texts().identity.account_deleted,
        ),
        Err(rejection) => rejected(
            lang,
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
