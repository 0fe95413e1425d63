//! What a tax answer stands on, shown around it: the profile stamp above, the calculator cards and the numbered
//! "Sources" list below, each with the tax year and the official link.

use leptos::prelude::*;

use crate::{
    i18n::{fill, texts},
    model::tax::{CalculationResult, Grounding, Source},
};

/// "Tax year 2025 · US federal · Sole proprietor", above the answer.
#[component]
pub fn TaxStamp(stamp: String) -> impl IntoView {
    // Stored in English (old answers, the API); shown in the page's language.
    let stamp = crate::model::tax::localized_stamp(&stamp, texts());
    view! {
        <p class="tax-stamp mb-1 inline-block rounded-full bg-emerald-50 px-3 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
            {stamp}
        </p>
    }
}

/// The calculations and sources under an answer.
#[component]
pub fn GroundingDetails(grounding: Grounding) -> impl IntoView {
    let first_calculation = grounding.sources.len() + 1;
    let calculations = grounding
        .calculations
        .into_iter()
        .enumerate()
        .map(|(i, calculation)| view! { <CalculationCard calculation number=first_calculation + i /> })
        .collect_view();
    let sources = grounding.sources;
    let has_sources = !sources.is_empty();
    let search_query = grounding.search_query;
    view! {
        {calculations}
        <Show when=move || has_sources>
            <SourcesList sources=sources.clone() search_query=search_query.clone() />
        </Show>
    }
}

#[component]
fn SourcesList(sources: Vec<Source>, search_query: Option<String>) -> impl IntoView {
    let t = &texts().chat;
    view! {
        <section class="sources mt-2 rounded-xl border border-slate-200 px-4 py-2 text-sm dark:border-slate-700" aria-label=t.sources>
            <h3 class="text-xs font-semibold uppercase tracking-wide text-slate-700 dark:text-slate-300">{t.sources}</h3>
            <ol class="mt-1 space-y-1">
                {sources
                    .into_iter()
                    .map(|source| {
                        let section = (!source.section.is_empty()).then(|| format!(", {}", source.section));
                        view! {
                            <li class="flex gap-2">
                                <span class="text-slate-600 dark:text-slate-400">{format!("[{}]", source.number)}</span>
                                <span>
                                    <a class="font-medium text-emerald-800 underline hover:no-underline dark:text-emerald-300"
                                        href=source.url target="_blank" rel="noopener noreferrer">{source.title}</a>
                                    <span class="text-slate-600 dark:text-slate-400">
                                        {format!(" — {}", source.publication)}{section}
                                        {format!(
                                            " · {} · {}",
                                            fill(t.tax_year, &[("year", &source.tax_year.to_string())]),
                                            fill(t.checked, &[("date", &source.last_checked)]),
                                        )}
                                    </span>
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {search_query.map(|query| view! {
                <p class="search-query mt-1 text-xs text-slate-600 dark:text-slate-400">
                    {fill(t.found_by_search, &[("query", &query)])}
                </p>
            })}
        </section>
    }
}

/// A calculator's result with every step, cited like a source.
#[component]
pub fn CalculationCard(calculation: CalculationResult, number: usize) -> impl IntoView {
    let t = &texts().chat;
    let heading = format!(
        "[{number}] {} · {}",
        calculation.title,
        fill(t.tax_year, &[("year", &calculation.tax_year.to_string())])
    );
    let label = fill(t.calculation, &[("title", &calculation.title)]);
    view! {
        <section class="calculation mt-2 rounded-xl border border-emerald-200 bg-emerald-50/50 px-4 py-2 text-sm dark:border-emerald-900 dark:bg-emerald-950/40"
            aria-label=label>
            <h3 class="font-semibold">{heading}</h3>
            <CalculationBody calculation />
        </section>
    }
}

/// Steps, result lines, notes and parameter sources of a calculation (the card and the Calculators panel share it).
#[component]
pub fn CalculationBody(calculation: CalculationResult) -> impl IntoView {
    let t = &texts().chat;
    view! {
        <ol class="calculation-steps mt-1 list-decimal space-y-0.5 pl-5">
            {calculation.steps.into_iter().map(|step| view! { <li>{step}</li> }).collect_view()}
        </ol>
        <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5">
            {calculation
                .lines
                .into_iter()
                .map(|line| view! { <dt class="text-slate-700 dark:text-slate-300">{line.label}</dt><dd class="font-semibold tabular-nums">{line.value}</dd> })
                .collect_view()}
        </dl>
        {calculation.notes.into_iter().map(|note| view! { <p class="mt-1 text-xs text-slate-700 dark:text-slate-300">{note}</p> }).collect_view()}
        <details class="mt-1 text-xs text-slate-600 dark:text-slate-400">
            <summary>{t.figures_come_from}</summary>
            <ul class="mt-1 space-y-0.5">
                {calculation
                    .sources
                    .into_iter()
                    .map(|source| view! {
                        <li>{source.label}" — "<a class="underline" href=source.url target="_blank" rel="noopener noreferrer">{source.source}</a></li>
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
