//! Self-employment tax, Schedule SE Part I, line by line: net earnings (line 4a), the $400 floor (4c), the Social
//! Security part up to what the wage base leaves after W-2 wages (lines 7-10), the Medicare part (11), the total
//! (12) and the deduction for half of it (13).

use super::work::{cents, money, money_plain, percent, Work};
use crate::i18n::{fill, Lang};
use crate::model::tax::ParameterSource;
use crate::server::tax::params::YearParameters;
use rust_decimal::Decimal;

/// Schedule SE's figures, each rounded to cents as the form shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SeTax {
    /// Line 4a: 92.35 % of a profit; zero for a loss.
    pub net_earnings: Decimal,
    /// Net earnings reached the $400 floor, so there is self-employment income at all (IRC 1402(b)(2)).
    pub subject: bool,
    /// Line 9: what the wage base leaves after W-2 Social Security wages.
    pub social_security_room: Decimal,
    /// Line 10's base: the smaller of net earnings and that room.
    pub social_security_base: Decimal,
    pub social_security_tax: Decimal,
    pub medicare_tax: Decimal,
    pub total: Decimal,
    /// Line 13, the adjustment to income on Schedule 1.
    pub deduction: Decimal,
    pub work: Work,
}

impl SeTax {
    /// Schedule SE line 6, which Form 8959 line 8 takes: zero when under the $400 floor.
    pub fn self_employment_income(&self) -> Decimal {
        if self.subject {
            self.net_earnings
        } else {
            Decimal::ZERO
        }
    }
}

pub fn self_employment_tax(p: &YearParameters, net_profit: Decimal, w2_ss_wages: Decimal) -> SeTax {
    self_employment_tax_in(p, net_profit, w2_ss_wages, Lang::En)
}

