//! Personal identifiers never reach a provider: the question and the history are masked in every request the
//! mock upstream receives (the answer, the title, the follow-ups), the stored question keeps what the user typed,
//! and the answer says what was taken out.

use crate::support;

use support::{eventually, summarize, TestApp};
use tally::model::TurnEvent;

const SSN: &str = "123-45-6789";
const IBAN: &str = "GB82 WEST 1234 5698 7654 32";

#[tokio::test]
async fn identifiers_are_masked_in_everything_a_model_reads_and_kept_in_the_stored_question() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let question = format!(
        "My SSN is {SSN} and a client paid me to {IBAN}. Do I owe self-employment tax on it?"
    );
    let events = browser.ask(None, &question).await;
    let first = summarize(&events);
    // The note is on screen while the answer is written, and stays with the stored answer.
    let note = "Before your question went to the model, Tally removed a Social Security number and an IBAN from it.";
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TurnEvent::Noted { notice } if notice == note)),
        "{events:?}"
    );
    assert_eq!(first.finished.notice.as_deref(), Some(note));

    // A follow-up: the earlier question, read again from the database as history, is masked too.
    let second = summarize(
        &browser
            .ask(Some(&first.conversation_id), "And what about state tax?")
            .await,
    );
    assert_eq!(second.finished.notice, None);

    let mock = app.mock.as_ref().expect("mock");
    // The title and the follow-ups are asked for after the answer: wait until they have been.
    eventually("the title and follow-up requests", || async {
        mock.requests().len() > mock.answer_requests().len()
    })
    .await;
    let requests = mock.requests();
    let sent: Vec<String> = requests.iter().map(|r| r.to_string()).collect();
    for body in &sent {
        assert!(!body.contains(SSN), "a provider read the SSN: {body}");
        assert!(
            !body.contains("WEST 1234"),
            "a provider read the IBAN: {body}"
        );
    }
    let answers = mock.answer_requests();
    let last = answers
        .last()
        .expect("the follow-up's answer request")
        .to_string();
    assert!(
        last.contains("[SSN removed]") && last.contains("[IBAN removed]"),
        "{last}"
    );

    let reply = browser
        .call("conversations/get", &[("id", &first.conversation_id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["messages"][0]["content"], question.as_str());
}

#[tokio::test]
async fn a_question_in_vietnamese_gets_the_note_in_vietnamese() {
    let app = TestApp::start().await;
    let turn = summarize(
        &app.browser()
            .ask(
                None,
                &format!("Số SSN của tôi là {SSN}, tôi có phải đóng thuế tự doanh không?"),
            )
            .await,
    );
    let notice = turn.finished.notice.expect("a note");
    assert!(notice.contains("An sinh Xã hội"), "{notice}");
}

#[tokio::test]
async fn dates_phone_numbers_and_amounts_are_sent_as_typed() {
    let app = TestApp::start().await;
    let question =
        "I earned $84,250.00 in 2025, call me at 555-123-4567: is 2026-04-15 my deadline?";
    let turn = summarize(&app.browser().ask(None, question).await);
    assert_eq!(turn.finished.notice, None);
    let answers = app.mock.as_ref().expect("mock").answer_requests();
    let body = answers.last().expect("the answer request").to_string();
    assert!(body.contains(question), "{body}");
}
