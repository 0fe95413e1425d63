//! The notice every guest sees: where their history lives and what signing up will bring.

use leptos::prelude::*;

#[component]
pub fn GuestBanner() -> impl IntoView {
    view! {
        <div
            role="status"
            class="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
            "You are chatting as a guest. Your history is saved on this device only, for 30 days, and will come along if you sign up later."
        </div>
    }
}
