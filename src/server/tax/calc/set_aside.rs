//! "How much should I set aside?": a federal estimate for a simple return (one business, W-2 wages, the standard
//! deduction, no credits): SE tax, the half-SE deduction, AGI, the QBI deduction, income tax by the brackets and
//! the Additional Medicare Tax, and a quarter of the total.

use super::additional_medicare::{additional_medicare_tax_in, AdditionalMedicare};
use super::income_tax::{income_tax_in, IncomeTax};
use super::qbi::{qbi_deduction_in, Qbi};
use super::se_tax::{self_employment_tax_in, SeTax};
use super::work::{cents, money, money_plain, Work};
use crate::i18n::{fill, Lang};
use crate::model::tax::FilingStatus;
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct SetAside {
    pub se: SeTax,
    pub agi: Decimal,
    pub standard_deduction: Decimal,
    pub taxable_income_before_qbi: Decimal,
    pub qualified_business_income: Decimal,
    pub qbi: Qbi,
    pub taxable_income: Decimal,
    pub income_tax: IncomeTax,
    pub additional_medicare: AdditionalMedicare,
    pub total: Decimal,
    /// Total over net profit plus wages; `None` when that income is not positive.
    pub effective_rate: Option<Decimal>,
    pub per_quarter: Decimal,
    pub work: Work,
}

/// W-2 wages count as Social Security wages for the SE tax and as Medicare wages for the Additional Medicare Tax.
pub fn set_aside(
    p: &YearParameters,
    status: FilingStatus,
    net_profit: Decimal,
    w2_wages: Decimal,
) -> SetAside {
    set_aside_in(p, status, net_profit, w2_wages, Lang::En)
}

/// The same, its steps, notes and source labels in `lang`.
pub fn set_aside_in(
    p: &YearParameters,
    status: FilingStatus,
    net_profit: Decimal,
    w2_wages: Decimal,
    lang: Lang,
) -> SetAside {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let se = self_employment_tax_in(p, net_profit, w2_wages, lang);
    work.absorb(&se.work);

    let agi = net_profit + w2_wages - se.deduction;
    work.step(fill(
        t.set_aside_step_agi,
        &[
            ("profit", &money(net_profit)),
            ("wages", &money(w2_wages)),
            ("half", &money(se.deduction)),
            ("agi", &money(agi)),
        ],
    ));
    let standard = p.standard_deduction.get(status);
    work.cite(
        standard,
        fill(
            t.set_aside_source_standard,
            &[
                ("year", &p.tax_year.to_string()),
                ("status", status.label_in(lang)),
                ("amount", &money_plain(standard.value)),
            ],
        ),
    );
    let taxable_income_before_qbi = (agi - standard.value).max(Decimal::ZERO);
    work.step(fill(
        t.set_aside_step_before_qbi,
        &[
            ("agi", &money(agi)),
            ("standard", &money(standard.value)),
            ("taxable", &money(taxable_income_before_qbi)),
        ],
    ));
    let qualified_business_income = net_profit - se.deduction;
    work.step(fill(
        t.set_aside_step_qbi_income,
        &[
            ("profit", &money(net_profit)),
            ("half", &money(se.deduction)),
            ("qbi", &money(qualified_business_income)),
        ],
    ));
    let qbi = qbi_deduction_in(
        p,
        status,
        qualified_business_income,
        taxable_income_before_qbi,
        lang,
    );
    work.absorb(&qbi.work);
    let taxable_income = (taxable_income_before_qbi - qbi.deduction).max(Decimal::ZERO);
    work.step(fill(
        t.set_aside_step_taxable,
        &[
            ("before", &money(taxable_income_before_qbi)),
            ("qbi", &money(qbi.deduction)),
            ("taxable", &money(taxable_income)),
        ],
    ));
    let tax = income_tax_in(p, status, taxable_income, lang);
    work.absorb(&tax.work);
    let additional_medicare =
        additional_medicare_tax_in(p, status, w2_wages, se.self_employment_income(), lang);
    work.absorb(&additional_medicare.work);

    let total = tax.tax + se.total + additional_medicare.total;
    work.step(fill(
        t.set_aside_step_total,
        &[
            ("income_tax", &money(tax.tax)),
            ("se_tax", &money(se.total)),
            ("medicare", &money(additional_medicare.total)),
            ("total", &money(total)),
        ],
    ));
    let income = net_profit + w2_wages;
    let effective_rate = (income > Decimal::ZERO).then(|| total / income);
    if let Some(rate) = effective_rate {
        work.step(fill(
            t.set_aside_step_rate,
            &[
                ("total", &money(total)),
                ("income", &money(income)),
                ("rate", &rate_text(rate)),
            ],
        ));
    }
    let per_quarter = cents(total / Decimal::from(4));
    work.step(fill(
        t.set_aside_step_quarter,
        &[("total", &money(total)), ("quarter", &money(per_quarter))],
    ));

    work.note(t.set_aside_note_simple);
    if w2_wages > Decimal::ZERO {
        work.note(t.set_aside_note_withheld);
    }
    if status == FilingStatus::MarriedJoint && w2_wages > Decimal::ZERO {
        work.note(t.set_aside_note_joint);
    }
    SetAside {
        se,
        agi,
        standard_deduction: standard.value,
        taxable_income_before_qbi,
        qualified_business_income,
        qbi,
        taxable_income,
        income_tax: tax,
        additional_medicare,
        total,
        effective_rate,
        per_quarter,
        work,
    }
}

