//! Settings' "API keys": make a key (shown once, right here, after the form posts back), list the live ones with
//! what they may do and when they were last used, and revoke each.

use leptos::prelude::*;

use super::fields::{format_time, FormError, Notice, TextField, BUTTON, SECTION};
use crate::{
    i18n::{fill, texts},
    model::account::{ApiKeyInfo, Flash},
};

const CHECKBOX: &str = "h-4 w-4 rounded border-slate-400 text-teal-700 focus:ring-teal-600";

#[component]
pub fn ApiKeys(
    keys: Vec<ApiKeyInfo>,
    /// The flash of "Create API key" (the key made, or the errors).
    made: Flash,
    /// The flash of a key's "Revoke".
    revoked: Flash,
) -> impl IntoView {
    let t = &texts().settings;
    let new_key = made.value("key");
    let shown_key = (!new_key.is_empty()).then_some(new_key);
    let created_notice = shown_key.as_ref().and(made.notice.clone());
    let name_errors = made.errors_for("name");
    let scope_errors = made.errors_for("scopes");
    let scopes_described = (!scope_errors.is_empty()).then_some("key-scopes-error");
    let name_value = if shown_key.is_some() {
        String::new()
    } else {
        made.value("name")
    };
    view! {
        <section aria-labelledby="keys-heading" class=SECTION>
            <h2 id="keys-heading" class="text-lg font-semibold">{t.api_keys_heading}</h2>
            <p class="text-sm">
                {t.api_keys_text} " "
                <a href="/api/docs" rel="external" class="text-teal-800 underline dark:text-teal-300">{t.api_docs}</a>
            </p>
            <Notice text=created_notice />
            {shown_key.map(|key| view! {
                <div class="flex flex-col gap-1">
                    <label for="new-api-key" class="text-sm font-medium">{t.new_key_label}</label>
                    <input id="new-api-key" readonly="" value=key
                        class="rounded-lg border border-slate-400 bg-slate-50 px-3 py-2 font-mono text-sm dark:border-slate-600 dark:bg-slate-900" />
                </div>
            })}
            <form method="post" action="/settings/keys/create" novalidate="" class="flex flex-col gap-3">
                <FormError flash=made.clone() />
                <TextField name="name" label=t.key_name hint=t.key_name_hint value=name_value
                    focus=!name_errors.is_empty() errors=name_errors />
                <fieldset class="flex flex-col gap-1" aria-describedby=scopes_described>
                    <legend class="text-sm font-medium">{t.key_scopes}</legend>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="scope_read" checked="" class=CHECKBOX />{t.scope_read}</label>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="scope_write" checked="" class=CHECKBOX />{t.scope_write}</label>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="scope_chat" checked="" class=CHECKBOX />{t.scope_chat}</label>
                    {(!scope_errors.is_empty()).then(|| view! {
                        <ul id="key-scopes-error" class="text-sm text-red-700 dark:text-red-300">
                            {scope_errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                        </ul>
                    })}
                </fieldset>
                <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="record" checked="" class=CHECKBOX />{t.key_record}</label>
                <button type="submit" class=BUTTON>{t.create_key}</button>
            </form>
            <Notice text=revoked.notice.clone() />
            <FormError flash=revoked />
            <KeyList keys />
        </section>
    }
}

#[component]
fn KeyList(keys: Vec<ApiKeyInfo>) -> impl IntoView {
    let t = &texts().settings;
    if keys.is_empty() {
        return view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t.no_keys}</p> }
            .into_any();
    }
    view! {
        <ul class="flex flex-col divide-y divide-slate-200 dark:divide-slate-800" aria-label=t.keys_label>
            {keys.into_iter().map(|key| {
                let label = fill(t.revoke_key_label, &[("name", &key.name)]);
                let scopes = fill(t.key_scopes_list, &[("scopes", &key.scopes.join(", "))]);
                let used = match key.last_used_at_ms {
                    Some(at) => fill(t.key_last_used, &[("time", &format_time(at))]),
                    None => t.key_never_used.to_string(),
                };
                view! {
                    <li class="flex flex-wrap items-center gap-2 py-2">
                        <div class="min-w-0 flex-1">
                            <p class="font-medium">{key.name.clone()} " " <code class="text-xs">{key.prefix.clone()}"…"</code></p>
                            <p class="text-xs text-slate-600 dark:text-slate-400">{scopes} " · " {used}</p>
                        </div>
                        <form method="post" action="/settings/keys/revoke">
                            <input type="hidden" name="key_id" value=key.id />
                            <button type="submit" aria-label=label class="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">{t.revoke}</button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
