//! A failed turn, in plain words, with the reference support can find in the logs and a Retry button. Server functions
//! answer in the page's language; the errors an answer's stream carries are written by a task that outlives the
//! request (so in English): those are read by their code (see [`shown_message`]).

use std::time::Duration;

use leptos::prelude::*;

use super::send::use_send;
use crate::{
    app::ChatContext,
    i18n::{fill, texts, Lang},
    model::ApiError,
};

#[component]
pub fn ErrorNotice() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let send = use_send();
    let lang = use_context::<Lang>().unwrap_or_default();
    let t = &lang.texts().chat;
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
                        {shown_message(&turn_error.error, lang)}
                        {(!reference.is_empty()).then(|| view! { <span class="ml-1 font-mono">{fill(t.error_reference, &[("reference", &reference)])}</span> })}
                        {turn_error.error.retry_after_secs.map(|secs| view! { <Countdown secs /> })}
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
                                {t.retry}
                            </button>
                        }
                    })}
                    <button
                        type="button"
                        class="rounded-md px-2 py-1 hover:bg-red-100 dark:hover:bg-red-900"
                        aria-label=t.dismiss_error
                        on:click=move |_| ctx.error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}

/// "You can ask again in 4:59", counting down each second, then "You can ask again now." Not announced at every
/// tick (the alert around it was announced once).
#[component]
fn Countdown(secs: u64) -> impl IntoView {
    let t = &texts().chat;
    let left = RwSignal::new(secs);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || left.update(|left| *left = left.saturating_sub(1)),
            Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    view! {
        <span class="ml-1" aria-live="off" data-countdown="">
            {move || match left.get() {
                0 => t.ask_again_now.to_string(),
                secs => fill(t.ask_again_in, &[("wait", &clock(secs))]),
            }}
        </span>
    }
}

/// What the notice says about `error`: the server's message, except in another language than English for the errors
/// an answer's stream carries, which are read by their code (a code the catalogue does not know keeps the server's
/// message). In English the message is shown as it came.
fn shown_message(error: &ApiError, lang: Lang) -> String {
    if lang == Lang::En {
        return error.message.clone();
    }
    let t = &lang.texts().errors;
    let text = match error.code.as_str() {
        "provider_unavailable" => t.provider_unavailable,
        "provider_rate_limited" => t.provider_rate_limited,
        "provider_error" => t.provider_error,
        "provider_malformed" => t.provider_malformed,
        "provider_stream_broken" => t.provider_stream_broken,
        "provider_timeout" => t.provider_timeout,
        "provider_not_configured" => t.provider_not_configured,
        "database_error" | "internal_error" => t.internal,
        _ => return error.message.clone(),
    };
    text.to_string()
}

/// A wait on a clock face: "0:42", "59:59", "5:12:00".
pub fn clock(secs: u64) -> String {
    let (hours, minutes, seconds) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}
