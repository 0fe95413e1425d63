//! Failed attempts at signing in (per IP address and per account) and sign-ups (per IP address). After
//! `free_failures` failures within 15 minutes each further attempt waits, twice as long as the one before (30 s,
//! 1 min, 2 min, ... up to 15 min); 15 quiet minutes forget them. From [`HUMAN_CHECK_AFTER`] failures on, signing in
//! also needs the human check.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failures after which signing in needs the human check.
pub const HUMAN_CHECK_AFTER: u32 = 3;
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

pub struct AttemptThrottle {
    free_failures: u32,
    failures: Mutex<HashMap<String, Failures>>,
}

impl AttemptThrottle {
    pub fn new(free_failures: u32) -> Self {
        AttemptThrottle {
            free_failures: free_failures.max(1),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn current(&self, key: &str, now: Instant) -> Option<Failures> {
        self.lock()
            .get(key)
            .copied()
            .filter(|f| now.duration_since(f.last) < FORGET_AFTER)
    }

    /// How long the keys must wait before another attempt (the longest of them), if at all.
    pub fn wait(&self, keys: &[&str]) -> Option<Duration> {
        let now = Instant::now();
        keys.iter()
            .filter_map(|key| self.current(key, now))
            .filter(|f| f.count >= self.free_failures)
            .filter_map(|f| {
                let doublings = (f.count - self.free_failures).min(10);
                let wait = (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT);
                let waited = now.duration_since(f.last);
                (waited < wait).then(|| wait - waited)
            })
            .max()
    }

    /// The most failures any of the keys has had lately.
    pub fn failures(&self, keys: &[&str]) -> u32 {
        let now = Instant::now();
        keys.iter()
            .filter_map(|key| self.current(key, now))
            .map(|f| f.count)
            .max()
            .unwrap_or(0)
    }

    pub fn fail(&self, keys: &[&str]) {
        let now = Instant::now();
        let mut failures = self.lock();
        for key in keys {
            let entry = failures.entry(key.to_string()).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(entry.last) >= FORGET_AFTER {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
        }
    }

    pub fn succeed(&self, keys: &[&str]) {
        let mut failures = self.lock();
        for key in keys {
            failures.remove(*key);
        }
    }

    pub fn sweep(&self) {
        let now = Instant::now();
        self.lock()
            .retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_free_ones_wait_longer_each_time() {
        let throttle = AttemptThrottle::new(2);
        let keys = ["ip:1", "account:ann"];
        assert_eq!(throttle.wait(&keys), None);
        throttle.fail(&keys);
        throttle.fail(&keys);
        let first = throttle.wait(&keys).unwrap();
        assert!(first <= FIRST_WAIT && first > FIRST_WAIT - Duration::from_secs(2));
        throttle.fail(&keys);
        assert!(
            throttle.wait(&keys).unwrap() > FIRST_WAIT,
            "the wait doubles"
        );
        assert_eq!(throttle.failures(&["account:ann"]), 3);
        assert_eq!(throttle.wait(&["ip:2"]), None, "others are not held up");
        throttle.succeed(&keys);
        assert_eq!(throttle.wait(&keys), None);
    }
}
