//! Conversation management on the store (SQLite, or PostgreSQL with TALLY_TEST_DATABASE=postgres) and over HTTP:
//! ownership, keyset pagination, pin and archive, rename, full-text search, long conversations, export.

use crate::support;

use std::sync::Arc;

use support::{database::TestDatabase, summarize, TestApp};
use tally::{
    model::{MessageStatus, DISCLAIMER},
    server::store::{
        FinishedAnswer, ListCursor, ListFilter, NewConversation, NewTurn, Owner, OwnerRef, Store,
        TurnQuestion, HIGHLIGHT_END, HIGHLIGHT_START,
    },
};
use uuid::Uuid;

struct Fixture {
    store: Arc<dyn Store>,
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create(dir.path()).await;
    Fixture {
        store: database.store().await,
        _database: database,
        _dir: dir,
    }
}

async fn guest(store: &dyn Store, seed: u8) -> Owner {
    Owner::Guest(
        store
            .ensure_guest(&[seed; 32], 86_400_000)
            .await
            .expect("guest"),
    )
}

/// A turn with placeholder provider and model, in `conversation_id` (created with it when `new` is set).
fn new_turn(conversation_id: Uuid, new: Option<NewConversation>, question: &str) -> NewTurn {
    NewTurn {
        conversation_id,
        new_conversation: new,
        question: TurnQuestion::New(question.into()),
        provider: "p".into(),
        model: "m".into(),
        disclaimer: DISCLAIMER.into(),
    }
}

/// A conversation a turn starts, for `owner`.
fn starting(owner: Owner, title: &str, model_key: Option<&str>) -> Option<NewConversation> {
    Some(NewConversation {
        owner,
        assistant_id: "tax".into(),
        title: title.into(),
        model_key: model_key.map(Into::into),
    })
}

/// A conversation with one finished exchange.
async fn conversation(
    store: &dyn Store,
    owner: Owner,
    title: &str,
    question: &str,
    answer: &str,
) -> Uuid {
    let conversation = store
        .create_conversation(owner, "tax", title, None)
        .await
        .expect("conversation");
    let (_, reply) = store
        .begin_turn(new_turn(conversation.id, None, question))
        .await
        .expect("turn");
    store
        .finish_answer(
            reply.id,
            FinishedAnswer {
                provider: "p".into(),
                model: "m".into(),
                notice: None,
                content: answer.into(),
                status: MessageStatus::Complete,
                usage: None,
                ttft_ms: Some(1),
                latency_ms: 2,
                error_id: None,
                grounding: None,
            },
        )
        .await
        .expect("finish");
    conversation.id
}

async fn page(
    store: &dyn Store,
    owner: Owner,
    filter: ListFilter,
    after: Option<&ListCursor>,
    limit: i64,
) -> Vec<(Uuid, String, bool)> {
    store
        .list_conversations(owner, filter, after, limit)
        .await
        .expect("list")
        .into_iter()
        .map(|item| (item.id, item.title, item.pinned))
        .collect()
}

#[tokio::test]
async fn another_owners_conversation_behaves_as_missing() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let alice = guest(store, 1).await;
    let bob = guest(store, 2).await;
    let id = conversation(
        store,
        alice,
        "Alice's SEP-IRA",
        "How much can I put in a SEP-IRA?",
        "Up to 25%.",
    )
    .await;

    assert!(store.get_conversation(bob, id).await.unwrap().is_none());
    assert!(store
        .list_recent_messages(bob, id, None, 10)
        .await
        .unwrap()
        .is_none());
    // A turn reads by the cookie's token hash: Bob's cookie finds nothing, an unknown cookie neither.
    assert!(store
        .turn_context(OwnerRef::GuestToken(&[2; 32]), id, 10)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .turn_context(OwnerRef::GuestToken(&[99; 32]), id, 10)
        .await
        .unwrap()
        .is_none());
    let context = store
        .turn_context(OwnerRef::GuestToken(&[1; 32]), id, 10)
        .await
        .unwrap()
        .expect("Alice's conversation");
    assert_eq!(context.owner, alice);
    assert_eq!(context.title, "Alice's SEP-IRA");
    let texts: Vec<&str> = context
        .recent_messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(texts, ["How much can I put in a SEP-IRA?", "Up to 25%."]);
    assert!(!store
        .rename_conversation(bob, id, "mine now")
        .await
        .unwrap());
    assert!(!store.set_pinned(bob, id, true).await.unwrap());
    assert!(!store.set_archived(bob, id, true).await.unwrap());
    assert!(!store.delete_conversation(bob, id).await.unwrap());
    assert!(page(store, bob, ListFilter::Active, None, 10)
        .await
        .is_empty());
    assert!(store
        .search(bob, &["sep".into()], 10)
        .await
        .unwrap()
        .is_empty());
    // Nothing of Alice's changed.
    let kept = store
        .get_conversation(alice, id)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(kept.title, "Alice's SEP-IRA");
    assert!(!kept.pinned && !kept.archived);
}

