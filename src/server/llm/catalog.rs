//! The configured providers in fallback order, the models each offers, and the order in which a turn tries them.

use std::{sync::Arc, time::Duration};

use super::ChatProvider;
use crate::model::{ModelChoices, ModelOption};

/// How long a provider may take, per provider: a local model and a hosted API have very different rhythms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub first_token: Duration,
    pub idle: Duration,
}

/// One configured provider.
pub struct ProviderEntry {
    /// Short, stable name stored with each answer ("openai", "groq", "embedded").
    pub name: String,
    /// Shown to people ("Groq", "Offline model (small, for trying Tally out)").
    pub label: String,
    /// The models it offers, the first being its default.
    pub models: Vec<String>,
    pub provider: Arc<dyn ChatProvider>,
    pub timeouts: Timeouts,
    /// Runs inside Tally: nothing leaves the machine.
    pub offline: bool,
}

impl ProviderEntry {
    fn option(&self, model: &str) -> ModelOption {
        ModelOption {
            key: model_key(&self.name, model),
            label: self.model_label(model),
            offline: self.offline,
        }
    }

    /// The offline model has one model, so its label says it all; hosted models read "model (Provider)".
    fn model_label(&self, model: &str) -> String {
        if self.offline && self.models.len() == 1 {
            self.label.clone()
        } else {
            format!("{model} ({})", self.label)
        }
    }

    fn candidate(&self, model: &str) -> Candidate {
        Candidate {
            provider: self.provider.clone(),
            provider_name: self.name.clone(),
            model: model.to_string(),
            label: self.model_label(model),
            timeouts: self.timeouts,
            offline: self.offline,
        }
    }
}

/// One model a turn may ask, with everything the turn needs to do so.
#[derive(Clone)]
pub struct Candidate {
    pub provider: Arc<dyn ChatProvider>,
    pub provider_name: String,
    pub model: String,
    pub label: String,
    pub timeouts: Timeouts,
    /// A small model inside Tally: it cannot be trusted to follow grounding, so tax answers lead with the
    /// passages themselves and its own words are checked figure by figure.
    pub offline: bool,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.provider_name, self.model)
    }
}

/// `provider/model`. Provider names never contain `/`; model names may (`meta-llama/Llama-3.1-8B`).
pub fn model_key(provider: &str, model: &str) -> String {
    format!("{provider}/{model}")
}

#[derive(Default)]
pub struct Catalog {
    entries: Vec<ProviderEntry>,
}

