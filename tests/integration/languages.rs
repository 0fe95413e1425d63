//! The interface in English and Vietnamese: chosen from the browser's languages, a cookie, or a signed-in user's
//! profile, and rendered that way by the server from the first byte.

use crate::support;

use support::TestApp;
use tally::{
    i18n::{Lang, EN, VI},
    model::DISCLAIMER,
};

const PASSWORD: &str = "Correct7horse";

async fn page_text(browser: &support::Browser, path: &str) -> String {
    let page = browser.get_page(path).await;
    assert_eq!(page.status(), 200);
    page.text().await.expect("page")
}

#[tokio::test]
async fn a_browser_that_prefers_vietnamese_gets_the_page_in_vietnamese() {
    let app = TestApp::start().await;
    let html = page_text(&app.browser_speaking("vi-VN,vi;q=0.9,en;q=0.5"), "/").await;
    assert!(
        html.contains("<html lang=\"vi\""),
        "the document says its language"
    );
    assert!(
        html.contains(VI.chat.send),
        "the Send button is in Vietnamese"
    );
    assert!(
        html.contains(VI.chat.disclaimer),
        "the disclaimer is in Vietnamese"
    );
    assert!(!html.contains(DISCLAIMER), "and not in English");
    assert!(html.contains(&format!("<title>{}</title>", VI.app.title)));

    let english = page_text(&app.browser_speaking("en-GB,en;q=0.9"), "/").await;
    assert!(english.contains("<html lang=\"en\""));
    assert!(
        english.contains(DISCLAIMER),
        "the English disclaimer is exactly as it was"
    );
    let unknown = page_text(&app.browser_speaking("de-DE,fr;q=0.8"), "/").await;
    assert!(
        unknown.contains("<html lang=\"en\""),
        "a language we lack falls back to English"
    );
}

#[tokio::test]
async fn the_cookie_a_browser_chose_wins_over_its_accept_language() {
    let app = TestApp::start().await;
    let browser = app.browser_speaking("vi");
    let page = browser
        .client
        .get(format!("{}/", browser.base_url))
        .header("cookie", "tally_lang=en")
        .send()
        .await
        .expect("page");
    let html = page.text().await.expect("page");
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains(EN.chat.send));
}

#[tokio::test]
async fn a_users_language_follows_them_to_another_device() {
    let app = TestApp::start().await;
    let phone = app.browser_speaking("en-US");
    let (reply, _) = phone.sign_up("linh", "linh@example.com", PASSWORD).await;
    assert!(reply.status < 400, "{:?}", reply.body);
    let saved = phone
        .call("preferences/language", &[("language", "vi")])
        .await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);

    // A laptop whose browser asks for English, with no cookie of its own.
    let laptop = app.browser_speaking("en-US");
    let (signed_in, _) = laptop
        .post_form("/signin", &[("login", "linh"), ("password", PASSWORD)])
        .await;
    assert!(signed_in.status < 400, "{:?}", signed_in.body);
    let html = page_text(&laptop, "/settings").await;
    assert!(
        html.contains("<html lang=\"vi\""),
        "the profile's language wins"
    );
    assert!(
        html.contains(VI.settings.title),
        "Settings is in Vietnamese"
    );
}

#[tokio::test]
async fn a_language_we_do_not_have_is_refused_clearly() {
    let app = TestApp::start().await;
    let reply = app
        .browser()
        .call("preferences/language", &[("language", "klingon")])
        .await;
    assert_eq!(reply.status, 400);
    let error = reply.error();
    assert_eq!(error.code, "validation_field");
    assert!(error.message.contains("en, vi"), "{}", error.message);
    assert!(!error.correlation_id.is_empty());
}

#[tokio::test]
async fn errors_of_server_functions_speak_the_pages_language() {
    let app = TestApp::start().await;
    let reply = app
        .browser_speaking("vi")
        .call(
            "conversations/messages",
            &[("id", "not-an-id"), ("before", "x")],
        )
        .await;
    assert_eq!(reply.status, 400);
    let error = reply.error();
    assert_eq!(
        error.code, "invalid_id",
        "the code stays the same in every language"
    );
    assert_eq!(error.message, VI.errors.invalid_id);
    assert_eq!(Lang::from_accept_language("vi"), Some(Lang::Vi));
}
