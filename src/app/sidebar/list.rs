//! The guest's conversations a page at a time: the first page renders on the server, the next ones load as the
//! list scrolls near its end (or with the "Load more" button), so thousands of conversations stay instant.

use leptos::{prelude::*, task::spawn_local};

use super::item::{ConversationItem, OpenActions};
use crate::{
    api::list_conversations,
    app::ChatContext,
    i18n::texts,
    model::{ApiError, ConversationSummary},
};

/// Pixels from the bottom at which the next page starts loading.
const PREFETCH_PX: i32 = 200;

#[component]
pub fn ConversationList(archived: RwSignal<bool>) -> impl IntoView {
    let ctx = ChatContext::use_context();
    provide_context(OpenActions::default());
    let t = &texts().sidebar;
    let first = Resource::new(
        move || (ctx.list_version.get(), archived.get()),
        |(_, archived)| list_conversations(archived, None),
    );
    // Pages after the first, and where the next one starts.
    let more = RwSignal::new(Vec::<ConversationSummary>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let load_more = move || {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        let archived = archived.get_untracked();
        spawn_local(async move {
            match list_conversations(archived, Some(cursor)).await {
                Ok(page) => {
                    more.update(|items| items.extend(page.items));
                    next.set(page.next);
                    failure.set(None);
                }
                Err(error) => failure.set(Some(error)),
            }
            loading.set(false);
        });
    };

    view! {
        <div
            class="flex-1 overflow-y-auto px-2 pb-4"
            on:scroll=move |ev| {
                let list = event_target::<leptos::web_sys::Element>(&ev);
                if list.scroll_top() + list.client_height() >= list.scroll_height() - PREFETCH_PX {
                    load_more();
                }
            }
        >
            <Transition fallback=move || view! { <p class="px-2 text-sm text-slate-600 dark:text-slate-400">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => {
                            // A fresh first page starts the paging over.
                            more.set(Vec::new());
                            next.set(page.next.clone());
                            if page.items.is_empty() {
                                let empty = if archived.get_untracked() { t.no_archived } else { t.no_conversations };
                                view! { <p class="px-2 py-4 text-sm text-slate-600 dark:text-slate-400">{empty}</p> }.into_any()
                            } else {
                                // The button renders with the list it continues, so the server's HTML and the
                                // browser's first render agree on whether it is there.
                                view! {
                                    <Entries first=page.items more />
                                    {move || failure.get().map(|error| view! {
                                        <p class="px-2 text-sm text-red-700 dark:text-red-300" role="alert">{error.message}</p>
                                    })}
                                    <Show when=move || next.with(Option::is_some)>
                                        <button
                                            type="button"
                                            class="mx-2 mt-2 rounded-md px-2 py-1 text-sm text-teal-800 hover:bg-slate-200 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-teal-300 dark:hover:bg-slate-800"
                                            disabled=move || loading.get()
                                            on:click=move |_| load_more()
                                        >
                                            {move || if loading.get() { t.loading } else { t.load_more }}
                                        </button>
                                    </Show>
                                }.into_any()
                            }
                        }
                        Err(error) => view! {
                            <p class="px-2 text-sm text-red-700 dark:text-red-300" role="alert">{error.message.clone()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// Pinned conversations under their own heading, then the rest.
#[component]
fn Entries(
    first: Vec<ConversationSummary>,
    more: RwSignal<Vec<ConversationSummary>>,
) -> impl IntoView {
    let t = &texts().sidebar;
    let all = move || {
        let mut items = first.clone();
        items.extend(more.get());
        items
    };
    let pinned = {
        let all = all.clone();
        move || all().into_iter().filter(|c| c.pinned).collect::<Vec<_>>()
    };
    let others = move || all().into_iter().filter(|c| !c.pinned).collect::<Vec<_>>();
    let has_pinned = {
        let pinned = pinned.clone();
        move || !pinned().is_empty()
    };
    view! {
        <Show when=has_pinned.clone()>
            <h2 class="px-2 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">{t.pinned}</h2>
            <ul class="flex flex-col gap-1" aria-label=t.pinned_label>
                <For each=pinned.clone() key=|c| (c.id.clone(), c.pinned, c.archived) let:conversation>
                    <ConversationItem conversation />
                </For>
            </ul>
            <h2 class="px-2 pb-1 pt-3 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">{t.recent}</h2>
        </Show>
        <ul class="flex flex-col gap-1">
            <For each=others.clone() key=|c| (c.id.clone(), c.pinned, c.archived) let:conversation>
                <ConversationItem conversation />
            </For>
        </ul>
    }
}
