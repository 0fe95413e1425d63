//! `GET /api/conversations/{id}/export?format=md|json|pdf`: one of the caller's conversations as a file, every
//! message included, the disclaimer with every answer and once more at the end (the PDF is the Markdown typeset,
//! see `pdf.rs`). `GET /settings/export`: "Download my
//! data", every conversation of a signed-in user (archived ones too) with every message, as one JSON file.

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use serde::{Deserialize, Serialize};

use super::{conversations::owned, Chat};
use crate::model::{tax::Grounding, Role, Usage, DISCLAIMER};
use crate::server::{
    error::AppError,
    identity::caller::Caller,
    store::{ListCursor, ListFilter, MessageRow},
};

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
}

#[derive(Serialize)]
struct ExportedConversation {
    id: String,
    title: String,
    exported_at_ms: i64,
    disclaimer: &'static str,
    messages: Vec<ExportedMessage>,
}

#[derive(Serialize)]
struct ExportedMessage {
    id: String,
    role: Role,
    content: String,
    status: &'static str,
    provider: Option<String>,
    model: Option<String>,
    usage: Option<Usage>,
    disclaimer: Option<String>,
    /// The profile stamp, sources, calculations and unsupported figures of a tax answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    grounding: Option<Grounding>,
    created_at_ms: i64,
}

