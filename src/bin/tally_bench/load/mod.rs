//! `tally-bench load`: starts the mock OpenAI upstream (set time to first token and token pace) and the release
//! server against it, each as a child process, then drives N guest chats (each: load the sidebar, ask `--turns`
//! questions one after another, reading each whole stream), started together or spread over `--ramp-ms`. Everything
//! listens on 127.0.0.1. Reports the time to first token the server adds over calling the mock directly, how many
//! answers streamed at once, throughput, errors by kind, server RSS at idle and at peak, and the database time per
//! turn (from the server's own log line for each answer).

use std::{
    path::PathBuf,
    process::Stdio,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use clap::Args;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

mod guest;
mod report;

use guest::{run_guest, OpenStreams, TurnResult};
use report::{MockTimes, ServerTimes};

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
        .env("IP_REQUESTS_PER_SECOND", "1000000")
        .env("LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            "warn,tally::server::turn=debug,tally::server::error=error",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the release server starts (build it with cargo leptos build --release)");
    let pid = server.id().expect("server pid");
    let server_times = Arc::new(std::sync::Mutex::new(ServerTimes::default()));
    if let Some(stdout) = server.stdout.take() {
        let server_times = server_times.clone();
        read_json_lines(stdout, move |entry| {
            if entry["level"] == "ERROR" {
                // The server's own account of each failure, for the error table.
                eprintln!("server: {}", entry["fields"]);
            } else if let Ok(mut times) = server_times.lock() {
                times.record(&entry["fields"]);
            }
        });
    }
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

    let peak = Arc::new(AtomicU64::new(rss_idle));
    let peak_files = Arc::new(AtomicU64::new(files_idle));
    let sampler = {
        let (peak, peak_files) = (peak.clone(), peak_files.clone());
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                peak_files.fetch_max(open_files(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let open = Arc::new(OpenStreams::default());
    let mock_pid = mock.id().unwrap_or(0);
    let cpu_before = [
        cpu_secs(pid),
        cpu_secs(mock_pid),
        cpu_secs(std::process::id()),
        database_cpu_secs(),
    ];
    let (probe, probed) =
        probe_direct_during_run(mock_url.clone(), args.upstream_protocol == "http2");
    let started = Instant::now();
    let chats = futures::future::join_all((0..args.chats).map(|n| {
        let base = base.clone();
        let open = open.clone();
        // Guest n starts n/N of the way through the ramp: arrivals spread evenly, not all in one instant.
        let offset = Duration::from_millis(args.ramp_ms) * n as u32 / args.chats.max(1) as u32;
        let turns = args.turns;
        async move {
            tokio::time::sleep(offset).await;
            run_guest(&base, n, turns, &open).await
        }
    }));
    let turns: Vec<TurnResult> =
        match tokio::time::timeout(Duration::from_secs(args.timeout_secs), chats).await {
            Ok(results) => results.into_iter().flatten().collect(),
            Err(_) => {
                eprintln!("the run did not finish within {} s", args.timeout_secs);
                Vec::new()
            }
        };
    let wall = started.elapsed();
    let cpu_after = [
        cpu_secs(pid),
        cpu_secs(mock_pid),
        cpu_secs(std::process::id()),
        database_cpu_secs(),
    ];
    let cpu: Vec<f64> = cpu_after
        .iter()
        .zip(cpu_before)
        .map(|(a, b)| a - b)
        .collect();
    sampler.abort();
    probe.abort();
    let direct_during_run = probed.lock().map(|p| p.clone()).unwrap_or_default();
    let rss_peak = peak.load(Ordering::Relaxed).max(rss_kib(pid));
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&data);

    let server_times = server_times.lock().map(|t| t.clone()).unwrap_or_default();
    let mock_times = mock_times.lock().map(|t| t.clone()).unwrap_or_default();
    report::print(
        &args,
        &report::Measured {
            turns: &turns,
            wall,
            direct,
            direct_during_run: &direct_during_run,
            peak_open_streams: open.peak(),
            rss_idle_kib: rss_idle,
            rss_peak_kib: rss_peak,
            open_files: [files_idle, peak_files.load(Ordering::Relaxed)],
            server_times: &server_times,
            mock_times: &mock_times,
            cpu_secs: [cpu[0], cpu[1], cpu[2], cpu[3]],
        },
    );
}

/// Each answer's time inside the mock, from its request arriving to its first token leaving, by question: the
/// mock's log lines (`--log-timings`). Both processes read the same clock.
fn read_mock_times(stdout: tokio::process::ChildStdout) -> Arc<std::sync::Mutex<MockTimes>> {
    let times = Arc::new(std::sync::Mutex::new(MockTimes::new()));
    let filled = times.clone();
    read_json_lines(stdout, move |entry| {
        let (Some(question), Some(received), Some(first_token)) = (
            entry["question"].as_str(),
            entry["received_us"].as_u64(),
            entry["first_token_us"].as_u64(),
        ) else {
            return;
        };
        let own = Duration::from_micros(first_token.saturating_sub(received));
        if let Ok(mut times) = filled.lock() {
            times.insert(question.to_string(), own);
        }
    });
    times
}

/// Hands each line of a child's output that is JSON to `on_entry`, until the output ends; other lines are skipped.
fn read_json_lines(
    output: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    mut on_entry: impl FnMut(Value) + Send + 'static,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(output).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Ok(entry) = serde_json::from_str::<Value>(&line) {
                on_entry(entry);
            }
        }
    });
}

