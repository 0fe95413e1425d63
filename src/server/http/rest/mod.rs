//! The public REST API, `/api/v1`: accounts and tokens, API keys, conversations, asking, models and usage. Each
//! handler is thin: it checks the API key's scope and calls the same chat and identity code the browser's server
//! functions call, so owner scope, tier limits and validation are the same everywhere. The OpenAPI document is
//! generated from the handlers and types (utoipa) and served with an interactive page (Swagger UI, bundled into
//! the binary).

mod account;
mod auth;
mod conversations;
mod keys;
mod messages;
pub mod reply;

use axum::{
    http::{header, HeaderValue},
    Router,
};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::server::state::AppState;

pub use messages::event_stream;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tally API",
        description = "Ask Tally's tax assistant and manage your conversations from scripts and other apps.\n\n\
Sign in with `POST /api/v1/auth/login` (or register) and send the `access_token` as `Authorization: Bearer ...`; \
it lasts 30 minutes, and `POST /api/v1/auth/refresh` exchanges the refresh token (once) for a new pair. A personal \
API key (Settings, or `POST /api/v1/keys`) works the same way and does not expire until revoked. Every error has \
the shape `{code, message, correlation_id, retry_after_secs}`. Tools that speak OpenAI's protocol can use \
`POST /v1/chat/completions` with an API key.\n\nAnswers are general guidance, not legal or financial advice: \
every answer carries the disclaimer.",
        version = "1.0.0",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts, sign-in and tokens"),
        (name = "keys", description = "Personal API keys"),
        (name = "conversations", description = "Your conversations"),
        (name = "messages", description = "Asking: streamed or as one JSON answer"),
        (name = "account", description = "Models and usage"),
    )
)]
struct ApiDoc;

/// `bearer`: an access token or an API key, both sent as `Authorization: Bearer ...`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "An access token from /api/v1/auth/login (a JWT, 30 minutes) or a personal API key (tly_...)".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every `/api/v1` route and the OpenAPI document describing exactly them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(keys::list_keys, keys::create_key))
        .routes(routes!(keys::revoke_key))
        .routes(routes!(conversations::list, conversations::create))
        .routes(routes!(conversations::search))
        .routes(routes!(
            conversations::get,
            conversations::update,
            conversations::delete
        ))
        .routes(routes!(conversations::earlier, messages::ask))
        .routes(routes!(conversations::download))
        .routes(routes!(account::models))
        .routes(routes!(account::usage))
        .split_for_parts()
}

/// The API router with `/api/v1/openapi.json` and the documentation page at `/api/docs` (Swagger UI, whose
/// files are inside the binary: nothing is fetched from elsewhere).
pub fn router() -> Router<AppState> {
    let (api, document) = routes();
    let docs = Router::from(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", document),
    )
    .layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CSP),
    ));
    // Answers are private: no cache keeps them.
    api.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
    .merge(docs)
}

/// The documentation page's own policy: its scripts and styles are served from `/api/docs/` (Swagger UI sets
/// some styles inline) and it calls only this server.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";
