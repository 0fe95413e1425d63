//! The [`Caller`]: who is behind a request, resolved once by [`identify`] and handed to every server function,
//! REST handler and store call. A valid session cookie makes a user; otherwise the signed guest cookie (issued on
//! the first visit) makes a guest.

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::{
    api::keys::{Scope, Scopes},
    guest::{self, GuestToken, ProfileHint},
    human_check::hex,
    session,
};
use crate::model::tax::TaxProfile;
use crate::server::{
    error::AppError,
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
    /// The session this request came with: a browser's (Settings marks it "This device"), an API session's, or
    /// the API key's own id.
    pub session_id: Uuid,
    /// How the request proved who it is, and so what it may do.
    pub access: Access,
    /// The interface language they chose, on whichever device (it wins over this browser's cookie).
    pub language: Option<crate::i18n::Lang>,
    /// The saved tax profile when it was read with the credentials (`Some(None)`: certainly none); `None`: not
    /// read (an access token is checked without it), so read it when needed.
    pub tax_profile: Option<Option<TaxProfile>>,
}

/// How a signed-in request proved who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// A browser's session cookie.
    Browser,
    /// A bearer access token of an API session (`POST /api/v1/auth/login`).
    Token,
    /// A personal API key, with what its owner let it do.
    Key {
        scopes: Scopes,
        /// `/v1/chat/completions` keeps its answers as conversations.
        record: bool,
    },
}

impl SignedIn {
    /// Refuses an API key that lacks `scope`; passwords (browser sessions, access tokens) may do everything.
    pub fn require(&self, scope: Scope) -> Result<(), crate::server::error::AppError> {
        match &self.access {
            Access::Key { scopes, .. } if !scopes.contains(scope) => {
                Err(crate::server::error::AppError::MissingScope(scope.as_str()))
            }
            _ => Ok(()),
        }
    }
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
            Caller::User(user) => user.tax_profile.clone(),
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

/// Files of these kinds (in `public/`) are the same for everyone.
const STATIC_EXTENSIONS: &[&str] = &[
    "png",
    "svg",
    "ico",
    "webmanifest",
    "js",
    "css",
    "wasm",
    "txt",
    "woff2",
    "html",
    "br",
    "gz",
];

/// Files under these paths are the same for everyone: they need no caller (and no session read). Anything else
/// with a dot in it (`/s/..%2Fetc`) is a page and gets its caller like every page.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .and_then(|last| last.rsplit_once('.'))
            .is_some_and(|(_, extension)| STATIC_EXTENSIONS.contains(&extension))
}

/// Resolves the [`Caller`] of every request and keeps its cookies fresh: a live session slides its expiry (at
/// most once a minute); a dead one has its cookie cleared; a guest gets or refreshes the signed guest cookie.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if is_static(request.uri().path()) {
        return next.run(request).await;
    }
    if let Some(bearer) = bearer_token(request.headers()) {
        // An API client: the credential is the whole identity (no cookies read or set, never a guest).
        let bearer = bearer.to_string();
        return match state.api_access.caller_of(&bearer).await {
            Ok(user) => {
                request.extensions_mut().insert(Caller::User(user));
                next.run(request).await
            }
            Err(error) => bearer_refused(&error, request.uri().path().starts_with("/v1/")),
        };
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

/// The credential of `Authorization: Bearer ...`, if the request carries one.
fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// A bearer credential that is not good: 401 (or 500 when the database failed) in the API's error shape, or in
/// OpenAI's on its compatible endpoint, with the `WWW-Authenticate` challenge RFC 6750 asks for.
fn bearer_refused(error: &AppError, openai_shape: bool) -> Response {
    let report = error.report();
    let mut response = if openai_shape {
        (error.status(), axum::Json(error.openai_body(&report))).into_response()
    } else {
        (error.status(), axum::Json(report)).into_response()
    };
    if error.status() == axum::http::StatusCode::UNAUTHORIZED {
        let challenge = match error {
            AppError::TokenExpired => {
                "Bearer error=\"invalid_token\", error_description=\"the access token expired\""
            }
            _ => "Bearer error=\"invalid_token\"",
        };
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static(challenge),
        );
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
        assert!(
            !is_static("/s/..%2F..%2Fetc"),
            "a page with a dot in its address"
        );
    }
}
