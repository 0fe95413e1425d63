//! Grounded tax answers end to end, against the real server and the mock OpenAI upstream: the year's passages are
//! retrieved, cited and listed with their sources; the profile sets the year and the stamp; a figure the sources
//! lack is marked; the calculators compute exactly.

use crate::support;

use serde_json::json;
use support::{summarize, TestApp};
use tally::model::{tax::Grounding, TurnEvent};

fn grounding_of(events: &[TurnEvent]) -> Grounding {
    events
        .iter()
        .find_map(|e| match e {
            TurnEvent::Grounded { grounding, .. } => Some((**grounding).clone()),
            _ => None,
        })
        .expect("a Grounded event")
}

#[tokio::test]
async fn a_tax_question_is_answered_from_the_years_passages_and_cites_them() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let events = browser
        .ask(None, "What is the self-employment tax rate for 2025?")
        .await;
    // The stamp and sources arrive before the first token.
    let grounded_at = events
        .iter()
        .position(|e| matches!(e, TurnEvent::Grounded { .. }));
    let first_token = events
        .iter()
        .position(|e| matches!(e, TurnEvent::Token { .. }));
    assert!(grounded_at < first_token, "{events:?}");
    let grounding = grounding_of(&events);
    assert_eq!(
        grounding.stamp,
        "Tax year 2025 · US federal · Sole proprietor"
    );
    assert!(!grounding.sources.is_empty());
    assert!(grounding.sources.iter().all(|s| s.tax_year == 2025));
    assert!(
        grounding
            .sources
            .iter()
            .any(|s| s.passage_id.starts_with("se-")),
        "{:?}",
        grounding.sources
    );
    assert!(grounding
        .sources
        .iter()
        .all(|s| s.url.starts_with("https://www.irs.gov/")
            || s.url.starts_with("https://www.ssa.gov/")
            || s.url.starts_with("https://www.law.cornell.edu/")));

    let turn = summarize(&events);
    assert!(
        turn.finished.content.contains("[1]"),
        "{}",
        turn.finished.content
    );
    assert!(
        turn.finished.content.contains("15.3"),
        "{}",
        turn.finished.content
    );
    let stored = turn.finished.grounding.expect("stored with the answer");
    assert_eq!(stored.sources, grounding.sources);
    assert!(
        stored.unsupported_figures.is_empty(),
        "{:?}",
        stored.unsupported_figures
    );

    // The model was told to answer from numbered sources.
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    let context = requests[0]["messages"][1]["content"].as_str().unwrap_or("");
    assert!(context.contains("[1] "), "{context}");
    assert!(context.contains("tax year 2025"), "{context}");

    // Reopening the conversation shows the same sources; the export lists them.
    let opened = browser
        .call("conversations/get", &[("id", &turn.conversation_id)])
        .await;
    let answer = &opened.body["messages"][1];
    assert_eq!(answer["grounding"]["stamp"], grounding.stamp);
    let exported = browser
        .get_page(&format!(
            "/api/conversations/{}/export?format=md",
            turn.conversation_id
        ))
        .await
        .text()
        .await
        .expect("markdown");
    assert!(exported.contains("**Sources**"), "{exported}");
    assert!(exported.contains(&grounding.sources[0].url), "{exported}");
    assert!(exported.contains("_Tax year 2025 · US federal · Sole proprietor_"));
}

