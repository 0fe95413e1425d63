//! Guest identity and isolation: each browser sees only its own conversations.

use crate::support;

use support::{summarize, TestApp};

#[tokio::test]
async fn another_guest_can_neither_list_read_continue_nor_delete_a_conversation() {
    let app = TestApp::start().await;
    let alice = app.browser();
    let bob = app.browser();
    let turn = summarize(
        &alice
            .ask(None, "Alice's private question about her income")
            .await,
    );
    let id = turn.conversation_id.as_str();

    let list = bob.call("conversations/list", &[]).await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body["items"],
        serde_json::json!([]),
        "Bob sees nothing"
    );

    let read = bob.call("conversations/get", &[("id", id)]).await;
    assert_eq!(read.status, 404);
    assert_eq!(read.error().code, "not_found");
    assert!(!read.body.to_string().contains("Alice's private question"));

    let continued = bob.send(Some(id), "Let me in").await.expect_err("refused");
    assert_eq!(continued.status, 404);

    let stop = bob
        .call("chat/stop", &[("message_id", &turn.assistant_message_id)])
        .await;
    assert_eq!(stop.status, 404);

    let deleted = bob.call("conversations/delete", &[("id", id)]).await;
    assert_eq!(deleted.status, 404);

    let alice_list = alice.call("conversations/list", &[]).await;
    let items = &alice_list.body["items"];
    assert_eq!(
        items.as_array().map(Vec::len),
        Some(1),
        "Alice's conversation is intact"
    );
    assert_eq!(items[0]["id"], id);
    assert_eq!(items[0]["title"], turn.title.as_deref().unwrap_or_default());
    assert_eq!(items[0]["message_count"], 2);
}

#[tokio::test]
async fn a_guest_lists_newest_first_and_can_delete() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let older = summarize(&browser.ask(None, "Older question").await);
    let newer = summarize(&browser.ask(None, "Newer question").await);
    let list = browser.call("conversations/list", &[]).await;
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            newer.conversation_id.as_str(),
            older.conversation_id.as_str()
        ]
    );
    assert!(list.body["items"][0]["preview"]
        .as_str()
        .unwrap_or("")
        .starts_with("## Applicable tax categories"));

    let deleted = browser
        .call("conversations/delete", &[("id", &older.conversation_id)])
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let list = browser.call("conversations/list", &[]).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.count("messages").await,
        2,
        "the deleted conversation's messages are gone too"
    );
    let gone = browser
        .call("conversations/get", &[("id", &older.conversation_id)])
        .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn the_guest_cookie_is_signed_http_only_and_only_its_hash_is_stored() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let page = browser.get_page("/").await;
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tally_guest="))
        .expect("a guest cookie on the first visit")
        .to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Max-Age=2592000")
    );
    assert!(!cookie.contains("Secure"), "plain http in tests");
    assert_eq!(
        app.count("guest_sessions").await,
        0,
        "a page view alone stores nothing"
    );

    summarize(&browser.ask(None, "hello").await);
    assert_eq!(app.count("guest_sessions").await, 1);
    let value = cookie
        .trim_start_matches("tally_guest=")
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let token_part = value.split('.').next().unwrap_or("");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM guest_sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32, "a SHA-256 hash");
    assert!(!value.is_empty() && !String::from_utf8_lossy(&stored).contains(token_part));

    // A forged cookie is a new guest, not anyone's identity.
    let forged = reqwest::Client::new()
        .post(format!("{}/api/conversations/list", app.base_url))
        .header("cookie", format!("tally_guest={token_part}.AAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.json::<serde_json::Value>().await.unwrap()["items"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn bad_input_is_rejected_with_a_clear_error_and_nothing_is_stored() {
    let app = TestApp::start_with(Some(Default::default()), |c| c.max_message_chars = 100).await;
    let browser = app.browser();

    let empty = browser.send(None, "   \n ").await.expect_err("refused");
    assert_eq!(empty.status, 400);
    let error = empty.error();
    assert_eq!(error.code, "validation_empty");
    assert_eq!(error.correlation_id.len(), 8);

    let long = browser
        .send(None, &"a".repeat(101))
        .await
        .expect_err("refused");
    assert_eq!(long.status, 413);
    assert_eq!(long.error().code, "validation_too_long");
    assert!(long.error().message.contains("101") && long.error().message.contains("100"));

    let control = browser
        .send(None, "hi\u{0007}there")
        .await
        .expect_err("refused");
    assert_eq!(control.status, 400);
    assert_eq!(control.error().code, "validation_control_chars");

    let bad_id = browser
        .send(Some("not-a-uuid"), "hello")
        .await
        .expect_err("refused");
    assert_eq!(bad_id.status, 400);
    assert_eq!(bad_id.error().code, "invalid_id");

    assert_eq!(app.count("messages").await, 0);
    assert_eq!(app.count("conversations").await, 0);
    assert!(
        browser.send(None, &"a".repeat(100)).await.is_ok(),
        "exactly the limit is fine"
    );
}

#[tokio::test]
async fn guests_sending_too_fast_are_told_when_to_retry() {
    let app = TestApp::start_with(Some(Default::default()), |c| {
        c.guest_messages_per_minute = 2
    })
    .await;
    let browser = app.browser();
    browser.ask(None, "one").await;
    browser.ask(None, "two").await;
    let limited = browser.send(None, "three").await.expect_err("limited");
    assert_eq!(limited.status, 429);
    let error = limited.error();
    assert_eq!(error.code, "rate_limited");
    assert!(error
        .retry_after_secs
        .is_some_and(|s| (1..=60).contains(&s)));
    assert!(
        app.browser().send(None, "another guest").await.is_ok(),
        "limits are per guest"
    );
}
