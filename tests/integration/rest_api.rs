//! The public REST API (`/api/v1`) as a script uses it: registering and signing in for a pair of tokens, expiry and
//! refresh rotation (a reused refresh token ends its session), API keys with scopes and revocation, conversations
//! and asking (JSON and Server-Sent Events), tier limits, a client that goes away mid-stream, and the
//! authorization matrix over every route the OpenAPI document lists.

use crate::support;

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use support::TestApp;

use support::api::{access, read_events, refresh_token, register, Api, PASSWORD};

#[tokio::test]
async fn a_script_registers_asks_and_manages_its_conversations() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let tokens = register(&anonymous, "script_sam").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 1800);
    assert_eq!(tokens["user"]["username"], "script_sam");
    let api = anonymous.with(&access(&tokens));

    let me = api.get("/api/v1/me").await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["username"], "script_sam");
    assert_eq!(me.body["access"], "token");

    let made = api
        .post("/api/v1/conversations", json!({"title": "Quarterly taxes"}))
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["title"], "Quarterly taxes");
    let id = made.body["id"].as_str().unwrap().to_string();

    // One JSON answer, with the disclaimer and the ids to continue from.
    let answer = api
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"content": "What is the self-employment tax rate?"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert!(!answer.body["answer"].as_str().unwrap().is_empty());
    assert!(answer.body["disclaimer"]
        .as_str()
        .unwrap()
        .contains("does not constitute legal or financial advice"));
    assert_eq!(answer.body["conversation_id"], id.as_str());
    assert_eq!(answer.body["follow_ups"].as_array().unwrap().len(), 3);

    // The same question as Server-Sent Events: the events the browser reads, in order.
    let response = api
        .request(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
        )
        .header("accept", "text/event-stream")
        .json(&json!({"content": "And when are the quarterly payments due?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let events = read_events(response).await;
    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names.first(), Some(&"started"), "{names:?}");
    assert!(names.contains(&"token"), "{names:?}");
    let finished = events
        .iter()
        .find(|(name, _)| name == "finished")
        .expect("a finished event");
    assert_eq!(finished.1["message"]["status"], "complete");
    let streamed: String = events
        .iter()
        .filter(|(name, _)| name == "token")
        .map(|(_, data)| data["text"].as_str().unwrap())
        .collect();
    assert_eq!(streamed, finished.1["message"]["content"].as_str().unwrap());

    // It is in the list, opens with its four messages, renames, pins, is found and exports.
    let list = api.get("/api/v1/conversations").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    let opened = api.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(opened.body["messages"].as_array().unwrap().len(), 4);
    let changed = api
        .send(
            Method::PATCH,
            &format!("/api/v1/conversations/{id}"),
            Some(json!({"title": "Estimated taxes 2026", "pinned": true})),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["title"], "Estimated taxes 2026");
    assert_eq!(changed.body["pinned"], true);
    let found = api.get("/api/v1/conversations/search?q=estimated").await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body[0]["id"], id.as_str());
    let export = api
        .request(
            Method::GET,
            &format!("/api/v1/conversations/{id}/export?format=md"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let text = export.text().await.unwrap();
    assert!(text.contains("# Estimated taxes 2026"), "{text}");
    let bad_format = api
        .get(&format!("/api/v1/conversations/{id}/export?format=docx"))
        .await;
    assert_eq!(
        (bad_format.status, bad_format.code()),
        (400, "validation_body")
    );

    let usage = api.get("/api/v1/usage").await;
    assert_eq!(usage.status, 200);
    assert_eq!(usage.body["questions_asked"], 2);
    assert_eq!(usage.body["tier"], "user");
    let models = api.get("/api/v1/models").await;
    assert_eq!(models.body["models"][0]["key"], "mock/mock-model");

    let deleted = api
        .send(Method::DELETE, &format!("/api/v1/conversations/{id}"), None)
        .await;
    assert_eq!(deleted.status, 204);
    let gone = api.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!((gone.status, gone.code()), (404, "not_found"));
}

#[tokio::test]
async fn bad_input_gets_the_one_error_shape() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let weak = anonymous
        .post(
            "/api/v1/auth/register",
            json!({"username": "a", "email": "not-an-email", "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, 400, "{:?}", weak.body);
    assert_eq!(weak.code(), "validation_field");
    assert!(weak.body["correlation_id"]
        .as_str()
        .is_some_and(|c| !c.is_empty()));
    let fields: Vec<&str> = weak.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for field in ["username", "email", "password"] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    let not_json = anonymous
        .request(Method::POST, "/api/v1/auth/login")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let body: Value = not_json.json().await.unwrap();
    assert_eq!(body["code"], "validation_body");

    register(&anonymous, "typo_tom").await;
    let wrong = anonymous
        .post(
            "/api/v1/auth/login",
            json!({"login": "typo_tom", "password": "Wrong-Password-1"}),
        )
        .await;
    assert_eq!((wrong.status, wrong.code()), (401, "invalid_credentials"));
    let nobody = anonymous
        .post(
            "/api/v1/auth/login",
            json!({"login": "nobody_here", "password": "Wrong-Password-1"}),
        )
        .await;
    assert_eq!(
        nobody.body["message"], wrong.body["message"],
        "no user enumeration"
    );

    let unsigned = anonymous.get("/api/v1/me").await;
    assert_eq!(
        (unsigned.status, unsigned.code()),
        (401, "sign_in_required")
    );
    assert!(unsigned.headers.contains_key("www-authenticate"));
    let forged = anonymous.with("eyJhbGciOiJIUzI1NiJ9.e30.bm90IGEgc2lnbmF0dXJl");
    let refused = forged.get("/api/v1/me").await;
    assert_eq!((refused.status, refused.code()), (401, "invalid_token"));
    assert_eq!(
        refused.headers["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );

    let api = anonymous.with(&access(
        &anonymous
            .post(
                "/api/v1/auth/login",
                json!({"login": "TYPO_TOM@example.com", "password": PASSWORD}),
            )
            .await
            .body,
    ));
    let empty = api
        .post("/api/v1/conversations", json!({"title": "   "}))
        .await;
    assert_eq!((empty.status, empty.code()), (400, "validation_title"));
    let not_an_id = api.get("/api/v1/conversations/not-a-uuid").await;
    assert_eq!(not_an_id.status, 400);
    let bad_cursor = api.get("/api/v1/conversations?after=garbage").await;
    assert_eq!(
        (bad_cursor.status, bad_cursor.code()),
        (400, "validation_cursor")
    );
    assert_eq!(app.count("conversations").await, 0, "nothing was stored");
}

#[tokio::test]
async fn access_tokens_expire_and_refresh_tokens_rotate_once() {
    let app = TestApp::start_with(Some(Default::default()), |config| {
        config.access_token_ttl_secs = 1;
    })
    .await;
    let anonymous = Api::anonymous(&app);
    let first = register(&anonymous, "rotating_rita").await;
    assert_eq!(first["expires_in"], 1);
    let api = anonymous.with(&access(&first));
    assert_eq!(api.get("/api/v1/me").await.status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = api.get("/api/v1/me").await;
    assert_eq!((expired.status, expired.code()), (401, "token_expired"));
    assert!(expired.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("expired"));

    let second = anonymous
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&first)}),
        )
        .await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    assert_ne!(refresh_token(&second.body), refresh_token(&first));
    assert_eq!(second.body["user"]["username"], "rotating_rita");
    let renewed = anonymous.with(&access(&second.body));
    assert_eq!(renewed.get("/api/v1/me").await.status, 200);

    // The first refresh token again: someone holds a copy, so the whole session ends.
    let reused = anonymous
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&first)}),
        )
        .await;
    assert_eq!(
        (reused.status, reused.code()),
        (401, "refresh_token_reused")
    );
    let after = anonymous
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&second.body)}),
        )
        .await;
    assert_eq!((after.status, after.code()), (401, "invalid_refresh_token"));
    let revoked = renewed.get("/api/v1/me").await;
    assert_eq!((revoked.status, revoked.code()), (401, "invalid_token"));
    let unknown = anonymous
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": "rt_made_up"}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (401, "invalid_refresh_token")
    );
}

