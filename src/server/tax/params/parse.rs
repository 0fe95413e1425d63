//! Reading the parameter files: every value with its source, every filing status present, brackets in order, dates
//! real. The error names the value that is wrong.

use rust_decimal::Decimal;
use std::collections::BTreeSet;
use time::{Date, Month, Weekday};

use super::*;
use crate::model::tax::FilingStatus;

pub(super) fn parse_year(expected_year: i32, text: &str) -> Result<YearParameters, String> {
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

pub(super) fn parse_holidays(text: &str) -> Result<Holidays, String> {
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
