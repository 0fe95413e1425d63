//! Configuration: every setting comes from the environment (or flags), is parsed once at start-up, and a bad value
//! stops the server with a message naming the variable. `.env.example` documents each one.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};

use super::{
    chat::usage::Prices,
    identity::limits::TierLimits,
    llm::{
        provider_config::{self, ProviderDefaults, ProviderSpec},
        Timeouts,
    },
    store::{DatabaseKind, DatabaseSettings},
};

#[derive(Clone, Debug, Parser)]
#[command(
    name = "tally",
    version,
    about = "Tally: a chat assistant for freelancers' tax questions"
)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

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

    /// Connections kept open even when idle.
    #[arg(long, env = "DATABASE_MIN_CONNECTIONS", default_value_t = 0)]
    pub database_min_connections: u32,

    /// Seconds a request waits for a free connection before failing.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT_SECS", default_value_t = 5)]
    pub database_acquire_timeout_secs: u64,

    /// Longest a single statement may run, in milliseconds (PostgreSQL statement_timeout; SQLite lock wait).
    #[arg(long, env = "DATABASE_STATEMENT_TIMEOUT_MS", default_value_t = 5000)]
    pub database_statement_timeout_ms: u64,

    /// Secret used to sign guest cookies (at least 32 characters). Empty: generated once and kept in DATA_DIR.
    #[arg(
        long,
        env = "SESSION_SECRET",
        default_value = "",
        hide_env_values = true
    )]
    pub session_secret: String,

    /// Model providers in fallback order, e.g. `groq,openai,embedded`; each is configured by `PROVIDER_<NAME>_*`
    /// variables (see `.env.example`). Empty: the embedded offline model alone.
    #[arg(long, env = "PROVIDERS", default_value = "")]
    pub providers: String,

    /// The GGUF file of the embedded model. Empty: `models/SmolLM2-135M-Instruct.Q4_1.gguf` in DATA_DIR.
    #[arg(long, env = "LOCAL_MODEL_PATH", default_value = "")]
    pub local_model_path: String,

    /// Answers the embedded model writes at the same time (they take turns token by token).
    #[arg(long, env = "LOCAL_MODEL_MAX_ACTIVE", default_value_t = 2)]
    pub local_model_max_active: usize,

    /// Questions waiting for the embedded model beyond those; more are turned away as "busy".
    #[arg(long, env = "LOCAL_MODEL_QUEUE", default_value_t = 8)]
    pub local_model_queue: usize,

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

    /// Questions a guest may send per day (UTC).
    #[arg(long, env = "GUEST_MESSAGES_PER_DAY", default_value_t = 20)]
    pub guest_messages_per_day: u32,

    /// Tokens (in and out) a guest's answers may use per day.
    #[arg(long, env = "GUEST_TOKENS_PER_DAY", default_value_t = 100_000)]
    pub guest_tokens_per_day: u64,

    /// Longest question a guest may send, in characters (at most MAX_MESSAGE_CHARS).
    #[arg(long, env = "GUEST_MAX_MESSAGE_CHARS", default_value_t = 2000)]
    pub guest_max_message_chars: usize,

    /// Models a guest may use, as `provider/model` keys separated by commas; empty: every model.
    #[arg(long, env = "GUEST_MODELS", default_value = "")]
    pub guest_models: String,

    /// Tokens of earlier conversation sent with a guest's question (at most CONTEXT_TOKEN_BUDGET).
    #[arg(long, env = "GUEST_CONTEXT_TOKENS", default_value_t = 3000)]
    pub guest_context_tokens: usize,

    /// Questions a signed-in user may send per minute.
    #[arg(long, env = "USER_MESSAGES_PER_MINUTE", default_value_t = 20)]
    pub user_messages_per_minute: u32,

    /// Questions a signed-in user may send per day (UTC).
    #[arg(long, env = "USER_MESSAGES_PER_DAY", default_value_t = 200)]
    pub user_messages_per_day: u32,

    /// Tokens (in and out) a user's answers may use per day.
    #[arg(long, env = "USER_TOKENS_PER_DAY", default_value_t = 2_000_000)]
    pub user_tokens_per_day: u64,

    /// Longest question a user may send, in characters (at most MAX_MESSAGE_CHARS).
    #[arg(long, env = "USER_MAX_MESSAGE_CHARS", default_value_t = 4000)]
    pub user_max_message_chars: usize,

    /// Models a user may use (`provider/model`, comma-separated); empty: every model.
    #[arg(long, env = "USER_MODELS", default_value = "")]
    pub user_models: String,

    /// Tokens of earlier conversation sent with a user's question (at most CONTEXT_TOKEN_BUDGET).
    #[arg(long, env = "USER_CONTEXT_TOKENS", default_value_t = 6000)]
    pub user_context_tokens: usize,

    /// Estimated prices, `provider/model=in/out` in US dollars per million tokens, comma-separated.
    #[arg(long, env = "MODEL_PRICES", default_value = "")]
    pub model_prices: String,

    /// Failed sign-ins allowed per IP address and per account within 15 minutes before each attempt must wait.
    #[arg(long, env = "SIGN_IN_FAILURES_ALLOWED", default_value_t = 5)]
    pub sign_in_failures_allowed: u32,

    /// Accounts one IP address may create within 15 minutes.
    #[arg(long, env = "SIGN_UPS_PER_IP", default_value_t = 5)]
    pub sign_ups_per_ip: u32,

    /// Work of the sign-up proof of work: the secret number is at most this (about 1 s in a browser at 100000).
    #[arg(long, env = "HUMAN_CHECK_MAX_NUMBER", default_value_t = 100_000)]
    pub human_check_max_number: u64,

    /// Requests per second allowed from one IP address across the whole site (burst is 10x).
    #[arg(long, env = "IP_REQUESTS_PER_SECOND", default_value_t = 20)]
    pub ip_requests_per_second: u32,

    /// Milliseconds between checkpoints of a streaming answer into the database.
    #[arg(long, env = "CHECKPOINT_INTERVAL_MS", default_value_t = 1000)]
    pub checkpoint_interval_ms: u64,

    /// Seconds an answer goes on being written with nobody reading it (a reload, a phone between networks); any
    /// browser of its owner that opens the conversation meanwhile picks it up where its text stands.
    #[arg(long, env = "ANSWER_GRACE_SECS", default_value_t = 120)]
    pub answer_grace_secs: u64,

    /// Seconds an access token of the REST API is good for (refresh before it ends).
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub access_token_ttl_secs: u64,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", value_parser = ["pretty", "json"])]
    pub log_format: String,
}

