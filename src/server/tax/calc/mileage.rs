//! The standard mileage deduction: business miles × the year's business rate. Only a rate verified from the IRS's
//! own text is applied; a reported change that is not is told in a note, never used.

use super::work::{cents, money, money_plain, quantity, Work};
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

/// Rate changes reported for a year but not read in the IRS's own text: told, never applied. The parameter file
/// holds one verified rate per year; when a change is verified it needs a date-split parameter there instead.
const UNVERIFIED_CHANGES: &[(i32, &str)] = &[(
    2026,
    "Not verified: IRS Announcement 2026-11 (Internal Revenue Bulletin 2026-29) reportedly raised the business \
     rate to 76 cents a mile for miles driven on or after July 1, 2026. Tally could not confirm it from the IRS's \
     own text, so this figure uses 72.5 cents for every mile; if the change holds, each business mile driven from \
     July 1 is worth 3.5 cents more. Check the IRS's standard mileage rates page before filing.",
)];

#[derive(Clone, Debug, PartialEq)]
pub struct Mileage {
    pub rate: Decimal,
    pub deduction: Decimal,
    pub work: Work,
}

pub fn mileage(p: &YearParameters, business_miles: Decimal) -> Mileage {
    let mut work = Work::default();
    let rate = &p.standard_mileage_rate_business;
    work.cite(
        rate,
        format!(
            "Business standard mileage rate {}: {} a mile",
            p.tax_year,
            money_plain(rate.value)
        ),
    );
    let deduction = cents(business_miles * rate.value);
    work.step(format!(
        "{} business miles × {} = {} (Schedule C line 9)",
        quantity(business_miles),
        money_plain(rate.value),
        money(deduction)
    ));
    for (_, note) in UNVERIFIED_CHANGES.iter().filter(|(y, _)| *y == p.tax_year) {
        work.note(*note);
    }
    work.note(
        "The rate replaces actual car costs (gas, repairs, insurance, depreciation); business parking and tolls are \
         deducted on top. Commuting miles never count.",
    );
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
