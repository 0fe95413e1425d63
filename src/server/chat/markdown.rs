//! Turns the model's markdown into HTML that is safe to put in the page.
//!
//! The model's output is untrusted (it can be steered by prompt injection), so everything goes through ammonia's
//! allow-list: no scripts, no event handlers, no `javascript:` or `data:` URLs, no SVG, no inline styles. Images are
//! dropped too: an injected image URL is a classic way to leak conversation text to a third party.

use std::sync::LazyLock;

use pulldown_cmark::{html, Options, Parser};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"])
        .add_generic_attributes(["id"])
        .id_prefix(Some("md-"));
    builder
});

/// Renders markdown (tables, strikethrough, task lists) to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    SANITIZER.clean(&unsafe_html).to_string()
}

/// Marks each figure of `figures` in rendered `html` as not found in the answer's sources: a visible mark with
/// words a screen reader reads out. Only text between tags is touched, never a tag or an attribute.
pub fn mark_unsupported(html: &str, figures: &[String]) -> String {
    let mut out = String::with_capacity(html.len() + figures.len() * 120);
    let mut rest = html;
    while !rest.is_empty() {
        let (text, after) = match rest.find('<') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        out.push_str(&mark_in_text(text, figures));
        match after.find('>') {
            Some(end) => {
                out.push_str(&after[..=end]);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out
}

fn mark_in_text(text: &str, figures: &[String]) -> String {
    let mut marked = text.to_string();
    for figure in figures {
        // Figures are plain text from the answer; the HTML renderer escaped only <, >, & and quotes, which figures
        // never contain, so they match as written.
        if figure.is_empty() || !marked.contains(figure.as_str()) {
            continue;
        }
        let replacement = format!(
            "<mark class=\"unsourced\" title=\"Not in the sources\">{figure}<span class=\"sr-only\"> (not in the sources)</span></mark>"
        );
        marked = replace_outside_marks(&marked, figure, &replacement);
    }
    marked
}

/// Replaces `figure` where it is not already inside a mark added for another figure.
fn replace_outside_marks(text: &str, figure: &str, replacement: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(figure) {
        let before = &rest[..at];
        let open = before.matches("<mark").count() > before.matches("</mark>").count()
            || out.matches("<mark").count() > out.matches("</mark>").count();
        out.push_str(before);
        out.push_str(if open { figure } else { replacement });
        rest = &rest[at + figure.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{mark_unsupported, render};

    #[test]
    fn unsupported_figures_are_marked_in_text_not_in_attributes() {
        let html =
            render("The rate is **18 %** and see [18 %](https://www.irs.gov/18%20) and $1,234.");
        let marked = mark_unsupported(&html, &["18 %".into(), "$1,234".into()]);
        assert_eq!(marked.matches("class=\"unsourced\"").count(), 3, "{marked}");
        assert!(
            marked.contains("href=\"https://www.irs.gov/18%20\""),
            "{marked}"
        );
        assert!(marked.contains("(not in the sources)"));
    }

    /// Inputs from common XSS cheat sheets, as a model might echo them.
    const XSS_CORPUS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)><circle r=10 /></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "![img](javascript:alert(1))",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<body onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<details open ontoggle=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    ];

    #[test]
    fn nothing_executable_survives() {
        for input in XSS_CORPUS {
            let out = render(input).to_ascii_lowercase();
            for forbidden in [
                "<script",
                "javascript:",
                "onerror",
                "onload",
                "ontoggle",
                "onfocus",
                "<svg",
                "<iframe",
                "<object",
                "<form",
                "<input",
                "<meta",
                "style=",
                "data:text/html",
                "<style",
                "<img",
            ] {
                assert!(
                    !out.contains(forbidden),
                    "{input:?} rendered to {out:?}, which contains {forbidden:?}"
                );
            }
        }
    }

    #[test]
    fn markdown_structure_renders() {
        let html = render("## Deductions\n\n- **Home office**: $5 per sq ft\n- Mileage\n\n`code`");
        assert!(html.contains("<h2"), "{html}");
        assert!(
            html.contains("<li><strong>Home office</strong>: $5 per sq ft</li>"),
            "{html}"
        );
        assert!(html.contains("<code>code</code>"), "{html}");
    }

    #[test]
    fn tables_and_code_blocks_render() {
        let html =
            render("| Form | Due |\n|---|---|\n| 1040-ES | Apr 15 |\n\n```rust\nlet x = 1;\n```");
        assert!(
            html.contains("<table>") && html.contains("<td>1040-ES</td>"),
            "{html}"
        );
        assert!(
            html.contains("<pre><code class=\"language-rust\">"),
            "{html}"
        );
    }

    #[test]
    fn safe_links_are_kept_and_marked() {
        let html = render("[IRS](https://www.irs.gov/)");
        assert!(html.contains("href=\"https://www.irs.gov/\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }
}
