//! The server binary: configuration, state, serve. Everything else lives in the library.

use leptos::config::get_configuration;
use tally::server::{
    config::{AdminCommand, Command, Config},
    http::serve::serve,
    state::AppState,
    store,
};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = Config::from_env();
    init_logging(&config.log_format);
    match &config.command {
        Some(Command::Migrate) => return migrate(&config).await,
        Some(Command::Admin(command)) => return admin(&config, command).await,
        None => {}
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

/// `tally admin ...`.
async fn admin(config: &Config, command: &AdminCommand) {
    use tally::server::{
        identity::{accounts, password::PasswordHashing},
        store::accounts::UserRole,
    };
    let AdminCommand::CreateUser {
        username,
        email,
        admin,
    } = command;
    if let Err(error) = std::fs::create_dir_all(&config.data_dir) {
        fail(&format!(
            "cannot create DATA_DIR {}: {error}",
            config.data_dir.display()
        ));
    }
    let store = store::connect(&config.database_url(), &config.database_settings())
        .await
        .unwrap_or_else(|error| fail(&error));
    let password = match std::env::var("TALLY_ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => {
            let password = prompt_password("Password: ");
            if prompt_password("Password again: ") != password {
                fail("the two passwords differ");
            }
            password
        }
    };
    let role = if *admin {
        UserRole::Admin
    } else {
        UserRole::User
    };
    match accounts::create_user(
        store.as_ref(),
        &PasswordHashing::new(1),
        username,
        email,
        &password,
        role,
    )
    .await
    {
        Ok(user) => println!("created {} {} ({})", role.as_str(), user.username, user.id),
        Err(error) => fail(&error),
    }
}

/// Reads a password from the terminal without echoing it (where `stty` can turn echo off).
fn prompt_password(prompt: &str) -> String {
    use std::io::Write;
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    let hidden = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if hidden {
        stty("echo");
        eprintln!();
    }
    if read.is_err() {
        fail("cannot read the password");
    }
    line.trim_end_matches(['\r', '\n']).to_string()
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
