//! Accounts in the interface: who is looking (provided once, for the header, the banner and the user menu), the
//! sign-up and sign-in pages, and Settings.

mod api_keys;
pub(crate) mod fields;
mod menu;
mod settings;
mod sign_in;
mod sign_up;

use leptos::prelude::*;

use super::preferences::{LanguageSelect, ThemeSelect};

pub use menu::AccountMenu;
pub use settings::SettingsPage;
pub use sign_in::SignInPage;
pub use sign_up::SignUpPage;

use crate::{
    api::{load_viewer, take_flash},
    app::{sidebar::DrawerButton, ChatContext},
    i18n::texts,
    model::{
        account::{Flash, Viewer},
        ApiError,
    },
};

/// The viewer (refreshed whenever the conversation list is, so the questions left follow each answer) and the
/// flash of the form post that led here.
#[derive(Clone, Copy)]
pub struct AccountContext {
    pub viewer: Resource<Result<Viewer, ApiError>>,
    pub flash: Resource<Result<Option<Flash>, ApiError>>,
}

impl AccountContext {
    pub fn provide() {
        let chat = ChatContext::use_context();
        let viewer = Resource::new(move || chat.list_version.get(), |_| load_viewer());
        let flash = Resource::new(|| (), |_| take_flash());
        provide_context(AccountContext { viewer, flash });
    }

    pub fn use_context() -> Self {
        expect_context::<AccountContext>()
    }
}

/// The flash if it is for one of `forms`.
pub fn flash_for(flash: Result<Option<Flash>, ApiError>, forms: &[&str]) -> Option<Flash> {
    flash
        .ok()
        .flatten()
        .filter(|flash| forms.contains(&flash.form.as_str()))
}

/// What signing up, in or out (or deleting the account) has to say on the chat page.
#[component]
pub fn FlashNotice() -> impl IntoView {
    let account = AccountContext::use_context();
    let dismissed = RwSignal::new(false);
    let t = &texts().account;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash_for(account.flash.await, &["welcome", "signed_out", "deleted"]);
                flash.and_then(|flash| flash.notice).map(|notice| view! {
                    <Show when=move || !dismissed.get()>
                        <div
                            role="status"
                            class="flex items-start gap-2 border-b border-teal-200 bg-teal-50 px-4 py-2 text-sm text-teal-950 dark:border-teal-900 dark:bg-teal-950 dark:text-teal-100"
                        >
                            <p class="flex-1">{notice.clone()}</p>
                            <button
                                type="button"
                                class="rounded-md px-2 hover:bg-teal-100 dark:hover:bg-teal-900"
                                aria-label=t.dismiss
                                on:click=move |_| dismissed.set(true)
                            >
                                "×"
                            </button>
                        </div>
                    </Show>
                })
            })}
        </Suspense>
    }
}

/// The header of the account pages: the drawer button on narrow screens, the page's heading, the account links.
#[component]
pub fn PageHeader(title: &'static str) -> impl IntoView {
    view! {
        <header class="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
            <DrawerButton />
            <h1 class="min-w-0 flex-1 text-base font-semibold">{title}</h1>
            <LanguageSelect />
            <ThemeSelect />
            <AccountMenu />
        </header>
    }
}
