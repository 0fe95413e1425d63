//! What the admin dashboard reads and changes in the store: usage across everyone per day, model and tier, users
//! (search, disable, role), guests active, and the daily limits per tier set at run time. The statements are in
//! `admin_sql.rs`, shared by both databases.

use async_trait::async_trait;
use uuid::Uuid;

use super::{
    accounts::{UsageRecord, UserRole, UserRow},
    StoreResult,
};

/// Everyone's usage of one model on one day, for one tier (`guest`, `user`, `admin`: the owner's role today).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageBreakdown {
    pub day: String,
    pub model_key: String,
    pub tier: String,
    pub usage: UsageRecord,
}

/// Daily limits an admin set for a tier, over the ones the server started with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierLimitRow {
    pub tier: String,
    pub questions_per_day: i64,
    pub tokens_per_day: i64,
}

#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Usage since `first_day` (`YYYY-MM-DD`) per day, model and tier, oldest day first.
    async fn usage_breakdown(&self, first_day: &str) -> StoreResult<Vec<UsageBreakdown>>;
    /// Users whose username or email contains `query` (any case; every user for an empty query), newest first.
    async fn search_users(&self, query: &str, limit: i64) -> StoreResult<Vec<UserRow>>;
    /// Disables a user (ending every session of theirs, in the same transaction) or enables them again; false if
    /// there is no such user.
    async fn set_user_disabled(&self, user_id: Uuid, disabled: bool) -> StoreResult<bool>;
    async fn set_user_role(&self, user_id: Uuid, role: UserRole) -> StoreResult<bool>;
    /// Guests seen since `since_ms` (who have not become users).
    async fn guests_seen_since(&self, since_ms: i64) -> StoreResult<i64>;
    async fn tier_limits(&self) -> StoreResult<Vec<TierLimitRow>>;
    async fn set_tier_limits(&self, limits: &TierLimitRow) -> StoreResult<()>;
}
