//! The search index over the passages: an in-memory BM25, built at start (a few milliseconds for the whole knowledge
//! base). In memory rather than the database's full-text search, so SQLite and PostgreSQL rank alike, a question
//! costs no database round trip, and the index can weigh titles and keywords above body text.

use std::{collections::HashMap, sync::Arc};

use super::{knowledge::Passage, terms::terms};

/// BM25's usual constants: term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A title or keyword word counts this many times a body word.
const TITLE_WEIGHT: u32 = 3;
const KEYWORD_WEIGHT: u32 = 2;

pub struct Index {
    /// Shared with every answer grounded on them, so an answer holds pointers rather than copies of the bodies.
    passages: Vec<Arc<Passage>>,
    /// Term -> (passage index, weighted term frequency).
    postings: HashMap<String, Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average_length: f32,
}

/// A passage that matched, and how well.
#[derive(Clone, Copy, Debug)]
pub struct Hit<'a> {
    pub passage: &'a Arc<Passage>,
    pub score: f32,
}

impl Index {
    pub fn build(passages: Vec<Passage>) -> Self {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(passages.len());
        for (doc, passage) in passages.iter().enumerate() {
            let mut counts: HashMap<String, u32> = HashMap::new();
            let mut add = |text: &str, weight: u32| {
                for term in terms(text) {
                    *counts.entry(term).or_default() += weight;
                }
            };
            add(&passage.title, TITLE_WEIGHT);
            for keyword in &passage.keywords {
                add(keyword, KEYWORD_WEIGHT);
            }
            add(&passage.body, 1);
            lengths.push(counts.values().sum());
            for (term, count) in counts {
                postings.entry(term).or_default().push((doc as u32, count));
            }
        }
        let average_length = lengths.iter().sum::<u32>() as f32 / lengths.len().max(1) as f32;
        Index {
            passages: passages.into_iter().map(Arc::new).collect(),
            postings,
            lengths,
            average_length,
        }
    }

    pub fn passages(&self) -> &[Arc<Passage>] {
        &self.passages
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Passage>> {
        self.passages.iter().find(|p| p.id == id)
    }

    /// The best passages for `query` among those that hold for `tax_year`, best first.
    pub fn search(&self, query: &str, tax_year: i32, limit: usize) -> Vec<Hit<'_>> {
        let mut query_terms = terms(query);
        query_terms.sort();
        query_terms.dedup();
        let total = self.passages.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for term in &query_terms {
            let Some(postings) = self.postings.get(term) else {
                continue;
            };
            let df = postings.len() as f32;
            let idf = (1.0 + (total - df + 0.5) / (df + 0.5)).ln();
            // A matched pair of words says more than either word alone.
            let pair_boost = if term.contains('_') { 1.5 } else { 1.0 };
            for &(doc, tf) in postings {
                let tf = tf as f32;
                let length = self.lengths[doc as usize] as f32 / self.average_length;
                let score = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length));
                *scores.entry(doc).or_default() += score * pair_boost;
            }
        }
        let mut hits: Vec<Hit<'_>> = scores
            .into_iter()
            .map(|(doc, score)| Hit {
                passage: &self.passages[doc as usize],
                score,
            })
            .filter(|hit| hit.passage.holds_for(tax_year))
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.passage.id.cmp(&b.passage.id))
        });
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::tax::knowledge;

    fn index() -> Index {
        Index::build(knowledge::load().expect("knowledge base"))
    }

    fn top_ids(index: &Index, query: &str, year: i32) -> Vec<String> {
        index
            .search(query, year, 5)
            .iter()
            .map(|h| h.passage.id.clone())
            .collect()
    }

    #[test]
    fn a_year_gets_only_its_own_passages() {
        let index = index();
        for year in [2025, 2026] {
            let hits = index.search("social security wage base self-employment tax", year, 10);
            assert!(!hits.is_empty());
            assert!(hits.iter().all(|h| h.passage.holds_for(year)));
        }
    }

    #[test]
    fn the_wage_base_question_finds_the_wage_base_passage() {
        let index = index();
        let ids = top_ids(
            &index,
            "What is the Social Security wage base for self-employment tax?",
            2026,
        );
        assert!(
            ids.iter()
                .any(|id| id.contains("wage-base") && id.ends_with("2026")),
            "{ids:?}"
        );
    }

    #[test]
    fn a_vietnamese_question_finds_passages_through_their_keywords() {
        let index = index();
        let ids = top_ids(&index, "Thuế tự doanh năm 2025 là bao nhiêu?", 2025);
        assert!(ids.iter().any(|id| id.starts_with("se-")), "{ids:?}");
    }

    #[test]
    fn nonsense_finds_nothing() {
        assert!(index().search("zxqv blorf", 2025, 5).is_empty());
    }
}
