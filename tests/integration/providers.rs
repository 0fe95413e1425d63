//! Several providers: the chosen model, fallback before the first token (and never after), follow-up questions,
//! and the JSON answer endpoint, against real HTTP mocks of the OpenAI streaming API.

use crate::support;

use std::{collections::HashSet, sync::Arc, time::Duration};

use futures::StreamExt;
use serde_json::json;
use support::{mock_provider, summarize, test_config, TestApp};
use tally::{
    model::{AnswerResponse, MessageStatus, DISCLAIMER},
    server::{
        chat::prompt::{PromptMessage, PromptRole},
        llm::{
            connections::{ConnectionSettings, Protocol},
            Catalog, ChatChunk, ChatProvider, ChatRequest, OpenAiCompatible, ProviderEntry,
            Timeouts,
        },
        mock_upstream::{Fault, MockConfig, MockUpstream},
    },
};

/// A primary provider failing in the given way (or healthy) and a healthy backup.
struct Pair {
    app: TestApp,
    primary: MockUpstream,
    backup: MockUpstream,
}

async fn primary_and_backup(primary_fault: Option<Fault>) -> Pair {
    let (mut config, data) = test_config();
    config.provider_first_token_timeout_secs = 1;
    let primary = MockUpstream::start(MockConfig {
        fault: primary_fault,
        ..MockConfig::default()
    })
    .await
    .expect("primary mock");
    let backup = MockUpstream::start(MockConfig::default())
        .await
        .expect("backup mock");
    let catalog = Catalog::new(vec![
        mock_provider("primary", &primary, &config),
        mock_provider("backup", &backup, &config),
    ]);
    let app = TestApp::start_with_catalog(config, data, None, catalog).await;
    Pair {
        app,
        primary,
        backup,
    }
}

fn answer_requests(mock: &MockUpstream) -> usize {
    mock.answer_requests().len()
}

