//! The HTTP server: routes, middleware and graceful shutdown. `main` and the tests call the same [`serve`].

use std::{future::Future, time::Duration};

use axum::{
    extract::State,
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    serve::ListenerExt,
    Json, Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_governor::{governor::GovernorConfigBuilder, GovernorError, GovernorLayer};
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, DefaultPredicate,
    },
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use super::accept;
use crate::app::{shell, App};
use crate::server::{
    admin,
    chat::turn,
    error::new_correlation_id,
    identity::{caller::identify, forms, limits::SWEEP_INTERVAL, origin::refuse_cross_site},
    state::AppState,
};

/// Largest request body accepted; a question is at most a few KB.
const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// How long shutdown waits for answers to store their final state.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Every route outside the pages and server functions, as `(method, path)`.
pub const PLAIN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/api/v1/answer"),
    ("POST", "/ask"),
    ("GET", "/api/conversations/{id}/export"),
    ("POST", "/signup"),
    ("POST", "/signin"),
    ("POST", "/signout"),
    ("POST", "/settings/email"),
    ("POST", "/settings/password"),
    ("POST", "/settings/sessions/revoke"),
    ("POST", "/settings/shares/revoke"),
    ("POST", "/settings/keys/create"),
    ("POST", "/settings/keys/revoke"),
    ("POST", "/settings/delete"),
    ("GET", "/settings/export"),
    ("GET", "/auth/challenge"),
    ("POST", "/admin/users/status"),
    ("POST", "/admin/users/role"),
    ("POST", "/admin/limits"),
    ("GET", "/sw.js"),
    ("GET", "/offline"),
];

