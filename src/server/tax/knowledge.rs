//! The knowledge base: passages about US federal tax for freelancers (`knowledge/passages/*.toml`), compiled into
//! the binary and checked at start, so a passage with a missing source or an unknown year never reaches an answer.

use std::collections::HashSet;

use serde::Deserialize;

use crate::model::tax::TAX_YEARS;

/// The passage files, compiled in: the knowledge base travels with the binary and cannot go missing at run time.
const FILES: &[(&str, &str)] = &[
    (
        "self-employment-tax",
        include_str!("../../../knowledge/passages/self-employment-tax.toml"),
    ),
    (
        "additional-medicare-tax",
        include_str!("../../../knowledge/passages/additional-medicare-tax.toml"),
    ),
    (
        "income-tax",
        include_str!("../../../knowledge/passages/income-tax.toml"),
    ),
    (
        "estimated-tax",
        include_str!("../../../knowledge/passages/estimated-tax.toml"),
    ),
    (
        "deadlines",
        include_str!("../../../knowledge/passages/deadlines.toml"),
    ),
    (
        "home-office",
        include_str!("../../../knowledge/passages/home-office.toml"),
    ),
    (
        "vehicle",
        include_str!("../../../knowledge/passages/vehicle.toml"),
    ),
    (
        "health",
        include_str!("../../../knowledge/passages/health.toml"),
    ),
    (
        "retirement",
        include_str!("../../../knowledge/passages/retirement.toml"),
    ),
    ("qbi", include_str!("../../../knowledge/passages/qbi.toml")),
    (
        "depreciation",
        include_str!("../../../knowledge/passages/depreciation.toml"),
    ),
    (
        "business-expenses",
        include_str!("../../../knowledge/passages/business-expenses.toml"),
    ),
    (
        "forms",
        include_str!("../../../knowledge/passages/forms.toml"),
    ),
    (
        "recordkeeping",
        include_str!("../../../knowledge/passages/recordkeeping.toml"),
    ),
    (
        "hobby-vs-business",
        include_str!("../../../knowledge/passages/hobby-vs-business.toml"),
    ),
    (
        "state",
        include_str!("../../../knowledge/passages/state.toml"),
    ),
    (
        "year-changes",
        include_str!("../../../knowledge/passages/year-changes.toml"),
    ),
];

/// Topics a passage may have (knowledge/README.md).
const TOPICS: &[&str] = &[
    "self-employment-tax",
    "additional-medicare-tax",
    "estimated-tax",
    "deadlines",
    "forms",
    "income-tax",
    "home-office",
    "vehicle",
    "health",
    "retirement",
    "qbi",
    "depreciation",
    "business-expenses",
    "recordkeeping",
    "hobby-vs-business",
    "state",
    "year-changes",
];

/// Hosts a source may be on: official publishers only.
const OFFICIAL_HOSTS: &[&str] = &[
    "www.irs.gov",
    "irs.gov",
    "www.ssa.gov",
    "ssa.gov",
    "www.law.cornell.edu",
    "uscode.house.gov",
    "www.federalregister.gov",
    "www.govinfo.gov",
    "home.treasury.gov",
    "www.opm.gov",
    "taxmap.irs.gov",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    pub id: String,
    pub title: String,
    pub topic: String,
    /// `US` (federal) or `US-state` (the pointer that state rules differ).
    pub jurisdiction: String,
    pub tax_years: Vec<i32>,
    /// Extra search terms: synonyms, casual phrasings and Vietnamese terms.
    #[serde(default)]
    pub keywords: Vec<String>,
    pub last_checked: String,
    pub body: String,
    pub source: PassageSource,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassageSource {
    pub publication: String,
    #[serde(default)]
    pub section: String,
    pub url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PassageFile {
    passage: Vec<Passage>,
}

impl Passage {
    pub fn holds_for(&self, tax_year: i32) -> bool {
        self.tax_years.contains(&tax_year)
    }
}

/// Reads and checks every compiled-in passage file.
pub fn load() -> Result<Vec<Passage>, String> {
    parse_files(FILES)
}

/// Parses and checks passage files given as (name, TOML text); the knowledge base and the scaled benchmark use it.
pub fn parse_files(files: &[(&str, &str)]) -> Result<Vec<Passage>, String> {
    let mut passages = Vec::new();
    for (name, text) in files {
        let file: PassageFile =
            toml::from_str(text).map_err(|e| format!("knowledge/passages/{name}.toml: {e}"))?;
        passages.extend(file.passage);
    }
    check(&passages)?;
    Ok(passages)
}

fn check(passages: &[Passage]) -> Result<(), String> {
    let mut ids = HashSet::new();
    for passage in passages {
        let fail = |what: String| Err(format!("passage {:?}: {what}", passage.id));
        if !ids.insert(passage.id.as_str()) {
            return fail("the id is used twice".into());
        }
        if !TOPICS.contains(&passage.topic.as_str()) {
            return fail(format!("unknown topic {:?}", passage.topic));
        }
        if !matches!(passage.jurisdiction.as_str(), "US" | "US-state") {
            return fail(format!("unknown jurisdiction {:?}", passage.jurisdiction));
        }
        if passage.tax_years.is_empty() || passage.tax_years.iter().any(|y| !TAX_YEARS.contains(y))
        {
            return fail(format!(
                "tax years {:?} outside {TAX_YEARS:?}",
                passage.tax_years
            ));
        }
        // An id naming a year promises a passage for that year alone: a 2025 figure is never served for 2026.
        for year in TAX_YEARS {
            if passage.id.ends_with(&format!("-{year}")) && passage.tax_years != [year] {
                return fail(format!(
                    "the id names {year} but tax_years is {:?}",
                    passage.tax_years
                ));
            }
        }
        if passage.title.trim().is_empty() || passage.body.trim().is_empty() {
            return fail("empty title or body".into());
        }
        if passage.source.publication.trim().is_empty() {
            return fail("no source publication".into());
        }
        let host = passage
            .source
            .url
            .strip_prefix("https://")
            .and_then(|rest| rest.split('/').next());
        if !host.is_some_and(|host| OFFICIAL_HOSTS.contains(&host)) {
            return fail(format!(
                "source URL {:?} is not an official https page",
                passage.source.url
            ));
        }
        if time::Date::parse(
            &passage.last_checked,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_err()
        {
            return fail(format!(
                "last_checked {:?} is not YYYY-MM-DD",
                passage.last_checked
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knowledge_base_loads_and_every_passage_has_an_official_source() {
        let passages = load().expect("knowledge base");
        assert!(passages.len() >= 150, "{} passages", passages.len());
        for year in TAX_YEARS {
            assert!(passages.iter().filter(|p| p.holds_for(year)).count() >= 60);
        }
    }

    #[test]
    fn a_year_named_in_the_id_must_be_the_only_year() {
        let file = r#"
[[passage]]
id = "se-wage-base-2025"
title = "t"
topic = "self-employment-tax"
jurisdiction = "US"
tax_years = [2025, 2026]
last_checked = "2026-12-01"
body = "b"
[passage.source]
publication = "p"
url = "https://www.irs.gov/x"
"#;
        let error = parse_files(&[("x", file)]).unwrap_err();
        assert!(error.contains("names 2025"), "{error}");
        let unofficial = file
            .replace("[2025, 2026]", "[2025]")
            .replace("www.irs.gov", "example.com");
        let error = parse_files(&[("x", &unofficial)]).unwrap_err();
        assert!(error.contains("not an official"), "{error}");
    }
}
