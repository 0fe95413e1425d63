//! A conversation as PDF: the very Markdown the Markdown export writes (every message, each answer's sources,
//! calculations and disclaimer), typeset on A4 pages with krilla and DejaVu Sans (every Vietnamese letter included;
//! see `assets/fonts/README.md`).
//!
//! Laying out is separate from drawing: [`layout`] turns Markdown into pages of positioned text, which tests read
//! directly, and [`render`] draws them. The typesetting is deliberately small: headings, paragraphs with bold runs,
//! lists, block quotes, code blocks, tables as rows of cells, links with their address, rules; words wrap greedily
//! and an over-long word (a URL) breaks where it must.

use std::sync::LazyLock;

use krilla::{
    color::rgb,
    geom::{PathBuilder, Point},
    metadata::Metadata,
    page::PageSettings,
    paint::{Fill, Stroke},
    text::{Font, TextDirection},
    Document,
};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points, and its margins.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 30.0;
const LIST_INDENT: f32 = 16.0;
const QUOTE_INDENT: f32 = 12.0;

const BODY_SIZE: f32 = 10.5;
const SMALL_SIZE: f32 = 8.5;
const CODE_SIZE: f32 = 9.0;
const INK: Colour = Colour(15, 23, 42);
const MUTED: Colour = Colour(71, 85, 105);
const ACCENT: Colour = Colour(17, 94, 89);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Colour(u8, u8, u8);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Fonts for measuring (shaped, so widths match what is drawn) and for drawing.
struct Fonts {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: rustybuzz::Face::from_slice(REGULAR, 0).expect("the bundled regular font parses"),
    bold: rustybuzz::Face::from_slice(BOLD, 0).expect("the bundled bold font parses"),
});

/// The width of `text` in points, as the shaper will set it.
fn width(text: &str, weight: Weight, size: f32) -> f32 {
    let face = match weight {
        Weight::Regular => &FONTS.regular,
        Weight::Bold => &FONTS.bold,
    };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / face.units_per_em() as f32
}

/// One piece of text placed on a page: `y` is its baseline, from the top.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub x: f32,
    pub y: f32,
    pub text: String,
    pub weight: Weight,
    pub size: f32,
    colour: Colour,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub texts: Vec<Placed>,
    /// Horizontal rules, as (left, right, y).
    pub rules: Vec<(f32, f32, f32)>,
}

impl Page {
    /// The page's text in reading order, for tests.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut last_y = f32::NAN;
        for placed in &self.texts {
            if !out.is_empty() {
                out.push(if placed.y == last_y { ' ' } else { '\n' });
            }
            out.push_str(&placed.text);
            last_y = placed.y;
        }
        out
    }
}

/// How a block's text looks and where it sits.
#[derive(Clone, Copy, Debug)]
struct BlockStyle {
    size: f32,
    weight: Weight,
    colour: Colour,
    indent: f32,
    space_before: f32,
    space_after: f32,
}

impl BlockStyle {
    fn body(indent: f32) -> Self {
        BlockStyle {
            size: BODY_SIZE,
            weight: Weight::Regular,
            colour: INK,
            indent,
            space_before: 0.0,
            space_after: BODY_SIZE * 0.6,
        }
    }

    fn line_height(self) -> f32 {
        self.size * 1.4
    }
}

/// A word (or a word's piece) with its weight, and whether a space comes before it.
#[derive(Clone, Debug)]
struct Word {
    text: String,
    bold: bool,
    space_before: bool,
}

/// Places blocks on pages, starting a new page when the next line would not fit.
struct Typesetter {
    pages: Vec<Page>,
    /// Baseline of the last line set on the current page; starts at the top margin.
    y: f32,
    /// Space still owed below the previous block (collapses at the top of a page).
    pending_space: f32,
}

impl Typesetter {
    fn new() -> Self {
        Typesetter {
            pages: vec![Page::default()],
            y: MARGIN,
            pending_space: 0.0,
        }
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("there is always a page")
    }

    /// Moves down one line of `height`, to a new page if it would cross the bottom margin; returns the baseline.
    fn next_line(&mut self, height: f32) -> f32 {
        let at_top = self.page().texts.is_empty() && self.page().rules.is_empty();
        let space = if at_top { 0.0 } else { self.pending_space };
        self.pending_space = 0.0;
        if self.y + space + height > PAGE_HEIGHT - MARGIN {
            self.pages.push(Page::default());
            self.y = MARGIN;
            self.y += height;
        } else {
            self.y += space + height;
        }
        self.y
    }

    fn rule(&mut self) {
        let y = self.next_line(BODY_SIZE) - BODY_SIZE * 0.35;
        self.page().rules.push((MARGIN, PAGE_WIDTH - MARGIN, y));
        self.pending_space = BODY_SIZE * 0.6;
    }

