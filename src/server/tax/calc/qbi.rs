//! The qualified business income deduction (IRC 199A) as Form 8995 figures it at or below the threshold: 20 % of
//! QBI, limited to 20 % of taxable income before the deduction, and from 2026 at least $400 for QBI of $1,000 or
//! more (IRC 199A(i)). Above the threshold the wage, property and specified-service limits and their phase-in
//! (Form 8995-A) are not modelled: the deduction is left out and a note says so.

use super::work::{cents, money, money_plain, percent, Work};
use crate::i18n::{fill, Lang};
use crate::model::tax::FilingStatus;
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct Qbi {
    pub threshold: Decimal,
    pub deduction: Decimal,
    /// False above the threshold, where the deduction needs what this estimate does not ask for.
    pub modelled: bool,
    pub work: Work,
}

pub fn qbi_deduction(
    p: &YearParameters,
    status: FilingStatus,
    qualified_business_income: Decimal,
    taxable_income_before_qbi: Decimal,
) -> Qbi {
    qbi_deduction_in(
        p,
        status,
        qualified_business_income,
        taxable_income_before_qbi,
        Lang::En,
    )
}

/// The same, its steps, notes and source labels in `lang`.
pub fn qbi_deduction_in(
    p: &YearParameters,
    status: FilingStatus,
    qualified_business_income: Decimal,
    taxable_income_before_qbi: Decimal,
    lang: Lang,
) -> Qbi {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let threshold = p.qbi_threshold.get(status);
    work.cite(
        threshold,
        fill(
            t.qbi_source_threshold,
            &[
                ("year", &p.tax_year.to_string()),
                ("status", status.label_in(lang)),
                ("threshold", &money_plain(threshold.value)),
            ],
        ),
    );
    let before = taxable_income_before_qbi.max(Decimal::ZERO);
    if before > threshold.value {
        work.step(fill(
            t.qbi_step_over_threshold,
            &[
                ("income", &money(before)),
                ("threshold", &money(threshold.value)),
            ],
        ));
        work.note(t.qbi_note_not_modelled);
        return Qbi {
            threshold: threshold.value,
            deduction: Decimal::ZERO,
            modelled: false,
            work,
        };
    }
    let rate = &p.qbi_rate;
    work.cite(
        rate,
        fill(t.qbi_source_rate, &[("rate", &percent(rate.value))]),
    );
    if qualified_business_income <= Decimal::ZERO {
        work.step(fill(
            t.qbi_step_no_qbi,
            &[
                ("qbi", &money(qualified_business_income)),
                ("zero", &money(Decimal::ZERO)),
            ],
        ));
        work.note(t.qbi_note_no_qbi);
        return Qbi {
            threshold: threshold.value,
            deduction: Decimal::ZERO,
            modelled: true,
            work,
        };
    }
    let from_income = cents(qualified_business_income * rate.value);
    work.step(fill(
        t.qbi_step_from_income,
        &[
            ("rate", &percent(rate.value)),
            ("qbi", &money(qualified_business_income)),
            ("deduction", &money(from_income)),
        ],
    ));
    let limit = cents(before * rate.value);
    work.step(fill(
        t.qbi_step_limit,
        &[
            ("rate", &percent(rate.value)),
            ("income", &money(before)),
            ("limit", &money(limit)),
        ],
    ));
    let mut deduction = from_income.min(limit);
    work.step(fill(
        t.qbi_step_smaller,
        &[
            ("a", &money(from_income)),
            ("b", &money(limit)),
            ("smaller", &money(deduction)),
        ],
    ));
    if let Some(minimum) = &p.qbi_minimum {
        let (floor, needed) = (&minimum.deduction, &minimum.qualified_income);
        work.cite(
            floor,
            fill(
                t.qbi_source_minimum,
                &[
                    ("year", &p.tax_year.to_string()),
                    ("minimum", &money_plain(floor.value)),
                ],
            ),
        );
        work.cite(
            needed,
            fill(
                t.qbi_source_needed,
                &[("needed", &money_plain(needed.value))],
            ),
        );
        if qualified_business_income >= needed.value {
            let larger = deduction.max(floor.value);
            work.step(fill(
                t.qbi_step_minimum,
                &[
                    ("qbi", &money(qualified_business_income)),
                    ("needed", &money(needed.value)),
                    ("deduction", &money(deduction)),
                    ("minimum", &money(floor.value)),
                    ("larger", &money(larger)),
                ],
            ));
            if larger > deduction {
                work.note(t.qbi_note_minimum);
            }
            deduction = larger;
        }
    }
    work.note(t.qbi_note_definition);
    Qbi {
        threshold: threshold.value,
        deduction,
        modelled: true,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, year};
    use super::*;

    fn qbi(y: i32, status: FilingStatus, qbi: &str, before: &str) -> Qbi {
        qbi_deduction(year(y), status, d(qbi), d(before))
    }

    #[test]
    fn twenty_percent_of_qbi_or_of_taxable_income_whichever_is_smaller() {
        // 20 % × 46,467.61 = 9,293.522 → 9,293.52 < 20 % × 60,717.61 = 12,143.522 → 9,293.52.
        assert_eq!(
            qbi(2025, FilingStatus::Single, "46467.61", "60717.61").deduction,
            d("9293.52")
        );
        // Taxable income limits it: 20 % × 10,000 = 2,000 < 20 % × 46,467.61.
        assert_eq!(
            qbi(2025, FilingStatus::Single, "46467.61", "10000").deduction,
            d("2000")
        );
        // No QBI, no deduction.
        assert_eq!(
            qbi(2025, FilingStatus::Single, "-500", "10000").deduction,
            d("0")
        );
    }

    #[test]
    fn above_the_threshold_it_is_left_out_and_said_so() {
        // 2026 MFS threshold 201,775: at it the simple rule applies; a cent over it does not.
        let at = qbi(2026, FilingStatus::MarriedSeparate, "150000", "201775");
        assert!(at.modelled);
        assert_eq!(at.deduction, d("30000")); // 20 % × 150,000 < 20 % × 201,775 = 40,355
        let over = qbi(2026, FilingStatus::MarriedSeparate, "150000", "201775.01");
        assert!(!over.modelled);
        assert_eq!(over.deduction, d("0"));
        assert!(over.work.notes[0].contains("phase-in"));
        // Joint 2025 threshold 394,600.
        assert!(qbi(2025, FilingStatus::MarriedJoint, "300000", "394600").modelled);
        assert!(!qbi(2025, FilingStatus::MarriedJoint, "300000", "394600.01").modelled);
    }

    #[test]
    fn the_2026_minimum_of_400_for_qbi_of_1000_or_more() {
        // 20 % × 1,500 = 300, limit 20 % × 20,000 = 4,000 → 300, raised to the minimum 400.
        let raised = qbi(2026, FilingStatus::Single, "1500", "20000");
        assert_eq!(raised.deduction, d("400"));
        assert!(raised.work.notes.iter().any(|n| n.contains("$400 minimum")));
        // QBI exactly 1,000: 200 → 400. Just under: 999.99 → 20 % = 200.00 (199.998), no minimum.
        assert_eq!(
            qbi(2026, FilingStatus::Single, "1000", "20000").deduction,
            d("400")
        );
        assert_eq!(
            qbi(2026, FilingStatus::Single, "999.99", "20000").deduction,
            d("200")
        );
        // The minimum is "the greater of" the deduction and 400, so the taxable-income limit does not cut it:
        // 20 % × 1,000 of taxable income = 200 → still 400.
        assert_eq!(
            qbi(2026, FilingStatus::Single, "5000", "1000").deduction,
            d("400")
        );
        // Not in 2025.
        assert_eq!(
            qbi(2025, FilingStatus::Single, "1500", "20000").deduction,
            d("300")
        );
    }
}
