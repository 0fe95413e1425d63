//! Answers outlive their reader: a reload, a flaky phone connection or another device picks the answer up where
//! its text stands, and a question posted as a plain form (before the page's script has arrived) is answered with
//! nobody reading it yet.

use crate::support;

use support::{eventually, summarize, TestApp};
use tally::model::{ConversationDetail, MessageStatus, Role, TurnEvent};

/// Reads tokens until at least `words` words have arrived; returns the text.
async fn read_words(stream: &mut support::TurnStream, words: usize) -> String {
    let mut received = String::new();
    while received.split_whitespace().count() < words {
        match stream.next_event().await {
            Some(TurnEvent::Token { text }) => received.push_str(&text),
            other => panic!("expected tokens, got {other:?}"),
        }
    }
    received
}

#[tokio::test]
async fn a_reader_that_comes_back_gets_the_text_so_far_then_the_rest_with_no_gap_or_repeat() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let question = "Walk me through the home office deduction [mock:slow]";

    // The answer read straight through, to compare with.
    let whole = summarize(&browser.ask(None, question).await)
        .finished
        .content;

    let mut stream = browser.send(None, question).await.expect("accepted");
    let answer_id = stream.started().await.assistant_message_id;
    stream.grounded().await;
    let before = read_words(&mut stream, 3).await;
    // The tab is closed (or reloaded) mid-answer.
    stream.disconnect();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        app.message_row(&answer_id).await.status,
        "streaming",
        "the answer goes on being written with nobody reading it"
    );

    let mut again = browser.attach(&answer_id).await.expect("attached");
    let events = again.read_all().await;
    let mut text = String::new();
    let mut finished = None;
    for event in events {
        match event {
            TurnEvent::Token { text: piece } => text.push_str(&piece),
            TurnEvent::Finished { message, error } => {
                assert!(error.is_none(), "{error:?}");
                finished = Some(*message);
            }
            TurnEvent::Grounded { .. } | TurnEvent::FollowUps { .. } | TurnEvent::Titled { .. } => {
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let finished = finished.expect("the attached reader sees the answer finish");
    assert_eq!(finished.status, MessageStatus::Complete);
    assert!(text.starts_with(&before), "{text:?} continues {before:?}");
    assert_eq!(
        text, finished.content,
        "caught up and followed: no gap, no repeat"
    );
    assert_eq!(finished.content, whole);
    assert_eq!(app.message_row(&answer_id).await.status, "complete");
}

#[tokio::test]
async fn an_answer_nobody_reads_for_the_grace_period_is_kept_as_interrupted() {
    let app = TestApp::start_with(Some(Default::default()), |c| c.answer_grace_secs = 1).await;
    let browser = app.browser();
    let mut stream = browser
        .send(None, "List every freelancer deduction [mock:slow]")
        .await
        .expect("accepted");
    let answer_id = stream.started().await.assistant_message_id;
    stream.grounded().await;
    let received = read_words(&mut stream, 3).await;
    stream.disconnect();

    eventually("the answer is marked interrupted", || async {
        app.message_row(&answer_id).await.status == "interrupted"
    })
    .await;
    let stored = app.message_row(&answer_id).await;
    assert!(
        stored.content.starts_with(&received),
        "{:?}",
        stored.content
    );
    assert!(
        stored.content.len() < 1000,
        "stopped early: {} bytes",
        stored.content.len()
    );
    let ended = browser
        .attach(&answer_id)
        .await
        .expect_err("no longer live");
    assert_eq!(ended.status, 409);
    assert_eq!(ended.error().code, "answer_ended");
}

#[tokio::test]
async fn nobody_else_can_attach_to_an_answer() {
    let app = TestApp::start().await;
    let owner = app.browser();
    let mut stream = owner
        .send(None, "How do quarterly estimated taxes work? [mock:slow]")
        .await
        .expect("accepted");
    let answer_id = stream.started().await.assistant_message_id;
    let stranger = app.browser().attach(&answer_id).await.expect_err("refused");
    assert_eq!(stranger.status, 404);
    assert_eq!(stranger.error().code, "not_found");
    let bad = owner.attach("not-an-id").await.expect_err("refused");
    assert_eq!(bad.status, 400, "{}", bad.body);
    let finished = stream
        .read_all()
        .await
        .into_iter()
        .find_map(|event| match event {
            TurnEvent::Finished { message, .. } => Some(message.status),
            _ => None,
        });
    assert_eq!(
        finished,
        Some(MessageStatus::Complete),
        "the owner's answer is untouched"
    );
}

#[tokio::test]
async fn a_question_posted_as_a_plain_form_is_stored_and_answered_with_nobody_reading() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let page = browser
        .client
        .post(format!("{}/ask", browser.base_url))
        .form(&[
            ("message", "Do I need to pay quarterly estimated taxes?"),
            ("conversation_id", ""),
            ("model", ""),
        ])
        .send()
        .await
        .expect("form post");
    // Redirected (303) to the new conversation's page, which renders the question.
    assert_eq!(page.status(), 200);
    let path = page.url().path().to_string();
    let id = path
        .strip_prefix("/c/")
        .expect("a conversation page")
        .to_string();
    let html = page.text().await.expect("page");
    assert!(
        html.contains("Do I need to pay quarterly estimated taxes?"),
        "{html}"
    );

    let detail = || async {
        let reply = browser.call("conversations/get", &[("id", &id)]).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        serde_json::from_value::<ConversationDetail>(reply.body).expect("detail")
    };
    eventually("the answer is written and stored", || async {
        detail()
            .await
            .messages
            .last()
            .is_some_and(|m| m.role == Role::Assistant && m.status == MessageStatus::Complete)
    })
    .await;
    let messages = detail().await.messages;
    assert_eq!(messages.len(), 2);
    assert!(messages[1].content.contains("Applicable tax categories"));
    let timing = messages[1].timing.expect("timed");
    assert!(
        timing
            .first_token_ms
            .is_some_and(|first| first <= timing.total_ms),
        "{timing:?}"
    );

    // A second question in the same conversation, through the same form.
    let next = browser
        .client
        .post(format!("{}/ask", browser.base_url))
        .form(&[
            ("message", "And when are they due?"),
            ("conversation_id", &id),
            ("model", ""),
        ])
        .send()
        .await
        .expect("form post");
    assert_eq!(next.url().path(), path);
    eventually("the second answer is stored", || async {
        let messages = detail().await.messages;
        messages.len() == 4 && messages[3].status == MessageStatus::Complete
    })
    .await;
}

#[tokio::test]
async fn a_refused_form_question_goes_back_with_the_reason_and_the_text_and_stores_nothing() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let empty = browser
        .client
        .post(format!("{}/ask", browser.base_url))
        .form(&[("message", "   "), ("conversation_id", "")])
        .send()
        .await
        .expect("form post");
    assert_eq!(empty.url().path(), "/");
    let html = empty.text().await.expect("page");
    assert!(
        html.contains("Please type a question before sending."),
        "{html}"
    );
    assert_eq!(app.count("conversations").await, 0);

    let long = "x".repeat(20_000);
    let too_long = browser
        .client
        .post(format!("{}/ask", browser.base_url))
        .form(&[("message", long.as_str())])
        .send()
        .await
        .expect("form post");
    assert_eq!(too_long.url().path(), "/");
    let html = too_long.text().await.expect("page");
    assert!(html.contains("Please shorten it."), "{html}");
    assert_eq!(app.count("conversations").await, 0);

    let someone_else = browser
        .client
        .post(format!("{}/ask", browser.base_url))
        .form(&[
            ("message", "Is this mine?"),
            ("conversation_id", "01900000-0000-7000-8000-000000000000"),
        ])
        .send()
        .await
        .expect("form post");
    assert_eq!(
        someone_else.url().path(),
        "/c/01900000-0000-7000-8000-000000000000"
    );
    let html = someone_else.text().await.expect("page");
    assert!(
        html.contains("Is this mine?"),
        "the text typed comes back in the composer"
    );
    assert_eq!(app.count("messages").await, 0);
}
