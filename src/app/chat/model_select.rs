//! The "Model" selector in the chat header: every configured model, the conversation's choice selected. The choice
//! is sent with the next question, stored with the conversation, and remembered in this browser for new chats.

use leptos::prelude::*;

use crate::{
    api::list_models,
    app::{state::remember_model, ChatContext},
    i18n::texts,
    model::ModelChoices,
};

#[component]
pub fn ModelSelect() -> impl IntoView {
    let choices = Resource::new(|| (), |_| list_models());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                choices.await.ok().filter(|c| !c.models.is_empty()).map(|choices| view! { <ModelList choices /> })
            })}
        </Suspense>
    }
}

#[component]
fn ModelList(choices: ModelChoices) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    let keys: Vec<String> = choices.models.iter().map(|m| m.key.clone()).collect();
    let default_key = choices.default_key.clone().unwrap_or_default();
    // A remembered choice the server no longer offers shows (and sends) the default instead.
    let selected = Memo::new(move |_| {
        ctx.model
            .get()
            .filter(|key| keys.contains(key))
            .unwrap_or_else(|| default_key.clone())
    });
    view! {
        <label for="model" class="sr-only">{t.model}</label>
        <select
            id="model"
            name="model"
            class="ml-auto max-w-[11rem] truncate rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/40 sm:max-w-xs dark:border-slate-700 dark:bg-slate-900"
            prop:value=move || selected.get()
            on:change=move |ev| {
                let key = event_target_value(&ev);
                remember_model(&key);
                ctx.model.set(Some(key));
            }
        >
            {choices
                .models
                .into_iter()
                .map(|option| {
                    let key = option.key.clone();
                    view! {
                        <option value=option.key selected=move || selected.get() == key>
                            {option.label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
