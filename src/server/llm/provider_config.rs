//! Which model providers to use, read from the environment:
//!
//! ```text
//! PROVIDERS=groq,openai,embedded          # fallback order; the first model of the first provider is the default
//! PROVIDER_GROQ_API_KEY=...
//! PROVIDER_GROQ_MODELS=llama-3.1-8b-instant,llama-3.3-70b-versatile
//! PROVIDER_GROQ_BASE_URL=...              # optional for well-known names
//! PROVIDER_GROQ_LABEL=Groq                # optional
//! PROVIDER_GROQ_FIRST_TOKEN_TIMEOUT_SECS=20   # optional, also _CONNECT_ and _IDLE_
//! PROVIDER_GROQ_PROTOCOL=auto             # optional: auto, http1 or http2 (also on plain http://)
//! PROVIDER_GROQ_STREAMS_PER_CONNECTION=100    # optional: answers sharing one HTTP/2 connection
//! ```
//!
//! `embedded` is the offline model inside Tally (`LOCAL_MODEL_PATH`). `.env.example` documents all of it.

use std::{path::PathBuf, time::Duration};

use super::{
    connections::{Protocol, DEFAULT_STREAMS_PER_CONNECTION},
    Timeouts,
};

pub const EMBEDDED: &str = crate::model::OFFLINE_PROVIDER;
pub const EMBEDDED_LABEL: &str = "Offline model (small, for trying Tally out)";

#[derive(Clone, Debug, PartialEq)]
pub struct ProviderSpec {
    pub name: String,
    pub label: String,
    pub models: Vec<String>,
    pub timeouts: Timeouts,
    pub kind: ProviderKind,
}

#[derive(Clone, PartialEq)]
pub enum ProviderKind {
    OpenAiCompatible {
        base_url: String,
        api_key: String,
        protocol: Protocol,
        streams_per_connection: usize,
    },
    Embedded {
        model_path: PathBuf,
    },
}

// Keys never reach logs or error messages, even through `{:?}`.
impl std::fmt::Debug for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderKind::OpenAiCompatible {
                base_url,
                protocol,
                streams_per_connection,
                ..
            } => f
                .debug_struct("OpenAiCompatible")
                .field("base_url", base_url)
                .field("protocol", protocol)
                .field("streams_per_connection", streams_per_connection)
                .finish_non_exhaustive(),
            ProviderKind::Embedded { model_path } => f
                .debug_struct("Embedded")
                .field("model_path", model_path)
                .finish(),
        }
    }
}

/// Settings that apply to every provider unless a provider sets its own.
pub struct ProviderDefaults {
    pub timeouts: Timeouts,
    pub local_model_path: PathBuf,
}

/// Base URL, label and default model of providers people name most, so `PROVIDERS=openai` plus a key is enough.
fn well_known(name: &str) -> Option<(&'static str, &'static str, Option<&'static str>)> {
    Some(match name {
        "openai" => ("https://api.openai.com/v1", "OpenAI", Some("gpt-4o-mini")),
        "groq" => ("https://api.groq.com/openai/v1", "Groq", None),
        "gemini" => (
            "https://generativelanguage.googleapis.com/v1beta/openai",
            "Gemini",
            None,
        ),
        "anthropic" => ("https://api.anthropic.com/v1", "Claude", None),
        "mistral" => ("https://api.mistral.ai/v1", "Mistral", None),
        "openrouter" => ("https://openrouter.ai/api/v1", "OpenRouter", None),
        "ollama" => ("http://127.0.0.1:11434/v1", "Ollama", None),
        _ => return None,
    })
}

/// Parses `PROVIDERS` and each provider's variables, looked up through `env`. Errors name the variable to fix.
pub fn parse(
    list: &str,
    env: &dyn Fn(&str) -> Option<String>,
    defaults: &ProviderDefaults,
) -> Result<Vec<ProviderSpec>, String> {
    let mut specs: Vec<ProviderSpec> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let valid = name.len() <= 32
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(format!(
                "PROVIDERS: {name:?} is not a valid provider name (lowercase letters, digits, - and _, at most 32)"
            ));
        }
        if specs.iter().any(|s| s.name == name) {
            return Err(format!("PROVIDERS lists {name:?} twice"));
        }
        specs.push(parse_one(name, env, defaults)?);
    }
    Ok(specs)
}

