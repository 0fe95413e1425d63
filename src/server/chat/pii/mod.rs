//! Personal identifiers taken out of what a model reads. A freelancer pastes a W-9 or a bank letter into the chat;
//! the provider never needs the Social Security number in it to answer. The stored question keeps what the user
//! typed (it is theirs, shown back to them); only the copies that leave for a provider are masked, and the answer
//! says what was taken out.
//!
//! Recognised: US Social Security numbers and ITINs (`123-45-6789`, also spaced, or nine digits after "SSN"/"ITIN"),
//! EINs (`12-3456789`, or nine digits after "EIN"), card numbers (13 to 19 digits, grouped or not, that pass the
//! Luhn check), IBANs (that pass the mod-97 check), and bank routing and account numbers where the text says so
//! ("routing number 021000021" with a valid ABA checksum, "account number 12345678"). Dates, phone numbers, amounts
//! and years are left alone: they are what tax questions are made of.

use crate::i18n::{fill, ChatTexts};

/// A kind of identifier, in the order the note names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Identifier {
    Ssn,
    Itin,
    Ein,
    Card,
    Iban,
    RoutingNumber,
    BankAccount,
}

impl Identifier {
    /// What replaces it in the text a model reads.
    fn placeholder(self) -> &'static str {
        match self {
            Identifier::Ssn => "[SSN removed]",
            Identifier::Itin => "[ITIN removed]",
            Identifier::Ein => "[EIN removed]",
            Identifier::Card => "[card number removed]",
            Identifier::Iban => "[IBAN removed]",
            Identifier::RoutingNumber => "[routing number removed]",
            Identifier::BankAccount => "[account number removed]",
        }
    }

    /// Its name in the note, in the answer's language ("a Social Security number").
    fn name(self, t: &ChatTexts) -> &'static str {
        match self {
            Identifier::Ssn => t.masked_ssn,
            Identifier::Itin => t.masked_itin,
            Identifier::Ein => t.masked_ein,
            Identifier::Card => t.masked_card,
            Identifier::Iban => t.masked_iban,
            Identifier::RoutingNumber => t.masked_routing,
            Identifier::BankAccount => t.masked_account,
        }
    }
}

/// The quiet note under an answer whose question had identifiers taken out, naming each kind once; `None` when
/// nothing was.
pub fn note(found: &[Identifier], t: &ChatTexts) -> Option<String> {
    let names: Vec<&str> = found.iter().map(|kind| kind.name(t)).collect();
    let (last, rest) = names.split_last()?;
    let items = if rest.is_empty() {
        (*last).to_string()
    } else {
        format!("{}{}{last}", rest.join(", "), t.masked_and)
    };
    Some(fill(t.masked, &[("items", &items)]))
}

/// A text with its identifiers replaced, and which kinds there were (each once, in [`Identifier`]'s order).
#[derive(Debug, PartialEq, Eq)]
pub struct Masked {
    pub text: String,
    pub found: Vec<Identifier>,
}

/// How far before a bare number its label may stand ("my SSN is 123456789").
const LABEL_WINDOW_CHARS: usize = 32;

/// Masks every identifier in `text`.
pub fn mask(text: &str) -> Masked {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut rest_start = 0;
    let mut at = 0;
    let bytes = text.as_bytes();
    while at < bytes.len() {
        let starts_word = at == 0 || !is_word_byte(bytes[at - 1]);
        let candidate = if !starts_word {
            None
        } else if bytes[at].is_ascii_uppercase() {
            iban_at(text, at).map(|end| (end, Identifier::Iban))
        } else if bytes[at].is_ascii_digit() {
            number_at(text, at)
        } else {
            None
        };
        match candidate {
            Some((end, kind)) => {
                out.push_str(&text[rest_start..at]);
                out.push_str(kind.placeholder());
                found.push(kind);
                rest_start = end;
                at = end;
            }
            None => at += 1,
        }
    }
    out.push_str(&text[rest_start..]);
    found.sort();
    found.dedup();
    Masked { text: out, found }
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// A run of digit groups from `start`: digits, with single spaces or hyphens between groups. Returns where it ends
/// and the groups' lengths, with its digits.
fn digit_run(text: &str, start: usize) -> (usize, Vec<usize>, String) {
    let bytes = text.as_bytes();
    let mut groups = Vec::new();
    let mut digits = String::new();
    let mut at = start;
    let mut group = 0;
    loop {
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            digits.push(bytes[at] as char);
            group += 1;
            at += 1;
        }
        groups.push(group);
        group = 0;
        let separated = at + 1 < bytes.len()
            && matches!(bytes[at], b' ' | b'-')
            && bytes[at + 1].is_ascii_digit();
        if !separated {
            return (at, groups, digits);
        }
        at += 1;
    }
}

