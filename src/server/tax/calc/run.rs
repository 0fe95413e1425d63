//! From a [`CalculatorInput`] as typed to a [`CalculationResult`]: checks the tax year, reads each amount (naming
//! the field when one is wrong), runs the typed calculator and lays out its lines.

use super::amount::{Field, Kind};
use super::set_aside::rate_text;
use super::work::{date_in, money, quantity, Work};
use super::{key, EstimatedInputs};
use crate::i18n::{fill, Lang};
use crate::model::tax::{CalculationResult, CalculatorInput, FieldError, ResultLine};
use crate::server::tax::params::{Parameters, YearParameters};

fn field<'a>(name: &'static str, label: &'static str, text: &'a str, kind: Kind) -> Field<'a> {
    Field {
        name,
        label,
        text,
        kind,
    }
}

fn line(label: impl Into<String>, value: impl Into<String>) -> ResultLine {
    ResultLine {
        label: label.into(),
        value: value.into(),
    }
}

/// Runs the calculator `input` names on the parameters of its tax year, in English (what the model reads).
pub fn run(params: &Parameters, input: &CalculatorInput) -> Result<CalculationResult, FieldError> {
    run_in(params, input, Lang::En)
}

/// The same, its title, steps, lines, notes and errors in `lang` (for the page; the figures are the same).
pub fn run_in(
    params: &Parameters,
    input: &CalculatorInput,
    lang: Lang,
) -> Result<CalculationResult, FieldError> {
    let t = &lang.texts().tax_calc;
    let tax_year = input.tax_year();
    let p = params.year(tax_year).ok_or_else(|| {
        let years: Vec<String> = params.tax_years().map(|y| y.to_string()).collect();
        FieldError {
            field: "tax_year".into(),
            message: fill(
                t.unknown_tax_year,
                &[
                    ("years", &years.join(t.year_list_and)),
                    ("year", &tax_year.to_string()),
                ],
            ),
        }
    })?;
    let (title, lines, work) = calculate(params, p, input, lang)?;
    Ok(CalculationResult {
        calculator: key(input).to_string(),
        title: fill(
            t.title,
            &[("title", title), ("year", &tax_year.to_string())],
        ),
        tax_year,
        steps: work.steps,
        lines,
        notes: work.notes,
        sources: work.sources,
    })
}

