//! `/signup`: "Create your account". A plain form post (see `server/identity/forms.rs`), so it works before the
//! wasm arrives; after a rejected post the page shows what was typed (never the password) and every problem.

use leptos::prelude::*;

use super::{
    fields::{first_invalid, FormError, HumanCheck, TextField},
    flash_for, AccountContext, PageHeader,
};
use crate::i18n::texts;

const FIELDS: [&str; 4] = ["username", "email", "password", "human_check"];

#[component]
pub fn SignUpPage() -> impl IntoView {
    let account = AccountContext::use_context();
    let t = &texts().account;
    view! {
        <main class="flex min-w-0 flex-1 flex-col overflow-y-auto" id="main">
            <PageHeader title=t.sign_up_title />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash_for(account.flash.await, &["signup"]).unwrap_or_default();
                    let focus = first_invalid(&flash, &FIELDS);
                    view! {
                        <form method="post" action="/signup" novalidate="" data-human-check="" class="mx-auto flex w-full max-w-md flex-col gap-4 p-4">
                            <p class="text-sm text-slate-700 dark:text-slate-300">
                                {t.sign_up_intro}
                            </p>
                            <FormError flash=flash.clone() />
                            <TextField name="username" label=t.username_label autocomplete="username"
                                hint=t.username_hint
                                value=flash.value("username") errors=flash.errors_for("username") focus=focus == Some("username") />
                            <TextField name="email" label=t.email_label kind="email" autocomplete="email"
                                value=flash.value("email") errors=flash.errors_for("email") focus=focus == Some("email") />
                            <TextField name="password" label=t.password_label kind="password" autocomplete="new-password"
                                hint=t.password_hint
                                value="" errors=flash.errors_for("password") focus=focus == Some("password") />
                            <HumanCheck errors=flash.errors_for("human_check") />
                            <button type="submit" class="rounded-lg bg-teal-700 px-4 py-2 font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                                {t.create_account}
                            </button>
                            <p class="text-sm">
                                {t.have_account}
                                " "
                                <a href="/signin" rel="external" class="text-teal-800 underline dark:text-teal-300">{t.sign_in_instead}</a>
                            </p>
                        </form>
                    }
                })}
            </Suspense>
        </main>
    }
}
