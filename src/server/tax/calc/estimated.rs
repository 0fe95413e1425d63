//! Estimated tax payments, the Form 1040-ES worksheet lines 12a-15 (IRC 6654(d)): the required annual payment is
//! the smaller of 90 % of this year's expected tax and 100 % of last year's (110 % when last year's AGI was over
//! $150,000, or $75,000 married filing separately), less withholding, in four installments on the due dates.

use super::due_dates::{due_dates_in, DueDate};
use super::work::{cents, money, money_plain, percent, Work};
use crate::i18n::{fill, Lang};
use crate::model::tax::{FieldError, FilingStatus};
use crate::server::tax::params::{Holidays, YearParameters};
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct EstimatedPayments {
    /// Line 12a.
    pub current_year_safe_harbor: Decimal,
    /// 100 % or 110 %.
    pub prior_year_rate: Decimal,
    /// Line 12b.
    pub prior_year_safe_harbor: Decimal,
    /// Line 12c.
    pub required_annual_payment: Decimal,
    /// Line 14a: what is left to pay in installments.
    pub to_pay: Decimal,
    /// Line 14b: the expected tax less withholding, tested against $1,000.
    pub expected_after_withholding: Decimal,
    /// Each installment's amount and date; empty when no estimated payments are required.
    pub installments: Vec<(DueDate, Decimal)>,
    pub work: Work,
}

pub struct Inputs {
    pub status: FilingStatus,
    /// This year's total expected tax after credits (line 11c).
    pub expected_tax: Decimal,
    /// The tax shown on last year's return.
    pub prior_year_tax: Decimal,
    pub prior_year_agi: Decimal,
    pub withholding: Decimal,
}

pub fn estimated_payments(
    p: &YearParameters,
    holidays: &Holidays,
    inputs: &Inputs,
) -> Result<EstimatedPayments, FieldError> {
    estimated_payments_in(p, holidays, inputs, Lang::En)
}

