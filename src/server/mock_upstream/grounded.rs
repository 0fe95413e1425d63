//! What the mock writes for a tax question Tally grounded: sentences of the numbered sources, each cited, a
//! calculator call on `[mock:tool]` and the sentence quoting its result, as a well-behaved model would.

use serde_json::Value;

use super::plan::topic_of;

/// A call of `self_employment_tax` with the first dollar amount of the question and the year it names.
pub(super) fn self_employment_call(question: &str) -> (String, String) {
    let amount: String = question
        .split('$')
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .collect()
        })
        .unwrap_or_else(|| "50000".into());
    let year = if question.contains("2026") {
        2026
    } else {
        2025
    };
    let arguments = serde_json::json!({"tax_year": year, "net_profit": amount.replace(',', "")});
    ("self_employment_tax".into(), arguments.to_string())
}

/// A sentence quoting a calculator's result by the number Tally gave it ("cite it as [n]").
pub(super) fn cite_tool_result(result: &str) -> String {
    let number = result
        .split("cite it as [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or("?");
    let line = result.lines().find(|l| l.contains(": $")).unwrap_or("");
    format!("\n\nFrom Tally's calculator: {line} [{number}].")
}

/// The grounding system message Tally adds to a tax question's prompt, if any.
pub(super) fn grounding_of(messages: &[Value]) -> Option<String> {
    messages
        .iter()
        .filter(|m| m["role"] == "system")
        .filter_map(|m| m["content"].as_str())
        .find(|c| c.starts_with("## Grounding for this answer"))
        .map(str::to_string)
}

/// What a well-behaved model writes from Tally's grounding: sentences of the numbered sources, each cited. A
/// question with `[mock:hallucinate]` also gets a figure no source holds, as a careless model would add.
pub(super) fn grounded_answer(question: &str, grounding: &str, message_count: usize) -> String {
    let year = grounding
        .split("Tax year ")
        .nth(1)
        .and_then(|rest| rest.get(..4))
        .unwrap_or("?");
    let sources = numbered_sources(grounding);
    let topic = topic_of(question);
    let mut answer = format!("## Applicable tax categories\n\nYou asked about: *{topic}*, for tax year {year} (US federal).");
    match sources.first() {
        Some((number, body)) => {
            answer.push_str(&format!(" {} [{number}]", first_sentences(body, 2)))
        }
        None => answer.push_str(
            " Tally's knowledge base does not cover this question, so I give no figures for it.",
        ),
    }
    answer.push_str("\n\n## Deductions\n\n");
    match sources.get(1) {
        Some((number, body)) => {
            answer.push_str(&format!("{} [{number}]", first_sentences(body, 1)))
        }
        None => answer.push_str("None beyond what the source above says."),
    }
    if question.contains("[mock:hallucinate]") {
        answer.push_str(" Most freelancers end up paying about 18.7 % in all.");
    }
    if !sources.is_empty() {
        // A table, as models like to write: the sources it drew on.
        answer.push_str(
            "\n\n## Filing requirements and deadlines\n\n| Source | Used for |\n|---|---|\n",
        );
        for (number, _) in sources.iter().take(2) {
            answer.push_str(&format!("| [{number}] | this answer |\n"));
        }
    }
    answer.push_str(&format!(
        "\n\n(Conversation so far: {message_count} messages.)\n"
    ));
    if question.contains("[mock:xss]") {
        answer.push_str(HOSTILE_MARKUP);
    }
    answer
}

/// What a prompt-injected model might emit; the app must render it inert.
pub(super) const HOSTILE_MARKUP: &str =
    "\n<img src=x onerror=\"window.__xss=1\"> <script>window.__xss=1</script> \
     [click me](javascript:window.__xss=1)\n";

/// `(number, body)` of each "[n] title" block of a grounding message (calculations included).
fn numbered_sources(grounding: &str) -> Vec<(String, String)> {
    let mut sources = Vec::new();
    for block in grounding.split("\n\n") {
        let Some(rest) = block.strip_prefix('[') else {
            continue;
        };
        let Some((number, after)) = rest.split_once(']') else {
            continue;
        };
        if number.parse::<u32>().is_err() {
            continue;
        }
        let body = after.split_once('\n').map_or("", |(_, body)| body).trim();
        if !body.is_empty() {
            sources.push((number.to_string(), body.replace('\n', " ")));
        }
    }
    sources
}

fn first_sentences(text: &str, count: usize) -> String {
    let mut taken = String::new();
    for (index, sentence) in text.split_inclusive(". ").enumerate() {
        if index == count {
            break;
        }
        taken.push_str(sentence);
    }
    taken.trim().to_string()
}
