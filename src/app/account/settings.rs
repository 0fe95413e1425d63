//! `/settings`: the account's email and password, its signed-in sessions, its usage, its data and its deletion.
//! Every change is a plain form post that comes back here with a notice or the errors next to the fields.

use leptos::prelude::*;

use super::{
    api_keys::ApiKeys,
    fields::{dollars, format_time, FormError, Notice, TextField, BUTTON, SECTION},
    flash_for, AccountContext, PageHeader,
};
use crate::{
    api::load_account_settings,
    i18n::{fill, texts, SettingsTexts},
    model::{
        account::{AccountSettings, Flash, SessionInfo, UsageTotals, API_KEY_FORM},
        share::SharedLink,
    },
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let account = AccountContext::use_context();
    let settings = Resource::new(|| (), |_| load_account_settings());
    let t = &texts().settings;
    view! {
        <main class="flex min-w-0 flex-1 flex-col overflow-y-auto" id="main">
            <PageHeader title=t.title />
            <Suspense fallback=move || view! { <p class="p-4">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    let flash = flash_for(account.flash.await, &["email", "password", "sessions", "shares", "api_key", "api_keys", "delete"]);
                    match settings.await {
                        Ok(settings) => view! { <SettingsSections settings flash=flash.unwrap_or_default() /> }.into_any(),
                        Err(error) if error.code == "sign_in_required" => view! {
                            <div class="mx-auto flex max-w-md flex-col gap-3 p-6 text-center">
                                <p>{t.sign_in_to_see}</p>
                                <a href="/signin" rel="external" class="text-teal-800 underline dark:text-teal-300">{t.sign_in}</a>
                            </div>
                        }.into_any(),
                        Err(error) => {
                            let text = fill(
                                t.load_failed,
                                &[("message", &error.message), ("reference", &error.correlation_id)],
                            );
                            view! { <p role="alert" class="p-4">{text}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The notice or form-wide error of one section's form.
fn section_flash(flash: &Flash, form: &str) -> (Option<String>, Flash) {
    if flash.form == form {
        (flash.notice.clone(), flash.clone())
    } else {
        (None, Flash::default())
    }
}

#[component]
fn SettingsSections(settings: AccountSettings, flash: Flash) -> impl IntoView {
    let t = &texts().settings;
    let (email_notice, email_flash) = section_flash(&flash, "email");
    let (password_notice, password_flash) = section_flash(&flash, "password");
    let (sessions_notice, sessions_flash) = section_flash(&flash, "sessions");
    let (shares_notice, shares_flash) = section_flash(&flash, "shares");
    let (_, delete_flash) = section_flash(&flash, "delete");
    let (_, made_key_flash) = section_flash(&flash, API_KEY_FORM);
    let (_, keys_flash) = section_flash(&flash, "api_keys");
    let email_value = if email_flash.errors.is_empty() {
        settings.email.clone()
    } else {
        email_flash.value("email")
    };
    let left = match (settings.remaining_today, settings.per_day) {
        (Some(left), Some(per_day)) => fill(
            t.questions_left,
            &[
                ("left", &left.to_string()),
                ("per_day", &per_day.to_string()),
            ],
        ),
        _ => t.not_limited.to_string(),
    };
    let today = fill(
        t.today,
        &[("totals", &totals_text(t, &settings.usage_today))],
    );
    view! {
        <div class="mx-auto flex w-full max-w-2xl flex-col gap-6 p-4">
            <section aria-labelledby="account-heading" class=SECTION>
                <h2 id="account-heading" class="text-lg font-semibold">{t.account_heading}</h2>
                <p class="text-sm">{t.signed_in_as} " " <strong>{settings.username.clone()}</strong>
                    {settings.is_admin.then(|| format!(" {}", t.administrator))}</p>
                <form method="post" action="/settings/email" novalidate="" class="flex flex-col gap-3">
                    <Notice text=email_notice />
                    <FormError flash=email_flash.clone() />
                    <TextField name="email" label=t.email_label kind="email" autocomplete="email"
                        value=email_value errors=email_flash.errors_for("email") focus=!email_flash.errors.is_empty() />
                    <button type="submit" class=BUTTON>{t.change_email}</button>
                </form>
            </section>

            <section aria-labelledby="password-heading" class=SECTION>
                <h2 id="password-heading" class="text-lg font-semibold">{t.password_heading}</h2>
                <form method="post" action="/settings/password" novalidate="" class="flex flex-col gap-3">
                    <Notice text=password_notice />
                    <FormError flash=password_flash.clone() />
                    <TextField name="current_password" label=t.current_password kind="password" autocomplete="current-password"
                        value="" errors=password_flash.errors_for("current_password") focus=!password_flash.errors_for("current_password").is_empty() />
                    <TextField name="new_password" label=t.new_password kind="password" autocomplete="new-password"
                        hint=t.new_password_hint
                        value="" errors=password_flash.errors_for("new_password") focus=!password_flash.errors_for("new_password").is_empty() />
                    <button type="submit" class=BUTTON>{t.change_password}</button>
                </form>
            </section>

            <section aria-labelledby="sessions-heading" class=SECTION>
                <h2 id="sessions-heading" class="text-lg font-semibold">{t.sessions_heading}</h2>
                <Notice text=sessions_notice />
                <FormError flash=sessions_flash />
                <ul class="flex flex-col divide-y divide-slate-200 dark:divide-slate-800" aria-label=t.sessions_label>
                    {settings.sessions.into_iter().map(|session| view! { <SessionRow session /> }).collect_view()}
                </ul>
            </section>

            <section aria-labelledby="shared-heading" class=SECTION>
                <h2 id="shared-heading" class="text-lg font-semibold">{t.shared_heading}</h2>
                <p class="text-sm">{t.shared_text}</p>
                <Notice text=shares_notice />
                <FormError flash=shares_flash />
                <SharedLinks links=settings.shared_links />
            </section>

            <ApiKeys keys=settings.api_keys made=made_key_flash revoked=keys_flash />

            <section aria-labelledby="usage-heading" class=SECTION>
                <h2 id="usage-heading" class="text-lg font-semibold">{t.usage_heading}</h2>
                <p class="text-sm">{left}</p>
                <p class="text-sm">{today}</p>
                <UsageTable days=settings.usage_days />
            </section>

            <section aria-labelledby="data-heading" class=SECTION>
                <h2 id="data-heading" class="text-lg font-semibold">{t.data_heading}</h2>
                <p class="text-sm">{t.data_text}</p>
                <a href="/settings/export" rel="external" download="" class="self-start text-teal-800 underline dark:text-teal-300">{t.download}</a>
            </section>

            <section aria-labelledby="delete-heading" class=SECTION>
                <h2 id="delete-heading" class="text-lg font-semibold">{t.delete_heading}</h2>
                <p class="text-sm">{t.delete_text}</p>
                <form method="post" action="/settings/delete" novalidate="" class="flex flex-col gap-3">
                    <FormError flash=delete_flash.clone() />
                    <TextField name="password" label=t.delete_password kind="password" autocomplete="current-password"
                        value="" errors=delete_flash.errors_for("current_password") focus=!delete_flash.errors.is_empty() />
                    <button type="submit" class="self-start rounded-lg bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700">
                        {t.delete_button}
                    </button>
                </form>
            </section>
        </div>
    }
}

fn totals_text(t: &SettingsTexts, totals: &UsageTotals) -> String {
    let questions = match totals.questions {
        1 => fill(t.questions_one, &[("count", "1")]),
        n => fill(t.questions_other, &[("count", &n.to_string())]),
    };
    fill(
        t.totals,
        &[
            ("questions", &questions),
            ("tokens_in", &totals.prompt_tokens.to_string()),
            ("tokens_out", &totals.completion_tokens.to_string()),
            ("cost", &dollars(totals.cost_micros)),
        ],
    )
}

#[component]
fn UsageTable(days: Vec<crate::model::account::UsageDayTotals>) -> impl IntoView {
    let t = &texts().settings;
    if days.is_empty() {
        return view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t.no_usage}</p> }
            .into_any();
    }
    view! {
        <table class="w-full text-left text-sm">
            <caption class="sr-only">{t.usage_caption}</caption>
            <thead>
                <tr class="border-b border-slate-200 dark:border-slate-800">
                    <th scope="col" class="py-1">{t.day_column}</th>
                    <th scope="col" class="py-1 text-right">{t.questions_column}</th>
                    <th scope="col" class="py-1 text-right">{t.tokens_in_column}</th>
                    <th scope="col" class="py-1 text-right">{t.tokens_out_column}</th>
                    <th scope="col" class="py-1 text-right">{t.cost_column}</th>
                </tr>
            </thead>
            <tbody>
                {days.into_iter().map(|day| view! {
                    <tr>
                        <th scope="row" class="py-1 font-normal">{day.day}</th>
                        <td class="py-1 text-right">{day.totals.questions}</td>
                        <td class="py-1 text-right">{day.totals.prompt_tokens}</td>
                        <td class="py-1 text-right">{day.totals.completion_tokens}</td>
                        <td class="py-1 text-right">{dollars(day.totals.cost_micros)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn SharedLinks(links: Vec<SharedLink>) -> impl IntoView {
    let t = &texts().settings;
    if links.is_empty() {
        return view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t.no_shared}</p> }
            .into_any();
    }
    view! {
        <ul class="flex flex-col divide-y divide-slate-200 dark:divide-slate-800" aria-label=t.shared_label>
            {links.into_iter().map(|link| {
                let label = fill(t.revoke_label, &[("title", &link.title)]);
                let shared_on = fill(t.shared_on, &[("time", &format_time(link.shared_at_ms))]);
                view! {
                    <li class="flex flex-wrap items-center gap-2 py-2">
                        <div class="min-w-0 flex-1">
                            <a href=link.path.clone() rel="external" class="block truncate font-medium text-teal-800 underline dark:text-teal-300">{link.title.clone()}</a>
                            <p class="text-xs text-slate-600 dark:text-slate-400">{shared_on}</p>
                        </div>
                        <form method="post" action="/settings/shares/revoke">
                            <input type="hidden" name="share_id" value=link.id />
                            <button type="submit" aria-label=label class="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">{t.revoke}</button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn SessionRow(session: SessionInfo) -> impl IntoView {
    let t = &texts().settings;
    let last_seen = fill(
        t.last_seen,
        &[("time", &format_time(session.last_seen_at_ms))],
    );
    let device = session.device.clone();
    let label = fill(
        if session.this_device {
            t.sign_out_this_device
        } else {
            t.sign_out_device
        },
        &[("device", &device)],
    );
    view! {
        <li class="flex flex-wrap items-center gap-2 py-2">
            <div class="flex-1">
                <p class="font-medium">
                    {device}
                    {session.this_device.then(|| view! {
                        <span class="ml-2 rounded bg-teal-100 px-1.5 py-0.5 text-xs font-medium text-teal-900 dark:bg-teal-900 dark:text-teal-100">{t.this_device}</span>
                    })}
                </p>
                <p class="text-xs text-slate-600 dark:text-slate-400">{last_seen}</p>
            </div>
            <form method="post" action="/settings/sessions/revoke">
                <input type="hidden" name="session_id" value=session.id />
                <button type="submit" aria-label=label class="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">{t.sign_out}</button>
            </form>
        </li>
    }
}