    /// Sets a paragraph: words wrapped to the width left after its indent, the marker (a bullet, "3.") hanging in
    /// the indent of its first line.
    fn paragraph(&mut self, words: &[Word], style: BlockStyle, marker: Option<&str>) {
        if words.iter().all(|w| w.text.trim().is_empty()) && marker.is_none() {
            return;
        }
        self.pending_space = self.pending_space.max(style.space_before);
        let left = MARGIN + style.indent;
        let max = PAGE_WIDTH - MARGIN - left;
        let space = width(" ", style.weight, style.size);
        let lines = wrap(words, style, max, space);
        for (index, line) in lines.into_iter().enumerate() {
            let y = self.next_line(style.line_height());
            if index == 0 {
                if let Some(marker) = marker {
                    let marker_x = left - width(marker, Weight::Regular, style.size) - 4.0;
                    self.page().texts.push(Placed {
                        x: marker_x,
                        y,
                        text: marker.to_string(),
                        weight: Weight::Regular,
                        size: style.size,
                        colour: style.colour,
                    });
                }
            }
            for (x, text, weight) in line {
                self.page().texts.push(Placed {
                    x: left + x,
                    y,
                    text,
                    weight,
                    size: style.size,
                    colour: style.colour,
                });
            }
        }
        self.pending_space = style.space_after;
    }
}

/// Greedy line breaking: each line a list of (x offset, text, weight), neighbouring words of one weight merged.
fn wrap(
    words: &[Word],
    style: BlockStyle,
    max: f32,
    space: f32,
) -> Vec<Vec<(f32, String, Weight)>> {
    let mut lines: Vec<Vec<(f32, String, Weight)>> = vec![Vec::new()];
    let mut x = 0.0_f32;
    for word in words {
        let weight = if word.bold {
            Weight::Bold
        } else {
            style.weight
        };
        for piece in split_to_fit(&word.text, weight, style.size, max) {
            let piece_width = width(&piece, weight, style.size);
            let line_empty = lines.last().is_some_and(Vec::is_empty);
            let gap = if word.space_before && !line_empty {
                space
            } else {
                0.0
            };
            if !line_empty && x + gap + piece_width > max {
                lines.push(Vec::new());
                x = 0.0;
                push_piece(
                    lines.last_mut().expect("just pushed"),
                    0.0,
                    false,
                    piece,
                    weight,
                );
                x += piece_width;
            } else {
                let line = lines.last_mut().expect("there is a line");
                push_piece(line, x + gap, gap > 0.0, piece, weight);
                x += gap + piece_width;
            }
        }
    }
    lines.retain(|line| !line.is_empty());
    lines
}

/// Adds a piece to a line at `x`, joined to the previous piece when their weights match (fewer, longer runs of
/// text; the shaper sets the space between them as the measure did).
fn push_piece(
    line: &mut Vec<(f32, String, Weight)>,
    x: f32,
    spaced: bool,
    piece: String,
    weight: Weight,
) {
    if let Some((_, text, last_weight)) = line.last_mut() {
        if *last_weight == weight {
            if spaced {
                text.push(' ');
            }
            text.push_str(&piece);
            return;
        }
    }
    line.push((x, piece, weight));
}

