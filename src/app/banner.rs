//! The notice every guest sees: their history is on this device only, how many questions are left today, and
//! what signing up brings. Users never see it (their user menu says what is left).

use leptos::prelude::*;

use super::account::AccountContext;

#[component]
pub fn GuestBanner() -> impl IntoView {
    let account = AccountContext::use_context();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let viewer = account.viewer.await.ok()?;
                if viewer.user.is_some() {
                    return None;
                }
                let left = match (viewer.remaining_today, viewer.per_day) {
                    (Some(0), _) => " You have no questions left today.".to_string(),
                    (Some(1), Some(per_day)) => format!(" 1 of {per_day} questions left today."),
                    (Some(left), Some(per_day)) => format!(" {left} of {per_day} questions left today."),
                    _ => String::new(),
                };
                Some(view! {
                    <div
                        role="status"
                        class="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
                    >
                        "You are chatting as a guest: your history is saved on this device only." {left} " "
                        <a href="/signup" rel="external" class="font-medium underline">"Sign up to keep your history on every device"</a>
                    </div>
                })
            })}
        </Transition>
    }
}
