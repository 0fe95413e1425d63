//! Regenerate, Edit and Delete: what they replace stays reachable as another version ("2 / 2"), switching brings
//! the earlier path back exactly, the model reads only the path shown, and nobody reaches anyone else's.

use crate::support;

use serde_json::{json, Value};
use support::{summarize, Browser, TestApp, Turn};
use tally::model::TurnEvent;

/// Sends a Regenerate or Edit the way the page does, and reads the whole answer.
async fn fork(browser: &Browser, body: Value) -> Result<Vec<TurnEvent>, (u16, Value)> {
    let response = browser
        .client
        .post(format!("{}/api/chat/send", browser.base_url))
        .json(&json!({ "request": body }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    if status != 200 {
        return Err((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ));
    }
    Ok(text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("event"))
        .collect())
}

async fn regenerate(browser: &Browser, turn: &Turn) -> Turn {
    let events = fork(
        browser,
        json!({"conversation_id": turn.conversation_id, "content": "", "regenerate": turn.assistant_message_id}),
    )
    .await
    .expect("regenerated");
    summarize(&events)
}

/// The conversation as the page shows it: (role, content, "index/count" when it has versions), and the ids.
async fn shown(
    browser: &Browser,
    conversation_id: &str,
) -> (Vec<(String, String, String)>, Vec<String>) {
    let reply = browser
        .call("conversations/get", &[("id", conversation_id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    described(&reply.body)
}

fn described(detail: &Value) -> (Vec<(String, String, String)>, Vec<String>) {
    let messages = detail["messages"].as_array().unwrap();
    let rows = messages
        .iter()
        .map(|m| {
            let branch = match &m["branch"] {
                Value::Null => String::new(),
                b => format!("{}/{}", b["index"], b["count"]),
            };
            (
                m["role"].as_str().unwrap().to_string(),
                m["content"].as_str().unwrap().to_string(),
                branch,
            )
        })
        .collect();
    let ids = messages
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    (rows, ids)
}

fn row(role: &str, content: &str, branch: &str) -> (String, String, String) {
    (role.to_string(), content.to_string(), branch.to_string())
}

#[tokio::test]
async fn regenerate_keeps_the_earlier_answer_a_switch_away() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let first = summarize(
        &browser
            .ask(None, "Can I deduct my capybara grooming van?")
            .await,
    );
    let again = regenerate(&browser, &first).await;
    assert_eq!(again.conversation_id, first.conversation_id);
    assert_ne!(again.assistant_message_id, first.assistant_message_id);
    assert!(again.error.is_none());

    // The model read the question once, as the last message, without the answer it replaces.
    let requests = app.mock.as_ref().unwrap().answer_requests();
    let asked = requests.last().unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        asked.last().unwrap()["content"],
        "Can I deduct my capybara grooming van?"
    );
    assert!(
        asked.iter().all(|m| m["role"] != "assistant"),
        "the earlier answer is not history"
    );

    let (rows, ids) = shown(&browser, &first.conversation_id).await;
    assert_eq!(
        rows,
        vec![
            row("user", "Can I deduct my capybara grooming van?", ""),
            row("assistant", &again.finished.content, "2/2"),
        ]
    );
    assert_eq!(ids[1], again.assistant_message_id);

    // Previous answer: the first one is back, the newer a switch away.
    let switched = browser
        .call(
            "messages/switch",
            &[("message_id", &first.assistant_message_id)],
        )
        .await;
    assert_eq!(switched.status, 200, "{}", switched.body);
    let (rows, ids) = described(&switched.body);
    assert_eq!(rows[1], row("assistant", &first.finished.content, "1/2"));
    assert_eq!(
        switched.body["messages"][1]["branch"]["next"],
        Value::String(again.assistant_message_id.clone())
    );
    assert_eq!(ids.len(), 2);
    // A follow-up goes on from the answer shown.
    let next = summarize(
        &browser
            .ask(Some(&first.conversation_id), "And the fuel for it?")
            .await,
    );
    let requests = app.mock.as_ref().unwrap().answer_requests();
    let history = requests.last().unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone();
    let answers: Vec<&str> = history
        .iter()
        .filter(|m| m["role"] == "assistant")
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(
        answers,
        [first.finished.content.as_str()],
        "one answer to the question: the one shown"
    );
    assert!(next.error.is_none());

    // Only the last answer can be asked again; a question cannot be regenerated.
    for (target, what) in [
        (&first.assistant_message_id, "an earlier answer"),
        (&ids[0], "a question"),
    ] {
        let refused = fork(
            &browser,
            json!({"conversation_id": first.conversation_id, "content": "", "regenerate": target}),
        )
        .await
        .expect_err(what);
        assert_eq!(refused.0, 404, "{what}: {}", refused.1);
    }
}

#[tokio::test]
async fn edit_goes_on_from_the_edited_question_and_the_earlier_path_comes_back_whole() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let one = summarize(&browser.ask(None, "I run a lemur photography studio.").await);
    let id = one.conversation_id.clone();
    let two = summarize(&browser.ask(Some(&id), "Is my camera deductible?").await);
    let three = summarize(&browser.ask(Some(&id), "And the tripod?").await);
    let (before, before_ids) = shown(&browser, &id).await;
    assert_eq!(before.len(), 6);

    let edited = fork(
        &browser,
        json!({"conversation_id": id, "content": "Is my drone deductible?", "edit": before_ids[2]}),
    )
    .await
    .expect("edited");
    let edited = summarize(&edited);
    let (rows, ids) = shown(&browser, &id).await;
    assert_eq!(
        rows,
        vec![
            row("user", "I run a lemur photography studio.", ""),
            row("assistant", &one.finished.content, ""),
            row("user", "Is my drone deductible?", "2/2"),
            row("assistant", &edited.finished.content, ""),
        ]
    );
    // The model read what came before the edited question, not what the edit replaced.
    let requests = app.mock.as_ref().unwrap().answer_requests();
    let contents: Vec<String> = requests.last().unwrap()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_string))
        .collect();
    assert!(contents.contains(&"I run a lemur photography studio.".to_string()));
    assert!(!contents
        .iter()
        .any(|c| c == "Is my camera deductible?" || c == "And the tripod?"));

    // Previous version: the earlier question and everything after it, exactly as it was.
    let back = browser
        .call("messages/switch", &[("message_id", &before_ids[2])])
        .await;
    assert_eq!(back.status, 200);
    let (rows, restored_ids) = described(&back.body);
    assert_eq!(restored_ids, before_ids);
    assert_eq!(rows[2], row("user", "Is my camera deductible?", "1/2"));
    assert_eq!(rows[5].1, three.finished.content);
    assert_eq!(rows[3].1, two.finished.content);
    let forward = browser
        .call("messages/switch", &[("message_id", &ids[2])])
        .await;
    let (rows, _) = described(&forward.body);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2].1, "Is my drone deductible?");

    // What is set aside is not found by search, not exported, not shared.
    let search = browser
        .call("conversations/search", &[("query", "tripod")])
        .await;
    assert_eq!(search.body.as_array().unwrap().len(), 0, "{}", search.body);
    let export = browser
        .client
        .get(format!(
            "{}/api/conversations/{id}/export?format=md",
            app.base_url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(export.contains("drone") && !export.contains("tripod"));

    // Edit needs a question of this conversation; one request cannot regenerate and edit at once.
    let refused = fork(
        &browser,
        json!({"conversation_id": id, "content": "x", "edit": ids[3]}),
    )
    .await;
    assert_eq!(refused.expect_err("an answer is not a question").0, 404);
    let refused = fork(
        &browser,
        json!({"conversation_id": id, "content": "x", "edit": ids[2], "regenerate": ids[3]}),
    )
    .await;
    assert_eq!(refused.expect_err("both").0, 400);
    let refused = fork(
        &browser,
        json!({"conversation_id": null, "content": "x", "edit": ids[2]}),
    )
    .await;
    assert_eq!(refused.expect_err("no conversation").0, 400);
}

#[tokio::test]
async fn delete_takes_out_a_question_with_its_answers_and_the_rest_follows_on() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let one = summarize(&browser.ask(None, "First: my quail farm's feed.").await);
    let id = one.conversation_id.clone();
    let two = summarize(&browser.ask(Some(&id), "Second: the quail coop.").await);
    regenerate(&browser, &two).await;
    summarize(&browser.ask(Some(&id), "Third: the quail van.").await);
    assert_eq!(
        app.count("messages").await,
        7,
        "three questions, four answers"
    );
    let (_, ids) = shown(&browser, &id).await;

    let deleted = browser
        .call("messages/delete", &[("message_id", &ids[2])])
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let (rows, _) = described(&deleted.body);
    let questions: Vec<&str> = rows
        .iter()
        .filter(|r| r.0 == "user")
        .map(|r| r.1.as_str())
        .collect();
    assert_eq!(
        questions,
        ["First: my quail farm's feed.", "Third: the quail van."]
    );
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r.2.is_empty()),
        "no versions are left to switch between: {rows:?}"
    );
    assert_eq!(
        app.count("messages").await,
        4,
        "the question went with both its answers"
    );

    // The conversation goes on: the next question's history is what is shown.
    summarize(&browser.ask(Some(&id), "Fourth: the quail eggs.").await);
    let requests = app.mock.as_ref().unwrap().answer_requests();
    let contents: Vec<String> = requests.last().unwrap()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_string))
        .collect();
    assert!(contents.contains(&"Third: the quail van.".to_string()));
    assert!(!contents.iter().any(|c| c.contains("coop")));

    // An answer is not a question to delete; nobody else deletes or switches anything of this conversation.
    let (_, ids) = shown(&browser, &id).await;
    assert_eq!(
        browser
            .call("messages/delete", &[("message_id", &ids[1])])
            .await
            .status,
        404
    );
    let other = app.browser();
    summarize(&other.ask(None, "Mine").await);
    assert_eq!(
        other
            .call("messages/delete", &[("message_id", &ids[0])])
            .await
            .status,
        404
    );
    assert_eq!(
        other
            .call("messages/switch", &[("message_id", &ids[1])])
            .await
            .status,
        404
    );
    let refused = fork(
        &other,
        json!({"conversation_id": id, "content": "", "regenerate": ids.last().unwrap()}),
    )
    .await;
    assert_eq!(refused.expect_err("not theirs").0, 404);
    assert_eq!(
        shown(&browser, &id).await.0.len(),
        6,
        "nothing of the owner's changed"
    );
}

