//! Share links: a signed-in user makes a read-only link to one of their conversations as it is now; anyone with
//! the link reads it (`/s/{token}`), without the owner's name or email; the owner lists and revokes links in
//! Settings. Guests cannot share: their history lives on one device and goes when they sign up.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::{conversations::to_chat_message, validation::parse_id, Chat};
use crate::model::{
    share::{SharedConversation, SharedLink},
    MessageStatus,
};
use crate::server::{
    error::AppError,
    identity::caller::Caller,
    store::{shares::ShareLinkRow, Store},
};

/// Random bytes in a link's token: 192 bits, so links cannot be guessed or enumerated.
const TOKEN_BYTES: usize = 24;
/// A token as the link writes it: base64url without padding.
const TOKEN_CHARS: usize = TOKEN_BYTES * 4 / 3;

fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; TOKEN_BYTES]>())
}

pub fn link_path(token: &str) -> String {
    format!("/s/{token}")
}

fn shared_link(row: ShareLinkRow) -> SharedLink {
    SharedLink {
        id: row.id.to_string(),
        conversation_id: row.conversation_id.to_string(),
        title: row.title,
        path: link_path(&row.token),
        created_at_ms: row.created_at_ms,
        shared_at_ms: row.shared_at_ms,
    }
}

/// Shares one of the caller's conversations as it is now (an existing link moves to now and keeps its address).
pub async fn share(chat: &Chat, caller: &Caller, id: &str) -> Result<SharedLink, AppError> {
    let user = caller.user().ok_or(AppError::SignInRequired)?;
    let id = parse_id(id)?;
    let link = chat
        .store
        .share_conversation(user.user_id, id, &new_token())
        .await?
        .ok_or(AppError::NotFound)?;
    tracing::info!(conversation_id = %id, share_id = %link.id, "conversation shared");
    Ok(shared_link(link))
}

/// The caller's live share links, newest first (none for a guest).
pub async fn links(store: &dyn Store, caller: &Caller) -> Result<Vec<SharedLink>, AppError> {
    let Some(user) = caller.user() else {
        return Ok(Vec::new());
    };
    Ok(store
        .list_share_links(user.user_id)
        .await?
        .into_iter()
        .map(shared_link)
        .collect())
}

/// Revokes one of the caller's share links: from now on it answers 404.
pub async fn revoke(store: &dyn Store, caller: &Caller, id: &str) -> Result<(), AppError> {
    let user = caller.user().ok_or(AppError::SignInRequired)?;
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    if store.revoke_share_link(user.user_id, id).await? {
        tracing::info!(share_id = %id, "share link revoked");
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// What the link `token` shows, to anyone: the finished messages as of sharing. A token that is malformed, unknown
/// or revoked is simply not found, so a guess learns nothing.
pub async fn shared(store: &dyn Store, token: &str) -> Result<SharedConversation, AppError> {
    let well_formed = token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(AppError::NotFound);
    }
    let snapshot = store
        .shared_snapshot(token)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SharedConversation {
        title: snapshot.title,
        shared_at_ms: snapshot.shared_at_ms,
        messages: snapshot
            .messages
            .into_iter()
            // An answer still being written when the link was made is left out rather than shown half-done.
            .filter(|m| m.status != MessageStatus::Streaming)
            .map(to_chat_message)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_CHARS);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
