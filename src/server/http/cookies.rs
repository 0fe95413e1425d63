//! Over https every cookie Tally sets is `Secure`, whichever part of the server set it (the session, the guest, the
//! read-once flash that may carry a new API key, the language): one rule at the edge instead of one per cookie.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::server::state::AppState;

pub async fn secure_over_https(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if state.sessions.secure() {
        mark_secure(response.headers_mut());
    }
    response
}

fn mark_secure(headers: &mut axum::http::HeaderMap) {
    for (name, cookie) in headers.iter_mut() {
        if name != header::SET_COOKIE {
            continue;
        }
        let Ok(text) = cookie.to_str() else { continue };
        let secure = text
            .split(';')
            .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"));
        if !secure {
            if let Ok(value) = HeaderValue::from_str(&format!("{text}; Secure")) {
                *cookie = value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cookie_gets_secure_once() {
        let mut headers = axum::http::HeaderMap::new();
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static(
                "tally_flash=abc; Path=/; Max-Age=120; HttpOnly; SameSite=Lax",
            ),
        );
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static(
                "__Host-tally_session=x; Path=/; HttpOnly; SameSite=Lax; Secure",
            ),
        );
        mark_secure(&mut headers);
        let cookies: Vec<_> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        assert_eq!(
            cookies,
            [
                "tally_flash=abc; Path=/; Max-Age=120; HttpOnly; SameSite=Lax; Secure",
                "__Host-tally_session=x; Path=/; HttpOnly; SameSite=Lax; Secure",
            ]
        );
    }
}
