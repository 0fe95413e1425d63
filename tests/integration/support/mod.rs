//! Test support: the real server on 127.0.0.1 port 0, a real mock of the OpenAI streaming API, and clients that
//! behave like browsers (each with its own cookie jar).

#![allow(dead_code)]

pub mod api;
pub mod database;

use std::{sync::Arc, time::Duration};

use leptos::config::LeptosOptions;
use serde_json::{json, Value};
use tally::{
    model::{ApiError, TurnEvent},
    server::{
        config::Config,
        http::serve::serve,
        llm::{
            connections::ConnectionSettings, Catalog, ChatProvider, OpenAiCompatible,
            ProviderEntry, Timeouts,
        },
        mock_upstream::{MockConfig, MockUpstream},
        state::AppState,
        store::Store,
    },
};
use tokio::sync::oneshot;

use self::database::TestDatabase;

pub struct TestApp {
    pub base_url: String,
    pub state: AppState,
    pub mock: Option<MockUpstream>,
    /// Direct access to the database, to check what was stored.
    pub db: sqlx::AnyPool,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    // Dropped in this order: the database (PostgreSQL: dropped on the server), then the data directory.
    _database: TestDatabase,
    _data: tempfile::TempDir,
}

/// A provider named `name` backed by a mock upstream, offering `mock-model`, with the config's timeouts.
pub fn mock_provider(name: &str, mock: &MockUpstream, config: &Config) -> ProviderEntry {
    ProviderEntry {
        name: name.into(),
        label: format!("Mock {name}"),
        models: vec!["mock-model".into()],
        provider: Arc::new(OpenAiCompatible::new(
            &mock.base_url(),
            "test-key",
            ConnectionSettings::new(Duration::from_secs(2)),
        )) as Arc<dyn ChatProvider>,
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            first_token: Duration::from_secs(config.provider_first_token_timeout_secs),
            idle: Duration::from_secs(config.provider_idle_timeout_secs),
        },
        offline: false,
    }
}

/// A fresh configuration in a fresh data directory, as the tests want it: quick checkpoints and timeouts.
pub fn test_config() -> (Config, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.checkpoint_interval_ms = 100;
    config.provider_first_token_timeout_secs = 5;
    config.provider_idle_timeout_secs = 5;
    // A proof of work the tests solve in a moment, and room for the accounts a test makes from 127.0.0.1.
    config.human_check_max_number = 50;
    config.sign_ups_per_ip = 1000;
    (config, data)
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tally")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build()
}

impl TestApp {
    /// The app against a healthy mock upstream.
    pub async fn start() -> Self {
        Self::start_with(Some(MockConfig::default()), |_| {}).await
    }

    /// The app with an optional mock upstream (`None`: no provider configured) and config tweaks.
    pub async fn start_with(mock: Option<MockConfig>, tweak: impl FnOnce(&mut Config)) -> Self {
        let (mut config, data) = test_config();
        tweak(&mut config);
        let mock = match mock {
            Some(mock_config) => Some(
                MockUpstream::start(mock_config)
                    .await
                    .expect("mock upstream starts"),
            ),
            None => None,
        };
        let catalog = Catalog::new(
            mock.iter()
                .map(|mock| mock_provider("mock", mock, &config))
                .collect(),
        );
        Self::start_with_catalog(config, data, mock, catalog).await
    }

    /// The app with the given providers (fallback tests configure several).
    pub async fn start_with_catalog(
        config: Config,
        data: tempfile::TempDir,
        mock: Option<MockUpstream>,
        catalog: Catalog,
    ) -> Self {
        let database = TestDatabase::create(data.path()).await;
        let mut config = config;
        config.database_url = database.url.clone();
        let store = database.store().await;
        let db = database.reader().await;
        let state = AppState::with_parts(config, leptos_options(), store, catalog)
            .await
            .expect("state");
        Self::serve(state, mock, db, database, data).await
    }

