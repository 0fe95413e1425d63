//! The server's one error type. Each variant has a stable code, an HTTP status and a message a person can act on;
//! every error that reaches a user carries a short correlation id that is also in the log line.

use axum::http::StatusCode;

use crate::model::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message has {actual} characters, more than the {max} allowed")]
    MessageTooLong { actual: usize, max: usize },
    #[error("the message contains control characters")]
    ControlCharacters,
    #[error("not found")]
    NotFound,
    #[error("invalid id")]
    InvalidId,
    #[error("rate limited, retry in {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// A daily allowance is used up; `what` names it ("your 20 questions for today").
    #[error("quota exceeded: {what}, retry in {retry_after_secs}s")]
    QuotaExceeded { retry_after_secs: u64, what: String },
    #[error("signing in is needed")]
    SignInRequired,
    #[error("a cross-site request that changes something")]
    CrossSite,
    #[error("wrong username, email or password")]
    SignInFailed,
    #[error("too many attempts, retry in {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// The proof-of-work (or another human check) was missing, wrong, expired or already used.
    #[error("human check failed: {0}")]
    HumanCheckFailed(&'static str),
    #[error("an answer is already being written in this conversation")]
    TurnInProgress,
    /// Attaching to an answer that is no longer being written (it is stored: read it).
    #[error("the answer has already ended")]
    AnswerEnded,
    #[error("no model provider is configured")]
    ProviderNotConfigured,
    #[error("invalid title: {0}")]
    InvalidTitle(String),
    #[error("invalid page cursor")]
    InvalidCursor,
    #[error("search longer than {max} characters")]
    SearchTooLong { max: usize },
    #[error("unknown model {0:?}")]
    UnknownModel(String),
    #[error("model {0:?} not allowed for this tier")]
    ModelNotAllowed(String),
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    /// A form field that cannot be used; the message is shown next to it.
    #[error("invalid {field}: {message}")]
    InvalidField { field: String, message: String },
    /// The model could not finish the answer (JSON API; the streaming UI reports this inside the stream).
    #[error("the answer failed: {code}")]
    AnswerFailed { code: String, message: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// Stable machine-readable code; clients match on it.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::EmptyMessage => "validation_empty",
            AppError::MessageTooLong { .. } => "validation_too_long",
            AppError::ControlCharacters => "validation_control_chars",
            AppError::NotFound => "not_found",
            AppError::InvalidId => "invalid_id",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::QuotaExceeded { .. } => "quota_exceeded",
            AppError::SignInRequired => "sign_in_required",
            AppError::CrossSite => "cross_site_request",
            AppError::SignInFailed => "invalid_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::HumanCheckFailed(_) => "human_check_failed",
            AppError::TurnInProgress => "turn_in_progress",
            AppError::AnswerEnded => "answer_ended",
            AppError::ProviderNotConfigured => "provider_not_configured",
            AppError::UnknownModel(_) => "validation_model",
            AppError::ModelNotAllowed(_) => "model_not_allowed",
            AppError::InvalidTitle(_) => "validation_title",
            AppError::InvalidCursor => "validation_cursor",
            AppError::SearchTooLong { .. } => "validation_search",
            AppError::InvalidBody(_) => "validation_body",
            AppError::InvalidField { .. } => "validation_field",
            AppError::AnswerFailed { code, .. } => provider_code(code),
            AppError::Database(_) => "database_error",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::EmptyMessage
            | AppError::ControlCharacters
            | AppError::InvalidId
            | AppError::UnknownModel(_)
            | AppError::InvalidBody(_)
            | AppError::InvalidField { .. }
            | AppError::InvalidTitle(_)
            | AppError::InvalidCursor
            | AppError::SearchTooLong { .. }
            | AppError::HumanCheckFailed(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired | AppError::SignInFailed => StatusCode::UNAUTHORIZED,
            AppError::CrossSite | AppError::ModelNotAllowed(_) => StatusCode::FORBIDDEN,
            AppError::QuotaExceeded { .. } | AppError::TooManyAttempts { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::MessageTooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TurnInProgress | AppError::AnswerEnded => StatusCode::CONFLICT,
            AppError::ProviderNotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            AppError::AnswerFailed { .. } => StatusCode::BAD_GATEWAY,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the person in front of the screen reads. Never includes internals.
    pub fn user_message(&self) -> String {
        match self {
            AppError::EmptyMessage => "Please type a question before sending.".into(),
            AppError::MessageTooLong { actual, max } => {
                format!("Your message is {actual} characters long; the limit is {max}. Please shorten it.")
            }
            AppError::ControlCharacters => {
                "Your message contains invisible control characters. Please retype or paste it as plain text.".into()
            }
            AppError::NotFound => "This conversation does not exist or is not yours.".into(),
            AppError::InvalidId => "That link is not a valid conversation address.".into(),
            AppError::RateLimited { retry_after_secs } => {
                format!("You are sending questions faster than allowed. Please wait {retry_after_secs} seconds.")
            }
            AppError::QuotaExceeded { retry_after_secs, what } => format!(
                "You have used {what}. You can ask again in {}.",
                wait_in_words(*retry_after_secs)
            ),
            AppError::SignInRequired => "Please sign in first.".into(),
            AppError::CrossSite => {
                "This request came from another site and was refused. Use Tally's own pages.".into()
            }
            AppError::SignInFailed => "That username or email and password do not match an account.".into(),
            AppError::TooManyAttempts { retry_after_secs } => format!(
                "Too many attempts. Please wait {} and try again.",
                wait_in_words(*retry_after_secs)
            ),
            AppError::HumanCheckFailed(why) => {
                format!("We could not check that you are a person ({why}). Please try again.")
            }
            AppError::AnswerEnded => "This answer is no longer being written; reload to read it.".into(),
            AppError::TurnInProgress => {
                "An answer is still being written in this conversation. Wait for it or press Stop.".into()
            }
            AppError::ProviderNotConfigured => "No AI model is configured on this server yet. The operator needs to \
                set PROVIDERS (see .env.example) or run scripts/setup.sh to download the offline model."
                .into(),
            AppError::UnknownModel(key) => {
                format!("The model {key:?} is not available on this server. Pick one from the Model list.")
            }
            AppError::ModelNotAllowed(key) => format!(
                "The model {key:?} is not available to you. Sign up, or pick another model from the Model list."
            ),
            AppError::InvalidBody(reason) => format!("The request body is not valid: {reason}"),
            AppError::InvalidTitle(reason) => reason.clone(),
            AppError::InvalidField { message, .. } => message.clone(),
            AppError::InvalidCursor => "That page of the conversation list does not exist. Please reload.".into(),
            AppError::SearchTooLong { max } => format!("A search can be at most {max} characters long."),
            AppError::AnswerFailed { message, .. } => message.clone(),
            AppError::Database(_) | AppError::Internal(_) => {
                "Something went wrong on our side. Please try again; if it keeps happening, quote the reference.".into()
            }
        }
    }

    /// Logs the error with a fresh correlation id and returns what the client gets.
    pub fn report(&self) -> ApiError {
        let correlation_id = new_correlation_id();
        if self.status().is_server_error() {
            tracing::error!(correlation_id, code = self.code(), error = %self, "request failed");
        } else {
            tracing::info!(correlation_id, code = self.code(), error = %self, "request rejected");
        }
        self.to_api_error(correlation_id)
    }

    pub fn to_api_error(&self, correlation_id: String) -> ApiError {
        ApiError {
            code: self.code().into(),
            message: self.user_message(),
            correlation_id,
            retry_after_secs: match self {
                AppError::RateLimited { retry_after_secs }
                | AppError::QuotaExceeded {
                    retry_after_secs, ..
                }
                | AppError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
                _ => None,
            },
        }
    }
}

/// Provider error codes pass through as they are; they are already stable (`provider_timeout`, ...).
fn provider_code(code: &str) -> &'static str {
    match code {
        "provider_unavailable" => "provider_unavailable",
        "provider_rate_limited" => "provider_rate_limited",
        "provider_malformed" => "provider_malformed",
        "provider_stream_broken" => "provider_stream_broken",
        "provider_timeout" => "provider_timeout",
        "provider_not_configured" => "provider_not_configured",
        _ => "provider_error",
    }
}

/// The error for a server function call whose arguments could not be read (malformed JSON or form data, a
/// missing field): 400 with a correlation id, the decoder's detail only in the log. `None` for other failures.
pub fn unreadable_request(error: &leptos::server_fn::error::ServerFnErrorErr) -> Option<ApiError> {
    use leptos::server_fn::error::ServerFnErrorErr as E;
    let detail = match error {
        E::Args(detail) | E::MissingArg(detail) | E::Deserialization(detail) => detail,
        _ => return None,
    };
    let correlation_id = new_correlation_id();
    tracing::info!(correlation_id, detail, "request body could not be read");
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(StatusCode::BAD_REQUEST);
    }
    Some(
        AppError::InvalidBody("it is not valid JSON or form data for this request".into())
            .to_api_error(correlation_id),
    )
}

/// "42 seconds", "3 minutes", "5 hours 12 minutes": a wait as a person says it.
pub fn wait_in_words(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match secs {
        0..=59 => plural(secs.max(1), "second"),
        60..=3599 => plural(secs.div_ceil(60), "minute"),
        _ => {
            let total_minutes = secs.div_ceil(60);
            let (hours, minutes) = (total_minutes / 60, total_minutes % 60);
            if minutes == 0 {
                plural(hours, "hour")
            } else {
                format!("{} {}", plural(hours, "hour"), plural(minutes, "minute"))
            }
        }
    }
}

/// A short id a user can read out to support: 8 hex characters, random.
pub fn new_correlation_id() -> String {
    let id = uuid::Uuid::new_v4();
    id.simple().to_string()[..8].to_string()
}

#[cfg(test)]
mod tests {
    use super::wait_in_words;

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(42), "42 seconds");
        assert_eq!(wait_in_words(61), "2 minutes");
        assert_eq!(wait_in_words(3600), "1 hour");
        assert_eq!(wait_in_words(5 * 3600 + 12 * 60), "5 hours 12 minutes");
        assert_eq!(wait_in_words(2 * 3600 - 5), "2 hours");
    }
}
