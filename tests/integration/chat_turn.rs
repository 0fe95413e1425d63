//! A chat turn end to end: the real server, the real OpenAI client, a real HTTP mock upstream.

use crate::support;

use support::{eventually, summarize, TestApp};
use tally::model::{MessageStatus, TurnEvent, DISCLAIMER};

#[tokio::test]
async fn a_full_turn_streams_token_by_token_and_is_stored_with_usage() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let mut stream = browser
        .send(None, "How do quarterly estimated taxes work?")
        .await
        .expect("accepted");
    let events = stream.read_all().await;
    let turn = summarize(&events);

    assert!(
        turn.tokens.len() > 20,
        "the answer arrives in many pieces, got {}",
        turn.tokens.len()
    );
    assert!(
        stream.chunks_received > 5,
        "pieces reach the client as they are written: {} chunks",
        stream.chunks_received
    );
    assert_eq!(
        turn.finished.status,
        MessageStatus::Complete,
        "{:?}",
        turn.error
    );
    assert_eq!(turn.finished.content, turn.tokens.concat());
    assert!(
        turn.finished
            .html
            .contains("<h2>Applicable tax categories</h2>"),
        "{}",
        turn.finished.html
    );
    assert!(turn.finished.html.contains("<table>"));
    let usage = turn.finished.usage.expect("usage");
    assert!(
        !usage.estimated,
        "the mock reports usage, so it is not an estimate"
    );
    assert_eq!(usage.completion_tokens as usize, turn.tokens.len());
    assert!(
        usage.prompt_tokens > 50,
        "the system prompt counts: {usage:?}"
    );
    assert_eq!(turn.finished.model.as_deref(), Some("mock-model"));

    let stored = app.message_row(&turn.assistant_message_id).await;
    assert_eq!(stored.status, "complete");
    assert_eq!(stored.content, turn.finished.content);
    assert_eq!(stored.provider.as_deref(), Some("mock"));
    assert_eq!(stored.disclaimer.as_deref(), Some(DISCLAIMER));
    assert!(
        stored.ttft_ms.is_some_and(|t| t >= 0) && stored.latency_ms >= stored.ttft_ms,
        "{stored:?}"
    );
    assert_eq!(stored.prompt_tokens, Some(i64::from(usage.prompt_tokens)));

    let reply = browser
        .call("conversations/get", &[("id", &turn.conversation_id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let messages = reply.body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(
        messages[0]["content"],
        "How do quarterly estimated taxes work?"
    );
    assert_eq!(messages[1]["status"], "complete");
}

#[tokio::test]
async fn follow_up_questions_carry_the_conversation_to_the_model() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let first = summarize(
        &browser
            .ask(None, "I am a freelance designer in Texas.")
            .await,
    );
    let second = summarize(
        &browser
            .ask(Some(&first.conversation_id), "What forms do I file?")
            .await,
    );
    assert_eq!(second.conversation_id, first.conversation_id);

    let requests = app.mock.as_ref().expect("mock").answer_requests();
    let last = requests.last().expect("the model was called");
    let messages = last["messages"].as_array().expect("messages");
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap_or(""))
        .collect();
    // The assistant's instructions, then this answer's grounding (its sources), then the conversation.
    assert_eq!(roles, ["system", "system", "user", "assistant", "user"]);
    assert!(messages[0]["content"]
        .as_str()
        .unwrap_or("")
        .contains("jurisdiction"));
    assert!(messages[1]["content"]
        .as_str()
        .unwrap_or("")
        .contains("Cite each fact inline"));
    assert_eq!(
        messages[2]["content"],
        "I am a freelance designer in Texas."
    );
    assert_eq!(messages[3]["content"], first.finished.content.as_str());
    assert_eq!(messages[4]["content"], "What forms do I file?");
    assert_eq!(last["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn the_prompt_keeps_only_the_newest_messages_that_fit_the_budget() {
    let app = TestApp::start_with(Some(Default::default()), |c| c.context_token_budget = 700).await;
    let browser = app.browser();
    let first = summarize(&browser.ask(None, "first question about deductions").await);
    for n in 0..3 {
        browser
            .ask(
                Some(&first.conversation_id),
                &format!("follow-up number {n}"),
            )
            .await;
    }
    let requests = app.mock.as_ref().expect("mock").answer_requests();
    let messages = requests.last().expect("called")["messages"]
        .as_array()
        .expect("messages")
        .clone();
    let texts: Vec<String> = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(texts.last().map(String::as_str), Some("follow-up number 2"));
    assert!(
        !texts.iter().any(|t| t == "first question about deductions"),
        "the oldest question was dropped"
    );
    assert!(
        messages.len() < 8,
        "a 700-token budget cannot hold all 8 messages: {}",
        messages.len()
    );
}

#[tokio::test]
async fn provider_failing_before_the_first_token_keeps_the_question_and_says_why() {
    let app = TestApp::start().await;
    let browser = app.browser();
    for (directive, code) in [
        ("[mock:status-500]", "provider_error"),
        ("[mock:status-429]", "provider_rate_limited"),
    ] {
        let turn = summarize(
            &browser
                .ask(None, &format!("Is my laptop deductible? {directive}"))
                .await,
        );
        assert!(turn.tokens.is_empty());
        assert_eq!(turn.finished.status, MessageStatus::Failed);
        let error = turn.error.expect("an error for the user");
        assert_eq!(error.code, code);
        assert_eq!(error.correlation_id.len(), 8);
        assert!(
            !error.message.contains("mock upstream failure"),
            "no internals in the message: {}",
            error.message
        );
        let stored = app.message_row(&turn.assistant_message_id).await;
        assert_eq!(stored.status, "failed");
        assert_eq!(
            stored.error_id.as_deref(),
            Some(error.correlation_id.as_str())
        );

        let reply = browser
            .call("conversations/get", &[("id", &turn.conversation_id)])
            .await;
        assert_eq!(
            reply.body["messages"][0]["content"],
            format!("Is my laptop deductible? {directive}")
        );
    }
}

#[tokio::test]
async fn provider_breaking_mid_stream_keeps_the_partial_answer() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(
        &browser
            .ask(None, "Explain self-employment tax [mock:drop-after-6]")
            .await,
    );
    assert_eq!(turn.tokens.len(), 6);
    assert_eq!(turn.finished.status, MessageStatus::Failed);
    assert_eq!(turn.error.expect("error").code, "provider_stream_broken");
    let stored = app.message_row(&turn.assistant_message_id).await;
    assert_eq!(stored.status, "failed");
    assert_eq!(
        stored.content,
        turn.tokens.concat(),
        "what the user saw is what is kept"
    );
    assert!(!stored.content.is_empty());
}

#[tokio::test]
async fn a_malformed_chunk_fails_the_turn_clearly_and_keeps_what_came_before() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(
        &browser
            .ask(None, "What is Schedule C? [mock:malformed-after-4]")
            .await,
    );
    assert_eq!(turn.tokens.len(), 4);
    assert_eq!(turn.finished.status, MessageStatus::Failed);
    assert_eq!(turn.error.expect("error").code, "provider_malformed");
    assert_eq!(
        app.message_row(&turn.assistant_message_id).await.content,
        turn.tokens.concat()
    );
}