#[tokio::test]
async fn signing_out_or_changing_the_password_ends_api_sessions() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let tokens = register(&anonymous, "leaving_lee").await;
    let api = anonymous.with(&access(&tokens));
    let out = api.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(out.status, 204, "{:?}", out.body);
    assert_eq!(api.get("/api/v1/me").await.code(), "invalid_token");
    let refreshed = anonymous
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&tokens)}),
        )
        .await;
    assert_eq!(refreshed.status, 401);

    // A password changed in the browser ends the API sessions with the browser's others.
    let browser = app.browser();
    let (signed_in, _) = browser
        .post_form(
            "/signin",
            &[("login", "leaving_lee"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    let again = anonymous
        .post(
            "/api/v1/auth/login",
            json!({"login": "leaving_lee", "password": PASSWORD}),
        )
        .await;
    let api = anonymous.with(&access(&again.body));
    assert_eq!(api.get("/api/v1/me").await.status, 200);
    let settings = browser.call("account/settings", &[]).await;
    let devices: Vec<&str> = settings.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["device"].as_str().unwrap())
        .collect();
    assert!(
        devices.iter().any(|d| d.starts_with("API client")),
        "the API session is listed: {devices:?}"
    );
    let (changed, _) = browser
        .post_form(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Brand-New-Pass-9"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(api.get("/api/v1/me").await.code(), "invalid_token");
}

#[tokio::test]
async fn api_keys_do_what_their_scopes_allow_until_revoked() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let api = anonymous.with(&access(&register(&anonymous, "keyed_kim").await));
    let made = api
        .post(
            "/api/v1/keys",
            json!({"name": "reporting script", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let key = made.body["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("tly_"));
    assert_eq!(made.body["scopes"], json!(["read"]));
    assert!(key.starts_with(made.body["prefix"].as_str().unwrap()));

    let reader = anonymous.with(&key);
    let me = reader.get("/api/v1/me").await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(
        (me.body["access"].as_str(), me.body["scopes"].clone()),
        (Some("key"), json!(["read"]))
    );
    assert_eq!(reader.get("/api/v1/conversations").await.status, 200);
    let write = reader.post("/api/v1/conversations", json!({})).await;
    assert_eq!((write.status, write.code()), (403, "insufficient_scope"));
    let minted = reader
        .post("/api/v1/keys", json!({"name": "a key from a key"}))
        .await;
    assert_eq!((minted.status, minted.code()), (403, "api_key_not_allowed"));

    let bad = api
        .post(
            "/api/v1/keys",
            json!({"name": "", "scopes": ["read", "root"]}),
        )
        .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    let bad_fields: Vec<&str> = bad.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(bad_fields, vec!["name", "scopes"]);

    let listed = api.get("/api/v1/keys").await;
    assert_eq!(listed.status, 200);
    let listed = listed.body.as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0]["last_used_at_ms"].as_i64().is_some(),
        "its use is recorded"
    );
    assert!(
        !listed[0].to_string().contains(&key[8..]),
        "a list never shows the key"
    );
    let id = listed[0]["id"].as_str().unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT key_hash FROM api_keys")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(stored, key.as_bytes(), "only a hash is stored");

    let revoked = api
        .send(Method::DELETE, &format!("/api/v1/keys/{id}"), None)
        .await;
    assert_eq!(revoked.status, 204);
    let after = reader.get("/api/v1/me").await;
    assert_eq!((after.status, after.code()), (401, "invalid_token"));
    let again = api
        .send(Method::DELETE, &format!("/api/v1/keys/{id}"), None)
        .await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn the_api_is_held_to_the_tier_limits() {
    let app = TestApp::start_with(Some(Default::default()), |config| {
        config.user_messages_per_day = 1;
    })
    .await;
    let anonymous = Api::anonymous(&app);
    let key_owner = anonymous.with(&access(&register(&anonymous, "limited_lou").await));
    let made = key_owner
        .post("/api/v1/conversations", json!({"title": "Limits"}))
        .await;
    let id = made.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/conversations/{id}/messages");
    let first = key_owner
        .post(&path, json!({"content": "What can I deduct?"}))
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let second = key_owner
        .post(&path, json!({"content": "And what else?"}))
        .await;
    assert_eq!((second.status, second.code()), (429, "quota_exceeded"));
    assert!(second.headers.contains_key("retry-after"));
    assert!(second.body["retry_after_secs"].as_u64().unwrap() > 0);
    let usage = key_owner.get("/api/v1/usage").await;
    assert_eq!(usage.body["questions_remaining"], 0);
    assert_eq!(usage.body["questions_per_day"], 1);
}

#[tokio::test]
async fn a_client_that_leaves_mid_stream_leaves_the_answer_stored() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let api = anonymous.with(&access(&register(&anonymous, "leaving_lin").await));
    let made = api.post("/api/v1/conversations", json!({})).await;
    let id = made.body["id"].as_str().unwrap().to_string();
    let mut response = api
        .request(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
        )
        .header("accept", "text/event-stream")
        .json(&json!({"content": "List every deduction I can take [mock:slow]"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut seen = String::new();
    while !seen.contains("event: token") {
        let chunk = response.chunk().await.unwrap().expect("more events");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let answer_id = seen
        .split("\"assistant_message_id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the started event names the answer")
        .to_string();
    drop(response);
    // Nobody reads it now: it goes on being written (a slow answer takes several seconds) and is stored whole.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let row = app.message_row(&answer_id).await;
        if row.status != "streaming" {
            assert_eq!(row.status, "complete");
            assert!(!row.content.is_empty());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the answer was never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let opened = api.get(&format!("/api/v1/conversations/{id}")).await;
    let messages = opened.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert!(!messages[1]["content"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn the_openapi_document_and_its_page_are_served_from_the_binary() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let document = anonymous.get("/api/v1/openapi.json").await;
    assert_eq!(document.status, 200);
    assert!(document.body["openapi"]
        .as_str()
        .unwrap()
        .starts_with("3.1"));
    let paths = document.body["paths"].as_object().unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/conversations/{id}/messages",
        "/api/v1/keys/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    assert!(document.body["components"]["securitySchemes"]["bearer"].is_object());
    let page = anonymous
        .http
        .get(format!("{}/api/docs/", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "nothing is fetched from elsewhere: {html}"
    );
}

/// One row of the matrix: the request Dave (or nobody) makes aimed at Carol's things, and the statuses expected.
struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Without any credential.
    nobody: u16,
    /// With Dave's access token, aimed at Carol's conversation or key.
    other_user: u16,
}

fn row(method: Method, path: String, body: Option<Value>, nobody: u16, other_user: u16) -> Row {
    Row {
        method,
        path,
        body,
        nobody,
        other_user,
    }
}

#[tokio::test]
async fn no_route_of_the_api_shows_or_changes_another_users_things() {
    let app = TestApp::start().await;
    let anonymous = Api::anonymous(&app);
    let carol = anonymous.with(&access(&register(&anonymous, "carol_matrix").await));
    let dave = anonymous.with(&access(&register(&anonymous, "dave_matrix").await));
    let secret = "Zanzibar";
    let made = carol
        .post(
            "/api/v1/conversations",
            json!({"title": format!("{secret} plans")}),
        )
        .await;
    let conversation = made.body["id"].as_str().unwrap().to_string();
    let asked = carol
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"content": format!("Can I deduct my {secret} trip?")}),
        )
        .await;
    assert_eq!(asked.status, 200, "{:?}", asked.body);
    let message = asked.body["message_id"].as_str().unwrap().to_string();
    let key = carol
        .post("/api/v1/keys", json!({"name": format!("{secret} key")}))
        .await;
    let key_id = key.body["id"].as_str().unwrap().to_string();

    let (_, document) = tally::server::http::rest::routes();
    let mut checked = 0;
    for (path, item) in document.paths.paths.iter() {
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
            (Method::PUT, item.put.is_some()),
        ];
        for (method, present) in methods {
            if !present {
                continue;
            }
            let at_conversation =
                |rest: &str| format!("/api/v1/conversations/{conversation}{rest}");
            let r = match (method.as_str(), path.as_str()) {
                // Public: an empty body is refused as a body, the same for everyone.
                ("POST", "/api/v1/auth/register") => {
                    row(method, path.clone(), Some(json!({})), 400, 400)
                }
                ("POST", "/api/v1/auth/login") => {
                    row(method, path.clone(), Some(json!({})), 400, 400)
                }
                ("POST", "/api/v1/auth/refresh") => {
                    row(method, path.clone(), Some(json!({})), 400, 400)
                }
                // Dave signing out with Carol's refresh token would end nothing; with his own token, his session.
                ("POST", "/api/v1/auth/logout") => row(
                    method,
                    path.clone(),
                    Some(json!({"refresh_token": "rt_not_his"})),
                    401,
                    401,
                ),
                ("GET", "/api/v1/me") => row(method, path.clone(), None, 401, 200),
                ("GET", "/api/v1/keys") => row(method, path.clone(), None, 401, 200),
                ("POST", "/api/v1/keys") => row(
                    method,
                    path.clone(),
                    Some(json!({"name": "dave's"})),
                    401,
                    201,
                ),
                ("DELETE", "/api/v1/keys/{id}") => {
                    row(method, format!("/api/v1/keys/{key_id}"), None, 401, 404)
                }
                ("GET", "/api/v1/conversations") => row(method, path.clone(), None, 401, 200),
                ("POST", "/api/v1/conversations") => {
                    row(method, path.clone(), Some(json!({})), 401, 201)
                }
                ("GET", "/api/v1/conversations/search") => {
                    row(method, format!("{path}?q={secret}"), None, 401, 200)
                }
                ("GET", "/api/v1/conversations/{id}") => {
                    row(method, at_conversation(""), None, 401, 404)
                }
                ("PATCH", "/api/v1/conversations/{id}") => row(
                    method,
                    at_conversation(""),
                    Some(json!({"title": "mine now"})),
                    401,
                    404,
                ),
                ("DELETE", "/api/v1/conversations/{id}") => {
                    row(method, at_conversation(""), None, 401, 404)
                }
                ("GET", "/api/v1/conversations/{id}/messages") => row(
                    method,
                    at_conversation(&format!("/messages?before={message}")),
                    None,
                    401,
                    404,
                ),
                ("POST", "/api/v1/conversations/{id}/messages") => row(
                    method,
                    at_conversation("/messages"),
                    Some(json!({"content": "what did carol ask?"})),
                    401,
                    404,
                ),
                ("GET", "/api/v1/conversations/{id}/export") => row(
                    method,
                    at_conversation("/export?format=json"),
                    None,
                    401,
                    404,
                ),
                ("GET", "/api/v1/models") => row(method, path.clone(), None, 401, 200),
                ("GET", "/api/v1/usage") => row(method, path.clone(), None, 401, 200),
                (method, path) => panic!("the matrix has no row for {method} {path}: add one"),
            };
            for (who, api, expected) in [
                ("nobody", &anonymous, r.nobody),
                ("dave", &dave, r.other_user),
            ] {
                let answer = api.send(r.method.clone(), &r.path, r.body.clone()).await;
                assert_eq!(
                    answer.status, expected,
                    "{who}: {} {} answered {:?}",
                    r.method, r.path, answer.body
                );
                assert!(
                    !answer.body.to_string().contains(secret),
                    "{who}: {} {} shows Carol's things: {:?}",
                    r.method,
                    r.path,
                    answer.body
                );
                if answer.status >= 400 {
                    assert!(
                        answer.body["correlation_id"].is_string(),
                        "{:?}",
                        answer.body
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 17, "only {checked} routes checked");
    // Carol's things are as they were.
    let still = carol
        .get(&format!("/api/v1/conversations/{conversation}"))
        .await;
    assert_eq!(still.status, 200);
    assert_eq!(still.body["title"], format!("{secret} plans"));
    assert_eq!(still.body["messages"].as_array().unwrap().len(), 2);
    assert_eq!(
        carol
            .get("/api/v1/keys")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
