//! "Search conversations": full-text search over the guest's own titles and messages, results with the matching
//! words marked.

use leptos::prelude::*;

use leptos_router::hooks::use_navigate;

use crate::{
    api::search_conversations,
    app::ChatContext,
    i18n::{fill, texts},
    model::SearchResult,
};

/// Milliseconds of quiet typing before a search is sent.
const DEBOUNCE_MS: u64 = 250;

#[component]
pub fn SearchBox(query: RwSignal<String>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let generation = StoredValue::new(0u64);
    let t = &texts().sidebar;
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        typed.set(value.clone());
        // Only the last keystroke's timer applies the query.
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    query.set(value);
                }
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        );
    };
    view! {
        <div role="search">
            <label for="conversation-search" class="sr-only">{t.search_label}</label>
            <input
                id="conversation-search"
                type="search"
                maxlength="200"
                placeholder=t.search_label
                autocomplete="off"
                class="w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/40 dark:border-slate-700 dark:bg-slate-950"
                prop:value=move || typed.get()
                on:input=on_input
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        typed.set(String::new());
                        query.set(String::new());
                    }
                }
            />
        </div>
    }
}

#[component]
pub fn SearchResults(query: RwSignal<String>) -> impl IntoView {
    let results = Resource::new(move || query.get(), search_conversations);
    let t = &texts().sidebar;
    view! {
        <div class="flex-1 overflow-y-auto px-2 pb-4">
            <Transition fallback=move || view! { <p class="px-2 text-sm text-slate-600 dark:text-slate-400">{t.searching}</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(hits) if hits.is_empty() => view! {
                            <p class="px-2 py-4 text-sm text-slate-600 dark:text-slate-400" role="status">{t.no_matches}</p>
                        }.into_any(),
                        Ok(hits) => view! {
                            <p class="sr-only" role="status">{fill(if hits.len() == 1 { t.matches_one } else { t.matches_other }, &[("count", &hits.len().to_string())])}</p>
                            <ul class="flex flex-col gap-1" aria-label=t.search_results>
                                {hits.into_iter().map(|hit| view! { <SearchHit hit /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="px-2 text-sm text-red-700 dark:text-red-300" role="alert">{error.message.clone()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn SearchHit(hit: SearchResult) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let navigate = use_navigate();
    let t = &texts().sidebar;
    let href = format!("/c/{}", hit.id);
    // Navigated here rather than by the router's link handling, which left the address bar behind when the link
    // sat in the search results (the conversation opened, the URL stayed `/`).
    let open = {
        let href = href.clone();
        move |ev: leptos::ev::MouseEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                return;
            }
            ev.prevent_default();
            ctx.drawer_open.set(false);
            navigate(&href, Default::default());
        }
    };
    view! {
        <li>
            <a
                href=href
                class="block rounded-lg px-2 py-2 hover:bg-slate-200 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:hover:bg-slate-800"
                on:click=open
            >
                <span class="block truncate text-sm font-medium">
                    {hit.title}
                    {hit.archived.then_some(view! { <span class="ml-1 text-xs font-normal text-slate-600 dark:text-slate-400">{t.archived_tag}</span> })}
                </span>
                <span class="snippet block text-xs text-slate-700 dark:text-slate-300">
                    {hit
                        .snippet
                        .into_iter()
                        .map(|run| {
                            if run.matched {
                                view! { <mark class="rounded bg-amber-200 px-0.5 text-slate-950 dark:bg-amber-300">{run.text}</mark> }.into_any()
                            } else {
                                view! { <span>{run.text}</span> }.into_any()
                            }
                        })
                        .collect_view()}
                </span>
            </a>
        </li>
    }
}
