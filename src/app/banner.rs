//! The notice every guest sees, in one line: how many questions are left today and a way to sign up; opened, why
//! (their history is on this device only); closed for the rest of the browser session with its "×". Users never see
//! it (their user menu says what is left).

use leptos::prelude::*;

use super::account::AccountContext;
use crate::{
    i18n::{fill, texts},
    model::account::GUEST_NOTICE_COOKIE,
};

#[component]
pub fn GuestBanner() -> impl IntoView {
    let account = AccountContext::use_context();
    let closed = RwSignal::new(false);
    let t = &texts().banner;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let viewer = account.viewer.await.ok()?;
                if viewer.user.is_some() || viewer.guest_notice_hidden {
                    return None;
                }
                let left = match (viewer.remaining_today, viewer.per_day) {
                    (Some(0), _) => t.no_questions_left.to_string(),
                    (Some(left), Some(per_day)) => fill(
                        t.questions_left,
                        &[("left", &left.to_string()), ("per_day", &per_day.to_string())],
                    ),
                    _ => t.guest.to_string(),
                };
                Some(view! {
                    <Show when=move || !closed.get()>
                        <div class="flex items-start gap-2 border-b border-amber-200 bg-amber-50 px-3 py-1 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
                            <details class="group min-w-0 flex-1">
                                <summary class="cursor-pointer truncate py-0.5 marker:text-amber-700">
                                    <span role="status">{left.clone()}</span>
                                </summary>
                                <p class="pb-1">
                                    {t.why_sign_up}
                                </p>
                            </details>
                            <a href="/signup" rel="external" class="shrink-0 py-0.5 font-medium underline">{t.sign_up}</a>
                            <button
                                type="button"
                                class="shrink-0 rounded-md px-1.5 hover:bg-amber-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-700 dark:hover:bg-amber-900"
                                aria-label=t.close
                                on:click=move |_| {
                                    close_for_this_session();
                                    closed.set(true);
                                }
                            >
                                "×"
                            </button>
                        </div>
                    </Show>
                })
            })}
        </Transition>
    }
}

/// A session cookie, so the server leaves the notice out of every page until the browser is closed.
fn close_for_this_session() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let secure = web_sys::window()
            .and_then(|w| w.location().protocol().ok())
            .is_some_and(|p| p == "https:");
        let cookie = format!(
            "{GUEST_NOTICE_COOKIE}=hidden; Path=/; SameSite=Lax{}",
            if secure { "; Secure" } else { "" }
        );
        if let Some(document) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = document.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = GUEST_NOTICE_COOKIE;
}
