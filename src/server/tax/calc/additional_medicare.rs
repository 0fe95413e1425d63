//! Additional Medicare Tax, Form 8959 Parts I and II: 0.9 % of Medicare wages over the filing status's threshold,
//! plus 0.9 % of self-employment income over what of the threshold the wages left. A self-employment loss counts as
//! zero (line 8), so it never lowers the tax on wages.

use super::work::{cents, money, money_plain, percent, Work};
use crate::i18n::{fill, Lang};
use crate::model::tax::FilingStatus;
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct AdditionalMedicare {
    pub threshold: Decimal,
    /// Part I, line 7.
    pub on_wages: Decimal,
    /// Part II, line 13.
    pub on_self_employment: Decimal,
    /// Line 18 (without railroad retirement compensation).
    pub total: Decimal,
    pub work: Work,
}

/// `self_employment_income` is Schedule SE line 6 (92.35 % of net profit, zero under the $400 floor), not the
/// net profit itself.
pub fn additional_medicare_tax(
    p: &YearParameters,
    status: FilingStatus,
    medicare_wages: Decimal,
    self_employment_income: Decimal,
) -> AdditionalMedicare {
    additional_medicare_tax_in(p, status, medicare_wages, self_employment_income, Lang::En)
}

/// The same, its steps, notes and source labels in `lang`.
pub fn additional_medicare_tax_in(
    p: &YearParameters,
    status: FilingStatus,
    medicare_wages: Decimal,
    self_employment_income: Decimal,
    lang: Lang,
) -> AdditionalMedicare {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let threshold_param = p.additional_medicare_threshold.get(status);
    let threshold = threshold_param.value;
    let rate = &p.additional_medicare_rate;
    work.cite(
        threshold_param,
        fill(
            t.amt_source_threshold,
            &[
                ("status", status.label_in(lang)),
                ("threshold", &money_plain(threshold)),
            ],
        ),
    );
    work.cite(
        rate,
        fill(t.amt_source_rate, &[("rate", &percent(rate.value))]),
    );

    let wages_over = (medicare_wages - threshold).max(Decimal::ZERO);
    work.step(fill(
        t.amt_step_wages_over,
        &[
            ("wages", &money(medicare_wages)),
            ("threshold", &money(threshold)),
            ("over", &money(wages_over)),
        ],
    ));
    let on_wages = cents(wages_over * rate.value);
    work.step(fill(
        t.amt_step_on_wages,
        &[
            ("rate", &percent(rate.value)),
            ("over", &money(wages_over)),
            ("tax", &money(on_wages)),
        ],
    ));

    let floor = p.se_minimum_net_earnings.value;
    let se_income = if self_employment_income < Decimal::ZERO {
        work.note(t.amt_note_loss);
        Decimal::ZERO
    } else if self_employment_income < floor {
        // Schedule SE stops at line 4c under $400, so there is no line 6 for Form 8959 line 8 to take.
        if !self_employment_income.is_zero() {
            work.note(fill(
                t.amt_note_under_floor,
                &[("floor", &money_plain(floor))],
            ));
        }
        Decimal::ZERO
    } else {
        self_employment_income
    };
    let left = (threshold - medicare_wages).max(Decimal::ZERO);
    work.step(fill(
        t.amt_step_left,
        &[
            ("threshold", &money(threshold)),
            ("wages", &money(medicare_wages)),
            ("left", &money(left)),
        ],
    ));
    let se_over = (se_income - left).max(Decimal::ZERO);
    work.step(fill(
        t.amt_step_se_over,
        &[
            ("income", &money(se_income)),
            ("left", &money(left)),
            ("over", &money(se_over)),
        ],
    ));
    let on_self_employment = cents(se_over * rate.value);
    work.step(fill(
        t.amt_step_on_se,
        &[
            ("rate", &percent(rate.value)),
            ("over", &money(se_over)),
            ("tax", &money(on_self_employment)),
        ],
    ));
    let total = on_wages + on_self_employment;
    work.step(fill(
        t.amt_step_total,
        &[
            ("on_wages", &money(on_wages)),
            ("on_se", &money(on_self_employment)),
            ("total", &money(total)),
        ],
    ));
    if on_wages > Decimal::ZERO {
        work.note(t.amt_note_withholding);
    }
    AdditionalMedicare {
        threshold,
        on_wages,
        on_self_employment,
        total,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, ds, year};
    use super::*;

    fn amt(status: FilingStatus, wages: &str, se: &str) -> [Decimal; 3] {
        let a = additional_medicare_tax(year(2026), status, d(wages), d(se));
        [a.on_wages, a.on_self_employment, a.total]
    }

    #[test]
    fn wages_and_self_employment_income_share_one_threshold() {
        // Single, threshold 200,000: wages 210,000 → 0.009 × 10,000 = 90.00; none of the threshold is left, so
        // all of 46,175 of SE income is over: 0.009 × 46,175 = 415.575 → 415.58; total 505.58.
        assert_eq!(
            amt(FilingStatus::Single, "210000", "46175"),
            ds(["90", "415.58", "505.58"])
        );
        // Wages 180,000 leave 20,000: SE income 46,175 − 20,000 = 26,175 → 0.009 × 26,175 = 235.575 → 235.58.
        assert_eq!(
            amt(FilingStatus::Single, "180000", "46175"),
            ds(["0", "235.58", "235.58"])
        );
        // Under the threshold together: nothing.
        assert_eq!(
            amt(FilingStatus::Single, "100000", "99999.99"),
            ds(["0", "0", "0"])
        );
    }

    #[test]
    fn each_filing_status_has_its_threshold() {
        // Self-employment income only, 300,000: over = 300,000 − threshold, × 0.009.
        let cases = [
            (FilingStatus::Single, "900.00"),                    // 100,000 over
            (FilingStatus::MarriedJoint, "450.00"),              // 50,000 over
            (FilingStatus::MarriedSeparate, "1575.00"),          // 175,000 over
            (FilingStatus::HeadOfHousehold, "900.00"),           // 100,000 over
            (FilingStatus::QualifyingSurvivingSpouse, "900.00"), // 100,000 over
        ];
        for (status, expected) in cases {
            assert_eq!(amt(status, "0", "300000")[2], d(expected), "{status:?}");
        }
    }

    #[test]
    fn a_self_employment_loss_does_not_reduce_the_tax_on_wages() {
        // MFS threshold 125,000: wages 130,000 → 0.009 × 5,000 = 45.00, whatever the loss.
        let a = additional_medicare_tax(
            year(2025),
            FilingStatus::MarriedSeparate,
            d("130000"),
            d("-20000"),
        );
        assert_eq!(
            (a.on_wages, a.on_self_employment, a.total),
            (d("45"), d("0"), d("45"))
        );
        assert!(a.work.notes[0].contains("loss counts as zero"));
    }
}
