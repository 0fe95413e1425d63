//! A failed turn, in plain words, with the reference support can find in the logs and a Retry button.

use leptos::prelude::*;

use super::send::use_send;
use crate::app::ChatContext;

#[component]
pub fn ErrorNotice() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let send = use_send();
    move || {
        ctx.error.get().map(|turn_error| {
            let send = send.clone();
            let retry = turn_error.retry.clone();
            let reference = turn_error.error.correlation_id.clone();
            view! {
                <div
                    role="alert"
                    class="mb-2 flex flex-wrap items-center gap-2 rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
                >
                    <p class="flex-1">
                        {turn_error.error.message.clone()}
                        {(!reference.is_empty()).then(|| view! { <span class="ml-1 font-mono">"(ref " {reference} ")"</span> })}
                    </p>
                    {retry.map(|question| {
                        view! {
                            <button
                                type="button"
                                class="rounded-md bg-red-700 px-3 py-1 font-medium text-white hover:bg-red-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-red-700"
                                on:click=move |_| {
                                    ctx.error.set(None);
                                    send(question.clone());
                                }
                            >
                                "Retry"
                            </button>
                        }
                    })}
                    <button
                        type="button"
                        class="rounded-md px-2 py-1 hover:bg-red-100 dark:hover:bg-red-900"
                        aria-label="Dismiss error"
                        on:click=move |_| ctx.error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
