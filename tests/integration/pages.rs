//! Server-rendered pages: what a browser receives before any script runs.

use crate::support;

use support::{summarize, TestApp};
use tally::model::DISCLAIMER;

#[tokio::test]
async fn the_chat_page_renders_with_disclaimer_starters_and_security_headers() {
    let app = TestApp::start().await;
    let page = app.browser().get_page("/").await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert!(headers.get("x-request-id").is_some());

    let html = page.text().await.unwrap();
    assert!(html.contains(DISCLAIMER), "the disclaimer is on the page");
    assert!(html.contains("aria-label=\"Suggested questions\""));
    assert!(html.contains("role=\"log\""));
    assert!(html.contains("aria-label=\"Conversations\""));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap_or("");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the response's nonce"
    );
}

#[tokio::test]
async fn a_conversation_link_renders_its_history_on_the_server() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(
        &browser
            .ask(None, "What is the standard mileage rate?")
            .await,
    );
    let page = browser
        .get_page(&format!("/c/{}", turn.conversation_id))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("What is the standard mileage rate?"));
    assert!(
        html.contains("<h2>Applicable tax categories</h2>"),
        "the answer is rendered markdown"
    );
    assert!(
        html.contains(&turn.finished.usage.unwrap().describe()),
        "usage is shown under the answer"
    );

    let stranger = app
        .browser()
        .get_page(&format!("/c/{}", turn.conversation_id))
        .await;
    assert_eq!(stranger.status(), 404);
    let html = stranger.text().await.unwrap();
    assert!(!html.contains("What is the standard mileage rate?"));
    assert!(html.contains("does not exist or is not yours"));
}

#[tokio::test]
async fn hostile_markdown_from_the_model_is_rendered_inert() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(&browser.ask(None, "Show me something [mock:xss]").await);
    assert!(
        turn.finished.content.contains("<script>"),
        "the model really sent it"
    );
    let html = turn.finished.html.to_lowercase();
    assert!(
        !html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"),
        "{html}"
    );
    let page = browser
        .get_page(&format!("/c/{}", turn.conversation_id))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("window.__xss=1\"") && !page.contains("<script>window.__xss"));
}

#[tokio::test]
async fn health_endpoints_answer() {
    let app = TestApp::start().await;
    let browser = app.browser();
    assert_eq!(
        browser.get_page("/healthz").await.text().await.unwrap(),
        "ok"
    );
    let ready = browser.get_page("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["database"],
        "ok"
    );
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = TestApp::start().await;
    let page = app.browser().get_page("/no/such/page").await;
    assert_eq!(page.status(), 404);
}

#[tokio::test]
async fn request_heads_up_to_8_kib_are_served_and_larger_ones_refused_with_431() {
    let app = TestApp::start().await;
    let client = reqwest::Client::new();
    let get_with_cookie = |bytes: usize| {
        client
            .get(format!("{}/healthz", app.base_url))
            .header("cookie", format!("other_app={}", "x".repeat(bytes)))
            .send()
    };
    // Other sites on the same domain may leave cookies behind: 6 KiB of them still get the page.
    assert_eq!(get_with_cookie(6 * 1024).await.unwrap().status(), 200);
    assert_eq!(get_with_cookie(9 * 1024).await.unwrap().status(), 431);
}
