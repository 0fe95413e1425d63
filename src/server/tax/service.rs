//! The tax profile and calculators as the browser uses them: read and save the caller's profile, run a calculator.

use super::{calc, profile, Tax};
use crate::{
    i18n::{fill, Lang},
    model::tax::{
        BusinessForm, CalculationResult, CalculatorInput, FieldError, FilingStatus, TaxProfile,
        TAX_YEARS,
    },
    server::{error::AppError, identity::caller::Caller, store::Store},
};

/// Longest state name accepted ("District of Columbia" is 20).
const STATE_MAX_CHARS: usize = 40;

/// The caller's saved profile, or the defaults for today.
pub async fn load_profile(store: &dyn Store, caller: &Caller) -> Result<TaxProfile, AppError> {
    let saved = store.tax_profile_of(caller.owner_ref()).await?;
    Ok(saved.unwrap_or_else(|| profile::default_profile(profile::today())))
}

/// The profile form as typed.
#[derive(Clone, Debug)]
pub struct ProfileForm {
    pub tax_year: i32,
    pub filing_status: String,
    pub business_form: String,
    pub state: String,
    pub has_w2_wages: bool,
}

/// Checks and saves the caller's profile; each invalid field is named, in `lang` (the page's language).
pub async fn save_profile(
    store: &dyn Store,
    caller: &Caller,
    form: ProfileForm,
    lang: Lang,
) -> Result<TaxProfile, AppError> {
    let profile = validate_in(form, lang)?;
    let owner = caller.owner(store).await?;
    store.set_tax_profile(owner, &profile).await?;
    Ok(profile)
}

#[cfg(test)]
fn validate(form: ProfileForm) -> Result<TaxProfile, AppError> {
    validate_in(form, Lang::En)
}

fn validate_in(form: ProfileForm, lang: Lang) -> Result<TaxProfile, AppError> {
    let t = &lang.texts().tax_profile_errors;
    let invalid = |field: &str, message: String| AppError::InvalidField {
        field: field.into(),
        message,
    };
    if !TAX_YEARS.contains(&form.tax_year) {
        return Err(invalid(
            "tax_year",
            fill(
                t.tax_year_range,
                &[
                    ("first", &TAX_YEARS[0].to_string()),
                    ("last", &TAX_YEARS[TAX_YEARS.len() - 1].to_string()),
                ],
            ),
        ));
    }
    let filing_status = FilingStatus::parse(&form.filing_status)
        .ok_or_else(|| invalid("filing_status", t.choose_filing_status.into()))?;
    let business_form = BusinessForm::parse(&form.business_form)
        .ok_or_else(|| invalid("business_form", t.choose_business_form.into()))?;
    let state = form.state.trim();
    if state.chars().count() > STATE_MAX_CHARS {
        return Err(invalid(
            "state",
            fill(t.state_too_long, &[("max", &STATE_MAX_CHARS.to_string())]),
        ));
    }
    if state
        .chars()
        .any(|c| !(c.is_alphabetic() || c == ' ' || c == '.' || c == '-' || c == '\''))
    {
        return Err(invalid("state", t.state_letters_only.into()));
    }
    Ok(TaxProfile {
        tax_year: form.tax_year,
        state: (!state.is_empty()).then(|| state.to_string()),
        filing_status,
        business_form,
        has_w2_wages: form.has_w2_wages,
        saved: true,
    })
}

/// Runs one calculator, its result and any error in `lang` (the page's language); a field that cannot be used comes
/// back named, for the message next to it.
pub fn calculate(
    tax: &Tax,
    input: &CalculatorInput,
    lang: Lang,
) -> Result<CalculationResult, FieldError> {
    calc::run_in(&tax.params, input, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProfileForm {
        ProfileForm {
            tax_year: 2026,
            filing_status: "married_joint".into(),
            business_form: "single_member_llc".into(),
            state: " Oregon ".into(),
            has_w2_wages: true,
        }
    }

    #[test]
    fn a_valid_form_is_saved_trimmed() {
        let profile = validate(form()).expect("valid");
        assert_eq!(profile.state.as_deref(), Some("Oregon"));
        assert_eq!(
            profile.stamp(),
            "Tax year 2026 · US federal · Single-member LLC"
        );
        assert!(profile.saved);
    }

    #[test]
    fn each_bad_field_is_named() {
        let field = |form: ProfileForm| match validate(form) {
            Err(AppError::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ProfileForm {
                tax_year: 2019,
                ..form()
            }),
            "tax_year"
        );
        assert_eq!(
            field(ProfileForm {
                filing_status: "x".into(),
                ..form()
            }),
            "filing_status"
        );
        assert_eq!(
            field(ProfileForm {
                business_form: "corp".into(),
                ..form()
            }),
            "business_form"
        );
        assert_eq!(
            field(ProfileForm {
                state: "<script>".into(),
                ..form()
            }),
            "state"
        );
    }
}
