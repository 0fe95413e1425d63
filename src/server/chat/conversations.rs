//! Reading and deleting conversations on behalf of their owner, and shaping stored rows for the browser.

use uuid::Uuid;

use super::{markdown, validation::parse_id, Chat};
use crate::model::{
    AnswerTiming, ChatMessage, ConversationDetail, ConversationPage, ConversationSummary,
    MessagePage, Role, SearchResult, TextRun,
};
use crate::server::{
    error::AppError,
    identity::caller::Caller,
    store::{one_line, ListCursor, ListFilter, MessageRow, Owner, HIGHLIGHT_END, HIGHLIGHT_START},
};

/// Conversations per sidebar page, and messages per page of a conversation.
const SIDEBAR_PAGE: i64 = 40;
const MESSAGE_PAGE: i64 = 100;
const SEARCH_RESULTS: i64 = 20;
const MAX_SEARCH_CHARS: usize = 200;
pub const MAX_TITLE_CHARS: usize = 120;
const PREVIEW_CHARS: usize = 90;

/// The caller as an owner, without creating anything: a guest who never wrote has no conversations.
pub async fn existing_owner(chat: &Chat, caller: &Caller) -> Result<Option<Owner>, AppError> {
    Ok(caller.existing_owner(chat.store.as_ref()).await?)
}

pub async fn list(
    chat: &Chat,
    caller: &Caller,
    archived: bool,
    after: Option<&str>,
) -> Result<ConversationPage, AppError> {
    let after = after
        .filter(|c| !c.is_empty())
        .map(parse_cursor)
        .transpose()?;
    let Some(owner) = existing_owner(chat, caller).await? else {
        return Ok(ConversationPage::default());
    };
    let filter = if archived {
        ListFilter::Archived
    } else {
        ListFilter::Active
    };
    let items = chat
        .store
        .list_conversations(owner, filter, after.as_ref(), SIDEBAR_PAGE + 1)
        .await?;
    let next = (items.len() as i64 > SIDEBAR_PAGE)
        .then(|| {
            items
                .get(SIDEBAR_PAGE as usize - 1)
                .map(|i| format_cursor(&ListCursor::after(i)))
        })
        .flatten();
    Ok(ConversationPage {
        items: items
            .into_iter()
            .take(SIDEBAR_PAGE as usize)
            .map(|item| ConversationSummary {
                id: item.id.to_string(),
                title: item.title,
                preview: item
                    .last_message
                    .as_deref()
                    .map(|m| one_line(m, PREVIEW_CHARS))
                    .unwrap_or_default(),
                message_count: item.message_count,
                updated_at_ms: item.updated_at_ms,
                pinned: item.pinned,
                archived: item.archived,
            })
            .collect(),
        next,
    })
}

/// A cursor as the browser holds it: `pinned.updated_at.id`, opaque to it.
fn format_cursor(cursor: &ListCursor) -> String {
    format!(
        "{}.{}.{}",
        u8::from(cursor.pinned),
        cursor.updated_at_ms,
        cursor.id
    )
}

fn parse_cursor(text: &str) -> Result<ListCursor, AppError> {
    let mut parts = text.splitn(3, '.');
    let (Some(pinned), Some(updated), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AppError::InvalidCursor);
    };
    Ok(ListCursor {
        pinned: match pinned {
            "0" => false,
            "1" => true,
            _ => return Err(AppError::InvalidCursor),
        },
        updated_at_ms: updated.parse().map_err(|_| AppError::InvalidCursor)?,
        id: Uuid::parse_str(id).map_err(|_| AppError::InvalidCursor)?,
    })
}

pub async fn open(chat: &Chat, caller: &Caller, id: &str) -> Result<ConversationDetail, AppError> {
    let (owner, id) = owned(chat, caller, id).await?;
    let conversation = chat
        .store
        .get_conversation(owner, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (messages, has_earlier) = chat
        .store
        .list_recent_messages(owner, id, None, MESSAGE_PAGE)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ConversationDetail {
        id: conversation.id.to_string(),
        title: conversation.title,
        // A model removed from the configuration since is forgotten rather than shown as chosen.
        model_key: conversation
            .model_key
            .filter(|key| chat.catalog.contains(key)),
        pinned: conversation.pinned,
        archived: conversation.archived,
        messages: super::branches::with_versions(chat, id, messages).await?,
        has_earlier,
    })
}

/// Messages older than `before` in one of the caller's conversations (scrolling up in a long one).
pub async fn earlier_messages(
    chat: &Chat,
    caller: &Caller,
    id: &str,
    before: &str,
) -> Result<MessagePage, AppError> {
    let before = parse_id(before)?;
    let (owner, id) = owned(chat, caller, id).await?;
    let (messages, has_earlier) = chat
        .store
        .list_recent_messages(owner, id, Some(before), MESSAGE_PAGE)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MessagePage {
        messages: super::branches::with_versions(chat, id, messages).await?,
        has_earlier,
    })
}

/// The caller (as an owner) and the conversation id they name; not-found for a guest who never wrote.
pub(crate) async fn owned(
    chat: &Chat,
    caller: &Caller,
    id: &str,
) -> Result<(Owner, Uuid), AppError> {
    let id = parse_id(id)?;
    let owner = existing_owner(chat, caller)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((owner, id))
}

fn found(changed: bool) -> Result<(), AppError> {
    changed.then_some(()).ok_or(AppError::NotFound)
}

pub async fn rename(
    chat: &Chat,
    caller: &Caller,
    id: &str,
    title: &str,
) -> Result<String, AppError> {
    let title = validate_title(title)?;
    let (owner, id) = owned(chat, caller, id).await?;
    found(chat.store.rename_conversation(owner, id, &title).await?)?;
    Ok(title)
}

