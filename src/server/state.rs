//! The application state every handler and server function shares: one `Arc`, cheap to clone.

use std::{collections::HashMap, ops::Deref, path::Path, sync::Arc, sync::Mutex};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use super::{
    chat::{turn::Checkpoints, usage::Prices, Chat, ChatParts, ChatSettings},
    config::Config,
    identity::{
        accounts::Accounts,
        api::ApiAccess,
        guest::CookieSigner,
        human_check::ProofOfWork,
        limits::{InProcessCounters, Limits},
        password::PasswordHashing,
        session::Sessions,
        throttle::AttemptThrottle,
    },
    llm::{
        connections::ConnectionSettings,
        provider_config::{ProviderKind, ProviderSpec},
        Catalog, ChatProvider, OpenAiCompatible, ProviderEntry,
    },
    store::{self, DatabaseKind, DatabaseSettings, Store},
    tax::Tax,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    /// The configured providers in fallback order; empty when none is, and turns then fail with a clear message.
    pub catalog: Arc<Catalog>,
    pub cookie_signer: CookieSigner,
    pub sessions: Sessions,
    /// Sign-up, sign-in, sessions and account changes.
    pub accounts: Accounts,
    /// The public API's sessions, access tokens and API keys.
    pub api_access: ApiAccess,
    /// The knowledge base and calculators (also inside `chat`), for the calculators' endpoint.
    pub tax: Arc<Tax>,
    /// The chat turn and conversations, built from the handles above.
    pub chat: Chat,
    /// Cancelled on shutdown; every turn's token is a child of it.
    pub shutdown: CancellationToken,
    /// Answer tasks, so shutdown can wait until each has stored its final state.
    pub tasks: TaskTracker,
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Chat {
    fn from_ref(state: &AppState) -> Self {
        state.chat.clone()
    }
}

impl FromRef<AppState> for CookieSigner {
    fn from_ref(state: &AppState) -> Self {
        state.cookie_signer.clone()
    }
}

impl AppState {
    /// Opens the database, recovers answers a crash left streaming, and wires the configured provider.
    pub async fn build(config: Config, leptos_options: LeptosOptions) -> Result<Self, String> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("cannot create DATA_DIR {}: {e}", config.data_dir.display()))?;
        let url = config.database_url();
        let settings = config.database_settings();
        let store = store::connect(&url, &settings).await?;
        log_database(&url, &settings, store.as_ref()).await;
        let catalog = build_catalog(&config)?;
        check_tier_models(&config, &catalog)?;
        Self::with_parts(config, leptos_options, store, catalog).await
    }

    /// Assembles the state from already-built parts (tests swap the provider here).
    pub async fn with_parts(
        config: Config,
        leptos_options: LeptosOptions,
        store: Arc<dyn Store>,
        catalog: Catalog,
    ) -> Result<Self, String> {
        let recovered = store
            .interrupt_abandoned_answers()
            .await
            .map_err(|e| format!("cannot recover unfinished answers: {e}"))?;
        if recovered > 0 {
            tracing::warn!(
                recovered,
                "answers left streaming by an earlier run are now marked interrupted"
            );
        }
        let secret = session_secret(&config)?;
        let catalog = Arc::new(catalog);
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let tax =
            Arc::new(Tax::load().map_err(|e| format!("the tax knowledge base is invalid: {e}"))?);
        tracing::info!(
            passages = tax.index.passages().len(),
            "tax knowledge base loaded"
        );
        let (guest, user, admin) = config.tier_limits();
        let limits = Arc::new(Limits::new(
            guest,
            user,
            admin,
            Arc::new(InProcessCounters::default()),
        ));
        limits
            .load_daily(store.as_ref())
            .await
            .map_err(|e| format!("cannot read the tier limits: {e}"))?;
        let sessions = Sessions::new(config.cookies_secure());
        let accounts = Accounts {
            store: store.clone(),
            // Two at once: each takes 19 MiB and a core for about 30 ms.
            passwords: PasswordHashing::new(2),
            sessions: sessions.clone(),
            human_check: Arc::new(ProofOfWork::new(&secret, config.human_check_max_number)),
            sign_in_attempts: AttemptThrottle::new(config.sign_in_failures_allowed),
            sign_in_attempts_by_ip: AttemptThrottle::new(
                config.sign_in_failures_allowed * crate::server::identity::accounts::IP_FACTOR,
            ),
            sign_up_attempts: AttemptThrottle::new(config.sign_ups_per_ip),
        };
        let chat = Chat::new(ChatParts {
            tax: tax.clone(),
            store: store.clone(),
            catalog: catalog.clone(),
            limits: limits.clone(),
            prices: Prices::parse(&config.model_prices)?,
            checkpoints: Checkpoints::default(),
            provider_health: Default::default(),
            active_turns: Mutex::new(HashMap::new()),
            shutdown: shutdown.clone(),
            tasks: tasks.clone(),
            settings: ChatSettings {
                max_answer_tokens: config.max_answer_tokens,
                checkpoint_interval: config.checkpoint_interval(),
                answer_grace: std::time::Duration::from_secs(config.answer_grace_secs),
            },
        });
        Ok(AppState(Arc::new(Inner {
            cookie_signer: CookieSigner::new(&secret, config.cookies_secure()),
            sessions,
            accounts,
            api_access: ApiAccess::new(
                store.clone(),
                &secret,
                i64::try_from(config.access_token_ttl_secs).unwrap_or(i64::MAX),
            ),
            chat,
            tax,
            shutdown,
            tasks,
            config,
            leptos_options,
            store,
            catalog,
        })))
    }
}