/// The mock's own time to first token, called directly over the protocol the server uses: the floor the server's
/// figure is compared with.
async fn direct_ttft(base_url: &str, http2: bool, samples: usize) -> Duration {
    let client = direct_client(http2);
    let mut times = Vec::new();
    for _ in 0..samples {
        times.extend(direct_call(&client, base_url).await);
    }
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Calls the mock directly, one call at a time, for as long as the run lasts: the mock's own time to first token
/// while it serves the load, to tell the server's share of the tail from the mock's and the machine's.
fn probe_direct_during_run(
    base_url: String,
    http2: bool,
) -> (
    tokio::task::JoinHandle<()>,
    Arc<std::sync::Mutex<Vec<Duration>>>,
) {
    let samples = Arc::new(std::sync::Mutex::new(Vec::new()));
    let task = {
        let samples = samples.clone();
        tokio::spawn(async move {
            let client = direct_client(http2);
            loop {
                if let Some(ttft) = direct_call(&client, &base_url).await {
                    if let Ok(mut samples) = samples.lock() {
                        samples.push(ttft);
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    (task, samples)
}

fn direct_client(http2: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder();
    let builder = if http2 {
        builder.http2_prior_knowledge()
    } else {
        builder.http1_only()
    };
    builder.build().expect("HTTP client")
}

/// One streamed call to the mock; its time to the first token.
async fn direct_call(client: &reqwest::Client, base_url: &str) -> Option<Duration> {
    let started = Instant::now();
    let body = json!({"model": "mock-model", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
    let response = client
        .post(format!("{base_url}/chat/completions"))
        .json(&body)
        .send()
        .await
        .ok()?;
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        if String::from_utf8_lossy(&chunk).contains("\"content\"") {
            return Some(started.elapsed());
        }
    }
    None
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// File descriptors a process holds (sockets included).
fn open_files(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| entries.count() as u64)
        .unwrap_or(0)
}

/// CPU time of the local PostgreSQL server's processes (0 on SQLite, which runs inside the server): on 2 shared
/// cores it competes with the server, so it belongs in the run's CPU budget. Backends that exit during the run take
/// their time with them; the server's pool keeps its connections, so that is little.
fn database_cpu_secs() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(cpu_secs)
        .sum()
}

/// CPU time (user + system) a process has used so far, from /proc/<pid>/stat (in clock ticks of 1/100 s).
fn cpu_secs(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}
