//! The admin dashboard as the browser sees it: usage over 30 days (charts drawn on the server, with the numbers
//! for their table alternatives), users, guests today, providers' error rates and the tiers' daily limits.

use serde::{Deserialize, Serialize};

use super::account::UsageTotals;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdminOverview {
    /// The last 30 days, oldest first, days without use included (as zeros).
    pub days: Vec<AdminDay>,
    pub charts: AdminCharts,
    /// 30-day totals per model and per tier, largest first.
    pub per_model: Vec<NamedUsage>,
    pub per_tier: Vec<NamedUsage>,
    /// What the search found (every user, newest first, for an empty one), at most [`ADMIN_USERS_SHOWN`].
    pub users: Vec<AdminUser>,
    pub user_query: String,
    pub guests_today: i64,
    pub providers: Vec<ProviderStatus>,
    pub limits: Vec<TierDailyLimits>,
}

/// Users listed at most per search.
pub const ADMIN_USERS_SHOWN: usize = 50;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdminDay {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub guest_questions: i64,
    pub user_questions: i64,
    pub admin_questions: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_micros: i64,
}

impl AdminDay {
    pub fn questions(&self) -> i64 {
        self.guest_questions + self.user_questions + self.admin_questions
    }
}

/// Each chart as SVG markup made on the server (labels escaped there), and its one-sentence summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdminCharts {
    pub questions: Chart,
    pub tokens: Chart,
    pub cost: Chart,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub svg: String,
    pub summary: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedUsage {
    pub name: String,
    pub totals: UsageTotals,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: String,
    pub username: String,
    pub email: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at_ms: i64,
    pub last_login_at_ms: Option<i64>,
    /// The admin looking: they cannot disable themselves or give up their own role here.
    pub is_you: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderStatus {
    pub name: String,
    pub label: String,
    /// Answers attempted in the last hour, and how many failed.
    pub attempts: u64,
    pub errors: u64,
    pub last_error: Option<String>,
}

impl ProviderStatus {
    /// "2.5%", or "–" with nothing attempted.
    pub fn error_rate(&self) -> String {
        if self.attempts == 0 {
            "–".into()
        } else {
            format!("{:.1}%", self.errors as f64 * 100.0 / self.attempts as f64)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierDailyLimits {
    /// `guest` or `user`.
    pub tier: String,
    pub questions_per_day: u32,
    pub tokens_per_day: u64,
}
