//! The embedded offline model with the real SmolLM2-135M weights (scripts/setup.sh downloads them): it answers,
//! stops by itself, reports real token counts, and Stop frees it at once.

#![cfg(feature = "embedded-model")]

use crate::support;

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use futures::StreamExt;
use tally::{
    model::{MessageStatus, TurnEvent, Usage},
    server::{
        chat::prompt::{PromptMessage, PromptRole},
        llm::{
            embedded::{EmbeddedModel, EmbeddedSettings},
            Catalog, ChatChunk, ChatProvider, ChatRequest, ProviderEntry, ProviderError, Timeouts,
        },
    },
};

use support::{test_config, TestApp};

fn model_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup.sh to download the offline model",
        path.display()
    );
    path
}

fn start_model(max_active: usize, queue: usize) -> EmbeddedModel {
    EmbeddedModel::start(EmbeddedSettings {
        model_path: model_path(),
        max_active,
        queue,
    })
    .expect("model thread starts")
}

fn ask(question: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        messages: vec![
            PromptMessage {
                role: PromptRole::System,
                content: "You are a helpful assistant. Answer in one short sentence.".into(),
            },
            PromptMessage {
                role: PromptRole::User,
                content: question.into(),
            },
        ],
        max_tokens,
        // Greedy decoding: the same answer every run.
        temperature: 0.0,
        tools: None,
    }
}

#[tokio::test]
async fn answers_from_the_real_weights_and_stops_on_its_own() {
    let model = start_model(1, 4);
    let mut stream = model
        .stream("smollm2", ask("What is the capital of France?", 200))
        .await
        .expect("stream opens");
    let mut text = String::new();
    let mut usage: Option<Usage> = None;
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(120), stream.next())
        .await
        .expect("the model keeps producing")
    {
        match chunk.expect("no provider error") {
            ChatChunk::Token(token) => text.push_str(&token),
            ChatChunk::Usage(u) => usage = Some(u),
            ChatChunk::ToolCall { .. } => {}
        }
    }
    let usage = usage.expect("usage from the real tokenizer");
    assert!(text.contains("Paris"), "answer: {text:?}");
    assert!(
        !text.contains("<|im_end|>"),
        "control tokens never shown: {text:?}"
    );
    assert!(!usage.estimated);
    assert!(usage.prompt_tokens > 20, "{usage:?}");
    assert!(
        usage.completion_tokens > 0 && usage.completion_tokens < 200,
        "ended by its stop token, not the limit: {usage:?}"
    );
}

#[tokio::test]
async fn dropping_the_stream_ends_generation_within_a_second() {
    let model = start_model(1, 4);
    let mut stream = model
        .stream(
            "smollm2",
            ask("Write a very long essay about the history of taxes.", 2000),
        )
        .await
        .expect("stream opens");
    for _ in 0..5 {
        let chunk = tokio::time::timeout(Duration::from_secs(120), stream.next())
            .await
            .expect("tokens arrive")
            .expect("stream open");
        assert!(matches!(chunk, Ok(ChatChunk::Token(_))));
    }
    assert_eq!(model.active_answers(), 1);
    // What Stop and a closed tab do: the turn drops the stream.
    drop(stream);
    let dropped = Instant::now();
    while model.active_answers() > 0 {
        assert!(
            dropped.elapsed() < Duration::from_secs(1),
            "still generating {:?} after the reader left",
            dropped.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_full_queue_is_refused_as_busy_so_the_turn_can_fall_back() {
    let model = start_model(1, 1);
    let _first = model
        .stream("smollm2", ask("Write a long essay about taxes.", 2000))
        .await
        .expect("first is accepted");
    // The worker takes the first; wait until it is generating so the second sits in the one-place queue.
    let started = Instant::now();
    while model.active_answers() == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _second = model
        .stream("smollm2", ask("Hello?", 10))
        .await
        .expect("second waits in the queue");
    let third = model.stream("smollm2", ask("Hello again?", 10)).await;
    match third {
        Err(error @ ProviderError::Unavailable(_)) => assert!(error.warrants_fallback()),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a full queue must refuse"),
    }
}

#[tokio::test]
async fn the_app_answers_with_the_offline_model_when_no_provider_is_configured() {
    let (config, data) = test_config();
    let timeout = Duration::from_secs(120);
    let entry = ProviderEntry {
        name: "embedded".into(),
        label: "Offline model (small, for trying Tally out)".into(),
        models: vec!["SmolLM2-135M-Instruct.Q4_1".into()],
        provider: Arc::new(start_model(2, 8)),
        timeouts: Timeouts {
            connect: timeout,
            first_token: timeout,
            idle: timeout,
        },
        offline: true,
    };
    let mut config = config;
    config.max_answer_tokens = 60;
    let app = TestApp::start_with_catalog(config, data, None, Catalog::new(vec![entry])).await;
    let browser = app.browser_with_timeout(Duration::from_secs(240));
    let mut stream = browser
        .send(None, "What is self-employment tax?")
        .await
        .expect("accepted");
    // Follow-ups and titles from the small model can take a while after the answer.
    stream.patience = timeout;
    let started = stream.started().await;
    let mut finished = None;
    while let Some(event) = stream.next_event().await {
        if let TurnEvent::Finished { message, error } = event {
            assert_eq!(error, None);
            finished = Some(*message);
            break;
        }
    }
    // Follow-ups and the title come from the same small model: let it finish them.
    while stream.next_event().await.is_some() {}
    let message = finished.expect("finished");
    assert_eq!(message.id, started.assistant_message_id);
    assert_eq!(message.status, MessageStatus::Complete);
    assert!(!message.content.trim().is_empty());
    let usage = message.usage.expect("usage");
    assert!(!usage.estimated, "counted by the real tokenizer");
    let row = app.message_row(&message.id).await;
    assert_eq!(row.provider.as_deref(), Some("embedded"));
    assert_eq!(row.model.as_deref(), Some("SmolLM2-135M-Instruct.Q4_1"));

    // A tax question leads with the knowledge base; the small model's summary follows, and every figure in the
    // answer is one the sources hold.
    assert!(
        message
            .content
            .starts_with("**From Tally's knowledge base**"),
        "{}",
        message.content
    );
    assert!(message.content.contains("15.3"), "{}", message.content);
    let grounding = message.grounding.expect("grounding");
    assert!(!grounding.sources.is_empty());
    assert!(
        grounding.unsupported_figures.is_empty(),
        "{:?}",
        grounding.unsupported_figures
    );

    // A calculation is computed, not written by the model.
    let mut stream = browser
        .send(
            None,
            "What is my self-employment tax on $50,000 net profit for 2025?",
        )
        .await
        .expect("accepted");
    // The summary shows sentence by sentence, and a sentence left out for its figures is a silent pause.
    stream.patience = timeout;
    let events = stream.read_all().await;
    let turn = support::summarize(&events);
    let content = &turn.finished.content;
    assert!(
        content.contains("92.35 % of $50,000.00 = $46,175.00"),
        "{content}"
    );
    assert!(content.contains("$7,064.78"), "{content}");
    let grounding = turn.finished.grounding.expect("grounding");
    assert_eq!(grounding.tax_year, 2025);
    assert!(
        grounding.unsupported_figures.is_empty(),
        "{:?}",
        grounding.unsupported_figures
    );
    app.shutdown().await;
}
