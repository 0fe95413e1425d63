//! A real HTTP server speaking the OpenAI chat-completions streaming protocol, for tests, benchmarks and the browser
//! suite. It answers with a deterministic markdown answer, token by token, with configurable delays and faults, so
//! the real client code (async-openai, reqwest, SSE parsing) is exercised end to end.
//!
//! Faults can be set for every request or asked for by a directive in the last user message:
//! `[mock:status-500]`, `[mock:status-429]`, `[mock:drop-after-N]`, `[mock:malformed-after-N]`, `[mock:hang]`,
//! `[mock:slow]`, `[mock:no-usage]`, `[mock:xss]`, `[mock:short]` (a one-line answer, for filling histories).
//!
//! Follow-up requests (recognised by their instructions) get three questions about the original question's topic;
//! `[mock:follow-ups-garbage]` in that question makes them unusable and `[mock:follow-ups-fail]` makes them fail.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, SystemTime},
};

use axum::{
    body::{Body, Bytes},
    extract::{ConnectInfo, State},
    http::{StatusCode, Version},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use futures::StreamExt;
use serde_json::{json, Value};

mod grounded;
mod plan;

use self::plan::{plan, Plan, FOLLOW_UP_MARKER, REWRITE_MARKER, TITLE_MARKER};

#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this HTTP status before streaming anything.
    Status(u16),
    /// Break the connection after this many tokens.
    DropAfter(usize),
    /// Send an unparseable chunk after this many tokens.
    MalformedAfter(usize),
    /// Accept the request and never send a token.
    Hang,
}

#[derive(Clone, Debug)]
pub struct MockConfig {
    pub first_token_delay: Duration,
    pub token_delay: Duration,
    /// Token delay when the question says `[mock:slow]`.
    pub slow_token_delay: Duration,
    pub include_usage: bool,
    pub fault: Option<Fault>,
    /// Print one JSON line per answer to stdout: its question, when its request arrived and when its first token
    /// left (microseconds since the Unix epoch). A load benchmark on the same machine takes the mock's own time
    /// out of each answer's time to first token with them.
    pub log_timings: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            first_token_delay: Duration::from_millis(20),
            token_delay: Duration::from_millis(5),
            slow_token_delay: Duration::from_millis(150),
            include_usage: true,
            fault: None,
            log_timings: false,
        }
    }
}

/// How a request reached the mock: which connection (the client's address) and which HTTP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub peer: SocketAddr,
    pub version: Version,
}

#[derive(Clone, Default)]
struct Received {
    bodies: Arc<Mutex<Vec<Value>>>,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    /// Answers being streamed now; one leaves when it ends or its client goes away.
    open_streams: Arc<AtomicUsize>,
}

/// Counts an answer stream as open for as long as it lives.
struct OpenStream(Arc<AtomicUsize>);

impl OpenStream {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        OpenStream(count.clone())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Clone)]
struct MockState {
    config: MockConfig,
    received: Received,
}

/// A running mock upstream; stops when dropped.
pub struct MockUpstream {
    pub addr: SocketAddr,
    received: Received,
    task: tokio::task::JoinHandle<()>,
}

impl MockUpstream {
    /// Starts on 127.0.0.1 with an ephemeral port.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0".parse().expect("valid address"), config).await
    }

    pub async fn start_on(addr: SocketAddr, config: MockConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let received = Received::default();
        let app = router(MockState {
            config,
            received: received.clone(),
        });
        let task = tokio::spawn(async move {
            if let Err(error) = serve(listener, app).await {
                tracing::error!(%error, "mock upstream stopped");
            }
        });
        Ok(MockUpstream {
            addr,
            received,
            task,
        })
    }

    /// The base URL to configure as OPENAI_BASE_URL.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request body received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.received
            .bodies
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// The connection and HTTP version of every request received so far.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.received
            .arrivals
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default()
    }

    /// Answers the mock is streaming now: each ends when the answer is done or its client dropped the request.
    pub fn open_streams(&self) -> usize {
        self.received.open_streams.load(Ordering::SeqCst)
    }

    /// The requests for answers, without the follow-up and title requests that come after an answer.
    pub fn answer_requests(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|body| {
                !body["messages"][0]["content"].as_str().is_some_and(|c| {
                    c.starts_with(FOLLOW_UP_MARKER)
                        || c.starts_with(TITLE_MARKER)
                        || c.starts_with(REWRITE_MARKER)
                })
            })
            .collect()
    }

    /// The search-query rewrite requests received so far, oldest first.
    pub fn rewrite_requests(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|body| {
                body["messages"][0]["content"]
                    .as_str()
                    .is_some_and(|c| c.starts_with(REWRITE_MARKER))
            })
            .collect()
    }
}

impl Drop for MockUpstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the mock on `listener` (HTTP/1.1, and HTTP/2 with prior knowledge) until it fails.
pub async fn serve_for_binary(
    listener: tokio::net::TcpListener,
    config: MockConfig,
) -> std::io::Result<()> {
    let app = router(MockState {
        config,
        received: Received::default(),
    });
    serve(listener, app).await
}

