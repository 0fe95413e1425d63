//! Starter questions for an empty chat: one click asks them.

use leptos::{prelude::*, server::SharedValue};
use time::{Date, Month};

use super::send::use_send;
use crate::i18n::{fill, texts, StartersTexts};

/// Curated for freelancers, in the page's language; the season's two join them (see [`season_questions`]).
fn evergreen_questions(t: &'static StartersTexts) -> [&'static str; 5] {
    [
        t.home_office,
        t.self_employment_tax,
        t.form_1099_nec,
        t.car_mileage,
        t.llc_or_s_corp,
    ]
}

/// Questions about the tax season people are in on `today`: before the April deadline they are filing last year's
/// return; after it they are paying this year's estimates and planning before December 31.
pub fn season_questions(t: &'static StartersTexts, today: Date) -> [String; 2] {
    let year = today.year();
    let filing_deadline = Date::from_calendar_date(year, Month::April, 15).unwrap_or(today);
    let this_year = year.to_string();
    if today <= filing_deadline {
        [
            fill(
                t.filing_season,
                &[("last_year", &(year - 1).to_string()), ("year", &this_year)],
            ),
            fill(t.estimates_due, &[("year", &this_year)]),
        ]
    } else {
        [
            fill(t.year_end, &[("year", &this_year)]),
            fill(t.estimates_left, &[("year", &this_year)]),
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

pub fn starter_questions(t: &'static StartersTexts) -> Vec<String> {
    let [season, estimates] = season_questions(t, today());
    let evergreen = evergreen_questions(t);
    let mut questions = vec![evergreen[0].to_string(), estimates, season];
    questions.extend(evergreen[1..].iter().map(|q| q.to_string()));
    questions
}

#[component]
pub fn StarterQuestions() -> impl IntoView {
    let send = use_send();
    let t = &texts().starters;
    let questions = starter_questions(t);
    view! {
        <section class="flex flex-col gap-3 py-6">
            <h2 class="text-xl font-semibold">{t.heading}</h2>
            <p class="text-sm text-slate-600 dark:text-slate-400">
                {t.intro}
            </p>
            <div role="group" aria-label=t.suggested class="grid gap-2 sm:grid-cols-2">
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
    use crate::i18n::Lang;

    fn en() -> &'static StartersTexts {
        &Lang::En.texts().starters
    }

    #[test]
    fn before_the_april_deadline_people_file_last_years_return() {
        let [season, estimates] = season_questions(en(), date!(2027 - 02 - 10));
        assert!(
            season.contains("my 2026 taxes") && season.contains("April 15, 2027"),
            "{season}"
        );
        assert!(estimates.contains("2027"));
    }

    #[test]
    fn after_it_they_plan_the_current_year() {
        let [season, _] = season_questions(en(), date!(2026 - 11 - 23));
        assert!(
            season.contains("before December 31") && season.contains("2026 taxes"),
            "{season}"
        );
        assert_eq!(starter_questions(en()).len(), 7);
    }

    #[test]
    fn the_season_is_the_same_in_vietnamese() {
        let vi = &Lang::Vi.texts().starters;
        let [season, estimates] = season_questions(vi, date!(2027 - 02 - 10));
        assert!(
            season.contains("năm 2026") && season.contains("ngày 15 tháng 4 năm 2027"),
            "{season}"
        );
        assert!(estimates.contains("2027"), "{estimates}");
        assert_eq!(starter_questions(vi).len(), 7);
    }
}