pub async fn set_pinned(
    chat: &Chat,
    caller: &Caller,
    id: &str,
    pinned: bool,
) -> Result<(), AppError> {
    let (owner, id) = owned(chat, caller, id).await?;
    found(chat.store.set_pinned(owner, id, pinned).await?)
}

pub async fn set_archived(
    chat: &Chat,
    caller: &Caller,
    id: &str,
    archived: bool,
) -> Result<(), AppError> {
    let (owner, id) = owned(chat, caller, id).await?;
    found(chat.store.set_archived(owner, id, archived).await?)
}

pub async fn search(
    chat: &Chat,
    caller: &Caller,
    query: &str,
) -> Result<Vec<SearchResult>, AppError> {
    if query.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::SearchTooLong {
            max: MAX_SEARCH_CHARS,
        });
    }
    let terms = search_terms(query);
    let Some(owner) = existing_owner(chat, caller).await? else {
        return Ok(Vec::new());
    };
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let hits = chat.store.search(owner, &terms, SEARCH_RESULTS).await?;
    Ok(hits
        .into_iter()
        .map(|hit| SearchResult {
            id: hit.conversation_id.to_string(),
            title: hit.title,
            snippet: text_runs(&hit.snippet),
            archived: hit.archived,
        })
        .collect())
}

/// The words of a search, lowercased; punctuation and operators are dropped, so no query syntax gets through.
pub fn search_terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|term| !term.is_empty())
        .map(|term| term.chars().take(40).collect::<String>().to_lowercase())
        .take(8)
        .collect()
}

/// Splits a snippet with highlight markers into plain and matched runs (the browser shows them as text and `mark`).
pub fn text_runs(snippet: &str) -> Vec<TextRun> {
    let mut runs: Vec<TextRun> = Vec::new();
    let mut current = String::new();
    let mut matched = false;
    for c in snippet.chars() {
        if c == HIGHLIGHT_START || c == HIGHLIGHT_END {
            if !current.is_empty() {
                runs.push(TextRun {
                    text: std::mem::take(&mut current),
                    matched,
                });
            }
            matched = c == HIGHLIGHT_START;
        } else {
            current.push(if c.is_whitespace() { ' ' } else { c });
        }
    }
    if !current.is_empty() {
        runs.push(TextRun {
            text: current,
            matched,
        });
    }
    runs
}

pub(crate) fn validate_title(title: &str) -> Result<String, AppError> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(AppError::InvalidTitle("A title cannot be empty.".into()));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::InvalidTitle(format!(
            "A title can be at most {MAX_TITLE_CHARS} characters."
        )));
    }
    if title.chars().any(char::is_control) {
        return Err(AppError::InvalidTitle(
            "A title cannot contain control characters.".into(),
        ));
    }
    Ok(title)
}

pub async fn delete(chat: &Chat, caller: &Caller, id: &str) -> Result<(), AppError> {
    let id: Uuid = parse_id(id)?;
    let owner = existing_owner(chat, caller)
        .await?
        .ok_or(AppError::NotFound)?;
    if chat.store.delete_conversation(owner, id).await? {
        tracing::info!(conversation_id = %id, "conversation deleted");
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A stored message as the browser shows it; answers are rendered to sanitized HTML here, on the server.
pub fn to_chat_message(row: MessageRow) -> ChatMessage {
    let html = match row.role {
        Role::Assistant => {
            let html = markdown::render(&row.content);
            match &row.grounding {
                Some(g) if !g.unsupported_figures.is_empty() => {
                    markdown::mark_unsupported(&html, &g.unsupported_figures)
                }
                _ => html,
            }
        }
        Role::User => String::new(),
    };
    ChatMessage {
        id: row.id.to_string(),
        role: row.role,
        html,
        content: row.content,
        status: row.status,
        provider: row.provider,
        model: row.model,
        usage: row.usage,
        error_id: row.error_id,
        notice: row.notice,
        follow_ups: row.follow_ups,
        grounding: row.grounding,
        timing: row.latency_ms.map(|total_ms| AnswerTiming {
            first_token_ms: row.ttft_ms,
            total_ms,
        }),
        created_at_ms: row.created_at_ms,
        branch: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_drop_query_syntax() {
        assert_eq!(
            search_terms("home-office \"deduction\" OR *NEAR(x) 1099"),
            ["home", "office", "deduction", "or", "near", "x", "1099"]
        );
        assert!(search_terms("  ***  ").is_empty());
    }

    #[test]
    fn snippets_become_marked_runs() {
        let snippet = format!(
            "a {HIGHLIGHT_START}home{HIGHLIGHT_END} office\n{HIGHLIGHT_START}x{HIGHLIGHT_END}"
        );
        assert_eq!(
            text_runs(&snippet),
            [
                TextRun {
                    text: "a ".into(),
                    matched: false
                },
                TextRun {
                    text: "home".into(),
                    matched: true
                },
                TextRun {
                    text: " office ".into(),
                    matched: false
                },
                TextRun {
                    text: "x".into(),
                    matched: true
                },
            ]
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = ListCursor {
            pinned: true,
            updated_at_ms: 1_764_000_000_000,
            id: Uuid::now_v7(),
        };
        assert_eq!(parse_cursor(&format_cursor(&cursor)).unwrap(), cursor);
        for bad in [
            "",
            "1.2",
            "2.5.x",
            "1.nope.00000000-0000-0000-0000-000000000000",
        ] {
            assert!(
                matches!(parse_cursor(bad), Err(AppError::InvalidCursor)),
                "{bad}"
            );
        }
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(validate_title("  Home   office\n ").unwrap(), "Home office");
        assert!(validate_title("   ").is_err());
        assert!(validate_title(&"x".repeat(MAX_TITLE_CHARS + 1)).is_err());
    }
}