async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // As a hosted provider does: without it, Nagle's algorithm holds back each small token frame on a connection
    // shared by many answers until the previous one is acknowledged (up to the peer's 40 ms delayed ACK).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

fn router(state: MockState) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(state)
}

fn chunk(content: Option<&str>, finish: Option<&str>) -> String {
    let delta = match content {
        Some(text) => json!({"role": "assistant", "content": text}),
        None => json!({}),
    };
    let body = json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": "mock-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    format!("data: {body}\n\n")
}

async fn completions(
    State(state): State<MockState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    version: Version,
    Json(body): Json<Value>,
) -> Response {
    let received = SystemTime::now();
    if let Ok(mut bodies) = state.received.bodies.lock() {
        bodies.push(body.clone());
    }
    if let Ok(mut arrivals) = state.received.arrivals.lock() {
        arrivals.push(Arrival { peer, version });
    }
    let plan = plan(&state.config, &body);
    if let Some(Fault::Status(status)) = plan.fault {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let error = json!({"error": {"message": "mock upstream failure", "type": "server_error", "param": null,
            "code": null}});
        return (status, Json(error)).into_response();
    }
    let first_delay = state.config.first_token_delay;
    let open = OpenStream::new(&state.received.open_streams);
    let timing = state.config.log_timings.then_some(received);
    let events = async_stream(plan, first_delay, timing).map(move |frame| {
        let _counted = &open;
        frame
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(events))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

type Frame = Result<Bytes, std::io::Error>;

/// One answer's line for `MockConfig::log_timings`.
fn log_timing(question: &str, received: SystemTime, first_token: SystemTime) {
    let micros = |at: SystemTime| {
        at.duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0)
    };
    let line = json!({"question": question, "received_us": micros(received), "first_token_us": micros(first_token)});
    println!("{line}");
}

fn async_stream(
    plan: Plan,
    first_delay: Duration,
    received: Option<SystemTime>,
) -> impl futures::Stream<Item = Frame> + Send {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Frame>(16);
    tokio::spawn(async move {
        let send = |frame: Frame| {
            let sender = sender.clone();
            async move { sender.send(frame).await.is_ok() }
        };
        tokio::time::sleep(first_delay).await;
        if plan.fault == Some(Fault::Hang) {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        if let Some((name, arguments)) = &plan.tool_call {
            // In two pieces, as providers stream them: the id and name first, the arguments after.
            let (head, tail) = arguments.split_at(arguments.len() / 2);
            for delta in [
                json!({"tool_calls": [{"index": 0, "id": "call_mock_1", "type": "function",
                    "function": {"name": name, "arguments": head}}]}),
                json!({"tool_calls": [{"index": 0, "function": {"arguments": tail}}]}),
            ] {
                let body = json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000,
                    "model": "mock-model", "choices": [{"index": 0, "delta": delta, "finish_reason": null}]});
                if !send(Ok(Bytes::from(format!("data: {body}\n\n")))).await {
                    return;
                }
            }
            let _ = send(Ok(Bytes::from(chunk(None, Some("tool_calls"))))).await;
            let _ = send(Ok(Bytes::from("data: [DONE]\n\n"))).await;
            return;
        }
        let total = plan.tokens.len();
        for (index, token) in plan.tokens.iter().enumerate() {
            match plan.fault {
                Some(Fault::DropAfter(n)) if index == n => {
                    // Let the tokens already sent leave the socket before the connection is torn down.
                    tokio::time::sleep(plan.token_delay.max(Duration::from_millis(50))).await;
                    let _ = send(Err(std::io::Error::other("mock connection reset"))).await;
                    return;
                }
                Some(Fault::MalformedAfter(n)) if index == n => {
                    let _ = send(Ok(Bytes::from(
                        "data: {\"id\": \"chatcmpl-mock\", \"choices\": [tru\n\n",
                    )))
                    .await;
                    return;
                }
                _ => {}
            }
            if index > 0 {
                tokio::time::sleep(plan.token_delay).await;
            }
            let sent_at = SystemTime::now();
            if !send(Ok(Bytes::from(chunk(Some(token), None)))).await {
                return;
            }
            if let (0, Some(received), Some(question)) = (index, received, &plan.question) {
                log_timing(question, received, sent_at);
            }
        }
        let _ = send(Ok(Bytes::from(chunk(None, Some("stop"))))).await;
        if plan.include_usage {
            let usage = json!({
                "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": "mock-model", "choices": [],
                "usage": {"prompt_tokens": plan.prompt_tokens, "completion_tokens": total,
                          "total_tokens": plan.prompt_tokens + total},
            });
            let _ = send(Ok(Bytes::from(format!("data: {usage}\n\n")))).await;
        }
        let _ = send(Ok(Bytes::from("data: [DONE]\n\n"))).await;
    });
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}
