//! `/signin`: a plain form post like sign-up. After three failed attempts the human check joins the form.

use leptos::prelude::*;

use super::{
    fields::{first_invalid, FormError, HumanCheck, TextField},
    flash_for, AccountContext, PageHeader,
};
use crate::i18n::texts;

const FIELDS: [&str; 3] = ["login", "password", "human_check"];

#[component]
pub fn SignInPage() -> impl IntoView {
    let account = AccountContext::use_context();
    let t = &texts().account;
    view! {
        <main class="flex min-w-0 flex-1 flex-col overflow-y-auto" id="main">
            <PageHeader title=t.sign_in />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash_for(account.flash.await, &["signin"]).unwrap_or_default();
                    let focus = first_invalid(&flash, &FIELDS).or_else(|| {
                        // A wrong password: try the password again.
                        (!flash.errors_for("form").is_empty()).then_some("password")
                    });
                    let check = flash.needs_human_check;
                    view! {
                        <form method="post" action="/signin" novalidate="" data-human-check=check.then_some("") class="mx-auto flex w-full max-w-md flex-col gap-4 p-4">
                            <FormError flash=flash.clone() />
                            <TextField name="login" label=t.login_label autocomplete="username"
                                value=flash.value("login") errors=flash.errors_for("login") focus=focus == Some("login") />
                            <TextField name="password" label=t.password_label kind="password" autocomplete="current-password"
                                value="" errors=flash.errors_for("password") focus=focus == Some("password") />
                            {check.then(|| view! { <HumanCheck errors=flash.errors_for("human_check") /> })}
                            <button type="submit" class="rounded-lg bg-teal-700 px-4 py-2 font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                                {t.sign_in}
                            </button>
                            <p class="text-sm">
                                {t.new_to_tally}
                                " "
                                <a href="/signup" rel="external" class="text-teal-800 underline dark:text-teal-300">{t.create_an_account}</a>
                            </p>
                        </form>
                    }
                })}
            </Suspense>
        </main>
    }
}
