//! One simulated integration on the OpenAI-compatible endpoint: an OpenAI SDK with a Tally API key asks its
//! questions one after another with `stream: true`, sending the conversation so far each time, as such clients do.

use std::time::Instant;

use futures::StreamExt;
use serde_json::{json, Value};

use super::guest::{failed, kind, OpenStreams, TurnResult};

/// Signs up one account through the REST API and makes it a key with the `chat` scope: what every API client of
/// the run sends as its bearer token.
pub async fn make_api_key(base: &str) -> Result<String, String> {
    let http = reqwest::Client::new();
    let suffix = std::process::id();
    let registered: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({
            "username": format!("bench_{suffix}"),
            "email": format!("bench{suffix}@example.com"),
            "password": "Quarterly2026bench",
        }))
        .send()
        .await
        .map_err(|e| format!("register: {e}"))?
        .json()
        .await
        .map_err(|e| format!("register: {e}"))?;
    let access = registered["access_token"]
        .as_str()
        .ok_or_else(|| format!("register answered {registered}"))?;
    let made: Value = http
        .post(format!("{base}/api/v1/keys"))
        .bearer_auth(access)
        .json(&json!({"name": "load bench", "scopes": ["chat"], "record": true}))
        .send()
        .await
        .map_err(|e| format!("create key: {e}"))?
        .json()
        .await
        .map_err(|e| format!("create key: {e}"))?;
    made["key"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("create key answered {made}"))
}

/// Runs client `n`: `turns` questions, each sent with the questions and answers before it.
pub async fn run_api_client(
    base: &str,
    key: &str,
    n: usize,
    turns: usize,
    open: &OpenStreams,
) -> Vec<TurnResult> {
    let client = match reqwest::Client::builder().build() {
        Ok(client) => client,
        Err(e) => return vec![failed(format!("client: {e}"))],
    };
    let mut messages: Vec<Value> = Vec::new();
    let mut results = Vec::with_capacity(turns);
    for turn in 0..turns {
        let question = format!("API load test question {n}.{turn}: quarterly estimates?");
        messages.push(json!({"role": "user", "content": question}));
        let (result, answer) = ask(&client, base, key, &messages, open).await;
        messages.push(json!({"role": "assistant", "content": answer}));
        let stop = result.error.is_some();
        results.push(TurnResult {
            index: turn,
            question,
            ..result
        });
        if stop {
            break;
        }
    }
    results
}

async fn ask(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    messages: &[Value],
    open: &OpenStreams,
) -> (TurnResult, String) {
    let sent = Instant::now();
    let body = json!({
        "model": "tally-tax",
        "messages": messages,
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    let response = match client
        .post(format!("{base}/v1/chat/completions"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            return (
                failed(format!("completions HTTP {}", r.status().as_u16())),
                String::new(),
            )
        }
        Err(e) => return (failed(format!("completions: {}", kind(&e))), String::new()),
    };
    open.opened();
    let read = read_chunks(response, sent).await;
    open.closed();
    read
}

/// Reads the Server-Sent Events to `[DONE]`: the first non-empty content delta is the first token.
async fn read_chunks(response: reqwest::Response, sent: Instant) -> (TurnResult, String) {
    let mut result = TurnResult::default();
    let mut answer = String::new();
    let mut pending = String::new();
    let mut done = false;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            result.error = Some("stream broken".into());
            return (result, answer);
        };
        pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            let Some(data) = event.trim_end().strip_prefix("data: ") else {
                continue;
            };
            if data == "[DONE]" {
                done = true;
                continue;
            }
            let Ok(value) = serde_json::from_str::<Value>(data) else {
                result.error = Some("unreadable chunk".into());
                continue;
            };
            if let Some(code) = value["error"]["code"].as_str() {
                result.error = Some(format!("answer failed: {code}"));
            }
            if let Some(text) = value["choices"][0]["delta"]["content"].as_str() {
                if !text.is_empty() {
                    result.ttft.get_or_insert_with(|| sent.elapsed());
                    result.tokens += 1;
                    answer.push_str(text);
                }
            }
        }
    }
    if !done && result.error.is_none() {
        result.error = Some("stream ended without [DONE]".into());
    }
    (result, answer)
}
