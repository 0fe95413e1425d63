//! `tally-bench load`: starts the mock OpenAI upstream (set time to first token and token pace) and the release
//! server against it, each as a child process, then drives N guest chats (each: load the sidebar, ask `--turns`
//! questions one after another, reading each whole stream), started together or spread over `--ramp-ms`. Everything
//! listens on 127.0.0.1. Reports the time to first token the server adds over calling the mock directly and over
//! the mock's own time for each request, how many
//! answers streamed at once, throughput, errors by kind, server RSS at idle and at peak, and the database time per
//! turn (from the server's own log line for each answer).
//!
//! `--target openai` drives the OpenAI-compatible endpoint instead (an API key, `stream: true`), and `--target
//! both` runs the browser's path and then the OpenAI one against the same server and mock, so the two compare
//! within one run.

use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use clap::Args;

mod api_client;
mod child_logs;
mod direct;
mod guest;
mod phase;
pub(crate) mod proc_stats;
mod report;

use api_client::make_api_key;
use child_logs::{read_mock_times, read_server_times};
use direct::direct_ttft;
use phase::Phase;
use proc_stats::{open_files, rss_kib};

#[derive(Args)]
pub struct LoadArgs {
    /// Concurrent guest chats.
    #[arg(long, default_value_t = 100)]
    chats: usize,
    /// Questions each guest asks, one after another in one conversation.
    #[arg(long, default_value_t = 1)]
    turns: usize,
    /// Guests start evenly spread over this many milliseconds (0: all in the same instant).
    #[arg(long, default_value_t = 0)]
    ramp_ms: u64,
    /// DATABASE_URL for the server; empty: a fresh SQLite file. A PostgreSQL database is used as it is.
    #[arg(long, default_value = "")]
    database_url: String,
    /// The mock's time to first token.
    #[arg(long, default_value_t = 200)]
    ttft_ms: u64,
    /// The mock's pause between tokens (20 ms = 50 tokens/s).
    #[arg(long, default_value_t = 20)]
    token_ms: u64,
    /// The release server binary (`cargo leptos build --release` makes it).
    #[arg(long, default_value = "target/release/tally")]
    server: PathBuf,
    /// The mock upstream binary (`cargo build --release --features ssr --bin tally-mock-openai`).
    #[arg(long, default_value = "target/release/tally-mock-openai")]
    mock: PathBuf,
    /// The server's port; the mock listens on the next one.
    #[arg(long, default_value_t = 3400)]
    port: u16,
    /// Give up on the run after this long.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    #[arg(long, default_value_t = 16)]
    database_max_connections: u32,
    /// How the server talks to the mock (PROVIDER_MOCK_PROTOCOL). http2 stands for the hosted providers, which
    /// negotiate HTTP/2 over TLS; http1 for local servers such as Ollama or vLLM.
    #[arg(long, default_value = "http2", value_parser = ["http1", "http2"])]
    upstream_protocol: String,
    /// Which way in the chats use: the browser's (`/api/chat/send` as a guest), the OpenAI-compatible endpoint
    /// (`/v1/chat/completions` with an API key), or both one after the other in the same run.
    #[arg(long, default_value = "browser", value_parser = ["browser", "openai", "both"])]
    target: String,
}

/// The way in one phase of the run drives.
#[derive(Clone, Copy, PartialEq)]
pub enum Target {
    Browser,
    OpenAi,
}

impl Target {
    fn label(self) -> &'static str {
        match self {
            Target::Browser => "browser path (/api/chat/send, guests)",
            Target::OpenAi => "OpenAI-compatible path (/v1/chat/completions, API key)",
        }
    }
}

