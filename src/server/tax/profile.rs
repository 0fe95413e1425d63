//! The caller's tax profile: what is saved, what is assumed until it is, and which tax year a question is about.

use time::{Date, Month};

use super::terms::{fold, is_follow_up};
use crate::model::tax::{BusinessForm, FilingStatus, TaxProfile, TAX_YEARS};

/// The year a return is being prepared for on `today`: the previous calendar year until April 15 (the filing
/// deadline), the current one after it.
pub fn default_tax_year(today: Date) -> i32 {
    let deadline = Date::from_calendar_date(today.year(), Month::April, 15).unwrap_or(today);
    let year = if today <= deadline {
        today.year() - 1
    } else {
        today.year()
    };
    clamp_year(year)
}

/// The nearest year Tally has passages and parameters for.
pub fn clamp_year(year: i32) -> i32 {
    year.clamp(TAX_YEARS[0], TAX_YEARS[TAX_YEARS.len() - 1])
}

/// The profile used until the caller saves one.
pub fn default_profile(today: Date) -> TaxProfile {
    TaxProfile {
        tax_year: default_tax_year(today),
        state: None,
        filing_status: FilingStatus::Single,
        business_form: BusinessForm::SoleProprietor,
        has_w2_wages: false,
        saved: false,
    }
}

/// Today in UTC, for the default year.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Which tax year a question is about, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearChoice {
    /// The question names a year Tally covers.
    Named(i32),
    /// The question names a year Tally has no figures for.
    Unsupported(i32),
    /// Estimated payments are about the year they are paid for: the current one.
    PaymentYear(i32),
    /// The profile's year (saved, or the default).
    Profile(i32),
}

impl YearChoice {
    /// The year whose passages and parameters the answer uses.
    pub fn year(self, profile: &TaxProfile) -> i32 {
        match self {
            YearChoice::Named(year) | YearChoice::PaymentYear(year) | YearChoice::Profile(year) => {
                year
            }
            YearChoice::Unsupported(_) => profile.tax_year,
        }
    }
}

/// The tax year for `question` (with the earlier questions of the conversation for context, newest last).
pub fn year_for(question: &str, earlier: &[&str], profile: &TaxProfile, today: Date) -> YearChoice {
    if let Some(year) = named_year(question) {
        return if TAX_YEARS.contains(&year) {
            YearChoice::Named(year)
        } else {
            YearChoice::Unsupported(year)
        };
    }
    if is_about_estimated_payments(question) {
        return YearChoice::PaymentYear(clamp_year(today.year()));
    }
    // "And the deduction?" after "... for 2026?" stays in 2026; a question that stands on its own follows the
    // profile (which the user may just have changed).
    if is_follow_up(question) {
        if let Some(year) = earlier.iter().rev().find_map(|q| named_year(q)) {
            if TAX_YEARS.contains(&year) {
                return YearChoice::Named(year);
            }
        }
    }
    YearChoice::Profile(profile.tax_year)
}

/// The last year (1990-2099) a text names, as a word of its own.
fn named_year(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .rev()
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1990..=2099).contains(y))
}

fn is_about_estimated_payments(question: &str) -> bool {
    let folded = fold(question);
    [
        "estimated",
        "quarterly",
        "1040-es",
        "1040es",
        "uoc tinh",
        "hang quy",
        "theo quy",
    ]
    .iter()
    .any(|term| folded.contains(term))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_default_year_turns_after_the_filing_deadline() {
        assert_eq!(default_tax_year(date!(2026 - 04 - 15)), 2025);
        assert_eq!(default_tax_year(date!(2026 - 04 - 16)), 2026);
        assert_eq!(default_tax_year(date!(2026 - 01 - 02)), 2025);
        assert_eq!(default_tax_year(date!(2026 - 12 - 01)), 2026);
        // Outside the years covered, the nearest one.
        assert_eq!(default_tax_year(date!(2030 - 06 - 01)), 2026);
    }

    #[test]
    fn a_named_year_wins_then_payments_then_the_conversation_then_the_profile() {
        let profile = default_profile(date!(2026 - 03 - 01));
        assert_eq!(profile.tax_year, 2025);
        let today = date!(2026 - 03 - 01);
        assert_eq!(
            year_for("SE tax rate for 2026?", &[], &profile, today),
            YearChoice::Named(2026)
        );
        assert_eq!(
            year_for("rate for 2019?", &[], &profile, today),
            YearChoice::Unsupported(2019)
        );
        assert_eq!(
            year_for(
                "When are quarterly estimated payments due?",
                &[],
                &profile,
                today
            ),
            YearChoice::PaymentYear(2026)
        );
        assert_eq!(
            year_for(
                "and the deduction?",
                &["wage base for 2026?"],
                &profile,
                today
            ),
            YearChoice::Named(2026)
        );
        assert_eq!(
            year_for("What is the wage base?", &[], &profile, today),
            YearChoice::Profile(2025)
        );
        assert_eq!(
            year_for(
                "What is the Social Security wage base?",
                &["SE tax rate for 2026?"],
                &profile,
                today
            ),
            YearChoice::Profile(2025)
        );
        // A follow-up that points back keeps the conversation's year, however many words it has.
        assert_eq!(
            year_for(
                "What about the Social Security part of it for me?",
                &["SE tax rate for 2026?"],
                &profile,
                today
            ),
            YearChoice::Named(2026)
        );
    }
}
