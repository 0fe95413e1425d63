//! Figures in tax text: dollar amounts, percentages and dates, read into one canonical form so an answer's figures
//! can be checked against the passages and calculations it was given. A figure found in none of them is reported,
//! marked in the rendered answer, and dropped from the offline model's summary.

use std::collections::HashSet;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// One figure: as written, and its canonical form (`$176100`, `15.3%`, `04-15`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    pub written: String,
    pub canonical: String,
    /// Byte range in the text it was read from.
    pub start: usize,
    pub end: usize,
}

/// Every figure in `text`, in order.
pub fn figures(text: &str) -> Vec<Figure> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let figure = if bytes[i] == b'$' {
            dollars(text, i)
        } else if bytes[i].is_ascii_digit() && (i == 0 || !is_word_byte(bytes[i - 1])) {
            number_figure(text, i)
        } else if bytes[i].is_ascii_alphabetic() && (i == 0 || !is_word_byte(bytes[i - 1])) {
            date(text, i)
        } else {
            None
        };
        match figure {
            Some(figure) => {
                i = figure.end;
                found.push(figure);
            }
            None => i += text[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// The canonical forms of every figure in the texts.
pub fn canonical_set<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    texts
        .into_iter()
        .flat_map(|text| figures(text).into_iter().map(|f| f.canonical))
        .collect()
}

/// Figures of `answer` whose canonical form is not in `known`, as written, each once.
pub fn unsupported(answer: &str, known: &HashSet<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    figures(answer)
        .into_iter()
        .filter(|f| !known.contains(&f.canonical))
        .filter(|f| seen.insert(f.written.clone()))
        .map(|f| f.written)
        .collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b',' || b == b'$'
}

/// A number starting at `start`: digits with thousands commas and decimals. Returns its value text and its end.
fn number_at(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut end = start;
    let mut digits = String::new();
    let mut seen_point = false;
    while end < bytes.len() {
        let b = bytes[end];
        if b.is_ascii_digit() {
            digits.push(b as char);
        } else if b == b',' && !seen_point && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            // A thousands separator, not the comma that ends a clause.
        } else if b == b'.' && !seen_point && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            seen_point = true;
            digits.push('.');
        } else {
            break;
        }
        end += 1;
    }
    (!digits.is_empty()).then(|| (normalise(&digits), end))
}

/// `176100.00` -> `176100`, `0.50` -> `0.5`.
fn normalise(number: &str) -> String {
    if number.contains('.') {
        let trimmed = number.trim_end_matches('0').trim_end_matches('.');
        let trimmed = trimmed.trim_start_matches('0');
        if trimmed.is_empty() || trimmed.starts_with('.') {
            format!("0{trimmed}")
        } else {
            trimmed.to_string()
        }
    } else {
        let trimmed = number.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }.to_string()
    }
}

fn scaled(number: &str, multiplier: u64) -> String {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let zeros = multiplier.to_string().len() - 1;
    let mut fraction = fraction.to_string();
    while fraction.len() < zeros {
        fraction.push('0');
    }
    let (moved, rest) = fraction.split_at(zeros);
    normalise(&format!("{whole}{moved}.{rest}0"))
}

fn dollars(text: &str, start: usize) -> Option<Figure> {
    let (value, mut end) = number_at(text, start + 1)?;
    let rest = &text[end..];
    let value = if let Some(word) = ["million", "billion"]
        .iter()
        .find(|w| rest.trim_start().starts_with(**w))
    {
        end += rest.len() - rest.trim_start().len() + word.len();
        scaled(
            &value,
            if *word == "million" {
                1_000_000
            } else {
                1_000_000_000
            },
        )
    } else if rest.starts_with(['k', 'K']) && !rest[1..].starts_with(|c: char| c.is_alphanumeric())
    {
        end += 1;
        scaled(&value, 1000)
    } else {
        value
    };
    Some(Figure {
        written: text[start..end].to_string(),
        canonical: format!("${value}"),
        start,
        end,
    })
}