/// The same, its steps, notes, source labels and errors in `lang`.
pub fn estimated_payments_in(
    p: &YearParameters,
    holidays: &Holidays,
    inputs: &Inputs,
    lang: Lang,
) -> Result<EstimatedPayments, FieldError> {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let current_rate = &p.safe_harbor_current_year_rate;
    work.cite(
        current_rate,
        fill(
            t.est_source_current,
            &[("rate", &percent(current_rate.value))],
        ),
    );
    let current_year_safe_harbor = cents(inputs.expected_tax * current_rate.value);
    work.step(fill(
        t.est_step_current,
        &[
            ("rate", &percent(current_rate.value)),
            ("tax", &money(inputs.expected_tax)),
            ("harbor", &money(current_year_safe_harbor)),
        ],
    ));

    // The AGI test looks at this year's filing status (1040-ES: "married filing separately for <year>").
    let agi_limit = if inputs.status == FilingStatus::MarriedSeparate {
        &p.safe_harbor_high_income_agi_married_separate
    } else {
        &p.safe_harbor_high_income_agi
    };
    work.cite(
        agi_limit,
        fill(
            t.est_source_agi_limit,
            &[
                ("status", inputs.status.label_in(lang)),
                ("limit", &money_plain(agi_limit.value)),
            ],
        ),
    );
    let rate_param = if inputs.prior_year_agi > agi_limit.value {
        &p.safe_harbor_high_income_prior_year_rate
    } else {
        &p.safe_harbor_prior_year_rate
    };
    work.cite(
        rate_param,
        fill(t.est_source_prior, &[("rate", &percent(rate_param.value))]),
    );
    let comparison = if inputs.prior_year_agi > agi_limit.value {
        t.est_step_agi_more
    } else {
        t.est_step_agi_not_more
    };
    work.step(fill(
        comparison,
        &[
            ("agi", &money(inputs.prior_year_agi)),
            ("limit", &money(agi_limit.value)),
            ("rate", &percent(rate_param.value)),
        ],
    ));
    let prior_year_safe_harbor = cents(inputs.prior_year_tax * rate_param.value);
    work.step(fill(
        t.est_step_prior,
        &[
            ("rate", &percent(rate_param.value)),
            ("tax", &money(inputs.prior_year_tax)),
            ("harbor", &money(prior_year_safe_harbor)),
        ],
    ));
    work.note(t.est_note_full_year);
    if inputs.prior_year_tax.is_zero() {
        work.note(t.est_note_zero_last_year);
    }
    let required_annual_payment = current_year_safe_harbor.min(prior_year_safe_harbor);
    work.step(fill(
        t.est_step_required,
        &[
            ("a", &money(current_year_safe_harbor)),
            ("b", &money(prior_year_safe_harbor)),
            ("smaller", &money(required_annual_payment)),
        ],
    ));
    let to_pay = required_annual_payment - inputs.withholding;
    work.step(fill(
        t.est_step_to_pay,
        &[
            ("required", &money(required_annual_payment)),
            ("withholding", &money(inputs.withholding)),
            ("to_pay", &money(to_pay)),
        ],
    ));
    let expected_after_withholding = inputs.expected_tax - inputs.withholding;
    let minimum = &p.estimated_tax_minimum_owed;
    work.cite(
        minimum,
        fill(
            t.est_source_minimum,
            &[("minimum", &money_plain(minimum.value))],
        ),
    );
    work.step(fill(
        t.est_step_expected,
        &[
            ("tax", &money(inputs.expected_tax)),
            ("withholding", &money(inputs.withholding)),
            ("left", &money(expected_after_withholding)),
        ],
    ));
    let mut result = EstimatedPayments {
        current_year_safe_harbor,
        prior_year_rate: rate_param.value,
        prior_year_safe_harbor,
        required_annual_payment,
        to_pay,
        expected_after_withholding,
        installments: Vec::new(),
        work,
    };
    if to_pay <= Decimal::ZERO {
        result.work.note(t.est_note_covered);
        return Ok(result);
    }
    if expected_after_withholding < minimum.value {
        result.work.note(fill(
            t.est_note_under_minimum,
            &[("minimum", &money_plain(minimum.value))],
        ));
        return Ok(result);
    }
    let installment = cents(to_pay / Decimal::from(4));
    result.work.step(fill(
        t.est_step_installment,
        &[
            ("to_pay", &money(to_pay)),
            ("installment", &money(installment)),
        ],
    ));
    let schedule = due_dates_in(holidays, p.tax_year, lang)?;
    result.work.absorb(&schedule.work);
    result.installments = schedule
        .dates
        .into_iter()
        .map(|due| (due, installment))
        .collect();
    result.work.note(t.est_note_withholding_even);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, params, year};
    use super::*;

    fn run(
        status: FilingStatus,
        expected: &str,
        prior: &str,
        agi: &str,
        withheld: &str,
    ) -> EstimatedPayments {
        let inputs = Inputs {
            status,
            expected_tax: d(expected),
            prior_year_tax: d(prior),
            prior_year_agi: d(agi),
            withholding: d(withheld),
        };
        estimated_payments(year(2026), &params().holidays, &inputs).unwrap()
    }

    #[test]
    fn the_smaller_safe_harbor_less_withholding_in_four_installments() {
        // 90 % × 20,000 = 18,000; AGI 100,000 → 100 % × 15,000 = 15,000; smaller 15,000; − 2,000 = 13,000;
        // 20,000 − 2,000 = 18,000 ≥ 1,000; 13,000 / 4 = 3,250.00 on April 15, June 15, September 15, January 15.
        let e = run(FilingStatus::Single, "20000", "15000", "100000", "2000");
        assert_eq!(
            (e.required_annual_payment, e.to_pay),
            (d("15000"), d("13000"))
        );
        assert_eq!(e.installments.len(), 4);
        assert!(e
            .installments
            .iter()
            .all(|(_, amount)| *amount == d("3250")));
        assert_eq!(e.installments[3].0.date.to_string(), "2027-01-15");
        // A quarter that is not whole cents rounds half up: 90 % × 10,000.10 = 9,000.09 (line 12a wins);
        // 9,000.09 / 4 = 2,250.0225 → 2,250.02.
        let e = run(FilingStatus::Single, "10000.10", "20000", "50000", "0");
        assert_eq!(e.installments[0].1, d("2250.02"));
    }

    #[test]
    fn prior_year_agi_over_150000_switches_to_110_percent() {
        // AGI exactly 150,000 is not more than 150,000: 100 % × 10,000 = 10,000 < 90 % × 20,000 = 18,000.
        let at = run(FilingStatus::Single, "20000", "10000", "150000", "0");
        assert_eq!(
            (at.prior_year_rate, at.required_annual_payment),
            (d("1.00"), d("10000"))
        );
        // 150,000.01 is more: 110 % × 10,000 = 11,000.
        let over = run(
            FilingStatus::MarriedJoint,
            "20000",
            "10000",
            "150000.01",
            "0",
        );
        assert_eq!(
            (over.prior_year_rate, over.required_annual_payment),
            (d("1.10"), d("11000"))
        );
    }

    #[test]
    fn married_filing_separately_switches_at_75000() {
        let at = run(
            FilingStatus::MarriedSeparate,
            "20000",
            "10000",
            "75000",
            "0",
        );
        assert_eq!(at.required_annual_payment, d("10000"));
        let over = run(
            FilingStatus::MarriedSeparate,
            "20000",
            "10000",
            "75000.01",
            "0",
        );
        assert_eq!(over.required_annual_payment, d("11000"));
        // A single filer at 75,000.01 stays at 100 %.
        assert_eq!(
            run(FilingStatus::Single, "20000", "10000", "75000.01", "0").prior_year_rate,
            d("1.00")
        );
    }

    #[test]
    fn under_1000_after_withholding_needs_no_payments() {
        // 5,000 − 4,000.01 = 999.99 < 1,000, although line 14a is 4,500 − 4,000.01 = 499.99 > 0.
        let e = run(FilingStatus::Single, "5000", "6000", "50000", "4000.01");
        assert!(e.installments.is_empty());
        assert!(e.work.notes.iter().any(|n| n.contains("less than $1,000")));
        // 5,000 − 4,000 = 1,000 exactly is not under: 4,500 − 4,000 = 500 → 125.00 a quarter.
        let e = run(FilingStatus::Single, "5000", "6000", "50000", "4000");
        assert_eq!(e.installments[0].1, d("125"));
    }

    #[test]
    fn withholding_that_covers_the_required_payment_or_no_tax_last_year_needs_none() {
        let covered = run(FilingStatus::Single, "30000", "8000", "90000", "8000");
        assert!(covered.installments.is_empty() && covered.to_pay.is_zero());
        let none_last_year = run(FilingStatus::HeadOfHousehold, "12000", "0", "40000", "0");
        assert!(none_last_year.installments.is_empty());
        assert!(none_last_year
            .work
            .notes
            .iter()
            .any(|n| n.contains("6654(e)(2)")));
    }
}