/// A word wider than a whole line, cut into pieces that fit (a long URL); other words come back whole.
fn split_to_fit(text: &str, weight: Weight, size: f32, max: f32) -> Vec<String> {
    if width(text, weight, size) <= max {
        return vec![text.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if width(&current, weight, size) > max && current.chars().count() > 1 {
            current.pop();
            pieces.push(std::mem::take(&mut current));
            current.push(c);
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Where the Markdown walker is: the list it is in (ordered lists count), quotes, and the text gathered so far.
struct Walker {
    typesetter: Typesetter,
    words: Vec<Word>,
    bold: usize,
    /// Each open list: its next number (`None` for bullets).
    lists: Vec<Option<u64>>,
    /// The marker the next paragraph of the current list item hangs, until it is set.
    marker: Option<String>,
    quotes: usize,
    heading: Option<HeadingLevel>,
    in_code_block: bool,
    link: Option<String>,
    link_text: String,
    /// A space is owed before the next word (the last text ended in whitespace, or a soft break).
    space_owed: bool,
}

impl Walker {
    fn indent(&self) -> f32 {
        self.lists.len() as f32 * LIST_INDENT + self.quotes as f32 * QUOTE_INDENT
    }

    fn style(&self) -> BlockStyle {
        let mut style = BlockStyle::body(self.indent());
        if self.quotes > 0 {
            style.size = SMALL_SIZE;
            style.colour = MUTED;
        }
        if let Some(level) = self.heading {
            style.weight = Weight::Bold;
            style.space_before = BODY_SIZE;
            style.space_after = BODY_SIZE * 0.4;
            style.size = match level {
                HeadingLevel::H1 => 18.0,
                HeadingLevel::H2 => 13.0,
                _ => 11.0,
            };
            style.colour = if level == HeadingLevel::H2 {
                ACCENT
            } else {
                INK
            };
        }
        if self.lists.is_empty() && self.quotes == 0 && self.heading.is_none() {
            style.space_after = BODY_SIZE * 0.6;
        } else if !self.lists.is_empty() {
            style.space_after = BODY_SIZE * 0.25;
        }
        style
    }

    fn text(&mut self, text: &str) {
        let bold = self.bold > 0 || self.heading.is_some();
        if text.starts_with(char::is_whitespace) {
            self.space_owed = true;
        }
        for (index, word) in text.split_whitespace().enumerate() {
            self.words.push(Word {
                text: word.to_string(),
                bold,
                space_before: index > 0 || self.space_owed,
            });
            self.space_owed = false;
        }
        if text.ends_with(char::is_whitespace) {
            self.space_owed = true;
        }
    }

    fn flush(&mut self) {
        let words = std::mem::take(&mut self.words);
        let marker = self.marker.take();
        let style = self.style();
        self.typesetter.paragraph(&words, style, marker.as_deref());
        self.space_owed = false;
    }

    fn code_block(&mut self, text: &str) {
        let mut style = BlockStyle::body(self.indent() + QUOTE_INDENT);
        style.size = CODE_SIZE;
        style.space_after = 0.0;
        for line in text.lines() {
            let words = [Word {
                text: line.to_string(),
                bold: false,
                space_before: false,
            }];
            self.typesetter.paragraph(&words, style, None);
        }
        self.typesetter.pending_space = BODY_SIZE * 0.6;
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush();
                self.heading = Some(level);
            }
            Event::End(TagEnd::Heading(_)) => {
                self.flush();
                self.heading = None;
            }
            Event::Start(Tag::List(first)) => {
                self.flush();
                self.lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                self.flush();
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        format!("{}.", *number - 1)
                    }
                    _ => "•".to_string(),
                };
                self.marker = Some(marker);
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush();
                self.quotes += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush();
                self.quotes = self.quotes.saturating_sub(1);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.in_code_block = true;
            }
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Start(Tag::Strong) => self.bold += 1,
            Event::End(TagEnd::Strong) => self.bold = self.bold.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link = Some(dest_url.to_string());
                self.link_text.clear();
            }
            Event::End(TagEnd::Link) => {
                // The address follows the text, so a printed page still says where a source is.
                if let Some(url) = self.link.take() {
                    if !url.is_empty() && url != self.link_text.trim() {
                        self.text(&format!(" <{url}>"));
                    }
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow) => {
                self.flush()
            }
            Event::Start(Tag::TableHead) => {
                self.flush();
                self.bold += 1;
            }
            Event::End(TagEnd::TableCell) => self.text(" | "),
            Event::Start(Tag::TableRow) => self.flush(),
            Event::Text(text) | Event::Code(text) => {
                if self.in_code_block {
                    self.code_block(&text);
                } else {
                    if self.link.is_some() {
                        self.link_text.push_str(&text);
                    }
                    self.text(&text);
                }
            }
            Event::SoftBreak => self.space_owed = true,
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.flush();
                self.typesetter.rule();
            }
            _ => {}
        }
    }
}

/// Lays Markdown out on A4 pages, with a footer on each: the title and the page number.
pub fn layout(title: &str, markdown: &str) -> Vec<Page> {
    let mut walker = Walker {
        typesetter: Typesetter::new(),
        words: Vec::new(),
        bold: 0,
        lists: Vec::new(),
        marker: None,
        quotes: 0,
        heading: None,
        in_code_block: false,
        link: None,
        link_text: String::new(),
        space_owed: false,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        let ends_head = matches!(event, Event::End(TagEnd::TableHead));
        walker.event(event);
        if ends_head {
            walker.bold = walker.bold.saturating_sub(1);
        }
    }
    walker.flush();
    let mut pages = walker.typesetter.pages;
    let count = pages.len();
    let footer_title = crate::model::one_line(title, 70);
    for (index, page) in pages.iter_mut().enumerate() {
        let footer = format!("{footer_title} · {}/{count}", index + 1);
        let footer_width = width(&footer, Weight::Regular, SMALL_SIZE);
        page.texts.push(Placed {
            x: PAGE_WIDTH - MARGIN - footer_width,
            y: FOOTER_BASELINE,
            text: footer,
            weight: Weight::Regular,
            size: SMALL_SIZE,
            colour: MUTED,
        });
    }
    pages
}

