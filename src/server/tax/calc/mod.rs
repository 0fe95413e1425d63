//! The exact tax calculators: Schedule SE, Form 8959, the Form 1040-ES worksheet and due dates, the standard mileage
//! and simplified home-office deductions, and the "set aside" estimate. Exact decimal arithmetic; each figure shown
//! is rounded half up to cents, and later lines use the figure as shown, as the IRS worksheets do.
//!
//! [`run`] takes a [`CalculatorInput`] as typed (amounts as text) and returns the steps, lines, notes and sources;
//! the typed functions (`self_employment_tax`, ...) take decimals, for tests and other code. Each writes its steps,
//! notes and labels in English (what the model reads and the API returns); its `_in` twin (`run_in`,
//! `self_employment_tax_in`, ...) in the language given, for the page. [`tool_definitions`]
//! describes the calculators to a model as function-calling tools.

mod additional_medicare;
mod amount;
mod due_dates;
mod estimated;
mod home_office;
mod income_tax;
mod mileage;
mod qbi;
mod run;
mod se_tax;
mod set_aside;
mod tools;
mod work;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod oracle_sample;
#[cfg(test)]
mod test_support;

pub use additional_medicare::{
    additional_medicare_tax, additional_medicare_tax_in, AdditionalMedicare,
};
pub use due_dates::{
    due_dates, due_dates_in, next_business_day, next_business_day_in, DueDate, DueDates,
};
pub use estimated::{
    estimated_payments, estimated_payments_in, EstimatedPayments, Inputs as EstimatedInputs,
};
pub use home_office::{home_office, home_office_in, HomeOffice};
pub use income_tax::{income_tax, income_tax_in, IncomeTax};
pub use mileage::{mileage, mileage_in, Mileage};
pub use qbi::{qbi_deduction, qbi_deduction_in, Qbi};
pub use run::{run, run_in};
pub use se_tax::{self_employment_tax, self_employment_tax_in, SeTax};
pub use set_aside::{set_aside, set_aside_in, SetAside};
pub use tools::{input_from_tool_call, tool_definitions};
pub use work::{cents, Work};

use crate::model::tax::CalculatorInput;

/// The calculator's key: [`CalculatorInput`]'s serde tag and the tool's function name.
pub fn key(input: &CalculatorInput) -> &'static str {
    match input {
        CalculatorInput::SelfEmploymentTax { .. } => "self_employment_tax",
        CalculatorInput::AdditionalMedicareTax { .. } => "additional_medicare_tax",
        CalculatorInput::EstimatedPayments { .. } => "estimated_payments",
        CalculatorInput::DueDates { .. } => "due_dates",
        CalculatorInput::Mileage { .. } => "mileage",
        CalculatorInput::HomeOffice { .. } => "home_office",
        CalculatorInput::SetAside { .. } => "set_aside",
    }
}
