//! The evaluation set (`knowledge/eval/questions.toml`): realistic questions with the passages that answer them and
//! the figures a right answer holds. Retrieval is scored here (recall@5, MRR); `tally-bench tax-eval` also scores
//! answers from a provider or the mock. The test suite fails when recall@5 drops below [`MIN_RECALL_AT_5`].

use std::path::Path;

use serde::Deserialize;

use super::{figures, profile, GroundedQuestion, Tax};
use crate::model::tax::TaxProfile;

pub const MIN_RECALL_AT_5: f64 = 0.9;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalQuestion {
    pub question: String,
    pub tax_year: i32,
    /// Ids of passages that answer it; any one in the top five is a hit.
    pub passages: Vec<String>,
    /// Canonical figures a right answer contains (`$176100`, `15.3%`, `04-15`).
    #[serde(default)]
    pub figures: Vec<String>,
    pub language: String,
    pub topic: String,
}

#[derive(Deserialize)]
struct EvalFile {
    question: Vec<EvalQuestion>,
}

pub fn load(path: &Path) -> Result<Vec<EvalQuestion>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: EvalFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file.question)
}

/// The evaluation set in this checkout.
pub fn default_path() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/knowledge/eval/questions.toml"
    ))
}

/// How one question fared in retrieval.
#[derive(Clone, Debug)]
pub struct RetrievalResult {
    pub question: EvalQuestion,
    /// 1-based rank of the first right passage among the sources, if any.
    pub rank: Option<usize>,
    pub retrieved: Vec<String>,
    pub grounded: GroundedQuestion,
}

#[derive(Clone, Debug, Default)]
pub struct RetrievalReport {
    pub questions: usize,
    pub recall_at_5: f64,
    pub mrr: f64,
    pub misses: Vec<RetrievalResult>,
}

/// Grounds every question as a user with a saved profile for its year would ask it, and scores the sources.
pub fn retrieve(tax: &Tax, questions: &[EvalQuestion]) -> (RetrievalReport, Vec<RetrievalResult>) {
    let today = time::macros::date!(2026 - 12 - 01);
    let mut results = Vec::new();
    for question in questions {
        let asker = TaxProfile {
            tax_year: question.tax_year,
            saved: true,
            ..profile::default_profile(today)
        };
        let grounded = tax.ground(&question.question, &[], &asker, today);
        let retrieved: Vec<String> = grounded
            .grounding
            .sources
            .iter()
            .map(|s| s.passage_id.clone())
            .collect();
        // A copy in the scaled benchmark's knowledge base (`id~n`) counts as its original.
        let original = |id: &String| id.split('~').next().unwrap_or(id).to_string();
        let rank = retrieved
            .iter()
            .take(5)
            .position(|id| question.passages.contains(&original(id)))
            .map(|i| i + 1);
        results.push(RetrievalResult {
            question: question.clone(),
            rank,
            retrieved,
            grounded,
        });
    }
    let n = results.len().max(1) as f64;
    let report = RetrievalReport {
        questions: results.len(),
        recall_at_5: results.iter().filter(|r| r.rank.is_some()).count() as f64 / n,
        mrr: results
            .iter()
            .filter_map(|r| r.rank)
            .map(|rank| 1.0 / rank as f64)
            .sum::<f64>()
            / n,
        misses: results
            .iter()
            .filter(|r| r.rank.is_none())
            .cloned()
            .collect(),
    };
    (report, results)
}

/// How an answer fared: whether it holds every required figure and cites a right passage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerCheck {
    pub missing_figures: Vec<String>,
    pub cites_right_passage: bool,
}

pub fn check_answer(result: &RetrievalResult, answer: &str) -> AnswerCheck {
    let found = figures::canonical_set([answer]);
    let found = figures::with_yearless_dates(found);
    let missing_figures = result
        .question
        .figures
        .iter()
        .filter(|f| !found.contains(*f))
        .cloned()
        .collect();
    let cites_right_passage = result
        .grounded
        .grounding
        .sources
        .iter()
        .filter(|s| result.question.passages.contains(&s.passage_id))
        .any(|s| answer.contains(&format!("[{}]", s.number)));
    AnswerCheck {
        missing_figures,
        cites_right_passage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retrieval_finds_a_right_passage_in_the_top_five_for_nine_questions_in_ten() {
        let tax = Tax::load().expect("knowledge base");
        let questions = load(default_path()).expect("evaluation set");
        assert!(questions.len() >= 80, "{} questions", questions.len());
        for question in &questions {
            for id in &question.passages {
                let passage = tax
                    .index
                    .get(id)
                    .unwrap_or_else(|| panic!("{id} is not a passage"));
                assert!(
                    passage.holds_for(question.tax_year),
                    "{id} does not hold for {}",
                    question.tax_year
                );
            }
        }
        let (report, _) = retrieve(&tax, &questions);
        let misses: Vec<String> = report
            .misses
            .iter()
            .map(|m| {
                format!(
                    "{:?} ({}) wanted {:?} got {:?}",
                    m.question.question, m.question.tax_year, m.question.passages, m.retrieved
                )
            })
            .collect();
        assert!(
            report.recall_at_5 >= MIN_RECALL_AT_5,
            "recall@5 {:.3} (MRR {:.3}) below {MIN_RECALL_AT_5}; misses:\n{}",
            report.recall_at_5,
            report.mrr,
            misses.join("\n")
        );
    }
}
