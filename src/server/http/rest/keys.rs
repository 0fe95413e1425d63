//! `/api/v1/keys`: personal API keys, the same ones Settings lists. Making or revoking one needs a password's
//! session (an access token or the browser's); a key cannot manage keys.

use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::reply::{created, ApiResult, ApiUser, Body, ErrorBody, PathParam};
use crate::{
    i18n::Lang,
    model::account::ApiKeyInfo,
    server::{
        identity::api::{key_info, KeyRequest},
        state::AppState,
    },
};

#[derive(Deserialize, ToSchema)]
pub struct CreateKeyRequest {
    /// 1-60 characters, such as the script or tool that will use it.
    #[schema(example = "bookkeeping script")]
    pub name: String,
    /// Any of `read`, `write`, `chat`; all three when left out.
    #[serde(default)]
    #[schema(example = json!(["read", "chat"]))]
    pub scopes: Option<Vec<String>>,
    /// Keep the answers of `/v1/chat/completions` as conversations (default true).
    #[serde(default = "yes")]
    pub record: bool,
}

fn yes() -> bool {
    true
}

/// A key just made. `key` is shown this once: only its hash is kept.
#[derive(Serialize, ToSchema)]
pub struct CreatedKey {
    #[schema(example = "tly_...")]
    pub key: String,
    #[serde(flatten)]
    pub info: ApiKeyInfo,
}

/// The caller's live API keys, newest first.
#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", security(("bearer" = [])),
    responses(
        (status = 200, description = "The keys (prefix, scopes and last use; never the key)", body = Vec<ApiKeyInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list_keys(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<ApiKeyInfo>>> {
    let keys = state.api_access.list_keys(&user).await?;
    Ok(Json(keys.iter().map(key_info).collect()))
}

/// Make a personal API key; send it as `Authorization: Bearer tly_...`.
#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = CreateKeyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The key, shown this once", body = CreatedKey),
        (status = 400, description = "The name or scopes are not valid, or there are too many keys", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Sent with an API key: keys cannot make keys", body = ErrorBody),
    ))]
pub async fn create_key(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Body(body): Body<CreateKeyRequest>,
) -> ApiResult<Response> {
    let made = state
        .api_access
        .create_key(
            &user,
            KeyRequest {
                name: body.name,
                scopes: body.scopes,
                record: body.record,
            },
            Lang::En,
        )
        .await?;
    Ok(created(CreatedKey {
        key: made.key,
        info: key_info(&made.row),
    }))
}

/// Revoke one of the caller's keys: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/keys/{id}", tag = "keys", security(("bearer" = [])),
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Sent with an API key: keys cannot revoke keys", body = ErrorBody),
        (status = 404, description = "No such key of yours", body = ErrorBody),
    ))]
pub async fn revoke_key(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    PathParam(id): PathParam<String>,
) -> ApiResult<StatusCode> {
    state.api_access.revoke_key(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
