//! The header's account corner: "Sign in" and "Sign up" links for a guest; for a user, a button named after them
//! that opens a menu with Settings, the questions left today, and Sign out. The sign-up and sign-in pages are
//! always loaded whole (`rel="external"`): their human-check script runs from the server-rendered page.

use leptos::prelude::*;

use super::AccountContext;
use crate::{
    i18n::{fill, texts, AccountTexts},
    model::account::Viewer,
};

/// "12 questions left today" (or "No limit on questions" for admins).
pub fn questions_left(t: &AccountTexts, viewer: &Viewer) -> String {
    match viewer.remaining_today {
        Some(1) => fill(t.questions_left_one, &[("count", "1")]),
        Some(left) => fill(t.questions_left_other, &[("count", &left.to_string())]),
        None => t.no_limit.into(),
    }
}

#[component]
pub fn AccountMenu() -> impl IntoView {
    let account = AccountContext::use_context();
    let t = &texts().account;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match account.viewer.await {
                    Ok(viewer) if viewer.user.is_some() => view! { <UserMenu viewer /> }.into_any(),
                    _ => view! {
                        <nav aria-label=t.account_nav class="flex items-center gap-1 text-sm">
                            <a href="/signin" rel="external" class="rounded-md px-2 py-1.5 font-medium text-teal-800 hover:bg-slate-100 dark:text-teal-300 dark:hover:bg-slate-800">{t.sign_in}</a>
                            // On a phone the guest notice carries "Sign up"; the header keeps room.
                            <a href="/signup" rel="external" class="hidden rounded-md bg-teal-700 px-2.5 py-1.5 font-medium text-white hover:bg-teal-800 sm:inline-block">{t.sign_up}</a>
                        </nav>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserMenu(viewer: Viewer) -> impl IntoView {
    let t = &texts().account;
    let open = RwSignal::new(false);
    let username = viewer
        .user
        .as_ref()
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let left = questions_left(t, &viewer);
    let is_admin = viewer.user.as_ref().is_some_and(|u| u.is_admin);
    view! {
        <div class="relative" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button
                type="button"
                id="user-menu-button"
                class="flex items-center gap-1 rounded-md px-2 py-1.5 text-sm font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:hover:bg-slate-800"
                aria-haspopup="menu"
                aria-controls="user-menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {username}
                <svg aria-hidden="true" viewBox="0 0 20 20" class="h-4 w-4" fill="currentColor"><path d="M5 7l5 6 5-6z" /></svg>
            </button>
            <div
                id="user-menu"
                role="menu"
                aria-labelledby="user-menu-button"
                class="absolute right-0 z-40 mt-1 w-60 rounded-lg border border-slate-200 bg-white p-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
                hidden=move || !open.get()
            >
                <p class="px-3 py-2 text-slate-600 dark:text-slate-400">{left}</p>
                <a role="menuitem" href="/settings" class="block rounded-md px-3 py-2 hover:bg-slate-100 dark:hover:bg-slate-800" on:click=move |_| open.set(false)>{t.settings}</a>
                {is_admin.then(|| view! {
                    <a role="menuitem" href="/admin" rel="external" class="block rounded-md px-3 py-2 hover:bg-slate-100 dark:hover:bg-slate-800">{t.admin}</a>
                })}
                <form method="post" action="/signout">
                    <button role="menuitem" type="submit" class="block w-full rounded-md px-3 py-2 text-left hover:bg-slate-100 dark:hover:bg-slate-800">{t.sign_out}</button>
                </form>
            </div>
        </div>
    }
}
