//! The year's parameters (knowledge/parameters/<year>.toml) and the DC legal holidays (holidays.toml), compiled into
//! the binary and parsed once at start. Every value keeps the publication and URL it comes from, so a result can
//! cite it. Loading fails on anything missing, misspelt or malformed: a calculator must never run on a default.

use crate::model::tax::{FilingStatus, ParameterSource, TAX_YEARS};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use time::{Date, Month, Weekday};

const YEAR_FILES: [(i32, &str); 2] = [
    (
        2025,
        include_str!("../../../knowledge/parameters/2025.toml"),
    ),
    (
        2026,
        include_str!("../../../knowledge/parameters/2026.toml"),
    ),
];
const HOLIDAYS_FILE: &str = include_str!("../../../knowledge/parameters/holidays.toml");

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

fn parse_year(expected_year: i32, text: &str) -> Result<YearParameters, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut file = File {
        table: &table,
        read: BTreeSet::from(["tax_year".to_string()]),
    };
    let tax_year = table
        .get("tax_year")
        .and_then(|v| v.as_integer())
        .ok_or("tax_year missing or not an integer")?;
    if tax_year != i64::from(expected_year) {
        return Err(format!("tax_year = {tax_year}, expected {expected_year}"));
    }
    let qbi_minimum = match (
        table.contains_key("qbi_minimum_deduction"),
        table.contains_key("qbi_minimum_qualified_income"),
    ) {
        (false, false) => None,
        _ => Some(QbiMinimum {
            deduction: file.amount("qbi_minimum_deduction")?,
            qualified_income: file.amount("qbi_minimum_qualified_income")?,
        }),
    };
    let params = YearParameters {
        tax_year: expected_year,
        se_net_earnings_factor: file.rate("se_net_earnings_factor")?,
        se_social_security_rate: file.rate("se_social_security_rate")?,
        se_medicare_rate: file.rate("se_medicare_rate")?,
        se_minimum_net_earnings: file.amount("se_minimum_net_earnings")?,
        social_security_wage_base: file.amount("social_security_wage_base")?,
        additional_medicare_rate: file.rate("additional_medicare_rate")?,
        additional_medicare_threshold: file.per_status("additional_medicare_threshold")?,
        estimated_tax_minimum_owed: file.amount("estimated_tax_minimum_owed")?,
        safe_harbor_current_year_rate: file.rate("safe_harbor_current_year_rate")?,
        // 100 % and 110 % of last year's tax: a multiplier, not a share, so above 1 is fine.
        safe_harbor_prior_year_rate: file.amount("safe_harbor_prior_year_rate")?,
        safe_harbor_high_income_prior_year_rate: file
            .amount("safe_harbor_high_income_prior_year_rate")?,
        safe_harbor_high_income_agi: file.amount("safe_harbor_high_income_agi")?,
        safe_harbor_high_income_agi_married_separate: file
            .amount("safe_harbor_high_income_agi_married_separate")?,
        standard_mileage_rate_business: file.amount("standard_mileage_rate_business")?,
        home_office_simplified_rate: file.amount("home_office_simplified_rate")?,
        home_office_simplified_max_square_feet: file
            .amount("home_office_simplified_max_square_feet")?,
        standard_deduction: file.per_status("standard_deduction")?,
        qbi_rate: file.rate("qbi_rate")?,
        qbi_threshold: file.per_status("qbi_threshold")?,
        qbi_minimum,
        brackets: file.brackets()?,
    };
    // A table no calculator reads is a typo or a rule not wired in yet: either way it must not pass unnoticed.
    if let Some(unknown) = table.keys().find(|k| !file.read.contains(*k)) {
        return Err(format!(
            "[{unknown}] is not a known parameter (see knowledge/README.md)"
        ));
    }
    Ok(params)
}

/// A parameter file being read, remembering which tables were used.
struct File<'a> {
    table: &'a toml::Table,
    read: BTreeSet<String>,
}

