//! Usage accounting: every answer adds its question and tokens to the owner's day (`usage_daily`), with an
//! estimated cost from the operator's price table (`MODEL_PRICES`), and its tokens to the daily token quota.

use std::collections::HashMap;

use super::Chat;
use crate::model::Usage;
use crate::server::{
    identity::limits::today,
    store::{accounts::UsageRecord, Owner},
};

/// US dollars per million tokens in and out, per model key (`provider/model`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prices {
    per_model: HashMap<String, (f64, f64)>,
}

impl Prices {
    /// Reads `provider/model=input/output,...` (dollars per million tokens), e.g.
    /// `openai/gpt-4o-mini=0.15/0.60,openai/gpt-4o=2.50/10`. A model not listed costs nothing.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut per_model = HashMap::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let problem = || {
                format!("MODEL_PRICES entry {entry:?} must look like provider/model=0.15/0.60 (dollars per million tokens in/out)")
            };
            let (model, prices) = entry.rsplit_once('=').ok_or_else(problem)?;
            let (input, output) = prices.split_once('/').ok_or_else(problem)?;
            let input: f64 = input.trim().parse().map_err(|_| problem())?;
            let output: f64 = output.trim().parse().map_err(|_| problem())?;
            if !(input >= 0.0 && output >= 0.0 && model.contains('/')) {
                return Err(problem());
            }
            per_model.insert(model.trim().to_string(), (input, output));
        }
        Ok(Prices { per_model })
    }

    /// Estimated cost in millionths of a dollar.
    pub fn cost_micros(&self, model_key: &str, usage: &Usage) -> i64 {
        let Some((input, output)) = self.per_model.get(model_key) else {
            return 0;
        };
        // Dollars per million tokens are exactly micro-dollars per token.
        let micros =
            f64::from(usage.prompt_tokens) * input + f64::from(usage.completion_tokens) * output;
        micros.round() as i64
    }
}

/// Who an answer's usage is counted for.
#[derive(Clone, Debug)]
pub struct UsageOwner {
    pub owner: Owner,
    /// The caller's counter key (see `Caller::counter_key`), for the daily token quota.
    pub counter_key: String,
}

/// Adds one answered question to the owner's day. A failure is logged, never shown: the answer is already stored.
pub async fn record(chat: &Chat, who: &UsageOwner, model_key: &str, usage: Option<&Usage>) {
    let usage = usage.copied().unwrap_or(Usage {
        prompt_tokens: 0,
        completion_tokens: 0,
        estimated: true,
    });
    let record = UsageRecord {
        questions: 1,
        prompt_tokens: i64::from(usage.prompt_tokens),
        completion_tokens: i64::from(usage.completion_tokens),
        cost_micros: chat.prices.cost_micros(model_key, &usage),
    };
    chat.limits
        .add_tokens(
            &who.counter_key,
            u64::from(usage.prompt_tokens) + u64::from(usage.completion_tokens),
        )
        .await;
    if let Err(error) = chat
        .store
        .add_usage(who.owner.id(), &today(), model_key, &record)
        .await
    {
        tracing::warn!(%error, "usage not recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_per_million_tokens() {
        let prices = Prices::parse("openai/gpt-4o-mini=0.15/0.60, groq/llama=0/0").unwrap();
        let usage = Usage {
            prompt_tokens: 1_000,
            completion_tokens: 500,
            estimated: false,
        };
        // 1,000 x $0.15/M + 500 x $0.60/M = $0.00045 = 450 micro-dollars.
        assert_eq!(prices.cost_micros("openai/gpt-4o-mini", &usage), 450);
        assert_eq!(prices.cost_micros("embedded/smollm2", &usage), 0);
        assert!(Prices::parse("gpt-4o=0.15").is_err());
        assert!(Prices::parse("openai/gpt-4o=x/1").is_err());
        assert_eq!(Prices::parse("").unwrap(), Prices::default());
    }
}
