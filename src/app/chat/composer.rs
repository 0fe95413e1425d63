//! Where the question is typed: Enter sends, Shift+Enter starts a new line, Stop ends an answer being written.

use leptos::{ev::KeyboardEvent, prelude::*};

use super::send::{stop, use_send};
use crate::{
    app::{state::save_draft, ChatContext},
    i18n::texts,
};

/// `kept`: a question a plain form post could not send, back in the box.
#[component]
pub fn Composer(kept: Option<String>) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
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
    // What the server rendered into the box (a question a plain post could not send comes back in it).
    let initial = kept.unwrap_or_else(|| ctx.draft.get_untracked());

    // Before the wasm arrives this is a plain form post to `/ask` (see `server::chat::ask_form`); after, the app
    // sends it and streams the answer.
    view! {
        <form
            class="flex items-end gap-2"
            method="post"
            action="/ask"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <input type="hidden" name="conversation_id" prop:value=move || ctx.conversation_id.get().unwrap_or_default() value=ctx.conversation_id.get_untracked().unwrap_or_default() />
            <input type="hidden" name="model" prop:value=move || ctx.model.get().unwrap_or_default() value=ctx.model.get_untracked().unwrap_or_default() />
            <label for="composer" class="sr-only">{t.message_label}</label>
            <p id="composer-hint" class="sr-only">{t.composer_hint}</p>
            <textarea
                id="composer"
                name="message"
                rows="2"
                aria-label=t.message_label
                placeholder=t.message_placeholder
                aria-describedby="composer-hint"
                class="max-h-48 min-h-[2.75rem] flex-1 resize-y rounded-xl border border-slate-300 bg-white px-3 py-2 text-base focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/40 dark:border-slate-700 dark:bg-slate-900"
                prop:value=move || ctx.draft.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    save_draft(ctx.conversation_id.get_untracked().as_deref(), &text);
                    ctx.draft.set(text);
                }
                on:keydown=on_keydown
            >
                {initial}
            </textarea>
            <Show
                when=move || ctx.is_busy()
                fallback=move || view! {
                    <button
                        type="submit"
                        class="rounded-xl bg-teal-700 px-4 py-2.5 font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:cursor-not-allowed disabled:bg-slate-400 dark:disabled:bg-slate-700"
                        // Only the app knows the box is empty; a plain post of nothing gets a message instead.
                        disabled=move || ctx.hydrated.get() && !can_send()
                    >
                        {t.send}
                    </button>
                }
            >
                <button
                    type="button"
                    class="rounded-xl border border-slate-400 px-4 py-2.5 font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:hover:bg-slate-800"
                    on:click=move |_| stop(ctx)
                >
                    {t.stop}
                </button>
            </Show>
        </form>
    }
}
