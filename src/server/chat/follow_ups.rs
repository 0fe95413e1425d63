//! Three follow-up questions after each complete answer: a short second request to the model that answered,
//! parsed strictly. Anything short of three clean questions yields none: a chip must never be a placeholder or a
//! fragment of the model's chatter.

use std::time::Duration;

use crate::server::llm::{self, Candidate, ChatRequest};

pub const COUNT: usize = 3;
/// The mock upstream recognises follow-up requests by this phrase.
pub const INSTRUCTIONS: &str = "You suggest follow-up questions. Read the question a freelancer asked a tax \
assistant and the answer they got. Write exactly three short follow-up questions the freelancer is most likely to \
ask next, each specific to that answer, in the freelancer's own voice, each under 15 words and ending with a \
question mark. Reply with the three questions only, one per line, with no numbering and nothing else.";
const MAX_TOKENS: u32 = 120;
const TEMPERATURE: f32 = 0.4;
/// The answer as the follow-up request quotes it: its opening says what it covers, and small models lose the task
/// in a long quote.
const ANSWER_CHARS: usize = 600;
const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 120;
/// The whole follow-up request, so chips never hold up a turn for long.
const DEADLINE: Duration = Duration::from_secs(30);

/// What the model reads.
pub fn request(question: &str, answer: &str) -> ChatRequest {
    let answer: String = answer.chars().take(ANSWER_CHARS).collect();
    // The task comes last, after the quote, where even a small model still has it in mind.
    ChatRequest::instructed(
        INSTRUCTIONS,
        format!(
            "Question: {question}\n\nAnswer (opening):\n{answer}\n\nNow write three short follow-up \
             questions about this, one per line, each ending with a question mark, in the language of the question."
        ),
        MAX_TOKENS,
        TEMPERATURE,
    )
}

/// Asks `candidate` for follow-ups to one answer. `None` when it fails, is too slow or writes anything unusable.
pub async fn generate(candidate: &Candidate, question: &str, answer: &str) -> Option<Vec<String>> {
    let text = llm::collect_text(candidate, request(question, answer), DEADLINE).await?;
    let questions = parse(&text, question);
    if questions.is_none() {
        tracing::info!(model = ?candidate, output_chars = text.len(), "no usable follow-up questions");
        tracing::debug!(output = %text, "unusable follow-up output");
    }
    questions
}

/// Exactly three distinct, plain, short questions from the model's output, or `None`.
pub fn parse(output: &str, original_question: &str) -> Option<Vec<String>> {
    let original = normalise(original_question);
    let mut questions: Vec<String> = Vec::new();
    for line in output.lines() {
        let Some(question) = clean_line(line) else {
            continue;
        };
        let key = normalise(&question);
        if key == original || questions.iter().any(|q| normalise(q) == key) {
            continue;
        }
        questions.push(question);
        if questions.len() == COUNT {
            return Some(questions);
        }
    }
    None
}

/// One line as a question, without list markers, quotes or emphasis; `None` unless it is a plain question.
fn clean_line(line: &str) -> Option<String> {
    let mut text = line.trim();
    // "1.", "2)", "-", "*", "•", "Q1:" and the like.
    text = text
        .trim_start_matches(['-', '*', '•', '–', '—'])
        .trim_start();
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && text[digits..].starts_with(['.', ')', ':']) {
        text = text[digits + 1..].trim_start();
    }
    if let Some(rest) = text.strip_prefix(['Q', 'q']) {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with([':', '.', ')']) {
            text = rest[digits + 1..].trim_start();
        }
    }
    let text = text
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '*' | '_' | '`'))
        .trim();
    let chars = text.chars().count();
    let plain = !text.contains(['<', '>', '[', ']', '{', '}', '`', '|', '\\', '#'])
        && !text.contains("://")
        && !text.chars().any(char::is_control);
    let words = text.split_whitespace().count();
    (text.ends_with('?') && plain && (MIN_CHARS..=MAX_CHARS).contains(&chars) && words >= 3)
        .then(|| text.to_string())
}

fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUESTION: &str = "Can I deduct my home office?";

    #[test]
    fn clean_output_gives_three_questions() {
        let output = "How do I measure my home office space?\nCan I deduct part of my rent?\n\
                      What records should I keep for the deduction?\n";
        assert_eq!(
            parse(output, QUESTION).unwrap(),
            [
                "How do I measure my home office space?",
                "Can I deduct part of my rent?",
                "What records should I keep for the deduction?"
            ]
        );
    }

    #[test]
    fn numbering_bullets_quotes_and_chatter_are_stripped() {
        let output = "Here are three follow-up questions:\n\n1. \"How do I measure my office?\"\n- **Can I deduct \
                      internet costs?**\nQ3: What about a second home office?\nHope this helps!";
        assert_eq!(
            parse(output, QUESTION).unwrap(),
            [
                "How do I measure my office?",
                "Can I deduct internet costs?",
                "What about a second home office?"
            ]
        );
    }

    #[test]
    fn fewer_than_three_questions_give_none() {
        assert_eq!(parse("", QUESTION), None);
        assert_eq!(parse("I cannot help with that.", QUESTION), None);
        // Cut off by the token limit: the third line never got its question mark.
        let partial =
            "How do I measure my office?\nCan I deduct internet costs?\nWhat about a second";
        assert_eq!(parse(partial, QUESTION), None);
    }

    #[test]
    fn repeats_and_the_original_question_do_not_count() {
        let output =
            "Can I deduct my home office?\nHow big can it be?\nhow big can it be?\nWhat counts as \
                      exclusive use?";
        assert_eq!(parse(output, QUESTION), None);
    }

    #[test]
    fn markup_links_and_oversized_lines_are_rejected() {
        let output = "<img src=x onerror=alert(1)> Is this safe?\nSee [this](javascript:alert(1)) for more?\n\
                      Visit https://evil.example to learn more?\nWhy?\n"
            .to_string()
            + &"Is this very long question going on and on? ".repeat(5)
            + "\nCan I deduct software?\nCan I deduct a laptop?";
        assert_eq!(parse(&output, QUESTION), None);
        let with_control =
            "Can I deduct \u{7} software?\nCan I deduct a laptop?\nCan I deduct a desk?";
        assert_eq!(parse(with_control, QUESTION), None);
    }

    #[test]
    fn more_than_three_keeps_the_first_three() {
        let output = "Is rent deductible?\nIs power deductible?\nIs internet deductible?\nIs a desk deductible?";
        assert_eq!(parse(output, QUESTION).unwrap().len(), 3);
    }
}
