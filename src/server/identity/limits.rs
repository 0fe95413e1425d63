//! Limits per tier. Two layers: tower_governor caps requests per IP address across the whole site (abuse,
//! scraping, see `http/serve.rs`), and the tier limits here cap what each guest or user may ask of the models:
//! questions per minute and per day, tokens per day, the longest question, which models, how much context.
//! Admins are not limited.
//!
//! The counts live behind [`Counters`], in-process by default, so a Redis implementation can share them across
//! replicas. A daily count missing from the counters (after a restart) starts from the usage in the database.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::Duration,
};

use async_trait::async_trait;

use super::caller::{Caller, Tier};
use crate::server::{
    error::AppError,
    store::{now_ms, Store},
};

/// How often idle counters are swept.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// What counters count over: a rolling minute (any 60 seconds, so a burst across a minute's boundary cannot double
/// the allowance), or the current UTC day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Window {
    Minute,
    Day,
}

impl Window {
    fn length_ms(self) -> i64 {
        match self {
            Window::Minute => 60_000,
            Window::Day => 86_400_000,
        }
    }

    /// Which window `now_ms` falls in, and how long until the next one starts.
    fn at(self, now_ms: i64) -> (i64, Duration) {
        let length = self.length_ms();
        let index = now_ms.div_euclid(length);
        let left = (index + 1) * length - now_ms;
        (index, Duration::from_millis(left.max(1) as u64))
    }
}

/// Shared counts of what callers used. Every method names the counter's key and window; the count restarts with
/// each window.
#[async_trait]
pub trait Counters: Send + Sync {
    /// Adds `amount` to the count unless it already reached `limit`; the count after, or the wait until the
    /// window ends.
    async fn take(
        &self,
        key: &str,
        window: Window,
        limit: u64,
        amount: u64,
    ) -> Result<u64, Duration>;
    /// Adds `amount` whatever the limit (tokens are known only after the answer).
    async fn add(&self, key: &str, window: Window, amount: u64);
    /// The current count; `None` if this window was never counted here (then it starts from the database).
    async fn get(&self, key: &str, window: Window) -> Option<u64>;
    /// Starts the window's count at `count` if it has none yet.
    async fn seed(&self, key: &str, window: Window, count: u64);
    /// Forgets counts of windows that are over.
    fn sweep(&self);
}

/// Counters in this process's memory.
#[derive(Default)]
pub struct InProcessCounters {
    counts: Mutex<HashMap<(String, Window), (i64, u64)>>,
}

impl InProcessCounters {
    /// The rolling minute as GCRA (the generic cell rate algorithm, as governor and redis-cell use): each take
    /// moves a theoretical arrival time on by 60 s / `limit`; a take is refused while that time is more than a
    /// minute less one interval ahead, i.e. while `limit` takes already lie in the last 60 s. The entry holds that
    /// time in microseconds.
    fn take_rolling(&self, key: &str, limit: u64, amount: u64) -> Result<u64, Duration> {
        // At most one take per microsecond; more would not fit the clock.
        let limit = limit.clamp(1, 60_000_000) as i64;
        let now = now_ms() * 1000;
        let interval = 60_000_000 / limit;
        let tolerance = interval * (limit - 1);
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let entry = counts
            .entry((key.to_string(), Window::Minute))
            .or_insert((now, 0));
        let arrival = entry.0.max(now);
        if arrival - now > tolerance {
            let wait_us = arrival - now - tolerance;
            return Err(Duration::from_micros(wait_us.max(1000) as u64));
        }
        entry.0 = arrival + interval * i64::try_from(amount).unwrap_or(1);
        Ok((entry.0 - now + interval - 1).div_euclid(interval) as u64)
    }

    fn with<T>(
        &self,
        key: &str,
        window: Window,
        f: impl FnOnce(&mut u64, Duration, bool) -> T,
    ) -> T {
        let (index, left) = window.at(now_ms());
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let entry = counts
            .entry((key.to_string(), window))
            .or_insert((index, 0));
        let mut fresh = false;
        if entry.0 != index {
            *entry = (index, 0);
            fresh = true;
        }
        f(&mut entry.1, left, fresh)
    }
}

#[async_trait]
impl Counters for InProcessCounters {
    async fn take(
        &self,
        key: &str,
        window: Window,
        limit: u64,
        amount: u64,
    ) -> Result<u64, Duration> {
        if window == Window::Minute {
            return self.take_rolling(key, limit, amount);
        }
        self.with(key, window, |count, left, _| {
            if *count >= limit {
                Err(left)
            } else {
                *count += amount;
                Ok(*count)
            }
        })
    }