/// Draws laid-out pages into a PDF file with its title and language in the document's metadata.
pub fn render(title: &str, language: &str, pages: &[Page]) -> Result<Vec<u8>, String> {
    let regular = Font::new(REGULAR.into(), 0).ok_or("the regular font does not load")?;
    let bold = Font::new(BOLD.into(), 0).ok_or("the bold font does not load")?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language(language.to_string())
            .creator("Tally".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("bad page size")?;
    for content in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for placed in &content.texts {
            let Colour(r, g, b) = placed.colour;
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(r, g, b).into(),
                ..Fill::default()
            }));
            let font = match placed.weight {
                Weight::Regular => regular.clone(),
                Weight::Bold => bold.clone(),
            };
            surface.draw_text(
                Point::from_xy(placed.x, placed.y),
                font,
                placed.size,
                &placed.text,
                false,
                TextDirection::Auto,
            );
        }
        for &(left, right, y) in &content.rules {
            let mut path = PathBuilder::new();
            path.move_to(left, y);
            path.line_to(right, y);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(203, 213, 225).into(),
                    width: 0.5,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn all_text(pages: &[Page]) -> String {
        flat(&pages.iter().map(Page::text).collect::<Vec<_>>().join("\n"))
    }

    const DISCLAIMER: &str = crate::model::DISCLAIMER;

    #[test]
    fn every_answer_keeps_its_disclaimer_and_sources() {
        let markdown = format!(
            "# Home office\n\n## You\n\nCan I deduct my **home office**?\n\n## Tally (gpt)\n\nYes, if it is used \
             **regularly and exclusively** for business.\n\n- Simplified method: **$5** per square foot\n- Up to 300 \
             square feet\n\n**Sources**\n\n1. [Publication 587](https://www.irs.gov/publications/p587) — IRS, tax year \
             2025\n\n> {DISCLAIMER}\n\n## You\n\nAnd in Vietnamese?\n\n## Tally (gpt)\n\nCó, nếu bạn dùng nó thường \
             xuyên.\n\n> {DISCLAIMER}\n\n---\n\n{DISCLAIMER}\n"
        );
        let pages = layout("Home office", &markdown);
        let text = all_text(&pages);
        assert_eq!(text.matches(DISCLAIMER).count(), 3, "{text}");
        assert!(text.contains("• Simplified method: $5 per square foot"));
        assert!(text.contains("1. Publication 587 <https://www.irs.gov/publications/p587>"));
        assert!(text.contains("Có, nếu bạn dùng nó thường xuyên."));
        let bold: Vec<&str> = pages[0]
            .texts
            .iter()
            .filter(|t| t.weight == Weight::Bold)
            .map(|t| t.text.as_str())
            .collect();
        assert!(bold.contains(&"regularly and exclusively"), "{bold:?}");
        assert_eq!(pages[0].rules.len(), 1);
    }

    #[test]
    fn long_conversations_flow_onto_numbered_pages_within_the_margins() {
        let paragraph =
            "Quarterly estimated payments are due in April, June, September and January. "
                .repeat(6);
        let url = format!(
            "https://www.irs.gov/{}",
            "very-long-path-segment/".repeat(12)
        );
        let markdown = format!(
            "# Estimates\n\n{}\n\n{url}\n",
            vec![paragraph; 40].join("\n\n")
        );
        let pages = layout("Estimates", &markdown);
        assert!(pages.len() >= 4, "{} pages", pages.len());
        for (index, page) in pages.iter().enumerate() {
            let footer = page.texts.last().expect("a footer");
            assert_eq!(
                footer.text,
                format!("Estimates · {}/{}", index + 1, pages.len())
            );
            for placed in &page.texts[..page.texts.len() - 1] {
                let right = placed.x + width(&placed.text, placed.weight, placed.size);
                assert!(placed.x >= MARGIN - 0.01, "{placed:?}");
                assert!(right <= PAGE_WIDTH - MARGIN + 0.5, "{right} {placed:?}");
                assert!(placed.y <= PAGE_HEIGHT - MARGIN, "{placed:?}");
            }
        }
        // The URL too long for a line is cut where it must, and nothing of it is lost.
        assert!(all_text(&pages).replace(' ', "").contains(&url));
    }

    #[test]
    fn the_file_is_a_pdf_with_its_pages() {
        let pages = layout("Deadlines", "# Deadlines\n\nJanuary 15, 2027.\n");
        let pdf = render("Deadlines", "en", &pages).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.len() > 1_000 && pdf.len() < 200_000,
            "{} bytes",
            pdf.len()
        );
    }
}
