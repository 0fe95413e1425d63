//! How long browsers keep what they fetch. The app's wasm, JS and CSS are named by their content's hash in a release
//! build (cargo-leptos `hash-files`), so a name never changes meaning: kept for a year without asking again. Pages
//! are never stored (see `app::shell`); everything else (icons, scripts under `public/`) is revalidated each time.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::server::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub async fn cache_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let hashed = state.leptos_options.hash_files;
    let pkg = format!("/{}/", state.leptos_options.site_pkg_dir);
    let in_pkg = request.uri().path().starts_with(&pkg);
    let mut response = next.run(request).await;
    if response.status().is_success() && !response.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if in_pkg && hashed {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}
