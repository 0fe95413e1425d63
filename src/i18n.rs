//! The interface in English and Vietnamese: a small typed catalogue rather than `leptos_i18n` or `leptos-fluent`.
//! Both pull in leptos-use and runtime machinery (ICU data, Fluent's parser) that would cost the wasm bundle more
//! than our two languages' strings do, and neither catches a missing key at compile time. The texts live in
//! `locales/*.toml`; `build.rs` makes them a struct, so `texts.chat.send` is checked by the compiler.
//!
//! The language is chosen on the server for every page (a user's profile, else the cookie, else the browser's
//! `Accept-Language`), written into
//! `<html lang>`, and read back from there by the wasm, so the first byte is already in the right language.

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// The cookie that remembers the language a browser chose. A user's choice is also kept in their profile, which
/// wins over the cookie (see [`Lang::of_parts`]), so it follows them to every device they sign in on.
pub const LANGUAGE_COOKIE: &str = "tally_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Vi,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Vi];

    /// The BCP 47 tag, as in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Vi => "vi",
        }
    }

    /// The language's own name for itself, as the "Language" control lists it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Vi => "Tiếng Việt",
        }
    }

    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "vi" => Some(Lang::Vi),
            _ => None,
        }
    }

    /// The language a browser asks for most (`Accept-Language: vi-VN,vi;q=0.9,en;q=0.8`), among those we have.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The language this page is rendered in: the browser's choice (cookie) or else its `Accept-Language` on the
    /// server; the page's `<html lang>` in the browser (which the server wrote).
    pub fn current() -> Lang {
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::use_context;
            use_context::<axum::http::request::Parts>()
                .map_or(Lang::En, |parts| Lang::of_parts(&parts))
        }
        #[cfg(not(feature = "ssr"))]
        {
            leptos::prelude::document()
                .document_element()
                .and_then(|html| html.get_attribute("lang"))
                .and_then(|tag| Lang::parse(&tag))
                .unwrap_or_default()
        }
    }

    /// The language for a request: a signed-in user's choice (kept in their profile, so it follows them to every
    /// device), else [`Lang::of_request`].
    #[cfg(feature = "ssr")]
    pub fn of_parts(parts: &axum::http::request::Parts) -> Lang {
        use crate::server::identity::caller::Caller;
        match parts.extensions.get::<Caller>() {
            Some(caller) => Lang::of_caller(caller, &parts.headers),
            None => Lang::of_request(&parts.headers),
        }
    }

    /// [`Lang::of_parts`] for a handler that has the caller and the headers.
    #[cfg(feature = "ssr")]
    pub fn of_caller(
        caller: &crate::server::identity::caller::Caller,
        headers: &axum::http::HeaderMap,
    ) -> Lang {
        caller
            .user()
            .and_then(|user| user.language)
            .unwrap_or_else(|| Lang::of_request(headers))
    }

    /// The language for a request: its cookie, else its `Accept-Language`, else English.
    #[cfg(feature = "ssr")]
    pub fn of_request(headers: &axum::http::HeaderMap) -> Lang {
        let chosen = crate::server::identity::session::Cookies::of(headers)
            .get(LANGUAGE_COOKIE)
            .and_then(Lang::parse);
        chosen
            .or_else(|| {
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|value| value.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default()
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Vi => &VI,
        }
    }
}

/// The texts of the page being rendered, for a component to read once at its top (`let t = texts();`): the
/// language `App` provides, from `Lang::current`.
pub fn texts() -> &'static Texts {
    leptos::prelude::use_context::<Lang>()
        .unwrap_or_default()
        .texts()
}

/// The language a question is written in, when it is one we can tell apart: Vietnamese writes letters no other
/// Latin-script language uses (đ, ă, ơ, ư, and the tone-marked vowels of Unicode's Latin Extended Additional block,
/// U+1EA0 to U+1EF9). English is the default either way, so only Vietnamese needs spotting.
pub fn question_language(text: &str) -> Lang {
    let vietnamese = text
        .chars()
        .filter(|c| {
            matches!(
                c,
                'đ' | 'Đ' | 'ă' | 'Ă' | 'ơ' | 'Ơ' | 'ư' | 'Ư' | '\u{1EA0}'..='\u{1EF9}'
            )
        })
        .count();
    if vietnamese >= 1 {
        Lang::Vi
    } else {
        Lang::En
    }
}

/// Puts values into a text's `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The placeholders a text has (`{count}`), for the check that a translation keeps every one.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_language_we_have() {
        assert_eq!(
            Lang::from_accept_language("vi-VN,vi;q=0.9,en;q=0.8"),
            Some(Lang::Vi)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.5,vi;q=0.7"),
            Some(Lang::Vi)
        );
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de,fr"), None);
        assert_eq!(Lang::from_accept_language("vi;q=0"), None);
    }

    #[test]
    fn every_key_is_in_both_languages() {
        assert!(
            MISSING_KEYS.is_empty(),
            "keys missing from a translation: {MISSING_KEYS:?}"
        );
        assert!(
            UNKNOWN_KEYS.is_empty(),
            "keys English does not have: {UNKNOWN_KEYS:?}"
        );
    }

    #[test]
    fn translations_keep_every_placeholder_and_say_something() {
        for (key, english, vietnamese) in ENTRIES {
            assert_eq!(
                placeholders(english),
                placeholders(vietnamese),
                "{key}: placeholders differ"
            );
            assert!(
                !english.trim().is_empty() && !vietnamese.trim().is_empty(),
                "{key} is empty"
            );
        }
    }

    /// Words of a text outside its placeholders.
    fn words(text: &str) -> usize {
        let mut outside = String::new();
        let mut depth = 0;
        for c in text.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                c if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        outside
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count()
    }

    #[test]
    fn the_interface_is_really_translated() {
        // Texts that are the same in both languages are names and symbols ("Tally", "Email", "{a} · {b}"); a
        // sentence left in English is a forgotten translation.
        let untranslated: Vec<&str> = ENTRIES
            .iter()
            .filter(|(_, english, vietnamese)| english == vietnamese && words(english) > 2)
            .map(|(key, ..)| *key)
            .collect();
        assert!(untranslated.is_empty(), "left in English: {untranslated:?}");
    }

    #[test]
    fn vietnamese_questions_are_told_apart() {
        assert_eq!(
            question_language("Tôi có phải nộp thuế tự doanh không?"),
            Lang::Vi
        );
        assert_eq!(
            question_language("Thue uoc tinh hang quy la gi? đ"),
            Lang::Vi
        );
        assert_eq!(
            question_language("How much is self-employment tax?"),
            Lang::En
        );
        // French and Spanish accents are not Vietnamese.
        assert_eq!(
            question_language("Qu'est-ce que la déduction à domicile? ¿Cuánto?"),
            Lang::En
        );
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            fill("{left} of {total}", &[("left", "3"), ("total", "5")]),
            "3 of 5"
        );
        assert_eq!(placeholders("{b} and {a}"), vec!["a", "b"]);
    }
}