#[tokio::test]
async fn a_first_question_writes_its_conversation_in_the_same_transaction() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let (owner, stranger) = (guest(store, 20).await, guest(store, 21).await);
    let id = Uuid::now_v7();
    let (question, answer) = store
        .begin_turn(new_turn(
            id,
            starting(owner, "Home office", Some("mock/m")),
            "Can I deduct my home office?",
        ))
        .await
        .expect("turn");
    let conversation = store
        .get_conversation(owner, id)
        .await
        .unwrap()
        .expect("the owner sees the new conversation");
    assert_eq!(conversation.title, "Home office");
    assert_eq!(conversation.model_key.as_deref(), Some("mock/m"));
    let (messages, _) = store
        .list_recent_messages(owner, id, None, 10)
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<Uuid> = messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![question.id, answer.id]);
    assert_eq!(messages[1].status, MessageStatus::Streaming);
    assert!(store
        .get_conversation(stranger, id)
        .await
        .unwrap()
        .is_none());
    let listed = page(store, owner, ListFilter::Active, None, 10).await;
    assert_eq!(listed, vec![(id, "Home office".to_string(), false)]);

    // The same id again cannot start a second conversation, and the first keeps its one exchange.
    let again = store
        .begin_turn(new_turn(
            id,
            starting(stranger, "Taken over", None),
            "second",
        ))
        .await;
    assert!(again.is_err(), "a duplicate conversation id is refused");
    let (messages, _) = store
        .list_recent_messages(owner, id, None, 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(messages.len(), 2, "nothing of the refused turn was written");
}

#[tokio::test]
async fn checkpoints_of_several_answers_land_together_and_never_undo_a_final_answer() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 22).await;
    let finished = conversation(store, owner, "done", "q", "the final answer").await;
    let (messages, _) = store
        .list_recent_messages(owner, finished, None, 10)
        .await
        .unwrap()
        .unwrap();
    let finished_answer = messages.last().unwrap().id;
    let mut streaming = Vec::new();
    for n in 0..2 {
        let id = Uuid::now_v7();
        let (_, answer) = store
            .begin_turn(new_turn(
                id,
                starting(owner, &format!("streaming {n}"), None),
                &format!("question {n}"),
            ))
            .await
            .unwrap();
        streaming.push((id, answer.id));
    }
    // Answers that ended and vanished meanwhile come first, so the ones that count fall in a later chunk.
    let mut partial: Vec<(Uuid, String)> = (0..150)
        .map(|n| (Uuid::now_v7(), format!("gone {n}")))
        .collect();
    partial.extend([
        (streaming[0].1, "partial zero".into()),
        (streaming[1].1, "partial one".into()),
        (finished_answer, "a stale checkpoint".into()),
    ]);
    store
        .checkpoint_answers(&partial)
        .await
        .expect("checkpoints");
    for ((conversation_id, answer_id), expected) in
        streaming.iter().zip(["partial zero", "partial one"])
    {
        let (messages, _) = store
            .list_recent_messages(owner, *conversation_id, None, 10)
            .await
            .unwrap()
            .unwrap();
        let answer = messages.iter().find(|m| m.id == *answer_id).unwrap();
        assert_eq!(
            (answer.content.as_str(), answer.status),
            (expected, MessageStatus::Streaming)
        );
    }
    let (messages, _) = store
        .list_recent_messages(owner, finished, None, 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(messages.last().unwrap().content, "the final answer");
    assert_eq!(messages.last().unwrap().status, MessageStatus::Complete);
}

