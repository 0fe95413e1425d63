//! `/admin`: the dashboard for admins (everyone else gets the page that does not exist, with its 404). Usage over
//! 30 days as charts drawn on the server, each with its numbers in a table; totals per model and tier; users to
//! search, disable or make admin; guests today; providers' error rates; the daily limits per tier. Every change is
//! a plain form post that comes back here with a notice or the errors.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    account::{
        fields::{dollars, format_time, FormError, Notice, TextField, BUTTON, SECTION},
        flash_for, AccountContext, PageHeader,
    },
    NotFound,
};
use crate::{
    api::load_admin,
    i18n::{fill, texts, AdminTexts},
    model::{
        account::Flash,
        admin::{AdminDay, AdminOverview, AdminUser, Chart, NamedUsage, ProviderStatus},
    },
};

const SMALL_BUTTON: &str = "rounded-md border border-slate-300 px-2 py-0.5 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800";
const TABLE: &str = "w-full text-left text-sm";
const HEAD_ROW: &str = "border-b border-slate-200 dark:border-slate-800";

#[component]
pub fn AdminPage() -> impl IntoView {
    let account = AccountContext::use_context();
    let query = use_query_map();
    let overview = Resource::new(
        move || query.read().get("q").unwrap_or_default(),
        load_admin,
    );
    let t = &texts().admin;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash_for(account.flash.await, &["admin_users", "admin_limits"]).unwrap_or_default();
                match overview.await {
                    Ok(overview) => view! {
                        <main class="flex min-w-0 flex-1 flex-col overflow-y-auto" id="main">
                            <PageHeader title=t.title />
                            <Dashboard overview flash />
                        </main>
                    }.into_any(),
                    Err(error) if error.code == "not_found" => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        let text = fill(t.load_failed, &[("message", &error.message), ("reference", &error.correlation_id)]);
                        view! { <main class="flex-1 p-4" id="main"><p role="alert">{text}</p></main> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Dashboard(overview: AdminOverview, flash: Flash) -> impl IntoView {
    let t = &texts().admin;
    let (users_flash, limits_flash) = if flash.form == "admin_users" {
        (flash, Flash::default())
    } else {
        (Flash::default(), flash)
    };
    let return_to = if overview.user_query.is_empty() {
        "/admin".to_string()
    } else {
        format!("/admin?q={}", urlencode(&overview.user_query))
    };
    let guests_today = fill(
        t.guests_today,
        &[("count", &overview.guests_today.to_string())],
    );
    let AdminOverview {
        days,
        charts,
        per_model,
        per_tier,
        users,
        user_query,
        providers,
        limits,
        ..
    } = overview;
    let (question_days, token_days) = (days.clone(), days.clone());
    view! {
        <div class="mx-auto flex w-full max-w-4xl flex-col gap-6 p-4">
            <section aria-labelledby="usage-heading" class=SECTION>
                <h2 id="usage-heading" class="text-lg font-semibold">{t.usage_heading}</h2>
                <p class="text-sm">{guests_today}</p>
                <ChartFigure id="questions" title=t.questions_chart chart=charts.questions>
                    <DayTable days=question_days kind=DayColumns::Questions />
                </ChartFigure>
                <ChartFigure id="tokens" title=t.tokens_chart chart=charts.tokens>
                    <DayTable days=token_days kind=DayColumns::Tokens />
                </ChartFigure>
                <ChartFigure id="cost" title=t.cost_chart chart=charts.cost>
                    <DayTable days=days kind=DayColumns::Cost />
                </ChartFigure>
                <h3 class="font-semibold">{t.per_model_heading}</h3>
                <TotalsTable rows=per_model name_column=t.model_column caption=t.per_model_heading />
                <h3 class="font-semibold">{t.per_tier_heading}</h3>
                <TotalsTable rows=per_tier name_column=t.tier_column caption=t.per_tier_heading />
            </section>

            <section aria-labelledby="users-heading" class=SECTION>
                <h2 id="users-heading" class="text-lg font-semibold">{t.users_heading}</h2>
                <form method="get" action="/admin" role="search" class="flex flex-wrap items-end gap-2">
                    <div class="min-w-0 flex-1">
                        <TextField name="q" label=t.search_label kind="search" hint=t.search_hint value=user_query errors=Vec::new() />
                    </div>
                    <button type="submit" class=format!("{BUTTON} mb-5")>{t.search_button}</button>
                </form>
                <Notice text=users_flash.notice.clone() />
                <FormError flash=users_flash />
                <UsersTable users return_to />
            </section>

            <section aria-labelledby="providers-heading" class=SECTION>
                <h2 id="providers-heading" class="text-lg font-semibold">{t.providers_heading}</h2>
                <ProvidersTable providers />
            </section>

            <section aria-labelledby="limits-heading" class=SECTION>
                <h2 id="limits-heading" class="text-lg font-semibold">{t.limits_heading}</h2>
                <p class="text-sm">{t.limits_text}</p>
                <Notice text=limits_flash.notice.clone() />
                <FormError flash=limits_flash.clone() />
                <form method="post" action="/admin/limits" novalidate="" class="grid gap-3 sm:grid-cols-2">
                    {limits.into_iter().map(|tier| {
                        let (questions_field, tokens_field, name) = if tier.tier == "guest" {
                            ("guest_questions_per_day", "guest_tokens_per_day", t.tier_guest)
                        } else {
                            ("user_questions_per_day", "user_tokens_per_day", t.tier_user)
                        };
                        let value = |field: &str, current: String| {
                            if limits_flash.errors.is_empty() { current } else { limits_flash.value(field) }
                        };
                        view! {
                            <TextField name=questions_field label=fill(t.questions_per_day, &[("tier", name)])
                                value=value(questions_field, tier.questions_per_day.to_string())
                                errors=limits_flash.errors_for(questions_field) />
                            <TextField name=tokens_field label=fill(t.tokens_per_day, &[("tier", name)])
                                value=value(tokens_field, tier.tokens_per_day.to_string())
                                errors=limits_flash.errors_for(tokens_field) />
                        }
                    }).collect_view()}
                    <button type="submit" class=BUTTON>{t.save_limits}</button>
                </form>
            </section>
        </div>
    }
}

/// A chart (SVG from the server) with its title, and its numbers as a table for anyone who cannot see it.
#[component]
fn ChartFigure(
    id: &'static str,
    title: &'static str,
    chart: Chart,
    children: Children,
) -> impl IntoView {
    let t = &texts().admin;
    let caption_id = format!("figure-{id}");
    let labelled_by = caption_id.clone();
    view! {
        <figure aria-labelledby=labelled_by class="flex flex-col gap-2">
            <figcaption id=caption_id class="font-semibold">{title}</figcaption>
            <div class="text-slate-700 dark:text-slate-300" inner_html=chart.svg></div>
            <details class="text-sm">
                <summary class="cursor-pointer text-teal-800 underline dark:text-teal-300">{fill(t.show_table, &[("chart", title)])}</summary>
                {children()}
            </details>
        </figure>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DayColumns {
    Questions,
    Tokens,
    Cost,
}

#[component]
fn DayTable(days: Vec<AdminDay>, kind: DayColumns) -> impl IntoView {
    let t = &texts().admin;
    let (caption, headings): (&str, Vec<&str>) = match kind {
        DayColumns::Questions => (
            t.questions_chart,
            vec![t.tier_guest, t.tier_user, t.tier_admin, t.total_column],
        ),
        DayColumns::Tokens => (
            t.tokens_chart,
            vec![t.tokens_in_column, t.tokens_out_column],
        ),
        DayColumns::Cost => (t.cost_chart, vec![t.cost_column]),
    };
    view! {
        <table class=format!("{TABLE} mt-2")>
            <caption class="sr-only">{caption}</caption>
            <thead>
                <tr class=HEAD_ROW>
                    <th scope="col" class="py-1">{t.day_column}</th>
                    {headings.into_iter().map(|h| view! { <th scope="col" class="py-1 text-right">{h}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {days.into_iter().map(|day| {
                    let cells: Vec<String> = match kind {
                        DayColumns::Questions => vec![
                            day.guest_questions.to_string(),
                            day.user_questions.to_string(),
                            day.admin_questions.to_string(),
                            day.questions().to_string(),
                        ],
                        DayColumns::Tokens => vec![day.prompt_tokens.to_string(), day.completion_tokens.to_string()],
                        DayColumns::Cost => vec![dollars(day.cost_micros)],
                    };
                    view! {
                        <tr>
                            <th scope="row" class="py-0.5 font-normal">{day.day}</th>
                            {cells.into_iter().map(|c| view! { <td class="py-0.5 text-right">{c}</td> }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn TotalsTable(
    rows: Vec<NamedUsage>,
    name_column: &'static str,
    caption: &'static str,
) -> impl IntoView {
    let t = &texts().admin;
    if rows.is_empty() {
        return view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t.no_usage_summary}</p> }.into_any();
    }
    view! {
        <table class=TABLE>
            <caption class="sr-only">{caption}</caption>
            <thead>
                <tr class=HEAD_ROW>
                    <th scope="col" class="py-1">{name_column}</th>
                    <th scope="col" class="py-1 text-right">{t.questions_column}</th>
                    <th scope="col" class="py-1 text-right">{t.tokens_in_column}</th>
                    <th scope="col" class="py-1 text-right">{t.tokens_out_column}</th>
                    <th scope="col" class="py-1 text-right">{t.cost_column}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <th scope="row" class="py-0.5 font-normal">{row.name}</th>
                        <td class="py-0.5 text-right">{row.totals.questions}</td>
                        <td class="py-0.5 text-right">{row.totals.prompt_tokens}</td>
                        <td class="py-0.5 text-right">{row.totals.completion_tokens}</td>
                        <td class="py-0.5 text-right">{dollars(row.totals.cost_micros)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn UsersTable(users: Vec<AdminUser>, return_to: String) -> impl IntoView {
    let t = &texts().admin;
    if users.is_empty() {
        return view! { <p class="text-sm">{t.no_users}</p> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE>
                <caption class="sr-only">{t.users_heading}</caption>
                <thead>
                    <tr class=HEAD_ROW>
                        <th scope="col" class="py-1 pr-2">{t.username_column}</th>
                        <th scope="col" class="py-1 pr-2">{t.email_column}</th>
                        <th scope="col" class="py-1 pr-2">{t.role_column}</th>
                        <th scope="col" class="py-1 pr-2">{t.status_column}</th>
                        <th scope="col" class="py-1 pr-2">{t.joined_column}</th>
                        <th scope="col" class="py-1">{t.actions_column}</th>
                    </tr>
                </thead>
                <tbody>
                    {users.into_iter().map(|user| view! { <UserRow user return_to=return_to.clone() t /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn UserRow(user: AdminUser, return_to: String, t: &'static AdminTexts) -> impl IntoView {
    let name = user.username.clone();
    let label = |template: &str| fill(template, &[("username", &name)]);
    let (status_set, status_text, status_label) = if user.disabled {
        ("active", t.enable, label(t.enable_label))
    } else {
        ("disabled", t.disable, label(t.disable_label))
    };
    let (role_set, role_text, role_label) = if user.is_admin {
        ("user", t.remove_admin, label(t.remove_admin_label))
    } else {
        ("admin", t.make_admin, label(t.make_admin_label))
    };
    let form = move |action: &'static str, set: &'static str, text: &'static str, aria: String| {
        view! {
            <form method="post" action=action>
                <input type="hidden" name="user_id" value=user.id.clone() />
                <input type="hidden" name="set" value=set />
                <input type="hidden" name="return_to" value=return_to.clone() />
                <button type="submit" class=SMALL_BUTTON aria-label=aria>{text}</button>
            </form>
        }
    };
    view! {
        <tr class="align-top">
            <th scope="row" class="py-1 pr-2 font-medium">
                {user.username.clone()}
                {user.is_you.then(|| format!(" {}", t.you))}
            </th>
            <td class="break-all py-1 pr-2">{user.email.clone()}</td>
            <td class="py-1 pr-2">{if user.is_admin { t.role_admin } else { t.role_user }}</td>
            <td class="py-1 pr-2">{if user.disabled { t.status_disabled } else { t.status_active }}</td>
            <td class="whitespace-nowrap py-1 pr-2">{format_time(user.created_at_ms)}</td>
            <td class="py-1">
                {(!user.is_you).then(|| view! {
                    <div class="flex flex-wrap gap-1">
                        {form("/admin/users/status", status_set, status_text, status_label.clone())}
                        {form("/admin/users/role", role_set, role_text, role_label.clone())}
                    </div>
                })}
            </td>
        </tr>
    }
}

#[component]
fn ProvidersTable(providers: Vec<ProviderStatus>) -> impl IntoView {
    let t = &texts().admin;
    if providers.is_empty() {
        return view! { <p class="text-sm">{t.no_providers}</p> }.into_any();
    }
    view! {
        <table class=TABLE>
            <caption class="sr-only">{t.providers_heading}</caption>
            <thead>
                <tr class=HEAD_ROW>
                    <th scope="col" class="py-1">{t.provider_column}</th>
                    <th scope="col" class="py-1 text-right">{t.attempts_column}</th>
                    <th scope="col" class="py-1 text-right">{t.errors_column}</th>
                    <th scope="col" class="py-1 text-right">{t.error_rate_column}</th>
                    <th scope="col" class="py-1 pl-2">{t.last_error_column}</th>
                </tr>
            </thead>
            <tbody>
                {providers.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row" class="py-0.5 font-normal">{p.label.clone()}</th>
                        <td class="py-0.5 text-right">{p.attempts}</td>
                        <td class="py-0.5 text-right">{p.errors}</td>
                        <td class="py-0.5 text-right">{p.error_rate()}</td>
                        <td class="py-0.5 pl-2">{p.last_error.clone().unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A search as a URL query value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
