//! Starter questions for an empty chat: one click asks them.

use leptos::prelude::*;

use super::send::use_send;

/// Curated for freelancers in the current filing season.
pub const STARTER_QUESTIONS: &[&str] = &[
    "What can I deduct as a freelancer working from home?",
    "How do quarterly estimated tax payments work, and when are they due?",
    "How is self-employment tax calculated?",
    "Do I need to file a 1099-NEC for contractors I paid?",
    "Can I deduct my car or mileage for client visits?",
    "Should I set up an LLC or S corporation for tax purposes?",
];

#[component]
pub fn StarterQuestions() -> impl IntoView {
    let send = use_send();
    view! {
        <section class="flex flex-col gap-3 py-6">
            <h2 class="text-xl font-semibold">"Ask about your taxes as a freelancer"</h2>
            <p class="text-sm text-slate-600 dark:text-slate-400">
                "Deductions, self-employment tax, quarterly estimates, deadlines and forms. Try one of these:"
            </p>
            <div role="group" aria-label="Suggested questions" class="grid gap-2 sm:grid-cols-2">
                {STARTER_QUESTIONS
                    .iter()
                    .map(|question| {
                        let send = send.clone();
                        view! {
                            <button
                                type="button"
                                class="rounded-xl border border-slate-300 px-3 py-2 text-left text-sm hover:border-teal-600 hover:bg-teal-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:hover:bg-slate-900"
                                on:click=move |_| send(question.to_string())
                            >
                                {*question}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}