#[tokio::test]
async fn a_new_question_and_an_answer_ending_move_the_conversation_to_the_top() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 1).await;
    let tick = || tokio::time::sleep(std::time::Duration::from_millis(5));
    let older = conversation(store, owner, "Older", "Mileage?", "Log it.").await;
    tick().await;
    let newer = conversation(store, owner, "Newer", "Home office?", "Measure it.").await;
    let order = || async {
        page(store, owner, ListFilter::Active, None, 10)
            .await
            .into_iter()
            .map(|(id, ..)| id)
            .collect::<Vec<_>>()
    };
    assert_eq!(order().await, [newer, older]);

    tick().await;
    let (_, answer) = store
        .begin_turn(new_turn(older, None, "And parking?"))
        .await
        .expect("turn");
    assert_eq!(order().await, [older, newer], "a question moves it up");

    tick().await;
    store
        .begin_turn(new_turn(newer, None, "And internet?"))
        .await
        .expect("turn");
    assert_eq!(order().await, [newer, older]);

    tick().await;
    let finished = FinishedAnswer {
        provider: "p".into(),
        model: "m".into(),
        notice: None,
        content: "Parking counts.".into(),
        status: MessageStatus::Complete,
        usage: None,
        ttft_ms: Some(1),
        latency_ms: 2,
        error_id: None,
        grounding: None,
    };
    store
        .finish_answer(answer.id, finished)
        .await
        .expect("finish");
    assert_eq!(
        order().await,
        [older, newer],
        "an answer ending moves it up"
    );
    // Saving a streaming answer's partial text is not activity the sidebar reorders for.
    tick().await;
    let (_, streaming) = store
        .begin_turn(new_turn(older, None, "And tolls?"))
        .await
        .expect("turn");
    tick().await;
    store
        .begin_turn(new_turn(newer, None, "And phone?"))
        .await
        .expect("turn");
    tick().await;
    store
        .checkpoint_answers(&[(streaming.id, "Tolls".into())])
        .await
        .expect("checkpoint");
    assert_eq!(order().await, [newer, older]);
}

#[tokio::test]
async fn pages_stay_stable_while_new_conversations_arrive() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 3).await;
    let mut created = Vec::new();
    for n in 0..25 {
        created.push(conversation(store, owner, &format!("old {n}"), "q", "a").await);
    }
    let first = page(store, owner, ListFilter::Active, None, 10).await;
    assert_eq!(first.len(), 10);
    assert_eq!(first[0].1, "old 24", "newest first");
    let items = store
        .list_conversations(owner, ListFilter::Active, None, 10)
        .await
        .unwrap();
    let mut cursor = ListCursor::after(items.last().unwrap());
    // New conversations arrive while the user scrolls.
    for n in 0..5 {
        conversation(store, owner, &format!("new {n}"), "q", "a").await;
    }
    let mut seen: Vec<Uuid> = first.iter().map(|(id, _, _)| *id).collect();
    loop {
        let items = store
            .list_conversations(owner, ListFilter::Active, Some(&cursor), 10)
            .await
            .unwrap();
        let Some(last) = items.last() else { break };
        cursor = ListCursor::after(last);
        seen.extend(items.iter().map(|i| i.id));
    }
    let mut expected = created.clone();
    expected.reverse();
    assert_eq!(
        seen, expected,
        "every old conversation once, in order, none of the new ones"
    );
}

#[tokio::test]
async fn pinned_come_first_and_archived_are_listed_apart() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 4).await;
    let a = conversation(store, owner, "a", "q", "a").await;
    let b = conversation(store, owner, "b", "q", "a").await;
    let c = conversation(store, owner, "c", "q", "a").await;
    assert!(store.set_pinned(owner, a, true).await.unwrap());
    assert!(store.set_archived(owner, b, true).await.unwrap());
    let active = page(store, owner, ListFilter::Active, None, 10).await;
    assert_eq!(active, [(a, "a".into(), true), (c, "c".into(), false)]);
    let archived = page(store, owner, ListFilter::Archived, None, 10).await;
    assert_eq!(archived, [(b, "b".into(), false)]);
    // Pages continue correctly across the pinned/unpinned boundary.
    let items = store
        .list_conversations(owner, ListFilter::Active, None, 1)
        .await
        .unwrap();
    let rest = page(
        store,
        owner,
        ListFilter::Active,
        Some(&ListCursor::after(&items[0])),
        10,
    )
    .await;
    assert_eq!(rest, [(c, "c".into(), false)]);
    assert!(store.set_archived(owner, b, false).await.unwrap());
    assert_eq!(
        page(store, owner, ListFilter::Active, None, 10).await.len(),
        3
    );
}