    async fn add(&self, key: &str, window: Window, amount: u64) {
        self.with(key, window, |count, _, _| *count += amount);
    }

    async fn get(&self, key: &str, window: Window) -> Option<u64> {
        let (index, _) = window.at(now_ms());
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .get(&(key.to_string(), window))
            .filter(|(at, _)| *at == index)
            .map(|(_, count)| *count)
    }

    async fn seed(&self, key: &str, window: Window, count: u64) {
        let (index, _) = window.at(now_ms());
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let entry = counts
            .entry((key.to_string(), window))
            .or_insert((index, count));
        if entry.0 != index {
            *entry = (index, count);
        }
    }

    fn sweep(&self) {
        let now = now_ms();
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.retain(|(_, window), (at, _)| match window {
            // A rolling minute whose arrival time has passed is a full allowance again.
            Window::Minute => *at > now * 1000,
            Window::Day => *at == window.at(now).0,
        });
        counts.shrink_to_fit();
    }
}

/// What one tier may use (`GUEST_*` and `USER_*` in `.env.example`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierLimits {
    pub questions_per_minute: u32,
    pub questions_per_day: u32,
    pub tokens_per_day: u64,
    pub max_question_chars: usize,
    /// Model keys (`provider/model`) the tier may use; empty: every model.
    pub models: Vec<String>,
    pub context_tokens: usize,
}

impl TierLimits {
    /// No limit but the server's own caps.
    pub fn unlimited(max_question_chars: usize, context_tokens: usize) -> Self {
        TierLimits {
            questions_per_minute: u32::MAX,
            questions_per_day: u32::MAX,
            tokens_per_day: u64::MAX,
            max_question_chars,
            models: Vec::new(),
            context_tokens,
        }
    }
}

/// What a caller may still ask today, for the banner and the user menu (`None`: not limited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub remaining_today: Option<u32>,
    pub per_day: Option<u32>,
}

/// The tier limits and the counters they are checked against. The daily limits of guests and users can change
/// while the server runs (the admin dashboard); a turn reads the limits once, at its start.
pub struct Limits {
    guest: RwLock<Arc<TierLimits>>,
    user: RwLock<Arc<TierLimits>>,
    admin: Arc<TierLimits>,
    pub counters: Arc<dyn Counters>,
}

fn questions_key(caller: &Caller) -> String {
    format!("q:{}", caller.counter_key())
}

fn tokens_key(caller: &Caller) -> String {
    format!("t:{}", caller.counter_key())
}

/// Today as `YYYY-MM-DD` (UTC), the day usage is counted under.
pub fn today() -> String {
    day_of(now_ms())
}

