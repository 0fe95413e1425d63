//! What every `/api/v1` handler answers with: its JSON, or an error in the one shape `{code, message,
//! correlation_id, retry_after_secs}` (with `fields` when a form's fields were wrong), the status that goes with it,
//! `Retry-After` on a 429 and the bearer challenge on a 401. Also the extractors whose own rejections would
//! otherwise be plain text: the signed-in user, JSON bodies and query strings.

use axum::{
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{de::DeserializeOwned, Serialize};
use utoipa::ToSchema;

use crate::{
    model::FieldError,
    server::{
        error::AppError,
        identity::{
            accounts::FormRejection,
            caller::{Caller, SignedIn},
        },
    },
};

/// An error of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable: `validation_field`, `invalid_token`, `quota_exceeded`, `not_found`, ...
    #[schema(example = "not_found")]
    pub code: String,
    /// What went wrong, in words a person can act on.
    pub message: String,
    /// Quote it to the operator: the same id is in the server's log line.
    #[schema(example = "c0a8e1f2")]
    pub correlation_id: String,
    /// Seconds to wait before trying again (429 only).
    pub retry_after_secs: Option<u64>,
    /// The fields that were wrong, each rule broken on its own (sign-up, sign-in, API keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// A failed request: the error and, for a form, its fields.
#[derive(Debug)]
pub struct Failure {
    pub error: AppError,
    pub fields: Vec<FieldError>,
}

pub type ApiResult<T> = Result<T, Failure>;

impl From<AppError> for Failure {
    fn from(error: AppError) -> Self {
        Failure {
            error,
            fields: Vec::new(),
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        AppError::Database(error).into()
    }
}

impl From<FormRejection> for Failure {
    fn from(rejection: FormRejection) -> Self {
        match rejection {
            FormRejection::Refused(error) => error.into(),
            FormRejection::Fields { errors, .. } => {
                let first = errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                Failure {
                    error: AppError::InvalidField {
                        field: errors.first().map(|e| e.field.clone()).unwrap_or_default(),
                        message: first,
                    },
                    fields: errors,
                }
            }
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        error_response(self.error.status(), self.error.report(), self.fields)
    }
}

/// The one error shape of the API, with `Retry-After` when there is a wait and the bearer challenge on a 401.
pub(super) fn error_response(
    status: StatusCode,
    report: crate::model::ApiError,
    fields: Vec<FieldError>,
) -> Response {
    let wait = report.retry_after_secs;
    let body = ErrorBody {
        code: report.code,
        message: report.message,
        correlation_id: report.correlation_id,
        retry_after_secs: report.retry_after_secs,
        fields,
    };
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Some(value) = wait.and_then(|w| HeaderValue::from_str(&w.to_string()).ok()) {
        headers.insert(header::RETRY_AFTER, value);
    }
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tally\""),
        );
    }
    response
}

/// The signed-in user of an API request (by access token, API key or browser session); a guest gets 401.
pub struct ApiUser(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::User(user)) => Ok(ApiUser(user.clone())),
            _ => Err(AppError::SignInRequired.into()),
        }
    }
}

/// A JSON body, refused in the API's error shape when it cannot be read.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(AppError::InvalidBody(rejection.body_text()).into()),
        }
    }
}

/// A query string, refused in the API's error shape when it cannot be read.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(AppError::InvalidBody(rejection.body_text()).into()),
        }
    }
}

/// A path parameter, refused in the API's error shape when it cannot be read (bad percent-encoding).
pub struct PathParam<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PathParam(value)),
            Err(rejection) => Err(AppError::InvalidBody(rejection.body_text()).into()),
        }
    }
}

/// 201 with the JSON of what was made.
pub fn created<T: Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}
