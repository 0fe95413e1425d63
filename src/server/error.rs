//! The server's one error type. Each variant has a stable code, an HTTP status and a message a person can act on;
//! every error that reaches a user carries a short correlation id that is also in the log line.

use axum::http::StatusCode;

use crate::{
    i18n::{fill, ErrorsTexts, Lang},
    model::ApiError,
};

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
    /// A bearer token or API key that is malformed, forged, revoked or unknown.
    #[error("invalid access token or API key")]
    InvalidToken,
    #[error("the access token has expired")]
    TokenExpired,
    #[error("invalid or ended refresh token")]
    InvalidRefreshToken,
    /// A used refresh token shown again: its session was revoked.
    #[error("a refresh token was used twice")]
    RefreshTokenReused,
    /// An API key without the scope this route needs (`read`, `write`, `chat`).
    #[error("the API key lacks the {0} scope")]
    MissingScope(&'static str),
    #[error("API keys cannot manage API keys")]
    KeyCannotManageKeys,
    #[error("a cross-site request that changes something")]
    CrossSite,
    #[error("wrong username, email or password")]
    SignInFailed,
    /// An admin disabled the account (said only after the right password, so it reveals nothing to a guesser).
    #[error("the account is disabled")]
    AccountDisabled,
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
            AppError::InvalidToken => "invalid_token",
            AppError::TokenExpired => "token_expired",
            AppError::InvalidRefreshToken => "invalid_refresh_token",
            AppError::RefreshTokenReused => "refresh_token_reused",
            AppError::MissingScope(_) => "insufficient_scope",
            AppError::KeyCannotManageKeys => "api_key_not_allowed",
            AppError::CrossSite => "cross_site_request",
            AppError::SignInFailed => "invalid_credentials",
            AppError::AccountDisabled => "account_disabled",
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
            AppError::SignInRequired
            | AppError::SignInFailed
            | AppError::InvalidToken
            | AppError::TokenExpired
            | AppError::InvalidRefreshToken
            | AppError::RefreshTokenReused => StatusCode::UNAUTHORIZED,
            AppError::CrossSite
            | AppError::ModelNotAllowed(_)
            | AppError::AccountDisabled
            | AppError::MissingScope(_)
            | AppError::KeyCannotManageKeys => StatusCode::FORBIDDEN,
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

    /// What the person in front of the screen reads, in English (the public REST API, and every caller that does
    /// not know the reader's language). Never includes internals.
    pub fn user_message(&self) -> String {
        self.message_in(Lang::En)
    }

    /// [`Self::user_message`] in `lang`: the app's server functions answer in the language of the page asking.
    pub fn message_in(&self, lang: Lang) -> String {
        let t = &lang.texts().errors;
        match self {
            AppError::EmptyMessage => t.empty_message.into(),
            AppError::MessageTooLong { actual, max } => fill(
                t.message_too_long,
                &[("actual", &actual.to_string()), ("max", &max.to_string())],
            ),
            AppError::ControlCharacters => t.control_characters.into(),
            AppError::NotFound => t.not_found.into(),
            AppError::InvalidId => t.invalid_id.into(),
            AppError::RateLimited { retry_after_secs } => fill(
                t.rate_limited,
                &[("seconds", &retry_after_secs.to_string())],
            ),
            AppError::QuotaExceeded {
                retry_after_secs,
                what,
            } => {
                let wait = wait_in_words_in(*retry_after_secs, lang);
                match quota_sentence(what, t) {
                    Some((sentence, limit)) => fill(sentence, &[("limit", limit), ("wait", &wait)]),
                    None => fill(t.quota_exceeded, &[("what", what), ("wait", &wait)]),
                }
            }
            AppError::SignInRequired => t.sign_in_required.into(),
            AppError::InvalidToken => t.invalid_token.into(),
            AppError::TokenExpired => t.token_expired.into(),
            AppError::InvalidRefreshToken => t.invalid_refresh_token.into(),
            AppError::RefreshTokenReused => t.refresh_token_reused.into(),
            AppError::MissingScope(scope) => fill(t.missing_scope, &[("scope", scope)]),
            AppError::KeyCannotManageKeys => t.key_cannot_manage_keys.into(),
            AppError::CrossSite => t.cross_site.into(),
            AppError::SignInFailed => t.sign_in_failed.into(),
            AppError::AccountDisabled => t.account_disabled.into(),
            AppError::TooManyAttempts { retry_after_secs } => fill(
                t.too_many_attempts,
                &[("wait", &wait_in_words_in(*retry_after_secs, lang))],
            ),
            AppError::HumanCheckFailed(why) => {
                fill(t.human_check_failed, &[("why", human_check_reason(why, t))])
            }
            AppError::AnswerEnded => t.answer_ended.into(),
            AppError::TurnInProgress => t.turn_in_progress.into(),
            AppError::ProviderNotConfigured => t.provider_not_configured.into(),
            AppError::UnknownModel(key) => fill(t.unknown_model, &[("model", &format!("{key:?}"))]),
            AppError::ModelNotAllowed(key) => {
                fill(t.model_not_allowed, &[("model", &format!("{key:?}"))])
            }
            AppError::InvalidBody(reason) => fill(t.invalid_body, &[("reason", reason)]),
            AppError::InvalidTitle(reason) => {
                title_reason(reason, t).unwrap_or_else(|| reason.clone())
            }
            AppError::InvalidField { message, .. } => message.clone(),
            AppError::InvalidCursor => t.invalid_cursor.into(),
            AppError::SearchTooLong { max } => {
                fill(t.search_too_long, &[("max", &max.to_string())])
            }
            AppError::AnswerFailed { message, .. } => message.clone(),
            AppError::Database(_) | AppError::Internal(_) => t.internal.into(),
        }
    }

    /// Logs the error with a fresh correlation id and returns what the client gets, in English.
    pub fn report(&self) -> ApiError {
        self.report_in(Lang::En)
    }

    /// [`Self::report`] with the message in `lang`.
    pub fn report_in(&self, lang: Lang) -> ApiError {
        let correlation_id = new_correlation_id();
        if self.status().is_server_error() {
            tracing::error!(correlation_id, code = self.code(), error = %self, "request failed");
        } else {
            tracing::info!(correlation_id, code = self.code(), error = %self, "request rejected");
        }
        self.to_api_error_in(correlation_id, lang)
    }

    /// The error in OpenAI's shape (see [`openai_error_body`]).
    pub fn openai_body(&self, report: &ApiError) -> serde_json::Value {
        openai_error_body(self.status(), report)
    }

    pub fn to_api_error(&self, correlation_id: String) -> ApiError {
        self.to_api_error_in(correlation_id, Lang::En)
    }

    pub fn to_api_error_in(&self, correlation_id: String, lang: Lang) -> ApiError {
        ApiError {
            code: self.code().into(),
            message: self.message_in(lang),
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

/// An error in OpenAI's shape, for `/v1/chat/completions` and `/v1/models`: SDKs read `error.message`, `error.type`
/// (from the status) and `error.code`. The correlation id rides in the message and beside it.
pub fn openai_error_body(status: StatusCode, report: &ApiError) -> serde_json::Value {
    let kind = match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        500..=599 => "server_error",
        _ => "invalid_request_error",
    };
    serde_json::json!({
        "error": {
            "message": format!("{} (ref {})", report.message, report.correlation_id),
            "type": kind,
            "param": null,
            "code": report.code,
            "correlation_id": report.correlation_id,
            "retry_after_secs": report.retry_after_secs,
        }
    })
}

/// The sentence for a used-up allowance and its number, when `what` is worded as `identity::limits` words it ("your
/// 20 questions for today", "the 50000 tokens a day"); `None` for any other wording, which is then quoted as is.
fn quota_sentence<'a>(what: &'a str, t: &'static ErrorsTexts) -> Option<(&'static str, &'a str)> {
    if let Some(limit) = what
        .strip_prefix("your ")
        .and_then(|rest| rest.strip_suffix(" questions for today"))
        .filter(|limit| is_number(limit))
    {
        return Some((t.quota_questions, limit));
    }
    what.strip_prefix("the ")
        .and_then(|rest| rest.strip_suffix(" tokens a day"))
        .filter(|limit| is_number(limit))
        .map(|limit| (t.quota_tokens, limit))
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Why the human check failed (`identity::human_check` says it in English), in the catalogue's language; an unknown
/// reason as it is.
fn human_check_reason(why: &'static str, t: &'static ErrorsTexts) -> &'static str {
    let en = &Lang::En.texts().errors;
    [
        (en.human_check_unfinished, t.human_check_unfinished),
        (en.human_check_malformed, t.human_check_malformed),
        (
            en.human_check_unknown_algorithm,
            t.human_check_unknown_algorithm,
        ),
        (en.human_check_bad_signature, t.human_check_bad_signature),
        (en.human_check_not_ours, t.human_check_not_ours),
        (en.human_check_no_expiry, t.human_check_no_expiry),
        (en.human_check_expired, t.human_check_expired),
        (en.human_check_wrong, t.human_check_wrong),
        (en.human_check_used, t.human_check_used),
    ]
    .into_iter()
    .find(|(english, _)| *english == why)
    .map_or(why, |(_, text)| text)
}

/// A rename's refusal (`chat::conversations` words it in English), in the catalogue's language; `None` for a reason
/// the catalogue does not know.
fn title_reason(reason: &str, t: &'static ErrorsTexts) -> Option<String> {
    let en = &Lang::En.texts().errors;
    if reason == en.title_empty {
        return Some(t.title_empty.into());
    }
    if reason == en.title_control_characters {
        return Some(t.title_control_characters.into());
    }
    let (before, after) = en.title_too_long.split_once("{max}")?;
    let max = reason.strip_prefix(before)?.strip_suffix(after)?;
    is_number(max).then(|| fill(t.title_too_long, &[("max", max)]))
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
    // Only the app's own server functions get here: answer in the language of the page asking.
    let lang = Lang::current();
    Some(
        AppError::InvalidBody(lang.texts().errors.body_unreadable.into())
            .to_api_error_in(correlation_id, lang),
    )
}

/// "42 seconds", "3 minutes", "5 hours 12 minutes": a wait as a person says it.
pub fn wait_in_words(secs: u64) -> String {
    wait_in_words_in(secs, Lang::En)
}

/// [`wait_in_words`] in `lang` ("5 giờ 12 phút").
pub fn wait_in_words_in(secs: u64, lang: Lang) -> String {
    let t = &lang.texts().errors;
    let plural = |n: u64, one: &str, other: &str| {
        fill(
            if n == 1 { one } else { other },
            &[("count", &n.to_string())],
        )
    };
    match secs {
        0..=59 => plural(secs.max(1), t.second_one, t.second_other),
        60..=3599 => plural(secs.div_ceil(60), t.minute_one, t.minute_other),
        _ => {
            let total_minutes = secs.div_ceil(60);
            let (hours, minutes) = (total_minutes / 60, total_minutes % 60);
            let hours = plural(hours, t.hour_one, t.hour_other);
            if minutes == 0 {
                hours
            } else {
                format!("{hours} {}", plural(minutes, t.minute_one, t.minute_other))
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
    use super::{wait_in_words, wait_in_words_in, AppError, Lang};

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(42), "42 seconds");
        assert_eq!(wait_in_words(61), "2 minutes");
        assert_eq!(wait_in_words(3600), "1 hour");
        assert_eq!(wait_in_words(5 * 3600 + 12 * 60), "5 hours 12 minutes");
        assert_eq!(wait_in_words(2 * 3600 - 5), "2 hours");
    }

    #[test]
    fn english_messages_stay_as_they_were() {
        let quota = AppError::QuotaExceeded {
            retry_after_secs: 61,
            what: "your 20 questions for today".into(),
        };
        assert_eq!(
            quota.user_message(),
            "You have used your 20 questions for today. You can ask again in 2 minutes."
        );
        let tokens = AppError::QuotaExceeded {
            retry_after_secs: 30,
            what: "the 50000 tokens a day".into(),
        };
        assert_eq!(
            tokens.user_message(),
            "You have used the 50000 tokens a day. You can ask again in 30 seconds."
        );
        assert_eq!(
            AppError::UnknownModel("a/b".into()).user_message(),
            "The model \"a/b\" is not available on this server. Pick one from the Model list."
        );
        assert_eq!(
            AppError::HumanCheckFailed("the challenge expired").user_message(),
            "We could not check that you are a person (the challenge expired). Please try again."
        );
        assert_eq!(
            AppError::InvalidTitle("A title can be at most 200 characters.".into()).user_message(),
            "A title can be at most 200 characters."
        );
    }

    #[test]
    fn server_functions_can_answer_in_vietnamese() {
        assert_eq!(
            wait_in_words_in(5 * 3600 + 12 * 60, Lang::Vi),
            "5 giờ 12 phút"
        );
        let quota = AppError::QuotaExceeded {
            retry_after_secs: 61,
            what: "your 20 questions for today".into(),
        };
        assert_eq!(
            quota.message_in(Lang::Vi),
            "Bạn đã dùng hết 20 câu hỏi của hôm nay. Bạn có thể hỏi lại sau 2 phút."
        );
        assert_eq!(
            AppError::InvalidTitle("A title can be at most 200 characters.".into())
                .message_in(Lang::Vi),
            "Tiêu đề có thể dài tối đa 200 ký tự."
        );
        assert_eq!(
            AppError::HumanCheckFailed("the challenge expired").message_in(Lang::Vi),
            "Chúng tôi chưa xác minh được bạn là người thật (thử thách đã hết hạn). Vui lòng thử lại."
        );
        let report = AppError::NotFound.to_api_error_in("ref".into(), Lang::Vi);
        assert_eq!(
            report.message,
            "Cuộc trò chuyện này không tồn tại hoặc không phải của bạn."
        );
        assert_eq!(report.code, "not_found");
    }
}
