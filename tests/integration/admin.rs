//! The admin dashboard: only admins reach it (404 for everyone else, page and endpoints alike); it shows usage per
//! day, model and tier, guests today and providers' errors; admins disable, enable and promote users and change the
//! daily limits while the server runs (every replica reads them).

use crate::support;

use std::sync::Arc;

use serde_json::Value;
use support::{summarize, Browser, TestApp};
use tally::server::{
    identity::{
        accounts::create_user,
        caller::Tier,
        limits::{InProcessCounters, Limits, TierLimits},
        password::PasswordHashing,
    },
    store::accounts::UserRole,
};

const PASSWORD: &str = "Admin-Ledger-2026";

async fn sign_up(browser: &Browser, username: &str) {
    let (reply, _) = browser
        .sign_up(username, &format!("{username}@example.com"), PASSWORD)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn sign_in(browser: &Browser, login: &str) -> support::Reply {
    browser
        .post_form("/signin", &[("login", login), ("password", PASSWORD)])
        .await
        .0
}

/// An admin made the way the first one is (`tally admin create-user --admin`), signed in.
async fn admin(app: &TestApp) -> Browser {
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
    let browser = app.browser();
    assert_eq!(sign_in(&browser, "root").await.status, 200);
    browser
}

async fn overview(browser: &Browser, query: &str) -> Value {
    let reply = browser.call("admin/overview", &[("query", query)]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn user_named<'a>(overview: &'a Value, username: &str) -> &'a Value {
    overview["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} not listed: {}", overview["users"]))
}

#[tokio::test]
async fn only_admins_reach_the_dashboard_and_it_shows_usage_per_day_model_and_tier() {
    let app = TestApp::start().await;
    let guest = app.browser();
    summarize(
        &guest
            .ask(None, "What is the mileage rate for my kiwi deliveries?")
            .await,
    );
    summarize(
        &guest
            .ask(None, "Do I file Schedule C for kiwi deliveries?")
            .await,
    );
    let carol = app.browser();
    sign_up(&carol, "carol").await;
    summarize(
        &carol
            .ask(None, "When is the next quarterly payment due?")
            .await,
    );

    for (who, browser) in [("a guest", &guest), ("a user", &carol)] {
        let reply = browser.call("admin/overview", &[]).await;
        assert_eq!(reply.status, 404, "{who}: {}", reply.body);
        let page = browser.get_page("/admin").await;
        assert_eq!(
            page.status(),
            404,
            "{who} gets the page that does not exist"
        );
        let html = page.text().await.unwrap();
        assert!(!html.contains("Usage, last 30 days") && !html.contains("Daily limits"));
    }

    let root = admin(&app).await;
    let data = overview(&root, "").await;
    let days = data["days"].as_array().unwrap();
    assert_eq!(days.len(), 30, "every day of the last 30, quiet ones too");
    let today = days.last().unwrap();
    assert_eq!(today["guest_questions"], 2);
    assert_eq!(today["user_questions"], 1);
    assert!(today["prompt_tokens"].as_i64().unwrap() > 0);
    assert!(days[..29].iter().all(|d| d["guest_questions"] == 0));
    let tiers: Vec<(String, i64)> = data["per_tier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["totals"]["questions"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tiers,
        vec![("Guests".to_string(), 2), ("Users".to_string(), 1)]
    );
    let models = data["per_model"].as_array().unwrap();
    assert_eq!(models.len(), 1);
    assert!(
        models[0]["name"].as_str().unwrap().starts_with("mock/"),
        "{}",
        models[0]
    );
    assert_eq!(
        data["charts"]["questions"]["summary"].as_str().unwrap(),
        format!(
            "3 questions in 30 days; the busiest day was {} with 3.",
            today["day"].as_str().unwrap()
        )
    );
    assert!(data["guests_today"].as_i64().unwrap() >= 1);
    let providers = data["providers"].as_array().unwrap();
    assert_eq!(providers[0]["name"], "mock");
    assert_eq!(providers[0]["attempts"], 3);
    assert_eq!(providers[0]["errors"], 0);
    assert_eq!(data["limits"][0]["tier"], "guest");

    let page = root.get_page("/admin").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "<h1",
        ">Admin<",
        "Usage, last 30 days",
        "Questions per day: the numbers as a table",
        "Guests active today:",
        "Providers, last hour",
        "Daily limits",
        "Guests: questions per day",
    ] {
        assert!(html.contains(expected), "{expected:?} missing from /admin");
    }
    assert_eq!(
        html.matches(r#"role="img""#).count(),
        3,
        "three charts, each an image with a title"
    );
    assert!(html.contains("carol@example.com"), "users are listed");
}

