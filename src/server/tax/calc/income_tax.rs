//! Regular income tax from the year's rate schedule (IRC 1(j)), exactly: each bracket's rate on the part of taxable
//! income inside it. Not the IRS Tax Table, which taxes the middle of each $50 row and rounds to dollars.

use super::work::{cents, money, percent, Work};
use crate::i18n::{fill, Lang};
use crate::model::tax::FilingStatus;
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct IncomeTax {
    pub tax: Decimal,
    /// The rate of the highest bracket reached.
    pub marginal_rate: Decimal,
    pub work: Work,
}

pub fn income_tax(p: &YearParameters, status: FilingStatus, taxable_income: Decimal) -> IncomeTax {
    income_tax_in(p, status, taxable_income, Lang::En)
}

/// The same, its steps and source label in `lang`.
pub fn income_tax_in(
    p: &YearParameters,
    status: FilingStatus,
    taxable_income: Decimal,
    lang: Lang,
) -> IncomeTax {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let brackets = &p.brackets;
    work.add_source(crate::model::tax::ParameterSource {
        label: fill(
            t.income_source_schedule,
            &[
                ("year", &p.tax_year.to_string()),
                ("status", status.label_in(lang)),
            ],
        ),
        source: brackets.source.clone(),
        url: brackets.url.clone(),
    });
    let income = taxable_income.max(Decimal::ZERO);
    let mut tax = Decimal::ZERO;
    let mut floor = Decimal::ZERO;
    let mut marginal_rate = Decimal::ZERO;
    let mut parts = Vec::new();
    for bracket in brackets.by_status.get(status) {
        if income <= floor {
            break;
        }
        let top = bracket.up_to.map_or(income, |up_to| up_to.min(income));
        // Every full bracket is whole dollars times a whole-percent rate, so only the last part can have a
        // fraction of a cent: rounding each part shown is the same as rounding the total.
        let part = cents((top - floor) * bracket.rate);
        work.step(fill(
            t.income_step_bracket,
            &[
                ("rate", &percent(bracket.rate)),
                ("amount", &money(top - floor)),
                ("from", &money(floor)),
                ("to", &money(top)),
                ("tax", &money(part)),
            ],
        ));
        parts.push(money(part));
        tax += part;
        marginal_rate = bracket.rate;
        floor = top;
    }
    if parts.len() > 1 {
        work.step(fill(
            t.income_step_total,
            &[("parts", &parts.join(" + ")), ("tax", &money(tax))],
        ));
    } else if parts.is_empty() {
        work.step(fill(
            t.income_step_none,
            &[("income", &money(income)), ("tax", &money(tax))],
        ));
    }
    IncomeTax {
        tax,
        marginal_rate,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, year};
    use super::*;

    fn tax(y: i32, status: FilingStatus, income: &str) -> Decimal {
        income_tax(year(y), status, d(income)).tax
    }

    #[test]
    fn single_2025_bracket_by_bracket() {
        // 10 % × 11,925 = 1,192.50; 12 % × 36,550 = 4,386.00; 22 % × (51,424.09 − 48,475) = 648.7998 → 648.80;
        // total 6,227.30.
        let t = income_tax(year(2025), FilingStatus::Single, d("51424.09"));
        assert_eq!(t.tax, d("6227.30"));
        assert_eq!(t.marginal_rate, d("0.22"));
        assert_eq!(
            t.work.steps[0],
            "10 % of $11,925.00 (from $0.00 to $11,925.00) = $1,192.50"
        );
        assert_eq!(
            t.work.steps[3],
            "$1,192.50 + $4,386.00 + $648.80 = $6,227.30 (income tax)"
        );
        assert_eq!(tax(2025, FilingStatus::Single, "0"), d("0"));
        assert_eq!(tax(2025, FilingStatus::Single, "-500"), d("0"));
        // Exactly at a bracket top: 10 % × 11,925 = 1,192.50 and nothing at 12 %.
        assert_eq!(tax(2025, FilingStatus::Single, "11925"), d("1192.50"));
        // Half a cent: 10 % × 100.05 = 10.005 → 10.01.
        assert_eq!(tax(2025, FilingStatus::Single, "100.05"), d("10.01"));
    }

    #[test]
    fn every_filing_status_2026_at_300000() {
        // Single: 1,240 + 12 % × 38,000 = 4,560 + 22 % × 55,300 = 12,166 + 24 % × 96,075 = 23,058
        //   + 32 % × 54,450 = 17,424 + 35 % × 43,775 = 15,321.25 → 73,769.25.
        assert_eq!(tax(2026, FilingStatus::Single, "300000"), d("73769.25"));
        // Married filing jointly (and surviving spouse): 2,480 + 12 % × 76,000 = 9,120 + 22 % × 110,600 = 24,332
        //   + 24 % × 88,600 = 21,264 → 57,196.
        assert_eq!(tax(2026, FilingStatus::MarriedJoint, "300000"), d("57196"));
        assert_eq!(
            tax(2026, FilingStatus::QualifyingSurvivingSpouse, "300000"),
            d("57196")
        );
        // Married filing separately: same as single up to 256,225, so 73,769.25 at 300,000 (35 % ends at 384,350).
        assert_eq!(
            tax(2026, FilingStatus::MarriedSeparate, "300000"),
            d("73769.25")
        );
        // Head of household: 1,770 + 12 % × 49,750 = 5,970 + 22 % × 38,250 = 8,415 + 24 % × 96,050 = 23,052
        //   + 32 % × 54,450 = 17,424 + 35 % × 43,800 = 15,330 → 71,961.
        assert_eq!(
            tax(2026, FilingStatus::HeadOfHousehold, "300000"),
            d("71961")
        );
    }

    #[test]
    fn every_filing_status_2025_into_the_top_bracket() {
        // MFS 2025 at 400,000: 1,192.50 + 4,386 + 22 % × 54,875 = 12,072.50 + 24 % × 93,950 = 22,548
        //   + 32 % × 53,225 = 17,032 + 35 % × 125,275 = 43,846.25 + 37 % × 24,200 = 8,954 → 110,031.25.
        assert_eq!(
            tax(2025, FilingStatus::MarriedSeparate, "400000"),
            d("110031.25")
        );
        // Single 2025 at 700,000: ... + 35 % × 375,825 = 131,538.75 + 37 % × 73,650 = 27,250.50
        //   = 1,192.50 + 4,386 + 12,072.50 + 22,548 + 17,032 + 131,538.75 + 27,250.50 = 216,020.25.
        assert_eq!(tax(2025, FilingStatus::Single, "700000"), d("216020.25"));
        // Joint 2025 at 800,000: 2,385 + 12 % × 73,100 = 8,772 + 22 % × 109,750 = 24,145
        //   + 24 % × 187,900 = 45,096 + 32 % × 106,450 = 34,064 + 35 % × 250,550 = 87,692.50
        //   + 37 % × 48,400 = 17,908 → 220,062.50.
        assert_eq!(
            tax(2025, FilingStatus::MarriedJoint, "800000"),
            d("220062.50")
        );
        // Head of household 2025 at 60,000: 1,700 + 12 % × 43,000 = 5,160 → 6,860.
        assert_eq!(tax(2025, FilingStatus::HeadOfHousehold, "60000"), d("6860"));
        // Surviving spouse 2025 at 100,000: 2,385 + 8,772 + 22 % × 3,050 = 671 → 11,828.
        assert_eq!(
            tax(2025, FilingStatus::QualifyingSurvivingSpouse, "100000"),
            d("11828")
        );
    }
}