#[tokio::test]
async fn a_provider_failing_before_the_first_token_hands_the_question_to_the_next() {
    let cases = [
        (Fault::Status(500), "mock-model (Mock primary) was failing"),
        (
            Fault::Status(429),
            "mock-model (Mock primary) was rate limited",
        ),
        (
            Fault::Hang,
            "mock-model (Mock primary) was too slow to answer",
        ),
    ];
    for (fault, reason) in cases {
        let pair = primary_and_backup(Some(fault.clone())).await;
        let browser = pair.app.browser();
        let turn = summarize(&browser.ask(None, "Can I deduct my laptop?").await);
        assert_eq!(
            turn.finished.status,
            MessageStatus::Complete,
            "{fault:?}: {:?}",
            turn.error
        );
        assert!(turn.finished.content.contains("Applicable tax categories"));
        let expected = format!("Answered by mock-model (Mock backup) because {reason}.");
        assert_eq!(turn.rerouted, std::slice::from_ref(&expected), "{fault:?}");
        assert_eq!(turn.finished.notice.as_deref(), Some(expected.as_str()));

        let row = pair.app.message_row(&turn.assistant_message_id).await;
        assert_eq!(row.provider.as_deref(), Some("backup"), "{fault:?}");
        assert_eq!(answer_requests(&pair.primary), 1);
        assert_eq!(answer_requests(&pair.backup), 1);
        // The notice survives a reload.
        let reply = browser
            .call("conversations/get", &[("id", &turn.conversation_id)])
            .await;
        assert_eq!(reply.body["messages"][1]["notice"], expected.as_str());
        pair.app.shutdown().await;
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_skipped() {
    let (config, data) = test_config();
    let backup = MockUpstream::start(MockConfig::default())
        .await
        .expect("backup");
    let second = Duration::from_secs(1);
    let nowhere = ProviderEntry {
        name: "nowhere".into(),
        label: "Nowhere".into(),
        models: vec!["m".into()],
        // Port 9 (discard) is closed on loopback: the connection is refused at once.
        provider: Arc::new(OpenAiCompatible::new(
            "http://127.0.0.1:9/v1",
            "k",
            ConnectionSettings::new(second),
        )) as Arc<dyn ChatProvider>,
        timeouts: Timeouts {
            connect: second,
            first_token: second,
            idle: second,
        },
        offline: false,
    };
    let catalog = Catalog::new(vec![nowhere, mock_provider("backup", &backup, &config)]);
    let app = TestApp::start_with_catalog(config, data, None, catalog).await;
    let turn = summarize(
        &app.browser()
            .ask(None, "Is my home office deductible?")
            .await,
    );
    assert_eq!(turn.finished.status, MessageStatus::Complete);
    assert_eq!(
        turn.rerouted,
        ["Answered by mock-model (Mock backup) because m (Nowhere) was unavailable."]
    );
    assert_eq!(
        app.message_row(&turn.assistant_message_id)
            .await
            .provider
            .as_deref(),
        Some("backup")
    );
    // The note follows the answer's language, the question's.
    let vietnamese = summarize(
        &app.browser()
            .ask(None, "Văn phòng tại nhà có được khấu trừ không?")
            .await,
    );
    assert_eq!(
        vietnamese.rerouted,
        ["Được trả lời bởi mock-model (Mock backup) vì m (Nowhere) không khả dụng."]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_failure_after_tokens_keeps_the_partial_answer_and_does_not_fall_back() {
    let pair = primary_and_backup(Some(Fault::DropAfter(6))).await;
    let turn = summarize(
        &pair
            .app
            .browser()
            .ask(None, "How is SE tax computed?")
            .await,
    );
    assert_eq!(turn.finished.status, MessageStatus::Failed);
    assert_eq!(turn.tokens.len(), 6);
    assert_eq!(turn.finished.content, turn.tokens.concat());
    assert!(turn.rerouted.is_empty());
    assert!(
        turn.follow_ups.is_empty(),
        "no suggestions for a failed answer"
    );
    let row = pair.app.message_row(&turn.assistant_message_id).await;
    assert_eq!(row.provider.as_deref(), Some("primary"));
    assert_eq!(row.content, turn.finished.content);
    assert_eq!(
        pair.backup.requests().len(),
        0,
        "no silent restart elsewhere"
    );
    pair.app.shutdown().await;
}

#[tokio::test]
async fn the_chosen_model_answers_and_is_remembered_for_the_conversation() {
    let pair = primary_and_backup(None).await;
    let browser = pair.app.browser();
    let mut stream = browser
        .send_to_model(None, "What is Schedule C?", Some("backup/mock-model"))
        .await
        .expect("accepted");
    let turn = summarize(&stream.read_all().await);
    assert_eq!(turn.finished.status, MessageStatus::Complete);
    let row = pair.app.message_row(&turn.assistant_message_id).await;
    assert_eq!(row.provider.as_deref(), Some("backup"));

    let reply = browser
        .call("conversations/get", &[("id", &turn.conversation_id)])
        .await;
    assert_eq!(reply.body["model_key"], "backup/mock-model");
    // The next question in that conversation, without naming a model, goes to the same one.
    let next = summarize(
        &browser
            .ask(Some(&turn.conversation_id), "And Schedule SE?")
            .await,
    );
    let row = pair.app.message_row(&next.assistant_message_id).await;
    assert_eq!(row.provider.as_deref(), Some("backup"));
    assert_eq!(answer_requests(&pair.primary), 0);

    let models = browser.call("models/list", &[]).await;
    assert_eq!(models.status, 200);
    assert_eq!(models.body["default_key"], "primary/mock-model");
    assert_eq!(
        models.body["models"][1]["label"],
        "mock-model (Mock backup)"
    );
    pair.app.shutdown().await;
}

#[tokio::test]
async fn an_unknown_model_is_refused_and_nothing_is_stored() {
    let pair = primary_and_backup(None).await;
    let reply = pair
        .app
        .browser()
        .send_to_model(None, "Hello?", Some("gone/gpt-9"))
        .await
        .expect_err("refused");
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error().code, "validation_model");
    assert!(reply.error().message.contains("gone/gpt-9"));
    assert!(!reply.error().correlation_id.is_empty());
    assert_eq!(pair.app.count("messages").await, 0);
    pair.app.shutdown().await;
}

#[tokio::test]
async fn three_follow_up_questions_arrive_after_the_answer_and_survive_a_reload() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(&browser.ask(None, "Can I deduct my home office?").await);
    assert_eq!(turn.follow_ups.len(), 3, "{:?}", turn.follow_ups);
    assert!(
        turn.follow_ups
            .iter()
            .all(|q| q.contains("deduct home office") && q.ends_with('?')),
        "specific to the question: {:?}",
        turn.follow_ups
    );
    let reply = browser
        .call("conversations/get", &[("id", &turn.conversation_id)])
        .await;
    assert_eq!(
        reply.body["messages"][1]["follow_ups"],
        json!(turn.follow_ups)
    );
    app.shutdown().await;
}

#[tokio::test]
async fn unusable_or_failing_suggestions_give_no_chips_and_leave_the_answer_alone() {
    let app = TestApp::start().await;
    let browser = app.browser();
    for question in [
        "Is a desk deductible? [mock:follow-ups-garbage]",
        "Is a chair deductible? [mock:follow-ups-fail]",
    ] {
        let turn = summarize(&browser.ask(None, question).await);
        assert_eq!(turn.finished.status, MessageStatus::Complete);
        assert!(
            turn.follow_ups.is_empty(),
            "{question}: {:?}",
            turn.follow_ups
        );
        let reply = browser
            .call("conversations/get", &[("id", &turn.conversation_id)])
            .await;
        assert_eq!(reply.body["messages"][1]["follow_ups"], json!([]));
        assert_eq!(reply.body["messages"][1]["status"], "complete");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn the_json_endpoint_returns_the_whole_answer_at_once() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let reply = browser
        .post_json(
            "/api/v1/answer",
            r#"{"question": "How do quarterly estimates work?"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer: AnswerResponse = serde_json::from_value(reply.body.clone()).expect("shape");
    assert!(answer.answer.contains("## Applicable tax categories"));
    assert!(answer.usage.prompt_tokens > 50 && answer.usage.completion_tokens > 20);
    assert_eq!(answer.disclaimer, DISCLAIMER);
    assert_eq!(answer.follow_ups.len(), 3);
    assert_eq!(
        (answer.provider.as_str(), answer.model.as_str()),
        ("mock", "mock-model")
    );
    assert_eq!(answer.correlation_id.len(), 8);
    // It is an ordinary conversation: the browser UI can open it and continue it.
    let next = browser
        .post_json(
            "/api/v1/answer",
            &json!({"question": "And for a single-member LLC?", "conversation_id": answer.conversation_id})
                .to_string(),
        )
        .await;
    assert_eq!(next.status, 200, "{}", next.body);
    let opened = browser
        .call("conversations/get", &[("id", &answer.conversation_id)])
        .await;
    assert_eq!(opened.body["messages"].as_array().map(Vec::len), Some(4));
    app.shutdown().await;
}

#[tokio::test]
async fn the_json_endpoint_explains_bad_requests_and_failures() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let cases = [
        ("not json", 400, "validation_body"),
        (r#"{"question": 5}"#, 400, "validation_body"),
        (r#"{"question": "   "}"#, 400, "validation_empty"),
        (
            r#"{"question": "Hi", "model": "nope/x"}"#,
            400,
            "validation_model",
        ),
        (
            r#"{"question": "Hi", "conversation_id": "not-an-id"}"#,
            400,
            "invalid_id",
        ),
        (
            r#"{"question": "Hi [mock:status-500]"}"#,
            502,
            "provider_error",
        ),
    ];
    for (body, status, code) in cases {
        let reply = browser.post_json("/api/v1/answer", body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        let error = reply.error();
        assert_eq!(error.code, code, "{body}");
        assert_eq!(error.correlation_id.len(), 8, "{body}");
        assert!(!error.message.is_empty());
    }
    // The failed question is kept, as in the chat.
    assert_eq!(app.count("messages").await, 2);
    app.shutdown().await;
}

/// A healthy mock and a provider reaching it with `settings`.
async fn provider_on_mock(settings: ConnectionSettings) -> (MockUpstream, OpenAiCompatible) {
    let mock = MockUpstream::start(MockConfig::default())
        .await
        .expect("mock");
    let provider = OpenAiCompatible::new(&mock.base_url(), "k", settings);
    (mock, provider)
}

/// Opens `count` answers from one provider at the same time, reads them all to the end, and returns the text of each.
async fn concurrent_answers(provider: &OpenAiCompatible, count: usize) -> Vec<String> {
    let request = ChatRequest {
        messages: vec![PromptMessage {
            role: PromptRole::User,
            content: "Which forms does a freelancer file?".into(),
        }],
        max_tokens: 200,
        temperature: 0.0,
        tools: None,
    };
    // Every stream is open before any is read: all of them hold a place on a connection at once.
    let mut streams = Vec::new();
    for _ in 0..count {
        streams.push(
            provider
                .stream("mock-model", request.clone())
                .await
                .expect("stream opens"),
        );
    }
    let mut texts = Vec::new();
    for mut stream in streams {
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            if let ChatChunk::Token(token) = chunk.expect("no stream error") {
                text.push_str(&token);
            }
        }
        texts.push(text);
    }
    texts
}

#[tokio::test]
async fn http2_answers_share_connections_up_to_the_configured_limit() {
    let (mock, provider) = provider_on_mock(ConnectionSettings {
        protocol: Protocol::Http2,
        streams_per_connection: 2,
        ..ConnectionSettings::new(Duration::from_secs(2))
    })
    .await;
    let texts = concurrent_answers(&provider, 5).await;
    assert!(
        texts.iter().all(|t| t.len() > 100),
        "every answer streamed whole: {texts:?}"
    );

    let arrivals = mock.arrivals();
    assert_eq!(arrivals.len(), 5);
    assert!(arrivals
        .iter()
        .all(|a| a.version == axum::http::Version::HTTP_2));
    // Two answers per connection: five answers open at once need three connections, not five and not one.
    let connections: HashSet<_> = arrivals.iter().map(|a| a.peer).collect();
    assert_eq!(connections.len(), 3, "{arrivals:?}");

    // Once those finished, the next answers reuse the first connection instead of opening more.
    concurrent_answers(&provider, 2).await;
    let later: HashSet<_> = mock.arrivals()[5..].iter().map(|a| a.peer).collect();
    assert_eq!(later.len(), 1);
    assert!(later.is_subset(&connections));
}

#[tokio::test]
async fn plain_http_providers_keep_http1_unless_told_otherwise() {
    let (mock, provider) = provider_on_mock(ConnectionSettings::new(Duration::from_secs(2))).await;
    let texts = concurrent_answers(&provider, 3).await;
    assert!(texts.iter().all(|t| t.len() > 100));
    let arrivals = mock.arrivals();
    // Ollama, vLLM and llama.cpp speak HTTP/1.1 only: one connection per open answer.
    assert!(arrivals
        .iter()
        .all(|a| a.version == axum::http::Version::HTTP_11));
    let connections: HashSet<_> = arrivals.iter().map(|a| a.peer).collect();
    assert_eq!(connections.len(), 3);
}
