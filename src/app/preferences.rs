//! What this browser prefers, kept in cookies so the server renders the page that way from the first byte (no
//! flash of the wrong theme or language): the theme and the language.

use leptos::prelude::*;

use crate::i18n::{texts, Lang, LANGUAGE_COOKIE};

/// Light, dark, or whatever the operating system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

pub const THEME_COOKIE: &str = "tally_theme";

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn label(self, t: &'static crate::i18n::PreferencesTexts) -> &'static str {
        match self {
            Theme::System => t.theme_system,
            Theme::Light => t.theme_light,
            Theme::Dark => t.theme_dark,
        }
    }

    pub fn parse(value: &str) -> Theme {
        match value {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The theme this page is rendered in: the request's cookie on the server, the page's `<html data-theme>` in
    /// the browser (which the server wrote from that cookie).
    pub fn current() -> Theme {
        #[cfg(feature = "ssr")]
        {
            request_cookie(THEME_COOKIE).map_or(Theme::System, |value| Theme::parse(&value))
        }
        #[cfg(not(feature = "ssr"))]
        {
            document()
                .document_element()
                .and_then(|html| html.get_attribute("data-theme"))
                .map_or(Theme::System, |value| Theme::parse(&value))
        }
    }
}

/// A cookie of the request being rendered.
#[cfg(feature = "ssr")]
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<axum::http::request::Parts>()?;
    crate::server::identity::session::Cookies::of(&parts.headers)
        .get(name)
        .map(str::to_string)
}

/// Remembers a preference for a year in this browser.
#[cfg(feature = "hydrate")]
pub fn remember(name: &str, value: &str) {
    use wasm_bindgen::JsCast;
    let secure = window()
        .location()
        .protocol()
        .is_ok_and(|protocol| protocol == "https:");
    let cookie = format!(
        "{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = document.set_cookie(&cookie);
    }
}

/// The header's small selects (theme, language) look alike.
const SELECT_CLASS: &str = "rounded-md border border-slate-300 bg-white px-1.5 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

/// The "Theme" control: applies at once (the `<html data-theme>` the styles follow) and is remembered.
#[component]
pub fn ThemeSelect() -> impl IntoView {
    let t = &texts().preferences;
    let theme = RwSignal::new(Theme::current());
    let on_change = move |ev| {
        let chosen = Theme::parse(&event_target_value(&ev));
        theme.set(chosen);
        #[cfg(feature = "hydrate")]
        {
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("data-theme", chosen.as_str());
            }
            remember(THEME_COOKIE, chosen.as_str());
        }
    };
    view! {
        <select
            aria-label=t.theme
            title=t.theme
            class=SELECT_CLASS
            on:change=on_change
        >
            {Theme::ALL
                .into_iter()
                .map(|option| view! {
                    <option value=option.as_str() selected=move || theme.get() == option>{option.label(t)}</option>
                })
                .collect_view()}
        </select>
    }
}

/// The "Language" control. The whole page is in one language, rendered by the server, so a change reloads it
/// (after a signed-in user's choice is saved to their profile, which wins over the cookie on every device).
#[component]
pub fn LanguageSelect() -> impl IntoView {
    let t = &texts().preferences;
    let current = Lang::current();
    let on_change = move |ev| {
        let Some(chosen) = Lang::parse(&event_target_value(&ev)) else {
            return;
        };
        #[cfg(feature = "hydrate")]
        {
            remember(LANGUAGE_COOKIE, chosen.code());
            leptos::task::spawn_local(async move {
                // Saved or not (a guest has no profile), the cookie holds the choice for this browser.
                let _ = crate::api::save_language(chosen.code().to_string()).await;
                let _ = window().location().reload();
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (chosen, LANGUAGE_COOKIE);
    };
    view! {
        <select
            aria-label=t.language
            title=t.language
            class=SELECT_CLASS
            on:change=on_change
        >
            {Lang::ALL
                .into_iter()
                .map(|option| view! {
                    <option value=option.code() lang=option.code() selected=option == current>{option.name()}</option>
                })
                .collect_view()}
        </select>
    }
}
