//! `/api/v1/auth/*` and `/api/v1/me`: accounts for API clients. Registering and signing in check the same rules
//! and throttles as the browser's forms; what they hand out is an API session's pair of tokens.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::HeaderMap,
    response::Response,
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::reply::{created, ApiResult, ApiUser, Body, ErrorBody};
use crate::{
    i18n::Lang,
    server::{
        error::AppError,
        identity::{
            accounts::{SignInForm, SignUpForm},
            api::IssuedTokens,
            caller::Access,
            forms::client,
        },
        state::AppState,
    },
};

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// 3-50 letters, digits or underscores; unique whatever its case.
    #[schema(
        example = "dana_lee",
        min_length = 3,
        max_length = 50,
        pattern = "^[A-Za-z0-9_]{3,50}$"
    )]
    pub username: String,
    #[schema(example = "dana@example.com", max_length = 254, format = Email)]
    pub email: String,
    /// At least 8 characters with an upper-case letter, a lower-case letter and a digit; not a common password.
    #[schema(example = "Quarterly2026", min_length = 8)]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The username or the email.
    #[schema(example = "dana_lee", min_length = 1)]
    pub login: String,
    #[schema(min_length = 1)]
    pub password: String,
    /// After several failed attempts: a solved challenge from `GET /auth/challenge` (the `human_check_failed`
    /// error says when it is needed).
    #[serde(default)]
    pub human_check: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct LogoutRequest {
    /// The session to end; without it, the session of the access token this request carries.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// A new pair of tokens. Send the access token as `Authorization: Bearer ...`; before it expires, exchange the
/// refresh token (once) for a new pair.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token is good for.
    #[schema(example = 1800)]
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: Me,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    #[schema(example = "user")]
    pub role: &'static str,
    /// How this request was signed in: `token` (access token), `key` (API key) or `browser`.
    #[schema(example = "token")]
    pub access: &'static str,
    /// What the API key may do (`read`, `write`, `chat`); every scope for the other kinds.
    pub scopes: Vec<&'static str>,
}

impl Me {
    pub fn of(user: &crate::server::identity::caller::SignedIn) -> Self {
        use crate::server::identity::api::keys::Scopes;
        let (access, scopes) = match &user.access {
            Access::Browser => ("browser", Scopes::all()),
            Access::Token => ("token", Scopes::all()),
            Access::Key { scopes, .. } => ("key", *scopes),
        };
        Me {
            id: user.user_id.to_string(),
            username: user.username.clone(),
            role: user.role.as_str(),
            access,
            scopes: scopes.names(),
        }
    }
}

fn tokens(issued: IssuedTokens) -> TokenResponse {
    use crate::server::identity::api::keys::Scopes;
    TokenResponse {
        access_token: issued.access_token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
        refresh_token: issued.refresh_token,
        user: Me {
            id: issued.user_id.to_string(),
            username: issued.username,
            role: issued.role.as_str(),
            access: "token",
            scopes: Scopes::all().names(),
        },
    }
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "The account, signed in", body = TokenResponse),
        (status = 400, description = "A field is not valid (each rule broken is in `fields`) or the username or email is taken", body = ErrorBody),
        (status = 429, description = "Too many accounts made from this address", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Body(body): Body<RegisterRequest>,
) -> ApiResult<Response> {
    let client = client(&headers, peer.map(|Extension(ConnectInfo(p))| p));
    let form = SignUpForm {
        username: body.username,
        email: body.email,
        password: body.password,
        human_check: String::new(),
    };
    let user = state
        .accounts
        .register(form, &client, Lang::En, false)
        .await?;
    let issued = state
        .api_access
        .start_session(&user, &client.user_agent)
        .await?;
    Ok(created(tokens(issued)))
}

/// Sign in with a username or email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "A field is empty, or the human check is needed or failed", body = ErrorBody),
        (status = 401, description = "The login and password do not match an account", body = ErrorBody),
        (status = 403, description = "The account is disabled", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Body(body): Body<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let client = client(&headers, peer.map(|Extension(ConnectInfo(p))| p));
    let form = SignInForm {
        login: body.login,
        password: body.password,
        human_check: body.human_check.unwrap_or_default(),
    };
    let user = match state.accounts.authenticate(form, &client, Lang::En).await {
        Ok(user) => user,
        // A wrong password is a form error for the pages; for the API it is the 401 it means.
        Err(rejection) => {
            let failure = super::reply::Failure::from(rejection);
            if failure.fields.iter().any(|f| f.field == "form") {
                return Err(AppError::SignInFailed.into());
            }
            return Err(failure);
        }
    };
    let issued = state
        .api_access
        .start_session(&user, &client.user_agent)
        .await?;
    Ok(Json(tokens(issued)))
}

/// Exchange a refresh token for a new pair. Each refresh token works once: showing a used one again signs its
/// session out (someone else holds a copy).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the refresh token sent is used up", body = TokenResponse),
        (status = 400, description = "The body is not valid", body = ErrorBody),
        (status = 401, description = "Unknown, ended or reused refresh token", body = ErrorBody),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    Body(body): Body<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let issued = state.api_access.refresh(&body.refresh_token).await?;
    Ok(Json(tokens(issued)))
}

/// Sign out: end the API session of the access token sent, or the one a refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body(content = LogoutRequest, description = "Optional"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out: its tokens no longer work"),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in, or the refresh token is not one of yours", body = ErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: axum::body::Bytes,
) -> ApiResult<axum::http::StatusCode> {
    // The body is optional: empty means the access token's own session.
    let body: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::InvalidBody(e.to_string()))?
    };
    state
        .api_access
        .sign_out(&user, body.refresh_token.as_deref())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn me(ApiUser(user): ApiUser) -> Json<Me> {
    Json(Me::of(&user))
}