/// A percentage ("15.3 %", "92.35%", "12.4 percent") or cents ("70 cents"); other bare numbers (years, line
/// numbers, counts) are not figures this check reads.
fn number_figure(text: &str, start: usize) -> Option<Figure> {
    let (value, end) = number_at(text, start)?;
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\u{a0}', '\u{202f}']).len();
    let after = &rest[gap..];
    let (canonical, end) = if after.starts_with('%') {
        (format!("{value}%"), end + gap + 1)
    } else if after.starts_with("percent") {
        (format!("{value}%"), end + gap + "percent".len())
    } else if after.starts_with("cents") || after.starts_with("cent ") {
        let word = if after.starts_with("cents") { 5 } else { 4 };
        (format!("${}", scaled_down_cents(&value)), end + gap + word)
    } else {
        return None;
    };
    Some(Figure {
        written: text[start..end].to_string(),
        canonical,
        start,
        end,
    })
}

fn scaled_down_cents(value: &str) -> String {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let whole = format!("{whole:0>3}");
    let (dollars, cents) = whole.split_at(whole.len() - 2);
    normalise(&format!("{dollars}.{cents}{fraction}"))
}

/// "April 15, 2026" or "April 15" (also "Apr. 15"): `04-15` with the year when it is written.
fn date(text: &str, start: usize) -> Option<Figure> {
    let rest = &text[start..];
    let lower = rest.get(..rest.len().min(12))?.to_ascii_lowercase();
    let (month, name_len) = MONTHS.iter().enumerate().find_map(|(index, name)| {
        if lower.starts_with(name) {
            Some((index + 1, name.len()))
        } else if name.len() > 3 && lower.starts_with(&name[..3]) && lower[3..].starts_with('.') {
            Some((index + 1, 4))
        } else if *name == "september" && lower.starts_with("sept.") {
            Some((index + 1, 5))
        } else {
            None
        }
    })?;
    let after = &rest[name_len..];
    let day_start = name_len + (after.len() - after.trim_start().len());
    let day_text = &rest[day_start..];
    let day_len = day_text.bytes().take_while(u8::is_ascii_digit).count();
    if day_len == 0 || day_len > 2 {
        return None;
    }
    let day: u32 = day_text[..day_len].parse().ok()?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let mut end = day_start + day_len;
    let mut canonical = format!("{month:02}-{day:02}");
    let tail = &rest[end..];
    if let Some(year_text) = tail.strip_prefix(", ").or_else(|| tail.strip_prefix(' ')) {
        if year_text.len() >= 4
            && year_text.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && !year_text.as_bytes().get(4).is_some_and(u8::is_ascii_digit)
        {
            canonical = format!("{}-{canonical}", &year_text[..4]);
            end += tail.len() - year_text.len() + 4;
        }
    }
    Some(Figure {
        written: rest[..end].to_string(),
        canonical,
        start,
        end: start + end,
    })
}

/// Known dates: a date with a year is also known without it, so "April 15" is supported by "April 15, 2026".
pub fn with_yearless_dates(mut known: HashSet<String>) -> HashSet<String> {
    let yearless: Vec<String> = known
        .iter()
        .filter(|c| c.len() == 10 && c.as_bytes()[4] == b'-')
        .map(|c| c[5..].to_string())
        .collect();
    known.extend(yearless);
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> Vec<String> {
        figures(text).into_iter().map(|f| f.canonical).collect()
    }

    #[test]
    fn dollars_percentages_cents_and_dates_are_read() {
        assert_eq!(
            canon("The base is $176,100 and the rate 15.3 % (12.4 percent plus 2.9%)."),
            ["$176100", "15.3%", "12.4%", "2.9%"]
        );
        assert_eq!(
            canon("$5,725.70, $1.5 million, $50k and 70 cents"),
            ["$5725.7", "$1500000", "$50000", "$0.7"]
        );
        assert_eq!(
            canon("Due April 15, 2026; then June 15 and Sept. 15"),
            ["2026-04-15", "06-15", "09-15"]
        );
        assert_eq!(canon("72.5 cents a mile"), ["$0.725"]);
    }

    #[test]
    fn years_line_numbers_and_form_names_are_not_figures() {
        assert!(
            canon("In 2025 use Schedule SE line 4a and Form 1099-NEC, 3 of 5 years.").is_empty()
        );
    }

    #[test]
    fn a_figure_in_no_source_is_reported_once_as_written() {
        let known = with_yearless_dates(canonical_set([
            "The rate is 15.3 %. Pay by April 15, 2026.",
        ]));
        assert_eq!(
            unsupported(
                "It is about 18 %, or 15.3%; 18 % again; due April 15.",
                &known
            ),
            ["18 %"]
        );
    }
}
