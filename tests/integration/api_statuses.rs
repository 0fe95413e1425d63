//! Every status the OpenAPI document promises is one a client can actually get: a script of requests reaches each
//! documented (method, route, status) of `/api/v1`, and the test fails on any the document lists that no request
//! reached, so a status documented but never answered (or a new route without its cases) shows up here.

use crate::support;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};
use support::{
    api::{access, refresh_token, Answer, Api, PASSWORD},
    TestApp,
};

const NO_SUCH_ID: &str = "0190f5a8-0000-7000-8000-000000000000";

/// The (method, route, status) triples reached so far.
#[derive(Default)]
struct Reached(BTreeSet<(String, String, u16)>);

impl Reached {
    /// Sends one request and records what it reached, after checking it is the status this case is for.
    async fn expect(
        &mut self,
        api: &Api,
        route: (&str, &str),
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Answer {
        let (method, template) = route;
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let answer = api.send(method.clone(), path, body).await;
        self.record(&method, template, path, &answer, status);
        answer
    }

    fn record(
        &mut self,
        method: &Method,
        template: &str,
        path: &str,
        answer: &Answer,
        status: u16,
    ) {
        assert_eq!(
            answer.status, status,
            "{method} {path} (for {template} {status}) answered {:?}",
            answer.body
        );
        if status >= 400 {
            assert!(
                answer.body["code"].is_string() && answer.body["correlation_id"].is_string(),
                "{method} {path} {status}: not the error shape: {:?}",
                answer.body
            );
        }
        self.0
            .insert((method.to_string(), template.to_string(), status));
    }
}

const REGISTER: (&str, &str) = ("POST", "/api/v1/auth/register");
const LOGIN: (&str, &str) = ("POST", "/api/v1/auth/login");
const REFRESH: (&str, &str) = ("POST", "/api/v1/auth/refresh");
const LOGOUT: (&str, &str) = ("POST", "/api/v1/auth/logout");
const ME: (&str, &str) = ("GET", "/api/v1/me");
const KEYS: (&str, &str) = ("GET", "/api/v1/keys");
const NEW_KEY: (&str, &str) = ("POST", "/api/v1/keys");
const REVOKE_KEY: (&str, &str) = ("DELETE", "/api/v1/keys/{id}");
const MODELS: (&str, &str) = ("GET", "/api/v1/models");
const USAGE: (&str, &str) = ("GET", "/api/v1/usage");
const LIST: (&str, &str) = ("GET", "/api/v1/conversations");
const CREATE: (&str, &str) = ("POST", "/api/v1/conversations");
const SEARCH: (&str, &str) = ("GET", "/api/v1/conversations/search");
const OPEN: (&str, &str) = ("GET", "/api/v1/conversations/{id}");
const UPDATE: (&str, &str) = ("PATCH", "/api/v1/conversations/{id}");
const DELETE: (&str, &str) = ("DELETE", "/api/v1/conversations/{id}");
const OLDER: (&str, &str) = ("GET", "/api/v1/conversations/{id}/messages");
const EXPORT: (&str, &str) = ("GET", "/api/v1/conversations/{id}/export");
const ASK: (&str, &str) = ("POST", "/api/v1/conversations/{id}/messages");

fn credentials(username: &str) -> Value {
    json!({"username": username, "email": format!("{username}@example.com"), "password": PASSWORD})
}

#[tokio::test]
async fn every_status_the_openapi_document_lists_is_one_a_client_can_get() {
    let app = TestApp::start_with(Some(Default::default()), |config| {
        config.sign_ups_per_ip = 3;
        config.sign_in_failures_allowed = 1;
        config.user_messages_per_day = 8;
    })
    .await;
    let nobody = Api::anonymous(&app);
    let mut reached = Reached::default();

    // Accounts: two sign-ups, a bad one, then the address's sign-ups run out.
    let olga = reached
        .expect(
            &nobody,
            REGISTER,
            REGISTER.1,
            Some(credentials("olga_status")),
            201,
        )
        .await;
    let dan = nobody.post(REGISTER.1, credentials("dan_status")).await;
    reached
        .expect(
            &nobody,
            REGISTER,
            REGISTER.1,
            Some(json!({"username": "x", "email": "not-an-email", "password": "short"})),
            400,
        )
        .await;
    let mut refused = None;
    for n in 0..5 {
        let answer = nobody
            .post(REGISTER.1, credentials(&format!("extra_{n}_status")))
            .await;
        if answer.status != 201 {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("sign-ups from one address run out");
    reached.record(&Method::POST, REGISTER.1, REGISTER.1, &refused, 429);
    let olga = nobody.with(&access(&olga.body));
    let olga_refresh = refresh_token(
        &nobody
            .post(
                LOGIN.1,
                json!({"login": "olga_status", "password": PASSWORD}),
            )
            .await
            .body,
    );

    // Signing in: right, empty, disabled, wrong, and wrong again too soon.
    reached
        .expect(
            &nobody,
            LOGIN,
            LOGIN.1,
            Some(json!({"login": "OLGA_STATUS", "password": PASSWORD})),
            200,
        )
        .await;
    reached
        .expect(
            &nobody,
            LOGIN,
            LOGIN.1,
            Some(json!({"login": "", "password": ""})),
            400,
        )
        .await;
    let dan = nobody.with(&access(&dan.body));
    let dan_id = dan.get(ME.1).await.body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(app.store().set_user_disabled(dan_id, true).await.unwrap());
    reached
        .expect(
            &nobody,
            LOGIN,
            LOGIN.1,
            Some(json!({"login": "dan_status", "password": PASSWORD})),
            403,
        )
        .await;
    let wrong = json!({"login": "olga_status", "password": "Not-Her-Password-1"});
    reached
        .expect(&nobody, LOGIN, LOGIN.1, Some(wrong.clone()), 401)
        .await;
    let throttled = reached
        .expect(&nobody, LOGIN, LOGIN.1, Some(wrong), 429)
        .await;
    assert!(throttled.headers.contains_key("retry-after"));

    // Tokens.
    let refreshed = reached
        .expect(
            &nobody,
            REFRESH,
            REFRESH.1,
            Some(json!({"refresh_token": olga_refresh})),
            200,
        )
        .await;
    reached
        .expect(&nobody, REFRESH, REFRESH.1, Some(json!({})), 400)
        .await;
    reached
        .expect(
            &nobody,
            REFRESH,
            REFRESH.1,
            Some(json!({"refresh_token": "rt_nobody"})),
            401,
        )
        .await;
    reached.expect(&olga, ME, ME.1, None, 200).await;
    reached.expect(&nobody, ME, ME.1, None, 401).await;

    // Keys: one that may only read, one that may only chat.
    let read_key = reached
        .expect(
            &olga,
            NEW_KEY,
            NEW_KEY.1,
            Some(json!({"name": "reader", "scopes": ["read"]})),
            201,
        )
        .await;
    let reader = nobody.with(read_key.body["key"].as_str().unwrap());
    let chat_key = olga
        .post(NEW_KEY.1, json!({"name": "chatter", "scopes": ["chat"]}))
        .await;
    let chatter = nobody.with(chat_key.body["key"].as_str().unwrap());
    let spare = olga.post(NEW_KEY.1, json!({"name": "spare"})).await;
    reached
        .expect(
            &olga,
            NEW_KEY,
            NEW_KEY.1,
            Some(json!({"name": "", "scopes": ["root"]})),
            400,
        )
        .await;
    reached
        .expect(&nobody, NEW_KEY, NEW_KEY.1, Some(json!({"name": "x"})), 401)
        .await;
    reached
        .expect(&reader, NEW_KEY, NEW_KEY.1, Some(json!({"name": "x"})), 403)
        .await;
    reached.expect(&olga, KEYS, KEYS.1, None, 200).await;
    reached.expect(&nobody, KEYS, KEYS.1, None, 401).await;
    let spare_path = format!("/api/v1/keys/{}", spare.body["id"].as_str().unwrap());
    reached
        .expect(&nobody, REVOKE_KEY, &spare_path, None, 401)
        .await;
    reached
        .expect(&reader, REVOKE_KEY, &spare_path, None, 403)
        .await;
    reached
        .expect(&olga, REVOKE_KEY, &spare_path, None, 204)
        .await;
    reached
        .expect(&olga, REVOKE_KEY, &spare_path, None, 404)
        .await;

    // What a key without `read` may not see.
    for route in [MODELS, USAGE] {
        reached.expect(&olga, route, route.1, None, 200).await;
        reached.expect(&nobody, route, route.1, None, 401).await;
        reached.expect(&chatter, route, route.1, None, 403).await;
    }

    // Conversations.
    let made = reached
        .expect(
            &olga,
            CREATE,
            CREATE.1,
            Some(json!({"title": "Quarterly plans"})),
            201,
        )
        .await;
    let id = made.body["id"].as_str().unwrap().to_string();
    let at = |rest: &str| format!("/api/v1/conversations/{id}{rest}");
    let missing = |rest: &str| format!("/api/v1/conversations/{NO_SUCH_ID}{rest}");
    let garbled = |rest: &str| format!("/api/v1/conversations/not-an-id{rest}");
    reached
        .expect(
            &olga,
            CREATE,
            CREATE.1,
            Some(json!({"title": "x".repeat(300)})),
            400,
        )
        .await;
    reached
        .expect(&nobody, CREATE, CREATE.1, Some(json!({})), 401)
        .await;
    reached
        .expect(&reader, CREATE, CREATE.1, Some(json!({})), 403)
        .await;
    reached.expect(&olga, LIST, LIST.1, None, 200).await;
    reached
        .expect(
            &olga,
            LIST,
            "/api/v1/conversations?after=garbage",
            None,
            400,
        )
        .await;
    reached.expect(&nobody, LIST, LIST.1, None, 401).await;
    reached.expect(&chatter, LIST, LIST.1, None, 403).await;
    let search = "/api/v1/conversations/search?q=Quarterly";
    reached.expect(&olga, SEARCH, search, None, 200).await;
    reached.expect(&olga, SEARCH, SEARCH.1, None, 400).await;
    reached.expect(&nobody, SEARCH, search, None, 401).await;
    reached.expect(&chatter, SEARCH, search, None, 403).await;

    // Asking: an answer, then every way a question is refused.
    let ask = at("/messages");
    let asked = reached
        .expect(
            &olga,
            ASK,
            &ask,
            Some(json!({"content": "What can I deduct?"})),
            200,
        )
        .await;
    let message = asked.body["message_id"].as_str().unwrap().to_string();
    reached
        .expect(&olga, ASK, &ask, Some(json!({"content": ""})), 400)
        .await;
    reached
        .expect(
            &olga,
            ASK,
            &ask,
            Some(json!({"content": "q".repeat(5000)})),
            413,
        )
        .await;
    reached
        .expect(&nobody, ASK, &ask, Some(json!({"content": "Hi"})), 401)
        .await;
    reached
        .expect(&reader, ASK, &ask, Some(json!({"content": "Hi"})), 403)
        .await;
    reached
        .expect(
            &olga,
            ASK,
            &missing("/messages"),
            Some(json!({"content": "Hi"})),
            404,
        )
        .await;
    reached
        .expect(
            &olga,
            ASK,
            &ask,
            Some(json!({"content": "Hi [mock:status-500]"})),
            502,
        )
        .await;
    let mut slow = olga
        .request(Method::POST, &ask)
        .header("accept", "text/event-stream")
        .json(&json!({"content": "List every deduction I can take [mock:slow]"}))
        .send()
        .await
        .unwrap();
    assert_eq!(slow.status(), 200);
    let mut seen = String::new();
    while !seen.contains("event: token") {
        seen.push_str(&String::from_utf8_lossy(
            &slow.chunk().await.unwrap().expect("more events"),
        ));
    }
    reached
        .expect(
            &olga,
            ASK,
            &ask,
            Some(json!({"content": "And another thing?"})),
            409,
        )
        .await;
    drop(slow);
    let other = olga.post(CREATE.1, json!({})).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other_ask = format!("/api/v1/conversations/{other}/messages");
    let mut over = None;
    for _ in 0..10 {
        let answer = olga
            .post(&other_ask, json!({"content": "One more question?"}))
            .await;
        if answer.status != 200 {
            over = Some(answer);
            break;
        }
    }
    let over = over.expect("the day's questions run out");
    reached.record(&Method::POST, ASK.1, &other_ask, &over, 429);

    // Reading, changing, exporting and deleting one conversation.
    for (route, rest, good_status, body, bad) in [
        (OPEN, "", 200, None, ""),
        (UPDATE, "", 200, Some(json!({"title": "Renamed"})), ""),
        (
            OLDER,
            &*format!("/messages?before={message}"),
            200,
            None,
            "/messages?before=nope",
        ),
        (
            EXPORT,
            "/export?format=json",
            200,
            None,
            "/export?format=docx",
        ),
    ] {
        let forbidden = if route.0 == "GET" { &chatter } else { &reader };
        reached
            .expect(&olga, route, &at(rest), body.clone(), good_status)
            .await;
        let bad_path = if bad.is_empty() { garbled("") } else { at(bad) };
        let bad_body = match route {
            UPDATE => Some(json!({"title": "x".repeat(300)})),
            _ => None,
        };
        reached.expect(&olga, route, &bad_path, bad_body, 400).await;
        reached
            .expect(&nobody, route, &at(rest), body.clone(), 401)
            .await;
        reached
            .expect(forbidden, route, &at(rest), body.clone(), 403)
            .await;
        reached
            .expect(&olga, route, &missing(rest), body, 404)
            .await;
    }
    reached.expect(&olga, DELETE, &garbled(""), None, 400).await;
    reached.expect(&nobody, DELETE, &at(""), None, 401).await;
    reached.expect(&reader, DELETE, &at(""), None, 403).await;
    reached.expect(&olga, DELETE, &at(""), None, 204).await;
    reached.expect(&olga, DELETE, &at(""), None, 404).await;

    // Signing out last: it ends the session the token belongs to.
    let fresh = nobody.with(&access(&refreshed.body));
    let not_json = fresh
        .request(Method::POST, LOGOUT.1)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    let status = not_json.status().as_u16();
    let body: Value = not_json.json().await.unwrap();
    reached.record(
        &Method::POST,
        LOGOUT.1,
        LOGOUT.1,
        &Answer {
            status,
            body,
            headers: Default::default(),
        },
        400,
    );
    reached
        .expect(&nobody, LOGOUT, LOGOUT.1, Some(json!({})), 401)
        .await;
    reached
        .expect(&fresh, LOGOUT, LOGOUT.1, Some(json!({})), 204)
        .await;

    let (_, document) = tally::server::http::rest::routes();
    let mut documented = BTreeSet::new();
    for (path, item) in document.paths.paths.iter() {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
            ("PUT", &item.put),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            for status in operation.responses.responses.keys() {
                documented.insert((
                    method.to_string(),
                    path.clone(),
                    status.parse::<u16>().unwrap(),
                ));
            }
        }
    }
    let unreached: Vec<_> = documented.difference(&reached.0).collect();
    assert!(
        unreached.is_empty(),
        "documented but never answered: {unreached:?}"
    );
    let undocumented: Vec<_> = reached.0.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "answered but not documented: {undocumented:?}"
    );
}
