//! The mock called directly, without the server: the floor the server's time to first token is compared with.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::StreamExt;
use serde_json::json;

/// The mock's own time to first token, called directly over the protocol the server uses: the floor the server's
/// figure is compared with.
pub(super) async fn direct_ttft(base_url: &str, http2: bool, samples: usize) -> Duration {
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
pub(super) fn probe_direct_during_run(
    base_url: String,
    http2: bool,
) -> (tokio::task::JoinHandle<()>, Arc<Mutex<Vec<Duration>>>) {
    let samples = Arc::new(Mutex::new(Vec::new()));
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
