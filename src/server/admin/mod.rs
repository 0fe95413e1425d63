//! The admin dashboard (`/admin`): what the site costs and who uses it. Admins only: for everyone else every part
//! of it is simply not there (404), so its existence is not advertised. The page reads [`overview`]; the changes
//! (a user's status or role, the tiers' daily limits) are form posts in `forms.rs`, so they work without scripts.

pub mod charts;
pub mod forms;

use std::collections::BTreeMap;

use crate::{
    i18n::Lang,
    model::{
        account::UsageTotals,
        admin::{
            AdminCharts, AdminDay, AdminOverview, AdminUser, NamedUsage, ProviderStatus,
            TierDailyLimits, ADMIN_USERS_SHOWN,
        },
    },
    server::{
        error::AppError,
        identity::{
            caller::{Caller, SignedIn, Tier},
            limits::day_of,
        },
        state::AppState,
        store::{accounts::UserRole, now_ms},
    },
};

/// Days the usage charts cover, today included.
pub const DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

/// The caller if they are an admin; for anyone else the dashboard does not exist.
pub fn admin(caller: &Caller) -> Result<&SignedIn, AppError> {
    caller
        .user()
        .filter(|user| user.role == UserRole::Admin)
        .ok_or(AppError::NotFound)
}

/// Everything the dashboard shows, with the users matching `query`.
pub async fn overview(
    state: &AppState,
    caller: &Caller,
    query: &str,
    lang: Lang,
) -> Result<AdminOverview, AppError> {
    let me = admin(caller)?;
    let store = state.store.as_ref();
    let now = now_ms();
    let days: Vec<String> = (0..DAYS)
        .map(|back| day_of(now - (DAYS - 1 - back) * DAY_MS))
        .collect();
    let rows = store.usage_breakdown(&days[0]).await?;

    let mut per_day: BTreeMap<&str, AdminDay> = days
        .iter()
        .map(|day| {
            (
                day.as_str(),
                AdminDay {
                    day: day.clone(),
                    ..AdminDay::default()
                },
            )
        })
        .collect();
    let mut per_model: BTreeMap<String, UsageTotals> = BTreeMap::new();
    let mut per_tier: BTreeMap<String, UsageTotals> = BTreeMap::new();
    for row in &rows {
        if let Some(day) = per_day.get_mut(row.day.as_str()) {
            match row.tier.as_str() {
                "admin" => day.admin_questions += row.usage.questions,
                "user" => day.user_questions += row.usage.questions,
                _ => day.guest_questions += row.usage.questions,
            }
            day.prompt_tokens += row.usage.prompt_tokens;
            day.completion_tokens += row.usage.completion_tokens;
            day.cost_micros += row.usage.cost_micros;
        }
        for (map, key) in [
            (&mut per_model, row.model_key.clone()),
            (&mut per_tier, row.tier.clone()),
        ] {
            let totals = map.entry(key).or_default();
            totals.questions += row.usage.questions;
            totals.prompt_tokens += row.usage.prompt_tokens;
            totals.completion_tokens += row.usage.completion_tokens;
            totals.cost_micros += row.usage.cost_micros;
        }
    }
    let days: Vec<AdminDay> = per_day.into_values().collect();
    let t = &lang.texts().admin;
    let tier_name = |tier: &str| match tier {
        "admin" => t.tier_admin.to_string(),
        "user" => t.tier_user.to_string(),
        _ => t.tier_guest.to_string(),
    };

    let query = query.trim().chars().take(100).collect::<String>();
    let users = store
        .search_users(&query, ADMIN_USERS_SHOWN as i64)
        .await?
        .into_iter()
        .map(|user| AdminUser {
            id: user.id.to_string(),
            is_you: user.id == me.user_id,
            username: user.username,
            email: user.email,
            is_admin: user.role == UserRole::Admin,
            disabled: user.disabled_at_ms.is_some(),
            created_at_ms: user.created_at_ms,
            last_login_at_ms: user.last_login_at_ms,
        })
        .collect();
    let midnight = now - now.rem_euclid(DAY_MS);
    let guests_today = store.guests_seen_since(midnight).await?;

    let entries = state.catalog.entries();
    let providers = state
        .chat
        .provider_health
        .report(entries.iter().map(|e| e.name.as_str()))
        .into_iter()
        .zip(entries)
        .map(|(health, entry)| ProviderStatus {
            name: health.provider,
            label: entry.label.clone(),
            attempts: health.attempts,
            errors: health.errors,
            last_error: health.last_error.map(str::to_string),
        })
        .collect();
    let limits = [("guest", Tier::Guest), ("user", Tier::User)]
        .into_iter()
        .map(|(name, tier)| {
            let limits = state.chat.limits.for_tier(tier);
            TierDailyLimits {
                tier: name.into(),
                questions_per_day: limits.questions_per_day,
                tokens_per_day: limits.tokens_per_day,
            }
        })
        .collect();

    Ok(AdminOverview {
        charts: AdminCharts {
            questions: charts::questions(lang, &days),
            tokens: charts::tokens(lang, &days),
            cost: charts::cost(lang, &days),
        },
        days,
        per_model: largest_first(per_model, str::to_string),
        per_tier: largest_first(per_tier, tier_name),
        users,
        user_query: query,
        guests_today,
        providers,
        limits,
    })
}

/// Totals by name, most questions first.
fn largest_first(
    totals: BTreeMap<String, UsageTotals>,
    name: impl Fn(&str) -> String,
) -> Vec<NamedUsage> {
    let mut named: Vec<NamedUsage> = totals
        .into_iter()
        .map(|(key, totals)| NamedUsage {
            name: name(&key),
            totals,
        })
        .collect();
    named.sort_by_key(|named| std::cmp::Reverse(named.totals.questions));
    named
}
