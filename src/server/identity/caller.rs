//! The [`Caller`]: who is behind a request, resolved once by [`identify`] and handed to every server function,
//! REST handler and store call. A valid session cookie makes a user; otherwise the signed guest cookie (issued on
//! the first visit) makes a guest.

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

use super::{
    guest::{self, GuestToken, ProfileHint},
    human_check::hex,
    session,
};
use crate::model::tax::TaxProfile;
use crate::server::{
    state::AppState,
    store::{accounts::UserRole, Owner, OwnerRef, Store, StoreResult},
};

/// Who is asking.
#[derive(Clone, Debug)]
pub enum Caller {
    Guest(GuestToken),
    User(SignedIn),
}

/// A signed-in user, as their session resolved.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user_id: Uuid,
    pub username: String,
    pub role: UserRole,
    /// The browser session this request came with (Settings marks it "This device").
    pub session_id: Uuid,
    /// The interface language they chose, on whichever device (it wins over this browser's cookie).
    pub language: Option<crate::i18n::Lang>,
    /// The saved tax profile, read with the session.
    pub tax_profile: Option<TaxProfile>,
}

/// The limits a caller is held to (see `limits.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    Guest,
    User,
    /// Not limited.
    Admin,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Guest => "guest",
            Tier::User => "user",
            Tier::Admin => "admin",
        }
    }
}

impl Caller {
    pub fn tier(&self) -> Tier {
        match self {
            Caller::Guest(_) => Tier::Guest,
            Caller::User(user) if user.role == UserRole::Admin => Tier::Admin,
            Caller::User(_) => Tier::User,
        }
    }

    pub fn user(&self) -> Option<&SignedIn> {
        match self {
            Caller::User(user) => Some(user),
            Caller::Guest(_) => None,
        }
    }

    /// The owner as a store query can name it without a lookup.
    pub fn owner_ref(&self) -> OwnerRef<'_> {
        match self {
            Caller::Guest(guest) => OwnerRef::GuestToken(&guest.token_hash),
            Caller::User(user) => OwnerRef::User(user.user_id),
        }
    }

    /// The saved tax profile when it is known without a read (`Some(None)`: certainly none); `None`: read it.
    pub fn known_tax_profile(&self) -> Option<Option<TaxProfile>> {
        match self {
            Caller::User(user) => Some(user.tax_profile.clone()),
            Caller::Guest(guest) => (guest.profile == ProfileHint::None).then_some(None),
        }
    }

    /// The owner if it has anything stored, creating nothing: a guest who never wrote owns nothing yet.
    pub async fn existing_owner(&self, store: &dyn Store) -> StoreResult<Option<Owner>> {
        match self {
            Caller::Guest(guest) => {
                Ok(store.find_guest(&guest.token_hash).await?.map(Owner::Guest))
            }
            Caller::User(user) => Ok(Some(Owner::User(user.user_id))),
        }
    }

    /// The owner, creating (or reviving) the guest's row when it is a guest's first write.
    pub async fn owner(&self, store: &dyn Store) -> StoreResult<Owner> {
        match self {
            Caller::Guest(guest) => Ok(Owner::Guest(
                store
                    .ensure_guest(&guest.token_hash, guest::GUEST_TTL_MS)
                    .await?,
            )),
            Caller::User(user) => Ok(Owner::User(user.user_id)),
        }
    }

    /// A key for this caller's counters (rate limits, quotas): stable for the guest's cookie or the user.
    pub fn counter_key(&self) -> String {
        match self {
            Caller::Guest(guest) => format!("g:{}", hex(&guest.token_hash[..16])),
            Caller::User(user) => format!("u:{}", user.user_id),
        }
    }
}

/// Files under these paths are the same for everyone: they need no caller (and no session read).
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.') && !last.ends_with(".json"))
}

/// Resolves the [`Caller`] of every request and keeps its cookies fresh: a live session slides its expiry (at
/// most once a minute); a dead one has its cookie cleared; a guest gets or refreshes the signed guest cookie.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if is_static(request.uri().path()) {
        return next.run(request).await;
    }
    let cookies = session::Cookies::of(request.headers());
    let mut set_cookies = Vec::new();
    let mut user = None;
    if let Some(token) = cookies.session(&state.sessions) {
        match state.sessions.resolve(state.store.as_ref(), &token).await {
            Ok(Some((signed_in, refreshed))) => {
                if let Some(cookie) = refreshed {
                    set_cookies.push(cookie);
                }
                user = Some(signed_in);
            }
            Ok(None) => set_cookies.push(state.sessions.clear_cookie()),
            Err(error) => {
                // Without the database nothing of the user's can be shown anyway; as a guest the page still loads.
                tracing::warn!(%error, "session lookup failed; serving the request as a guest");
            }
        }
    }
    let caller = match user {
        Some(user) => Caller::User(user),
        None => {
            let (guest, cookie) = state.cookie_signer.guest_for(cookies.guest());
            if let Some(cookie) = cookie {
                set_cookies.push(cookie);
            }
            Caller::Guest(guest)
        }
    };
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    // A handler that set the same cookie itself (sign-in, sign-out) knows better.
    let already_set: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split_once('=').map(|(name, _)| name.to_string()))
        .collect();
    for cookie in set_cookies {
        let name = cookie
            .to_str()
            .ok()
            .and_then(|v| v.split_once('='))
            .map(|(name, _)| name.to_string())
            .unwrap_or_default();
        if !already_set.contains(&name) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_static;

    #[test]
    fn only_files_skip_the_caller() {
        assert!(is_static("/pkg/tally.wasm"));
        assert!(is_static("/favicon.svg"));
        assert!(is_static("/pow.js"));
        assert!(!is_static("/"));
        assert!(!is_static("/c/0190f1e2-aaaa"));
        assert!(!is_static("/api/conversations/list"));
        assert!(!is_static("/settings"));
    }
}