#[tokio::test]
async fn the_profile_sets_the_year_and_a_follow_up_keeps_the_conversations_year() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let saved = browser
        .call(
            "tax/profile/save",
            &[
                ("tax_year", "2026"),
                ("filing_status", "married_joint"),
                ("business_form", "single_member_llc"),
                ("state", "Oregon"),
                ("has_w2_wages", "true"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["Ok"]["tax_year"], 2026);
    let profile = browser.call("tax/profile", &[]).await;
    assert_eq!(profile.body["state"], "Oregon");
    assert_eq!(profile.body["saved"], true);

    let first = browser
        .ask(
            None,
            "What is the Social Security wage base for self-employment tax?",
        )
        .await;
    let grounding = grounding_of(&first);
    assert_eq!(
        grounding.stamp,
        "Tax year 2026 · US federal · Single-member LLC"
    );
    assert!(
        grounding
            .sources
            .iter()
            .any(|s| s.passage_id == "se-wage-base-2026"),
        "{:?}",
        grounding.sources
    );
    assert!(grounding
        .sources
        .iter()
        .all(|s| !s.passage_id.ends_with("-2025")));

    // "And for 2025?" names the year: the older figures, stamped 2025.
    let turn = summarize(&first);
    let second = browser
        .ask(Some(&turn.conversation_id), "And for 2025?")
        .await;
    let grounding = grounding_of(&second);
    assert_eq!(grounding.tax_year, 2025);
    assert!(
        grounding
            .sources
            .iter()
            .any(|s| s.passage_id == "se-wage-base-2025"),
        "{:?}",
        grounding.sources
    );

    // An invalid field is named and nothing changes.
    let refused = browser
        .call(
            "tax/profile/save",
            &[
                ("tax_year", "2019"),
                ("filing_status", "single"),
                ("business_form", "sole_proprietor"),
            ],
        )
        .await;
    assert_eq!(refused.body["Err"]["field"], "tax_year");
    assert_eq!(
        browser.call("tax/profile", &[]).await.body["tax_year"],
        2026
    );
}

#[tokio::test]
async fn a_figure_in_none_of_the_sources_is_marked_stored_and_named() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(
        &browser
            .ask(
                None,
                "What is the self-employment tax rate for 2025? [mock:hallucinate]",
            )
            .await,
    );
    let grounding = turn.finished.grounding.expect("grounding");
    assert_eq!(grounding.unsupported_figures, ["18.7 %"]);
    assert!(
        turn.finished.html.contains("class=\"unsourced\""),
        "{}",
        turn.finished.html
    );
    assert!(turn
        .finished
        .html
        .contains("18.7 %<span class=\"sr-only\"> (not in the sources)</span>"));
    // The JSON answer names them too.
    let reply = browser
        .post_json(
            "/api/v1/answer",
            &json!({"question": "SE tax rate for 2025? [mock:hallucinate]"}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["unsupported_figures"], json!(["18.7 %"]));
    assert!(reply.body["sources"][0]["url"]
        .as_str()
        .unwrap_or("")
        .starts_with("https://"));
    assert_eq!(
        reply.body["tax_stamp"],
        "Tax year 2025 · US federal · Sole proprietor"
    );
}

#[tokio::test]
async fn a_question_with_no_passage_gets_no_sources_and_the_model_is_told_to_give_no_figures() {
    let app = TestApp::start().await;
    let turn = summarize(&app.browser().ask(None, "zxqv blorf quux?").await);
    let grounding = turn.finished.grounding.expect("grounding");
    assert!(grounding.sources.is_empty());
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    let context = requests[0]["messages"][1]["content"].as_str().unwrap_or("");
    assert!(
        context.contains("no passage that answers this question"),
        "{context}"
    );
    assert!(turn.finished.content.contains("does not cover"));
}

#[tokio::test]
async fn a_calculation_question_is_computed_and_cited_after_the_passages() {
    let app = TestApp::start().await;
    let turn = summarize(
        &app.browser()
            .ask(
                None,
                "What is my self-employment tax on $50,000 of net profit for 2025?",
            )
            .await,
    );
    let grounding = turn.finished.grounding.expect("grounding");
    let calculation = grounding.calculations.first().expect("a calculation");
    assert_eq!(calculation.calculator, "self_employment_tax");
    assert!(
        calculation
            .steps
            .iter()
            .any(|s| s.contains("92.35 % of $50,000.00 = $46,175.00")),
        "{:?}",
        calculation.steps
    );
    assert!(
        calculation.lines.iter().any(|l| l.value == "$7,064.78"),
        "{:?}",
        calculation.lines
    );
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    let context = requests[0]["messages"][1]["content"].as_str().unwrap_or("");
    let number = grounding.sources.len() + 1;
    assert!(
        context.contains(&format!("[{number}] Calculation: ")),
        "{context}"
    );
}

#[tokio::test]
async fn a_vietnamese_question_gets_its_calculation_card_in_vietnamese() {
    let app = TestApp::start().await;
    let turn = summarize(
        &app.browser()
            .ask(
                None,
                "Thuế tự doanh của tôi trên $50,000 lợi nhuận ròng năm 2025 là bao nhiêu?",
            )
            .await,
    );
    let grounding = turn.finished.grounding.expect("grounding");
    let calculation = grounding.calculations.first().expect("a calculation");
    assert_eq!(calculation.calculator, "self_employment_tax");
    assert_eq!(calculation.title, "Thuế tự doanh, 2025");
    // The figures are the same in every language.
    assert!(
        calculation.lines.iter().any(|l| l.value == "$7,064.78"),
        "{:?}",
        calculation.lines
    );
}

#[tokio::test]
async fn the_calculators_endpoint_shows_each_step_and_names_a_bad_field() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let reply = browser
        .post_json(
            "/api/tax/calculate",
            &json!({"input": {"calculator": "self_employment_tax", "tax_year": 2025, "net_profit": "$50,000"}}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let steps = reply.body["Ok"]["steps"].to_string();
    assert!(
        steps.contains("92.35 % of $50,000.00 = $46,175.00"),
        "{steps}"
    );
    let bad = browser
        .post_json(
            "/api/tax/calculate",
            &json!({"input": {"calculator": "mileage", "tax_year": 2026, "business_miles": "lots"}}).to_string(),
        )
        .await;
    assert_eq!(bad.body["Err"]["field"], "business_miles", "{}", bad.body);
}

#[tokio::test]
async fn the_model_calls_a_calculator_and_the_result_is_a_card_it_cites() {
    let app = TestApp::start().await;
    let events = app
        .browser()
        .ask(
            None,
            "Work out my SE tax on $80,000 of profit for 2026 [mock:tool]",
        )
        .await;
    let turn = summarize(&events);
    let grounding = turn.finished.grounding.clone().expect("grounding");
    let card = grounding
        .calculations
        .iter()
        .find(|c| c.calculator == "self_employment_tax")
        .expect("the calculator's card");
    assert_eq!(card.tax_year, 2026);
    assert!(
        card.steps
            .iter()
            .any(|s| s.contains("92.35 % of $80,000.00 = $73,880.00")),
        "{:?}",
        card.steps
    );
    let number = grounding.sources.len() + grounding.calculations.len();
    assert!(
        turn.finished.content.contains(&format!("[{number}]")),
        "{}",
        turn.finished.content
    );
    assert!(
        grounding.unsupported_figures.is_empty(),
        "{:?}",
        grounding.unsupported_figures
    );
    // The model was offered the calculators, then given the result with the number to cite.
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    assert!(requests[0]["tools"]
        .as_array()
        .is_some_and(|t| t.len() >= 7));
    let tool_message = requests
        .iter()
        .flat_map(|r| r["messages"].as_array().cloned().unwrap_or_default())
        .find(|m| m["role"] == "tool")
        .expect("a tool message");
    assert!(tool_message["content"]
        .as_str()
        .unwrap_or("")
        .contains(&format!("cite it as [{number}]")));
    // The card arrived while the answer was being written, in a second Grounded event.
    let grounded = events
        .iter()
        .filter(|e| matches!(e, TurnEvent::Grounded { .. }))
        .count();
    assert_eq!(grounded, 2);
}

#[tokio::test]
async fn a_provider_that_refuses_tools_still_answers_without_them() {
    let app = TestApp::start().await;
    let turn = summarize(
        &app.browser()
            .ask(
                None,
                "What is the self-employment tax rate for 2025? [mock:no-tools]",
            )
            .await,
    );
    assert_eq!(turn.error, None);
    assert!(
        turn.finished.content.contains("[1]"),
        "{}",
        turn.finished.content
    );
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    assert!(requests[0]["tools"].is_array(), "tools were offered first");
    assert!(
        requests[1]["tools"].is_null(),
        "then the question was asked again without them"
    );
}

#[tokio::test]
async fn a_follow_up_is_searched_as_the_model_rewrote_it() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let first = browser
        .ask(None, "What is the self-employment tax rate for 2025?")
        .await;
    // A standalone English question is searched as typed: no rewrite request stands before its answer.
    assert!(grounding_of(&first).search_query.is_none());
    let mock = app.mock.as_ref().expect("mock");
    assert!(mock.rewrite_requests().is_empty());

    let conversation = summarize(&first).conversation_id;
    let events = browser.ask(Some(&conversation), "and for 2026?").await;
    let grounding = grounding_of(&events);
    assert_eq!(
        grounding.search_query.as_deref(),
        Some("What is the self-employment tax rate for 2026?")
    );
    assert_eq!(grounding.tax_year, 2026);
    assert!(
        grounding
            .sources
            .iter()
            .any(|s| s.passage_id.starts_with("se-") && s.tax_year == 2026),
        "{:?}",
        grounding.sources
    );
    // The model read the earlier question beside the follow-up.
    let rewrites = mock.rewrite_requests();
    assert_eq!(rewrites.len(), 1);
    let quoted = rewrites[0]["messages"][1]["content"].as_str().unwrap_or("");
    assert!(
        quoted.contains("- What is the self-employment tax rate for 2025?")
            && quoted.contains("Latest question: and for 2026?"),
        "{quoted}"
    );
    // Stored with the answer, so a reload shows what was searched.
    let stored = summarize(&events).finished.grounding.expect("stored");
    assert_eq!(stored.search_query, grounding.search_query);
}

#[tokio::test]
async fn a_failed_rewrite_leaves_the_question_searched_as_asked() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let first = browser
        .ask(None, "How do estimated tax payments work for 2025?")
        .await;
    let conversation = summarize(&first).conversation_id;
    let events = browser
        .ask(
            Some(&conversation),
            "and what are the due dates? [mock:rewrite-fail]",
        )
        .await;
    let grounding = grounding_of(&events);
    assert!(grounding.search_query.is_none());
    assert!(
        grounding
            .sources
            .iter()
            .any(|s| s.passage_id.starts_with("est-")),
        "{:?}",
        grounding.sources
    );
    let turn = summarize(&events);
    assert!(turn.error.is_none(), "{:?}", turn.error);
    assert_eq!(app.mock.as_ref().expect("mock").rewrite_requests().len(), 1);
}

