//! The chat page: header, messages, composer and disclaimer, for a new chat (`/`) or a conversation (`/c/{id}`).

mod composer;
mod error_notice;
mod grounding;

pub use grounding::CalculationBody;
pub use send::stop as stop_answer_on_screen;
mod message_boxes;
pub(super) mod messages;
mod model_select;
mod send;
mod starters;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

use self::{
    composer::Composer, error_notice::ErrorNotice, messages::MessageList, model_select::ModelSelect,
};
use super::{
    account::{flash_for, AccountContext, AccountMenu, FlashNotice},
    banner::GuestBanner,
    preferences::{LanguageSelect, ThemeSelect},
    sidebar::DrawerButton,
    state::{forget_last_conversation, last_conversation_on_return},
    tax::{CalculatorsButton, TaxProfileButton},
    ChatContext,
};
use crate::{
    api::get_conversation,
    i18n::{fill, texts},
    model::account::ASK_FORM,
};

#[component]
pub fn ChatPage() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let account = AccountContext::use_context();
    let t = &texts().chat;
    let pathname = use_location().pathname;
    let route_id = Memo::new(move |_| {
        pathname.with(|path| {
            path.strip_prefix("/c/")
                .map(|id| id.trim_end_matches('/').to_string())
        })
    });
    // What to load follows the URL, except when the URL catches up with a conversation this page already shows
    // (it just created it and may still be streaming into it): reloading would replace the log mid-answer.
    let load_id = Memo::new(move |previous: Option<&Option<String>>| {
        let id = route_id.get();
        match previous {
            Some(previous) if id.is_some() && id == ctx.conversation_id.get_untracked() => {
                previous.clone()
            }
            _ => id,
        }
    });
    // Someone coming back to Tally finds the conversation they had open last.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(last) = last_conversation_on_return() {
            if route_id.get_untracked().is_none() {
                let options = NavigateOptions {
                    replace: true,
                    ..Default::default()
                };
                navigate(&format!("/c/{last}"), options);
            }
        }
    });
    // Back to `/` (New chat, or the browser's Back) when the id above was kept: nothing reloads, so reset here.
    Effect::new(move |_| {
        if route_id.get().is_none() && ctx.conversation_id.get_untracked().is_some() {
            ctx.show(None);
        }
    });
    // An answer still being written when the conversation opened (a reload, another device): read it live.
    let resume = send::use_resume();
    Effect::new(move |_| {
        if let Some(message_id) = ctx.resume.get() {
            ctx.resume.set(None);
            resume(message_id);
        }
    });
    let conversation = Resource::new(
        move || load_id.get(),
        |id| async move {
            match id {
                Some(id) => get_conversation(id).await.map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <main class="flex min-w-0 flex-1 flex-col" id="chat">
            <ChatHeader />
            <FlashNotice />
            <GuestBanner />
            <Transition fallback=move || view! { <p class="p-4 text-slate-500">{t.loading_conversation}</p> }>
                {move || Suspend::new(async move {
                    match conversation.await {
                        Ok(detail) => {
                            ctx.show(detail);
                            view! { <MessageList /> }.into_any()
                        }
                        Err(error) => view! { <MissingConversation error /> }.into_any(),
                    }
                })}
            </Transition>
            <div class="border-t border-slate-200 bg-white px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-2 dark:border-slate-800 dark:bg-slate-950">
                <div class="mx-auto w-full max-w-3xl">
                    <ErrorNotice />
                    <Transition fallback=|| view! { <Composer kept=None /> }>
                        {move || Suspend::new(async move {
                            let refused = flash_for(account.flash.await, &[ASK_FORM]);
                            let kept = refused.as_ref().map(|flash| flash.value("message"));
                            view! {
                                {refused.map(|flash| view! { <AskRefused flash /> })}
                                <Composer kept />
                            }
                        })}
                    </Transition>
                    <p id="disclaimer" class="mt-2 text-xs leading-snug text-slate-600 dark:text-slate-400">
                        {t.disclaimer}
                    </p>
                </div>
            </div>
        </main>
    }
}

/// Why a question posted before the app took over (or without it) was not sent; its text is back in the box.
#[component]
fn AskRefused(flash: crate::model::account::Flash) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let message = flash
        .errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    let shown = RwSignal::new(true);
    Effect::new(move |_| {
        if ctx.is_busy() {
            shown.set(false);
        }
    });
    view! {
        <Show when=move || shown.get()>
            <div
                role="alert"
                class="mb-2 rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
            >
                {message.clone()}
            </div>
        </Show>
    }
}

#[component]
fn ChatHeader() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    let title = move || {
        let title = ctx.title.get();
        if title.is_empty() {
            t.new_chat.to_string()
        } else {
            title
        }
    };
    view! {
        <header class="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
            <DrawerButton />
            <h1 class="min-w-0 flex-1 truncate text-base font-semibold">{title}</h1>
            <ModelSelect />
            // On a phone a second row: the tax buttons, the account at its end; from `sm` up all in one row, the
            // account last.
            <div class="order-last flex w-full items-center gap-2 sm:w-auto">
                <TaxProfileButton />
                <CalculatorsButton />
                <div class="ml-auto flex items-center gap-2 sm:ml-0">
                    <LanguageSelect />
                    <ThemeSelect />
                    <AccountMenu />
                </div>
            </div>
        </header>
    }
}

#[component]
fn MissingConversation(error: crate::model::ApiError) -> impl IntoView {
    // Deleted elsewhere, or never this browser's: do not reopen it next time.
    if error.code == "not_found" {
        forget_last_conversation();
    }
    let t = &texts().chat;
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let status = if error.code == "not_found" || error.code == "invalid_id" {
            axum::http::StatusCode::NOT_FOUND
        } else {
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        };
        response.set_status(status);
    }
    view! {
        <div class="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center" role="alert">
            <p class="text-lg">{error.message.clone()}</p>
            <p class="text-sm text-slate-600 dark:text-slate-400">{fill(t.reference, &[("reference", &error.correlation_id)])}</p>
            <a class="text-teal-700 underline dark:text-teal-300" href="/">{t.start_new_chat}</a>
        </div>
    }
}
