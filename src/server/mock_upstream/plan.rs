//! What the mock answers: a plan per request (tokens, pace, usage, fault), from the request's messages and the
//! `[mock:...]` directives in them.

use std::time::Duration;

use serde_json::Value;

use super::{
    grounded::{
        cite_tool_result, grounded_answer, grounding_of, self_employment_call, HOSTILE_MARKUP,
    },
    Fault, MockConfig,
};

/// What one request asks of the mock.
pub(super) struct Plan {
    /// The question an answer request asks; `None` for follow-up and title requests.
    pub question: Option<String>,
    pub tokens: Vec<String>,
    pub prompt_tokens: usize,
    pub token_delay: Duration,
    pub include_usage: bool,
    pub fault: Option<Fault>,
    /// A function call to make instead of answering: (name, JSON arguments).
    pub tool_call: Option<(String, String)>,
}

pub(super) fn plan(config: &MockConfig, body: &Value) -> Plan {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let is_follow_up_request = messages.iter().any(|m| {
        m["role"] == "system"
            && m["content"]
                .as_str()
                .is_some_and(|c| c.starts_with(FOLLOW_UP_MARKER))
    });
    if is_follow_up_request {
        return follow_up_plan(config, &messages);
    }
    let is_title_request = messages.iter().any(|m| {
        m["role"] == "system"
            && m["content"]
                .as_str()
                .is_some_and(|c| c.starts_with(TITLE_MARKER))
    });
    if is_title_request {
        return title_plan(config, &messages);
    }
    let is_rewrite_request = messages.iter().any(|m| {
        m["role"] == "system"
            && m["content"]
                .as_str()
                .is_some_and(|c| c.starts_with(REWRITE_MARKER))
    });
    if is_rewrite_request {
        return rewrite_plan(config, &messages);
    }
    let question = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_string();
    let prompt_tokens = messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .map(|c| c.split_whitespace().count())
        .sum();
    let number_after = |prefix: &str| -> Option<usize> {
        let start = question.find(prefix)? + prefix.len();
        question[start..].split(']').next()?.parse().ok()
    };
    let fault = if question.contains("[mock:no-tools]") && body["tools"].is_array() {
        // A server that does not know function calling.
        Some(Fault::Status(400))
    } else if question.contains("[mock:status-500]") {
        Some(Fault::Status(500))
    } else if question.contains("[mock:status-429]") {
        Some(Fault::Status(429))
    } else if question.contains("[mock:hang]") {
        Some(Fault::Hang)
    } else if let Some(n) = number_after("[mock:drop-after-") {
        Some(Fault::DropAfter(n))
    } else if let Some(n) = number_after("[mock:malformed-after-") {
        Some(Fault::MalformedAfter(n))
    } else {
        config.fault.clone()
    };
    let slow = question.contains("[mock:slow]");
    // `[mock:tool]`: call the self-employment tax calculator when tools are offered, then answer from its result.
    let tool_results: Vec<&str> = messages
        .iter()
        .filter(|m| m["role"] == "tool")
        .filter_map(|m| m["content"].as_str())
        .collect();
    let tool_call =
        (question.contains("[mock:tool]") && body["tools"].is_array() && tool_results.is_empty())
            .then(|| self_employment_call(&question));
    let answer = match (&tool_call, grounding_of(&messages)) {
        (Some(_), _) => String::new(),
        (None, Some(grounding)) => {
            let mut answer = grounded_answer(&question, &grounding, messages.len());
            for result in &tool_results {
                answer.push_str(&cite_tool_result(result));
            }
            answer
        }
        (None, None) => answer_for(&question, messages.len(), question.contains("[mock:xss]")),
    };
    Plan {
        tokens: tokenize(&answer),
        tool_call,
        prompt_tokens,
        token_delay: if slow {
            config.slow_token_delay
        } else {
            config.token_delay
        },
        include_usage: config.include_usage && !question.contains("[mock:no-usage]"),
        fault,
        question: Some(question),
    }
}

