//! The chat page: header, messages, composer and disclaimer, for a new chat (`/`) or a conversation (`/c/{id}`).

mod composer;
mod error_notice;
mod messages;
mod send;
mod starters;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use self::{composer::Composer, error_notice::ErrorNotice, messages::MessageList};
use super::{banner::GuestBanner, ChatContext};
use crate::{api::get_conversation, model::DISCLAIMER};

#[component]
pub fn ChatPage() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let params = use_params_map();
    let route_id = Memo::new(move |_| params.read().get("id"));
    let conversation = Resource::new(
        move || route_id.get(),
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
            <GuestBanner />
            <Transition fallback=|| view! { <p class="p-4 text-slate-500">"Loading conversation…"</p> }>
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
                    <Composer />
                    <p id="disclaimer" class="mt-2 text-xs leading-snug text-slate-600 dark:text-slate-400">
                        {DISCLAIMER}
                    </p>
                </div>
            </div>
        </main>
    }
}

#[component]
fn ChatHeader() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let title = move || {
        let title = ctx.title.get();
        if title.is_empty() {
            "New chat".to_string()
        } else {
            title
        }
    };
    view! {
        <header class="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
            <button
                type="button"
                class="rounded-md p-2 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 md:hidden dark:hover:bg-slate-800"
                aria-label="Open conversations"
                aria-controls="sidebar"
                aria-expanded=move || ctx.drawer_open.get().to_string()
                on:click=move |_| ctx.drawer_open.set(true)
            >
                <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5" fill="none" stroke="currentColor" stroke-width="2">
                    <path d="M4 6h16M4 12h16M4 18h16" />
                </svg>
            </button>
            <h1 class="truncate text-base font-semibold">{title}</h1>
        </header>
    }
}

#[component]
fn MissingConversation(error: crate::model::ApiError) -> impl IntoView {
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
            <p class="text-sm text-slate-600 dark:text-slate-400">"Reference: " {error.correlation_id.clone()}</p>
            <a class="text-teal-700 underline dark:text-teal-300" href="/">"Start a new chat"</a>
        </div>
    }
}
