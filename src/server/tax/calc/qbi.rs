//! The qualified business income deduction (IRC 199A) as Form 8995 figures it at or below the threshold: 20 % of
//! QBI, limited to 20 % of taxable income before the deduction, and from 2026 at least $400 for QBI of $1,000 or
//! more (IRC 199A(i)). Above the threshold the wage, property and specified-service limits and their phase-in
//! (Form 8995-A) are not modelled: the deduction is left out and a note says so.

use super::work::{cents, money, money_plain, percent, Work};
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
    let mut work = Work::default();
    let threshold = p.qbi_threshold.get(status);
    work.cite(
        threshold,
        format!(
            "QBI deduction threshold {}, {}: {}",
            p.tax_year,
            status.label(),
            money_plain(threshold.value)
        ),
    );
    let before = taxable_income_before_qbi.max(Decimal::ZERO);
    if before > threshold.value {
        work.step(format!(
            "Taxable income before the QBI deduction {} is more than the threshold {} → QBI deduction left out",
            money(before),
            money(threshold.value)
        ));
        work.note(
            "No QBI deduction in this estimate: above the threshold the deduction depends on W-2 wages the business \
             paid, its property and whether it is a specified service business (Form 8995-A), and this estimate \
             models neither those limits nor their phase-in. The real deduction may be larger, so the tax shown \
             may be too high.",
        );
        return Qbi {
            threshold: threshold.value,
            deduction: Decimal::ZERO,
            modelled: false,
            work,
        };
    }
    let rate = &p.qbi_rate;
    work.cite(rate, format!("QBI deduction rate: {}", percent(rate.value)));
    if qualified_business_income <= Decimal::ZERO {
        work.step(format!(
            "Qualified business income {} → QBI deduction {}",
            money(qualified_business_income),
            money(Decimal::ZERO)
        ));
        work.note("No QBI deduction: the business had no qualified business income. A QBI loss carries forward to reduce next year's QBI.");
        return Qbi {
            threshold: threshold.value,
            deduction: Decimal::ZERO,
            modelled: true,
            work,
        };
    }
    let from_income = cents(qualified_business_income * rate.value);
    work.step(format!(
        "{} of qualified business income {} = {} (Form 8995 line 5)",
        percent(rate.value),
        money(qualified_business_income),
        money(from_income)
    ));
    let limit = cents(before * rate.value);
    work.step(format!(
        "{} of taxable income before the QBI deduction {} = {} (line 14)",
        percent(rate.value),
        money(before),
        money(limit)
    ));
    let mut deduction = from_income.min(limit);
    work.step(format!(
        "Smaller of {} and {} = {} (line 15)",
        money(from_income),
        money(limit),
        money(deduction)
    ));
    if let Some(minimum) = &p.qbi_minimum {
        let (floor, needed) = (&minimum.deduction, &minimum.qualified_income);
        work.cite(
            floor,
            format!(
                "Minimum QBI deduction {}: {}",
                p.tax_year,
                money_plain(floor.value)
            ),
        );
        work.cite(
            needed,
            format!("QBI needed for the minimum: {}", money_plain(needed.value)),
        );
        if qualified_business_income >= needed.value {
            let larger = deduction.max(floor.value);
            work.step(format!(
                "QBI {} is at least {} → larger of {} and the minimum {} = {} (IRC 199A(i))",
                money(qualified_business_income),
                money(needed.value),
                money(deduction),
                money(floor.value),
                money(larger)
            ));
            if larger > deduction {
                work.note("The $400 minimum QBI deduction applies; it assumes you materially participate in the business.");
            }
            deduction = larger;
        }
    }
    work.note(
        "QBI here is net profit less the deductible half of SE tax; self-employed health insurance and retirement \
         contributions would reduce it too.",
    );
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
