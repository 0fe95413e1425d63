//! The Rust side of the differential check (scripts/tax-oracle/compare.py): an ignored test that reads profiles
//! from the JSON file named by TALLY_ORACLE_CASES, runs the set-aside estimate on each, and writes Tally's figures
//! to TALLY_ORACLE_OUT. Also the IRS Tax Table method, which tenforty follows and Tally deliberately does not.

use super::income_tax::income_tax;
use super::set_aside::set_aside;
use super::test_support::params;
use crate::model::tax::FilingStatus;
use crate::server::tax::params::YearParameters;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{json, Value};

/// The tax the IRS Tax Table shows (taxable income under $100,000): the rate schedule applied to the middle of
/// the table's row, rounded to whole dollars. Rows are $5 wide below $5, then $10 to $25, $25 to $3,000 and $50
/// to $100,000. From $100,000 on, Form 1040 uses the Tax Computation Worksheet, which is the exact schedule.
pub fn tax_table_income_tax(
    p: &YearParameters,
    status: FilingStatus,
    taxable_income: Decimal,
) -> Decimal {
    let income = taxable_income.max(Decimal::ZERO);
    if income >= Decimal::from(100_000) {
        return income_tax(p, status, income).tax;
    }
    let (start, width) = match income {
        i if i < Decimal::from(5) => (Decimal::ZERO, Decimal::from(5)),
        i if i < Decimal::from(25) => (Decimal::from(5), Decimal::from(10)),
        i if i < Decimal::from(3_000) => (Decimal::from(25), Decimal::from(25)),
        _ => (Decimal::from(3_000), Decimal::from(50)),
    };
    let row = ((income - start) / width).floor() * width + start;
    let middle = row + width / Decimal::TWO;
    // The exact tax at the middle, before any rounding to cents, rounded half up to dollars.
    let exact: Decimal = income_tax(p, status, middle).tax;
    exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Deserialize)]
struct Case {
    id: u64,
    tax_year: i32,
    filing_status: FilingStatus,
    net_profit: Decimal,
    #[serde(default)]
    w2_wages: Decimal,
    /// Taxable incomes an oracle arrived at: Tally's brackets are checked on them too, apart from the road there.
    #[serde(default)]
    taxable_incomes: Vec<Decimal>,
}

fn figures(case: &Case) -> Value {
    let p = params().year(case.tax_year).expect("a supported tax year");
    let s = set_aside(p, case.filing_status, case.net_profit, case.w2_wages);
    let on: Vec<Value> = case
        .taxable_incomes
        .iter()
        .map(|ti| {
            json!({
                "taxable_income": ti.to_string(),
                "exact": income_tax(p, case.filing_status, *ti).tax.to_string(),
                "table": tax_table_income_tax(p, case.filing_status, *ti).to_string(),
            })
        })
        .collect();
    json!({
        "id": case.id,
        "net_earnings": s.se.net_earnings.to_string(),
        "se_tax": s.se.total.to_string(),
        "se_deduction": s.se.deduction.to_string(),
        "additional_medicare_tax": s.additional_medicare.total.to_string(),
        "agi": s.agi.to_string(),
        "taxable_income_before_qbi": s.taxable_income_before_qbi.to_string(),
        "qbi_deduction": s.qbi.deduction.to_string(),
        "qbi_modelled": s.qbi.modelled,
        "taxable_income": s.taxable_income.to_string(),
        "income_tax": s.income_tax.tax.to_string(),
        "income_tax_table": tax_table_income_tax(p, case.filing_status, s.taxable_income).to_string(),
        "total": s.total.to_string(),
        "income_tax_on": on,
    })
}

#[test]
#[ignore = "the differential check: scripts/tax-oracle/compare.py runs it with TALLY_ORACLE_CASES and TALLY_ORACLE_OUT"]
fn oracle_cases() {
    let (Ok(cases), Ok(out)) = (
        std::env::var("TALLY_ORACLE_CASES"),
        std::env::var("TALLY_ORACLE_OUT"),
    ) else {
        eprintln!("TALLY_ORACLE_CASES and TALLY_ORACLE_OUT are not set: nothing to do");
        return;
    };
    let text = std::fs::read_to_string(&cases).expect("the cases file");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("cases as JSON");
    let results: Vec<Value> = cases.iter().map(figures).collect();
    std::fs::write(&out, serde_json::to_string(&results).expect("JSON")).expect("the output file");
    eprintln!("wrote {} results to {out}", results.len());
}

#[test]
fn the_tax_table_taxes_the_middle_of_its_row() {
    use super::test_support::{d, year};
    // Single 2025, taxable income 51,424.09 is in the 51,400-51,450 row: 22 % bracket at 51,425 →
    // 1,192.50 + 4,386 + 0.22 × 2,950 = 649 → 6,227.50 → $6,228 (the exact schedule gives 6,227.30).
    assert_eq!(
        tax_table_income_tax(year(2025), FilingStatus::Single, d("51424.09")),
        d("6228")
    );
    // 2,990 is in the 2,975-3,000 row: 10 % × 2,987.50 = 298.75 → $299. 12 → row 5-15 → 10 % × 10 = $1.
    assert_eq!(
        tax_table_income_tax(year(2025), FilingStatus::Single, d("2990")),
        d("299")
    );
    assert_eq!(
        tax_table_income_tax(year(2025), FilingStatus::Single, d("12")),
        d("1")
    );
    // From 100,000 on it is the exact schedule, to the cent.
    let exact = income_tax(year(2025), FilingStatus::Single, d("150000.55")).tax;
    assert_eq!(
        tax_table_income_tax(year(2025), FilingStatus::Single, d("150000.55")),
        exact
    );
}
