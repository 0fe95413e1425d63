//! The offline model's part of a tax answer: the quoted passages lead, then its short summary, labelled, sentence
//! by sentence, with every sentence that states a figure the sources lack left out. A tiny model is fluent but not
//! reliable on figures; this way a person without an API key still gets only correct ones.

use std::collections::HashSet;

use crate::server::{
    llm::ChatRequest,
    tax::{figures, GroundedQuestion},
};

/// Opens the model's summary, so no one mistakes it for the knowledge base.
pub(super) const SUMMARY_LABEL: &str =
    "\n**Summary by the offline model** (sentences with figures the sources above lack are left out)\n\n";

/// The offline model's summary of the best passage: short, since the passages themselves lead the answer.
const OFFLINE_SUMMARY_TOKENS: u32 = 120;
const OFFLINE_SUMMARY_INSTRUCTIONS: &str = "You explain tax rules to freelancers in plain words. Answer the \
question in two or three short sentences using only the passage. Do not add numbers that are not in the passage.";

/// Small talk, for a model too small to keep to the full instructions: with them it answers "thanks" with whatever
/// it once read.
const OFFLINE_SMALL_TALK_TOKENS: u32 = 40;
const OFFLINE_SMALL_TALK_INSTRUCTIONS: &str = "You are Tally, a friendly assistant for freelancers' tax \
questions. The user wrote a short greeting or thanks. Reply with one short, friendly sentence that offers help with \
their taxes. Mention no other subject.";

/// What the offline model is asked instead of the full prompt, if anything: a reply to small talk, or, when a tax
/// question has a passage, a short summary of the best one (its answer follows the quoted passages, labelled, and
/// loses any figure the sources lack).
pub(super) fn request(grounded: &GroundedQuestion, question: &str) -> Option<ChatRequest> {
    if grounded.small_talk {
        return Some(ChatRequest::instructed(
            OFFLINE_SMALL_TALK_INSTRUCTIONS,
            question.to_string(),
            OFFLINE_SMALL_TALK_TOKENS,
            0.2,
        ));
    }
    let passage = grounded.summary_passage()?;
    Some(ChatRequest::instructed(
        OFFLINE_SUMMARY_INSTRUCTIONS,
        format!("Passage:\n{}\n\nQuestion: {question}", passage.trim()),
        OFFLINE_SUMMARY_TOKENS,
        0.2,
    ))
}

pub(super) struct SummaryFilter {
    /// The figures the sources hold; built only for the offline model's answers, and dropped with them.
    known: HashSet<String>,
    pending: String,
    labelled: bool,
    /// Sentences left out, for the log.
    pub(super) dropped: usize,
}

impl SummaryFilter {
    pub(super) fn new(known: HashSet<String>) -> Self {
        SummaryFilter {
            known,
            pending: String::new(),
            labelled: false,
            dropped: 0,
        }
    }

    /// Takes a token; returns the text that may be shown now (whole sentences that passed), if any.
    pub(super) fn push(&mut self, token: &str) -> Option<String> {
        self.pending.push_str(token);
        let end = sentence_end(&self.pending)?;
        let complete: String = self.pending.drain(..end).collect();
        self.pass(&complete)
    }

    /// The last, unfinished sentence once the model is done.
    pub(super) fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.pending);
        self.pass(&rest)
    }

    fn pass(&mut self, text: &str) -> Option<String> {
        let mut kept = String::new();
        for sentence in sentences(text) {
            if figures::unsupported(sentence, &self.known).is_empty() {
                kept.push_str(sentence);
            } else {
                self.dropped += 1;
            }
        }
        if kept.trim().is_empty() {
            return None;
        }
        if !self.labelled {
            self.labelled = true;
            kept = format!("{SUMMARY_LABEL}{}", kept.trim_start());
        }
        Some(kept)
    }
}

/// Where the last complete sentence of `text` ends (after its punctuation and space), if one has.
fn sentence_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (1..bytes.len())
        .rev()
        .find(|&i| matches!(bytes[i - 1], b'.' | b'?' | b'!' | b'\n') && bytes[i].is_ascii_whitespace()
            // "$5.5" or "e.g. x" do not end a sentence; a decimal point has a digit after it.
            && !(bytes[i - 1] == b'.' && i >= 2 && bytes[i - 2].is_ascii_digit() && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
        .map(|i| i + 1)
}

fn sentences(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 1..bytes.len() {
        if matches!(bytes[i - 1], b'.' | b'?' | b'!' | b'\n') && bytes[i].is_ascii_whitespace() {
            parts.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::tax::{profile, Tax};

    #[test]
    fn small_talk_gets_a_short_prompt_of_its_own_and_a_tax_question_the_passage() {
        let tax = Tax::load().expect("knowledge base");
        let today = profile::today();
        let asker = profile::default_profile(today);
        let thanks = tax.ground("Thanks!", &[], &asker, today);
        let reply = request(&thanks, "Thanks!").expect("a small-talk prompt");
        assert_eq!(&*reply.messages[0].content, OFFLINE_SMALL_TALK_INSTRUCTIONS);
        assert_eq!(&*reply.messages[1].content, "Thanks!");

        let question = "What is the self-employment tax rate?";
        let grounded = tax.ground(question, &[], &asker, today);
        let summary = request(&grounded, question).expect("a summary prompt");
        assert!(summary.messages[1].content.starts_with("Passage:\n"));
        let nothing = tax.ground("zxqv blorf?", &[], &asker, today);
        assert!(request(&nothing, "zxqv blorf?").is_none());
    }

    #[test]
    fn sentences_with_unknown_figures_are_left_out_and_the_rest_labelled() {
        let known = figures::canonical_set(["The rate is 15.3 % on 92.35 % of profit."]);
        let mut filter = SummaryFilter::new(known);
        let mut shown = String::new();
        for token in [
            "You pay 15",
            ".3 % in all. ",
            "It is about 18 % ",
            "for most. Pay it ",
            "with Schedule SE",
        ] {
            if let Some(text) = filter.push(token) {
                shown.push_str(&text);
            }
        }
        shown.push_str(&filter.finish().unwrap_or_default());
        assert!(shown.starts_with(SUMMARY_LABEL), "{shown}");
        assert!(shown.contains("You pay 15.3 % in all."));
        assert!(!shown.contains("18 %"));
        assert!(shown.ends_with("Pay it with Schedule SE"));
        assert_eq!(filter.dropped, 1);
    }

    #[test]
    fn a_summary_with_nothing_left_shows_no_label() {
        let known = HashSet::new();
        let mut filter = SummaryFilter::new(known);
        assert_eq!(filter.push("It costs $99. "), None);
        assert_eq!(filter.finish(), None);
    }
}
