//! Grounding one question: the tax year it is about, the passages and calculations that answer it, what the model
//! is told about them, and the figures an answer may state.

use std::{collections::HashSet, fmt::Write, sync::Arc};

use super::{
    calc, figures,
    index::Hit,
    intent,
    knowledge::Passage,
    profile::{year_for, YearChoice},
    terms, Tax,
};
use crate::{
    i18n::{question_language, Lang},
    model::tax::{CalculationResult, Grounding, Source, TaxProfile, TAX_YEARS},
};

/// Passages an answer is given, at most.
pub const PASSAGES_PER_ANSWER: usize = 5;
/// Passages the offline answer leads with.
const OFFLINE_PASSAGES: usize = 2;
/// A passage scoring below this share of the best one is noise, not a second source.
const RELATIVE_CUTOFF: f32 = 0.35;
/// The best passage must score at least this for the question to count as covered.
const MINIMUM_SCORE: f32 = 3.0;

/// A question with what it is grounded on.
#[derive(Clone, Debug)]
pub struct GroundedQuestion {
    pub grounding: Grounding,
    pub year: YearChoice,
    /// The passages, in citation order: shared with the index, so an answer in flight holds pointers, not copies.
    passages: Vec<Arc<Passage>>,
    /// Canonical figures of the question and the earlier ones, which an answer may repeat. The passages' and
    /// calculations' figures are read when the answer is checked, not kept for the whole answer.
    question_figures: HashSet<String>,
    /// Whether the profile was assumed (never saved).
    pub profile_assumed: bool,
    /// A greeting or thanks, not a question: answered in a line, without a stamp, sources or figures.
    pub small_talk: bool,
    /// The language the question is written in, which the answer, its calculation cards and its notes follow.
    pub language: Lang,
    profile: TaxProfile,
}

impl Tax {
    /// Grounds `question`, asked after `earlier` (the conversation's earlier questions, oldest first).
    pub fn ground(
        &self,
        question: &str,
        earlier: &[&str],
        profile: &TaxProfile,
        today: time::Date,
    ) -> GroundedQuestion {
        self.ground_searching(question, None, earlier, profile, today)
    }

    /// The same, searching for `search_query` (the model's standalone English rewrite of a follow-up or of a
    /// question in another language) instead of what the heuristics make of the question.
    pub fn ground_searching(
        &self,
        question: &str,
        search_query: Option<&str>,
        earlier: &[&str],
        profile: &TaxProfile,
        today: time::Date,
    ) -> GroundedQuestion {
        let year = year_for(question, earlier, profile, today);
        let tax_year = year.year(profile);
        let small_talk = intent::is_small_talk(question);
        let language = question_language(question);
        let query = match search_query {
            Some(rewritten) => with_glossary(format!("{rewritten} {question}")),
            None => retrieval_query(question, earlier),
        };
        let hits = match year {
            _ if small_talk => Vec::new(),
            YearChoice::Unsupported(_) => Vec::new(),
            _ => relevant(self.index.search(&query, tax_year, PASSAGES_PER_ANSWER)),
        };
        let sources: Vec<Source> = hits
            .iter()
            .enumerate()
            .map(|(i, hit)| Source {
                number: i as u32 + 1,
                passage_id: hit.passage.id.clone(),
                title: hit.passage.title.clone(),
                publication: hit.passage.source.publication.clone(),
                section: hit.passage.source.section.clone(),
                url: hit.passage.source.url.clone(),
                tax_year,
                last_checked: hit.passage.last_checked.clone(),
            })
            .collect();
        let calculations: Vec<CalculationResult> = match year {
            _ if small_talk => Vec::new(),
            YearChoice::Unsupported(_) => Vec::new(),
            _ => intent::calculations(question, profile, tax_year)
                .iter()
                .filter_map(|input| calc::run_in(&self.params, input, language).ok())
                .collect(),
        };
        let passages: Vec<Arc<Passage>> = hits.iter().map(|h| Arc::clone(h.passage)).collect();
        let question_figures =
            figures::canonical_set(std::iter::once(question).chain(earlier.iter().copied()));
        let stamp = TaxProfile {
            tax_year,
            ..profile.clone()
        }
        .stamp();
        GroundedQuestion {
            grounding: Grounding {
                stamp,
                tax_year,
                sources,
                calculations,
                unsupported_figures: Vec::new(),
                search_query: search_query.map(str::to_string),
            },
            year,
            passages,
            question_figures,
            profile_assumed: !profile.saved,
            small_talk,
            language,
            profile: profile.clone(),
        }
    }
}