#[tokio::test]
async fn deleting_an_edited_question_takes_its_earlier_versions_too() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let one = summarize(&browser.ask(None, "My otter rescue has a van.").await);
    let id = one.conversation_id.clone();
    summarize(&browser.ask(Some(&id), "Is the van deductible?").await);
    let (_, ids) = shown(&browser, &id).await;
    fork(
        &browser,
        json!({"conversation_id": id, "content": "Is the boat deductible?", "edit": ids[2]}),
    )
    .await
    .expect("edited");
    summarize(&browser.ask(Some(&id), "And its fuel?").await);
    let (rows, ids) = shown(&browser, &id).await;
    assert_eq!(rows[2], row("user", "Is the boat deductible?", "2/2"));

    let deleted = browser
        .call("messages/delete", &[("message_id", &ids[2])])
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let (rows, _) = described(&deleted.body);
    assert_eq!(
        rows.iter()
            .map(|r| (r.1.as_str(), r.2.as_str()))
            .collect::<Vec<_>>()[..],
        [
            ("My otter rescue has a van.", ""),
            (one.finished.content.as_str(), ""),
            ("And its fuel?", ""),
            (rows[3].1.as_str(), ""),
        ],
        "the question after it is not shown as a version of the deleted one"
    );
    assert_eq!(
        app.count("messages").await,
        4,
        "both versions went, with their answers"
    );
}
