//! The server binary: configuration, state, serve. Everything else lives in the library.

use leptos::config::get_configuration;
use tally::server::{
    config::{Command, Config},
    http::serve::serve,
    state::AppState,
    store,
};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = Config::from_env();
    init_logging(&config.log_format);
    if let Some(Command::Migrate) = config.command {
        return migrate(&config).await;
    }

    let leptos = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(error) => fail(&format!("cannot read the Leptos configuration: {error}")),
    };
    let addr = config.addr.unwrap_or(leptos.site_addr);
    let state = AppState::build(config.clone(), leptos)
        .await
        .unwrap_or_else(|error| fail(&error));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|error| fail(&format!("cannot listen on {addr} (TALLY_ADDR): {error}")));
    // Each answer holds the browser's socket (and over HTTP/1.1 one to its provider); many systems start processes
    // with a soft limit of 1,024 open files, far below their hard limit.
    let open_files = rlimit::increase_nofile_limit(u64::MAX).ok();
    tracing::info!(
        %addr,
        open_files,
        database = %store::redact_url(&config.database_url()),
        models = ?state.catalog.choices().models.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        "Tally is listening on http://{addr}"
    );
    if let Err(error) = serve(listener, state, shutdown_signal()).await {
        fail(&format!("server error: {error}"));
    }
}

/// `tally migrate`: brings the database schema up to date and exits (the server also does this at start).
async fn migrate(config: &Config) {
    let url = config.database_url();
    if let Err(error) = std::fs::create_dir_all(&config.data_dir) {
        fail(&format!(
            "cannot create DATA_DIR {}: {error}",
            config.data_dir.display()
        ));
    }
    match store::connect(&url, &config.database_settings()).await {
        Ok(_) => println!("{}: the schema is up to date", store::redact_url(&url)),
        Err(error) => fail(&error),
    }
}

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
