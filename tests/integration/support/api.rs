//! The public REST API as a script sees it: one bearer credential (or none), JSON in and out, Server-Sent Events.

use reqwest::Method;
use serde_json::{json, Value};

use super::TestApp;

pub const PASSWORD: &str = "Ledger-Keeper-42";

/// A script's view of the API: one bearer credential (or none).
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    bearer: Option<String>,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

impl Api {
    pub fn anonymous(app: &TestApp) -> Self {
        Api {
            http: reqwest::Client::new(),
            base: app.base_url.clone(),
            bearer: None,
        }
    }

    pub fn with(&self, bearer: &str) -> Self {
        Api {
            bearer: Some(bearer.to_string()),
            ..self.clone()
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.bearer {
            Some(bearer) => request.bearer_auth(bearer),
            None => request,
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }
}

/// Registers `username` through the API; the token reply.
pub async fn register(api: &Api, username: &str) -> Value {
    let reply = api
        .post(
            "/api/v1/auth/register",
            json!({"username": username, "email": format!("{username}@example.com"), "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

pub fn access(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

pub fn refresh_token(tokens: &Value) -> String {
    tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string()
}

/// Server-Sent Events as `(event, data)` pairs, read until the stream ends.
pub async fn read_events(mut response: reqwest::Response) -> Vec<(String, Value)> {
    let mut buffer = String::new();
    let mut events = Vec::new();
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(event) = parse_event(&block) {
                events.push(event);
            }
        }
    }
    events
}

pub fn parse_event(block: &str) -> Option<(String, Value)> {
    let mut name = None;
    let mut data = String::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim().to_string());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.trim_start());
        }
    }
    Some((name?, serde_json::from_str(&data).ok()?))
}
