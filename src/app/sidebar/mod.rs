//! The conversation list: a navigation landmark on wide screens, a drawer on narrow ones. It searches, pages in as
//! the list scrolls, keeps pinned conversations first and archived ones behind a filter.

mod item;
mod list;
mod search;
mod share;

use leptos::prelude::*;

use self::{
    list::ConversationList,
    search::{SearchBox, SearchResults},
};
use super::{
    shortcuts::{Shortcuts, ShortcutsButton},
    ChatContext,
};
use crate::i18n::texts;

#[component]
pub fn Sidebar() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let close = move || ctx.drawer_open.set(false);
    let query = RwSignal::new(String::new());
    let searching = move || !query.with(|q| q.trim().is_empty());
    let archived = RwSignal::new(false);
    let shortcuts_open = RwSignal::new(false);
    let t = &texts().sidebar;

    view! {
        <Show when=move || ctx.drawer_open.get()>
            <div class="fixed inset-0 z-20 bg-black/40 md:hidden" aria-hidden="true" on:click=move |_| close()></div>
        </Show>
        <nav
            id="sidebar"
            aria-label=t.nav_label
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
                // A link to nowhere, so it also closes the drawer opened without the app (see `DrawerButton`).
                <a
                    href="#"
                    role="button"
                    class="rounded-md p-2 hover:bg-slate-200 md:hidden dark:hover:bg-slate-800"
                    aria-label=t.close_drawer
                    on:click=move |ev| {
                        ev.prevent_default();
                        close();
                    }
                >
                    "×"
                </a>
            </div>
            <div class="flex flex-col gap-2 px-3 pb-2">
                <a
                    href="/"
                    class="block rounded-lg border border-slate-300 px-3 py-2 text-center font-medium hover:bg-white focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:hover:bg-slate-800"
                    role="button"
                    on:click=move |_| close()
                >
                    {t.new_chat}
                </a>
                <SearchBox query />
                <Show when=move || !searching()>
                    <button
                        type="button"
                        class="self-start rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-200 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-slate-300 dark:hover:bg-slate-800"
                        aria-pressed=move || archived.get().to_string()
                        on:click=move |_| archived.update(|a| *a = !*a)
                    >
                        {move || if archived.get() { t.showing_archived } else { t.show_archived }}
                    </button>
                </Show>
            </div>
            <Show
                when=searching
                fallback=move || view! { <ConversationList archived /> }
            >
                <SearchResults query />
            </Show>
            <div class="mt-auto border-t border-slate-200 px-3 py-2 dark:border-slate-800">
                <ShortcutsButton open=shortcuts_open />
            </div>
        </nav>
        <Shortcuts open=shortcuts_open />
    }
}

/// The button that opens the conversation drawer on narrow screens (hidden from `md` up, where the list stays). A
/// link to `#sidebar`, so before the app has taken over the drawer opens by CSS alone (`#sidebar:target`).
#[component]
pub fn DrawerButton() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().sidebar;
    view! {
        <a
            href="#sidebar"
            role="button"
            class="rounded-md p-2 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 md:hidden dark:hover:bg-slate-800"
            aria-label=t.open_drawer
            aria-controls="sidebar"
            aria-expanded=move || ctx.drawer_open.get().to_string()
            on:click=move |ev| {
                ev.prevent_default();
                ctx.drawer_open.set(true);
            }
        >
            <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5" fill="none" stroke="currentColor" stroke-width="2">
                <path d="M4 6h16M4 12h16M4 18h16" />
            </svg>
        </a>
    }
}