/// An identifier made of digits starting at `start`, if the run there is one.
fn number_at(text: &str, start: usize) -> Option<(usize, Identifier)> {
    let bytes = text.as_bytes();
    // An amount ("$123456789"), a decimal or a percentage is a figure, not an identifier.
    if start > 0 && matches!(bytes[start - 1], b'$' | b'.' | b',') {
        return None;
    }
    let (end, groups, digits) = digit_run(text, start);
    let ends_word = end == bytes.len() || !is_word_byte(bytes[end]);
    let figure_follows = end < bytes.len()
        && (bytes[end] == b'%'
            || (matches!(bytes[end], b'.' | b',')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)));
    if !ends_word || figure_follows {
        return None;
    }
    let label = label_before(text, start);
    let kind = match groups.as_slice() {
        [3, 2, 4] => social_security_kind(&digits),
        [2, 7] if text[start..end].contains('-') => Some(Identifier::Ein),
        [9] if label.names_ssn => social_security_kind(&digits),
        [9] if label.names_ein => Some(Identifier::Ein),
        [9] if label.names_routing && aba_checksum_ok(&digits) => Some(Identifier::RoutingNumber),
        _ if (13..=19).contains(&digits.len())
            && groups.iter().all(|&g| g >= 3)
            && luhn_ok(&digits) =>
        {
            Some(Identifier::Card)
        }
        _ if label.names_account && (6..=17).contains(&digits.len()) => {
            Some(Identifier::BankAccount)
        }
        _ => None,
    }?;
    Some((end, kind))
}

/// Which labels stand just before a number.
struct Label {
    names_ssn: bool,
    names_ein: bool,
    names_routing: bool,
    names_account: bool,
}

fn label_before(text: &str, start: usize) -> Label {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(LABEL_WINDOW_CHARS - 1)
        .map_or(0, |(at, _)| at);
    let before = text[from..start].to_lowercase();
    let has_word = |word: &str| {
        before.match_indices(word).any(|(at, _)| {
            let before_ok = before[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = before[at + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            before_ok && after_ok
        })
    };
    Label {
        // Not "tin": it is a common Vietnamese word ("thông tin").
        names_ssn: ["ssn", "social security", "itin", "taxpayer identification"]
            .iter()
            .any(|w| has_word(w)),
        names_ein: ["ein", "employer identification", "fein"]
            .iter()
            .any(|w| has_word(w)),
        names_routing: ["routing", "aba", "rtn"].iter().any(|w| has_word(w)),
        names_account: [
            "account number",
            "account no",
            "account #",
            "acct",
            "a/c",
            "account:",
        ]
        .iter()
        .any(|w| before.contains(w)),
    }
}

/// A Social Security number or an ITIN (nine digits, area first), or neither when the SSA never issues it.
fn social_security_kind(digits: &str) -> Option<Identifier> {
    let area: u32 = digits[..3].parse().ok()?;
    let group: u32 = digits[3..5].parse().ok()?;
    let serial: u32 = digits[5..].parse().ok()?;
    if area >= 900 {
        // ITINs start with 9 and have a group of 50-65, 70-88, 90-92 or 94-99.
        let itin = matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99);
        return itin.then_some(Identifier::Itin);
    }
    let issued = area != 0 && area != 666 && group != 0 && serial != 0;
    issued.then_some(Identifier::Ssn)
}

/// The Luhn check of card numbers.
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The ABA routing number checksum: 3, 7, 1 weights over the nine digits.
fn aba_checksum_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    d.len() == 9
        && (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0
}

/// An IBAN starting at `start` (country letters, check digits, then letters and digits, possibly in groups of four
/// separated by spaces) that passes the mod-97 check; returns where it ends.
fn iban_at(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let head = bytes.get(start..start + 4)?;
    if !(head[0].is_ascii_uppercase()
        && head[1].is_ascii_uppercase()
        && head[2].is_ascii_digit()
        && head[3].is_ascii_digit())
    {
        return None;
    }
    let mut compact = String::new();
    let mut at = start;
    let mut end = start;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_uppercase() || b.is_ascii_digit() {
            compact.push(b as char);
            at += 1;
            end = at;
        } else if b == b' '
            && bytes
                .get(at + 1)
                .is_some_and(|n| n.is_ascii_uppercase() || n.is_ascii_digit())
        {
            at += 1;
        } else {
            break;
        }
        if compact.len() == 34 {
            break;
        }
    }
    if end < bytes.len() && is_word_byte(bytes[end]) {
        return None;
    }
    ((15..=34).contains(&compact.len()) && iban_checksum_ok(&compact)).then_some(end)
}

/// ISO 13616: move the first four characters to the end, letters to numbers (A = 10), the remainder mod 97 is 1.
fn iban_checksum_ok(iban: &str) -> bool {
    let rearranged = iban[4..].bytes().chain(iban[..4].bytes());
    let mut remainder: u32 = 0;
    for b in rearranged {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

#[cfg(test)]
mod tests;
