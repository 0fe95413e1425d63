//! A follow-up ("and for 2026?") or a question in another language, rewritten by the model into one standalone
//! English search query for the knowledge base. Only such questions are rewritten: a standalone English question is
//! searched as typed and waits on no extra request. The offline model is too small to rewrite well, and a failed,
//! slow or unusable rewrite is simply not used: the heuristics (the previous question joined to a short follow-up,
//! the Vietnamese glossary) still search.

use std::time::Duration;

use crate::server::{
    llm::{self, Candidate, ChatRequest},
    tax::terms,
};

/// The mock upstream recognises rewrite requests by this phrase.
pub const INSTRUCTIONS: &str = "You rewrite search queries. A freelancer is asking a US tax assistant. Rewrite \
their latest question as one standalone search query in English that names the subject in full, using the earlier \
questions only to fill in what the latest one leaves out. Keep every year, amount and form name it has. Reply with \
the query only, on one line, nothing else.";
const MAX_TOKENS: u32 = 48;
const TEMPERATURE: f32 = 0.0;
/// The rewrite stands before the answer's first token: past this the question is searched without it.
const DEADLINE: Duration = Duration::from_secs(4);
/// Earlier questions quoted, newest last, each cut to a length that names its subject.
const EARLIER_QUESTIONS: usize = 3;
const QUOTED_CHARS: usize = 300;
const MAX_CHARS: usize = 200;
/// Whether `question` needs rewriting before it is searched: it leans on the earlier questions, or it is not
/// written in English.
pub fn needs_rewrite(question: &str, earlier: &[&str]) -> bool {
    not_english(question) || (!earlier.is_empty() && terms::is_follow_up(question))
}

fn not_english(question: &str) -> bool {
    question.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
        || !terms::glossary_terms(question).is_empty()
}

/// What the model reads: the earlier questions for context, then the one to rewrite.
pub fn request(question: &str, earlier: &[&str]) -> ChatRequest {
    let quote = |text: &str| -> String { text.chars().take(QUOTED_CHARS).collect() };
    let mut context = String::new();
    let recent = earlier.len().saturating_sub(EARLIER_QUESTIONS);
    for asked in &earlier[recent..] {
        context.push_str(&format!("- {}\n", quote(asked).replace('\n', " ")));
    }
    if context.is_empty() {
        context.push_str("(none)\n");
    }
    let latest = quote(question).replace('\n', " ");
    ChatRequest::instructed(
        INSTRUCTIONS,
        format!("Earlier questions:\n{context}\nLatest question: {latest}\n\nNow write the search query."),
        MAX_TOKENS,
        TEMPERATURE,
    )
}

/// Asks `candidate` for the search query; `None` when it fails, is slow or writes something unusable.
pub async fn rewrite(candidate: &Candidate, question: &str, earlier: &[&str]) -> Option<String> {
    let request = request(question, earlier);
    llm::ask_parsed(candidate, request, DEADLINE, parse, "search query rewrite").await
}

/// The first line as a plain query, or `None`.
pub fn parse(output: &str) -> Option<String> {
    let line = output.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = ["Search query:", "Query:", "query:"]
        .iter()
        .find_map(|prefix| line.strip_prefix(prefix))
        .unwrap_or(line);
    let query = line
        .trim_matches(|c: char| {
            matches!(c, '"' | '\'' | '“' | '”' | '*' | '`') || c.is_whitespace()
        })
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let plain = !query.chars().any(char::is_control) && !query.contains("://");
    (plain && (3..=MAX_CHARS).contains(&query.chars().count())).then_some(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_standalone_english_question_is_searched_as_typed() {
        let earlier = ["What is the self-employment tax rate for 2025?"];
        assert!(!needs_rewrite(
            "How do I deduct my home office with the simplified method?",
            &earlier
        ));
        assert!(!needs_rewrite("and for 2026?", &[]));
    }

    #[test]
    fn follow_ups_and_other_languages_are_rewritten() {
        let earlier = ["What is the self-employment tax rate for 2025?"];
        assert!(needs_rewrite("and for 2026?", &earlier));
        assert!(needs_rewrite(
            "What about the Social Security part?",
            &earlier
        ));
        assert!(needs_rewrite(
            "Can I deduct it if I also have a W-2 job with benefits?",
            &earlier
        ));
        assert!(needs_rewrite("Thuế tự doanh năm 2025 là bao nhiêu?", &[]));
        assert!(needs_rewrite("thue tu doanh la bao nhieu", &[]));
    }

    #[test]
    fn the_request_quotes_the_last_three_earlier_questions_and_the_latest() {
        let earlier = ["one?", "two?", "three?", "four?"];
        let request = request("and five?", &earlier);
        let user = &request.messages[1].content;
        assert!(!user.contains("one?"));
        assert!(user.contains("- two?\n- three?\n- four?"));
        assert!(user.contains("Latest question: and five?"));
        assert_eq!(&*request.messages[0].content, INSTRUCTIONS);
    }

    #[test]
    fn a_plain_query_is_kept_and_decoration_stripped() {
        assert_eq!(
            parse("Query: \"self-employment tax rate 2026\"\nextra").as_deref(),
            Some("self-employment tax rate 2026")
        );
        assert_eq!(parse("   \n").as_deref(), None);
        assert_eq!(parse("ok").as_deref(), None);
        assert_eq!(parse(&"x ".repeat(150)).as_deref(), None);
    }
}
