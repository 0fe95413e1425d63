//! Server functions of accounts: who is looking (header, banner, user menu) and the Settings page. The changes
//! themselves are form posts (see `server/identity/forms.rs`), so they work before the wasm has arrived.

use leptos::prelude::*;

use crate::model::{
    account::{AccountSettings, Flash, Viewer},
    ApiError,
};

#[cfg(feature = "ssr")]
use super::context;

/// What the last form post left for this page to say (errors next to fields, the values typed, a notice), once.
#[server(endpoint = "account/flash", output = crate::model::json::Json)]
pub async fn take_flash() -> Result<Option<Flash>, ApiError> {
    use crate::server::identity::forms::{clear_flash_cookie, read_flash};
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let flash = read_flash(&headers);
    if flash.is_some() {
        // Said once: the next page load does not repeat it.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.append_header(axum::http::header::SET_COOKIE, clear_flash_cookie());
        }
    }
    Ok(flash)
}

/// The person looking at the page and what they may still ask today.
#[server(endpoint = "account/viewer", output = crate::model::json::Json)]
pub async fn load_viewer() -> Result<Viewer, ApiError> {
    use crate::{
        model::account::{ViewerUser, GUEST_NOTICE_COOKIE},
        server::identity::session::Cookies,
    };
    let (state, caller) = context::caller().await?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let guest_notice_hidden = Cookies::of(&headers).get(GUEST_NOTICE_COOKIE) == Some("hidden");
    let allowance = state
        .chat
        .limits
        .allowance(&caller, state.store.as_ref())
        .await
        .map_err(context::fail)?;
    Ok(Viewer {
        user: caller.user().map(|user| ViewerUser {
            username: user.username.clone(),
            is_admin: user.role == crate::server::store::accounts::UserRole::Admin,
        }),
        remaining_today: allowance.remaining_today,
        per_day: allowance.per_day,
        guest_notice_hidden,
    })
}

/// What the Settings page shows: the account, its signed-in sessions, and its usage today and over 30 days.
#[server(endpoint = "account/settings", output = crate::model::json::Json)]
pub async fn load_account_settings() -> Result<AccountSettings, ApiError> {
    use crate::model::account::{SessionInfo, UsageDayTotals, UsageTotals};
    use crate::server::{error::AppError, identity::device, identity::limits};
    let (state, caller) = context::caller().await?;
    let user = caller
        .user()
        .ok_or_else(|| context::fail(AppError::SignInRequired))?;
    let store = state.store.as_ref();
    let lang = crate::i18n::Lang::current();
    let account = store
        .find_user(user.user_id)
        .await
        .map_err(|e| context::fail(e.into()))?
        .ok_or_else(|| context::fail(AppError::SignInRequired))?;
    let sessions = store
        .list_sessions(user.user_id)
        .await
        .map_err(|e| context::fail(e.into()))?
        .into_iter()
        .map(|s| SessionInfo {
            id: s.id.to_string(),
            device: device::of_session(lang, &s.user_agent, s.api),
            last_seen_at_ms: s.last_seen_at_ms,
            created_at_ms: s.created_at_ms,
            this_device: s.id == user.session_id,
        })
        .collect();
    let first_day = limits::day_of(crate::server::store::now_ms() - 29 * 86_400_000);
    let rows = store
        .usage_since(user.user_id, &first_day)
        .await
        .map_err(|e| context::fail(e.into()))?;
    // Per model in the table; per day on the page.
    let mut usage_days: Vec<UsageDayTotals> = Vec::new();
    for row in rows {
        let totals = match usage_days.last_mut() {
            Some(last) if last.day == row.day => &mut last.totals,
            _ => {
                usage_days.push(UsageDayTotals {
                    day: row.day.clone(),
                    totals: UsageTotals::default(),
                });
                &mut usage_days.last_mut().expect("just pushed").totals
            }
        };
        totals.questions += row.usage.questions;
        totals.prompt_tokens += row.usage.prompt_tokens;
        totals.completion_tokens += row.usage.completion_tokens;
        totals.cost_micros += row.usage.cost_micros;
    }
    let today = limits::today();
    let usage_today = usage_days
        .iter()
        .find(|d| d.day == today)
        .map(|d| d.totals.clone())
        .unwrap_or_default();
    let allowance = state
        .chat
        .limits
        .allowance(&caller, store)
        .await
        .map_err(context::fail)?;
    let shared_links = crate::server::chat::sharing::links(store, &caller)
        .await
        .map_err(context::fail)?;
    let api_keys = state
        .api_access
        .list_keys(user)
        .await
        .map_err(context::fail)?
        .iter()
        .map(crate::server::identity::api::key_info)
        .collect();
    Ok(AccountSettings {
        username: account.username,
        email: account.email,
        is_admin: account.role == crate::server::store::accounts::UserRole::Admin,
        sessions,
        usage_today,
        usage_days,
        remaining_today: allowance.remaining_today,
        per_day: allowance.per_day,
        shared_links,
        api_keys,
    })
}
