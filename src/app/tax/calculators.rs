//! "Calculators": one form per calculator, labelled fields, and the result with every step and the source of each
//! of the year's figures. The server computes (exact decimals); the browser only collects what was typed.

use leptos::prelude::*;

use super::{
    dialog::{Dialog, HeaderButton, FIELD_CLASS, PRIMARY_BUTTON},
    filing_status_label,
};
use crate::{
    api::calculate,
    app::chat::CalculationBody,
    i18n::{fill, texts, TaxTexts},
    model::{
        tax::{CalculationResult, CalculatorInput, FieldError, FilingStatus, TAX_YEARS},
        ApiError,
    },
};

/// One of the page's texts, picked from the `tax` section: the table below names its texts rather than holding
/// them, since the language is the page's.
type Text = fn(&'static TaxTexts) -> &'static str;

/// A field of a calculator's form.
#[derive(Clone, Copy)]
struct Field {
    key: &'static str,
    label: Text,
    hint: Text,
    kind: FieldKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    Money,
    Number,
    FilingStatus,
}

struct Calculator {
    key: &'static str,
    name: Text,
    fields: &'static [Field],
}

const fn money(key: &'static str, label: Text, hint: Text) -> Field {
    Field {
        key,
        label,
        hint,
        kind: FieldKind::Money,
    }
}

const STATUS: Field = Field {
    key: "filing_status",
    label: |t| t.filing_status,
    hint: |_| "",
    kind: FieldKind::FilingStatus,
};

const CALCULATORS: &[Calculator] = &[
    Calculator {
        key: "self_employment_tax",
        name: |t| t.calc_self_employment_tax,
        fields: &[
            money(
                "net_profit",
                |t| t.field_net_profit,
                |t| t.hint_net_profit_schedule_c,
            ),
            money(
                "w2_social_security_wages",
                |t| t.field_w2_social_security_wages,
                |t| t.hint_w2_social_security_wages,
            ),
        ],
    },
    Calculator {
        key: "set_aside",
        name: |t| t.calc_set_aside,
        fields: &[
            STATUS,
            money(
                "net_profit",
                |t| t.field_net_profit,
                |t| t.hint_net_profit_year,
            ),
            money("w2_wages", |t| t.field_w2_wages, |t| t.optional),
        ],
    },
    Calculator {
        key: "estimated_payments",
        name: |t| t.calc_estimated_payments,
        fields: &[
            STATUS,
            money(
                "expected_tax",
                |t| t.field_expected_tax,
                |t| t.hint_expected_tax,
            ),
            money(
                "prior_year_tax",
                |t| t.field_prior_year_tax,
                |t| t.hint_prior_year_tax,
            ),
            money(
                "prior_year_agi",
                |t| t.field_prior_year_agi,
                |t| t.hint_prior_year_agi,
            ),
            money("withholding", |t| t.field_withholding, |t| t.optional),
        ],
    },
    Calculator {
        key: "due_dates",
        name: |t| t.calc_due_dates,
        fields: &[],
    },
    Calculator {
        key: "additional_medicare_tax",
        name: |t| t.calc_additional_medicare_tax,
        fields: &[
            STATUS,
            money(
                "self_employment_income",
                |t| t.field_self_employment_income,
                |t| t.hint_self_employment_income,
            ),
            money(
                "medicare_wages",
                |t| t.field_medicare_wages,
                |t| t.hint_medicare_wages,
            ),
        ],
    },
    Calculator {
        key: "mileage",
        name: |t| t.calc_mileage,
        fields: &[Field {
            key: "business_miles",
            label: |t| t.field_business_miles,
            hint: |t| t.hint_business_miles,
            kind: FieldKind::Number,
        }],
    },
    Calculator {
        key: "home_office",
        name: |t| t.calc_home_office,
        fields: &[
            Field {
                key: "square_feet",
                label: |t| t.field_square_feet,
                hint: |t| t.hint_square_feet,
                kind: FieldKind::Number,
            },
            money(
                "gross_income_limit",
                |t| t.field_gross_income_limit,
                |t| t.hint_gross_income_limit,
            ),
        ],
    },
];

#[component]
pub fn CalculatorsButton() -> impl IntoView {
    let open = RwSignal::new(false);
    let t = &texts().tax;
    view! {
        <HeaderButton label=t.calculators controls="calculators" open />
        <Dialog title=t.calculators id="calculators" open>
            <CalculatorForms />
        </Dialog>
    }
}

#[component]
fn CalculatorForms() -> impl IntoView {
    let chosen = RwSignal::new(CALCULATORS[0].key);
    let t = &texts().tax;
    view! {
        <label for="calculator" class="text-sm font-medium">{t.calculator}</label>
        <select id="calculator" class=FIELD_CLASS prop:value=move || chosen.get().to_string()
            on:change=move |ev| {
                let key = event_target_value(&ev);
                if let Some(c) = CALCULATORS.iter().find(|c| c.key == key) {
                    chosen.set(c.key);
                }
            }>
            {CALCULATORS.iter().map(move |c| view! { <option value=c.key>{(c.name)(t)}</option> }).collect_view()}
        </select>
        {move || {
            let key = chosen.get();
            CALCULATORS.iter().find(|c| c.key == key).map(|calculator| view! { <CalculatorForm calculator /> })
        }}
    }
}

#[component]
fn CalculatorForm(calculator: &'static Calculator) -> impl IntoView {
    let t = &texts().tax;
    let year = RwSignal::new(TAX_YEARS[TAX_YEARS.len() - 1].to_string());
    let values: Vec<RwSignal<String>> = calculator
        .fields
        .iter()
        .map(|f| {
            RwSignal::new(if f.kind == FieldKind::FilingStatus {
                FilingStatus::Single.key().to_string()
            } else {
                String::new()
            })
        })
        .collect();
    let result = RwSignal::new(None::<CalculationResult>);
    let invalid = RwSignal::new(None::<FieldError>);
    let failed = RwSignal::new(None::<ApiError>);
    let inputs = values.clone();
    let run = Action::new(move |_: &()| {
        let mut object = serde_json::Map::new();
        object.insert("calculator".into(), calculator.key.into());
        object.insert(
            "tax_year".into(),
            year.get_untracked().parse::<i32>().unwrap_or(0).into(),
        );
        for (field, value) in calculator.fields.iter().zip(&inputs) {
            object.insert(field.key.into(), value.get_untracked().into());
        }
        async move {
            let input: CalculatorInput =
                match serde_json::from_value(serde_json::Value::Object(object)) {
                    Ok(input) => input,
                    Err(e) => {
                        invalid.set(Some(FieldError {
                            field: String::new(),
                            message: e.to_string(),
                        }));
                        return;
                    }
                };
            match calculate(input).await {
                Ok(Ok(calculation)) => {
                    invalid.set(None);
                    failed.set(None);
                    result.set(Some(calculation));
                }
                Ok(Err(field)) => {
                    result.set(None);
                    invalid.set(Some(field));
                }
                Err(error) => failed.set(Some(error)),
            }
        }
    });
    let fields = calculator
        .fields
        .iter()
        .zip(values)
        .map(move |(field, value)| {
            let id = format!("calc-{}", field.key);
            let error = move || {
                invalid.get().filter(|e| e.field == field.key).map(|e| view! {
                    <p class="mt-1 text-sm text-red-700 dark:text-red-400" role="alert">{e.message}</p>
                })
            };
            let control = match field.kind {
                FieldKind::FilingStatus => view! {
                    <select id=id.clone() class=FIELD_CLASS prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                        {FilingStatus::ALL.iter().map(move |s| view! { <option value=s.key()>{filing_status_label(t, *s)}</option> }).collect_view()}
                    </select>
                }
                .into_any(),
                FieldKind::Money | FieldKind::Number => view! {
                    <input id=id.clone() type="text" inputmode="decimal" autocomplete="off" class=FIELD_CLASS
                        placeholder=if field.kind == FieldKind::Money { "$0.00" } else { "0" }
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                }
                .into_any(),
            };
            let hint = (field.hint)(t);
            view! {
                <div>
                    <label for=id class="text-sm font-medium">{(field.label)(t)}</label>
                    {control}
                    {(!hint.is_empty()).then(|| view! { <p class="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{hint}</p> })}
                    {error}
                </div>
            }
        })
        .collect_view();
    view! {
        <form class="mt-3 space-y-3" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
            <div>
                <label for="calc-tax-year" class="text-sm font-medium">{t.tax_year}</label>
                <select id="calc-tax-year" class=FIELD_CLASS prop:value=move || year.get() on:change=move |ev| year.set(event_target_value(&ev))>
                    {TAX_YEARS.iter().rev().map(|y| view! { <option value=y.to_string()>{y.to_string()}</option> }).collect_view()}
                </select>
                {move || invalid.get().filter(|e| e.field == "tax_year" || e.field.is_empty()).map(|e| view! {
                    <p class="mt-1 text-sm text-red-700 dark:text-red-400" role="alert">{e.message}</p>
                })}
            </div>
            {fields}
            {move || failed.get().map(|e| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-400">{e.message}</p> })}
            <div class="flex justify-end">
                <button type="submit" class=PRIMARY_BUTTON disabled=move || run.pending().get()>{t.calculate}</button>
            </div>
        </form>
        {move || result.get().map(|calculation| view! {
            <section class="mt-4 rounded-xl border border-emerald-200 p-3 text-sm dark:border-emerald-900" aria-label=t.result aria-live="polite">
                <h3 class="font-semibold">{fill(t.result_heading, &[("title", &calculation.title), ("year", &calculation.tax_year.to_string())])}</h3>
                <CalculationBody calculation />
            </section>
        })}
    }
}
