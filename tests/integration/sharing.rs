//! Share links and PDF export: a user shares a conversation as it is now, anyone with the link reads it (the
//! disclaimer under every answer, no owner name or email, kept out of search engines), the owner revokes it in
//! Settings and it answers 404; guests cannot share; nobody shares or revokes what is not theirs.

use crate::support;

use serde_json::Value;
use support::{summarize, Browser, TestApp};

const PASSWORD: &str = "Shared-Ledger-42";
const DISCLAIMER_WORDS: &str = "does not constitute legal or financial advice";

async fn sign_up(browser: &Browser, username: &str) {
    let (reply, _) = browser
        .sign_up(username, &format!("{username}@example.com"), PASSWORD)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn share(browser: &Browser, conversation_id: &str) -> Value {
    let reply = browser
        .call("conversations/share", &[("id", conversation_id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// The shared page as someone without an account gets it: status, `X-Robots-Tag`, HTML.
async fn open(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.browser().get_page(path).await;
    let status = response.status().as_u16();
    let robots = response
        .headers()
        .get("x-robots-tag")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, robots, response.text().await.unwrap())
}

async fn shared_links(browser: &Browser) -> Vec<Value> {
    let settings = browser.call("account/settings", &[]).await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    settings.body["shared_links"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_shared_link_shows_the_conversation_as_it_was_to_anyone_until_it_is_revoked() {
    let app = TestApp::start().await;
    let carol = app.browser();
    sign_up(&carol, "carol").await;
    let first = summarize(
        &carol
            .ask(
                None,
                "Can I deduct a standing desk for my pelicanworks studio?",
            )
            .await,
    );
    let conversation = first.conversation_id.clone();

    let link = share(&carol, &conversation).await;
    let path = link["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("/s/") && path.len() == 3 + 32, "{path}");
    assert_eq!(link["conversation_id"], Value::String(conversation.clone()));

    let (status, robots, html) = open(&app, &path).await;
    assert_eq!(status, 200, "{html}");
    assert!(robots.contains("noindex"), "X-Robots-Tag: {robots:?}");
    assert!(html.contains(r#"<meta name="robots" content="noindex, nofollow""#));
    let title = link["title"].as_str().unwrap();
    assert!(
        html.contains(&format!("<title>{title} · Tally</title>")),
        "the conversation's title names the page"
    );
    assert!(
        html.contains(r#"<meta name="description" content="A conversation with Tally, the tax assistant for freelancers: Can I deduct a standing desk"#),
        "a description for link previews"
    );
    assert!(
        html.contains("pelicanworks studio"),
        "the question is shown"
    );
    assert_eq!(
        html.matches(DISCLAIMER_WORDS).count(),
        1,
        "the disclaimer under the one answer"
    );
    for private in ["carol@example.com", ">carol<", "id=\"composer\""] {
        assert!(!html.contains(private), "{private:?} is on the shared page");
    }

    // Asked after sharing: not on the link until shared again, which keeps the address.
    carol
        .ask(
            Some(&conversation),
            "And a second monitor for the pelicanworks desk?",
        )
        .await;
    let (_, _, html) = open(&app, &path).await;
    assert!(
        !html.contains("second monitor"),
        "the link shows the conversation as it was"
    );
    let again = share(&carol, &conversation).await;
    assert_eq!(
        again["path"],
        Value::String(path.clone()),
        "one link per conversation"
    );
    let (_, _, html) = open(&app, &path).await;
    assert!(html.contains("second monitor"));
    assert_eq!(
        html.matches(DISCLAIMER_WORDS).count(),
        2,
        "the disclaimer under every answer"
    );

    // Settings lists it, and revoking it ends it.
    let links = shared_links(&carol).await;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["path"], Value::String(path.clone()));
    let settings_page = carol.get_page("/settings").await.text().await.unwrap();
    assert!(settings_page.contains("Shared links") && settings_page.contains(&path));
    let share_id = links[0]["id"].as_str().unwrap();
    let (revoked, _) = carol
        .post_form("/settings/shares/revoke", &[("share_id", share_id)])
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert!(revoked.body["notice"].as_str().unwrap().contains("revoked"));
    let (status, _, html) = open(&app, &path).await;
    assert_eq!(status, 404);
    assert!(html.contains("This link does not work") && !html.contains("pelicanworks"));
    assert!(shared_links(&carol).await.is_empty());
    let (twice, _) = carol
        .post_form("/settings/shares/revoke", &[("share_id", share_id)])
        .await;
    assert_eq!(twice.status, 404, "a revoked link stays revoked");

    // Sharing again makes a new address; the old one stays dead.
    let fresh = share(&carol, &conversation).await;
    assert_ne!(fresh["path"], Value::String(path.clone()));
    assert_eq!(open(&app, &path).await.0, 404);
    assert_eq!(open(&app, fresh["path"].as_str().unwrap()).await.0, 200);
}

#[tokio::test]
async fn guests_cannot_share_and_nobody_shares_or_revokes_what_is_not_theirs() {
    let app = TestApp::start().await;
    let guest = app.browser();
    let guests = summarize(
        &guest
            .ask(None, "What is the mileage rate for ottertrucks?")
            .await,
    );
    let refused = guest
        .call("conversations/share", &[("id", &guests.conversation_id)])
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.error().code, "sign_in_required");
    assert!(!refused.error().correlation_id.is_empty());
    assert_eq!(app.count("share_links").await, 0);

    let carol = app.browser();
    sign_up(&carol, "carol").await;
    let carols = summarize(&carol.ask(None, "Is my emuranch a business?").await);
    let link = share(&carol, &carols.conversation_id).await;

    let dave = app.browser();
    sign_up(&dave, "dave").await;
    for id in [&carols.conversation_id, &guests.conversation_id] {
        let reply = dave.call("conversations/share", &[("id", id)]).await;
        assert_eq!(reply.status, 404, "{}", reply.body);
    }
    let (reply, _) = dave
        .post_form(
            "/settings/shares/revoke",
            &[("share_id", link["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(reply.status, 404);
    let (reply, _) = guest
        .post_form(
            "/settings/shares/revoke",
            &[("share_id", link["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        open(&app, link["path"].as_str().unwrap()).await.0,
        200,
        "still shared"
    );
    assert!(
        shared_links(&dave).await.is_empty(),
        "Dave sees none of Carol's links"
    );

    // Guessing: a conversation id, a near miss, junk.
    let token = link["path"].as_str().unwrap().trim_start_matches("/s/");
    let near_miss = format!(
        "{}{}",
        &token[..31],
        if token.ends_with('A') { 'B' } else { 'A' }
    );
    for guess in [
        carols.conversation_id.as_str(),
        near_miss.as_str(),
        "..%2F..%2Fetc",
    ] {
        let (status, _, html) = open(&app, &format!("/s/{guess}")).await;
        assert_eq!(
            status,
            404,
            "/s/{guess}: {}",
            &html[html.len().saturating_sub(2500)..]
        );
        assert!(!html.contains("emuranch"));
    }
    let reply = dave
        .call("shared/get", &[("token", &carols.conversation_id)])
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn deleting_the_conversation_or_the_account_ends_its_links() {
    let app = TestApp::start().await;
    let carol = app.browser();
    sign_up(&carol, "carol").await;
    let one = summarize(&carol.ask(None, "First llamafarm question").await);
    let two = summarize(&carol.ask(None, "Second llamafarm question").await);
    let first = share(&carol, &one.conversation_id).await;
    let second = share(&carol, &two.conversation_id).await;
    assert_eq!(shared_links(&carol).await.len(), 2);

    let deleted = carol
        .call("conversations/delete", &[("id", &one.conversation_id)])
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(open(&app, first["path"].as_str().unwrap()).await.0, 404);
    assert_eq!(shared_links(&carol).await.len(), 1);

    let (gone, _) = carol
        .post_form("/settings/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(open(&app, second["path"].as_str().unwrap()).await.0, 404);
    assert_eq!(app.count("share_links").await, 0, "no rows left behind");
}

#[tokio::test]
async fn a_conversation_exports_as_a_pdf_file() {
    let app = TestApp::start().await;
    let carol = app.browser();
    sign_up(&carol, "carol").await;
    let turn = summarize(
        &carol
            .ask(
                None,
                "When are quarterly estimates due for my yakyarn shop?",
            )
            .await,
    );
    carol
        .ask(Some(&turn.conversation_id), "Và tôi có cần nộp không?")
        .await;
    let response = carol
        .client
        .get(format!(
            "{}/api/conversations/{}/export?format=pdf",
            app.base_url, turn.conversation_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"tally-") && disposition.ends_with(".pdf\"")
    );
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF-"), "a PDF file");
    assert!(body.len() > 2_000, "{} bytes", body.len());

    let bad = carol
        .client
        .get(format!(
            "{}/api/conversations/{}/export?format=docx",
            app.base_url, turn.conversation_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let error: Value = bad.json().await.unwrap();
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("md, json or pdf"));
    let other = app.browser();
    let response = other
        .client
        .get(format!(
            "{}/api/conversations/{}/export?format=pdf",
            app.base_url, turn.conversation_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "nobody else's");
}
