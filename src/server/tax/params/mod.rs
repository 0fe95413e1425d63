//! The year's parameters (knowledge/parameters/<year>.toml) and the DC legal holidays (holidays.toml), compiled into
//! the binary and parsed once at start. Every value keeps the publication and URL it comes from, so a result can
//! cite it. Loading fails on anything missing, misspelt or malformed: a calculator must never run on a default.

mod parse;

use crate::model::tax::{FilingStatus, ParameterSource, TAX_YEARS};
#[cfg(test)]
pub(crate) use parse::parse_date;
use parse::{parse_holidays, parse_year};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use time::Date;

const YEAR_FILES: [(i32, &str); 2] = [
    (
        2025,
        include_str!("../../../../knowledge/parameters/2025.toml"),
    ),
    (
        2026,
        include_str!("../../../../knowledge/parameters/2026.toml"),
    ),
];
const HOLIDAYS_FILE: &str = include_str!("../../../../knowledge/parameters/holidays.toml");

/// One figure and where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub value: Decimal,
    pub source: String,
    pub url: String,
}

impl Param {
    /// The citation of this figure, under a label such as "Social Security wage base 2026: $184,500".
    pub fn cite(&self, label: impl Into<String>) -> ParameterSource {
        ParameterSource {
            label: label.into(),
            source: self.source.clone(),
            url: self.url.clone(),
        }
    }
}

/// A value for each filing status.
#[derive(Clone, Debug, PartialEq)]
pub struct PerStatus<T>([T; 5]);

impl<T> PerStatus<T> {
    pub fn get(&self, status: FilingStatus) -> &T {
        // FilingStatus::ALL is the order the array was filled in.
        let index = FilingStatus::ALL
            .iter()
            .position(|s| *s == status)
            .unwrap_or(0);
        &self.0[index]
    }
}

/// One bracket of the rate schedule: `rate` on taxable income up to `up_to` (none for the top bracket).
#[derive(Clone, Debug, PartialEq)]
pub struct Bracket {
    pub rate: Decimal,
    pub up_to: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Brackets {
    pub by_status: PerStatus<Vec<Bracket>>,
    pub source: String,
    pub url: String,
}

/// IRC 199A(i) (from 2026): at least `deduction` for QBI of at least `qualified_income`.
#[derive(Clone, Debug, PartialEq)]
pub struct QbiMinimum {
    pub deduction: Param,
    pub qualified_income: Param,
}

/// The parameters of one tax year; the names are those of knowledge/README.md.
#[derive(Clone, Debug, PartialEq)]
pub struct YearParameters {
    pub tax_year: i32,
    pub se_net_earnings_factor: Param,
    pub se_social_security_rate: Param,
    pub se_medicare_rate: Param,
    pub se_minimum_net_earnings: Param,
    pub social_security_wage_base: Param,
    pub additional_medicare_rate: Param,
    pub additional_medicare_threshold: PerStatus<Param>,
    pub estimated_tax_minimum_owed: Param,
    pub safe_harbor_current_year_rate: Param,
    pub safe_harbor_prior_year_rate: Param,
    pub safe_harbor_high_income_prior_year_rate: Param,
    pub safe_harbor_high_income_agi: Param,
    pub safe_harbor_high_income_agi_married_separate: Param,
    pub standard_mileage_rate_business: Param,
    pub home_office_simplified_rate: Param,
    pub home_office_simplified_max_square_feet: Param,
    pub standard_deduction: PerStatus<Param>,
    pub qbi_rate: Param,
    pub qbi_threshold: PerStatus<Param>,
    pub qbi_minimum: Option<QbiMinimum>,
    pub brackets: Brackets,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

/// DC legal holidays (IRC 7503), for the calendar years that have any listed.
#[derive(Clone, Debug, PartialEq)]
pub struct Holidays {
    pub dates: Vec<Holiday>,
    pub source: String,
    pub url: String,
    years: BTreeSet<i32>,
}

impl Holidays {
    pub fn new(dates: Vec<Holiday>, source: String, url: String) -> Holidays {
        let years = dates.iter().map(|h| h.date.year()).collect();
        Holidays {
            dates,
            source,
            url,
            years,
        }
    }

