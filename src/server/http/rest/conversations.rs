//! `/api/v1/conversations`: the caller's conversations, by the same rules as the browser's sidebar (owner scope,
//! validation, the same pages and search).

use axum::{extract::State, http::StatusCode, response::Response, Extension, Json};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::reply::{created, ApiResult, ApiUser, Body, ErrorBody, Params, PathParam};
use crate::{
    model::{ConversationDetail, ConversationPage, MessagePage, SearchResult},
    server::{
        chat::{conversations, create, export},
        identity::{api::keys::Scope, caller::Caller},
        state::AppState,
    },
};

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Archived conversations instead of the others.
    #[serde(default)]
    pub archived: bool,
    /// The `next` of the page before, for the page after it.
    #[serde(default)]
    pub after: Option<String>,
}

/// The caller's conversations, pinned first, newest first, 40 a page.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page; `next` is the cursor of the following one", body = ConversationPage),
        (status = 400, description = "The cursor is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    Params(query): Params<ListQuery>,
) -> ApiResult<Json<ConversationPage>> {
    user.require(Scope::Read)?;
    let page =
        conversations::list(&state.chat, &caller, query.archived, query.after.as_deref()).await?;
    Ok(Json(page))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CreateConversation {
    /// Up to 120 characters; "New conversation" when left out.
    #[serde(default)]
    #[schema(max_length = 120)]
    pub title: Option<String>,
    /// A model key from `GET /models`; the server's default when left out.
    #[serde(default)]
    pub model: Option<String>,
}

/// Start an empty conversation; ask in it with `POST /conversations/{id}/messages`.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "conversations", request_body = CreateConversation,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new conversation", body = ConversationDetail),
        (status = 400, description = "The title or model is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the write scope, or the model is not for this tier", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    Body(body): Body<CreateConversation>,
) -> ApiResult<Response> {
    user.require(Scope::Write)?;
    let detail = create::create(
        &state.chat,
        &caller,
        body.title.as_deref(),
        body.model.as_deref(),
    )
    .await?;
    Ok(created(detail))
}

/// One conversation with its latest 100 messages (`has_earlier` says there are more).
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "The conversation's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The conversation", body = ConversationDetail),
        (status = 400, description = "The id is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<ConversationDetail>> {
    user.require(Scope::Read)?;
    Ok(Json(conversations::open(&state.chat, &caller, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateConversation {
    /// A new title (up to 120 characters).
    #[serde(default)]
    #[schema(max_length = 120)]
    pub title: Option<String>,
    #[serde(default)]
    pub pinned: Option<bool>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// Rename, pin or archive a conversation (any of the three at once).
#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "conversations", request_body = UpdateConversation,
    params(("id" = String, Path, description = "The conversation's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The conversation as it now is", body = ConversationDetail),
        (status = 400, description = "The title or the id is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the write scope", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    PathParam(id): PathParam<String>,
    Body(body): Body<UpdateConversation>,
) -> ApiResult<Json<ConversationDetail>> {
    user.require(Scope::Write)?;
    let chat = &state.chat;
    // Found and owned before anything changes, so a bad id changes nothing.
    conversations::owned(chat, &caller, &id).await?;
    if let Some(title) = &body.title {
        conversations::rename(chat, &caller, &id, title).await?;
    }
    if let Some(pinned) = body.pinned {
        conversations::set_pinned(chat, &caller, &id, pinned).await?;
    }
    if let Some(archived) = body.archived {
        conversations::set_archived(chat, &caller, &id, archived).await?;
    }
    Ok(Json(conversations::open(chat, &caller, &id).await?))
}

/// Delete a conversation with every message in it.
#[utoipa::path(delete, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "The conversation's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the write scope", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<StatusCode> {
    user.require(Scope::Write)?;
    conversations::delete(&state.chat, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct EarlierQuery {
    /// The id of the oldest message held: the page ends just before it.
    pub before: String,
}

/// Older messages of a conversation, 100 a page, oldest first.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path, description = "The conversation's id"), EarlierQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The messages before `before`", body = MessagePage),
        (status = 400, description = "An id is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
    ))]
pub async fn earlier(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    PathParam(id): PathParam<String>,
    Params(query): Params<EarlierQuery>,
) -> ApiResult<Json<MessagePage>> {
    user.require(Scope::Read)?;
    let page = conversations::earlier_messages(&state.chat, &caller, &id, &query.before).await?;
    Ok(Json(page))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Every word must match, the last one as a prefix (up to 200 characters).
    #[param(min_length = 1, max_length = 200)]
    pub q: String,
}

/// Search the caller's conversations: titles first, then passages, each with the text that matched.
#[utoipa::path(get, path = "/api/v1/conversations/search", tag = "conversations", params(SearchQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Up to 20 conversations", body = Vec<SearchResult>),
        (status = 400, description = "The query is missing or too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    Params(query): Params<SearchQuery>,
) -> ApiResult<Json<Vec<SearchResult>>> {
    user.require(Scope::Read)?;
    Ok(Json(
        conversations::search(&state.chat, &caller, &query.q).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `md` (the default), `json` or `pdf`.
    #[serde(default)]
    #[param(inline, value_type = Option<ExportFormat>)]
    pub format: Option<String>,
}

/// The formats a conversation downloads as.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ExportFormat {
    Md,
    Json,
    Pdf,
}

/// Download a conversation with every message and the disclaimer under every answer.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/export", tag = "conversations",
    params(("id" = String, Path, description = "The conversation's id"), ExportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/markdown"), (Object = "application/json"), (String = "application/pdf"))),
        (status = 400, description = "Unknown format, or the id is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The API key lacks the read scope", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Extension(caller): Extension<Caller>,
    PathParam(id): PathParam<String>,
    Params(query): Params<ExportQuery>,
) -> ApiResult<Response> {
    user.require(Scope::Read)?;
    let format = query.format.as_deref().unwrap_or("md");
    Ok(export::file(&state.chat, &caller, &id, format).await?)
}