#[tokio::test]
async fn a_rename_sticks_and_a_generated_title_never_overrides_it() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 5).await;
    let fresh = conversation(
        store,
        owner,
        "Can I deduct…",
        "Can I deduct my phone?",
        "Partly.",
    )
    .await;
    assert!(store
        .set_generated_title(fresh, "Phone Deduction")
        .await
        .unwrap());
    assert_eq!(
        store
            .get_conversation(owner, fresh)
            .await
            .unwrap()
            .unwrap()
            .title,
        "Phone Deduction"
    );

    let renamed = conversation(
        store,
        owner,
        "Can I deduct…",
        "Can I deduct my car?",
        "Partly.",
    )
    .await;
    assert!(store
        .rename_conversation(owner, renamed, "My car")
        .await
        .unwrap());
    assert!(!store
        .set_generated_title(renamed, "Car Deduction")
        .await
        .unwrap());
    assert_eq!(
        store
            .get_conversation(owner, renamed)
            .await
            .unwrap()
            .unwrap()
            .title,
        "My car"
    );
}

#[tokio::test]
async fn search_finds_titles_and_bodies_of_the_owner_only_with_highlights() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 6).await;
    let other = guest(store, 7).await;
    let by_title = conversation(
        store,
        owner,
        "Mileage log",
        "What do I record?",
        "Date, purpose, miles.",
    )
    .await;
    let by_body = conversation(
        store,
        owner,
        "Question about my flat",
        "Can I deduct my home office?",
        "Yes: the simplified home office deduction allows $5 per square foot.",
    )
    .await;
    conversation(
        store,
        other,
        "Other home office",
        "home office?",
        "home office deductions",
    )
    .await;

    let hits = store.search(owner, &["mileage".into()], 10).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].conversation_id, by_title);
    assert!(
        hits[0]
            .snippet
            .contains(&format!("{HIGHLIGHT_START}Mileage{HIGHLIGHT_END}")),
        "{:?}",
        hits[0].snippet
    );

    // Stemming ("deductions" finds "deduction"), several terms, the last one as a prefix.
    let hits = store
        .search(owner, &["deductions".into(), "squa".into()], 10)
        .await
        .unwrap();
    assert_eq!(
        hits.iter().map(|h| h.conversation_id).collect::<Vec<_>>(),
        [by_body]
    );
    assert!(
        hits[0].snippet.contains(HIGHLIGHT_START),
        "{:?}",
        hits[0].snippet
    );
    assert_eq!(hits[0].title, "Question about my flat");

    // The other owner's "home office" never shows; ours shows once however many messages match.
    let hits = store
        .search(owner, &["home".into(), "office".into()], 10)
        .await
        .unwrap();
    assert_eq!(
        hits.iter().map(|h| h.conversation_id).collect::<Vec<_>>(),
        [by_body]
    );
    // A renamed title is searchable at once.
    assert!(store
        .rename_conversation(owner, by_body, "Flat and workspace")
        .await
        .unwrap());
    let hits = store
        .search(owner, &["workspace".into()], 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    // Deleted conversations leave the index.
    assert!(store.delete_conversation(owner, by_title).await.unwrap());
    assert!(store
        .search(owner, &["mileage".into()], 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_long_conversation_opens_with_its_latest_page() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 8).await;
    let id = conversation(store, owner, "long", "q0", "a0").await;
    for n in 1..130 {
        let (_, reply) = store
            .begin_turn(new_turn(id, None, &format!("q{n}")))
            .await
            .unwrap();
        store
            .checkpoint_answers(&[(reply.id, format!("a{n}"))])
            .await
            .unwrap();
    }
    let (latest, has_earlier) = store
        .list_recent_messages(owner, id, None, 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.len(), 100);
    assert!(has_earlier);
    assert_eq!(latest.last().unwrap().content, "a129");
    let (older, has_earlier) = store
        .list_recent_messages(owner, id, Some(latest[0].id), 200)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(older.len(), 160);
    assert!(!has_earlier);
    assert_eq!(older[0].content, "q0");
    assert!(older.last().unwrap().id < latest[0].id);

    // A turn's prompt reads the newest messages only, oldest first.
    let context = store
        .turn_context(OwnerRef::GuestToken(&[8; 32]), id, 7)
        .await
        .unwrap()
        .expect("own conversation");
    let texts: Vec<&str> = context
        .recent_messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        texts,
        ["a126", "q127", "a127", "q128", "a128", "q129", "a129"]
    );
}

