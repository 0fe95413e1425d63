//! "Tax profile": the tax year, filing status, business form, state and W-2 wages every answer assumes. Saved per
//! guest; each answer's stamp shows the profile it used.

use leptos::prelude::*;

use super::{
    business_form_label,
    dialog::{Dialog, HeaderButton, FIELD_CLASS, PRIMARY_BUTTON},
    filing_status_label,
};
use crate::{
    api::{get_tax_profile, save_tax_profile},
    i18n::texts,
    model::{
        tax::{BusinessForm, FieldError, FilingStatus, TaxProfile, TAX_YEARS},
        ApiError,
    },
};

#[component]
pub fn TaxProfileButton() -> impl IntoView {
    let open = RwSignal::new(false);
    let t = &texts().tax;
    view! {
        <HeaderButton label=t.profile controls="tax-profile" open />
        <Dialog title=t.profile id="tax-profile" open>
            <ProfileForm open />
        </Dialog>
    }
}

#[component]
fn ProfileForm(open: RwSignal<bool>) -> impl IntoView {
    let profile = Resource::new(move || open.get(), |_| get_tax_profile());
    let t = &texts().tax;
    view! {
        <Suspense fallback=move || view! { <p>{t.profile_loading}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <ProfileFields profile open /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileFields(profile: TaxProfile, open: RwSignal<bool>) -> impl IntoView {
    let tax_year = RwSignal::new(profile.tax_year.to_string());
    let filing_status = RwSignal::new(profile.filing_status.key().to_string());
    let business_form = RwSignal::new(profile.business_form.key().to_string());
    let state = RwSignal::new(profile.state.clone().unwrap_or_default());
    let has_w2_wages = RwSignal::new(profile.has_w2_wages);
    let error = RwSignal::new(None::<ApiError>);
    let invalid = RwSignal::new(None::<FieldError>);
    let t = &texts().tax;
    let save = Action::new(move |_: &()| {
        let year = tax_year.get_untracked().parse().unwrap_or(0);
        let (status, form, state_text, wages) = (
            filing_status.get_untracked(),
            business_form.get_untracked(),
            state.get_untracked(),
            has_w2_wages.get_untracked(),
        );
        async move {
            match save_tax_profile(year, status, form, state_text, wages).await {
                Ok(Ok(_)) => {
                    error.set(None);
                    invalid.set(None);
                    open.set(false);
                }
                Ok(Err(field)) => invalid.set(Some(field)),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let field_error = move |field: &'static str| {
        move || {
            invalid.get().filter(|e| e.field == field).map(|e| {
                view! { <p class="mt-1 text-sm text-red-700 dark:text-red-400" role="alert">{e.message}</p> }
            })
        }
    };
    let assumed = !profile.saved;
    view! {
        <form class="space-y-3" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
            {assumed.then(move || view! {
                <p class="text-sm text-slate-700 dark:text-slate-300">{t.profile_defaults}</p>
            })}
            <div>
                <label for="profile-tax-year" class="text-sm font-medium">{t.tax_year}</label>
                <select id="profile-tax-year" class=FIELD_CLASS prop:value=move || tax_year.get() on:change=move |ev| tax_year.set(event_target_value(&ev))>
                    {TAX_YEARS.iter().rev().map(|year| view! { <option value=year.to_string()>{year.to_string()}</option> }).collect_view()}
                </select>
                {field_error("tax_year")}
            </div>
            <div>
                <label for="profile-filing-status" class="text-sm font-medium">{t.filing_status}</label>
                <select id="profile-filing-status" class=FIELD_CLASS prop:value=move || filing_status.get() on:change=move |ev| filing_status.set(event_target_value(&ev))>
                    {FilingStatus::ALL.iter().map(move |s| view! { <option value=s.key()>{filing_status_label(t, *s)}</option> }).collect_view()}
                </select>
                {field_error("filing_status")}
            </div>
            <div>
                <label for="profile-business-form" class="text-sm font-medium">{t.business_form}</label>
                <select id="profile-business-form" class=FIELD_CLASS prop:value=move || business_form.get() on:change=move |ev| business_form.set(event_target_value(&ev))>
                    {BusinessForm::ALL.iter().map(move |f| view! { <option value=f.key()>{business_form_label(t, *f)}</option> }).collect_view()}
                </select>
                {field_error("business_form")}
            </div>
            <div>
                <label for="profile-state" class="text-sm font-medium">{t.state_optional}</label>
                <input id="profile-state" type="text" maxlength="40" autocomplete="address-level1" class=FIELD_CLASS
                    prop:value=move || state.get() on:input=move |ev| state.set(event_target_value(&ev)) />
                <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{t.state_hint}</p>
                {field_error("state")}
            </div>
            <label class="flex items-center gap-2 text-sm">
                <input id="profile-w2" type="checkbox" prop:checked=move || has_w2_wages.get()
                    on:change=move |ev| has_w2_wages.set(event_target_checked(&ev)) />
                {t.has_w2_wages}
            </label>
            {move || error.get().map(|e| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-400">{e.message}</p> })}
            <div class="flex justify-end">
                <button type="submit" class=PRIMARY_BUTTON disabled=move || save.pending().get()>{t.save_profile}</button>
            </div>
        </form>
    }
}
