//! `tally-bench load`: starts the mock OpenAI upstream (set time to first token and token pace) in this process and
//! the release server as a child process against it, then drives N concurrent guest chats (each: load the sidebar,
//! send a question, read the whole stream). Everything listens on 127.0.0.1. Reports the time to first token the
//! server adds over calling the mock directly, throughput, errors by kind, server RSS at idle and at peak, and the
//! database time per turn (from the server's own log line for each answer).

use std::{
    collections::BTreeMap,
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
use tally::{
    model::{EventLineReader, TurnEvent},
    server::mock_upstream::{MockConfig, MockUpstream},
};
use tokio::io::{AsyncBufReadExt, BufReader};

#[derive(Args)]
pub struct LoadArgs {
    /// Concurrent guest chats.
    #[arg(long, default_value_t = 100)]
    chats: usize,
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
    #[arg(long, default_value_t = 3400)]
    port: u16,
    /// Give up on the run after this long.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    #[arg(long, default_value_t = 16)]
    database_max_connections: u32,
}

#[derive(Default)]
struct ChatResult {
    ttft: Option<Duration>,
    tokens: usize,
    error: Option<String>,
}

pub async fn run(args: LoadArgs) {
    let mock = MockUpstream::start(MockConfig {
        first_token_delay: Duration::from_millis(args.ttft_ms),
        token_delay: Duration::from_millis(args.token_ms),
        ..MockConfig::default()
    })
    .await
    .expect("mock upstream");
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
        .env("PROVIDER_MOCK_BASE_URL", mock.base_url())
        .env("PROVIDER_MOCK_API_KEY", "bench")
        .env("PROVIDER_MOCK_MODELS", "mock-model")
        .env("GUEST_MESSAGES_PER_MINUTE", "100000")
        .env("IP_REQUESTS_PER_SECOND", "1000000")
        .env("LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            "warn,tally::server::turn=info,tally::server::error=error",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the release server starts (build it with cargo leptos build --release)");
    let pid = server.id().expect("server pid");
    let db_times = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    if let Some(stdout) = server.stdout.take() {
        let db_times = db_times.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if let Some(ms) = entry["fields"]["db_ms"].as_f64() {
                    db_times.lock().map(|mut t| t.push(ms)).ok();
                } else if entry["level"] == "ERROR" {
                    // The server's own account of each failure, for the error table.
                    eprintln!("server: {}", entry["fields"]);
                }
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
    let rss_idle = rss_kib(pid);
    let direct = direct_ttft(&mock.base_url(), 20).await;

    let peak = Arc::new(AtomicU64::new(rss_idle));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let started = Instant::now();
    let chats = futures::future::join_all((0..args.chats).map(|n| {
        let base = base.clone();
        async move { chat(&base, n).await }
    }));
    let results = match tokio::time::timeout(Duration::from_secs(args.timeout_secs), chats).await {
        Ok(results) => results,
        Err(_) => {
            eprintln!("the run did not finish within {} s", args.timeout_secs);
            Vec::new()
        }
    };
    let wall = started.elapsed();
    sampler.abort();
    let rss_peak = peak.load(Ordering::Relaxed).max(rss_kib(pid));
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&data);

    report(
        &args,
        &results,
        wall,
        direct,
        rss_idle,
        rss_peak,
        &db_times.lock().map(|t| t.clone()).unwrap_or_default(),
    );
}

/// One guest: load the sidebar, ask, read the whole answer.
async fn chat(base: &str, n: usize) -> ChatResult {
    let mut result = ChatResult::default();
    let client = match reqwest::Client::builder().cookie_store(true).build() {
        Ok(client) => client,
        Err(e) => {
            result.error = Some(format!("client: {e}"));
            return result;
        }
    };
    match client
        .post(format!("{base}/api/conversations/list"))
        .form(&[("archived", "false")])
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => {
            result.error = Some(format!("list HTTP {}", r.status().as_u16()));
            return result;
        }
        Err(e) => {
            result.error = Some(format!("list: {}", kind(&e)));
            return result;
        }
    }
    let sent = Instant::now();
    let body = json!({"request": {"conversation_id": null, "content": format!("Load test question {n}: quarterly estimates?")}});
    let response = match client
        .post(format!("{base}/api/chat/send"))
        .json(&body)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            result.error = Some(format!("send HTTP {}", r.status().as_u16()));
            return result;
        }
        Err(e) => {
            result.error = Some(format!("send: {}", kind(&e)));
            return result;
        }
    };
    let mut reader = EventLineReader::default();
    let mut stream = response.bytes_stream();
    let mut finished = false;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            result.error = Some("stream broken".into());
            return result;
        };
        for event in reader.push(&String::from_utf8_lossy(&chunk)) {
            match event {
                Ok(TurnEvent::Token { .. }) => {
                    result.ttft.get_or_insert_with(|| sent.elapsed());
                    result.tokens += 1;
                }
                Ok(TurnEvent::Finished {
                    error: Some(error), ..
                }) => {
                    result.error = Some(format!("answer failed: {}", error.code));
                }
                Ok(TurnEvent::Finished { .. }) => finished = true,
                Ok(_) => {}
                Err(_) => result.error = Some("unreadable event".into()),
            }
        }
    }
    if !finished && result.error.is_none() {
        result.error = Some("stream ended without an answer".into());
    }
    result
}