#[tokio::test]
async fn a_conversation_without_messages_still_gives_its_turn_context() {
    let f = fixture().await;
    let store = f.store.as_ref();
    let owner = guest(store, 12).await;
    let conversation = store
        .create_conversation(owner, "tax", "empty", Some("mock"))
        .await
        .unwrap();
    let context = store
        .turn_context(OwnerRef::GuestToken(&[12; 32]), conversation.id, 200)
        .await
        .unwrap()
        .expect("own conversation");
    assert_eq!(context.title, "empty");
    assert_eq!(context.model_key.as_deref(), Some("mock"));
    assert!(context.recent_messages.is_empty());
}

#[tokio::test]
async fn managing_conversations_over_http() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(&browser.ask(None, "Can I deduct my home office?").await);
    assert_eq!(
        turn.title.as_deref(),
        Some("Deduct Home Office"),
        "a title written from the first exchange"
    );
    let id = turn.conversation_id.as_str();

    let renamed = browser
        .call(
            "conversations/rename",
            &[("id", id), ("title", "  Home   office  ")],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body, "Home office");
    let empty = browser
        .call("conversations/rename", &[("id", id), ("title", "  ")])
        .await;
    assert_eq!(
        (empty.status, empty.error().code.as_str()),
        (400, "validation_title")
    );

    assert_eq!(
        browser
            .call("conversations/pin", &[("id", id), ("pinned", "true")])
            .await
            .status,
        200
    );
    let list = browser.call("conversations/list", &[]).await;
    assert_eq!(list.body["items"][0]["title"], "Home office");
    assert_eq!(list.body["items"][0]["pinned"], true);
    assert_eq!(list.body["next"], serde_json::Value::Null);

    let found = browser
        .call("conversations/search", &[("query", "office")])
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body[0]["id"], id);
    assert!(found.body[0]["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .any(|run| run["matched"] == true));
    // Another browser (guest) finds nothing and cannot touch it.
    let stranger = app.browser();
    assert_eq!(
        stranger
            .call("conversations/search", &[("query", "office")])
            .await
            .body,
        serde_json::json!([])
    );
    assert_eq!(
        stranger
            .call("conversations/pin", &[("id", id), ("pinned", "false")])
            .await
            .status,
        404
    );

    assert_eq!(
        browser
            .call("conversations/archive", &[("id", id), ("archived", "true")])
            .await
            .status,
        200
    );
    assert_eq!(
        browser.call("conversations/list", &[]).await.body["items"],
        serde_json::json!([])
    );
    let archived = browser
        .call("conversations/list", &[("archived", "true")])
        .await;
    assert_eq!(archived.body["items"][0]["id"], id);
    let bad = browser
        .call("conversations/list", &[("after", "nonsense")])
        .await;
    assert_eq!(
        (bad.status, bad.error().code.as_str()),
        (400, "validation_cursor")
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_unusable_generated_title_keeps_the_questions_first_words() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let turn = summarize(
        &browser
            .ask(None, "Is my standing desk deductible? [mock:title-garbage]")
            .await,
    );
    assert_eq!(turn.title, None);
    let list = browser.call("conversations/list", &[]).await;
    assert_eq!(
        list.body["items"][0]["title"],
        "Is my standing desk deductible? [mock:title-garbage]"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn export_as_markdown_and_json_holds_every_message_and_the_disclaimer() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let first = summarize(&browser.ask(None, "What is Schedule C?").await);
    let id = first.conversation_id.clone();
    summarize(&browser.ask(Some(&id), "And Schedule SE?").await);

    let response = browser
        .client
        .get(format!(
            "{}/api/conversations/{id}/export?format=md",
            browser.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"tally-") && disposition.ends_with(".md\""),
        "{disposition}"
    );
    let markdown = response.text().await.unwrap();
    assert!(markdown.contains("What is Schedule C?") && markdown.contains("And Schedule SE?"));
    assert_eq!(markdown.matches("## Tally (mock-model)").count(), 2);
    assert!(
        markdown.matches(DISCLAIMER).count() >= 3,
        "with each answer and at the end"
    );

    let json: serde_json::Value = browser
        .client
        .get(format!(
            "{}/api/conversations/{id}/export?format=json",
            browser.base_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["messages"].as_array().unwrap().len(), 4);
    assert_eq!(json["disclaimer"], DISCLAIMER);
    assert_eq!(json["messages"][1]["disclaimer"], DISCLAIMER);
    assert_eq!(json["messages"][3]["status"], "complete");

    let stranger = app.browser();
    let response = stranger
        .client
        .get(format!(
            "{}/api/conversations/{id}/export?format=md",
            stranger.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let bad = browser
        .client
        .get(format!(
            "{}/api/conversations/{id}/export?format=docx",
            browser.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    app.shutdown().await;
}
