//! Server functions of this browser's preferences that follow a user to their other devices.

use leptos::prelude::*;

use crate::model::ApiError;

#[cfg(feature = "ssr")]
use super::context;

/// Keeps a signed-in user's interface language (`en`, `vi`) in their profile, so every device they sign in on
/// renders it. The browser keeps its own cookie too, which is all a guest has.
#[server(endpoint = "preferences/language", output = crate::model::json::Json)]
pub async fn save_language(language: String) -> Result<(), ApiError> {
    use crate::{i18n::Lang, server::error::AppError};
    let (state, caller) = context::caller().await?;
    let Some(lang) = Lang::parse(&language).filter(|lang| lang.code() == language) else {
        return Err(context::fail(AppError::InvalidField {
            field: "language".into(),
            message: "Choose one of: en, vi.".into(),
        }));
    };
    if let Some(user) = caller.user() {
        state
            .store
            .set_language(user.user_id, lang.code())
            .await
            .map_err(|e| context::fail(e.into()))?;
    }
    Ok(())
}