pub async fn run(args: LoadArgs) {
    let mock_addr = format!("127.0.0.1:{}", args.port + 1);
    // A server left over from an earlier run would silently take this run's traffic.
    for port in [args.port, args.port + 1] {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
            eprintln!("error: port {port} is in use (an earlier run still going?); choose another with --port");
            std::process::exit(2);
        }
    }
    // The mock runs in a process of its own: its sockets and CPU are then counted apart from the bench client's,
    // and each process stays within its own open-file limit.
    let mut mock = tokio::process::Command::new(&args.mock)
        .args(["--addr", &mock_addr])
        .args(["--first-token-delay-ms", &args.ttft_ms.to_string()])
        .args(["--token-delay-ms", &args.token_ms.to_string()])
        .arg("--log-timings")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the mock upstream starts (cargo build --release --features ssr --bin tally-mock-openai)");
    let mock_times = mock.stdout.take().map(read_mock_times).unwrap_or_default();
    let mock_url = format!("http://{mock_addr}/v1");
    let data = std::env::temp_dir().join(format!("tally-bench-{}", std::process::id()));
    std::fs::create_dir_all(&data).expect("data dir");
    let base = format!("http://127.0.0.1:{}", args.port);
    let mut server = tokio::process::Command::new(&args.server)
        .env("LEPTOS_OUTPUT_NAME", "tally")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_ENV", "PROD")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", args.port))
        .env("DATA_DIR", &data)
        .env("DATABASE_URL", &args.database_url)
        .env(
            "DATABASE_MAX_CONNECTIONS",
            args.database_max_connections.to_string(),
        )
        .env("PROVIDERS", "mock")
        .env("PROVIDER_MOCK_BASE_URL", &mock_url)
        .env("PROVIDER_MOCK_API_KEY", "bench")
        .env("PROVIDER_MOCK_MODELS", "mock-model")
        .env("PROVIDER_MOCK_PROTOCOL", &args.upstream_protocol)
        .env("GUEST_MESSAGES_PER_MINUTE", "100000")
        .env("GUEST_MESSAGES_PER_DAY", "100000000")
        .env("GUEST_TOKENS_PER_DAY", "100000000000")
        .env("USER_MESSAGES_PER_MINUTE", "100000")
        .env("USER_MESSAGES_PER_DAY", "100000000")
        .env("USER_TOKENS_PER_DAY", "100000000000")
        .env("IP_REQUESTS_PER_SECOND", "1000000")
        .env("LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            "warn,tally::server::chat::turn=debug,tally::server::error=error",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the release server starts (build it with cargo leptos build --release)");
    let pid = server.id().expect("server pid");
    let server_times = server
        .stdout
        .take()
        .map(read_server_times)
        .unwrap_or_default();
    let http = reqwest::Client::new();
    let ready = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            ready.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One page load so the idle figure includes a rendered page, as in the footprint benchmark.
    let _ = http.get(&base).send().await;
    while tokio::net::TcpStream::connect(&mock_addr).await.is_err() {
        assert!(
            ready.elapsed() < Duration::from_secs(20),
            "the mock upstream did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_idle = rss_kib(pid);
    let files_idle = open_files(pid);
    let direct = direct_ttft(&mock_url, args.upstream_protocol == "http2", 20).await;

    let targets: &[Target] = match args.target.as_str() {
        "openai" => &[Target::OpenAi],
        "both" => &[Target::Browser, Target::OpenAi],
        _ => &[Target::Browser],
    };
    let api_key = if targets.contains(&Target::OpenAi) {
        match make_api_key(&base).await {
            Ok(key) => Some(key),
            Err(e) => {
                eprintln!("error: could not make the API key for the OpenAI target: {e}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let mut phases = Vec::new();
    for &target in targets {
        let phase = Phase {
            target,
            base: &base,
            api_key: api_key.as_deref().unwrap_or_default(),
            mock_url: &mock_url,
            server_pid: pid,
            mock_pid: mock.id().unwrap_or(0),
            server_times: &server_times,
        };
        phases.push(phase.drive(&args, files_idle).await);
    }
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&data);

    let mock_times = mock_times.lock().map(|t| t.clone()).unwrap_or_default();
    let run = report::Run {
        direct,
        rss_idle_kib: rss_idle,
        mock_times: &mock_times,
    };
    report::print_settings(&args, &run);
    for phase in &phases {
        report::print_phase(&args, &run, phase, phases.len() > 1);
    }
    if phases.len() > 1 {
        report::compare(&run, &phases);
    }
}
