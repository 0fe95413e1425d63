//! "Calculators": one form per calculator, labelled fields, and the result with every step and the source of each
//! of the year's figures. The server computes (exact decimals); the browser only collects what was typed.

use leptos::prelude::*;

use super::dialog::{Dialog, HeaderButton, FIELD_CLASS, PRIMARY_BUTTON};
use crate::{
    api::calculate,
    app::chat::CalculationBody,
    model::{
        tax::{CalculationResult, CalculatorInput, FieldError, FilingStatus, TAX_YEARS},
        ApiError,
    },
};

/// A field of a calculator's form.
#[derive(Clone, Copy)]
struct Field {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
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
    name: &'static str,
    fields: &'static [Field],
}

const fn money(key: &'static str, label: &'static str, hint: &'static str) -> Field {
    Field {
        key,
        label,
        hint,
        kind: FieldKind::Money,
    }
}

const STATUS: Field = Field {
    key: "filing_status",
    label: "Filing status",
    hint: "",
    kind: FieldKind::FilingStatus,
};

const CALCULATORS: &[Calculator] = &[
    Calculator {
        key: "self_employment_tax",
        name: "Self-employment tax",
        fields: &[
            money(
                "net_profit",
                "Net profit",
                "Schedule C line 31; a loss as -1200",
            ),
            money(
                "w2_social_security_wages",
                "W-2 Social Security wages",
                "Optional: box 3 of your W-2s",
            ),
        ],
    },
    Calculator {
        key: "set_aside",
        name: "How much to set aside",
        fields: &[
            STATUS,
            money(
                "net_profit",
                "Net profit",
                "From self-employment, for the year",
            ),
            money("w2_wages", "W-2 wages", "Optional"),
        ],
    },
    Calculator {
        key: "estimated_payments",
        name: "Quarterly estimated payments",
        fields: &[
            STATUS,
            money(
                "expected_tax",
                "Expected total tax this year",
                "Income tax plus self-employment tax",
            ),
            money(
                "prior_year_tax",
                "Last year's total tax",
                "Form 1040 line 24",
            ),
            money(
                "prior_year_agi",
                "Last year's adjusted gross income",
                "Form 1040 line 11",
            ),
            money("withholding", "Withholding expected this year", "Optional"),
        ],
    },
    Calculator {
        key: "due_dates",
        name: "Estimated tax due dates",
        fields: &[],
    },
    Calculator {
        key: "additional_medicare_tax",
        name: "Additional Medicare Tax",
        fields: &[
            STATUS,
            money(
                "self_employment_income",
                "Self-employment income",
                "Net earnings from Schedule SE",
            ),
            money(
                "medicare_wages",
                "Medicare wages",
                "Optional: box 5 of your W-2s",
            ),
        ],
    },
    Calculator {
        key: "mileage",
        name: "Standard mileage deduction",
        fields: &[Field {
            key: "business_miles",
            label: "Business miles",
            hint: "From your mileage log",
            kind: FieldKind::Number,
        }],
    },
    Calculator {
        key: "home_office",
        name: "Home office (simplified method)",
        fields: &[
            Field {
                key: "square_feet",
                label: "Office area in square feet",
                hint: "Used regularly and only for the business",
                kind: FieldKind::Number,
            },
            money(
                "gross_income_limit",
                "Business income less other expenses",
                "The deduction cannot exceed it",
            ),
        ],
    },
];

#[component]
pub fn CalculatorsButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <HeaderButton label="Calculators" controls="calculators" open />
        <Dialog title="Calculators" id="calculators" open>
            <CalculatorForms />
        </Dialog>
    }
}

#[component]
fn CalculatorForms() -> impl IntoView {
    let chosen = RwSignal::new(CALCULATORS[0].key);
    view! {
        <label for="calculator" class="text-sm font-medium">"Calculator"</label>
        <select id="calculator" class=FIELD_CLASS prop:value=move || chosen.get().to_string()
            on:change=move |ev| {
                let key = event_target_value(&ev);
                if let Some(c) = CALCULATORS.iter().find(|c| c.key == key) {
                    chosen.set(c.key);
                }
            }>
            {CALCULATORS.iter().map(|c| view! { <option value=c.key>{c.name}</option> }).collect_view()}
        </select>
        {move || {
            let key = chosen.get();
            CALCULATORS.iter().find(|c| c.key == key).map(|calculator| view! { <CalculatorForm calculator /> })
        }}
    }
}

#[component]
fn CalculatorForm(calculator: &'static Calculator) -> impl IntoView {
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
        .map(|(field, value)| {
            let id = format!("calc-{}", field.key);
            let error = move || {
                invalid.get().filter(|e| e.field == field.key).map(|e| view! {
                    <p class="mt-1 text-sm text-red-700 dark:text-red-400" role="alert">{e.message}</p>
                })
            };
            let control = match field.kind {
                FieldKind::FilingStatus => view! {
                    <select id=id.clone() class=FIELD_CLASS prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                        {FilingStatus::ALL.iter().map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
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
            view! {
                <div>
                    <label for=id class="text-sm font-medium">{field.label}</label>
                    {control}
                    {(!field.hint.is_empty()).then(|| view! { <p class="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{field.hint}</p> })}
                    {error}
                </div>
            }
        })
        .collect_view();
    view! {
        <form class="mt-3 space-y-3" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
            <div>
                <label for="calc-tax-year" class="text-sm font-medium">"Tax year"</label>
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
                <button type="submit" class=PRIMARY_BUTTON disabled=move || run.pending().get()>"Calculate"</button>
            </div>
        </form>
        {move || result.get().map(|calculation| view! {
            <section class="mt-4 rounded-xl border border-emerald-200 p-3 text-sm dark:border-emerald-900" aria-label="Result" aria-live="polite">
                <h3 class="font-semibold">{format!("{} · tax year {}", calculation.title, calculation.tax_year)}</h3>
                <CalculationBody calculation />
            </section>
        })}
    }
}