/// The question, with the one before it when it leans on it ("and for 2026?").
fn retrieval_query(question: &str, earlier: &[&str]) -> String {
    let query = match earlier.last() {
        Some(previous) if terms::is_follow_up(question) => format!("{previous} {question}"),
        _ => question.to_string(),
    };
    with_glossary(query)
}

/// A query with the English search terms of any Vietnamese words in it.
fn with_glossary(query: String) -> String {
    let english = terms::glossary_terms(&query);
    if english.is_empty() {
        query
    } else {
        format!("{query} {english}")
    }
}

fn relevant(hits: Vec<Hit<'_>>) -> Vec<Hit<'_>> {
    let Some(best) = hits.first().map(|h| h.score) else {
        return hits;
    };
    if best < MINIMUM_SCORE {
        return Vec::new();
    }
    hits.into_iter()
        .filter(|h| h.score >= best * RELATIVE_CUTOFF)
        .collect()
}

/// A calculation as the model and the figure check read it.
pub fn calculation_text(calculation: &CalculationResult) -> String {
    let mut text = format!("{} ({})\n", calculation.title, calculation.tax_year);
    for step in &calculation.steps {
        let _ = writeln!(text, "- {step}");
    }
    for line in &calculation.lines {
        let _ = writeln!(text, "{}: {}", line.label, line.value);
    }
    for note in &calculation.notes {
        let _ = writeln!(text, "Note: {note}");
    }
    text
}

impl GroundedQuestion {
    /// Whether anything was found to ground the answer on.
    pub fn is_covered(&self) -> bool {
        !self.grounding.sources.is_empty() || !self.grounding.calculations.is_empty()
    }

    /// The instructions and numbered sources the model answers from, a system message of its own.
    pub fn context(&self) -> String {
        let g = &self.grounding;
        let p = &self.profile;
        let mut text = String::new();
        let _ = writeln!(text, "## Grounding for this answer\n");
        if self.small_talk {
            let _ = writeln!(
                text,
                "The user's message is small talk (a greeting or thanks), not a tax question. Reply in one or two \
                 friendly sentences, state no figures, and offer to help with their tax questions."
            );
            return text;
        }
        let _ = writeln!(
            text,
            "Tax year {} · US federal. The user's tax profile: filing status {}; business form {}; W-2 wages: {}; state: {}.",
            g.tax_year,
            p.filing_status.label(),
            p.business_form.label(),
            if p.has_w2_wages { "yes" } else { "none said" },
            p.state.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or("not given"),
        );
        if self.profile_assumed {
            let _ = writeln!(
                text,
                "The user has not set a tax profile: these are assumptions. When the answer depends on them, say which you \
                 assumed and invite the user to set their profile (the \"Tax profile\" button) or tell you."
            );
        }
        if let YearChoice::Unsupported(year) = self.year {
            let _ = writeln!(
                text,
                "The question is about {year}, but Tally has figures only for {} and {}. Say so plainly and give no figures for {year}.",
                TAX_YEARS[0],
                TAX_YEARS[TAX_YEARS.len() - 1]
            );
        }
        if !self.is_covered() {
            let _ = writeln!(
                text,
                "\nTally's knowledge base has no passage that answers this question. Say so in one or two sentences, \
                 state no figures (no amounts, rates, thresholds or dates), and suggest what the user could ask instead."
            );
            return text;
        }
        let _ = writeln!(
            text,
            "\nAnswer only from the numbered sources and calculations below. Cite each fact inline with its number in \
             brackets, like [1]. Every dollar amount, percentage, threshold and date you write must appear in them; do \
             not work out new figures yourself: where a calculation is given, use its numbers. If they do not answer \
             part of the question, say so and do not guess. Do not add a list of sources at the end: the app shows it.\n"
        );
        for (source, passage) in g.sources.iter().zip(&self.passages) {
            let _ = writeln!(
                text,
                "[{}] {} ({}{}{}, tax year {})\n{}\n",
                source.number,
                source.title,
                source.publication,
                if source.section.is_empty() { "" } else { ", " },
                source.section,
                g.tax_year,
                passage.body.trim()
            );
        }
        for (index, calculation) in g.calculations.iter().enumerate() {
            let number = g.sources.len() + index + 1;
            let _ = writeln!(
                text,
                "[{number}] Calculation: {}",
                calculation_text(calculation)
            );
        }
        text
    }

    /// What the offline answer leads with: the best passages and any calculation, quoted from the knowledge base.
    pub fn offline_lead(&self) -> String {
        let g = &self.grounding;
        let mut text = String::new();
        if self.small_talk {
            return text;
        }
        if !self.is_covered() {
            let _ = writeln!(
                text,
                "Tally's knowledge base has no passage that answers this question, so no figures are given here. Try \
                 asking about self-employment tax, estimated payments, deductions, forms or deadlines for {}.\n",
                g.tax_year
            );
            return text;
        }
        let _ = writeln!(
            text,
            "**From Tally's knowledge base** (tax year {}, US federal)\n",
            g.tax_year
        );
        for (index, calculation) in g.calculations.iter().enumerate() {
            let number = g.sources.len() + index + 1;
            let _ = writeln!(text, "**{}** [{number}]\n", calculation.title);
            for step in &calculation.steps {
                let _ = writeln!(text, "- {step}");
            }
            for line in &calculation.lines {
                let _ = writeln!(text, "\n**{}: {}**", line.label, line.value);
            }
            for note in &calculation.notes {
                let _ = writeln!(text, "\n_{note}_");
            }
            text.push('\n');
        }
        for (source, passage) in g.sources.iter().zip(&self.passages).take(OFFLINE_PASSAGES) {
            let _ = writeln!(
                text,
                "**{}** [{}]\n\n{}\n",
                source.title,
                source.number,
                passage.body.trim()
            );
        }
        text
    }

    /// The passage the offline model is asked to summarise, if any.
    pub fn summary_passage(&self) -> Option<&str> {
        self.passages.first().map(|p| p.body.as_str())
    }

    /// Canonical figures an answer may state: those of the passages, the calculations (found for the question and
    /// `extra`, those the model asked for) and the questions themselves.
    pub fn known_figures(&self, extra: &[CalculationResult]) -> HashSet<String> {
        let calculation_texts: Vec<String> = self
            .grounding
            .calculations
            .iter()
            .chain(extra)
            .map(calculation_text)
            .collect();
        let texts = self
            .passages
            .iter()
            .flat_map(|p| [p.title.as_str(), p.body.as_str()])
            .chain(calculation_texts.iter().map(String::as_str));
        let mut known = figures::canonical_set(texts);
        known.extend(self.question_figures.iter().cloned());
        figures::with_yearless_dates(known)
    }

    /// Figures of `answer` that none of its sources or calculations hold.
    pub fn unsupported_figures(&self, answer: &str) -> Vec<String> {
        self.unsupported_figures_with(answer, &[])
    }

    /// The same, counting the figures of calculations the model asked for while answering.
    pub fn unsupported_figures_with(
        &self,
        answer: &str,
        extra: &[CalculationResult],
    ) -> Vec<String> {
        figures::unsupported(answer, &self.known_figures(extra))
    }
}
