//! Cross-site request refusal. A browser sends the site's cookies along with a form or fetch another site makes,
//! so every cookie-carrying request that can change something (anything but GET, HEAD, OPTIONS) must come from
//! Tally's own pages: `Sec-Fetch-Site` says so in current browsers, `Origin` in the rest; the origin must be
//! PUBLIC_URL's or the request's own host. Requests without cookies (scripts, the future bearer-token API) carry
//! no ambient authority and pass.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};

use crate::server::{error::AppError, state::AppState};

/// Whether a state-changing request is allowed, from its headers.
pub fn same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    if !headers.contains_key(header::COOKIE) {
        return true;
    }
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_text("sec-fetch-site") {
        // "none": the person typed or bookmarked it; "same-site" is a sibling subdomain, which is not us.
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = header_text("origin") else {
        // Neither header: not a browser made this request from another site (all of them send one or the other
        // on cross-site POSTs), so there is no victim's cookie to abuse.
        return true;
    };
    if origin.eq_ignore_ascii_case(public_origin) {
        return true;
    }
    // The site as this request reached it (a test on a random port, a LAN address).
    let host = header_text("host").unwrap_or_default();
    ["http://", "https://"]
        .iter()
        .any(|scheme| !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}{host}")))
}

/// PUBLIC_URL as an origin: scheme, host and port, without a path or trailing slash.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let host = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// Refuses cross-site requests that change something with 403 and the usual error shape.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || same_origin(request.headers(), &origin_of(&state.config.public_url)) {
        return next.run(request).await;
    }
    let error = AppError::CrossSite;
    tracing::warn!(path = %request.uri().path(), origin = ?request.headers().get("origin"), "cross-site request refused");
    (error.status(), Json(error.report())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::COOKIE, HeaderValue::from_static("tally_guest=x"));
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn another_site_is_refused_and_our_pages_pass() {
        let ours = "https://tally.example";
        assert!(!same_origin(
            &headers(&[("origin", "https://evil.example")]),
            ours
        ));
        assert!(!same_origin(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://tally.example")
            ]),
            ours
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            ours
        ));
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ours
        ));
        assert!(same_origin(
            &headers(&[("origin", "https://tally.example")]),
            ours
        ));
        assert!(same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:4123"),
                ("host", "127.0.0.1:4123")
            ]),
            ours
        ));
        assert!(
            same_origin(&headers(&[]), ours),
            "no browser headers: a script, not a forged form"
        );
        let mut no_cookie = HeaderMap::new();
        no_cookie.insert("origin", HeaderValue::from_static("https://evil.example"));
        assert!(
            same_origin(&no_cookie, ours),
            "nothing to abuse without a cookie"
        );
    }

    #[test]
    fn public_url_becomes_an_origin() {
        assert_eq!(origin_of("https://tally.example/"), "https://tally.example");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
    }
}