pub async fn export(
    State(chat): State<Chat>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Response {
    match file(&chat, &caller, &id, query.format.as_deref().unwrap_or("md")).await {
        Ok(response) => response,
        Err(error) => (error.status(), Json(error.report())).into_response(),
    }
}

/// One of the caller's conversations as a download in `format` (`md`, `json` or `pdf`).
pub async fn file(
    chat: &Chat,
    caller: &Caller,
    id: &str,
    format: &str,
) -> Result<Response, AppError> {
    if !matches!(format, "md" | "json" | "pdf") {
        return Err(AppError::InvalidBody(format!(
            "format must be md, json or pdf, not {:?}",
            format.chars().take(20).collect::<String>()
        )));
    }
    let (owner, id) = owned(chat, caller, id).await?;
    let conversation = chat
        .store
        .get_conversation(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let messages = chat
        .store
        .list_messages(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let exported = ExportedConversation {
        id: conversation.id.to_string(),
        title: conversation.title,
        exported_at_ms: crate::server::store::now_ms(),
        disclaimer: DISCLAIMER,
        messages: messages.into_iter().map(exported_message).collect(),
    };
    let name = file_name(&exported.title);
    let (body, content_type, extension): (Vec<u8>, _, _) = match format {
        "json" => {
            let json = serde_json::to_string_pretty(&exported)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            (json.into(), "application/json; charset=utf-8", "json")
        }
        "pdf" => {
            let text = markdown(&exported);
            let title = exported.title.clone();
            let language = crate::i18n::question_language(&text).code();
            // Typesetting a long conversation takes a while: off the async runtime.
            let pdf = tokio::task::spawn_blocking(move || {
                super::pdf::render(&title, language, &super::pdf::layout(&title, &text))
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(AppError::Internal)?;
            (pdf, "application/pdf", "pdf")
        }
        _ => (
            markdown(&exported).into(),
            "text/markdown; charset=utf-8",
            "md",
        ),
    };
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Serialize)]
struct ExportedAccount {
    username: String,
    email: String,
    exported_at_ms: i64,
    disclaimer: &'static str,
    conversations: Vec<ExportedConversation>,
}

/// Conversations read per page while exporting everything.
const EXPORT_PAGE: i64 = 200;

pub async fn export_account(
    State(chat): State<Chat>,
    Extension(caller): Extension<Caller>,
) -> Response {
    match everything(&chat, &caller).await {
        Ok(response) => response,
        Err(error) => (error.status(), Json(error.report())).into_response(),
    }
}

async fn everything(chat: &Chat, caller: &Caller) -> Result<Response, AppError> {
    let user = caller.user().ok_or(AppError::SignInRequired)?;
    let account = chat
        .store
        .find_user(user.user_id)
        .await?
        .ok_or(AppError::SignInRequired)?;
    let owner = crate::server::store::Owner::User(user.user_id);
    let mut conversations = Vec::new();
    for filter in [ListFilter::Active, ListFilter::Archived] {
        let mut after: Option<ListCursor> = None;
        loop {
            let page = chat
                .store
                .list_conversations(owner, filter, after.as_ref(), EXPORT_PAGE)
                .await?;
            for item in &page {
                let messages = chat
                    .store
                    .list_messages(owner, item.id)
                    .await?
                    .unwrap_or_default();
                conversations.push(ExportedConversation {
                    id: item.id.to_string(),
                    title: item.title.clone(),
                    exported_at_ms: crate::server::store::now_ms(),
                    disclaimer: DISCLAIMER,
                    messages: messages.into_iter().map(exported_message).collect(),
                });
            }
            match page.last() {
                Some(last) if page.len() as i64 == EXPORT_PAGE => {
                    after = Some(ListCursor::after(last))
                }
                _ => break,
            }
        }
    }
    let exported = ExportedAccount {
        username: account.username,
        email: account.email,
        exported_at_ms: crate::server::store::now_ms(),
        disclaimer: DISCLAIMER,
        conversations,
    };
    let json =
        serde_json::to_string_pretty(&exported).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = (StatusCode::OK, json).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"tally-{}.json\"",
        file_name(&exported.username)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn exported_message(row: MessageRow) -> ExportedMessage {
    ExportedMessage {
        id: row.id.to_string(),
        role: row.role,
        content: row.content,
        status: row.status.as_str(),
        provider: row.provider,
        model: row.model,
        usage: row.usage,
        disclaimer: row.disclaimer,
        grounding: row.grounding,
        created_at_ms: row.created_at_ms,
    }
}

/// A tax answer's stamp goes above it; its calculations and sources below, as the chat shows them.
fn markdown_grounding_above(out: &mut String, grounding: &Grounding) {
    if !grounding.stamp.is_empty() {
        out.push_str(&format!("_{}_\n\n", grounding.stamp));
    }
}

fn markdown_grounding_below(out: &mut String, grounding: &Grounding) {
    if !grounding.unsupported_figures.is_empty() {
        out.push_str(&format!(
            "_Not in the sources: {}._\n\n",
            grounding.unsupported_figures.join(", ")
        ));
    }
    for (index, calculation) in grounding.calculations.iter().enumerate() {
        let number = grounding.sources.len() + index + 1;
        out.push_str(&format!(
            "**[{number}] {}** (tax year {})\n\n",
            calculation.title, calculation.tax_year
        ));
        for step in &calculation.steps {
            out.push_str(&format!("- {step}\n"));
        }
        for line in &calculation.lines {
            out.push_str(&format!("- **{}: {}**\n", line.label, line.value));
        }
        out.push('\n');
    }
    if !grounding.sources.is_empty() {
        out.push_str("**Sources**\n\n");
        for source in &grounding.sources {
            let section = if source.section.is_empty() {
                String::new()
            } else {
                format!(", {}", source.section)
            };
            out.push_str(&format!(
                "{}. [{}]({}) — {}{section}, tax year {}\n",
                source.number, source.title, source.url, source.publication, source.tax_year
            ));
        }
        out.push('\n');
    }
}

fn markdown(conversation: &ExportedConversation) -> String {
    let mut out = format!("# {}\n\n", conversation.title);
    for message in &conversation.messages {
        match message.role {
            Role::User => out.push_str("## You\n\n"),
            Role::Assistant => {
                let model = message.model.as_deref().unwrap_or("unknown model");
                out.push_str(&format!("## Tally ({model})\n\n"));
            }
        }
        if let Some(grounding) = &message.grounding {
            markdown_grounding_above(&mut out, grounding);
        }
        out.push_str(message.content.trim_end());
        out.push_str("\n\n");
        if let Some(grounding) = &message.grounding {
            markdown_grounding_below(&mut out, grounding);
        }
        if message.status != "complete" {
            out.push_str(&format!("_This answer is {}._\n\n", message.status));
        }
        if message.role == Role::Assistant {
            let disclaimer = message.disclaimer.as_deref().unwrap_or(DISCLAIMER);
            out.push_str(&format!("> {disclaimer}\n\n"));
        }
    }
    out.push_str(&format!("---\n\n{}\n", conversation.disclaimer));
    out
}

/// A safe download name: letters, digits and dashes from the title.
fn file_name(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug: String = slug.chars().take(60).collect();
    if slug.is_empty() {
        "tally-conversation".into()
    } else {
        format!("tally-{slug}")
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("Home office: \"deduction\"?"),
            "tally-home-office-deduction"
        );
        assert_eq!(file_name("Überweisung 💶"), "tally-berweisung");
        assert_eq!(file_name("???"), "tally-conversation");
    }
}
