//! From a [`CalculatorInput`] as typed to a [`CalculationResult`]: checks the tax year, reads each amount (naming
//! the field when one is wrong), runs the typed calculator and lays out its lines.

use super::amount::{Field, Kind};
use super::set_aside::rate_text;
use super::work::{date, money, quantity, Work};
use super::{key, EstimatedInputs};
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

/// Runs the calculator `input` names on the parameters of its tax year.
pub fn run(params: &Parameters, input: &CalculatorInput) -> Result<CalculationResult, FieldError> {
    let tax_year = input.tax_year();
    let p = params.year(tax_year).ok_or_else(|| {
        let years: Vec<String> = params.tax_years().map(|y| y.to_string()).collect();
        FieldError {
            field: "tax_year".into(),
            message: format!(
                "Tally has the figures for tax years {} only; {tax_year} is not one of them.",
                years.join(" and ")
            ),
        }
    })?;
    let (title, lines, work) = calculate(params, p, input)?;
    Ok(CalculationResult {
        calculator: key(input).to_string(),
        title: format!("{title}, {tax_year}"),
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
) -> Result<Laid, FieldError> {
    Ok(match input {
        CalculatorInput::SelfEmploymentTax {
            net_profit,
            w2_social_security_wages,
            ..
        } => {
            let profit =
                field("net_profit", "net profit", net_profit, Kind::SignedMoney).required()?;
            let wages = field(
                "w2_social_security_wages",
                "W-2 Social Security wages",
                w2_social_security_wages,
                Kind::Money,
            )
            .or_zero()?;
            let se = super::self_employment_tax(p, profit, wages);
            let lines = vec![
                line("Net earnings from self-employment", money(se.net_earnings)),
                line("Social Security part", money(se.social_security_tax)),
                line("Medicare part", money(se.medicare_tax)),
                line("Self-employment tax", money(se.total)),
                line("Deduction for half of SE tax", money(se.deduction)),
            ];
            ("Self-employment tax", lines, se.work)
        }
        CalculatorInput::AdditionalMedicareTax {
            filing_status,
            medicare_wages,
            self_employment_income,
            ..
        } => {
            let wages = field(
                "medicare_wages",
                "Medicare wages",
                medicare_wages,
                Kind::Money,
            )
            .or_zero()?;
            let se_text = self_employment_income;
            let se = field(
                "self_employment_income",
                "self-employment income",
                se_text,
                Kind::SignedMoney,
            )
            .required()?;
            let amt = super::additional_medicare_tax(p, *filing_status, wages, se);
            let lines = vec![
                line("On wages (Part I)", money(amt.on_wages)),
                line(
                    "On self-employment income (Part II)",
                    money(amt.on_self_employment),
                ),
                line("Additional Medicare Tax", money(amt.total)),
            ];
            ("Additional Medicare Tax", lines, amt.work)
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
                    "this year's expected tax",
                    expected_tax,
                    Kind::Money,
                )
                .required()?,
                prior_year_tax: field(
                    "prior_year_tax",
                    "last year's tax",
                    prior_year_tax,
                    Kind::Money,
                )
                .required()?,
                prior_year_agi: field(
                    "prior_year_agi",
                    "last year's AGI",
                    prior_year_agi,
                    Kind::SignedMoney,
                )
                .required()?,
                withholding: field("withholding", "withholding", withholding, Kind::Money)
                    .or_zero()?,
            };
            let e = super::estimated_payments(p, &params.holidays, &inputs)?;
            let mut lines = vec![
                line("Required annual payment", money(e.required_annual_payment)),
                line(
                    "Left after withholding",
                    money(e.to_pay.max(rust_decimal::Decimal::ZERO)),
                ),
            ];
            if e.installments.is_empty() {
                lines.push(line("Estimated payments", "None required"));
            }
            for (due, amount) in &e.installments {
                lines.push(line(
                    format!("Payment {} ({})", due.installment, date(due.date)),
                    money(*amount),
                ));
            }
            ("Estimated tax payments", lines, e.work)
        }
        CalculatorInput::DueDates { tax_year } => {
            let due = super::due_dates(&params.holidays, *tax_year)?;
            let lines = due
                .dates
                .iter()
                .map(|d| {
                    line(
                        format!("Payment {} (income {})", d.installment, d.period),
                        date(d.date),
                    )
                })
                .collect();
            ("Estimated tax due dates", lines, due.work)
        }
        CalculatorInput::Mileage { business_miles, .. } => {
            let miles = field(
                "business_miles",
                "business miles",
                business_miles,
                Kind::Quantity,
            )
            .required()?;
            let m = super::mileage(p, miles);
            let lines = vec![
                line("Business miles", quantity(miles)),
                line("Standard mileage deduction", money(m.deduction)),
            ];
            ("Standard mileage deduction", lines, m.work)
        }
        CalculatorInput::HomeOffice {
            square_feet,
            gross_income_limit,
            ..
        } => {
            let area =
                field("square_feet", "square feet", square_feet, Kind::Quantity).required()?;
            let limit_text = gross_income_limit;
            let limit = field(
                "gross_income_limit",
                "gross income limit",
                limit_text,
                Kind::SignedMoney,
            )
            .required()?;
            let h = super::home_office(p, area, limit);
            let lines = vec![
                line("Square feet counted", quantity(h.square_feet)),
                line("Simplified home-office deduction", money(h.deduction)),
            ];
            ("Simplified home-office deduction", lines, h.work)
        }
        CalculatorInput::SetAside {
            filing_status,
            net_profit,
            w2_wages,
            ..
        } => {
            let profit =
                field("net_profit", "net profit", net_profit, Kind::SignedMoney).required()?;
            let wages = field("w2_wages", "W-2 wages", w2_wages, Kind::Money).or_zero()?;
            let s = super::set_aside(p, *filing_status, profit, wages);
            let qbi = if s.qbi.modelled {
                money(s.qbi.deduction)
            } else {
                "Not included (above the threshold)".into()
            };
            let lines = vec![
                line("Self-employment tax", money(s.se.total)),
                line("Deduction for half of SE tax", money(s.se.deduction)),
                line("Adjusted gross income", money(s.agi)),
                line("Standard deduction", money(s.standard_deduction)),
                line("QBI deduction", qbi),
                line("Taxable income", money(s.taxable_income)),
                line("Income tax", money(s.income_tax.tax)),
                line(
                    "Additional Medicare Tax",
                    money(s.additional_medicare.total),
                ),
                line("Total federal tax", money(s.total)),
                line(
                    "Effective rate",
                    s.effective_rate.map_or("n/a (no income)".into(), rate_text),
                ),
                line("Set aside per quarter", money(s.per_quarter)),
            ];
            ("Federal tax to set aside", lines, s.work)
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
