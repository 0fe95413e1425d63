//! The shown work of a calculation (steps, notes, sources) and how its figures are written: "$46,175.00",
//! "12.4 %", "June 16, 2025". Rounding to cents happens here, once per figure shown.

use crate::i18n::{fill, Lang};
use crate::model::tax::ParameterSource;
use crate::server::tax::params::Param;
use rust_decimal::{Decimal, RoundingStrategy};
use time::{Date, Month, Weekday};

/// Round half up (away from zero) to cents: the rounding the IRS forms use. `round_dp` alone would round half to
/// even ("banker's"), which a form never does.
pub fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Steps, notes and sources, in the order they were written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Work {
    pub steps: Vec<String>,
    pub notes: Vec<String>,
    pub sources: Vec<ParameterSource>,
}

impl Work {
    pub fn step(&mut self, step: impl Into<String>) {
        self.steps.push(step.into());
    }

    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Cites a parameter once, however many steps use it.
    pub fn cite(&mut self, param: &Param, label: impl Into<String>) {
        self.add_source(param.cite(label));
    }

    pub fn add_source(&mut self, source: ParameterSource) {
        if !self.sources.contains(&source) {
            self.sources.push(source);
        }
    }

    /// Appends the work of a part of this calculation (the SE tax inside the set-aside estimate).
    pub fn absorb(&mut self, part: &Work) {
        self.steps.extend(part.steps.iter().cloned());
        part.notes.iter().for_each(|n| self.note(n.clone()));
        part.sources.iter().for_each(|s| self.add_source(s.clone()));
    }
}

/// "$46,175.00", "−$1,200.00" (rounded half up to cents).
pub fn money(value: Decimal) -> String {
    let value = cents(value);
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "\u{2212}"
    } else {
        ""
    };
    let text = format!("{:.2}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    format!("{sign}${}.{fraction}", group(whole))
}

/// "$184,500" for a whole-dollar parameter in a label, "$0.725" for a rate per mile: as the source states it.
pub fn money_plain(value: Decimal) -> String {
    let text = value.normalize().to_string();
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    match fraction {
        Some(fraction) if fraction.len() == 1 => format!("${}.{fraction}0", group(whole)),
        Some(fraction) => format!("${}.{fraction}", group(whole)),
        None => format!("${}", group(whole)),
    }
}

/// "1,200" or "12,345.5": a count of miles or square feet, exactly as typed.
pub fn quantity(value: Decimal) -> String {
    let text = value.normalize().to_string();
    match text.split_once('.') {
        Some((whole, fraction)) => format!("{}.{fraction}", group(whole)),
        None => group(&text),
    }
}

/// A rate as a percentage: 0.9235 → "92.35 %", 0.124 → "12.4 %", 1.10 → "110 %".
pub fn percent(rate: Decimal) -> String {
    format!("{} %", (rate * Decimal::ONE_HUNDRED).normalize())
}

/// "June 16, 2025".
#[cfg(test)]
pub fn date(date: Date) -> String {
    date_in(Lang::En, date)
}

/// "June 16, 2025" in English, "16 tháng 6 năm 2025" in Vietnamese.
pub fn date_in(lang: Lang, date: Date) -> String {
    let t = &lang.texts().tax_calc;
    let month = match date.month() {
        Month::January => t.month_january,
        Month::February => t.month_february,
        Month::March => t.month_march,
        Month::April => t.month_april,
        Month::May => t.month_may,
        Month::June => t.month_june,
        Month::July => t.month_july,
        Month::August => t.month_august,
        Month::September => t.month_september,
        Month::October => t.month_october,
        Month::November => t.month_november,
        Month::December => t.month_december,
    };
    fill(
        t.date,
        &[
            ("month", month),
            ("day", &date.day().to_string()),
            ("year", &date.year().to_string()),
        ],
    )
}

/// "Sunday" in English, "Chủ nhật" in Vietnamese.
pub fn weekday_in(lang: Lang, day: Weekday) -> &'static str {
    let t = &lang.texts().tax_calc;
    match day {
        Weekday::Monday => t.weekday_monday,
        Weekday::Tuesday => t.weekday_tuesday,
        Weekday::Wednesday => t.weekday_wednesday,
        Weekday::Thursday => t.weekday_thursday,
        Weekday::Friday => t.weekday_friday,
        Weekday::Saturday => t.weekday_saturday,
        Weekday::Sunday => t.weekday_sunday,
    }
}

fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn figures_read_like_a_form() {
        assert_eq!(money(d("46175")), "$46,175.00");
        assert_eq!(money(d("1339.075")), "$1,339.08");
        assert_eq!(money(d("6200.145")), "$6,200.15"); // half up, where round-half-even gives 6,200.14
        assert_eq!(money(d("-1200")), "\u{2212}$1,200.00");
        assert_eq!(money(d("-0.001")), "$0.00");
        assert_eq!(money(d("999999.999")), "$1,000,000.00");
        assert_eq!(money(d("0.5")), "$0.50");
        assert_eq!(money_plain(d("184500")), "$184,500");
        assert_eq!(money_plain(d("0.725")), "$0.725");
        assert_eq!(money_plain(d("0.70")), "$0.70");
        assert_eq!(quantity(d("12345.50")), "12,345.5");
        assert_eq!(percent(d("0.9235")), "92.35 %");
        assert_eq!(percent(d("0.124")), "12.4 %");
        assert_eq!(percent(d("1.10")), "110 %");
        assert_eq!(percent(d("0.009")), "0.9 %");
        let day = Date::from_calendar_date(2025, time::Month::June, 16).unwrap();
        assert_eq!(date(day), "June 16, 2025");
    }
}
