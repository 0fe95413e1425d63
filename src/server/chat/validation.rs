//! Checks on what users type, before anything is stored or sent to a model.

use crate::server::error::AppError;

/// Validates a question and returns it trimmed. Newlines and tabs are fine; other control characters are not
/// (they hide text from the reader and are a common carrier for prompt-injection tricks).
pub fn validate_message(raw: &str, max_chars: usize) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(AppError::EmptyMessage);
    }
    let chars = trimmed.chars().count();
    if chars > max_chars {
        return Err(AppError::MessageTooLong {
            actual: chars,
            max: max_chars,
        });
    }
    if trimmed.chars().any(is_forbidden_control) {
        return Err(AppError::ControlCharacters);
    }
    Ok(trimmed.replace("\r\n", "\n"))
}

fn is_forbidden_control(c: char) -> bool {
    let bidi_override = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || bidi_override
}

/// Parses a conversation or message id from a URL or request.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| AppError::InvalidId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_whitespace_are_rejected() {
        assert!(matches!(
            validate_message("", 10),
            Err(AppError::EmptyMessage)
        ));
        assert!(matches!(
            validate_message(" \n\t ", 10),
            Err(AppError::EmptyMessage)
        ));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            validate_message("thuế thu nhập", 13).unwrap(),
            "thuế thu nhập"
        );
        assert!(matches!(
            validate_message("thuế thu nhập!", 13),
            Err(AppError::MessageTooLong {
                actual: 14,
                max: 13
            })
        ));
    }

    #[test]
    fn control_characters_are_rejected_but_newlines_kept() {
        assert!(matches!(
            validate_message("a\u{0}b", 10),
            Err(AppError::ControlCharacters)
        ));
        assert!(matches!(
            validate_message("a\u{1b}[2Jb", 10),
            Err(AppError::ControlCharacters)
        ));
        assert!(matches!(
            validate_message("abc\u{202E}gpj.exe", 20),
            Err(AppError::ControlCharacters)
        ));
        assert_eq!(
            validate_message(" line one\r\nline\ttwo ", 30).unwrap(),
            "line one\nline\ttwo"
        );
    }

    #[test]
    fn ids_must_be_uuids() {
        assert!(parse_id("not-an-id").is_err());
        assert!(parse_id("0190b5d2-7a3e-7c4d-9a55-3a1f0e2b4c6d").is_ok());
    }
}
