//! Shared by the calculators' tests: the embedded parameters, loaded once, and exact decimals from text.

use crate::server::tax::params::{Parameters, YearParameters};
use rust_decimal::Decimal;
use std::sync::OnceLock;

pub fn params() -> &'static Parameters {
    static PARAMS: OnceLock<Parameters> = OnceLock::new();
    PARAMS.get_or_init(|| Parameters::load().expect("the embedded parameter files load"))
}

pub fn year(tax_year: i32) -> &'static YearParameters {
    params().year(tax_year).expect("a supported tax year")
}

pub fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("a decimal")
}

pub fn ds<const N: usize>(texts: [&str; N]) -> [Decimal; N] {
    texts.map(d)
}