#[tokio::test]
async fn a_provider_that_never_answers_times_out() {
    let app = TestApp::start_with(Some(Default::default()), |c| {
        c.provider_first_token_timeout_secs = 1
    })
    .await;
    let turn = summarize(&app.browser().ask(None, "Hello? [mock:hang]").await);
    assert_eq!(turn.finished.status, MessageStatus::Failed);
    assert_eq!(turn.error.expect("error").code, "provider_timeout");
}

#[tokio::test]
async fn stop_ends_the_answer_and_keeps_the_partial_text() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let mut stream = browser
        .send(None, "List every freelancer deduction [mock:slow]")
        .await
        .expect("ok");
    let assistant_message_id = stream.started().await.assistant_message_id;
    stream.grounded().await;
    assert!(matches!(
        stream.next_event().await,
        Some(TurnEvent::Token { .. })
    ));
    let reply = browser
        .call("chat/stop", &[("message_id", &assistant_message_id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let rest = stream.read_all().await;
    let Some(TurnEvent::Finished { message, error }) = rest.last() else {
        panic!("expected Finished: {rest:?}")
    };
    assert_eq!(message.status, MessageStatus::Interrupted);
    assert!(error.is_none());
    assert!(!message.content.is_empty());
    assert_eq!(
        app.message_row(&assistant_message_id).await.status,
        "interrupted"
    );
}

#[tokio::test]
async fn partial_answers_are_checkpointed_while_streaming() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let mut stream = browser
        .send(None, "How are estimated payments calculated? [mock:slow]")
        .await
        .expect("ok");
    let assistant_message_id = stream.started().await.assistant_message_id;
    eventually(
        "a checkpoint holds partial text while the answer is still streaming",
        || async {
            let row = app.message_row(&assistant_message_id).await;
            row.status == "streaming" && !row.content.is_empty()
        },
    )
    .await;
    stream.disconnect();
}

#[tokio::test]
async fn a_second_question_while_an_answer_streams_is_refused() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let mut stream = browser
        .send(None, "First question [mock:slow]")
        .await
        .expect("ok");
    let conversation_id = stream.started().await.conversation_id;
    let refused = browser
        .send(Some(&conversation_id), "Second question")
        .await
        .expect_err("refused");
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error().code, "turn_in_progress");
    stream.disconnect();
}

