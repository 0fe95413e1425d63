//! The server binary: configuration, state, serve. Everything else lives in the library.

use leptos::config::get_configuration;
use tally::server::{config::Config, serve::serve, state::AppState};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = Config::from_env();
    init_logging(&config.log_format);

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
    tracing::info!(
        %addr,
        database = %redact(&config.database_url()),
        models = ?state.catalog.choices().models.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        "Tally is listening on http://{addr}"
    );
    if let Err(error) = serve(listener, state, shutdown_signal()).await {
        fail(&format!("server error: {error}"));
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

/// Database URLs can carry passwords; logs must not.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_string(),
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
