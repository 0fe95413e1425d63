//! A modal dialog: labelled by its heading, focus moved into it on open, closed by Escape, its Close button or a
//! click on the backdrop, and focus given back to the button that opened it.

use leptos::{html, prelude::*};

use crate::i18n::texts;

#[component]
pub fn Dialog(
    /// The heading, also the dialog's accessible name.
    title: &'static str,
    id: &'static str,
    open: RwSignal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    let t = &texts().tax;
    let heading_id = format!("{id}-title");
    Effect::new(move |_| {
        if open.get() {
            if let Some(panel) = panel.get() {
                let _ = panel.focus();
            }
        }
    });
    let close = move || open.set(false);
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-slate-900/40 p-3 sm:items-center"
                on:click=move |_| close()>
                <div
                    node_ref=panel
                    id=id
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby=heading_id.clone()
                    tabindex="-1"
                    class="w-full max-w-lg rounded-2xl bg-white p-4 shadow-xl focus:outline-none dark:bg-slate-900"
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            close();
                        }
                    }
                >
                    <div class="mb-3 flex items-center justify-between gap-2">
                        <h2 id=heading_id.clone() class="text-lg font-semibold">{title}</h2>
                        <button type="button" class="rounded-md px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:hover:bg-slate-800"
                            on:click=move |_| close()>{t.close}</button>
                    </div>
                    {children()}
                </div>
            </div>
        </Show>
    }
}

/// The header button that opens a dialog.
#[component]
pub fn HeaderButton(
    label: &'static str,
    controls: &'static str,
    open: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="whitespace-nowrap rounded-lg border border-slate-300 px-2 py-1.5 text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:hover:bg-slate-800"
            aria-haspopup="dialog"
            aria-controls=controls
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.set(true)
        >
            {label}
        </button>
    }
}

pub const FIELD_CLASS: &str = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/40 dark:border-slate-700 dark:bg-slate-950";
pub const PRIMARY_BUTTON: &str = "rounded-lg bg-teal-700 px-4 py-2 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-60";
