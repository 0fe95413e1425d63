//! The simplified home-office deduction (Rev. Proc. 2013-13): $5 a square foot for up to 300 square feet, limited
//! to the business's gross income less its other expenses.

use super::work::{cents, money, money_plain, quantity, Work};
use crate::i18n::{fill, Lang};
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct HomeOffice {
    /// The square feet that count: at most the cap.
    pub square_feet: Decimal,
    /// Before the income limit.
    pub tentative: Decimal,
    /// The income limit, not below zero.
    pub limit: Decimal,
    pub deduction: Decimal,
    pub work: Work,
}

pub fn home_office(
    p: &YearParameters,
    square_feet: Decimal,
    gross_income_limit: Decimal,
) -> HomeOffice {
    home_office_in(p, square_feet, gross_income_limit, Lang::En)
}

/// The same, its steps, notes and source labels in `lang`.
pub fn home_office_in(
    p: &YearParameters,
    square_feet: Decimal,
    gross_income_limit: Decimal,
    lang: Lang,
) -> HomeOffice {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let cap = &p.home_office_simplified_max_square_feet;
    let rate = &p.home_office_simplified_rate;
    work.cite(
        cap,
        fill(t.home_source_cap, &[("cap", &quantity(cap.value))]),
    );
    work.cite(
        rate,
        fill(t.home_source_rate, &[("rate", &money_plain(rate.value))]),
    );
    let counted = square_feet.min(cap.value);
    if square_feet > cap.value {
        work.step(fill(
            t.home_step_cap,
            &[
                ("feet", &quantity(square_feet)),
                ("cap", &quantity(cap.value)),
                ("counted", &quantity(counted)),
            ],
        ));
        work.note(fill(t.home_note_cap, &[("cap", &quantity(cap.value))]));
    }
    let tentative = cents(counted * rate.value);
    work.step(fill(
        t.home_step_tentative,
        &[
            ("feet", &quantity(counted)),
            ("rate", &money_plain(rate.value)),
            ("tentative", &money(tentative)),
        ],
    ));
    let limit = gross_income_limit.max(Decimal::ZERO);
    if gross_income_limit < Decimal::ZERO {
        work.step(fill(
            t.home_step_negative_limit,
            &[
                ("limit", &money(gross_income_limit)),
                ("zero", &money(limit)),
            ],
        ));
    }
    let deduction = tentative.min(limit);
    work.step(fill(
        t.home_step_deduction,
        &[
            ("tentative", &money(tentative)),
            ("limit", &money(limit)),
            ("deduction", &money(deduction)),
        ],
    ));
    if deduction < tentative {
        work.note(t.home_note_limited);
    }
    HomeOffice {
        square_feet: counted,
        tentative,
        limit,
        deduction,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, year};
    use super::*;

    fn deduction(square_feet: &str, limit: &str) -> Decimal {
        home_office(year(2026), d(square_feet), d(limit)).deduction
    }

    #[test]
    fn five_dollars_a_square_foot_up_to_300() {
        // 200 × 5 = 1,000.00; 300 × 5 = 1,500.00; 350 counts as 300 → 1,500.00; 120.5 × 5 = 602.50.
        assert_eq!(deduction("200", "50000"), d("1000"));
        assert_eq!(deduction("300", "50000"), d("1500"));
        let capped = home_office(year(2026), d("350"), d("50000"));
        assert_eq!(
            (capped.square_feet, capped.deduction),
            (d("300"), d("1500"))
        );
        assert!(capped.work.notes[0].contains("Only 300 square feet"));
        assert_eq!(deduction("120.5", "50000"), d("602.50"));
    }

    #[test]
    fn the_gross_income_limit_caps_it_and_never_goes_below_zero() {
        // 250 × 5 = 1,250 > limit 800 → 800.00, with a note; at exactly 1,250 no note.
        let limited = home_office(year(2025), d("250"), d("800"));
        assert_eq!(limited.deduction, d("800"));
        assert!(limited.work.notes[0].contains("cannot be carried over"));
        assert!(home_office(year(2025), d("250"), d("1250"))
            .work
            .notes
            .is_empty());
        // A business with a loss before this deduction gets none.
        let loss = home_office(year(2025), d("250"), d("-300"));
        assert_eq!((loss.limit, loss.deduction), (d("0"), d("0")));
    }
}