#[tokio::test]
async fn admins_disable_enable_and_promote_users_but_never_themselves() {
    let app = TestApp::start().await;
    let carol = app.browser();
    sign_up(&carol, "carol").await;
    let dave = app.browser();
    sign_up(&dave, "dave").await;
    let root = admin(&app).await;

    let found = overview(&root, "CAR").await;
    assert_eq!(
        found["users"].as_array().unwrap().len(),
        1,
        "search by part of a name, any case"
    );
    let carol_id = user_named(&found, "carol")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        overview(&root, "dave@example").await["users"][0]["username"],
        "dave"
    );
    assert_eq!(
        overview(&root, "%").await["users"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "LIKE syntax is literal"
    );

    let (disabled, _) = root
        .post_form(
            "/admin/users/status",
            &[("user_id", &carol_id), ("set", "disabled")],
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(
        disabled.body["notice"],
        "carol is disabled and signed out everywhere."
    );
    let viewer = carol.call("account/viewer", &[]).await;
    assert!(viewer.body["user"].is_null(), "Carol's session ended");
    let refused = sign_in(&app.browser(), "carol").await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body["code"], "account_disabled");
    let wrong = app
        .browser()
        .post_form(
            "/signin",
            &[("login", "carol"), ("password", "Not-Her-Password-1")],
        )
        .await
        .0;
    assert_eq!(
        wrong.status, 400,
        "a wrong password says nothing about the account being disabled"
    );
    assert_eq!(
        user_named(&overview(&root, "").await, "carol")["disabled"],
        true
    );

    let (enabled, _) = root
        .post_form(
            "/admin/users/status",
            &[("user_id", &carol_id), ("set", "active")],
        )
        .await;
    assert_eq!(enabled.status, 200);
    let carol = app.browser();
    assert_eq!(sign_in(&carol, "carol").await.status, 200);

    assert_eq!(carol.call("admin/overview", &[]).await.status, 404);
    let (promoted, _) = root
        .post_form(
            "/admin/users/role",
            &[("user_id", &carol_id), ("set", "admin")],
        )
        .await;
    assert_eq!(promoted.status, 200);
    assert_eq!(promoted.body["notice"], "carol is an admin now.");
    assert_eq!(
        carol.call("admin/overview", &[]).await.status,
        200,
        "the role counts at once"
    );

    let root_id = user_named(&overview(&root, "root").await, "root")["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (path, set) in [
        ("/admin/users/status", "disabled"),
        ("/admin/users/role", "user"),
    ] {
        let (refused, _) = root
            .post_form(path, &[("user_id", &root_id), ("set", set)])
            .await;
        assert_eq!(refused.status, 400, "{path}");
        assert_eq!(
            refused.body["message"],
            "You cannot disable yourself or remove your own admin role."
        );
    }
    let (bad, _) = root
        .post_form(
            "/admin/users/status",
            &[("user_id", &carol_id), ("set", "banished")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let (nobody, _) = root
        .post_form(
            "/admin/users/status",
            &[
                ("user_id", &uuid::Uuid::now_v7().to_string()),
                ("set", "disabled"),
            ],
        )
        .await;
    assert_eq!(nobody.status, 404);
    let (not_admin, _) = dave
        .post_form(
            "/admin/users/status",
            &[("user_id", &carol_id), ("set", "disabled")],
        )
        .await;
    assert_eq!(not_admin.status, 404, "not there for a user");
    assert_eq!(
        user_named(&overview(&root, "").await, "carol")["disabled"],
        false
    );
}

#[tokio::test]
async fn daily_limits_change_while_the_server_runs_and_every_replica_reads_them() {
    let app = TestApp::start().await;
    let root = admin(&app).await;
    let limits = |guest_questions: &str| {
        [
            ("guest_questions_per_day", guest_questions.to_string()),
            ("guest_tokens_per_day", "1000000".to_string()),
            ("user_questions_per_day", "7".to_string()),
            ("user_tokens_per_day", "2,000,000".to_string()),
        ]
    };
    let form = limits("lots");
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (invalid, _) = root.post_form("/admin/limits", &fields).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(
        invalid.body["fields"][0]["field"],
        "guest_questions_per_day"
    );
    assert_eq!(
        invalid.body["fields"][0]["message"],
        "Enter a whole number from 0 to 1000000."
    );
    assert_eq!(
        app.count("tier_limits").await,
        0,
        "nothing saved from a form with an error"
    );

    let form = limits("1");
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (saved, _) = root.post_form("/admin/limits", &fields).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["notice"], "The daily limits are saved.");
    let shown = overview(&root, "").await;
    assert_eq!(shown["limits"][0]["questions_per_day"], 1);
    assert_eq!(shown["limits"][1]["questions_per_day"], 7);
    assert_eq!(shown["limits"][1]["tokens_per_day"], 2_000_000);

    let guest = app.browser();
    let viewer = guest.call("account/viewer", &[]).await;
    assert_eq!(
        viewer.body["per_day"], 1,
        "the banner counts from the new limit"
    );
    summarize(
        &guest
            .ask(None, "One question about my otter sitting business")
            .await,
    );
    let refused = guest
        .send(None, "And a second one?")
        .await
        .expect_err("over the new limit");
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["code"], "quota_exceeded");

    // Another replica (or this one after a restart) starts from the settings and reads what the admin saved.
    let started = TierLimits {
        questions_per_day: 20,
        ..TierLimits::unlimited(4000, 8000)
    };
    let replica = Limits::new(
        started.clone(),
        started.clone(),
        TierLimits::unlimited(4000, 8000),
        Arc::new(InProcessCounters::default()),
    );
    replica.load_daily(app.store().as_ref()).await.unwrap();
    assert_eq!(replica.for_tier(Tier::Guest).questions_per_day, 1);
    assert_eq!(replica.for_tier(Tier::User).questions_per_day, 7);
    assert_eq!(
        replica.for_tier(Tier::User).max_question_chars,
        4000,
        "only the daily limits change"
    );

    let user = app.browser();
    sign_up(&user, "erin").await;
    assert_eq!(
        user.post_form("/admin/limits", &fields).await.0.status,
        404,
        "not there for a user"
    );
}
