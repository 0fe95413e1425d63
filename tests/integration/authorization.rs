//! The authorization matrix: guest A, guest B, user C, user D and an admin call every server function and every
//! plain route on someone else's conversation, message, session or account. Each cell's status is asserted, and
//! nothing of the other's ever shows in a body. A server function or route without a row fails the test.

use crate::support;

use serde_json::{json, Value};
use support::{summarize, Browser, TestApp};
use tally::server::{
    http::serve::PLAIN_ROUTES,
    identity::{accounts::create_user, password::PasswordHashing},
    store::accounts::UserRole,
};

const PASSWORD: &str = "Matrix-Keeper-77";
/// 200 once the front end is built (`target/site`), 404 before: the same public file for everyone either way.
const SITE_BUILT: u16 = 0;

struct Actor {
    name: &'static str,
    browser: Browser,
}

/// Another owner's things an actor aims at.
struct Target {
    conversation_id: String,
    assistant_message_id: String,
    session_id: String,
    /// One of the other user's share links (Carol's, or Dave's when Carol is the one aiming).
    share_id: String,
    /// One of the other user's API keys.
    key_id: String,
    /// A word only in the target's conversation; no reply to anyone else may contain it.
    secret: &'static str,
}

async fn sign_up(browser: &Browser, username: &str) {
    let (reply, _) = browser
        .sign_up(username, &format!("{username}@example.com"), PASSWORD)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn share_of(browser: &Browser, conversation: &str) -> String {
    let shared = browser
        .call("conversations/share", &[("id", conversation)])
        .await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    shared.body["id"].as_str().unwrap().to_string()
}

async fn key_of(browser: &Browser) -> String {
    let (made, _) = browser
        .post_form(
            "/settings/keys/create",
            &[("name", "matrix key"), ("scope_read", "on")],
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.body["info"]["id"].as_str().unwrap().to_string()
}

async fn this_session(browser: &Browser) -> String {
    let settings = browser.call("account/settings", &[]).await;
    settings.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Status and body of one call of `endpoint` by `browser` aimed at `target`.
async fn call(app: &TestApp, endpoint: &str, browser: &Browser, target: &Target) -> (u16, String) {
    let conversation = target.conversation_id.as_str();
    let message = target.assistant_message_id.as_str();
    let form = |fields: &[(&str, &str)]| {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let server_fn = |path: &str, fields: Vec<(String, String)>| {
        browser
            .client
            .post(format!("{}{path}", app.base_url))
            .header("accept", "application/json")
            .form(&fields)
    };
    let request = match endpoint {
        "/api/models/list" | "/api/conversations/list" | "/api/tax/profile" | "/api/account/viewer"
        | "/api/account/flash" | "/api/account/settings" | "/api/admin/overview" => server_fn(endpoint, Vec::new()),
        "/api/conversations/messages" => {
            server_fn(endpoint, form(&[("id", conversation), ("before", message)]))
        }
        "/api/conversations/rename" => server_fn(endpoint, form(&[("id", conversation), ("title", "Mine now")])),
        "/api/conversations/pin" => server_fn(endpoint, form(&[("id", conversation), ("pinned", "true")])),
        "/api/conversations/archive" => server_fn(endpoint, form(&[("id", conversation), ("archived", "true")])),
        "/api/conversations/search" => server_fn(endpoint, form(&[("query", target.secret)])),
        "/api/conversations/get" | "/api/conversations/delete" | "/api/conversations/share" => {
            server_fn(endpoint, form(&[("id", conversation)]))
        }
        // A guess at a link: the conversation's id is not its token.
        "/api/shared/get" => server_fn(endpoint, form(&[("token", conversation)])),
        "/api/chat/stop" | "/api/chat/attach" | "/api/messages/switch" | "/api/messages/delete" => {
            server_fn(endpoint, form(&[("message_id", message)]))
        }
        // Changes only the caller's own profile: nobody names anyone else's.
        "/api/preferences/language" => server_fn(endpoint, form(&[("language", "vi")])),
        // Redirected to the conversation's page, which is not theirs.
        "POST /ask" => server_fn("/ask", form(&[("message", "Let me in"), ("conversation_id", conversation)])),
        "/api/tax/profile/save" => server_fn(
            endpoint,
            form(&[("tax_year", "2025"), ("filing_status", "single"), ("business_form", "sole_proprietor")]),
        ),
        "/api/chat/send" => browser.client.post(format!("{}{endpoint}", app.base_url)).json(
            &json!({"request": {"conversation_id": conversation, "content": "Let me in", "model": null}}),
        ),
        "/api/tax/calculate" => browser.client.post(format!("{}{endpoint}", app.base_url)).json(
            &json!({"input": {"calculator": "self_employment_tax", "tax_year": 2025, "net_profit": "$50,000"}}),
        ),
        "GET /healthz" => browser.client.get(format!("{}/healthz", app.base_url)),
        "GET /readyz" => browser.client.get(format!("{}/readyz", app.base_url)),
        "POST /api/v1/answer" => browser
            .client
            .post(format!("{}/api/v1/answer", app.base_url))
            .json(&json!({"conversation_id": conversation, "question": "Let me in"})),
        "GET /api/conversations/{id}/export" => browser
            .client
            .get(format!("{}/api/conversations/{conversation}/export?format=json", app.base_url)),
        "POST /signup" => server_fn("/signup", Vec::new()),
        "POST /signin" => server_fn("/signin", form(&[("login", "carol"), ("password", "Not-Her-Password-1")])),
        "POST /settings/email" => server_fn("/settings/email", form(&[("email", "not an email")])),
        "POST /settings/password" => server_fn(
            "/settings/password",
            form(&[("current_password", "Not-It-1"), ("new_password", "Brand-New-Secret-9")]),
        ),
        "POST /settings/sessions/revoke" => {
            server_fn("/settings/sessions/revoke", form(&[("session_id", &target.session_id)]))
        }
        "POST /settings/keys/create" => server_fn("/settings/keys/create", form(&[])),
        "POST /settings/keys/revoke" => {
            server_fn("/settings/keys/revoke", form(&[("key_id", &target.key_id)]))
        }
        "POST /settings/shares/revoke" => {
            server_fn("/settings/shares/revoke", form(&[("share_id", &target.share_id)]))
        }
        "POST /settings/delete" => server_fn("/settings/delete", form(&[("password", "Not-It-1")])),
        // A session id is nobody's user id: even the admin finds no such user.
        "POST /admin/users/status" | "POST /admin/users/role" => {
            let path = endpoint.trim_start_matches("POST ");
            let set = if path.ends_with("status") { "disabled" } else { "admin" };
            server_fn(path, form(&[("user_id", &target.session_id), ("set", set)]))
        }
        "POST /admin/limits" => server_fn("/admin/limits", form(&[("guest_questions_per_day", "lots")])),
        "GET /settings/export" => browser.client.get(format!("{}/settings/export", app.base_url)),
        "GET /auth/challenge" => browser.client.get(format!("{}/auth/challenge", app.base_url)),
        "GET /sw.js" => browser.client.get(format!("{}/sw.js", app.base_url)),
        "GET /offline" => browser.client.get(format!("{}/offline", app.base_url)),
        "POST /signout" => server_fn("/signout", Vec::new()),
        other => panic!("no request for {other}"),
    };
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Expected status per actor: guest A, guest B, user C, user D, admin. Sign-out comes last: it ends the sessions.
const MATRIX: &[(&str, [u16; 5])] = &[
    ("/api/models/list", [200; 5]),
    ("/api/conversations/list", [200; 5]),
    ("/api/conversations/messages", [404; 5]),
    ("/api/conversations/rename", [404; 5]),
    ("/api/conversations/pin", [404; 5]),
    ("/api/conversations/archive", [404; 5]),
    ("/api/conversations/search", [200; 5]),
    ("/api/conversations/get", [404; 5]),
    ("/api/conversations/delete", [404; 5]),
    ("/api/conversations/share", [401, 401, 404, 404, 404]),
    ("/api/shared/get", [404; 5]),
    ("/api/chat/send", [404; 5]),
    ("/api/chat/stop", [404; 5]),
    ("/api/chat/attach", [404; 5]),
    ("/api/messages/switch", [404; 5]),
    ("/api/messages/delete", [404; 5]),
    ("POST /ask", [404; 5]),
    ("/api/tax/profile", [200; 5]),
    ("/api/tax/profile/save", [200; 5]),
    ("/api/tax/calculate", [200; 5]),
    ("/api/account/viewer", [200; 5]),
    ("/api/account/flash", [200; 5]),
    ("/api/preferences/language", [200; 5]),
    ("/api/account/settings", [401, 401, 200, 200, 200]),
    ("/api/admin/overview", [404, 404, 404, 404, 200]),
    ("GET /healthz", [200; 5]),
    ("GET /readyz", [200; 5]),
    ("POST /api/v1/answer", [404; 5]),
    ("GET /api/conversations/{id}/export", [404; 5]),
    ("POST /signup", [400; 5]),
    ("POST /signin", [400; 5]),
    ("POST /settings/email", [401, 401, 400, 400, 400]),
    ("POST /settings/password", [401, 401, 400, 400, 400]),
    ("POST /settings/sessions/revoke", [401, 401, 404, 404, 404]),
    ("POST /settings/shares/revoke", [401, 401, 404, 404, 404]),
    // Without a name a key is refused as a form; another user's key is not found.
    ("POST /settings/keys/create", [401, 401, 400, 400, 400]),
    ("POST /settings/keys/revoke", [401, 401, 404, 404, 404]),
    ("POST /settings/delete", [401, 401, 400, 400, 400]),
    ("GET /settings/export", [401, 401, 200, 200, 200]),
    ("GET /auth/challenge", [200; 5]),
    ("POST /admin/users/status", [404; 5]),
    ("POST /admin/users/role", [404; 5]),
    ("POST /admin/limits", [404, 404, 404, 404, 400]),
    // Served once the front end is built (in CI the Rust tests run before it is): nothing private either way.
    ("GET /sw.js", [SITE_BUILT; 5]),
    ("GET /offline", [SITE_BUILT; 5]),
    ("POST /signout", [204; 5]),
];

#[tokio::test]
async fn nobody_reaches_anything_of_anyone_else() {
    // Every endpoint has a row.
    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    endpoints.extend(
        PLAIN_ROUTES
            .iter()
            .map(|(method, path)| format!("{method} {path}")),
    );
    endpoints.sort();
    endpoints.dedup();
    assert!(
        endpoints.iter().any(|e| e == "/api/chat/send"),
        "server functions are listed: {endpoints:?}"
    );
    let missing: Vec<&String> = endpoints
        .iter()
        .filter(|e| !MATRIX.iter().any(|(row, _)| row == e))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in the authorization matrix: {missing:?}"
    );

    // Every caller asks from 127.0.0.1: room for the whole matrix in the per-IP limit.
    let app = TestApp::start_with(Some(Default::default()), |config| {
        config.ip_requests_per_second = 1000
    })
    .await;
    let actors: Vec<Actor> = ["guest A", "guest B", "user C", "user D", "admin"]
        .into_iter()
        .map(|name| Actor {
            name,
            browser: app.browser(),
        })
        .collect();
    // A guest's conversation and a user's, each with a word nobody else has.
    let a = summarize(
        &actors[0]
            .browser
            .ask(None, "Alpha's question about zanzibarite income")
            .await,
    );
    sign_up(&actors[2].browser, "carol").await;
    sign_up(&actors[3].browser, "dave").await;
    let c = summarize(
        &actors[2]
            .browser
            .ask(None, "Carol's question about quokkafarm revenue")
            .await,
    );
    create_user(
        app.store().as_ref(),
        &PasswordHashing::new(1),
        "root",
        "root@example.com",
        PASSWORD,
        UserRole::Admin,
    )
    .await
    .unwrap();
    let signed_in = actors[4]
        .browser
        .client
        .post(format!("{}/signin", app.base_url))
        .header("accept", "application/json")
        .form(&[("login", "root"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let d = summarize(
        &actors[3]
            .browser
            .ask(None, "Dave's question about wombatworks invoices")
            .await,
    );
    let carol_share = share_of(&actors[2].browser, &c.conversation_id).await;
    let dave_share = share_of(&actors[3].browser, &d.conversation_id).await;
    let carol_key = key_of(&actors[2].browser).await;
    let dave_key = key_of(&actors[3].browser).await;
    let carol_session = this_session(&actors[2].browser).await;
    let dave_session = this_session(&actors[3].browser).await;
    let aim = |conversation: &support::Turn,
               session: &str,
               share: &str,
               key: &str,
               secret: &'static str| Target {
        conversation_id: conversation.conversation_id.clone(),
        assistant_message_id: conversation.assistant_message_id.clone(),
        session_id: session.to_string(),
        share_id: share.to_string(),
        key_id: key.to_string(),
        secret,
    };
    // Whose things each actor aims at: never its own.
    let targets = [
        aim(&c, &carol_session, &carol_share, &carol_key, "quokkafarm"),
        aim(&a, &carol_session, &carol_share, &carol_key, "zanzibarite"),
        aim(&a, &dave_session, &dave_share, &dave_key, "zanzibarite"),
        aim(&c, &carol_session, &carol_share, &carol_key, "quokkafarm"),
        aim(&c, &carol_session, &carol_share, &carol_key, "quokkafarm"),
    ];

    let mut wrong = Vec::new();
    for (endpoint, expected) in MATRIX {
        for (index, actor) in actors.iter().enumerate() {
            let target = &targets[index];
            let (status, body) = call(&app, endpoint, &actor.browser, target).await;
            let allowed = match expected[index] {
                SITE_BUILT => status == 200 || status == 404,
                code => status == code,
            };
            if !allowed {
                wrong.push(format!(
                    "{endpoint} by {}: {status} (expected {}) {}",
                    actor.name,
                    expected[index],
                    short(&body)
                ));
            }
            if body.contains(target.secret) {
                wrong.push(format!(
                    "{endpoint} by {} shows the other's {:?}",
                    actor.name, target.secret
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "authorization matrix:\n{}",
        wrong.join("\n")
    );
    // Nothing of the owners' changed.
    let alpha = actors[0]
        .browser
        .call("conversations/get", &[("id", &a.conversation_id)])
        .await;
    assert_eq!(alpha.status, 200, "Alpha still has her conversation");
    assert_ne!(alpha.body["title"], Value::String("Mine now".into()));
    assert_eq!(alpha.body["pinned"], false);
    assert_eq!(app.count("conversations").await, 3);
    assert_eq!(
        app.count("share_links WHERE revoked_at IS NULL").await,
        2,
        "both links still live"
    );
}

fn short(body: &str) -> String {
    body.chars().take(160).collect()
}