type Laid = (&'static str, Vec<ResultLine>, Work);

fn calculate(
    params: &Parameters,
    p: &YearParameters,
    input: &CalculatorInput,
    lang: Lang,
) -> Result<Laid, FieldError> {
    let t = &lang.texts().tax_calc;
    Ok(match input {
        CalculatorInput::SelfEmploymentTax {
            net_profit,
            w2_social_security_wages,
            ..
        } => {
            let profit = field(
                "net_profit",
                t.label_net_profit,
                net_profit,
                Kind::SignedMoney,
            )
            .required_in(lang)?;
            let wages = field(
                "w2_social_security_wages",
                t.label_w2_social_security_wages,
                w2_social_security_wages,
                Kind::Money,
            )
            .or_zero_in(lang)?;
            let se = super::self_employment_tax_in(p, profit, wages, lang);
            let lines = vec![
                line(t.line_net_earnings, money(se.net_earnings)),
                line(t.line_social_security_part, money(se.social_security_tax)),
                line(t.line_medicare_part, money(se.medicare_tax)),
                line(t.line_self_employment_tax, money(se.total)),
                line(t.line_half_se_tax_deduction, money(se.deduction)),
            ];
            (t.title_self_employment_tax, lines, se.work)
        }
        CalculatorInput::AdditionalMedicareTax {
            filing_status,
            medicare_wages,
            self_employment_income,
            ..
        } => {
            let wages = field(
                "medicare_wages",
                t.label_medicare_wages,
                medicare_wages,
                Kind::Money,
            )
            .or_zero_in(lang)?;
            let se_text = self_employment_income;
            let se = field(
                "self_employment_income",
                t.label_self_employment_income,
                se_text,
                Kind::SignedMoney,
            )
            .required_in(lang)?;
            let amt = super::additional_medicare_tax_in(p, *filing_status, wages, se, lang);
            let lines = vec![
                line(t.line_on_wages, money(amt.on_wages)),
                line(t.line_on_self_employment, money(amt.on_self_employment)),
                line(t.line_additional_medicare_tax, money(amt.total)),
            ];
            (t.title_additional_medicare_tax, lines, amt.work)
        }
        CalculatorInput::EstimatedPayments {
            filing_status,
            expected_tax,
            prior_year_tax,
            prior_year_agi,
            withholding,
            ..
        } => {
            let inputs = EstimatedInputs {
                status: *filing_status,
                expected_tax: field(
                    "expected_tax",
                    t.label_expected_tax,
                    expected_tax,
                    Kind::Money,
                )
                .required_in(lang)?,
                prior_year_tax: field(
                    "prior_year_tax",
                    t.label_prior_year_tax,
                    prior_year_tax,
                    Kind::Money,
                )
                .required_in(lang)?,
                prior_year_agi: field(
                    "prior_year_agi",
                    t.label_prior_year_agi,
                    prior_year_agi,
                    Kind::SignedMoney,
                )
                .required_in(lang)?,
                withholding: field("withholding", t.label_withholding, withholding, Kind::Money)
                    .or_zero_in(lang)?,
            };
            let e = super::estimated_payments_in(p, &params.holidays, &inputs, lang)?;
            let mut lines = vec![
                line(
                    t.line_required_annual_payment,
                    money(e.required_annual_payment),
                ),
                line(
                    t.line_left_after_withholding,
                    money(e.to_pay.max(rust_decimal::Decimal::ZERO)),
                ),
            ];
            if e.installments.is_empty() {
                lines.push(line(t.line_estimated_payments, t.value_none_required));
            }
            for (due, amount) in &e.installments {
                lines.push(line(
                    fill(
                        t.line_payment,
                        &[
                            ("installment", &due.installment.to_string()),
                            ("date", &date_in(lang, due.date)),
                        ],
                    ),
                    money(*amount),
                ));
            }
            (t.title_estimated_payments, lines, e.work)
        }
        CalculatorInput::DueDates { tax_year } => {
            let due = super::due_dates_in(&params.holidays, *tax_year, lang)?;
            let lines = due
                .dates
                .iter()
                .map(|d| {
                    line(
                        fill(
                            t.line_payment_period,
                            &[
                                ("installment", &d.installment.to_string()),
                                ("period", d.period),
                            ],
                        ),
                        date_in(lang, d.date),
                    )
                })
                .collect();
            (t.title_due_dates, lines, due.work)
        }
        CalculatorInput::Mileage { business_miles, .. } => {
            let miles = field(
                "business_miles",
                t.label_business_miles,
                business_miles,
                Kind::Quantity,
            )
            .required_in(lang)?;
            let m = super::mileage_in(p, miles, lang);
            let lines = vec![
                line(t.line_business_miles, quantity(miles)),
                line(t.line_standard_mileage_deduction, money(m.deduction)),
            ];
            (t.title_mileage, lines, m.work)
        }
        CalculatorInput::HomeOffice {
            square_feet,
            gross_income_limit,
            ..
        } => {
            let area = field(
                "square_feet",
                t.label_square_feet,
                square_feet,
                Kind::Quantity,
            )
            .required_in(lang)?;
            let limit_text = gross_income_limit;
            let limit = field(
                "gross_income_limit",
                t.label_gross_income_limit,
                limit_text,
                Kind::SignedMoney,
            )
            .required_in(lang)?;
            let h = super::home_office_in(p, area, limit, lang);
            let lines = vec![
                line(t.line_square_feet_counted, quantity(h.square_feet)),
                line(t.line_home_office_deduction, money(h.deduction)),
            ];
            (t.title_home_office, lines, h.work)
        }
        CalculatorInput::SetAside {
            filing_status,
            net_profit,
            w2_wages,
            ..
        } => {
            let profit = field(
                "net_profit",
                t.label_net_profit,
                net_profit,
                Kind::SignedMoney,
            )
            .required_in(lang)?;
            let wages =
                field("w2_wages", t.label_w2_wages, w2_wages, Kind::Money).or_zero_in(lang)?;
            let s = super::set_aside_in(p, *filing_status, profit, wages, lang);
            let qbi = if s.qbi.modelled {
                money(s.qbi.deduction)
            } else {
                t.value_qbi_not_included.into()
            };
            let lines = vec![
                line(t.line_self_employment_tax, money(s.se.total)),
                line(t.line_half_se_tax_deduction, money(s.se.deduction)),
                line(t.line_adjusted_gross_income, money(s.agi)),
                line(t.line_standard_deduction, money(s.standard_deduction)),
                line(t.line_qbi_deduction, qbi),
                line(t.line_taxable_income, money(s.taxable_income)),
                line(t.line_income_tax, money(s.income_tax.tax)),
                line(
                    t.line_additional_medicare_tax,
                    money(s.additional_medicare.total),
                ),
                line(t.line_total_federal_tax, money(s.total)),
                line(
                    t.line_effective_rate,
                    s.effective_rate.map_or(t.value_no_income.into(), rate_text),
                ),
                line(t.line_set_aside_per_quarter, money(s.per_quarter)),
            ];
            (t.title_set_aside, lines, s.work)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::params;
    use super::*;
    use crate::model::tax::FilingStatus;

    fn value(result: &CalculationResult, label: &str) -> String {
        result
            .lines
            .iter()
            .find(|l| l.label == label)
            .map(|l| l.value.clone())
            .unwrap_or_default()
    }

    #[test]
    fn typed_text_runs_the_calculator_and_cites_its_parameters() {
        let input = CalculatorInput::SelfEmploymentTax {
            tax_year: 2026,
            net_profit: "$50,000.00".into(),
            w2_social_security_wages: String::new(),
        };
        let result = run(params(), &input).unwrap();
        assert_eq!(
            (result.calculator.as_str(), result.title.as_str()),
            ("self_employment_tax", "Self-employment tax, 2026")
        );
        assert_eq!(value(&result, "Self-employment tax"), "$7,064.78");
        assert!(result
            .sources
            .iter()
            .any(|s| s.url == "https://www.ssa.gov/news/en/cola/factsheets/2026.html"));
    }

    #[test]
    fn a_bad_field_or_year_is_named() {
        let input = CalculatorInput::SetAside {
            tax_year: 2026,
            filing_status: FilingStatus::Single,
            net_profit: "lots".into(),
            w2_wages: String::new(),
        };
        assert_eq!(run(params(), &input).unwrap_err().field, "net_profit");
        let input = CalculatorInput::Mileage {
            tax_year: 2024,
            business_miles: "100".into(),
        };
        let err = run(params(), &input).unwrap_err();
        assert_eq!(err.field, "tax_year");
        assert!(err.message.contains("2025 and 2026"), "{}", err.message);
        let input = CalculatorInput::HomeOffice {
            tax_year: 2025,
            square_feet: "-3".into(),
            gross_income_limit: "1".into(),
        };
        assert_eq!(run(params(), &input).unwrap_err().field, "square_feet");
    }

    #[test]
    fn every_calculator_lays_out_its_lines() {
        let inputs = [
            CalculatorInput::AdditionalMedicareTax {
                tax_year: 2025,
                filing_status: FilingStatus::Single,
                medicare_wages: "210000".into(),
                self_employment_income: "300".into(),
            },
            CalculatorInput::EstimatedPayments {
                tax_year: 2025,
                filing_status: FilingStatus::Single,
                expected_tax: "20000".into(),
                prior_year_tax: "15000".into(),
                prior_year_agi: "100000".into(),
                withholding: "2000".into(),
            },
            CalculatorInput::DueDates { tax_year: 2025 },
            CalculatorInput::Mileage {
                tax_year: 2026,
                business_miles: "10,000".into(),
            },
            CalculatorInput::HomeOffice {
                tax_year: 2026,
                square_feet: "350".into(),
                gross_income_limit: "".into(),
            },
        ];
        let results: Vec<_> = inputs.iter().map(|i| run(params(), i)).collect();
        // Under $400 of SE income counts as zero: 0.009 × 10,000 of wages = 90.00 only.
        let amt = results[0].as_ref().unwrap();
        assert_eq!(value(amt, "Additional Medicare Tax"), "$90.00");
        assert!(amt.notes.iter().any(|n| n.contains("under $400")));
        // 15,000 − 2,000 = 13,000 / 4; June 15, 2025 is a Sunday.
        assert_eq!(
            value(results[1].as_ref().unwrap(), "Payment 2 (June 16, 2025)"),
            "$3,250.00"
        );
        assert_eq!(
            value(
                results[2].as_ref().unwrap(),
                "Payment 2 (income April 1 – May 31)"
            ),
            "June 16, 2025"
        );
        assert_eq!(
            value(results[3].as_ref().unwrap(), "Standard mileage deduction"),
            "$7,250.00"
        );
        // The home office needs its income limit.
        assert_eq!(results[4].as_ref().unwrap_err().field, "gross_income_limit");
    }
}

#[cfg(test)]
mod in_the_pages_language {
    use super::super::test_support::params;
    use super::*;

    #[test]
    fn vietnamese_words_around_the_same_figures() {
        let input = CalculatorInput::SelfEmploymentTax {
            tax_year: 2026,
            net_profit: "$50,000.00".into(),
            w2_social_security_wages: String::new(),
        };
        let english = run(params(), &input).unwrap();
        let vietnamese = run_in(params(), &input, Lang::Vi).unwrap();
        assert_eq!(vietnamese.title, "Thuế tự doanh, 2026");
        let values =
            |r: &CalculationResult| r.lines.iter().map(|l| l.value.clone()).collect::<Vec<_>>();
        assert_eq!(values(&vietnamese), values(&english));
        assert_eq!(
            vietnamese.steps[0],
            "92.35 % của $50,000.00 = $46,175.00 (thu nhập ròng từ tự doanh, Schedule SE dòng 4a)"
        );
        assert_eq!(
            (vietnamese.steps.len(), vietnamese.sources.len()),
            (english.steps.len(), english.sources.len())
        );
        // Due dates: June 15, 2025 is a Sunday.
        let due = run_in(
            params(),
            &CalculatorInput::DueDates { tax_year: 2025 },
            Lang::Vi,
        )
        .unwrap();
        assert_eq!(
            due.steps[1],
            "15 tháng 6 năm 2025 là Chủ nhật → 16 tháng 6 năm 2025"
        );
        assert_eq!(
            due.lines[1].label,
            "Lần nộp 2 (thu nhập 1 tháng 4 – 31 tháng 5)"
        );
        // A field's error, and an unknown year.
        let bad = CalculatorInput::Mileage {
            tax_year: 2026,
            business_miles: String::new(),
        };
        let err = run_in(params(), &bad, Lang::Vi).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            (
                "business_miles",
                "Hãy nhập số dặm đi công việc dưới dạng số, ví dụ 1200."
            )
        );
        let old = CalculatorInput::DueDates { tax_year: 2024 };
        assert!(run_in(params(), &old, Lang::Vi)
            .unwrap_err()
            .message
            .contains("2025 và 2026"));
    }
}
