//! The tax tools in the chat header: the "Tax profile" dialog and the "Calculators" panel.

mod calculators;
mod dialog;
mod profile;

pub use calculators::CalculatorsButton;
pub use dialog::Dialog;
pub use profile::TaxProfileButton;

use crate::{
    i18n::TaxTexts,
    model::tax::{BusinessForm, FilingStatus},
};

/// A filing status as the forms list it, in the page's language.
fn filing_status_label(t: &'static TaxTexts, status: FilingStatus) -> &'static str {
    match status {
        FilingStatus::Single => t.status_single,
        FilingStatus::MarriedJoint => t.status_married_joint,
        FilingStatus::MarriedSeparate => t.status_married_separate,
        FilingStatus::HeadOfHousehold => t.status_head_of_household,
        FilingStatus::QualifyingSurvivingSpouse => t.status_qualifying_surviving_spouse,
    }
}

/// A business form as the profile lists it, in the page's language.
fn business_form_label(t: &'static TaxTexts, form: BusinessForm) -> &'static str {
    match form {
        BusinessForm::SoleProprietor => t.form_sole_proprietor,
        BusinessForm::SingleMemberLlc => t.form_single_member_llc,
        BusinessForm::Partnership => t.form_partnership,
        BusinessForm::SCorporation => t.form_s_corporation,
    }
}
