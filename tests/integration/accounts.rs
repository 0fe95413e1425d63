//! Accounts end to end against the real server: sign-up rules, sign in and out without user enumeration,
//! sessions, the guest's history coming along (exactly once, even from two tabs), deleting an account, the
//! export, limits per tier with the 429 shape, throttled sign-ins, the proof of work, and cross-site refusal.

use crate::support;

use std::time::Instant;

use serde_json::Value;
use support::{summarize, Browser, Reply, TestApp};
use tally::server::{
    identity::{accounts::create_user, password::PasswordHashing},
    store::accounts::UserRole,
};

const PASSWORD: &str = "Ledger-Sparrow-42";

async fn sign_in(browser: &Browser, login: &str, password: &str) -> Reply {
    browser
        .post_form("/signin", &[("login", login), ("password", password)])
        .await
        .0
}

async fn viewer(browser: &Browser) -> Value {
    let reply = browser.call("account/viewer", &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn field_messages(reply: &Reply, field: &str) -> Vec<String> {
    reply.body["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .filter(|f| f["field"] == field)
                .map(|f| f["message"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn each_broken_sign_up_rule_is_named_next_to_its_field_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let (reply, _) = browser.sign_up("a!", "ann@", "password").await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(!reply.body["correlation_id"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
    assert_eq!(
        field_messages(&reply, "username").len(),
        2,
        "too short and a symbol: {}",
        reply.body
    );
    assert_eq!(field_messages(&reply, "email").len(), 1);
    let password = field_messages(&reply, "password");
    assert!(
        password.iter().any(|m| m.contains("upper-case")),
        "{password:?}"
    );
    assert!(password.iter().any(|m| m.contains("digit")), "{password:?}");
    assert!(
        password.iter().any(|m| m.contains("most common")),
        "{password:?}"
    );
    // Meets every character rule, but is on the list.
    let (common, _) = browser
        .sign_up("ann", "ann@example.com", "Password123")
        .await;
    assert_eq!(
        field_messages(&common, "password"),
        ["This password is one of the most common ones; choose another."]
    );
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn sign_up_signs_in_with_a_safe_cookie_and_names_are_unique_whatever_their_case() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let (reply, headers) = browser
        .sign_up("Ann_Lee", "Ann@Example.com", PASSWORD)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("tally_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Max-Age=2592000")
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("tally_guest=;") && c.contains("Max-Age=0")),
        "guest cookie ended"
    );
    assert_eq!(viewer(&browser).await["user"]["username"], "Ann_Lee");
    // Only the token's hash is stored.
    let token = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("tally_session=");
    use sqlx::Row;
    let stored: Vec<u8> = sqlx::query("SELECT token_hash FROM user_sessions")
        .fetch_one(&app.db)
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains(token));

    let other = app.browser();
    let (taken, _) = other
        .sign_up("ann_lee", "someone@example.com", PASSWORD)
        .await;
    assert_eq!(
        field_messages(&taken, "username"),
        ["This username is taken. Choose another."]
    );
    let (taken, _) = other.sign_up("someone", "ANN@example.COM", PASSWORD).await;
    assert_eq!(field_messages(&taken, "email").len(), 1);
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn sign_in_by_username_or_email_and_a_wrong_login_says_the_same_either_way() {
    let app = TestApp::start().await;
    app.browser()
        .sign_up("bea", "bea@example.com", PASSWORD)
        .await;
    let browser = app.browser();
    let by_email = sign_in(&browser, "BEA@example.com", PASSWORD).await;
    assert_eq!(by_email.status, 200, "{}", by_email.body);
    assert_eq!(viewer(&browser).await["user"]["username"], "bea");
    let (out, _) = browser.post_form("/signout", &[]).await;
    assert_eq!(out.status, 204);
    assert_eq!(viewer(&browser).await["user"], Value::Null, "signed out");

    let mut wrong_password = Vec::new();
    let mut unknown_user = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let wrong = sign_in(&app.browser(), "bea", "Wrong-Password-1").await;
        wrong_password.push(started.elapsed());
        let started = Instant::now();
        let unknown = sign_in(&app.browser(), "nobody", "Wrong-Password-1").await;
        unknown_user.push(started.elapsed());
        assert_eq!(wrong.status, 400);
        assert_eq!(unknown.status, wrong.status);
        assert_eq!(
            field_messages(&unknown, "form"),
            field_messages(&wrong, "form")
        );
        assert_eq!(
            field_messages(&wrong, "form"),
            ["That username or email and password do not match an account."]
        );
    }
    // Both paths run argon2 (a dummy hash for the unknown user): neither answers in a fraction of the other's time.
    let (wrong, unknown) = (
        wrong_password.iter().min().unwrap(),
        unknown_user.iter().min().unwrap(),
    );
    assert!(
        unknown.as_secs_f64() > wrong.as_secs_f64() / 3.0,
        "unknown user {unknown:?} vs wrong password {wrong:?}"
    );
    let by_username = sign_in(&browser, "Bea", PASSWORD).await;
    assert_eq!(by_username.status, 200);
}

#[tokio::test]
async fn a_session_signed_out_from_settings_is_over_and_a_new_password_signs_out_the_others() {
    let app = TestApp::start().await;
    let laptop = app.browser();
    laptop.sign_up("cal", "cal@example.com", PASSWORD).await;
    let phone = app.browser();
    let tablet = app.browser();
    assert_eq!(sign_in(&phone, "cal", PASSWORD).await.status, 200);
    assert_eq!(sign_in(&tablet, "cal", PASSWORD).await.status, 200);

    let settings = laptop.call("account/settings", &[]).await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    let sessions = settings.body["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 3);
    assert_eq!(
        sessions.iter().filter(|s| s["this_device"] == true).count(),
        1
    );
    let phone_settings = phone.call("account/settings", &[]).await;
    let phone_id = phone_settings.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (revoked, _) = laptop
        .post_form("/settings/sessions/revoke", &[("session_id", &phone_id)])
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        viewer(&phone).await["user"],
        Value::Null,
        "the phone is signed out"
    );
    // Another user cannot end Cal's sessions.
    let eve = app.browser();
    eve.sign_up("eve", "eve@example.com", PASSWORD).await;
    let laptop_id = sessions.iter().find(|s| s["this_device"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (refused, _) = eve
        .post_form("/settings/sessions/revoke", &[("session_id", &laptop_id)])
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(viewer(&laptop).await["user"]["username"], "cal");

    let (wrong, _) = laptop
        .post_form(
            "/settings/password",
            &[
                ("current_password", "nope"),
                ("new_password", "Another-Secret-7"),
            ],
        )
        .await;
    assert_eq!(
        field_messages(&wrong, "current_password"),
        ["This is not your current password."]
    );
    let (weak, _) = laptop
        .post_form(
            "/settings/password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    assert!(!field_messages(&weak, "new_password").is_empty());
    let (changed, _) = laptop
        .post_form(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Another-Secret-7"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        viewer(&tablet).await["user"],
        Value::Null,
        "the tablet is signed out"
    );
    assert_eq!(
        viewer(&laptop).await["user"]["username"],
        "cal",
        "this device stays"
    );
    assert_eq!(sign_in(&app.browser(), "cal", PASSWORD).await.status, 400);
    assert_eq!(
        sign_in(&app.browser(), "cal", "Another-Secret-7")
            .await
            .status,
        200
    );

    let (email, _) = laptop
        .post_form("/settings/email", &[("email", "eve@EXAMPLE.com")])
        .await;
    assert_eq!(
        field_messages(&email, "email"),
        ["Another account uses this email."]
    );
    let (email, _) = laptop
        .post_form("/settings/email", &[("email", "cal@new.example")])
        .await;
    assert_eq!(email.status, 200);
    assert_eq!(
        laptop.call("account/settings", &[]).await.body["email"],
        "cal@new.example"
    );
}

#[tokio::test]
async fn the_guests_history_and_tax_profile_come_along_and_show_on_another_browser() {
    let app = TestApp::start().await;
    let phone = app.browser();
    let first = summarize(&phone.ask(None, "Can I deduct my home office?").await);
    phone
        .ask(Some(&first.conversation_id), "And my internet bill?")
        .await;
    phone.ask(None, "When are quarterly estimates due?").await;
    let saved = phone
        .call(
            "tax/profile/save",
            &[
                ("tax_year", "2025"),
                ("filing_status", "married_joint"),
                ("business_form", "sole_proprietor"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.get("Ok").is_some(), "saved: {}", saved.body);

    let (reply, _) = phone.sign_up("dana", "dana@example.com", PASSWORD).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["moved_conversations"], 2);
    assert!(reply.body["notice"]
        .as_str()
        .unwrap()
        .contains("2 conversations"));
    let list = phone.call("conversations/list", &[]).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        phone.call("tax/profile", &[]).await.body["filing_status"],
        "married_joint"
    );
    // A new conversation follows the profile that came along (read with the session, not by the turn).
    let grounded = summarize(
        &phone
            .ask(None, "What is the self-employment tax rate?")
            .await,
    );
    assert_eq!(
        grounded.finished.grounding.expect("grounding").stamp,
        "Tax year 2025 · US federal · Sole proprietor"
    );

    let laptop = app.browser();
    assert_eq!(sign_in(&laptop, "dana", PASSWORD).await.status, 200);
    let list = laptop.call("conversations/list", &[]).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        3,
        "two from the guest, one since"
    );
    let opened = laptop
        .call("conversations/get", &[("id", &first.conversation_id)])
        .await;
    assert_eq!(opened.status, 200);
    assert_eq!(opened.body["messages"].as_array().unwrap().len(), 4);
    // The laptop continues the conversation; the phone sees the answer after a reload.
    laptop
        .ask(Some(&first.conversation_id), "What records should I keep?")
        .await;
    let reloaded = phone
        .call("conversations/get", &[("id", &first.conversation_id)])
        .await;
    assert_eq!(reloaded.body["messages"].as_array().unwrap().len(), 6);
    assert_eq!(
        app.count("conversations WHERE guest_session_id IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn two_tabs_signing_in_at_once_move_the_guests_history_exactly_once() {
    let app = TestApp::start().await;
    app.browser()
        .sign_up("eli", "eli@example.com", PASSWORD)
        .await;
    let guest = app.browser();
    for question in ["one", "two", "three"] {
        guest.ask(None, question).await;
    }
    let (a, b) = tokio::join!(
        sign_in(&guest, "eli", PASSWORD),
        sign_in(&guest, "eli", PASSWORD)
    );
    assert_eq!((a.status, b.status), (200, 200));
    let moved = a.body["moved_conversations"].as_u64().unwrap()
        + b.body["moved_conversations"].as_u64().unwrap();
    assert_eq!(moved, 3, "{} / {}", a.body, b.body);
    assert_eq!(
        app.count("conversations WHERE user_id IS NOT NULL").await,
        3
    );
    assert_eq!(app.count("conversations").await, 3);
    // Signing in again moves nothing more.
    assert_eq!(
        sign_in(&guest, "eli", PASSWORD).await.body["moved_conversations"],
        0
    );
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_and_leaves_no_row_behind() {
    let app = TestApp::start().await;
    let browser = app.browser();
    browser.ask(None, "A question asked as a guest").await;
    browser
        .call(
            "tax/profile/save",
            &[
                ("tax_year", "2025"),
                ("filing_status", "single"),
                ("business_form", "sole_proprietor"),
            ],
        )
        .await;
    browser.sign_up("fay", "fay@example.com", PASSWORD).await;
    browser.ask(None, "A question asked signed in").await;
    let other = app.browser();
    other.sign_up("gus", "gus@example.com", PASSWORD).await;
    other.ask(None, "Gus keeps his").await;

    let export = browser.get_page("/settings/export").await;
    assert_eq!(export.status(), 200);
    assert!(export.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let export: Value = export.json().await.unwrap();
    assert_eq!(export["username"], "fay");
    let conversations = export["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 2);
    assert!(conversations
        .iter()
        .all(|c| c["messages"].as_array().unwrap().len() == 2));
    assert!(!export.to_string().contains("Gus keeps his"));

    let (wrong, _) = browser
        .post_form("/settings/delete", &[("password", "not-it")])
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(app.count("users").await, 2);
    let (deleted, _) = browser
        .post_form("/settings/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("conversations").await, 1, "only Gus's");
    assert_eq!(app.count("messages").await, 2);
    assert_eq!(app.count("user_sessions").await, 1);
    assert_eq!(app.count("user_tax_profiles").await, 0);
    assert_eq!(app.count("tax_profiles").await, 0);
    assert_eq!(
        app.count("guest_sessions WHERE migrated_to_user_id IS NOT NULL")
            .await,
        0,
        "Fay's closed guest is gone too"
    );
    let gus_usage = app.count("usage_daily").await;
    assert_eq!(gus_usage, 1, "only Gus's usage is left");
    assert_eq!(viewer(&browser).await["user"], Value::Null);
}

#[tokio::test]
async fn each_tier_has_its_daily_allowance_and_the_limit_answers_429_with_retry_after() {
    let app = TestApp::start_with(Some(Default::default()), |c| {
        c.guest_messages_per_day = 2;
        c.user_messages_per_day = 3;
    })
    .await;
    let guest = app.browser();
    assert_eq!(viewer(&guest).await["remaining_today"], 2);
    guest.ask(None, "one").await;
    assert_eq!(viewer(&guest).await["remaining_today"], 1);
    guest.ask(None, "two").await;
    let response = guest
        .client
        .post(format!("{}/api/chat/send", guest.base_url))
        .json(&serde_json::json!({"request": {"conversation_id": null, "content": "three", "model": null}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "quota_exceeded");
    assert_eq!(body["retry_after_secs"], wait);
    assert!((1..=86_400).contains(&wait));
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("2 questions for today"),
        "{body}"
    );
    assert!(!body["correlation_id"].as_str().unwrap().is_empty());

    // Signing up carries today's count over: a user's allowance is 3, two already used.
    guest.sign_up("hal", "hal@example.com", PASSWORD).await;
    assert_eq!(viewer(&guest).await["remaining_today"], 1);
    guest.ask(None, "three").await;
    assert_eq!(
        guest.send(None, "four").await.expect_err("limited").status,
        429
    );

    let store = app.store().as_ref();
    create_user(
        store,
        &PasswordHashing::new(1),
        "root",
        "root@example.com",
        PASSWORD,
        UserRole::Admin,
    )
    .await
    .unwrap();
    let admin = app.browser();
    assert_eq!(sign_in(&admin, "root", PASSWORD).await.status, 200);
    assert_eq!(
        viewer(&admin).await["remaining_today"],
        Value::Null,
        "admins are not limited"
    );
    for n in 0..4 {
        admin.ask(None, &format!("admin question {n}")).await;
    }
    // Usage is kept per owner and day.
    let settings = admin.call("account/settings", &[]).await;
    assert_eq!(
        settings.body["usage_today"]["questions"], 4,
        "{}",
        settings.body
    );
    assert!(
        settings.body["usage_today"]["completion_tokens"]
            .as_i64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn a_guest_may_use_only_the_guest_models() {
    let app = TestApp::start_with(Some(Default::default()), |c| {
        c.guest_models = "mock/cheap-model".into()
    })
    .await;
    let guest = app.browser();
    let refused = guest
        .send_to_model(None, "hello", Some("mock/mock-model"))
        .await
        .expect_err("not for guests");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error().code, "model_not_allowed");
    let models = guest.call("models/list", &[]).await;
    assert_eq!(
        models.body["models"],
        serde_json::json!([]),
        "the configured model is not a guest's"
    );
    let user = app.browser();
    user.sign_up("ivy", "ivy@example.com", PASSWORD).await;
    assert!(user
        .send_to_model(None, "hello", Some("mock/mock-model"))
        .await
        .is_ok());
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_and_then_need_the_human_check() {
    let app = TestApp::start().await;
    app.browser()
        .sign_up("jo", "jo@example.com", PASSWORD)
        .await;
    let browser = app.browser();
    for _ in 0..3 {
        assert_eq!(
            sign_in(&browser, "jo", "Wrong-Password-1").await.status,
            400
        );
    }
    // From the third failure on, the form needs the check: without it even the right password is refused.
    let unchecked = sign_in(&browser, "jo", PASSWORD).await;
    assert_eq!(unchecked.status, 400);
    assert_eq!(
        field_messages(&unchecked, "human_check").len(),
        1,
        "{}",
        unchecked.body
    );
    for _ in 0..2 {
        let check = browser.human_check().await;
        let (reply, _) = browser
            .post_form(
                "/signin",
                &[
                    ("login", "jo"),
                    ("password", "Wrong-Password-1"),
                    ("human_check", &check),
                ],
            )
            .await;
        assert_eq!(reply.status, 400);
    }
    let (limited, headers) = browser
        .post_form("/signin", &[("login", "jo"), ("password", PASSWORD)])
        .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.body["code"], "too_many_attempts");
    assert!(headers.contains_key("retry-after"));
    assert!(limited.body["message"]
        .as_str()
        .unwrap()
        .contains("Too many attempts"));
}

#[tokio::test]
async fn a_proof_of_work_is_accepted_once_and_a_wrong_or_reused_one_is_refused() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let (missing, _) = browser
        .post_form(
            "/signup",
            &[
                ("username", "kim"),
                ("email", "kim@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(missing.status, 400);
    assert!(!field_messages(&missing, "human_check").is_empty());
    let (forged, _) = browser
        .post_form(
            "/signup",
            &[
                ("username", "kim"),
                ("email", "kim@example.com"),
                ("password", PASSWORD),
                ("human_check", "eyJmb28iOjF9"),
            ],
        )
        .await;
    assert_eq!(forged.status, 400);
    let check = browser.human_check().await;
    let (accepted, _) = browser
        .post_form(
            "/signup",
            &[
                ("username", "kim"),
                ("email", "kim@example.com"),
                ("password", PASSWORD),
                ("human_check", &check),
            ],
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let (replayed, _) = app
        .browser()
        .post_form(
            "/signup",
            &[
                ("username", "lou"),
                ("email", "lou@example.com"),
                ("password", PASSWORD),
                ("human_check", &check),
            ],
        )
        .await;
    assert_eq!(replayed.status, 400);
    assert!(field_messages(&replayed, "human_check")[0].contains("already used"));
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn a_cross_site_post_with_the_victims_cookie_is_refused() {
    let app = TestApp::start().await;
    let guest = app.browser();
    let turn = summarize(&guest.ask(None, "Mine").await);
    let forged = guest
        .client
        .post(format!("{}/api/conversations/delete", guest.base_url))
        .header("origin", "https://evil.example")
        .form(&[("id", turn.conversation_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(body["code"], "cross_site_request");
    assert!(!body["correlation_id"].as_str().unwrap().is_empty());
    assert_eq!(app.count("conversations").await, 1, "nothing deleted");
    let fetch_from_elsewhere = guest
        .client
        .post(format!("{}/signout", guest.base_url))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_from_elsewhere.status(), 403);
    let ours = guest
        .client
        .post(format!("{}/api/conversations/delete", guest.base_url))
        .header("origin", guest.base_url.clone())
        .form(&[("id", turn.conversation_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ours.status(), 200);
    assert_eq!(app.count("conversations").await, 0);
}

#[tokio::test]
async fn an_unreadable_body_answers_400_with_the_error_shape() {
    let app = TestApp::start().await;
    let reply = app
        .browser()
        .post_json("/api/chat/send", "{\"request\": {\"content\": ")
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let error = reply.error();
    assert_eq!(error.code, "validation_body");
    assert_eq!(error.correlation_id.len(), 8);
    assert!(
        !error.message.contains("EOF"),
        "no decoder internals: {}",
        error.message
    );
    let reply = app
        .browser()
        .post_json("/api/chat/send", "{\"unexpected\": 1}")
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
}

#[tokio::test]
async fn the_first_admin_is_made_from_the_command_line() {
    let app = TestApp::start().await;
    let run = |username: &str, password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tally"))
            .args([
                "admin",
                "create-user",
                "--username",
                username,
                "--email",
                &format!("{username}@example.com"),
                "--admin",
            ])
            .env("DATABASE_URL", &app.state.config.database_url)
            .env("DATA_DIR", &app.state.config.data_dir)
            .env("TALLY_ADMIN_PASSWORD", password)
            .env("RUST_LOG", "error")
            .output()
            .expect("tally runs")
    };
    let weak = run("ada", "password");
    assert!(!weak.status.success());
    assert!(
        String::from_utf8_lossy(&weak.stderr).contains("upper-case"),
        "{}",
        String::from_utf8_lossy(&weak.stderr)
    );
    let made = run("ada", PASSWORD);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stdout).contains("created admin ada"));
    let again = run("ADA", PASSWORD);
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        !again.status.success() && (said.contains("is taken") || said.contains("exists")),
        "{said}"
    );

    let browser = app.browser();
    assert_eq!(sign_in(&browser, "ada", PASSWORD).await.status, 200);
    let me = viewer(&browser).await;
    assert_eq!(me["user"]["is_admin"], true);
    assert_eq!(me["remaining_today"], Value::Null);
}
