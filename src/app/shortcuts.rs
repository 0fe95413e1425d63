//! Keyboard shortcuts, listed in the "Keyboard shortcuts" dialog (opened from the sidebar, or with `?`):
//! Ctrl/Cmd+K searches conversations, Ctrl/Cmd+Shift+O starts a new chat, Escape stops an answer being written.

use leptos::{ev::KeyboardEvent, prelude::*};
use leptos_router::hooks::use_navigate;

use super::{chat::stop_answer_on_screen, tax::Dialog, ChatContext};
use crate::i18n::{texts, ShortcutsTexts};

const DIALOG_ID: &str = "keyboard-shortcuts";

/// The shortcuts as the dialog lists them: keys, then what they do.
fn shortcuts(t: &'static ShortcutsTexts) -> [(&'static str, &'static str); 6] {
    [
        (t.search_keys, t.search),
        (t.new_chat_keys, t.new_chat),
        ("Escape", t.stop),
        ("Enter", t.send),
        ("Shift+Enter", t.new_line),
        ("?", t.show),
    ]
}

/// Listens for the shortcuts on the whole page; renders the dialog that lists them.
#[component]
pub fn Shortcuts(open: RwSignal<bool>) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let navigate = use_navigate();
    let t = &texts().shortcuts;
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let command = ev.ctrl_key() || ev.meta_key();
        let key = ev.key().to_lowercase();
        if command && !ev.shift_key() && key == "k" {
            ev.prevent_default();
            ctx.drawer_open.set(true);
            focus_by_id("conversation-search");
        } else if command && ev.shift_key() && key == "o" {
            ev.prevent_default();
            ctx.drawer_open.set(false);
            navigate("/", Default::default());
            focus_by_id("composer");
        } else if key == "escape" && ctx.is_busy() && !open.get_untracked() {
            stop_answer_on_screen(ctx);
        } else if ev.key() == "?" && !typing_in_a_field(&ev) {
            ev.prevent_default();
            open.set(true);
        }
    });
    on_cleanup(move || handle.remove());
    view! {
        <Dialog title=t.title id=DIALOG_ID open>
            <table class="w-full text-left text-sm">
                <caption class="sr-only">{t.title}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="py-1 pr-4 font-semibold">{t.keys}</th>
                        <th scope="col" class="py-1 font-semibold">{t.does}</th>
                    </tr>
                </thead>
                <tbody>
                    {shortcuts(t)
                        .into_iter()
                        .map(|(keys, does)| view! {
                            <tr class="border-t border-slate-200 dark:border-slate-700">
                                <td class="py-1.5 pr-4"><kbd class="font-mono">{keys}</kbd></td>
                                <td class="py-1.5">{does}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </Dialog>
    }
}

/// The button that opens the list.
#[component]
pub fn ShortcutsButton(open: RwSignal<bool>) -> impl IntoView {
    let t = &texts().shortcuts;
    view! {
        <button
            type="button"
            class="self-start rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-200 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-slate-300 dark:hover:bg-slate-800"
            aria-haspopup="dialog"
            aria-controls=DIALOG_ID
            on:click=move |_| open.set(true)
        >
            {t.title}
        </button>
    }
}

fn focus_by_id(id: &'static str) {
    // After the drawer or the route has rendered.
    request_animation_frame(move || {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(element) = document()
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    });
}

/// `?` typed into a text box is a question mark, not a shortcut.
fn typing_in_a_field(ev: &KeyboardEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|element| {
                matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || element.has_attribute("contenteditable")
            })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}
