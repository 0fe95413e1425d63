//! `/s/{token}`: a shared conversation, read-only, for whoever holds the link. Rendered on the server with its title
//! and a description for link previews, kept out of search engines (`noindex`, also as `X-Robots-Tag`), without the
//! owner's name or email, and with the disclaimer under every answer.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use super::{
    account::AccountMenu,
    chat::messages::MessageBubble,
    preferences::{LanguageSelect, ThemeSelect},
};
use crate::{
    api::load_shared,
    i18n::{fill, texts},
    model::{share::SharedConversation, Role},
};

/// How much of the first question describes the page in link previews.
const DESCRIPTION_CHARS: usize = 160;

#[component]
pub fn SharedPage() -> impl IntoView {
    let params = use_params_map();
    let shared = Resource::new(
        move || params.read().get("token").unwrap_or_default(),
        load_shared,
    );
    let t = &texts().shared;
    view! {
        <Meta name="robots" content="noindex, nofollow" />
        <main id="main" class="flex min-w-0 flex-1 flex-col overflow-y-auto">
            <header class="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                <a href="/" class="text-lg font-bold text-teal-800 dark:text-teal-300">"Tally"</a>
                <span class="min-w-0 flex-1 truncate text-sm text-slate-600 dark:text-slate-400">{t.read_only}</span>
                <LanguageSelect />
                <ThemeSelect />
                <AccountMenu />
            </header>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match shared.await {
                        Ok(conversation) => view! { <SharedMessages conversation /> }.into_any(),
                        Err(_) => view! { <LinkNotFound /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SharedMessages(conversation: SharedConversation) -> impl IntoView {
    let t = &texts().shared;
    let disclaimer = texts().chat.disclaimer;
    let description = conversation
        .messages
        .iter()
        .find(|m| m.role == Role::User)
        .map(|m| crate::model::one_line(&m.content, DESCRIPTION_CHARS))
        .map_or_else(
            || t.description_empty.to_string(),
            |question| fill(t.description, &[("question", &question)]),
        );
    let shared_on = fill(t.shared_on, &[("date", &day(conversation.shared_at_ms))]);
    let empty = conversation.messages.is_empty();
    let title = conversation.title.clone();
    view! {
        <Title text=format!("{title} · Tally") />
        <Meta name="description" content=description.clone() />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description />
        <Meta property="og:type" content="article" />
        <article class="mx-auto flex w-full max-w-3xl flex-col gap-4 px-3 py-4" aria-labelledby="shared-title">
            <div>
                <h1 id="shared-title" class="text-xl font-semibold">{title}</h1>
                <p class="text-sm text-slate-600 dark:text-slate-400">{shared_on}</p>
            </div>
            {empty.then(|| view! { <p class="text-sm">{t.no_messages}</p> })}
            {conversation
                .messages
                .into_iter()
                .map(|message| {
                    let answer = message.role == Role::Assistant;
                    view! {
                        <MessageBubble message />
                        {answer.then(|| view! {
                            <p class="disclaimer -mt-2 max-w-3xl self-start text-xs leading-snug text-slate-600 dark:text-slate-400">{disclaimer}</p>
                        })}
                    }
                })
                .collect_view()}
            <a href="/" class="self-start rounded-lg bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                {t.ask_your_own}
            </a>
        </article>
    }
}

#[component]
fn LinkNotFound() -> impl IntoView {
    let t = &texts().shared;
    view! {
        <Title text=format!("{} · Tally", t.not_found_title) />
        <div class="flex flex-1 flex-col items-center justify-center gap-4 p-8 text-center">
            <h1 class="text-2xl font-semibold">{t.not_found_title}</h1>
            <p>{t.not_found}</p>
            <a class="text-teal-700 underline dark:text-teal-300" href="/">{t.ask_your_own}</a>
        </div>
    }
}

/// A time as its UTC day, "2026-12-02": the same on the server and in the browser, so hydration agrees.
fn day(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).map_or_else(
        |_| String::new(),
        |at| {
            format!(
                "{:04}-{:02}-{:02}",
                at.year(),
                u8::from(at.month()),
                at.day()
            )
        },
    )
}