impl Catalog {
    pub fn new(entries: Vec<ProviderEntry>) -> Self {
        Catalog { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[ProviderEntry] {
        &self.entries
    }

    /// What the "Model" selector lists.
    pub fn choices(&self) -> ModelChoices {
        self.choices_for(&[])
    }

    /// What the "Model" selector lists for a caller who may use only the `allowed` model keys (empty: all).
    pub fn choices_for(&self, allowed: &[String]) -> ModelChoices {
        let models: Vec<ModelOption> = self
            .entries
            .iter()
            .flat_map(|entry| {
                entry
                    .models
                    .iter()
                    .filter(|model| permits(allowed, &entry.name, model))
                    .map(|model| entry.option(model))
            })
            .collect();
        ModelChoices {
            default_key: models.first().map(|m| m.key.clone()),
            models,
        }
    }

    /// Whether `key` names a configured model.
    pub fn contains(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    fn find(&self, key: &str) -> Option<(&ProviderEntry, &str)> {
        let (provider, model) = key.split_once('/')?;
        let entry = self.entries.iter().find(|e| e.name == provider)?;
        let model = entry.models.iter().find(|m| *m == model)?;
        Some((entry, model))
    }

    /// The models a turn tries, in order: the chosen one (or the default), then the default model of every other
    /// provider in configured order. A provider is tried once per turn: if its chosen model failed, its other
    /// models would most likely fail the same way. Only the `allowed` model keys are tried (empty: all).
    pub fn candidates(&self, chosen: Option<&str>, allowed: &[String]) -> Vec<Candidate> {
        let first = chosen
            .and_then(|key| self.find(key))
            .filter(|(entry, model)| permits(allowed, &entry.name, model))
            .or_else(|| self.default_model(allowed));
        let Some((first_entry, first_model)) = first else {
            return Vec::new();
        };
        let mut candidates = vec![first_entry.candidate(first_model)];
        candidates.extend(
            self.entries
                .iter()
                .filter(|entry| entry.name != first_entry.name)
                .filter_map(|entry| Some(entry.candidate(entry.first_permitted(allowed)?))),
        );
        candidates
    }

    fn default_model(&self, allowed: &[String]) -> Option<(&ProviderEntry, &str)> {
        self.entries
            .iter()
            .find_map(|entry| Some((entry, entry.first_permitted(allowed)?)))
    }
}

impl ProviderEntry {
    fn first_permitted(&self, allowed: &[String]) -> Option<&str> {
        self.models
            .iter()
            .find(|model| permits(allowed, &self.name, model))
            .map(String::as_str)
    }
}

/// Whether a tier that may use `allowed` (model keys; empty: every model) may use this one.
fn permits(allowed: &[String], provider: &str, model: &str) -> bool {
    allowed.is_empty() || allowed.iter().any(|key| *key == model_key(provider, model))
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::server::llm::{ChatRequest, ChunkStream, ProviderError};

    struct Silent;

    #[async_trait]
    impl ChatProvider for Silent {
        async fn stream(&self, _: &str, _: ChatRequest) -> Result<ChunkStream, ProviderError> {
            Err(ProviderError::Connect("test".into()))
        }
    }

    fn entry(name: &str, models: &[&str], offline: bool) -> ProviderEntry {
        let timeout = Duration::from_secs(1);
        ProviderEntry {
            name: name.into(),
            label: name.to_uppercase(),
            models: models.iter().map(|m| m.to_string()).collect(),
            provider: Arc::new(Silent),
            timeouts: Timeouts {
                connect: timeout,
                first_token: timeout,
                idle: timeout,
            },
            offline,
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(vec![
            entry("groq", &["llama-8b", "llama-70b"], false),
            entry("openai", &["gpt-4o-mini", "meta/odd/name"], false),
            entry("embedded", &["smollm2"], true),
        ])
    }

    fn keys(candidates: &[Candidate]) -> Vec<String> {
        candidates
            .iter()
            .map(|c| model_key(&c.provider_name, &c.model))
            .collect()
    }

    #[test]
    fn default_order_is_the_configured_order_with_each_providers_first_model() {
        assert_eq!(
            keys(&catalog().candidates(None, &[])),
            ["groq/llama-8b", "openai/gpt-4o-mini", "embedded/smollm2"]
        );
    }

    #[test]
    fn the_chosen_model_goes_first_and_its_provider_is_not_tried_twice() {
        assert_eq!(
            keys(&catalog().candidates(Some("openai/meta/odd/name"), &[])),
            ["openai/meta/odd/name", "groq/llama-8b", "embedded/smollm2"]
        );
        assert_eq!(
            keys(&catalog().candidates(Some("groq/llama-70b"), &[])),
            ["groq/llama-70b", "openai/gpt-4o-mini", "embedded/smollm2"]
        );
    }

    #[test]
    fn an_unknown_choice_falls_back_to_the_default_order() {
        assert_eq!(
            keys(&catalog().candidates(Some("gone/model"), &[]))[0],
            "groq/llama-8b"
        );
        assert!(Catalog::default().candidates(None, &[]).is_empty());
    }

    #[test]
    fn a_tier_gets_only_its_models() {
        let allowed = vec!["groq/llama-8b".to_string()];
        assert_eq!(
            keys(&catalog().candidates(Some("openai/gpt-4o"), &allowed)),
            ["groq/llama-8b"]
        );
        let choices = catalog().choices_for(&allowed);
        assert_eq!(choices.default_key.as_deref(), Some("groq/llama-8b"));
        assert_eq!(choices.models.len(), 1);
    }

    #[test]
    fn choices_list_every_model_and_label_the_offline_one_plainly() {
        let choices = catalog().choices();
        assert_eq!(choices.default_key.as_deref(), Some("groq/llama-8b"));
        assert_eq!(choices.models.len(), 5);
        assert_eq!(choices.models[1].label, "llama-70b (GROQ)");
        let offline = choices.models.last().unwrap();
        assert_eq!(offline.label, "EMBEDDED");
        assert!(offline.offline);
        assert!(catalog().contains("openai/meta/odd/name"));
        assert!(!catalog().contains("openai/gpt-5"));
    }
}
