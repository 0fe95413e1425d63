//! Settings' API keys: "Create API key" (the key is shown once, on the page it returns to) and a key's "Revoke".

use axum::{
    extract::{rejection::FormRejection as BadForm, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Form, Json,
};
use serde::Deserialize;

use super::{
    flash_cookie, rejected, reply_kind, see_other,
    settings::{settings_outcome, user_and_form},
    Reply,
};
use crate::{
    i18n::Lang,
    model::account::{Flash, API_KEY_FORM},
    server::{
        identity::{
            accounts::FormRejection,
            api::{key_info, KeyRequest},
            caller::Caller,
        },
        state::AppState,
    },
};

/// The form's checkboxes are separate fields: a form sends only the ticked ones.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeyFields {
    name: String,
    scope_read: Option<String>,
    scope_write: Option<String>,
    scope_chat: Option<String>,
    record: Option<String>,
}

pub async fn create_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<KeyFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_caller(&caller, &headers);
    let (user, form) = match user_and_form(&caller, lang, reply, form, API_KEY_FORM) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let scopes = [
        ("read", &form.scope_read),
        ("write", &form.scope_write),
        ("chat", &form.scope_chat),
    ]
    .into_iter()
    .filter(|(_, ticked)| ticked.is_some())
    .map(|(name, _)| name.to_string())
    .collect();
    let request = KeyRequest {
        name: form.name.clone(),
        scopes: Some(scopes),
        record: form.record.is_some(),
    };
    let notice = lang.texts().identity.key_created.to_string();
    match state.api_access.create_key(&user, request, lang).await {
        Ok(made) => match reply {
            Reply::Json => (
                StatusCode::CREATED,
                Json(serde_json::json!({
                    "notice": notice,
                    "key": made.key,
                    "info": key_info(&made.row),
                })),
            )
                .into_response(),
            // Shown once, on the page the browser returns to; the flash lives two minutes and is read once.
            Reply::Redirect => see_other(
                "/settings",
                vec![flash_cookie(&Flash {
                    form: API_KEY_FORM.into(),
                    values: vec![("key".into(), made.key)],
                    notice: Some(notice),
                    ..Flash::default()
                })],
            ),
        },
        Err(rejection) => rejected(
            lang,
            reply,
            "/settings",
            Flash {
                form: API_KEY_FORM.into(),
                values: vec![("name".into(), form.name)],
                ..Flash::default()
            },
            rejection,
        ),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeKeyFields {
    key_id: String,
}

pub async fn revoke_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<RevokeKeyFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_caller(&caller, &headers);
    let (user, form) = match user_and_form(&caller, lang, reply, form, "api_keys") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let outcome = state
        .api_access
        .revoke_key(&user, &form.key_id)
        .await
        .map(|()| lang.texts().identity.key_revoked.to_string())
        .map_err(FormRejection::Refused);
    settings_outcome(lang, reply, "api_keys", outcome)
}