#[tokio::test]
async fn without_a_provider_the_question_is_kept_and_the_reason_is_clear() {
    let app = TestApp::start_with(None, |_| {}).await;
    let turn = summarize(&app.browser().ask(None, "What is a 1099-K?").await);
    assert_eq!(turn.finished.status, MessageStatus::Failed);
    let error = turn.error.expect("error");
    assert_eq!(error.code, "provider_not_configured");
    assert!(error.message.contains("PROVIDERS"));
    assert_eq!(app.count("messages").await, 2);
}

#[tokio::test]
async fn answers_left_streaming_by_a_crash_are_interrupted_at_start_up() {
    use tally::server::store::{NewTurn, Owner, TurnQuestion};

    let dir = tempfile::tempdir().expect("dir");
    let database = support::database::TestDatabase::create(dir.path()).await;
    let store = database.store().await;
    let guest = store.ensure_guest(&[9; 32], 1000).await.expect("guest");
    let conversation = store
        .create_conversation(Owner::Guest(guest), "tax", "t", None)
        .await
        .expect("conversation");
    let (_, answer) = store
        .begin_turn(NewTurn {
            conversation_id: conversation.id,
            new_conversation: None,
            question: TurnQuestion::New("q".into()),
            provider: "p".into(),
            model: "m".into(),
            disclaimer: DISCLAIMER.into(),
        })
        .await
        .expect("turn");
    store
        .checkpoint_answers(&[(answer.id, "partial text".into())])
        .await
        .expect("checkpoint");
    drop(store);

    let config = tally::server::config::Config::for_tests(dir.path().to_path_buf());
    let store = database.store().await;
    let state = tally::server::state::AppState::with_parts(
        config,
        support::leptos_options(),
        store,
        tally::server::llm::Catalog::default(),
    )
    .await
    .expect("state");
    let row = state
        .store
        .find_message(Owner::Guest(guest), answer.id)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.status, MessageStatus::Interrupted);
    assert_eq!(row.content, "partial text");
}

#[tokio::test]
async fn shutdown_stores_running_answers_as_interrupted() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let mut stream = browser
        .send(None, "A long answer please [mock:slow]")
        .await
        .expect("ok");
    let assistant_message_id = stream.started().await.assistant_message_id;
    stream.grounded().await;
    assert!(matches!(
        stream.next_event().await,
        Some(TurnEvent::Token { .. })
    ));
    let stopped = app.shutdown().await;
    let status: String = sqlx::query_scalar("SELECT status FROM messages WHERE id = $1")
        .bind(&assistant_message_id)
        .fetch_one(&stopped.db)
        .await
        .expect("row");
    assert_eq!(status, "interrupted");
}

/// Makes the database refuse to store any message that starts with `prefix`, as a failing disk or a lost
/// connection would.
async fn refuse_messages_starting_with(app: &TestApp, prefix: &str) {
    let statement = if support::database::wants_postgres() {
        format!(
            "CREATE FUNCTION refuse_message() RETURNS trigger AS $$ BEGIN
               IF NEW.content LIKE '{prefix}%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW;
             END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_message BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_message();"
        )
    } else {
        format!(
            "CREATE TRIGGER refuse_message BEFORE INSERT ON messages WHEN NEW.content LIKE '{prefix}%'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
        )
    };
    sqlx::raw_sql(&statement)
        .execute(&app.db)
        .await
        .expect("trigger created");
}

#[tokio::test]
async fn a_question_that_cannot_be_stored_is_refused_and_its_model_request_dropped() {
    let app = TestApp::start().await;
    refuse_messages_starting_with(&app, "Unstorable").await;
    let browser = app.browser();
    let refused = browser
        .send(None, "Unstorable: what is my SE tax? [mock:slow]")
        .await
        .expect_err("refused");
    assert_eq!(refused.status, 500);
    assert_eq!(refused.error().code, "database_error");
    assert_eq!(refused.error().correlation_id.len(), 8);
    assert_eq!(app.count("messages").await, 0);
    assert_eq!(app.count("conversations").await, 0);
    // The model is asked while the question is stored; a slow answer would stream for seconds, but the refusal
    // drops the request.
    let mock = app.mock.as_ref().expect("mock");
    eventually("no answer keeps streaming from the model", || async {
        mock.open_streams() == 0
    })
    .await;

    let turn = summarize(&browser.ask(None, "What is my SE tax?").await);
    assert_eq!(turn.finished.status, MessageStatus::Complete);
    assert_eq!(app.count("messages").await, 2);
}
