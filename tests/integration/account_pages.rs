//! The account pages as a browser without the wasm gets them: server-rendered forms that post, come back with
//! every error next to its field (the values kept, never the password), and a chat page that greets the new user.

use crate::support;

use support::{Browser, TestApp};

const PASSWORD: &str = "Quarterly-Robin-8";

/// Posts a form like a browser without JavaScript: follows the redirect and returns the page it lands on.
async fn submit(browser: &Browser, path: &str, form: &[(&str, &str)]) -> (String, String) {
    let response = browser
        .client
        .post(format!("{}{path}", browser.base_url))
        .header("accept", "text/html")
        .header("origin", browser.base_url.clone())
        .form(form)
        .send()
        .await
        .expect("form post");
    assert_eq!(response.status(), 200, "the redirect lands on a page");
    let landed = response.url().path().to_string();
    (landed, response.text().await.unwrap())
}

#[tokio::test]
async fn the_sign_up_and_sign_in_pages_render_their_forms_and_a_guest_sees_the_links() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let html = browser.get_page("/signup").await.text().await.unwrap();
    for expected in [
        "Create your account",
        "<label for=\"field-username\"",
        ">Username<",
        ">Email<",
        ">Password<",
        "Create account",
        "action=\"/signup\"",
        "/human-check.js",
    ] {
        assert!(html.contains(expected), "{expected} missing from /signup");
    }
    let html = browser.get_page("/signin").await.text().await.unwrap();
    assert!(html.contains(">Username or email<") && html.contains("action=\"/signin\""));
    assert!(
        !html.contains("/human-check.js"),
        "no check before failed attempts"
    );

    let chat = browser.get_page("/").await.text().await.unwrap();
    assert!(chat.contains("href=\"/signin\"") && chat.contains("href=\"/signup\""));
    assert!(chat.contains("saved on this device only"));
    assert!(
        chat.contains("20 of 20 questions left today"),
        "the banner counts"
    );
    assert!(
        chat.contains(">Sign up</a>"),
        "the guest notice links to signing up"
    );

    let settings = browser.get_page("/settings").await.text().await.unwrap();
    assert!(settings.contains("Sign in to see your settings."));
}

#[tokio::test]
async fn a_rejected_form_comes_back_with_each_error_next_to_its_field_once() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let (landed, html) = submit(
        &browser,
        "/signup",
        &[
            ("username", "x y"),
            ("email", "kai@example.com"),
            ("password", "secret-words"),
        ],
    )
    .await;
    assert_eq!(landed, "/signup");
    assert!(html.contains("Please fix the problems below."));
    assert!(html.contains("Use only letters (a-z), digits and underscores."));
    assert!(html.contains("Add an upper-case letter."));
    assert!(html.contains("Add a digit."));
    assert!(
        html.contains("value=\"kai@example.com\""),
        "the email typed is kept"
    );
    assert!(html.contains("value=\"x y\""));
    assert!(
        !html.contains("secret-words"),
        "the password is never sent back"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("aria-describedby=\"field-username-hint field-username-error\""));
    // Said once.
    let again = browser.get_page("/signup").await.text().await.unwrap();
    assert!(!again.contains("Add a digit."));
}

#[tokio::test]
async fn signing_up_from_the_form_greets_the_user_and_settings_shows_the_account() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = support::summarize(
        &browser
            .ask(None, "Do I owe self-employment tax on $3,000?")
            .await,
    );
    let link = format!("href=\"/c/{}\"", turn.conversation_id);
    let human_check = browser.human_check().await;
    let (landed, html) = submit(
        &browser,
        "/signup",
        &[
            ("username", "kai"),
            ("email", "kai@example.com"),
            ("password", PASSWORD),
            ("human_check", &human_check),
        ],
    )
    .await;
    assert_eq!(landed, "/");
    assert!(
        html.contains("Welcome to Tally, kai!"),
        "the welcome notice"
    );
    assert!(html.contains("The conversation you started as a guest came along."));
    assert!(html.contains("id=\"user-menu-button\""));
    assert!(
        !html.contains("saved on this device only"),
        "no guest banner for users"
    );
    assert!(html.contains(&link), "the conversation is in the sidebar");

    let settings = browser.get_page("/settings").await.text().await.unwrap();
    for expected in [
        "Settings",
        "kai@example.com",
        "This device",
        "Usage",
        "Download my data",
        "Delete account",
        "1 question",
    ] {
        assert!(
            settings.contains(expected),
            "{expected} missing from /settings"
        );
    }
    let (landed, html) = submit(
        &browser,
        "/settings/password",
        &[("current_password", "wrong"), ("new_password", "x")],
    )
    .await;
    assert_eq!(landed, "/settings");
    assert!(html.contains("This is not your current password."));

    let (landed, html) = submit(&browser, "/signout", &[]).await;
    assert_eq!(landed, "/");
    assert!(html.contains("You are signed out."));
    assert!(html.contains("href=\"/signin\""));
    assert!(
        !html.contains(&link),
        "the account's history stays with the account"
    );
}

#[tokio::test]
async fn over_https_every_cookie_the_forms_set_is_secure() {
    let app = TestApp::start_with(None, |config| {
        config.public_url = "https://tally.example".into();
    })
    .await;
    let browser = app.browser();
    // A first page gives the guest its cookie; a failed sign-in leaves a read-once flash for the page it returns to.
    let page = browser.get_page("/").await;
    let mut cookies: Vec<String> = set_cookies(page.headers());
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/signin", browser.base_url))
        .header("accept", "text/html")
        .form(&[("login", "nobody_here"), ("password", PASSWORD)])
        .send()
        .await
        .expect("form post");
    assert_eq!(response.status(), 303);
    cookies.extend(set_cookies(response.headers()));
    let (reply, headers) = browser
        .sign_up("secure_sam", "sam@example.com", PASSWORD)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    cookies.extend(set_cookies(&headers));
    for name in ["tally_guest=", "tally_flash=", "__Host-tally_session="] {
        assert!(
            cookies.iter().any(|c| c.starts_with(name)),
            "no {name} cookie among {cookies:?}"
        );
    }
    for cookie in &cookies {
        assert!(
            cookie.split(';').any(|a| a.trim() == "Secure"),
            "not Secure over https: {cookie}"
        );
    }
}

fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}
