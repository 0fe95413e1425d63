//! "Share" on a conversation: a signed-in user gets a read-only link to copy (made, or moved to now, when the panel
//! opens); a guest is asked to sign up instead, since a guest's history lives on one device.

use leptos::{html, prelude::*, task::spawn_local};

use super::item::Mode;
use crate::{
    api::share_conversation,
    app::account::AccountContext,
    i18n::{fill, texts},
};

#[derive(Clone, PartialEq)]
enum Link {
    Making,
    Ready(String),
    Failed(String),
}

#[component]
pub fn SharePanel(
    id: StoredValue<String>,
    title: RwSignal<String>,
    mode: RwSignal<Mode>,
) -> impl IntoView {
    let account = AccountContext::use_context();
    let t = &texts().sidebar;
    let signed_in = move || {
        account
            .viewer
            .get()
            .and_then(Result::ok)
            .is_some_and(|viewer| viewer.user.is_some())
    };
    let label = move || fill(t.share_label, &[("title", &title.get())]);
    let close = move |_| mode.set(Mode::Normal);
    let close_button = "rounded-md border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800";
    view! {
        <div class="flex flex-col gap-2 text-sm" role="group" aria-label=label>
            <Show
                when=signed_in
                fallback=move || view! {
                    <p>{t.share_guest}</p>
                    <div class="flex gap-2">
                        <a href="/signup" rel="external" class="rounded-md bg-teal-700 px-3 py-1 font-medium text-white hover:bg-teal-800">{t.share_sign_up}</a>
                        <button type="button" class=close_button on:click=close>{t.share_close}</button>
                    </div>
                }
            >
                <ShareLink id />
                <button type="button" class=format!("self-start {close_button}") on:click=close>{t.share_close}</button>
            </Show>
        </div>
    }
}

/// Makes the link as soon as it is shown, then offers it to copy.
#[component]
fn ShareLink(id: StoredValue<String>) -> impl IntoView {
    let t = &texts().sidebar;
    let link = RwSignal::new(Link::Making);
    let copied = RwSignal::new(false);
    let input = NodeRef::<html::Input>::new();
    spawn_local(async move {
        link.set(match share_conversation(id.get_value()).await {
            Ok(shared) => Link::Ready(format!("{}{}", origin(), shared.path)),
            Err(error) => Link::Failed(error.message),
        });
    });
    // Selected when it arrives, so Ctrl+C copies it too.
    Effect::new(move |_| {
        if matches!(link.get(), Link::Ready(_)) {
            if let Some(input) = input.get() {
                let _ = input.focus();
                input.select();
            }
        }
    });
    let copy = move |_| {
        if let Link::Ready(url) = link.get_untracked() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&url);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = url;
        }
    };
    let input_id = move || format!("share-{}", id.get_value());
    move || {
        match link.get() {
        Link::Making => view! { <p role="status">{t.share_making}</p> }.into_any(),
        Link::Failed(message) => view! { <p role="alert" class="text-red-700 dark:text-red-300">{message}</p> }.into_any(),
        Link::Ready(url) => view! {
            <label for=input_id class="font-medium">{t.share_link}</label>
            <input
                id=input_id
                node_ref=input
                type="url"
                readonly=""
                class="w-full rounded-md border border-slate-400 bg-white px-2 py-1 text-xs dark:bg-slate-950"
                prop:value=url
                aria-describedby=move || format!("share-hint-{}", id.get_value())
            />
            <p id=move || format!("share-hint-{}", id.get_value()) class="text-xs text-slate-600 dark:text-slate-400">{t.share_ready}</p>
            <div class="flex flex-wrap items-center gap-2">
                <button type="button" class="rounded-md bg-teal-700 px-3 py-1 font-medium text-white hover:bg-teal-800" on:click=copy>
                    {t.copy_link}
                </button>
                <span role="status" class="text-xs">{move || copied.get().then_some(t.link_copied)}</span>
            </div>
            <a href="/settings" rel="external" class="text-xs text-teal-800 underline dark:text-teal-300">{t.share_manage}</a>
        }.into_any(),
    }
    }
}

/// The page's own origin ("https://tally.example"), so the link works wherever this server is reached.
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}