/// GUEST_MODELS and USER_MODELS may only name configured models: a typo would silently leave a tier no model.
fn check_tier_models(config: &Config, catalog: &Catalog) -> Result<(), String> {
    let (guest, user, _) = config.tier_limits();
    for (variable, models) in [("GUEST_MODELS", guest.models), ("USER_MODELS", user.models)] {
        if let Some(unknown) = models.iter().find(|key| !catalog.contains(key)) {
            return Err(format!(
                "{variable} names {unknown:?}, which is not a configured model (use provider/model keys of PROVIDERS, e.g. openai/gpt-4o-mini)"
            ));
        }
    }
    Ok(())
}

/// Says at start which database this is, how it is pooled, and that it answers.
async fn log_database(url: &str, settings: &DatabaseSettings, store: &dyn Store) {
    let kind = DatabaseKind::of(url).map_or("unknown", DatabaseKind::name);
    let started = std::time::Instant::now();
    match store.version().await {
        Ok(version) => tracing::info!(
            database = kind,
            version,
            url = %store::redact_url(url),
            max_connections = settings.max_connections,
            min_connections = settings.min_connections,
            acquire_timeout_ms = settings.acquire_timeout.as_millis() as u64,
            statement_timeout_ms = settings.statement_timeout.as_millis() as u64,
            ping_ms = started.elapsed().as_secs_f64() * 1000.0,
            "database ready"
        ),
        Err(error) => {
            tracing::warn!(database = kind, %error, "database opened but did not report its version")
        }
    }
}

/// Builds every configured provider. An embedded model whose file is missing is skipped with a warning when it is
/// only the implicit default (PROVIDERS empty), so the app still starts; when PROVIDERS names it, start-up fails.
fn build_catalog(config: &Config) -> Result<Catalog, String> {
    let mut entries = Vec::new();
    for spec in config.provider_specs()? {
        if let ProviderKind::Embedded { model_path } = &spec.kind {
            if !model_path.is_file() {
                let message = format!(
                    "the offline model file {} is missing: run scripts/setup.sh to download it, or set LOCAL_MODEL_PATH",
                    model_path.display()
                );
                if config.providers.trim().is_empty() {
                    tracing::warn!(
                        "{message}; questions will be answered with an error until it is there"
                    );
                    continue;
                }
                return Err(message);
            }
        }
        let entry = build_provider(config, spec)?;
        tracing::info!(provider = %entry.name, models = ?entry.models, first_token_timeout_secs = entry.timeouts.first_token.as_secs(), "provider configured");
        entries.push(entry);
    }
    Ok(Catalog::new(entries))
}

fn build_provider(config: &Config, spec: ProviderSpec) -> Result<ProviderEntry, String> {
    let (provider, offline): (Arc<dyn ChatProvider>, bool) = match spec.kind {
        ProviderKind::OpenAiCompatible {
            base_url,
            api_key,
            protocol,
            streams_per_connection,
        } => {
            let settings = ConnectionSettings {
                protocol,
                streams_per_connection,
                connect_timeout: spec.timeouts.connect,
            };
            tracing::info!(provider = %spec.name, ?protocol, streams_per_connection, "provider connections");
            (
                Arc::new(OpenAiCompatible::new(&base_url, &api_key, settings)),
                false,
            )
        }
        ProviderKind::Embedded { model_path } => (embedded_provider(config, model_path)?, true),
    };
    Ok(ProviderEntry {
        name: spec.name,
        label: spec.label,
        models: spec.models,
        provider,
        timeouts: spec.timeouts,
        offline,
    })
}

#[cfg(feature = "embedded-model")]
fn embedded_provider(
    config: &Config,
    model_path: std::path::PathBuf,
) -> Result<Arc<dyn ChatProvider>, String> {
    use super::llm::embedded::{EmbeddedModel, EmbeddedSettings};
    let model = EmbeddedModel::start(EmbeddedSettings {
        model_path,
        max_active: config.local_model_max_active,
        queue: config.local_model_queue,
    })
    .map_err(|e| format!("cannot start the embedded model thread: {e}"))?;
    Ok(Arc::new(model))
}

#[cfg(not(feature = "embedded-model"))]
fn embedded_provider(
    _config: &Config,
    _model_path: std::path::PathBuf,
) -> Result<Arc<dyn ChatProvider>, String> {
    Err("PROVIDERS names \"embedded\", but this build has no embedded model (feature embedded-model)".into())
}

/// SESSION_SECRET, or a random one generated on first start and kept in DATA_DIR so cookies survive restarts.
fn session_secret(config: &Config) -> Result<Vec<u8>, String> {
    if !config.session_secret.is_empty() {
        return Ok(config.session_secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("session.key");
    load_or_create_secret(&path)
        .map_err(|e| format!("cannot read or create {}: {e}", path.display()))
}

fn load_or_create_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(secret) if secret.len() >= 32 => Ok(secret),
        _ => {
            let secret: [u8; 32] = rand::random();
            write_private(path, &secret)?;
            Ok(secret.to_vec())
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
