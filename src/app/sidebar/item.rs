//! One conversation in the sidebar: its link, and behind "Actions" rename (inline: Enter saves, Escape cancels),
//! pin, archive, share, export and delete (after confirming).

use leptos::{ev::KeyboardEvent, html, prelude::*, task::spawn_local};
use leptos_router::hooks::{use_location, use_navigate};

use crate::{
    api::{archive_conversation, delete_conversation, pin_conversation, rename_conversation},
    app::{state::TurnError, ChatContext},
    i18n::{fill, texts},
    model::{ApiError, ConversationSummary},
};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Menu,
    Renaming,
    Sharing,
    ConfirmingDelete,
}

/// The sidebar item whose actions are open (menu, rename or delete confirmation), kept outside the items: every
/// list reload (an answer finished, a title was generated) renders the items anew, and an open menu must not
/// vanish under the pointer because of that.
#[derive(Clone, Copy)]
pub struct OpenActions(RwSignal<Option<(String, Mode)>>);

impl Default for OpenActions {
    fn default() -> Self {
        OpenActions(RwSignal::new(None))
    }
}

#[component]
pub fn ConversationItem(conversation: ConversationSummary) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let location = use_location();
    let navigate = use_navigate();
    let open = use_context::<OpenActions>().unwrap_or_default().0;
    let t = &texts().sidebar;
    let was_open = open.with_untracked(|open| match open {
        Some((open_id, mode)) if *open_id == conversation.id => *mode,
        _ => Mode::Normal,
    });
    let mode = RwSignal::new(was_open);
    let item_id = conversation.id.clone();
    Effect::new(move |_| {
        let now = mode.get();
        open.update(|open| {
            if now != Mode::Normal {
                *open = Some((item_id.clone(), now));
            } else if open
                .as_ref()
                .is_some_and(|(open_id, _)| *open_id == item_id)
            {
                *open = None;
            }
        });
    });
    let title = RwSignal::new(conversation.title.clone());
    let id = StoredValue::new(conversation.id.clone());
    let href = format!("/c/{}", conversation.id);
    let is_current = Memo::new({
        let href = href.clone();
        move |_| location.pathname.get() == href
    });
    let report = move |error: ApiError| ctx.error.set(Some(TurnError { error, retry: None }));

    let toggle_pin = move |pinned: bool| {
        spawn_local(async move {
            match pin_conversation(id.get_value(), pinned).await {
                Ok(()) => ctx.reload_list(),
                Err(error) => report(error),
            }
        });
    };
    let toggle_archive = move |archived: bool| {
        spawn_local(async move {
            match archive_conversation(id.get_value(), archived).await {
                Ok(()) => ctx.reload_list(),
                Err(error) => report(error),
            }
        });
    };
    let delete = move || {
        let navigate = navigate.clone();
        spawn_local(async move {
            let id = id.get_value();
            match delete_conversation(id.clone()).await {
                Ok(()) => {
                    if ctx.conversation_id.get_untracked().as_deref() == Some(id.as_str()) {
                        ctx.show(None);
                        navigate("/", Default::default());
                    }
                    ctx.reload_list();
                }
                Err(error) => report(error),
            }
        });
    };
    let pinned = conversation.pinned;
    let archived = conversation.archived;
    let preview = conversation.preview.clone();
    let button = "rounded-md px-2 py-1 text-left text-sm hover:bg-slate-300 focus-visible:outline focus-visible:outline-2 \
                  focus-visible:outline-teal-600 dark:hover:bg-slate-700";

    view! {
        <li class=move || {
            let base = "rounded-lg px-2 py-2";
            if is_current.get() { format!("{base} bg-teal-100 dark:bg-teal-950") } else { format!("{base} hover:bg-slate-200 dark:hover:bg-slate-800") }
        }>
            {move || match mode.get() {
                Mode::Renaming => view! { <RenameField id title mode /> }.into_any(),
                Mode::Sharing => view! { <super::share::SharePanel id title mode /> }.into_any(),
                Mode::ConfirmingDelete => {
                    let delete = delete.clone();
                    view! {
                        <div class="flex flex-col gap-2 text-sm" role="group" aria-label=t.confirm_delete_label>
                            <p>{move || fill(t.confirm_delete, &[("title", &title.get())])}</p>
                            <div class="flex gap-2">
                                <button type="button" class="rounded-md bg-red-700 px-3 py-1 font-medium text-white hover:bg-red-800" on:click=move |_| delete()>
                                    {t.delete}
                                </button>
                                <button type="button" class="rounded-md border border-slate-400 px-3 py-1 hover:bg-slate-100 dark:hover:bg-slate-800" on:click=move |_| mode.set(Mode::Normal)>
                                    {t.cancel}
                                </button>
                            </div>
                        </div>
                    }.into_any()
                }
                Mode::Normal | Mode::Menu => {
                    let href = href.clone();
                    let preview = preview.clone();
                    let menu_open = move || mode.get() == Mode::Menu;
                    view! {
                        <div class="flex items-start gap-1">
                            <a
                                href=href
                                class="min-w-0 flex-1"
                                aria-current=move || is_current.get().then_some("page")
                                on:click=move |_| ctx.drawer_open.set(false)
                            >
                                <span class="block truncate text-sm font-medium">{move || title.get()}</span>
                                <span class="block truncate text-xs text-slate-600 dark:text-slate-400">{preview}</span>
                            </a>
                            <button
                                type="button"
                                class="rounded p-1 text-slate-600 hover:bg-slate-300 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-slate-300 dark:hover:bg-slate-700"
                                aria-label=move || fill(t.actions_for, &[("title", &title.get())])
                                aria-expanded=move || menu_open().to_string()
                                on:click=move |_| mode.set(if menu_open() { Mode::Normal } else { Mode::Menu })
                            >
                                <svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4" fill="currentColor">
                                    <circle cx="5" cy="12" r="2" /><circle cx="12" cy="12" r="2" /><circle cx="19" cy="12" r="2" />
                                </svg>
                            </button>
                        </div>
                        <Show when=menu_open>
                            <div class="mt-1 flex flex-col" role="group" aria-label=move || fill(t.actions_for, &[("title", &title.get())])>
                                <button type="button" class=button on:click=move |_| mode.set(Mode::Renaming)>{t.rename}</button>
                                <button type="button" class=button on:click=move |_| { mode.set(Mode::Normal); toggle_pin(!pinned) }>
                                    {if pinned { t.unpin } else { t.pin }}
                                </button>
                                <button type="button" class=button on:click=move |_| { mode.set(Mode::Normal); toggle_archive(!archived) }>
                                    {if archived { t.unarchive } else { t.archive }}
                                </button>
                                <button type="button" class=button on:click=move |_| mode.set(Mode::Sharing)>{t.share}</button>
                                <a class=button href=format!("/api/conversations/{}/export?format=md", id.get_value()) download="" rel="external">
                                    {t.export_markdown}
                                </a>
                                <a class=button href=format!("/api/conversations/{}/export?format=json", id.get_value()) download="" rel="external">
                                    {t.export_json}
                                </a>
                                <a class=button href=format!("/api/conversations/{}/export?format=pdf", id.get_value()) download="" rel="external">
                                    {t.export_pdf}
                                </a>
                                <button type="button" class=format!("{button} text-red-700 dark:text-red-300") on:click=move |_| mode.set(Mode::ConfirmingDelete)>
                                    {t.delete}
                                </button>
                            </div>
                        </Show>
                    }.into_any()
                }
            }}
        </li>
    }
}

