//! The tax tools in the chat header: the "Tax profile" dialog and the "Calculators" panel.

mod calculators;
mod dialog;
mod profile;

pub use calculators::CalculatorsButton;
pub use dialog::Dialog;
pub use profile::TaxProfileButton;
