//! Starter questions for an empty chat: one click asks them.

use leptos::{prelude::*, server::SharedValue};
use time::{Date, Month};

use super::send::use_send;

/// Curated for freelancers; the first two follow the calendar (see [`season_questions`]).
const EVERGREEN_QUESTIONS: &[&str] = &[
    "What can I deduct as a freelancer working from home?",
    "How is self-employment tax calculated?",
    "Do I need to file a 1099-NEC for contractors I paid?",
    "Can I deduct my car or mileage for client visits?",
    "Should I set up an LLC or S corporation for tax purposes?",
];

/// Questions about the tax season people are in on `today`: before the April deadline they are filing last year's
/// return; after it they are paying this year's estimates and planning before December 31.
pub fn season_questions(today: Date) -> [String; 2] {
    let year = today.year();
    let filing_deadline = Date::from_calendar_date(year, Month::April, 15).unwrap_or(today);
    if today <= filing_deadline {
        [
            format!(
                "What do I need to file my {} taxes as a freelancer by April 15, {year}?",
                year - 1
            ),
            format!("When are my quarterly estimated tax payments due in {year}?"),
        ]
    } else {
        [
            format!(
                "What can I still do before December 31 to lower my {year} taxes as a freelancer?"
            ),
            format!(
                "Which estimated tax payments are still due for the {year} tax year, and when?"
            ),
        ]
    }
}

/// Today's date as the server saw it when it rendered the page, so the browser shows the same questions.
fn today() -> Date {
    let shared = SharedValue::new(|| {
        let now = time::OffsetDateTime::now_utc().date();
        (now.year(), now.ordinal())
    });
    let (year, ordinal) = shared.into_inner();
    Date::from_ordinal_date(year, ordinal).unwrap_or(Date::MIN)
}

pub fn starter_questions() -> Vec<String> {
    let [season, estimates] = season_questions(today());
    let mut questions = vec![EVERGREEN_QUESTIONS[0].to_string(), estimates, season];
    questions.extend(EVERGREEN_QUESTIONS[1..].iter().map(|q| q.to_string()));
    questions
}

#[component]
pub fn StarterQuestions() -> impl IntoView {
    let send = use_send();
    let questions = starter_questions();
    view! {
        <section class="flex flex-col gap-3 py-6">
            <h2 class="text-xl font-semibold">"Ask about your taxes as a freelancer"</h2>
            <p class="text-sm text-slate-600 dark:text-slate-400">
                "Deductions, self-employment tax, quarterly estimates, deadlines and forms. Try one of these:"
            </p>
            <div role="group" aria-label="Suggested questions" class="grid gap-2 sm:grid-cols-2">
                {questions
                    .into_iter()
                    .map(|question| {
                        let send = send.clone();
                        let label = question.clone();
                        view! {
                            <button
                                type="button"
                                class="rounded-xl border border-slate-300 px-3 py-2 text-left text-sm hover:border-teal-600 hover:bg-teal-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:hover:bg-slate-900"
                                on:click=move |_| send(question.clone())
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn before_the_april_deadline_people_file_last_years_return() {
        let [season, estimates] = season_questions(date!(2027 - 02 - 10));
        assert!(
            season.contains("my 2026 taxes") && season.contains("April 15, 2027"),
            "{season}"
        );
        assert!(estimates.contains("2027"));
    }

    #[test]
    fn after_it_they_plan_the_current_year() {
        let [season, _] = season_questions(date!(2026 - 11 - 23));
        assert!(
            season.contains("before December 31") && season.contains("2026 taxes"),
            "{season}"
        );
        assert_eq!(starter_questions().len(), 7);
    }
}
