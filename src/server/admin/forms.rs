//! The dashboard's form posts: a user's status (`/admin/users/status`), a user's role (`/admin/users/role`) and the
//! tiers' daily limits (`/admin/limits`). Like the account forms they answer with a redirect back to the dashboard
//! and a flash (or JSON when asked for it); for anyone but an admin they do not exist (404).

use axum::{
    extract::{rejection::FormRejection as BadForm, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    Extension, Form, Json,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    i18n::{fill, Lang},
    model::{account::Flash, FieldError},
    server::{
        error::AppError,
        identity::{
            accounts::FormRejection,
            caller::{Caller, Tier},
            forms::{flash_cookie, json_error, malformed, rejected, reply_kind, see_other, Reply},
        },
        state::AppState,
        store::{accounts::UserRole, admin::TierLimitRow},
    },
};

/// The largest daily limits the form accepts.
const MAX_QUESTIONS_PER_DAY: u64 = 1_000_000;
const MAX_TOKENS_PER_DAY: u64 = 1_000_000_000_000;

/// Back to the dashboard (the search it came from kept) with a notice, or the errors.
fn outcome(
    lang: Lang,
    reply: Reply,
    return_to: &str,
    form: &str,
    result: Result<String, FormRejection>,
) -> Response {
    let flash = Flash {
        form: form.into(),
        ..Flash::default()
    };
    match result {
        Ok(notice) => match reply {
            Reply::Json => Json(serde_json::json!({ "notice": notice })).into_response(),
            Reply::Redirect => see_other(
                return_to,
                vec![flash_cookie(&Flash {
                    notice: Some(notice),
                    ..flash
                })],
            ),
        },
        Err(rejection) => rejected(lang, reply, return_to, flash, rejection),
    }
}

/// Only `/admin` and its searches: a form cannot send an admin anywhere else.
fn return_path(requested: &str) -> &str {
    let safe = requested == "/admin"
        || requested
            .strip_prefix("/admin?")
            .is_some_and(|q| !q.contains(['\r', '\n', '#']));
    if safe {
        requested
    } else {
        "/admin"
    }
}

/// The admin and their form, or the answer instead: 404 for anyone else, 400 for a form that cannot be read.
fn admin_and_form<T>(
    caller: &Caller,
    lang: Lang,
    reply: Reply,
    form: Result<Form<T>, BadForm>,
    name: &str,
) -> Result<(Uuid, T), Box<Response>> {
    let Ok(admin) = super::admin(caller) else {
        return Err(Box::new(json_error(lang, &AppError::NotFound, Vec::new())));
    };
    match form {
        Ok(Form(form)) => Ok((admin.user_id, form)),
        Err(rejection) => Err(Box::new(malformed(lang, reply, "/admin", name, rejection))),
    }
}

#[derive(Deserialize)]
pub struct UserFields {
    #[serde(default)]
    user_id: String,
    /// `disabled` or `active` for the status form; `admin` or `user` for the role form.
    #[serde(default)]
    set: String,
    #[serde(default)]
    return_to: String,
}

/// Finds the user the form names (not the admin themselves) and applies `change`; the notice names them.
async fn change_user(
    state: &AppState,
    me: Uuid,
    fields: &UserFields,
    lang: Lang,
    change: impl AsyncFnOnce(Uuid) -> Result<&'static str, AppError>,
) -> Result<String, FormRejection> {
    let id = Uuid::parse_str(fields.user_id.trim()).map_err(|_| AppError::NotFound)?;
    if id == me {
        return Err(FormRejection::Fields {
            errors: vec![FieldError {
                field: "form".into(),
                message: lang.texts().admin.cannot_change_self.into(),
            }],
            needs_human_check: false,
        });
    }
    let user = state
        .store
        .find_user(id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    let template = change(id).await?;
    Ok(fill(template, &[("username", &user.username)]))
}

pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<UserFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_caller(&caller, &headers);
    let (me, fields) = match admin_and_form(&caller, lang, reply, form, "admin_users") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let t = &lang.texts().admin;
    let result = change_user(&state, me, &fields, lang, async |id| {
        let disable = match fields.set.as_str() {
            "disabled" => true,
            "active" => false,
            other => {
                return Err(AppError::InvalidBody(format!(
                    "set must be disabled or active, not {other:?}"
                )))
            }
        };
        if !state.store.set_user_disabled(id, disable).await? {
            return Err(AppError::NotFound);
        }
        state.api_access.forget_user(id);
        tracing::info!(user_id = %id, disabled = disable, "admin changed a user's status");
        Ok(if disable {
            t.user_disabled
        } else {
            t.user_enabled
        })
    })
    .await;
    outcome(
        lang,
        reply,
        return_path(&fields.return_to),
        "admin_users",
        result,
    )
}

pub async fn set_role(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<UserFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_caller(&caller, &headers);
    let (me, fields) = match admin_and_form(&caller, lang, reply, form, "admin_users") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let t = &lang.texts().admin;
    let result = change_user(&state, me, &fields, lang, async |id| {
        let role = UserRole::parse(&fields.set).ok_or_else(|| {
            AppError::InvalidBody(format!("set must be admin or user, not {:?}", fields.set))
        })?;
        if !state.store.set_user_role(id, role).await? {
            return Err(AppError::NotFound);
        }
        tracing::info!(user_id = %id, role = role.as_str(), "admin changed a user's role");
        Ok(match role {
            UserRole::Admin => t.user_made_admin,
            UserRole::User => t.user_made_user,
        })
    })
    .await;
    outcome(
        lang,
        reply,
        return_path(&fields.return_to),
        "admin_users",
        result,
    )
}

#[derive(Deserialize)]
pub struct LimitFields {
    #[serde(default)]
    guest_questions_per_day: String,
    #[serde(default)]
    guest_tokens_per_day: String,
    #[serde(default)]
    user_questions_per_day: String,
    #[serde(default)]
    user_tokens_per_day: String,
}

pub async fn set_limits(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Result<Form<LimitFields>, BadForm>,
) -> Response {
    let reply = reply_kind(&headers);
    let lang = Lang::of_caller(&caller, &headers);
    let (_, fields) = match admin_and_form(&caller, lang, reply, form, "admin_limits") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let t = &lang.texts().admin;
    let mut errors = Vec::new();
    let mut number = |field: &str, raw: &str, max: u64| -> u64 {
        match raw.trim().replace([',', '_', ' '], "").parse::<u64>() {
            Ok(value) if value <= max => value,
            _ => {
                errors.push(FieldError {
                    field: field.into(),
                    message: fill(t.limit_invalid, &[("max", &max.to_string())]),
                });
                0
            }
        }
    };
    let guest = (
        number(
            "guest_questions_per_day",
            &fields.guest_questions_per_day,
            MAX_QUESTIONS_PER_DAY,
        ),
        number(
            "guest_tokens_per_day",
            &fields.guest_tokens_per_day,
            MAX_TOKENS_PER_DAY,
        ),
    );
    let user = (
        number(
            "user_questions_per_day",
            &fields.user_questions_per_day,
            MAX_QUESTIONS_PER_DAY,
        ),
        number(
            "user_tokens_per_day",
            &fields.user_tokens_per_day,
            MAX_TOKENS_PER_DAY,
        ),
    );
    if !errors.is_empty() {
        let flash = Flash {
            form: "admin_limits".into(),
            values: [
                ("guest_questions_per_day", &fields.guest_questions_per_day),
                ("guest_tokens_per_day", &fields.guest_tokens_per_day),
                ("user_questions_per_day", &fields.user_questions_per_day),
                ("user_tokens_per_day", &fields.user_tokens_per_day),
            ]
            .map(|(k, v)| (k.to_string(), v.chars().take(40).collect()))
            .to_vec(),
            ..Flash::default()
        };
        let rejection = FormRejection::Fields {
            errors,
            needs_human_check: false,
        };
        return rejected(lang, reply, "/admin", flash, rejection);
    }
    let result = async {
        for (tier, name, (questions, tokens)) in
            [(Tier::Guest, "guest", guest), (Tier::User, "user", user)]
        {
            state
                .store
                .set_tier_limits(&TierLimitRow {
                    tier: name.into(),
                    questions_per_day: questions as i64,
                    tokens_per_day: tokens as i64,
                })
                .await?;
            state
                .chat
                .limits
                .set_daily(tier, u32::try_from(questions).unwrap_or(u32::MAX), tokens);
        }
        tracing::info!(?guest, ?user, "admin changed the daily limits");
        Ok::<_, AppError>(t.limits_saved.to_string())
    }
    .await
    .map_err(FormRejection::Refused);
    outcome(lang, reply, "/admin", "admin_limits", result)
}

#[cfg(test)]
mod tests {
    use super::return_path;

    #[test]
    fn forms_only_return_to_the_dashboard() {
        assert_eq!(return_path("/admin?q=carol"), "/admin?q=carol");
        assert_eq!(return_path("/admin"), "/admin");
        assert_eq!(return_path("https://evil.example/admin"), "/admin");
        assert_eq!(return_path("//evil.example"), "/admin");
        assert_eq!(return_path("/admin?q=a\r\nSet-Cookie: x"), "/admin");
    }
}
