//! `/api/v1/models` and `/api/v1/usage`: what the caller may ask with, and how much of today is left.

use axum::{extract::State, Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::reply::{ApiResult, ApiUser, ErrorBody};
use crate::{
    model::ModelChoices,
    server::{
        identity::{api::keys::Scope, caller::Caller, caller::Tier, limits},
        state::AppState,
    },
};

/// The models this server has, in fallback order, and the default one.
#[utoipa::path(get, path = "/api/v1/models", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "The models the caller's tier may use", body = ModelChoices),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
    ))]
pub async fn models(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<ModelChoices>> {
    user.require(Scope::Read)?;
    let limits = state.chat.limits.for_tier(caller.tier());
    Ok(Json(state.catalog.choices_for(&limits.models)))
}

/// Today's usage against the caller's daily limits (days are UTC).
#[derive(Serialize, ToSchema)]
pub struct UsageToday {
    /// `user` or `admin` (admins are not limited).
    #[schema(example = "user")]
    pub tier: &'static str,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub questions_asked: i64,
    /// `None` when not limited.
    pub questions_per_day: Option<u32>,
    pub questions_remaining: Option<u32>,
    pub tokens_used: i64,
    pub tokens_per_day: Option<u64>,
    /// Estimated cost of today's answers in US dollars.
    pub estimated_cost_usd: f64,
}

/// How much the caller has asked today and what is left of the day's limits.
#[utoipa::path(get, path = "/api/v1/usage", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "Today's usage and limits", body = UsageToday),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
    ))]
pub async fn usage(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<UsageToday>> {
    user.require(Scope::Read)?;
    let store = state.store.as_ref();
    let day = limits::today();
    let used = store.usage_on(user.user_id, &day).await?;
    let allowance = state.chat.limits.allowance(&caller, store).await?;
    let tier = caller.tier();
    let tokens_per_day =
        (tier != Tier::Admin).then(|| state.chat.limits.for_tier(tier).tokens_per_day);
    Ok(Json(UsageToday {
        tier: tier.name(),
        day,
        questions_asked: used.questions,
        questions_per_day: allowance.per_day,
        questions_remaining: allowance.remaining_today,
        tokens_used: used.prompt_tokens + used.completion_tokens,
        tokens_per_day,
        estimated_cost_usd: used.cost_micros as f64 / 1_000_000.0,
    }))
}
