//! Rate limits. Two layers: tower_governor caps requests per IP address across the whole site (abuse, scraping),
//! and a per-guest limiter caps chat turns, the expensive part, so one browser cannot run up the model bill.

use std::{num::NonZeroU32, time::Duration};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::server::error::AppError;

/// Chat turns per minute, per owner key.
pub struct TurnLimiter {
    limiter: DefaultKeyedRateLimiter<[u8; 32]>,
}

impl TurnLimiter {
    pub fn per_minute(turns: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(turns).unwrap_or(NonZeroU32::MIN));
        TurnLimiter {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// Takes one turn from the key's allowance, or says how long to wait.
    pub fn check(&self, key: &[u8; 32]) -> Result<(), AppError> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets keys whose allowance is full again, so memory stays bounded by active guests.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// How often idle limiter keys are swept.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_runs_out_and_names_a_wait() {
        let limiter = TurnLimiter::per_minute(2);
        let key = [1; 32];
        assert!(limiter.check(&key).is_ok());
        assert!(limiter.check(&key).is_ok());
        match limiter.check(&key) {
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(
            limiter.check(&[2; 32]).is_ok(),
            "another guest has its own allowance"
        );
    }
}
