//! Form parts the account and admin pages share: a labelled field with its hint and every error next to it
//! (described by them, so screen readers read the errors with the label), the form-wide error, a form's notice,
//! the human check, and how these pages write times and amounts.

use leptos::prelude::*;

pub use crate::model::account::dollars;
use crate::{i18n::texts, model::account::Flash};

/// A page section's box, and a form's main button.
pub const SECTION: &str =
    "flex flex-col gap-3 rounded-xl border border-slate-200 p-4 dark:border-slate-800";
pub const BUTTON: &str = "self-start rounded-lg bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700";

#[component]
pub fn TextField(
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] value: String,
    errors: Vec<String>,
    /// The first field with an error takes the focus when the page opens.
    #[prop(default = false)]
    focus: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let invalid = !errors.is_empty();
    let described_by = [
        hint.map(|_| hint_id.clone()),
        invalid.then(|| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium">{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                aria-invalid=invalid.then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
                autofocus=focus
                class=if invalid {
                    "rounded-lg border-2 border-red-600 bg-white px-3 py-2 text-base dark:bg-slate-900"
                } else {
                    "rounded-lg border border-slate-400 bg-white px-3 py-2 text-base focus:border-teal-600 dark:border-slate-600 dark:bg-slate-900"
                }
            />
            {hint.map(|hint| view! { <p id=hint_id class="text-xs text-slate-600 dark:text-slate-400">{hint}</p> })}
            {invalid.then(|| view! {
                <ul id=error_id class="flex flex-col gap-0.5 text-sm text-red-700 dark:text-red-300">
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The error that belongs to no one field (a wrong password, too many attempts), announced as an alert.
#[component]
pub fn FormError(flash: Flash) -> impl IntoView {
    let t = &texts().account;
    let messages = flash.errors_for("form");
    let field_errors = flash.errors.iter().filter(|e| e.field != "form").count();
    let summary = match (messages.is_empty(), field_errors) {
        (false, _) => Some(messages.join(" ")),
        (true, 0) => None,
        (true, 1) => Some(t.fix_problem_one.to_string()),
        (true, _) => Some(t.fix_problem_other.to_string()),
    };
    summary.map(|text| view! {
        <p role="alert" class="rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
            {text}
        </p>
    })
}

/// The proof-of-work check: `/human-check.js` solves it in the background and fills the hidden field; the form
/// waits for it on submit. Its progress is a polite status, in the page's language: the script takes what to say
/// from the status line's `data-text-*` attributes.
#[component]
pub fn HumanCheck(errors: Vec<String>) -> impl IntoView {
    let t = &texts().account;
    let invalid = !errors.is_empty();
    view! {
        <div class="flex flex-col gap-1">
            <input type="hidden" name="human_check" data-human-check-answer="" />
            <p
                data-human-check-status=""
                data-text-running=t.human_check_running
                data-text-failed=t.human_check_failed
                data-text-done=t.human_check_done
                data-text-offline=t.human_check_offline
                data-text-waiting=t.human_check_waiting
                aria-live="polite"
                class="text-xs text-slate-600 dark:text-slate-400"
            >
                {t.human_check}
            </p>
            {invalid.then(|| view! {
                <ul class="flex flex-col gap-0.5 text-sm text-red-700 dark:text-red-300">
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            })}
            <script src="/human-check.js" defer></script>
        </div>
    }
}

/// The name of the first field with an error, for the focus.
pub fn first_invalid<'a>(flash: &Flash, order: &[&'a str]) -> Option<&'a str> {
    order
        .iter()
        .copied()
        .find(|field| flash.errors.iter().any(|e| e.field == *field))
}

#[component]
pub fn Notice(text: Option<String>) -> impl IntoView {
    text.map(|text| view! {
        <p role="status" class="rounded-lg border border-teal-200 bg-teal-50 px-3 py-2 text-sm text-teal-950 dark:border-teal-900 dark:bg-teal-950 dark:text-teal-100">{text}</p>
    })
}

/// A time as "2026-12-02 14:05 UTC": the same on the server and in the browser, so hydration agrees.
pub fn format_time(ms: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) else {
        return String::new();
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}