    pub fn get(&self, date: Date) -> Option<&Holiday> {
        self.dates.iter().find(|h| h.date == date)
    }

    /// Whether the list holds this calendar year; a date in any other year cannot be checked.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }
}

/// Every year's parameters and the holidays.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    years: Vec<YearParameters>,
    pub holidays: Holidays,
}

impl Parameters {
    /// Parses the embedded files; the error names the file and the value that is wrong.
    pub fn load() -> Result<Parameters, String> {
        let years = YEAR_FILES
            .iter()
            .map(|(year, text)| {
                parse_year(*year, text)
                    .map_err(|e| format!("knowledge/parameters/{year}.toml: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if years.iter().map(|y| y.tax_year).ne(TAX_YEARS) {
            return Err(format!(
                "parameter files do not match model::tax::TAX_YEARS {TAX_YEARS:?}"
            ));
        }
        let holidays = parse_holidays(HOLIDAYS_FILE)
            .map_err(|e| format!("knowledge/parameters/holidays.toml: {e}"))?;
        Ok(Parameters { years, holidays })
    }

    pub fn year(&self, tax_year: i32) -> Option<&YearParameters> {
        self.years.iter().find(|y| y.tax_year == tax_year)
    }

    /// The tax years there are parameters for, oldest first.
    pub fn tax_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().map(|y| y.tax_year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_load_with_their_sources() {
        let params = Parameters::load().unwrap();
        assert_eq!(params.tax_years().collect::<Vec<_>>(), TAX_YEARS);
        let y2026 = params.year(2026).unwrap();
        assert_eq!(y2026.social_security_wage_base.value.to_string(), "184500");
        assert!(y2026
            .social_security_wage_base
            .url
            .starts_with("https://www.ssa.gov/"));
        assert_eq!(
            y2026
                .qbi_threshold
                .get(FilingStatus::MarriedSeparate)
                .value
                .to_string(),
            "201775"
        );
        assert_eq!(
            y2026
                .brackets
                .by_status
                .get(FilingStatus::HeadOfHousehold)
                .len(),
            7
        );
        assert!(y2026.qbi_minimum.is_some());
        assert!(params.year(2025).unwrap().qbi_minimum.is_none());
        assert!(params.year(2024).is_none());
        let new_year = parse_date("2027-12-31").unwrap();
        assert!(params.holidays.get(new_year).unwrap().name.contains("2028"));
        assert!(params.holidays.covers(2027) && !params.holidays.covers(2028));
    }

    fn edited(from: &str, to: &str) -> Result<YearParameters, String> {
        let text = YEAR_FILES[1].1;
        assert!(text.contains(from), "{from}");
        parse_year(2026, &text.replacen(from, to, 1))
    }

    #[test]
    fn a_missing_or_malformed_value_fails_loudly() {
        let err = edited("value = \"184500\"", "value = 184500").unwrap_err();
        assert!(err.contains("[social_security_wage_base] value"), "{err}");
        let err = edited("value = \"0.029\"", "value = \"2.9 %\"").unwrap_err();
        assert!(err.contains("se_medicare_rate"), "{err}");
        let err = edited("[qbi_threshold_single]", "[qbi_threshhold_single]").unwrap_err();
        assert!(err.contains("qbi_threshold_single] missing"), "{err}");
        let err = edited(
            "{ rate = \"0.37\" },",
            "{ rate = \"0.37\", up_to = \"1\" },",
        )
        .unwrap_err();
        assert!(err.contains("[brackets] single"), "{err}");
        let err = edited(
            "tax_year = 2026",
            "tax_year = 2026\n[standard_mileage_rate_july]\nvalue = \"0.76\"",
        )
        .unwrap_err();
        assert!(err.contains("not a known parameter"), "{err}");
        let err = parse_holidays(&HOLIDAYS_FILE.replace("2026-07-03", "2026-07-04")).unwrap_err();
        assert!(err.contains("weekend"), "{err}");
    }
}