    async fn serve(
        state: AppState,
        mock: Option<MockUpstream>,
        db: sqlx::AnyPool,
        database: TestDatabase,
        data: tempfile::TempDir,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, state.clone(), async move {
            let _ = stop.await;
        }));
        TestApp {
            base_url,
            state,
            mock,
            db,
            shutdown: Some(shutdown),
            server: Some(server),
            _database: database,
            _data: data,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    /// A stored message's columns, straight from the database.
    pub async fn message_row(&self, id: &str) -> StoredMessage {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT content, status, provider, model, prompt_tokens, completion_tokens, ttft_ms, latency_ms, error_id,
                    disclaimer FROM messages WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await
        .expect("message row");
        StoredMessage {
            content: row.get("content"),
            status: row.get("status"),
            provider: row.get("provider"),
            model: row.get("model"),
            prompt_tokens: row.get("prompt_tokens"),
            completion_tokens: row.get("completion_tokens"),
            ttft_ms: row.get("ttft_ms"),
            latency_ms: row.get("latency_ms"),
            error_id: row.get("error_id"),
            disclaimer: row.get("disclaimer"),
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .expect("count")
            .get(0)
    }

    /// A new "browser": its own cookie jar, so its own guest identity.
    pub fn browser(&self) -> Browser {
        // A hung server must fail the test, not stall the whole suite until CI's time runs out.
        self.browser_with_timeout(Duration::from_secs(30))
    }

    /// A browser whose every request says `Accept-Language: {accept_language}`.
    pub fn browser_speaking(&self, accept_language: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            accept_language.parse().expect("header value"),
        );
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Browser {
            client,
            base_url: self.base_url.clone(),
        }
    }

    /// A browser whose requests may take up to `timeout` in all (the offline model's answers, follow-ups and
    /// titles run on the test machine's own cores).
    pub fn browser_with_timeout(&self, timeout: Duration) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(timeout)
            .build()
            .expect("client");
        Browser {
            client,
            base_url: self.base_url.clone(),
        }
    }

    /// Stops the server gracefully and waits for it.
    /// Stops the server gracefully and waits for it. The database lives on in the returned value, so a test can
    /// check what shutdown stored.
    pub async fn shutdown(mut self) -> StoppedApp {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        StoppedApp {
            db: self.db.clone(),
            _database: self._database,
            _data: self._data,
        }
    }
}

pub struct StoppedApp {
    pub db: sqlx::AnyPool,
    _database: TestDatabase,
    _data: tempfile::TempDir,
}

#[derive(Debug)]
pub struct StoredMessage {
    pub content: String,
    pub status: String,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub ttft_ms: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error_id: Option<String>,
    pub disclaimer: Option<String>,
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base_url: String,
}

/// A server function's answer: status and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn error(&self) -> ApiError {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("not an ApiError ({e}): {}", self.body))
    }
}

impl Browser {
    /// Posts a form the way the page's form does, asking for the outcome as JSON.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (Reply, reqwest::header::HeaderMap) {
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("form post");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (Reply { status, body }, headers)
    }

    /// A solved proof of work, as the sign-up page's script makes it.
    pub async fn human_check(&self) -> String {
        let challenge: tally::server::identity::human_check::Challenge = self
            .client
            .get(format!("{}/auth/challenge", self.base_url))
            .send()
            .await
            .expect("challenge")
            .json()
            .await
            .expect("challenge json");
        tally::server::identity::human_check::solve(&challenge).expect("solvable")
    }

    /// Signs up (solving the human check) as `username`; JSON reply and headers.
    pub async fn sign_up(
        &self,
        username: &str,
        email: &str,
        password: &str,
    ) -> (Reply, reqwest::header::HeaderMap) {
        let check = self.human_check().await;
        self.post_form(
            "/signup",
            &[
                ("username", username),
                ("email", email),
                ("password", password),
                ("human_check", &check),
            ],
        )
        .await
    }

    pub async fn get_page(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("page request")
    }

    /// Calls a URL-encoded server function.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base_url))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server fn request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, body }
    }

    /// Starts a turn; returns the open stream, or the error reply when the server refused it.
    pub async fn send(
        &self,
        conversation_id: Option<&str>,
        content: &str,
    ) -> Result<TurnStream, Reply> {
        self.send_to_model(conversation_id, content, None).await
    }

    /// Starts a turn with a model chosen in the "Model" selector (`provider/model`).
    pub async fn send_to_model(
        &self,
        conversation_id: Option<&str>,
        content: &str,
        model: Option<&str>,
    ) -> Result<TurnStream, Reply> {
        let response = self
            .client
            .post(format!("{}/api/chat/send", self.base_url))
            .json(&json!({"request": {"conversation_id": conversation_id, "content": content, "model": model}}))
            .send()
            .await
            .expect("send request");
        let status = response.status().as_u16();
        if status != 200 {
            let text = response.text().await.unwrap_or_default();
            return Err(Reply {
                status,
                body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
            });
        }
        Ok(TurnStream {
            response: Some(response),
            buffer: String::new(),
            chunks_received: 0,
            patience: Duration::from_secs(10),
        })
    }

    /// Reads an answer still being written (as a reloaded page does); the error reply when refused.
    pub async fn attach(&self, message_id: &str) -> Result<TurnStream, Reply> {
        let response = self
            .client
            .post(format!("{}/api/chat/attach", self.base_url))
            .form(&[("message_id", message_id)])
            .send()
            .await
            .expect("attach request");
        let status = response.status().as_u16();
        if status != 200 {
            let text = response.text().await.unwrap_or_default();
            return Err(Reply {
                status,
                body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
            });
        }
        Ok(TurnStream {
            response: Some(response),
            buffer: String::new(),
            chunks_received: 0,
            patience: Duration::from_secs(10),
        })
    }

    /// POSTs JSON to a plain endpoint (not a server function).
    pub async fn post_json(&self, path: &str, body: &str) -> Reply {
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    /// Sends a question and reads the whole answer.
    pub async fn ask(&self, conversation_id: Option<&str>, content: &str) -> Vec<TurnEvent> {
        let mut stream = self
            .send(conversation_id, content)
            .await
            .unwrap_or_else(|r| panic!("refused: {}", r.body));
        stream.read_all().await
    }
}