/// The same, its steps, notes and source labels in `lang`.
pub fn self_employment_tax_in(
    p: &YearParameters,
    net_profit: Decimal,
    w2_ss_wages: Decimal,
    lang: Lang,
) -> SeTax {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    let year = p.tax_year;
    let factor = &p.se_net_earnings_factor;
    work.cite(
        factor,
        fill(t.se_source_factor, &[("rate", &percent(factor.value))]),
    );
    let net_earnings = if net_profit > Decimal::ZERO {
        let earnings = cents(net_profit * factor.value);
        work.step(fill(
            t.se_step_net_earnings,
            &[
                ("rate", &percent(factor.value)),
                ("profit", &money(net_profit)),
                ("earnings", &money(earnings)),
            ],
        ));
        earnings
    } else {
        work.step(fill(
            t.se_step_no_profit,
            &[
                ("profit", &money(net_profit)),
                ("zero", &money(Decimal::ZERO)),
            ],
        ));
        work.note(t.se_note_no_profit);
        Decimal::ZERO
    };
    let floor = &p.se_minimum_net_earnings;
    let zero = |work: Work, subject: bool| SeTax {
        net_earnings,
        subject,
        social_security_room: Decimal::ZERO,
        social_security_base: Decimal::ZERO,
        social_security_tax: Decimal::ZERO,
        medicare_tax: Decimal::ZERO,
        total: Decimal::ZERO,
        deduction: Decimal::ZERO,
        work,
    };
    if net_earnings.is_zero() {
        return zero(work, false);
    }
    work.cite(
        floor,
        fill(t.se_source_floor, &[("floor", &money_plain(floor.value))]),
    );
    if net_earnings < floor.value {
        work.step(fill(
            t.se_step_under_floor,
            &[
                ("earnings", &money(net_earnings)),
                ("floor", &money(floor.value)),
            ],
        ));
        work.note(fill(
            t.se_note_under_floor,
            &[("floor", &money_plain(floor.value))],
        ));
        return zero(work, false);
    }

    let base = &p.social_security_wage_base;
    work.cite(
        base,
        fill(
            t.se_source_wage_base,
            &[
                ("year", &year.to_string()),
                ("base", &money_plain(base.value)),
            ],
        ),
    );
    let room = (base.value - w2_ss_wages).max(Decimal::ZERO);
    work.step(fill(
        t.se_step_room,
        &[
            ("base", &money(base.value)),
            ("wages", &money(w2_ss_wages)),
            ("room", &money(room)),
        ],
    ));
    if room.is_zero() {
        work.note(t.se_note_no_room);
    }
    let ss_base = net_earnings.min(room);
    work.step(fill(
        t.se_step_smaller,
        &[
            ("earnings", &money(net_earnings)),
            ("room", &money(room)),
            ("base", &money(ss_base)),
        ],
    ));
    let ss_rate = &p.se_social_security_rate;
    work.cite(
        ss_rate,
        fill(t.se_source_ss_rate, &[("rate", &percent(ss_rate.value))]),
    );
    let social_security_tax = cents(ss_base * ss_rate.value);
    work.step(fill(
        t.se_step_ss,
        &[
            ("rate", &percent(ss_rate.value)),
            ("base", &money(ss_base)),
            ("tax", &money(social_security_tax)),
        ],
    ));
    let mc_rate = &p.se_medicare_rate;
    work.cite(
        mc_rate,
        fill(
            t.se_source_medicare_rate,
            &[("rate", &percent(mc_rate.value))],
        ),
    );
    let medicare_tax = cents(net_earnings * mc_rate.value);
    work.step(fill(
        t.se_step_medicare,
        &[
            ("rate", &percent(mc_rate.value)),
            ("earnings", &money(net_earnings)),
            ("tax", &money(medicare_tax)),
        ],
    ));
    let total = social_security_tax + medicare_tax;
    work.step(fill(
        t.se_step_total,
        &[
            ("ss", &money(social_security_tax)),
            ("medicare", &money(medicare_tax)),
            ("total", &money(total)),
        ],
    ));
    let deduction = cents(total / Decimal::TWO);
    work.step(fill(
        t.se_step_deduction,
        &[("total", &money(total)), ("deduction", &money(deduction))],
    ));
    work.add_source(ParameterSource {
        label: t.se_source_deduction.into(),
        source: "26 U.S.C. 164(f); Schedule SE (Form 1040), line 13".into(),
        url: "https://www.law.cornell.edu/uscode/text/26/164".into(),
    });
    SeTax {
        net_earnings,
        subject: true,
        social_security_room: room,
        social_security_base: ss_base,
        social_security_tax,
        medicare_tax,
        total,
        deduction,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, ds, year};
    use super::*;

    /// (net earnings, Social Security part, Medicare part, total, deduction)
    fn figures(tax_year: i32, profit: &str, wages: &str) -> [Decimal; 5] {
        let se = self_employment_tax(year(tax_year), d(profit), d(wages));
        [
            se.net_earnings,
            se.social_security_tax,
            se.medicare_tax,
            se.total,
            se.deduction,
        ]
    }

    #[test]
    fn the_worked_example_shows_every_line() {
        // 0.9235 × 50,000 = 46,175.00; 0.124 × 46,175 = 5,725.70; 0.029 × 46,175 = 1,339.075 → 1,339.08;
        // 5,725.70 + 1,339.08 = 7,064.78; 7,064.78 / 2 = 3,532.39.
        let se = self_employment_tax(year(2026), d("50000"), d("0"));
        assert_eq!(se.total.to_string(), "7064.78");
        assert_eq!(se.deduction.to_string(), "3532.39");
        assert_eq!(se.work.steps[0], "92.35 % of $50,000.00 = $46,175.00 (net earnings from self-employment, Schedule SE line 4a)");
        assert!(se.work.steps.contains(
            &"12.4 % of $46,175.00 = $5,725.70 (Social Security part, line 10)".to_string()
        ));
        assert!(se
            .work
            .steps
            .contains(&"2.9 % of $46,175.00 = $1,339.08 (Medicare part, line 11)".to_string()));
        assert!(se
            .work
            .sources
            .iter()
            .any(|s| s.label == "Social Security wage base 2026: $184,500"));
    }

    #[test]
    fn half_cents_round_up_not_to_even() {
        // 0.9235 × 1,049 = 968.7515 → 968.75; 0.124 × 968.75 = 120.125 → 120.13 (half-even: 120.12);
        // 0.029 × 968.75 = 28.09375 → 28.09; total 148.22; half 74.11.
        assert_eq!(
            figures(2025, "1049", "0"),
            ds(["968.75", "120.13", "28.09", "148.22", "74.11"])
        );
        // 0.9235 × 2,366 = 2,185.001 → 2,185.00; 0.124 × 2,185 = 270.94; 0.029 × 2,185 = 63.365 → 63.37
        // (half-even: 63.36); total 334.31; half 167.155 → 167.16.
        assert_eq!(
            figures(2025, "2366", "0"),
            ds(["2185", "270.94", "63.37", "334.31", "167.16"])
        );
        // 0.9235 × 1,030 = 951.205 → 951.21 (half-even: 951.20); 0.124 × 951.21 = 117.95004 → 117.95;
        // 0.029 × 951.21 = 27.58509 → 27.59; total 145.54; half 72.77.
        assert_eq!(
            figures(2025, "1030", "0"),
            ds(["951.21", "117.95", "27.59", "145.54", "72.77"])
        );
    }

    #[test]
    fn the_wage_base_caps_only_the_social_security_part() {
        // 2025 base 176,100. 0.9235 × 190,687.60 = 176,099.9986 → 176,100.00, exactly at the base:
        // 0.124 × 176,100 = 21,836.40; 0.029 × 176,100 = 5,106.90; total 26,943.30; half 13,471.65.
        assert_eq!(
            figures(2025, "190687.60", "0"),
            ds(["176100", "21836.40", "5106.90", "26943.30", "13471.65"])
        );
        // Just under: 0.9235 × 190,687.59 = 176,099.989 → 176,099.99; 0.124 × that = 21,836.39876 → 21,836.40;
        // 0.029 × that = 5,106.89971 → 5,106.90.
        let under = self_employment_tax(year(2025), d("190687.59"), d("0"));
        assert_eq!(under.social_security_base.to_string(), "176099.99");
        assert_eq!(under.total.to_string(), "26943.30");
        // Above: 0.9235 × 200,000 = 184,700; Social Security on 176,100 only = 21,836.40;
        // Medicare on all of it: 0.029 × 184,700 = 5,356.30; total 27,192.70; half 13,596.35.
        assert_eq!(
            figures(2025, "200000", "0"),
            ds(["184700", "21836.40", "5356.30", "27192.70", "13596.35"])
        );
    }

    #[test]
    fn w2_wages_use_up_the_wage_base_first() {
        // 2026 base 184,500 − wages 150,000 = 34,500 of room < 46,175: 0.124 × 34,500 = 4,278.00;
        // Medicare 1,339.08; total 5,617.08; half 2,808.54.
        assert_eq!(
            figures(2026, "50000", "150000"),
            ds(["46175", "4278.00", "1339.08", "5617.08", "2808.54"])
        );
        // Wages exactly at the base and above it leave no room: Medicare part only, 1,339.08; half 669.54.
        for wages in ["184500", "250000"] {
            let se = self_employment_tax(year(2026), d("50000"), d(wages));
            assert_eq!(se.social_security_room, Decimal::ZERO);
            assert_eq!(
                (se.social_security_tax, se.total.to_string()),
                (Decimal::ZERO, "1339.08".to_string())
            );
            assert_eq!(se.deduction.to_string(), "669.54");
            assert!(se.work.notes[0].contains("already reached the wage base"));
        }
    }

    #[test]
    fn a_loss_or_under_400_of_net_earnings_owes_nothing() {
        let loss = self_employment_tax(year(2026), d("-1200"), d("0"));
        assert_eq!(
            (loss.total, loss.net_earnings, loss.subject),
            (Decimal::ZERO, Decimal::ZERO, false)
        );
        assert!(loss.work.notes[0].contains("no profit"));
        // 0.9235 × 433.12 = 399.98632 → 399.99 < 400: nothing, and a note says why.
        let under = self_employment_tax(year(2026), d("433.12"), d("0"));
        assert_eq!(
            (under.net_earnings.to_string(), under.total),
            ("399.99".to_string(), Decimal::ZERO)
        );
        assert_eq!(under.self_employment_income(), Decimal::ZERO);
        assert!(under.work.notes[0].contains("under $400"));
        // 0.9235 × 433.14 = 400.00479 → 400.00, not less than 400: 0.124 × 400 = 49.60; 0.029 × 400 = 11.60;
        // total 61.20; half 30.60.
        assert_eq!(
            figures(2026, "433.14", "0"),
            ds(["400.00", "49.60", "11.60", "61.20", "30.60"])
        );
    }
}
