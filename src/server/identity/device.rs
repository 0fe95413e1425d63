//! A device name a person recognises ("Firefox on Windows") from a browser's user agent, for the sessions list.

use crate::i18n::{fill, Lang};

/// A session's device: as [`describe`] names it, marked when it is a client of the API rather than a browser.
pub fn of_session(lang: Lang, user_agent: &str, api: bool) -> String {
    let device = describe(lang, user_agent);
    if api {
        fill(lang.texts().settings.api_client, &[("device", &device)])
    } else {
        device
    }
}

/// Browser and system named in a user agent, as "Browser on System"; "Unknown device" when neither is (in `lang`;
/// the names of browsers and systems are the same in every language).
pub fn describe(lang: Lang, user_agent: &str) -> String {
    let t = &lang.texts().settings;
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari, phones also say Linux or Mac OS.
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("OpenAI/Python", "OpenAI Python"),
        ("python-requests/", "Python"),
        ("python-httpx/", "Python"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => fill(
            t.device_on_system,
            &[("browser", browser), ("system", system)],
        ),
        (Some(browser), None) => browser.to_string(),
        (None, Some(system)) => fill(t.browser_on_system, &[("system", system)]),
        (None, None) => t.unknown_device.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::i18n::Lang;

    #[test]
    fn common_browsers_are_named() {
        assert_eq!(
            describe(
                Lang::En,
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            ),
            "Firefox on Windows"
        );
        assert_eq!(
            describe(Lang::En, "Mozilla/5.0 (Linux; Android 13; Pixel 5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"),
            "Chrome on Android"
        );
        assert_eq!(
            describe(Lang::En, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(describe(Lang::En, ""), "Unknown device");
    }
}
