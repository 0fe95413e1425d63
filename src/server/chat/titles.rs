//! A short title for a new conversation, written by the model from its first exchange. The conversation starts with
//! the first words of the question as its title; a usable generated title replaces it, unless the owner renamed
//! the conversation meanwhile.

use std::time::Duration;

use crate::server::llm::{self, Candidate, ChatRequest};

/// The mock upstream recognises title requests by this phrase.
pub const INSTRUCTIONS: &str =
    "You write short titles. Reply with a title of at most six words for the \
conversation below, naming its subject. No quotes, no punctuation at the end, nothing else.";
const MAX_TOKENS: u32 = 24;
const TEMPERATURE: f32 = 0.2;
const ANSWER_CHARS: usize = 400;
const MAX_CHARS: usize = 60;
const MAX_WORDS: usize = 8;
const DEADLINE: Duration = Duration::from_secs(20);

pub fn request(question: &str, answer: &str) -> ChatRequest {
    let answer: String = answer.chars().take(ANSWER_CHARS).collect();
    ChatRequest::instructed(
        INSTRUCTIONS,
        format!("Question: {question}\n\nAnswer (opening):\n{answer}\n\nNow write the title."),
        MAX_TOKENS,
        TEMPERATURE,
    )
}

/// Asks `candidate` for a title; `None` when it fails, is slow or writes something unusable.
pub async fn generate(candidate: &Candidate, question: &str, answer: &str) -> Option<String> {
    let request = request(question, answer);
    llm::ask_parsed(candidate, request, DEADLINE, parse, "generated title").await
}

/// The first line as a plain short title, or `None`.
pub fn parse(output: &str) -> Option<String> {
    let line = output.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line
        .strip_prefix("Title:")
        .or_else(|| line.strip_prefix("title:"))
        .unwrap_or(line);
    let line = line
        .trim_matches(|c: char| {
            matches!(c, '"' | '\'' | '“' | '”' | '*' | '_' | '#' | '`') || c.is_whitespace()
        })
        .trim_end_matches(['.', '!', '?', ':', ';', ','])
        .trim();
    let title = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = title.split_whitespace().count();
    let plain = !title.contains(['<', '>', '[', ']', '{', '}', '`', '|', '\\'])
        && !title.contains("://")
        && !title.chars().any(char::is_control);
    (plain && (3..=MAX_CHARS).contains(&title.chars().count()) && (1..=MAX_WORDS).contains(&words))
        .then_some(title)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_plain_title_is_kept_and_decoration_stripped() {
        assert_eq!(
            parse("Home Office Deduction").as_deref(),
            Some("Home Office Deduction")
        );
        assert_eq!(
            parse("\n Title: \"Quarterly Taxes for Freelancers.\"\nMore text").as_deref(),
            Some("Quarterly Taxes for Freelancers")
        );
        assert_eq!(parse("**SE tax basics**").as_deref(), Some("SE tax basics"));
    }

    #[test]
    fn chatter_markup_and_long_lines_are_refused() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("<b>Taxes</b>"), None);
        assert_eq!(parse("See https://irs.gov"), None);
        assert_eq!(
            parse("This conversation is about how freelancers can deduct a home office and more"),
            None
        );
    }
}
