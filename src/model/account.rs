//! Accounts as the browser sees them: who is signed in and what they may still ask, the state of a sign-up or
//! sign-in form after a post, and the Settings page.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The person in front of the screen, for the header, the guest banner and the user menu.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    /// `None` for a guest.
    pub user: Option<ViewerUser>,
    /// Questions left today; `None` when not limited (admins).
    pub remaining_today: Option<u32>,
    pub per_day: Option<u32>,
    /// The guest closed the guest notice in this browser session.
    #[serde(default)]
    pub guest_notice_hidden: bool,
}

/// The session cookie (no expiry: it ends with the browser session) that keeps the guest notice closed.
pub const GUEST_NOTICE_COOKIE: &str = "tally_guest_notice";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewerUser {
    pub username: String,
    pub is_admin: bool,
}

/// The flash's form name for a question posted as a plain form and refused (see `server::chat::ask_form`).
pub const ASK_FORM: &str = "ask";

/// What a form post (made without JavaScript as well as with it) hands to the page it redirects to: the values
/// typed (never a password), the errors next to each field, or a notice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    /// Which form it is for (`signup`, `signin`, `email`, `password`, `delete`, `welcome`, ...).
    pub form: String,
    #[serde(default)]
    pub values: Vec<(String, String)>,
    #[serde(default)]
    pub errors: Vec<FieldError>,
    #[serde(default)]
    pub notice: Option<String>,
    /// Signing in needs the human check now (after failed attempts).
    #[serde(default)]
    pub needs_human_check: bool,
}

impl Flash {
    pub fn value(&self, field: &str) -> String {
        self.values
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// The messages for one field, each rule on its own.
    pub fn errors_for(&self, field: &str) -> Vec<String> {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect()
    }
}

/// The Settings page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub username: String,
    pub email: String,
    pub is_admin: bool,
    pub sessions: Vec<SessionInfo>,
    pub usage_today: UsageTotals,
    /// The last 30 days (today included), newest first; days without questions are left out.
    pub usage_days: Vec<UsageDayTotals>,
    pub remaining_today: Option<u32>,
    pub per_day: Option<u32>,
    /// Live share links, newest first.
    pub shared_links: Vec<super::share::SharedLink>,
    /// Live personal API keys, newest first.
    #[serde(default)]
    pub api_keys: Vec<ApiKeyInfo>,
}

/// A personal API key as lists show it: never the key itself, which is shown once when made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    /// The key's first characters (`tly_AbCd1234`), to tell keys apart.
    pub prefix: String,
    /// What it may do: `read`, `write`, `chat`.
    pub scopes: Vec<String>,
    /// Answers of `/v1/chat/completions` are kept as conversations.
    pub record: bool,
    pub created_at_ms: i64,
    /// `None` until first used.
    pub last_used_at_ms: Option<i64>,
}

/// The flash's form name of "Create API key"; its one value, `key`, is the key made, shown once.
pub const API_KEY_FORM: &str = "api_key";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    /// "Firefox on Windows", from the user agent.
    pub device: String,
    pub last_seen_at_ms: i64,
    pub created_at_ms: i64,
    pub this_device: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageTotals {
    pub questions: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Estimated cost in millionths of a US dollar.
    pub cost_micros: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageDayTotals {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub totals: UsageTotals,
}

/// Micro-dollars as dollars with up to four decimals ("$0.0012"), as Settings and the admin dashboard show costs.
pub fn dollars(micros: i64) -> String {
    format!("${:.4}", micros as f64 / 1_000_000.0)
}