/// The app's pages, listed once per process: the list depends on nothing but `App`. Listing runs the app with
/// resource loading switched off by a process-wide flag (leptos_server 0.8's `SuppressResourceLoad`), and a
/// resource first polled meanwhile by another server in the same process never loads (leptos-rs/leptos#4773): the
/// integration tests start many servers in one process, and a page of one hung while another was starting.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let options = state.leptos_options.clone();
    let x_request_id = HeaderName::from_static("x-request-id");

    let ip_limit = state.config.ip_requests_per_second.max(1);
    let governor = GovernorConfigBuilder::default()
        .per_millisecond(u64::from(1000 / ip_limit).max(1))
        .burst_size(ip_limit * 10)
        .finish()
        .expect("period and burst are non-zero");
    let limiter = governor.limiter().clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SWEEP_INTERVAL).await;
            limiter.retain_recent();
        }
    });

    let router = [
        ("GET", "/healthz", get(|| async { "ok" })),
        ("GET", "/readyz", get(readiness)),
        ("POST", "/api/v1/answer", post(super::answer_api::answer)),
        ("POST", "/ask", post(crate::server::chat::ask_form::ask)),
        (
            "GET",
            "/api/conversations/{id}/export",
            get(crate::server::chat::export::export),
        ),
        ("POST", "/signup", post(forms::sign_up)),
        ("POST", "/signin", post(forms::sign_in)),
        ("POST", "/signout", post(forms::sign_out)),
        ("POST", "/settings/email", post(forms::change_email)),
        ("POST", "/settings/password", post(forms::change_password)),
        (
            "POST",
            "/settings/sessions/revoke",
            post(forms::revoke_session),
        ),
        ("POST", "/settings/shares/revoke", post(forms::revoke_share)),
        ("POST", "/settings/keys/create", post(forms::create_key)),
        ("POST", "/settings/keys/revoke", post(forms::revoke_key)),
        ("POST", "/settings/delete", post(forms::delete_account)),
        (
            "GET",
            "/settings/export",
            get(crate::server::chat::export::export_account),
        ),
        ("GET", "/auth/challenge", get(forms::challenge)),
        (
            "POST",
            "/admin/users/status",
            post(admin::forms::set_status),
        ),
        ("POST", "/admin/users/role", post(admin::forms::set_role)),
        ("POST", "/admin/limits", post(admin::forms::set_limits)),
        ("GET", "/sw.js", get(super::pwa::service_worker)),
        ("GET", "/offline", get(super::pwa::offline_page)),
    ]
    .into_iter()
    .fold(Router::new(), |router, (method, path, handler)| {
        // The authorization matrix test (tests/authorization.rs) has a row for every route listed there.
        debug_assert!(
            PLAIN_ROUTES.contains(&(method, path)),
            "{method} {path} is missing from PLAIN_ROUTES"
        );
        router.route(path, handler)
    })
    // The public API: its routes are listed by its OpenAPI document, which tests/rest_api.rs walks.
    .merge(super::rest::router())
    .merge(super::openai::router());

    router
        .leptos_routes_with_context(&state, routes, || {}, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), identify))
        .layer(middleware::from_fn_with_state(state.clone(), super::caching::cache_headers))
        .layer(middleware::from_fn_with_state(state.clone(), super::cookies::secure_over_https))
        // Before the caller is resolved: a forged request gets nothing, not even a session lookup.
        .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(GovernorLayer::new(governor).error_handler(rate_limited_response))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(CompressionLayer::new().no_br().no_deflate().no_zstd().compress_when(
            // Streamed answers must reach the browser token by token, not in compressed batches.
            DefaultPredicate::new().and(NotForContentType::const_new("application/octet-stream")),
        ))
        .layer(default_header("x-content-type-options", "nosniff"))
        .layer(default_header("x-frame-options", "DENY"))
        .layer(default_header("referrer-policy", "strict-origin-when-cross-origin"))
        .layer(default_header("cross-origin-opener-policy", "same-origin"))
        .layer(default_header("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"))
        // Pages set their own policy with a per-response nonce (see `app::shell`); this covers everything else.
        .layer(default_header("content-security-policy", "default-src 'none'; frame-ancestors 'none'"))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("http", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// A response header set unless the handler already chose one.
fn default_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

fn rate_limited_response(error: GovernorError) -> Response {
    let (status, wait) = match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            (StatusCode::TOO_MANY_REQUESTS, wait_time.max(1))
        }
        GovernorError::UnableToExtractKey => (StatusCode::INTERNAL_SERVER_ERROR, 0),
        GovernorError::Other { code, .. } => (code, 0),
    };
    let correlation_id = new_correlation_id();
    tracing::info!(correlation_id, wait, "request rate limited by IP");
    let body = crate::model::ApiError {
        code: "rate_limited".into(),
        message: format!("Too many requests from your network. Please wait {wait} seconds."),
        correlation_id,
        retry_after_secs: Some(wait),
    };
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Readiness: the database answers.
async fn readiness(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({"status": "ok", "database": "ok"})),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "error"})),
            )
                .into_response()
        }
    }
}

/// Serves until `shutdown` resolves, then stops accepting, ends running answers (kept as `interrupted`) and waits
/// for them to be stored.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let stop = state.shutdown.clone();
    let sweeper_state = state.clone();
    let sweeper = tokio::spawn(async move {
        loop {
            tokio::time::sleep(SWEEP_INTERVAL).await;
            sweeper_state.chat.limits.counters.sweep();
            sweeper_state.accounts.sign_in_attempts.sweep();
            sweeper_state.accounts.sign_in_attempts_by_ip.sweep();
            sweeper_state.accounts.sign_up_attempts.sweep();
            // Daily limits another replica's admin changed reach this one within a sweep.
            if let Err(error) = sweeper_state
                .chat
                .limits
                .load_daily(sweeper_state.store.as_ref())
                .await
            {
                tracing::warn!(%error, "could not read the tier limits");
            }
        }
    });
    let checkpoints = tokio::spawn(turn::write_checkpoints(state.chat.clone()));
    // Answers are many small writes; Nagle's algorithm would hold each back until the previous one is acknowledged.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
    });
    accept::serve_connections(listener, app, async move {
        shutdown.await;
        tracing::info!("shutting down: ending running answers");
        stop.cancel();
    })
    .await;
    sweeper.abort();
    state.tasks.close();
    if tokio::time::timeout(DRAIN_TIMEOUT, state.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some answers did not finish storing before shutdown");
    }
    // After the answers: each one's final write supersedes its checkpoints.
    checkpoints.abort();
    Ok(())
}
