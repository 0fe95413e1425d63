//! Configuration: every setting comes from the environment (or flags), is parsed once at start-up, and a bad value
//! stops the server with a message naming the variable. `.env.example` documents each one.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Parser;

#[derive(Clone, Debug, Parser)]
#[command(
    name = "tally",
    version,
    about = "Tally: a chat assistant for freelancers' tax questions"
)]
pub struct Config {
    /// Address to listen on. Unset: LEPTOS_SITE_ADDR (set by cargo-leptos), else 127.0.0.1:3000.
    #[arg(long, env = "TALLY_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Public URL of the site; an https URL makes cookies `Secure`.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,

    /// Where Tally keeps its files (SQLite database, generated secret).
    #[arg(long, env = "DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Database URL; empty means a SQLite file `tally.db` in DATA_DIR.
    #[arg(long, env = "DATABASE_URL", default_value = "")]
    pub database_url: String,

    /// Maximum open database connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub database_max_connections: u32,

    /// Secret used to sign guest cookies (at least 32 characters). Empty: generated once and kept in DATA_DIR.
    #[arg(
        long,
        env = "SESSION_SECRET",
        default_value = "",
        hide_env_values = true
    )]
    pub session_secret: String,

    /// Base URL of an OpenAI-compatible API (OpenAI, Gemini, Anthropic, Groq, Ollama, vLLM ...).
    #[arg(
        long,
        env = "OPENAI_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    pub openai_base_url: String,

    /// API key for that provider. Empty: no hosted provider is configured.
    #[arg(
        long,
        env = "OPENAI_API_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub openai_api_key: String,

    /// Model name sent to the provider.
    #[arg(long, env = "OPENAI_MODEL", default_value = "gpt-4o-mini")]
    pub openai_model: String,

    /// A name for the provider, shown in logs and stored with each answer.
    #[arg(long, env = "OPENAI_PROVIDER_NAME", default_value = "openai")]
    pub openai_provider_name: String,

    /// Seconds allowed to connect to the provider.
    #[arg(long, env = "PROVIDER_CONNECT_TIMEOUT_SECS", default_value_t = 10)]
    pub provider_connect_timeout_secs: u64,

    /// Seconds allowed until the first token arrives.
    #[arg(long, env = "PROVIDER_FIRST_TOKEN_TIMEOUT_SECS", default_value_t = 60)]
    pub provider_first_token_timeout_secs: u64,

    /// Seconds allowed between two tokens before the answer counts as stalled.
    #[arg(long, env = "PROVIDER_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub provider_idle_timeout_secs: u64,

    /// Largest question accepted, in characters.
    #[arg(long, env = "MAX_MESSAGE_CHARS", default_value_t = 4000)]
    pub max_message_chars: usize,

    /// Tokens of earlier conversation sent with each question (newest first, as many as fit).
    #[arg(long, env = "CONTEXT_TOKEN_BUDGET", default_value_t = 6000)]
    pub context_token_budget: usize,

    /// Largest answer requested from the model, in tokens.
    #[arg(long, env = "MAX_ANSWER_TOKENS", default_value_t = 1200)]
    pub max_answer_tokens: u32,

    /// Questions a guest may send per minute.
    #[arg(long, env = "GUEST_MESSAGES_PER_MINUTE", default_value_t = 10)]
    pub guest_messages_per_minute: u32,

    /// Requests per second allowed from one IP address across the whole site (burst is 10x).
    #[arg(long, env = "IP_REQUESTS_PER_SECOND", default_value_t = 20)]
    pub ip_requests_per_second: u32,

    /// Milliseconds between checkpoints of a streaming answer into the database.
    #[arg(long, env = "CHECKPOINT_INTERVAL_MS", default_value_t = 1000)]
    pub checkpoint_interval_ms: u64,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", value_parser = ["pretty", "json"])]
    pub log_format: String,
}

impl Config {
    /// Parses the process environment and arguments, exiting with a clear message on a bad value.
    pub fn from_env() -> Self {
        let config = Config::parse();
        if let Err(message) = config.validate() {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
        config
    }

    /// Checks the rules clap cannot express. The message names the variable to fix.
    pub fn validate(&self) -> Result<(), String> {
        if !self.session_secret.is_empty() && self.session_secret.len() < 32 {
            return Err(
                "SESSION_SECRET must be at least 32 characters (or empty to generate one)".into(),
            );
        }
        if self.max_message_chars == 0 {
            return Err("MAX_MESSAGE_CHARS must be at least 1".into());
        }
        if self.guest_messages_per_minute == 0 {
            return Err("GUEST_MESSAGES_PER_MINUTE must be at least 1".into());
        }
        if self.ip_requests_per_second == 0 {
            return Err("IP_REQUESTS_PER_SECOND must be at least 1".into());
        }
        if !self.public_url.starts_with("http://") && !self.public_url.starts_with("https://") {
            return Err("PUBLIC_URL must start with http:// or https://".into());
        }
        let is_http_url = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        if !self.openai_api_key.is_empty() && !is_http_url(&self.openai_base_url) {
            return Err("OPENAI_BASE_URL must start with http:// or https://".into());
        }
        Ok(())
    }

    /// The database to open: DATABASE_URL, or the default SQLite file.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}/tally.db", self.data_dir.display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn cookies_secure(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn checkpoint_interval(&self) -> Duration {
        Duration::from_millis(self.checkpoint_interval_ms)
    }

    /// A configuration for tests: every default, with the given data directory.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        let mut config = Config::parse_from(["tally"]);
        config.data_dir = data_dir;
        config.session_secret = "test-secret-test-secret-test-secret!".into();
        config
    }
}