/// "14.2 %": a rate for reading, to a tenth of a percent.
pub fn rate_text(rate: Decimal) -> String {
    let tenths = (rate * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{tenths:.1} %")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, year};
    use super::*;

    #[test]
    fn single_2025_with_wages_matches_the_hand_computation() {
        // SE: 46,175.00 → 5,725.70 + 1,339.08 = 7,064.78 (wages 30,000 leave 146,100 of the base); half 3,532.39.
        // AGI 50,000 + 30,000 − 3,532.39 = 76,467.61; − 15,750 = 60,717.61 before QBI.
        // QBI 50,000 − 3,532.39 = 46,467.61 → 20 % = 9,293.52 (< 12,143.52); taxable 51,424.09.
        // Income tax 6,227.30 (see income_tax.rs); no Additional Medicare Tax.
        // Total 6,227.30 + 7,064.78 = 13,292.08; / 80,000 = 16.6 %; / 4 = 3,323.02.
        let s = set_aside(year(2025), FilingStatus::Single, d("50000"), d("30000"));
        assert_eq!(s.se.total, d("7064.78"));
        assert_eq!(s.agi, d("76467.61"));
        assert_eq!(s.qbi.deduction, d("9293.52"));
        assert_eq!(s.taxable_income, d("51424.09"));
        assert_eq!(s.income_tax.tax, d("6227.30"));
        assert_eq!(s.total, d("13292.08"));
        assert_eq!(rate_text(s.effective_rate.unwrap()), "16.6 %");
        assert_eq!(s.per_quarter, d("3323.02"));
        assert!(s.work.notes.iter().any(|n| n.contains("withheld")));
    }

    #[test]
    fn high_income_joint_2026_adds_additional_medicare_and_leaves_out_qbi() {
        // Profit 400,000 → net earnings 369,400; base 184,500 − wages 100,000 = 84,500 → SS 10,478.00;
        // Medicare 0.029 × 369,400 = 10,712.60; SE tax 21,190.60; half 10,595.30.
        // AGI 400,000 + 100,000 − 10,595.30 = 489,404.70; − 32,200 = 457,204.70 > 403,500 → no QBI.
        // Income tax joint 2026 on 457,204.70: 2,480 + 9,120 + 24,332 + 46,116 (24 % × 192,150)
        //   + 32 % × 53,654.70 = 17,169.504 → 17,169.50 → 99,217.50.
        // Additional Medicare: wages 100,000 < 250,000 leave 150,000; 369,400 − 150,000 = 219,400 × 0.009 = 1,974.60.
        // Total 99,217.50 + 21,190.60 + 1,974.60 = 122,382.70; / 4 = 30,595.675 → 30,595.68.
        let s = set_aside(
            year(2026),
            FilingStatus::MarriedJoint,
            d("400000"),
            d("100000"),
        );
        assert_eq!(s.se.total, d("21190.60"));
        assert!(!s.qbi.modelled);
        assert_eq!(s.taxable_income, d("457204.70"));
        assert_eq!(s.income_tax.tax, d("99217.50"));
        assert_eq!(s.additional_medicare.total, d("1974.60"));
        assert_eq!(s.total, d("122382.70"));
        assert_eq!(s.per_quarter, d("30595.68"));
    }

    #[test]
    fn a_loss_still_leaves_income_tax_on_the_wages() {
        // SE tax 0; AGI 60,000 − 10,000 = 50,000; − the 2026 head-of-household standard deduction 24,150 = 25,850.
        // HoH: 1,770 + 12 % × 8,150 = 978 → 2,748.00.
        let s = set_aside(
            year(2026),
            FilingStatus::HeadOfHousehold,
            d("-10000"),
            d("60000"),
        );
        assert_eq!((s.se.total, s.qbi.deduction), (d("0"), d("0")));
        assert_eq!(s.taxable_income, d("25850"));
        assert_eq!(s.income_tax.tax, d("2748"));
        assert_eq!(s.total, d("2748"));
    }

    #[test]
    fn the_2026_minimum_qbi_deduction_reaches_the_total() {
        // Profit 2,000 → 1,847.00 net earnings; SS 229.03 (229.028); Medicare 53.56 (53.563); SE tax 282.59;
        // half 141.30 (141.295). QBI 2,000 − 141.30 = 1,858.70 → 20 % = 371.74 < 400 → 400.
        // AGI 2,000 + 20,000 − 141.30 = 21,858.70; − 16,100 = 5,758.70; − 400 = 5,358.70 → 10 % = 535.87.
        let s = set_aside(year(2026), FilingStatus::Single, d("2000"), d("20000"));
        assert_eq!(s.se.total, d("282.59"));
        assert_eq!(s.qbi.deduction, d("400"));
        assert_eq!(s.taxable_income, d("5358.70"));
        assert_eq!(s.income_tax.tax, d("535.87"));
        assert_eq!(s.total, d("818.46"));
    }
}