/// How the follow-up instructions begin (see `server::chat::follow_ups::INSTRUCTIONS`).
pub(super) const FOLLOW_UP_MARKER: &str = "You suggest follow-up questions.";

/// How the title instructions begin (see `server::chat::titles::INSTRUCTIONS`).
pub(super) const TITLE_MARKER: &str = "You write short titles.";

/// How the search-query rewrite instructions begin (see `server::chat::search_query::INSTRUCTIONS`).
pub(super) const REWRITE_MARKER: &str = "You rewrite search queries.";

/// A standalone query, as a model would write it: `[mock:rewrite=QUERY]` in the latest question gives QUERY; a
/// follow-up naming a year gets the previous question with that year; any other gets the previous question and
/// the latest together. `[mock:rewrite-fail]` fails the request.
fn rewrite_plan(config: &MockConfig, messages: &[Value]) -> Plan {
    let quoted = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    let latest = quoted
        .split("Latest question: ")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or("");
    // A model would not repeat the test directives of the questions it quotes.
    let without_directives = |text: &str| -> String {
        text.split_whitespace()
            .filter(|w| !w.starts_with("[mock:"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let previous = quoted
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix("- "))
        .map(without_directives);
    let year = |text: &str| {
        text.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 4 && w.starts_with("20"))
            .map(str::to_string)
    };
    let directive = latest
        .split("[mock:rewrite=")
        .nth(1)
        .and_then(|rest| rest.split(']').next());
    let text = match (directive, previous.as_deref()) {
        (Some(query), _) => query.to_string(),
        (None, Some(previous)) => match (year(latest), year(previous)) {
            (Some(new), Some(old)) => previous.replace(&old, &new),
            _ => format!("{previous} {}", topic_of(latest)),
        },
        (None, None) => topic_of(latest),
    };
    Plan {
        question: None,
        tokens: tokenize(&text),
        prompt_tokens: quoted.split_whitespace().count(),
        token_delay: config.token_delay,
        include_usage: config.include_usage,
        fault: latest
            .contains("[mock:rewrite-fail]")
            .then_some(Fault::Status(500)),
        tool_call: None,
    }
}

/// The question quoted in a follow-up or title request.
fn quoted_question(messages: &[Value]) -> &str {
    messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .and_then(|quoted| quoted.strip_prefix("Question: "))
        .and_then(|rest| rest.split("\n\nAnswer").next())
        .unwrap_or("")
}

/// A title made of the question's topic words, capitalised; `[mock:title-garbage]` makes it unusable.
fn title_plan(config: &MockConfig, messages: &[Value]) -> Plan {
    let question = quoted_question(messages);
    let text = if question.contains("[mock:title-garbage]") {
        "<h1>Sure, here is a title</h1>".to_string()
    } else {
        topic_of(question)
            .split_whitespace()
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    Plan {
        question: None,
        tokens: tokenize(&text),
        prompt_tokens: question.split_whitespace().count(),
        token_delay: config.token_delay,
        include_usage: config.include_usage,
        fault: None,
        tool_call: None,
    }
}

/// Three questions about the topic of the question quoted in a follow-up request.
fn follow_up_plan(config: &MockConfig, messages: &[Value]) -> Plan {
    let question = quoted_question(messages);
    let topic = topic_of(question);
    let text = if question.contains("[mock:follow-ups-garbage]") {
        "Sure! Here are some ideas:\n- <b>deductions</b>\n- more info".to_string()
    } else {
        format!(
            "1. What records should I keep for {topic}?\n2. Which deadlines apply to {topic}?\n\
             3. How does {topic} change if I form an LLC?"
        )
    };
    Plan {
        question: None,
        tokens: tokenize(&text),
        prompt_tokens: question.split_whitespace().count(),
        token_delay: config.token_delay,
        include_usage: config.include_usage,
        fault: question
            .contains("[mock:follow-ups-fail]")
            .then_some(Fault::Status(500)),
        tool_call: None,
    }
}

/// A few words naming what a question is about, without mock directives or punctuation.
pub(super) fn topic_of(question: &str) -> String {
    const FILLER: &[&str] = &[
        "what", "when", "where", "which", "does", "should", "could", "would", "with", "from",
        "that", "this", "have", "about", "your", "there", "their", "work", "works",
    ];
    let words: Vec<String> = question
        .split_whitespace()
        .filter(|w| !w.starts_with("[mock:"))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| w.len() > 3 && !FILLER.contains(&w.as_str()))
        .take(3)
        .collect();
    if words.is_empty() {
        "this".into()
    } else {
        words.join(" ")
    }
}

/// A deterministic answer in the shape the tax prompt asks for, mentioning the question so tests can tell turns apart.
fn answer_for(question: &str, message_count: usize, hostile: bool) -> String {
    if question.contains("[mock:short]") {
        return format!("A short answer about {}.", topic_of(question));
    }
    let topic: String = question
        .split_whitespace()
        .take(12)
        .collect::<Vec<_>>()
        .join(" ");
    let mut answer = format!(
        "## Applicable tax categories\n\nYou asked about: *{topic}*. This answer assumes the **2026 tax year** in the \
         **United States** (federal).\n\n## Deductions\n\n- **Home office**: the simplified method allows $5 per \
         square foot, up to 300 square feet.\n- **Health insurance**: self-employed premiums may be deductible.\n\n\
         ## Filing requirements and deadlines\n\n| Form | Purpose | Due |\n|---|---|---|\n| 1040-ES | Quarterly \
         estimates | Apr 15, Jun 15, Sep 15, Jan 15 |\n| Schedule SE | Self-employment tax | Apr 15 |\n\n\
         ## Exceptions and conditions\n\nEstimated payments are required when you expect to owe **$1,000** or more. \
         (Conversation so far: {message_count} messages.)\n"
    );
    if hostile {
        answer.push_str(HOSTILE_MARKUP);
    }
    answer
}

/// Splits text into word-sized tokens that keep their whitespace, like a real tokenizer's stream.
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_whitespace() && !current.trim().is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tokens_rebuild_the_answer_exactly() {
        let answer = answer_for("How do quarterly estimates work?", 1, false);
        assert_eq!(tokenize(&answer).concat(), answer);
        assert!(tokenize(&answer).len() > 50);
    }

    #[test]
    fn follow_up_requests_get_three_usable_questions_about_the_topic() {
        let request =
            crate::server::chat::follow_ups::request("Can I deduct my home office?", "Yes, ...");
        let body = json!({"messages": request.messages.iter().map(|m| json!({
            "role": if m.role == crate::server::chat::prompt::PromptRole::System { "system" } else { "user" },
            "content": m.content,
        })).collect::<Vec<_>>()});
        let plan = plan(&MockConfig::default(), &body);
        let questions = crate::server::chat::follow_ups::parse(
            &plan.tokens.concat(),
            "Can I deduct my home office?",
        )
        .expect("three questions");
        assert!(questions[0].contains("deduct home office"), "{questions:?}");
        assert_eq!(
            plan.question, None,
            "only answers are timed by their question"
        );
    }

    #[test]
    fn directives_select_faults() {
        let body = |q: &str| json!({"messages": [{"role": "user", "content": q}]});
        let config = MockConfig::default();
        assert_eq!(
            plan(&config, &body("hi [mock:status-429]")).fault,
            Some(Fault::Status(429))
        );
        assert_eq!(
            plan(&config, &body("hi [mock:drop-after-7]")).fault,
            Some(Fault::DropAfter(7))
        );
        assert_eq!(
            plan(&config, &body("hi [mock:malformed-after-3]")).fault,
            Some(Fault::MalformedAfter(3))
        );
        let plain = plan(&config, &body("plain question"));
        assert_eq!(plain.fault, None);
        assert_eq!(plain.question.as_deref(), Some("plain question"));
    }
}