fn parse_one(
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
    defaults: &ProviderDefaults,
) -> Result<ProviderSpec, String> {
    let prefix = format!("PROVIDER_{}_", name.to_uppercase().replace('-', "_"));
    let var = |suffix: &str| {
        env(&format!("{prefix}{suffix}"))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let secs = |suffix: &str, default: Duration| -> Result<Duration, String> {
        match var(suffix) {
            None => Ok(default),
            Some(value) => match value.parse::<u64>() {
                Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
                _ => Err(format!(
                    "{prefix}{suffix} must be a whole number of seconds above 0, not {value:?}"
                )),
            },
        }
    };
    let timeouts = Timeouts {
        connect: secs("CONNECT_TIMEOUT_SECS", defaults.timeouts.connect)?,
        first_token: secs("FIRST_TOKEN_TIMEOUT_SECS", defaults.timeouts.first_token)?,
        idle: secs("IDLE_TIMEOUT_SECS", defaults.timeouts.idle)?,
    };
    if name == EMBEDDED {
        let model_path = defaults.local_model_path.clone();
        let model = model_path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "local-model".into());
        return Ok(ProviderSpec {
            name: name.into(),
            label: var("LABEL").unwrap_or_else(|| EMBEDDED_LABEL.into()),
            models: vec![model],
            timeouts,
            kind: ProviderKind::Embedded { model_path },
        });
    }

    let known = well_known(name);
    let base_url = var("BASE_URL")
        .or_else(|| known.map(|(url, _, _)| url.to_string()))
        .ok_or_else(|| format!("{prefix}BASE_URL is required for provider {name:?}"))?;
    if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
        return Err(format!(
            "{prefix}BASE_URL must start with http:// or https://"
        ));
    }
    let local = ["://127.0.0.1", "://localhost", "://[::1]"]
        .iter()
        .any(|host| base_url.contains(host));
    let api_key = match var("API_KEY") {
        Some(key) => key,
        // Local servers (Ollama, llama.cpp, vLLM) accept any key.
        None if local => "local".into(),
        None => return Err(format!("{prefix}API_KEY is required for provider {name:?}")),
    };
    let models: Vec<String> = match var("MODELS") {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(String::from)
            .collect(),
        None => known
            .and_then(|(_, _, model)| model)
            .map(|m| vec![m.to_string()])
            .unwrap_or_default(),
    };
    if models.is_empty() {
        return Err(format!(
            "{prefix}MODELS is required for provider {name:?} (comma-separated model names)"
        ));
    }
    let protocol = match var("PROTOCOL") {
        None => Protocol::Auto,
        Some(value) => value
            .parse()
            .map_err(|reason| format!("{prefix}PROTOCOL {reason}"))?,
    };
    let streams_per_connection = match var("STREAMS_PER_CONNECTION") {
        None => DEFAULT_STREAMS_PER_CONNECTION,
        Some(value) => match value.parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => {
                return Err(format!(
                    "{prefix}STREAMS_PER_CONNECTION must be a whole number from 1 to 10000, not {value:?}"
                ))
            }
        },
    };
    Ok(ProviderSpec {
        name: name.into(),
        label: var("LABEL")
            .or_else(|| known.map(|(_, label, _)| label.to_string()))
            .unwrap_or_else(|| name.to_string()),
        models,
        timeouts,
        kind: ProviderKind::OpenAiCompatible {
            base_url,
            api_key,
            protocol,
            streams_per_connection,
        },
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn defaults() -> ProviderDefaults {
        let d = Duration::from_secs(10);
        ProviderDefaults {
            timeouts: Timeouts {
                connect: d,
                first_token: d,
                idle: d,
            },
            local_model_path: PathBuf::from("data/models/SmolLM2-135M-Instruct.Q4_1.gguf"),
        }
    }

    fn parse_with(list: &str, vars: &[(&str, &str)]) -> Result<Vec<ProviderSpec>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(list, &|key| vars.get(key).cloned(), &defaults())
    }

    #[test]
    fn well_known_providers_need_only_a_key() {
        let specs = parse_with(
            "openai, embedded",
            &[("PROVIDER_OPENAI_API_KEY", "sk-test")],
        )
        .unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].models, ["gpt-4o-mini"]);
        assert_eq!(
            specs[0].kind,
            ProviderKind::OpenAiCompatible {
                base_url: "https://api.openai.com/v1".into(),
                api_key: "sk-test".into(),
                protocol: Protocol::Auto,
                streams_per_connection: DEFAULT_STREAMS_PER_CONNECTION,
            }
        );
        assert_eq!(specs[1].label, EMBEDDED_LABEL);
        assert_eq!(specs[1].models, ["SmolLM2-135M-Instruct.Q4_1"]);
    }

    #[test]
    fn custom_providers_and_per_provider_timeouts() {
        let specs = parse_with(
            "my-vllm",
            &[
                ("PROVIDER_MY_VLLM_BASE_URL", "http://127.0.0.1:8000/v1"),
                ("PROVIDER_MY_VLLM_MODELS", "a, b/c ,"),
                ("PROVIDER_MY_VLLM_FIRST_TOKEN_TIMEOUT_SECS", "3"),
                ("PROVIDER_MY_VLLM_PROTOCOL", "http2"),
                ("PROVIDER_MY_VLLM_STREAMS_PER_CONNECTION", "50"),
            ],
        )
        .unwrap();
        assert!(matches!(
            specs[0].kind,
            ProviderKind::OpenAiCompatible {
                protocol: Protocol::Http2,
                streams_per_connection: 50,
                ..
            }
        ));
        assert_eq!(specs[0].models, ["a", "b/c"]);
        assert_eq!(specs[0].timeouts.first_token, Duration::from_secs(3));
        assert_eq!(specs[0].timeouts.idle, Duration::from_secs(10));
        assert_eq!(specs[0].label, "my-vllm");
    }

    #[test]
    fn mistakes_name_the_variable() {
        let error = |list, vars: &[(&str, &str)]| parse_with(list, vars).unwrap_err();
        assert!(error("groq", &[("PROVIDER_GROQ_API_KEY", "k")]).contains("PROVIDER_GROQ_MODELS"));
        assert!(error("openai", &[]).contains("PROVIDER_OPENAI_API_KEY"));
        assert!(error("custom", &[]).contains("PROVIDER_CUSTOM_BASE_URL"));
        assert!(error("Bad Name", &[]).contains("not a valid provider name"));
        assert!(error("ollama,ollama", &[("PROVIDER_OLLAMA_MODELS", "x")]).contains("twice"));
        assert!(error(
            "ollama",
            &[
                ("PROVIDER_OLLAMA_MODELS", "x"),
                ("PROVIDER_OLLAMA_IDLE_TIMEOUT_SECS", "soon")
            ]
        )
        .contains("PROVIDER_OLLAMA_IDLE_TIMEOUT_SECS"));
        let ollama = |var: &str, value: &str| {
            error("ollama", &[("PROVIDER_OLLAMA_MODELS", "x"), (var, value)])
        };
        assert!(ollama("PROVIDER_OLLAMA_PROTOCOL", "h3")
            .contains("PROVIDER_OLLAMA_PROTOCOL must be auto"));
        assert!(ollama("PROVIDER_OLLAMA_STREAMS_PER_CONNECTION", "0")
            .contains("PROVIDER_OLLAMA_STREAMS_PER_CONNECTION must be"));
    }

    #[test]
    fn keys_stay_out_of_debug_output() {
        let specs = parse_with("openai", &[("PROVIDER_OPENAI_API_KEY", "sk-secret")]).unwrap();
        assert!(!format!("{specs:?}").contains("sk-secret"));
    }
}
