//! The conversation list: a navigation landmark on wide screens, a drawer on narrow ones.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_location, use_navigate};

use super::ChatContext;
use crate::{
    api::{delete_conversation, list_conversations},
    model::ConversationSummary,
};

#[component]
pub fn Sidebar() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let conversations = Resource::new(
        move || ctx.list_version.get(),
        |_| list_conversations(false, None),
    );
    let close = move || ctx.drawer_open.set(false);

    view! {
        <Show when=move || ctx.drawer_open.get()>
            <div class="fixed inset-0 z-20 bg-black/40 md:hidden" aria-hidden="true" on:click=move |_| close()></div>
        </Show>
        <nav
            id="sidebar"
            aria-label="Conversations"
            class=move || {
                let position = if ctx.drawer_open.get() { "translate-x-0" } else { "-translate-x-full max-md:invisible" };
                format!(
                    "fixed inset-y-0 left-0 z-30 flex w-72 flex-col border-r border-slate-200 bg-slate-50 transition-transform \
                     md:static md:translate-x-0 dark:border-slate-800 dark:bg-slate-900 {position}"
                )
            }
        >
            <div class="flex items-center justify-between gap-2 p-3">
                <a href="/" class="text-lg font-bold text-teal-800 dark:text-teal-300" on:click=move |_| close()>"Tally"</a>
                <button
                    type="button"
                    class="rounded-md p-2 hover:bg-slate-200 md:hidden dark:hover:bg-slate-800"
                    aria-label="Close conversations"
                    on:click=move |_| close()
                >
                    "×"
                </button>
            </div>
            <div class="px-3 pb-2">
                <a
                    href="/"
                    class="block rounded-lg border border-slate-300 px-3 py-2 text-center font-medium hover:bg-white focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:hover:bg-slate-800"
                    role="button"
                    on:click=move |_| close()
                >
                    "New chat"
                </a>
            </div>
            <div class="flex-1 overflow-y-auto px-2 pb-4">
                <Transition fallback=|| view! { <p class="px-2 text-sm text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match conversations.await {
                            Ok(page) if page.items.is_empty() => view! {
                                <p class="px-2 py-4 text-sm text-slate-600 dark:text-slate-400">"No conversations yet."</p>
                            }.into_any(),
                            Ok(page) => view! { <ConversationLinks list=page.items /> }.into_any(),
                            Err(error) => view! {
                                <p class="px-2 text-sm text-red-700" role="alert">{error.message.clone()}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </nav>
    }
}

#[component]
fn ConversationLinks(list: Vec<ConversationSummary>) -> impl IntoView {
    view! {
        <ul class="flex flex-col gap-1">
            {list.into_iter().map(|conversation| view! { <ConversationItem conversation /> }).collect_view()}
        </ul>
    }
}

#[component]
fn ConversationItem(conversation: ConversationSummary) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let location = use_location();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let href = format!("/c/{}", conversation.id);
    let is_current = {
        let href = href.clone();
        move || location.pathname.get() == href
    };
    let id = conversation.id.clone();
    let title = conversation.title.clone();
    let delete = move |_| {
        let id = id.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_conversation(id.clone()).await {
                Ok(()) => {
                    if ctx.conversation_id.get_untracked().as_deref() == Some(id.as_str()) {
                        ctx.show(None);
                        navigate("/", Default::default());
                    }
                    ctx.reload_list();
                }
                Err(error) => ctx
                    .error
                    .set(Some(crate::app::state::TurnError { error, retry: None })),
            }
        });
    };

    view! {
        <li class=move || {
            let base = "group rounded-lg px-2 py-2";
            if is_current() { format!("{base} bg-teal-100 dark:bg-teal-950") } else { format!("{base} hover:bg-slate-200 dark:hover:bg-slate-800") }
        }>
            <Show
                when=move || confirming.get()
                fallback={
                    let href = href.clone();
                    let title = title.clone();
                    let preview = conversation.preview.clone();
                    let is_current = is_current.clone();
                    move || {
                        let title_for_label = title.clone();
                        let is_current = is_current.clone();
                        view! {
                            <div class="flex items-start gap-1">
                                <a
                                    href=href.clone()
                                    class="min-w-0 flex-1"
                                    aria-current=move || is_current().then_some("page")
                                    on:click=move |_| ctx.drawer_open.set(false)
                                >
                                    <span class="block truncate text-sm font-medium">{title.clone()}</span>
                                    <span class="block truncate text-xs text-slate-600 dark:text-slate-400">{preview.clone()}</span>
                                </a>
                                <button
                                    type="button"
                                    class="rounded p-1 text-slate-500 hover:bg-slate-300 hover:text-red-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:hover:bg-slate-700"
                                    aria-label=format!("Delete conversation: {title_for_label}")
                                    on:click=move |_| confirming.set(true)
                                >
                                    <svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4" fill="none" stroke="currentColor" stroke-width="2">
                                        <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
                                    </svg>
                                </button>
                            </div>
                        }
                    }
                }
            >
                <div class="flex flex-col gap-2 text-sm" role="group" aria-label="Confirm delete">
                    <p>"Delete \u{201c}" {title.clone()} "\u{201d}? This cannot be undone."</p>
                    <div class="flex gap-2">
                        <button
                            type="button"
                            class="rounded-md bg-red-700 px-3 py-1 font-medium text-white hover:bg-red-800"
                            on:click=delete.clone()
                        >
                            "Delete"
                        </button>
                        <button
                            type="button"
                            class="rounded-md border border-slate-400 px-3 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"
                            on:click=move |_| confirming.set(false)
                        >
                            "Cancel"
                        </button>
                    </div>
                </div>
            </Show>
        </li>
    }
}