#[tokio::test]
async fn thanks_gets_a_reply_without_a_stamp_or_sources() {
    let app = TestApp::start().await;
    let events = app.browser().ask(None, "Thanks!").await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, TurnEvent::Grounded { .. })),
        "{events:?}"
    );
    let turn = summarize(&events);
    assert!(turn.error.is_none(), "{:?}", turn.error);
    assert!(turn.finished.grounding.is_none());
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    let context = requests[0]["messages"][1]["content"].as_str().unwrap_or("");
    assert!(context.contains("small talk"), "{context}");
}

#[tokio::test]
async fn a_calculation_the_model_asks_for_again_is_cited_not_shown_twice() {
    let app = TestApp::start().await;
    let events = app
        .browser()
        .ask(
            None,
            "What is the self-employment tax on $50,000 for 2025? [mock:tool]",
        )
        .await;
    let grounding = summarize(&events).finished.grounding.expect("grounding");
    let cards = grounding
        .calculations
        .iter()
        .filter(|c| c.calculator == "self_employment_tax")
        .count();
    assert_eq!(cards, 1, "{:?}", grounding.calculations);
    let tool_message = app
        .mock
        .as_ref()
        .expect("mock")
        .answer_requests()
        .iter()
        .flat_map(|r| r["messages"].as_array().cloned().unwrap_or_default())
        .find(|m| m["role"] == "tool")
        .expect("a tool message");
    assert!(
        tool_message["content"]
            .as_str()
            .unwrap_or("")
            .contains("already shown as ["),
        "{tool_message}"
    );
}