fn kind(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "connect"
    } else if error.is_timeout() {
        "timeout"
    } else {
        "request"
    }
}

/// The mock's own time to first token, called directly: the floor the server's figure is compared with.
async fn direct_ttft(base_url: &str, samples: usize) -> Duration {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for _ in 0..samples {
        let started = Instant::now();
        let body = json!({"model": "mock-model", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
        let Ok(response) = client
            .post(format!("{base_url}/chat/completions"))
            .json(&body)
            .send()
            .await
        else {
            continue;
        };
        let mut stream = response.bytes_stream();
        while let Some(Ok(chunk)) = stream.next().await {
            if String::from_utf8_lossy(&chunk).contains("\"content\"") {
                times.push(started.elapsed());
                break;
            }
        }
    }
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(
    args: &LoadArgs,
    results: &[ChatResult],
    wall: Duration,
    direct: Duration,
    rss_idle: u64,
    rss_peak: u64,
    db_times: &[f64],
) {
    let direct_ms = direct.as_secs_f64() * 1000.0;
    let mut added: Vec<f64> = results
        .iter()
        .filter_map(|r| r.ttft)
        .map(|t| t.as_secs_f64() * 1000.0 - direct_ms)
        .collect();
    added.sort_by(f64::total_cmp);
    let mut errors: BTreeMap<&str, usize> = BTreeMap::new();
    for result in results {
        if let Some(error) = &result.error {
            *errors.entry(error.as_str()).or_default() += 1;
        }
    }
    let ok = results.iter().filter(|r| r.error.is_none()).count();
    let tokens: usize = results.iter().map(|r| r.tokens).sum();
    let mut db: Vec<f64> = db_times.to_vec();
    db.sort_by(f64::total_cmp);
    let database = if args.database_url.is_empty() {
        "SQLite (fresh file)"
    } else {
        "PostgreSQL"
    };
    println!("# tally-bench load");
    println!(
        "chats {} | {database} | mock TTFT {} ms, {} ms/token | server {} | DB pool {}",
        args.chats,
        args.ttft_ms,
        args.token_ms,
        args.server.display(),
        args.database_max_connections
    );
    println!("mock TTFT called directly (median of 20): {direct_ms:.1} ms");
    println!(
        "added TTFT over direct: p50 {:.1} ms | p95 {:.1} ms | p99 {:.1} ms | max {:.1} ms",
        percentile(&added, 0.5),
        percentile(&added, 0.95),
        percentile(&added, 0.99),
        added.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "completed {ok}/{} chats in {:.1} s: {:.1} chats/s, {:.0} tokens/s streamed",
        args.chats,
        wall.as_secs_f64(),
        ok as f64 / wall.as_secs_f64(),
        tokens as f64 / wall.as_secs_f64()
    );
    println!(
        "errors: {}",
        if errors.is_empty() {
            "none".to_string()
        } else {
            format!("{errors:?}")
        }
    );
    println!(
        "server RSS: idle {:.1} MiB, peak {:.1} MiB",
        rss_idle as f64 / 1024.0,
        rss_peak as f64 / 1024.0
    );
    println!(
        "DB time per turn ({} turns): mean {:.2} ms | p50 {:.2} ms | p95 {:.2} ms | p99 {:.2} ms",
        db.len(),
        db.iter().sum::<f64>() / db.len().max(1) as f64,
        percentile(&db, 0.5),
        percentile(&db, 0.95),
        percentile(&db, 0.99)
    );
}