/// A turn's event stream as the browser reads it.
#[derive(Debug)]
pub struct TurnStream {
    response: Option<reqwest::Response>,
    buffer: String,
    pub chunks_received: usize,
    /// Longest wait for the next chunk before the test fails as stalled.
    pub patience: Duration,
}

impl TurnStream {
    /// The next event, or `None` when the stream ended.
    pub async fn next_event(&mut self) -> Option<TurnEvent> {
        loop {
            if let Some(end) = self.buffer.find('\n') {
                let line: String = self.buffer.drain(..=end).collect();
                if line.trim().is_empty() {
                    continue;
                }
                return Some(
                    serde_json::from_str(line.trim())
                        .unwrap_or_else(|e| panic!("bad event {line:?}: {e}")),
                );
            }
            let response = self.response.as_mut()?;
            let chunk = tokio::time::timeout(self.patience, response.chunk())
                .await
                .unwrap_or_else(|_| panic!("the stream stalled for {:?}", self.patience))
                .expect("stream read");
            match chunk {
                Some(bytes) => {
                    self.chunks_received += 1;
                    let text = std::str::from_utf8(&bytes).expect("events are ASCII");
                    self.buffer.push_str(text);
                }
                None => {
                    self.response = None;
                    return None;
                }
            }
        }
    }

    /// Reads the first event, which must be `Started`, and returns the conversation and answer ids it names.
    pub async fn started(&mut self) -> Started {
        match self.next_event().await {
            Some(TurnEvent::Started {
                conversation_id,
                assistant_message_id,
                ..
            }) => Started {
                conversation_id,
                assistant_message_id,
            },
            other => panic!("the first event must be Started, got {other:?}"),
        }
    }

    /// The event after Started: what the answer is grounded on, before its first token.
    pub async fn grounded(&mut self) -> tally::model::tax::Grounding {
        match self.next_event().await {
            Some(TurnEvent::Grounded { grounding, .. }) => *grounding,
            other => panic!("the event after Started must be Grounded, got {other:?}"),
        }
    }

    pub async fn read_all(&mut self) -> Vec<TurnEvent> {
        let mut events = Vec::new();
        while let Some(event) = self.next_event().await {
            events.push(event);
        }
        events
    }

    /// Closes the connection, as a browser tab being closed would.
    pub fn disconnect(&mut self) {
        self.response = None;
    }
}

/// The ids a turn's `Started` event names.
pub struct Started {
    pub conversation_id: String,
    pub assistant_message_id: String,
}

/// The pieces of a finished turn, for assertions.
pub struct Turn {
    /// Suggested next questions, sent after the answer finished.
    pub follow_ups: Vec<String>,
    /// The notices of `Rerouted` events: the chosen model failed and another one answered.
    pub rerouted: Vec<String>,
    /// The title the model wrote for a new conversation.
    pub title: Option<String>,
    pub conversation_id: String,
    pub assistant_message_id: String,
    pub tokens: Vec<String>,
    pub finished: tally::model::ChatMessage,
    pub error: Option<ApiError>,
}

pub fn summarize(events: &[TurnEvent]) -> Turn {
    let (conversation_id, assistant_message_id) = match events.first() {
        Some(TurnEvent::Started {
            conversation_id,
            assistant_message_id,
            ..
        }) => (conversation_id.clone(), assistant_message_id.clone()),
        other => panic!("the first event must be Started, got {other:?}"),
    };
    let tokens = events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::Token { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let finished_at = events
        .iter()
        .position(|e| matches!(e, TurnEvent::Finished { .. }))
        .unwrap_or_else(|| panic!("no Finished event in {events:?}"));
    let (finished, error) = match &events[finished_at] {
        TurnEvent::Finished { message, error } => ((**message).clone(), error.clone()),
        _ => unreachable!(),
    };
    // Only suggested follow-ups and a generated title may come after the answer is finished, once each.
    let mut follow_ups = Vec::new();
    let mut title = None;
    for event in &events[finished_at + 1..] {
        match event {
            TurnEvent::FollowUps {
                message_id,
                questions,
            } if *message_id == finished.id && follow_ups.is_empty() => {
                follow_ups = questions.clone()
            }
            TurnEvent::Titled {
                conversation_id: id,
                title: new,
            } if *id == conversation_id && title.is_none() => title = Some(new.clone()),
            other => panic!("unexpected event after Finished: {other:?}"),
        }
    }
    let rerouted = events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::Rerouted { notice, .. } => Some(notice.clone()),
            _ => None,
        })
        .collect();
    Turn {
        conversation_id,
        assistant_message_id,
        tokens,
        finished,
        error,
        follow_ups,
        rerouted,
        title,
    }
}

/// Waits until `check` holds, polling; panics with `what` after 5 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for: {what}");
}