impl File<'_> {
    fn amount(&mut self, name: &str) -> Result<Param, String> {
        self.read.insert(name.to_string());
        let entry = self
            .table
            .get(name)
            .and_then(|v| v.as_table())
            .ok_or(format!("[{name}] missing"))?;
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        let value = text("value").ok_or(format!(
            "[{name}] value missing or not a string (write \"0.9235\")"
        ))?;
        let value = decimal(&value).map_err(|e| format!("[{name}] {e}"))?;
        let source = text("source").ok_or(format!("[{name}] source missing"))?;
        let url = text("url").ok_or(format!("[{name}] url missing"))?;
        Ok(Param { value, source, url })
    }

    /// A share of something: above 0 and at most 1.
    fn rate(&mut self, name: &str) -> Result<Param, String> {
        let param = self.amount(name)?;
        if param.value.is_zero() || param.value > Decimal::ONE {
            return Err(format!(
                "[{name}] value {} is not a rate between 0 and 1",
                param.value
            ));
        }
        Ok(param)
    }

    fn per_status(&mut self, prefix: &str) -> Result<PerStatus<Param>, String> {
        let [a, b, c, d, e] = FilingStatus::ALL;
        let mut get = |status: FilingStatus| self.amount(&format!("{prefix}_{}", status.key()));
        Ok(PerStatus([get(a)?, get(b)?, get(c)?, get(d)?, get(e)?]))
    }

    fn brackets(&mut self) -> Result<Brackets, String> {
        self.read.insert("brackets".into());
        let table = self
            .table
            .get("brackets")
            .and_then(|v| v.as_table())
            .ok_or("[brackets] missing")?;
        let text = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let source = text("source").ok_or("[brackets] source missing")?;
        let url = text("url").ok_or("[brackets] url missing")?;
        let status = |status: FilingStatus| -> Result<Vec<Bracket>, String> {
            let key = status.key();
            let rows = table
                .get(key)
                .and_then(|v| v.as_array())
                .ok_or(format!("[brackets] {key} missing"))?;
            let brackets = rows
                .iter()
                .map(|row| {
                    let field =
                        |f: &str| row.get(f).and_then(|v| v.as_str()).map(decimal).transpose();
                    let rate = field("rate")?.ok_or("a bracket without a rate")?;
                    Ok(Bracket {
                        rate,
                        up_to: field("up_to")?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
                .map_err(|e| format!("[brackets] {key}: {e}"))?;
            check_brackets(&brackets).map_err(|e| format!("[brackets] {key}: {e}"))?;
            Ok(brackets)
        };
        let [a, b, c, d, e] = FilingStatus::ALL;
        let by_status = PerStatus([status(a)?, status(b)?, status(c)?, status(d)?, status(e)?]);
        Ok(Brackets {
            by_status,
            source,
            url,
        })
    }
}

fn check_brackets(brackets: &[Bracket]) -> Result<(), String> {
    let (last, rest) = brackets.split_last().ok_or("no brackets")?;
    if last.up_to.is_some() {
        return Err("the top bracket must have no up_to".into());
    }
    let mut floor = Decimal::ZERO;
    for bracket in rest {
        let top = bracket
            .up_to
            .ok_or("only the top bracket may leave out up_to")?;
        if top <= floor {
            return Err(format!("up_to {top} does not rise above {floor}"));
        }
        floor = top;
    }
    if brackets
        .iter()
        .any(|b| b.rate <= Decimal::ZERO || b.rate >= Decimal::ONE)
    {
        return Err("a rate outside 0-1".into());
    }
    Ok(())
}

/// An exact, non-negative decimal: "0.9235", "184500".
fn decimal(text: &str) -> Result<Decimal, String> {
    let value = Decimal::from_str_exact(text.trim())
        .map_err(|_| format!("{text:?} is not a decimal number"))?;
    if value.is_sign_negative() {
        return Err(format!("{text:?} is negative"));
    }
    Ok(value)
}

fn parse_holidays(text: &str) -> Result<Holidays, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let text_of = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let source = text_of("source").ok_or("source missing")?;
    let url = text_of("url").ok_or("url missing")?;
    let rows = table
        .get("dates")
        .and_then(|v| v.as_array())
        .ok_or("dates missing")?;
    let mut dates = Vec::with_capacity(rows.len());
    for row in rows {
        let field = |f: &str| row.get(f).and_then(|v| v.as_str());
        let (Some(day), Some(name)) = (field("date"), field("name")) else {
            return Err(format!("a holiday needs a date and a name: {row}"));
        };
        let date = parse_date(day).ok_or(format!("{day:?} is not a date (YYYY-MM-DD)"))?;
        // Only observed dates are listed: a weekend date here is a mistake, since it would never move anything.
        if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return Err(format!(
                "{day} ({name}) falls on a weekend: list the observed date"
            ));
        }
        dates.push(Holiday {
            date,
            name: name.to_string(),
        });
    }
    Ok(Holidays::new(dates, source, url))
}

pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
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
