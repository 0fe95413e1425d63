//! The standard mileage deduction: business miles × the year's business rate. Only a rate verified from the IRS's
//! own text is applied; a reported change that is not is told in a note, never used.

use super::work::{cents, money, money_plain, quantity, Work};
use crate::i18n::{fill, Lang, TaxCalcStepsTexts};
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

/// A rate change reported for a year but not read in the IRS's own text: told, never applied. The parameter file
/// holds one verified rate per year; when a change is verified it needs a date-split parameter there instead.
fn unverified_change(t: &TaxCalcStepsTexts, tax_year: i32) -> Option<&'static str> {
    match tax_year {
        2026 => Some(t.mileage_note_unverified_2026),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mileage {
    pub rate: Decimal,
    pub deduction: Decimal,
    pub work: Work,
}

pub fn mileage(p: &YearParameters, business_miles: Decimal) -> Mileage {
    mileage_in(p, business_miles, Lang::En)
}

/// The same, its steps, notes and source labels in `lang`.
pub fn mileage_in(p: &YearParameters, business_miles: Decimal, lang: Lang) -> Mileage {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let rate = &p.standard_mileage_rate_business;
    work.cite(
        rate,
        fill(
            t.mileage_source_rate,
            &[
                ("year", &p.tax_year.to_string()),
                ("rate", &money_plain(rate.value)),
            ],
        ),
    );
    let deduction = cents(business_miles * rate.value);
    work.step(fill(
        t.mileage_step,
        &[
            ("miles", &quantity(business_miles)),
            ("rate", &money_plain(rate.value)),
            ("deduction", &money(deduction)),
        ],
    ));
    if let Some(note) = unverified_change(t, p.tax_year) {
        work.note(note);
    }
    work.note(t.mileage_note_actual_costs);
    Mileage {
        rate: rate.value,
        deduction,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, year};
    use super::*;

    #[test]
    fn miles_times_the_years_rate() {
        // 2025: 8,000 × 0.70 = 5,600.00.
        let m = mileage(year(2025), d("8000"));
        assert_eq!(m.deduction, d("5600"));
        assert_eq!(
            m.work.steps[0],
            "8,000 business miles × $0.70 = $5,600.00 (Schedule C line 9)"
        );
        assert!(!m.work.notes.iter().any(|n| n.contains("Not verified")));
        // 2026: 1,234.5 × 0.725 = 895.0125 → 895.01; 3 × 0.725 = 2.175 → 2.18 (half up).
        assert_eq!(mileage(year(2026), d("1234.5")).deduction, d("895.01"));
        assert_eq!(mileage(year(2026), d("3")).deduction, d("2.18"));
    }

    #[test]
    fn the_reported_july_2026_rate_is_told_but_not_applied() {
        // 10,000 × 0.725 = 7,250.00, not a blend with 76 cents.
        let m = mileage(year(2026), d("10000"));
        assert_eq!((m.rate, m.deduction), (d("0.725"), d("7250")));
        let note = m
            .work
            .notes
            .iter()
            .find(|n| n.starts_with("Not verified"))
            .unwrap();
        assert!(
            note.contains("76 cents")
                && note.contains("July 1, 2026")
                && note.contains("72.5 cents")
        );
    }
}