pub fn day_of(ms: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

impl Limits {
    pub fn new(
        guest: TierLimits,
        user: TierLimits,
        admin: TierLimits,
        counters: Arc<dyn Counters>,
    ) -> Self {
        Limits {
            guest: RwLock::new(Arc::new(guest)),
            user: RwLock::new(Arc::new(user)),
            admin: Arc::new(admin),
            counters,
        }
    }

    pub fn for_tier(&self, tier: Tier) -> Arc<TierLimits> {
        let editable = match tier {
            Tier::Guest => &self.guest,
            Tier::User => &self.user,
            Tier::Admin => return self.admin.clone(),
        };
        editable.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sets a tier's daily limits from now on (admins have none to set).
    pub fn set_daily(&self, tier: Tier, questions_per_day: u32, tokens_per_day: u64) {
        let editable = match tier {
            Tier::Guest => &self.guest,
            Tier::User => &self.user,
            Tier::Admin => return,
        };
        let mut current = editable.write().unwrap_or_else(|p| p.into_inner());
        if current.questions_per_day != questions_per_day
            || current.tokens_per_day != tokens_per_day
        {
            *current = Arc::new(TierLimits {
                questions_per_day,
                tokens_per_day,
                ..TierLimits::clone(&current)
            });
        }
    }

    /// Applies the daily limits admins stored (the dashboard, maybe on another replica) over the started ones.
    pub async fn load_daily(&self, store: &dyn Store) -> Result<(), sqlx::Error> {
        for row in store.tier_limits().await? {
            let tier = match row.tier.as_str() {
                "guest" => Tier::Guest,
                "user" => Tier::User,
                _ => continue,
            };
            self.set_daily(
                tier,
                u32::try_from(row.questions_per_day.max(0)).unwrap_or(u32::MAX),
                u64::try_from(row.tokens_per_day.max(0)).unwrap_or(0),
            );
        }
        Ok(())
    }

    /// Makes sure today's counts exist, starting from the usage the database holds.
    async fn seed_today(&self, caller: &Caller, store: &dyn Store) -> Result<(), AppError> {
        let key = questions_key(caller);
        if self.counters.get(&key, Window::Day).await.is_some() {
            return Ok(());
        }
        let day = today();
        let used = match caller {
            // A cookie made for this request has nothing stored: no read (first visits, crawlers).
            Caller::Guest(guest) if guest.is_new => Default::default(),
            Caller::Guest(guest) => store.guest_usage_on(&guest.token_hash, &day).await?,
            Caller::User(user) => store.usage_on(user.user_id, &day).await?,
        };
        let tokens = used.prompt_tokens + used.completion_tokens;
        self.counters
            .seed(&key, Window::Day, used.questions.max(0) as u64)
            .await;
        self.counters
            .seed(&tokens_key(caller), Window::Day, tokens.max(0) as u64)
            .await;
        Ok(())
    }

    /// Takes one question from the caller's allowance, or says how long to wait: 429 either way, with the wait.
    pub async fn take_question(&self, caller: &Caller, store: &dyn Store) -> Result<(), AppError> {
        let tier = caller.tier();
        if tier == Tier::Admin {
            return Ok(());
        }
        let limits = self.for_tier(tier);
        self.seed_today(caller, store).await?;
        let tokens_used = self
            .counters
            .get(&tokens_key(caller), Window::Day)
            .await
            .unwrap_or(0);
        if tokens_used >= limits.tokens_per_day {
            let (_, left) = Window::Day.at(now_ms());
            return Err(AppError::QuotaExceeded {
                retry_after_secs: left.as_secs().max(1),
                what: format!("the {} tokens a day", limits.tokens_per_day),
            });
        }
        let key = questions_key(caller);
        if let Err(left) = self
            .counters
            .take(
                &key,
                Window::Minute,
                u64::from(limits.questions_per_minute),
                1,
            )
            .await
        {
            return Err(AppError::RateLimited {
                retry_after_secs: left.as_secs().max(1),
            });
        }
        if let Err(left) = self
            .counters
            .take(&key, Window::Day, u64::from(limits.questions_per_day), 1)
            .await
        {
            return Err(AppError::QuotaExceeded {
                retry_after_secs: left.as_secs().max(1),
                what: format!("your {} questions for today", limits.questions_per_day),
            });
        }
        Ok(())
    }

    /// Counts an answer's tokens against the caller's day.
    pub async fn add_tokens(&self, counter_key: &str, tokens: u64) {
        self.counters
            .add(&format!("t:{counter_key}"), Window::Day, tokens)
            .await;
    }

    /// What the caller may still ask today.
    pub async fn allowance(
        &self,
        caller: &Caller,
        store: &dyn Store,
    ) -> Result<Allowance, AppError> {
        let tier = caller.tier();
        if tier == Tier::Admin {
            return Ok(Allowance {
                remaining_today: None,
                per_day: None,
            });
        }
        let per_day = self.for_tier(tier).questions_per_day;
        self.seed_today(caller, store).await?;
        let used = self
            .counters
            .get(&questions_key(caller), Window::Day)
            .await
            .unwrap_or(0);
        Ok(Allowance {
            remaining_today: Some(per_day.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX))),
            per_day: Some(per_day),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_window_fills_up_and_names_its_end() {
        let counters = InProcessCounters::default();
        assert_eq!(counters.take("k", Window::Minute, 2, 1).await, Ok(1));
        assert_eq!(counters.take("k", Window::Minute, 2, 1).await, Ok(2));
        let wait = counters.take("k", Window::Minute, 2, 1).await.unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::ZERO);
        assert_eq!(counters.take("other", Window::Minute, 2, 1).await, Ok(1));
        // Rolling: two more within the same minute are refused whatever the clock's minute.
        assert!(counters.take("k", Window::Minute, 2, 1).await.is_err());
        let generous = InProcessCounters::default();
        for n in 1..=100 {
            assert_eq!(generous.take("burst", Window::Minute, 100, 1).await, Ok(n));
        }
        assert!(generous
            .take("burst", Window::Minute, 100, 1)
            .await
            .is_err());
        assert_eq!(counters.get("k", Window::Day).await, None);
        counters.seed("k", Window::Day, 7).await;
        counters.seed("k", Window::Day, 1).await;
        assert_eq!(
            counters.get("k", Window::Day).await,
            Some(7),
            "a seed never overwrites a count"
        );
    }

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(1_764_633_599_000), "2025-12-01");
        assert_eq!(day_of(1_764_633_600_000), "2025-12-02");
        let (_, left) = Window::Day.at(1_764_633_599_000);
        assert_eq!(left, Duration::from_secs(1));
    }
}