/// The title as an input: Enter saves, Escape (or leaving it unchanged) cancels.
#[component]
fn RenameField(
    id: StoredValue<String>,
    title: RwSignal<String>,
    mode: RwSignal<Mode>,
) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let input = NodeRef::<html::Input>::new();
    let draft = RwSignal::new(title.get_untracked());
    let t = &texts().sidebar;
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let save = move || {
        let value = draft.get_untracked();
        if value.trim() == title.get_untracked() {
            mode.set(Mode::Normal);
            return;
        }
        spawn_local(async move {
            let id = id.get_value();
            match rename_conversation(id.clone(), value).await {
                Ok(stored) => {
                    if ctx.conversation_id.get_untracked().as_deref() == Some(id.as_str()) {
                        ctx.title.set(stored.clone());
                    }
                    title.set(stored);
                    mode.set(Mode::Normal);
                }
                Err(failure) => error.set(Some(failure.message)),
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            save();
        }
        "Escape" => {
            ev.prevent_default();
            mode.set(Mode::Normal);
        }
        _ => {}
    };
    view! {
        <div class="flex flex-col gap-1">
            <label class="sr-only" for=move || format!("rename-{}", id.get_value())>{t.rename_label}</label>
            <input
                id=move || format!("rename-{}", id.get_value())
                node_ref=input
                type="text"
                maxlength="120"
                class="w-full rounded-md border border-teal-600 bg-white px-2 py-1 text-sm focus:outline-none focus:ring-2 focus:ring-teal-600/40 dark:bg-slate-950"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown
                aria-describedby=move || format!("rename-hint-{}", id.get_value())
            />
            <p id=move || format!("rename-hint-{}", id.get_value()) class="text-xs text-slate-600 dark:text-slate-400">
                {t.rename_hint}
            </p>
            {move || error.get().map(|message| view! { <p class="text-xs text-red-700 dark:text-red-300" role="alert">{message}</p> })}
        </div>
    }
}