#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations to DATABASE_URL and exit (the server also applies them at start).
    Migrate,
    /// Administration from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Clone, Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account; the password comes from TALLY_ADMIN_PASSWORD or a prompt.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// Make the account an admin (the first admin is made this way).
        #[arg(long)]
        admin: bool,
    },
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
        for (name, value) in [
            ("GUEST_MESSAGES_PER_DAY", self.guest_messages_per_day),
            ("USER_MESSAGES_PER_MINUTE", self.user_messages_per_minute),
            ("USER_MESSAGES_PER_DAY", self.user_messages_per_day),
            ("SIGN_IN_FAILURES_ALLOWED", self.sign_in_failures_allowed),
            ("SIGN_UPS_PER_IP", self.sign_ups_per_ip),
        ] {
            if value == 0 {
                return Err(format!("{name} must be at least 1"));
            }
        }
        Prices::parse(&self.model_prices)?;
        if self.ip_requests_per_second == 0 {
            return Err("IP_REQUESTS_PER_SECOND must be at least 1".into());
        }
        if !self.public_url.starts_with("http://") && !self.public_url.starts_with("https://") {
            return Err("PUBLIC_URL must start with http:// or https://".into());
        }
        if self.database_max_connections == 0 {
            return Err("DATABASE_MAX_CONNECTIONS must be at least 1".into());
        }
        if self.database_min_connections > self.database_max_connections {
            return Err("DATABASE_MIN_CONNECTIONS must not exceed DATABASE_MAX_CONNECTIONS".into());
        }
        if self.database_statement_timeout_ms == 0 {
            return Err("DATABASE_STATEMENT_TIMEOUT_MS must be at least 1".into());
        }
        if DatabaseKind::of(&self.database_url()).is_none() {
            return Err(
                "DATABASE_URL must start with sqlite:// or postgres:// (or be empty)".into(),
            );
        }
        if self.local_model_max_active == 0 {
            return Err("LOCAL_MODEL_MAX_ACTIVE must be at least 1".into());
        }
        self.provider_specs().map(|_| ())
    }

    /// The providers to build, parsed from PROVIDERS and the `PROVIDER_<NAME>_*` variables of the environment.
    pub fn provider_specs(&self) -> Result<Vec<ProviderSpec>, String> {
        provider_config::parse(
            &self.provider_list(),
            &|key| std::env::var(key).ok(),
            &self.provider_defaults(),
        )
    }

    /// PROVIDERS, or the embedded model when it is empty (and compiled in).
    pub fn provider_list(&self) -> String {
        if self.providers.trim().is_empty() && cfg!(feature = "embedded-model") {
            provider_config::EMBEDDED.into()
        } else {
            self.providers.clone()
        }
    }

    pub fn provider_defaults(&self) -> ProviderDefaults {
        ProviderDefaults {
            timeouts: Timeouts {
                connect: Duration::from_secs(self.provider_connect_timeout_secs),
                first_token: Duration::from_secs(self.provider_first_token_timeout_secs),
                idle: Duration::from_secs(self.provider_idle_timeout_secs),
            },
            local_model_path: self.local_model_path(),
        }
    }

    pub fn local_model_path(&self) -> PathBuf {
        if self.local_model_path.trim().is_empty() {
            self.data_dir
                .join("models")
                .join("SmolLM2-135M-Instruct.Q4_1.gguf")
        } else {
            PathBuf::from(&self.local_model_path)
        }
    }

    /// The database to open: DATABASE_URL, or the default SQLite file.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}/tally.db", self.data_dir.display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn database_settings(&self) -> DatabaseSettings {
        DatabaseSettings {
            max_connections: self.database_max_connections,
            min_connections: self.database_min_connections,
            acquire_timeout: Duration::from_secs(self.database_acquire_timeout_secs),
            statement_timeout: Duration::from_millis(self.database_statement_timeout_ms),
        }
    }

    /// The limits of each tier; a tier's longest question and context never exceed the server's own caps.
    pub fn tier_limits(&self) -> (TierLimits, TierLimits, TierLimits) {
        let models = |list: &str| -> Vec<String> {
            list.split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(String::from)
                .collect()
        };
        let guest = TierLimits {
            questions_per_minute: self.guest_messages_per_minute,
            questions_per_day: self.guest_messages_per_day,
            tokens_per_day: self.guest_tokens_per_day,
            max_question_chars: self.guest_max_message_chars.min(self.max_message_chars),
            models: models(&self.guest_models),
            context_tokens: self.guest_context_tokens.min(self.context_token_budget),
        };
        let user = TierLimits {
            questions_per_minute: self.user_messages_per_minute,
            questions_per_day: self.user_messages_per_day,
            tokens_per_day: self.user_tokens_per_day,
            max_question_chars: self.user_max_message_chars.min(self.max_message_chars),
            models: models(&self.user_models),
            context_tokens: self.user_context_tokens.min(self.context_token_budget),
        };
        let admin = TierLimits::unlimited(self.max_message_chars, self.context_token_budget);
        (guest, user, admin)
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
