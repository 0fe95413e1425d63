//! The admin dashboard's server function. Its changes are form posts (`server/admin/forms.rs`).

use leptos::prelude::*;

use crate::model::{admin::AdminOverview, ApiError};

#[cfg(feature = "ssr")]
use super::context;

/// Usage, users matching `query`, guests today, providers and limits; 404 for anyone but an admin.
#[server(endpoint = "admin/overview", output = crate::model::json::Json)]
pub async fn load_admin(#[server(default)] query: String) -> Result<AdminOverview, ApiError> {
    let (state, caller) = context::caller().await?;
    crate::server::admin::overview(&state, &caller, &query, crate::i18n::Lang::current())
        .await
        .map_err(context::fail)
}
