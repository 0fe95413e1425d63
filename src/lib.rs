//! Tally: one crate compiled twice, to wasm for the browser (`hydrate`) and to the axum server (`ssr`).
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod i18n;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the wasm bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
