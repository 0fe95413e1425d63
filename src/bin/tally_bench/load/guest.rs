//! One simulated guest: loads the sidebar once, then asks its questions one after another in one conversation,
//! reading each answer's whole stream, as a person in a browser tab would.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use futures::StreamExt;
use serde_json::json;
use tally::model::{EventLineReader, TurnEvent};

/// One question and its answer, as the guest saw them.
#[derive(Default)]
pub struct TurnResult {
    /// The question's place in its conversation (0: the one that starts it).
    pub index: usize,
    /// The question as sent, which the mock's timing lines are keyed by.
    pub question: String,
    /// From sending the question to the first token arriving.
    pub ttft: Option<Duration>,
    pub tokens: usize,
    pub error: Option<String>,
}

/// Answers being read right now, across all guests, and the most there were at once.
#[derive(Default)]
pub struct OpenStreams {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl OpenStreams {
    pub(super) fn opened(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    pub(super) fn closed(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

/// Runs guest `n`: the sidebar, then `turns` questions. Stops at the first failure, as a person would retry.
pub async fn run_guest(base: &str, n: usize, turns: usize, open: &OpenStreams) -> Vec<TurnResult> {
    let client = match reqwest::Client::builder().cookie_store(true).build() {
        Ok(client) => client,
        Err(e) => return vec![failed(format!("client: {e}"))],
    };
    let sidebar = client
        .post(format!("{base}/api/conversations/list"))
        .form(&[("archived", "false")])
        .send()
        .await;
    match sidebar {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => return vec![failed(format!("list HTTP {}", r.status().as_u16()))],
        Err(e) => return vec![failed(format!("list: {}", kind(&e)))],
    }
    let mut results = Vec::with_capacity(turns);
    let mut conversation_id: Option<String> = None;
    for turn in 0..turns {
        let question = format!("Load test question {n}.{turn}: quarterly estimates?");
        let result = TurnResult {
            index: turn,
            question: question.clone(),
            ..ask(&client, base, &mut conversation_id, &question, open).await
        };
        let stop = result.error.is_some();
        results.push(result);
        if stop {
            break;
        }
    }
    results
}

async fn ask(
    client: &reqwest::Client,
    base: &str,
    conversation_id: &mut Option<String>,
    question: &str,
    open: &OpenStreams,
) -> TurnResult {
    let sent = Instant::now();
    let body = json!({"request": {"conversation_id": conversation_id, "content": question}});
    let response = match client
        .post(format!("{base}/api/chat/send"))
        .json(&body)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => return failed(format!("send HTTP {}", r.status().as_u16())),
        Err(e) => return failed(format!("send: {}", kind(&e))),
    };
    open.opened();
    let result = read_answer(response, sent, conversation_id).await;
    open.closed();
    result
}

async fn read_answer(
    response: reqwest::Response,
    sent: Instant,
    conversation_id: &mut Option<String>,
) -> TurnResult {
    let mut result = TurnResult::default();
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
                Ok(TurnEvent::Started {
                    conversation_id: id,
                    ..
                }) => *conversation_id = Some(id),
                Ok(TurnEvent::Token { .. }) => {
                    result.ttft.get_or_insert_with(|| sent.elapsed());
                    result.tokens += 1;
                }
                Ok(TurnEvent::Finished {
                    error: Some(error), ..
                }) => result.error = Some(format!("answer failed: {}", error.code)),
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

pub(super) fn failed(error: String) -> TurnResult {
    TurnResult {
        error: Some(error),
        ..TurnResult::default()
    }
}

pub(super) fn kind(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "connect"
    } else if error.is_timeout() {
        "timeout"
    } else {
        "request"
    }
}
