//! How each provider has been doing: every answer's attempt, kept for the last hour in this process, for the admin
//! dashboard's error rates. (Several replicas each count their own; the dashboard shows the one it is served by.)

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use crate::server::store::now_ms;

/// How far back the rates look.
pub const WINDOW_MS: i64 = 60 * 60 * 1000;
/// Attempts kept per provider at most, so a flood cannot grow memory without bound.
const MAX_ATTEMPTS: usize = 20_000;

struct Attempt {
    at_ms: i64,
    error: Option<&'static str>,
}

#[derive(Default)]
pub struct ProviderHealth {
    attempts: Mutex<HashMap<String, VecDeque<Attempt>>>,
}

/// One provider's last hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthReport {
    pub provider: String,
    pub attempts: u64,
    pub errors: u64,
    /// The most recent error's code ("timeout", "rate_limited", ...), if any in the window.
    pub last_error: Option<&'static str>,
}

impl ProviderHealth {
    /// Records one attempt to answer: `error` is the failure's code, `None` when the provider answered.
    pub fn record(&self, provider: &str, error: Option<&'static str>) {
        let now = now_ms();
        let mut attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let list = attempts.entry(provider.to_string()).or_default();
        list.push_back(Attempt { at_ms: now, error });
        while list.len() > MAX_ATTEMPTS || list.front().is_some_and(|a| a.at_ms < now - WINDOW_MS) {
            list.pop_front();
        }
    }

    /// The last hour of each of `providers` (in their order; those never tried show zero attempts).
    pub fn report<'a>(&self, providers: impl IntoIterator<Item = &'a str>) -> Vec<HealthReport> {
        let since = now_ms() - WINDOW_MS;
        let attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        providers
            .into_iter()
            .map(|provider| {
                let recent = attempts
                    .get(provider)
                    .into_iter()
                    .flatten()
                    .filter(|a| a.at_ms >= since);
                let mut report = HealthReport {
                    provider: provider.to_string(),
                    attempts: 0,
                    errors: 0,
                    last_error: None,
                };
                for attempt in recent {
                    report.attempts += 1;
                    if let Some(code) = attempt.error {
                        report.errors += 1;
                        report.last_error = Some(code);
                    }
                }
                report
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_attempts_and_errors_per_provider() {
        let health = ProviderHealth::default();
        health.record("groq", None);
        health.record("groq", Some("timeout"));
        health.record("groq", None);
        health.record("openai", Some("rate_limited"));
        let report = health.report(["groq", "openai", "embedded"]);
        assert_eq!(
            report,
            vec![
                HealthReport {
                    provider: "groq".into(),
                    attempts: 3,
                    errors: 1,
                    last_error: Some("timeout")
                },
                HealthReport {
                    provider: "openai".into(),
                    attempts: 1,
                    errors: 1,
                    last_error: Some("rate_limited")
                },
                HealthReport {
                    provider: "embedded".into(),
                    attempts: 0,
                    errors: 0,
                    last_error: None
                },
            ]
        );
    }
}
