//! The installable app: the service worker (`/sw.js`) and the page it shows offline (`/offline`). Both are files in
//! `public/` filled in per build: the worker gets the build's version and its app shell (the content-hashed wasm,
//! JS and CSS, the icons, the offline page), so every release installs a new worker that drops the old caches.

use std::{path::Path, sync::OnceLock};

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::server::state::AppState;

/// Files of `public/` the app shell holds besides the build's own.
const SHELL_FILES: &[&str] = &[
    "/favicon.svg",
    "/manifest.webmanifest",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
    "/icons/maskable-512.png",
    "/offline.js",
];
const OFFLINE_PATH: &str = "/offline";

/// What the service worker is told about this build.
#[derive(Debug, Serialize)]
struct Build {
    version: String,
    shell: Vec<String>,
    offline: &'static str,
    #[serde(skip)]
    css: String,
    #[serde(skip)]
    worker: String,
    #[serde(skip)]
    offline_page: String,
}

/// Read once: a release's files do not change while it runs. `None` before the front end is built.
fn build(site_root: &str, pkg_dir: &str) -> Option<&'static Build> {
    static BUILD: OnceLock<Option<Build>> = OnceLock::new();
    BUILD
        .get_or_init(|| read_build(Path::new(site_root), pkg_dir))
        .as_ref()
}

fn read_build(site_root: &Path, pkg_dir: &str) -> Option<Build> {
    let worker = std::fs::read_to_string(site_root.join("sw.js")).ok()?;
    let offline_page = std::fs::read_to_string(site_root.join("offline.html")).ok()?;
    let mut assets: Vec<(String, Vec<u8>)> = std::fs::read_dir(site_root.join(pkg_dir))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let built = [".wasm", ".js", ".css"]
                .iter()
                .any(|ext| name.ends_with(ext));
            built.then(|| Some((name, std::fs::read(entry.path()).ok()?)))?
        })
        .collect();
    assets.sort();
    // The version is the content of everything the shell runs: any change to the app makes a new one.
    let mut digest = Sha256::new();
    for (name, content) in &assets {
        digest.update(name.as_bytes());
        digest.update(content);
    }
    digest.update(worker.as_bytes());
    digest.update(offline_page.as_bytes());
    let version: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let css = assets
        .iter()
        .find(|(name, _)| name.ends_with(".css"))
        .map(|(name, _)| format!("/{pkg_dir}/{name}"))?;
    let shell = std::iter::once(OFFLINE_PATH.to_string())
        .chain(assets.iter().map(|(name, _)| format!("/{pkg_dir}/{name}")))
        .chain(SHELL_FILES.iter().map(|path| path.to_string()))
        .collect();
    Some(Build {
        version,
        shell,
        offline: OFFLINE_PATH,
        css,
        worker,
        offline_page,
    })
}

fn current(state: &AppState) -> Option<&'static Build> {
    let options = &state.leptos_options;
    build(&options.site_root, &options.site_pkg_dir)
}

/// `GET /sw.js`: the worker with this build filled in.
pub async fn service_worker(State(state): State<AppState>) -> Response {
    let Some(build) = current(&state) else {
        return (StatusCode::NOT_FOUND, "the front end is not built").into_response();
    };
    let settings = serde_json::to_string(build).unwrap_or_else(|_| "{}".into());
    let body = format!("self.__TALLY_BUILD__ = {settings};\n{}", build.worker);
    respond(body, "text/javascript; charset=utf-8", "default-src 'self'")
}

/// `GET /offline`: the page the worker shows when there is no network (kept in its cache).
pub async fn offline_page(State(state): State<AppState>) -> Response {
    let Some(build) = current(&state) else {
        return (StatusCode::NOT_FOUND, "the front end is not built").into_response();
    };
    let body = build.offline_page.replace("__TALLY_CSS__", &build.css);
    respond(
        body,
        "text/html; charset=utf-8",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
}

fn respond(body: String, content_type: &'static str, policy: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Browsers check for a new worker on each visit; this makes them ask the server rather than a cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    response
}
