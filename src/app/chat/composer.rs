//! Where the question is typed: Enter sends, Shift+Enter starts a new line, Stop ends an answer being written.

use leptos::{ev::KeyboardEvent, prelude::*};

use super::send::{stop, use_send};
use crate::app::{state::save_draft, ChatContext};

#[component]
pub fn Composer() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let send = use_send();
    let submit = {
        let send = send.clone();
        move || send(ctx.draft.get_untracked())
    };
    let on_keydown = {
        let submit = submit.clone();
        move |ev: KeyboardEvent| {
            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                ev.prevent_default();
                submit();
            }
        }
    };
    let can_send = move || !ctx.is_busy() && !ctx.draft.with(|d| d.trim().is_empty());

    view! {
        <form
            class="flex items-end gap-2"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <label for="composer" class="sr-only">"Message"</label>
            <textarea
                id="composer"
                name="message"
                rows="2"
                aria-label="Message"
                placeholder="Ask a tax question… (Enter to send, Shift+Enter for a new line)"
                class="max-h-48 min-h-[2.75rem] flex-1 resize-y rounded-xl border border-slate-300 bg-white px-3 py-2 text-base focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/40 dark:border-slate-700 dark:bg-slate-900"
                prop:value=move || ctx.draft.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    save_draft(ctx.conversation_id.get_untracked().as_deref(), &text);
                    ctx.draft.set(text);
                }
                on:keydown=on_keydown
            ></textarea>
            <Show
                when=move || ctx.is_busy()
                fallback=move || view! {
                    <button
                        type="submit"
                        class="rounded-xl bg-teal-700 px-4 py-2.5 font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:cursor-not-allowed disabled:bg-slate-400 dark:disabled:bg-slate-700"
                        disabled=move || !can_send()
                    >
                        "Send"
                    </button>
                }
            >
                <button
                    type="button"
                    class="rounded-xl border border-slate-400 px-4 py-2.5 font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:hover:bg-slate-800"
                    on:click=move |_| stop(ctx)
                >
                    "Stop"
                </button>
            </Show>
        </form>
    }
}
