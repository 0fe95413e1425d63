//! The user interface, compiled for both the server (rendering) and the browser (hydration).

mod account;
mod admin;
mod banner;
mod chat;
mod preferences;
mod shared;
mod shortcuts;
mod sidebar;
mod state;
mod tax;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

pub use state::ChatContext;

use crate::i18n::{texts, Lang};

use self::{
    account::{AccountContext, SettingsPage, SignInPage, SignUpPage},
    admin::AdminPage,
    chat::ChatPage,
    shared::SharedPage,
    sidebar::Sidebar,
};

/// The HTML document around the app. On the server it also sets the content security policy, whose nonce lets
/// only our own hydration scripts run.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    let theme = preferences::Theme::current().as_str();
    let lang = Lang::current().code();
    view! {
        <!DOCTYPE html>
        <html lang=lang data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="color-scheme" content="light dark" />
                <meta name="theme-color" media="(prefers-color-scheme: light)" content="#0f766e" />
                <meta name="theme-color" media="(prefers-color-scheme: dark)" content="#042f2e" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <HashedStylesheet id="leptos" options=options.clone() />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <PreHydrationScript />
                <MetaTags />
            </head>
            <body class="h-full bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App />
            </body>
        </html>
    }
}

/// Runs before the wasm has arrived. Enter in the composer posts its form (a plain post to `/ask`), as it will
/// send the question once the app runs (Shift+Enter still starts a new line); and the service worker (`/sw.js`)
/// is registered, which makes the app installable and open offline.
const PRE_HYDRATION_SCRIPT: &str = "addEventListener('keydown',function(e){var t=e.target;\
if(!t||t.id!=='composer'||e.key!=='Enter'||e.shiftKey||e.isComposing||document.body.hasAttribute('data-hydrated'))return;\
e.preventDefault();if(t.value.trim()&&t.form)t.form.requestSubmit()});\
if('serviceWorker' in navigator)addEventListener('load',function(){navigator.serviceWorker.register('/sw.js').catch(function(){})});";

#[component]
fn PreHydrationScript() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    #[cfg(not(feature = "ssr"))]
    let nonce: Option<String> = None;
    view! { <script nonce=nonce inner_html=PRE_HYDRATION_SCRIPT></script> }
}

#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &LeptosOptions) {
    use leptos::nonce::{provide_nonce, use_nonce};
    provide_nonce();
    let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
    // Development builds reconnect to cargo-leptos' reload server over a websocket.
    let reload = if options.env == leptos::config::Env::DEV {
        format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
    } else {
        String::new()
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'; manifest-src 'self'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        response.insert_header(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Lang::current());
    let t = &texts().app;
    let chat = ChatContext::new();
    provide_context(chat);
    AccountContext::provide();
    // Marks the page once the wasm has taken over, so tests (and curious people) can tell, and so the
    // pre-hydration script (`PRE_HYDRATION_SCRIPT`) leaves the composer to the app.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        chat.hydrated.set(true);
    });
    view! {
        <Title text=t.title />
        <Meta name="description" content=t.description />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Router>
            <div class="flex h-dvh overflow-hidden">
                <SidebarOutsideSharedPages />
                <Routes fallback=NotFound>
                    // One chat page for both URLs, so it stays mounted (focus, scroll, the streaming answer) when a
                    // new chat becomes `/c/{id}` after its first question. The page reads the id from the URL.
                    <ParentRoute path=path!("/") view=ChatPage ssr=SsrMode::Async>
                        <Route path=path!("") view=|| () ssr=SsrMode::Async />
                        <Route path=path!("c/:id") view=|| () ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("signup") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("signin") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("s/:token") view=SharedPage ssr=SsrMode::Async />
                    <Route path=path!("admin") view=AdminPage ssr=SsrMode::Async />
                </Routes>
            </div>
        </Router>
    }
}

/// The conversation list, except on a shared conversation: whoever opens a link reads that one conversation, not
/// their own list beside it.
#[component]
fn SidebarOutsideSharedPages() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let shared = move || location.pathname.with(|path| path.starts_with("/s/"));
    view! {
        <Show when=move || !shared()>
            <Sidebar />
        </Show>
    }
}

#[component]
pub(crate) fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let t = &texts().app;
    view! {
        <main class="flex flex-1 flex-col items-center justify-center gap-4 p-8 text-center">
            <h1 class="text-2xl font-semibold">{t.not_found}</h1>
            <a class="text-teal-700 underline dark:text-teal-300" href="/">{t.start_new_chat}</a>
        </main>
    }
}
