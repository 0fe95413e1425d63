//! Questions that are clearly a calculation ("What's my self-employment tax on $50,000?"), recognised without a
//! model, so the calculators give the numbers whatever model answers (and when none can call tools).

use super::terms::fold;
use crate::model::tax::{CalculatorInput, FilingStatus, TaxProfile};

/// Whole messages that are greetings, thanks or sign-offs, not questions (folded: lower case, no accents).
const SMALL_TALK: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "good morning",
    "good afternoon",
    "good evening",
    "thanks",
    "thank you",
    "thanks a lot",
    "thank you so much",
    "thx",
    "ty",
    "ok",
    "okay",
    "ok thanks",
    "okay thanks",
    "cool",
    "great",
    "nice",
    "perfect",
    "got it",
    "bye",
    "goodbye",
    "see you",
    "cheers",
    "xin chao",
    "chao",
    "chao ban",
    "cam on",
    "cam on ban",
    "cam on nhieu",
    "tam biet",
];

/// Whether the whole message is small talk ("thanks!", "xin chào"): it gets a short reply, no tax year stamp and
/// no sources, since nothing in it is about tax.
pub fn is_small_talk(message: &str) -> bool {
    let folded = fold(message);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let phrase = words.join(" ");
    !phrase.is_empty() && SMALL_TALK.contains(&phrase.as_str())
}

/// The calculations a question asks for, with the amounts it names, for `tax_year`.
pub fn calculations(question: &str, profile: &TaxProfile, tax_year: i32) -> Vec<CalculatorInput> {
    let text = fold(question);
    let amounts = amounts(&text);
    let money = |role: Role| {
        amounts
            .iter()
            .find(|a| a.role == role)
            .map(|a| a.value.clone())
    };
    let profit = money(Role::Profit).or_else(|| money(Role::Plain));
    let wages = money(Role::Wages).unwrap_or_default();
    let status = filing_status(&text).unwrap_or(profile.filing_status);
    let mentions = |terms: &[&str]| terms.iter().any(|t| text.contains(t));
    let mut found = Vec::new();

    if mentions(&[
        "set aside",
        "save for tax",
        "put aside",
        "how much tax will i owe",
        "how much will i owe",
        "how much should i save",
        "de danh",
        "de rieng",
    ]) {
        if let Some(net_profit) = profit.clone() {
            found.push(CalculatorInput::SetAside {
                tax_year,
                filing_status: status,
                net_profit,
                w2_wages: wages.clone(),
            });
        }
    } else if mentions(&["additional medicare"]) {
        if let Some(self_employment_income) = profit.clone() {
            found.push(CalculatorInput::AdditionalMedicareTax {
                tax_year,
                filing_status: status,
                medicare_wages: wages.clone(),
                self_employment_income,
            });
        }
    } else if mentions(&[
        "self-employment tax",
        "self employment tax",
        "se tax",
        "schedule se",
        "thue tu doanh",
        "thue lao dong tu do",
    ]) {
        if let Some(net_profit) = profit.clone() {
            found.push(CalculatorInput::SelfEmploymentTax {
                tax_year,
                net_profit,
                w2_social_security_wages: wages.clone(),
            });
        }
    }
    if let Some(miles) = miles(&text) {
        found.push(CalculatorInput::Mileage {
            tax_year,
            business_miles: miles,
        });
    }
    if let (Some(square_feet), Some(limit)) = (square_feet(&text), profit) {
        if mentions(&["home office", "van phong tai nha", "simplified"]) {
            found.push(CalculatorInput::HomeOffice {
                tax_year,
                square_feet,
                gross_income_limit: limit,
            });
        }
    }
    let asks_when = mentions(&[
        "when", "due date", "deadline", "han chot", "khi nao", "ngay nao",
    ]);
    if asks_when && mentions(&["estimated", "quarterly", "1040-es", "uoc tinh", "hang quy"]) {
        found.push(CalculatorInput::DueDates { tax_year });
    }
    found
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Profit,
    Wages,
    Plain,
}

#[derive(Debug)]
struct Amount {
    value: String,
    role: Role,
}

/// Dollar amounts ("$50,000", "50k", "$1.2 million"), each with what the words around it say it is.
fn amounts(text: &str) -> Vec<Amount> {
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let dollar = bytes[i] == b'$';
        let start = if dollar { i + 1 } else { i };
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.');
        if !(boundary && bytes.get(start).is_some_and(u8::is_ascii_digit)) {
            i += 1;
            continue;
        }
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_digit() || bytes[end] == b',' || bytes[end] == b'.')
        {
            end += 1;
        }
        let number = text[start..end]
            .trim_end_matches([',', '.'])
            .replace(',', "");
        let rest = &text[end..];
        let (value, after) =
            if rest.starts_with('k') && !rest[1..].starts_with(|c: char| c.is_alphanumeric()) {
                (scale(&number, 1_000), 1)
            } else if let Some(r) = rest.strip_prefix(" million") {
                (scale(&number, 1_000_000), rest.len() - r.len())
            } else if dollar || rest.starts_with(" dollars") || rest.starts_with(" usd") {
                (Some(number), 0)
            } else {
                (None, 0)
            };
        end += after;
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            let before = &text[i.saturating_sub(12)..i];
            let negative = before.ends_with('-') || before.trim_end().ends_with("loss of");
            spans.push((i, end, if negative { format!("-{value}") } else { value }));
        }
        i = end.max(i + 1);
    }
    // Each amount is what the nearest telling word around it says, looking no further than its neighbours.
    let mut found = Vec::new();
    for (index, (start, end, value)) in spans.iter().enumerate() {
        let from = if index == 0 { 0 } else { spans[index - 1].1 };
        let to = spans.get(index + 1).map_or(text.len(), |next| next.0);
        let before = &text[from..*start];
        let after = &text[*end..to];
        let distance = |words: &[&str]| {
            words
                .iter()
                .flat_map(|w| {
                    let back = before.rfind(w).map(|at| before.len() - at);
                    let ahead = after.find(w);
                    [back, ahead]
                })
                .flatten()
                .min()
        };
        let wages = distance(&["w-2", "w2", "wage", "salary", "paycheck", "job", "luong"]);
        let profit = distance(&[
            "profit",
            "net",
            "earn",
            "made",
            "make",
            "income",
            "self-employ",
            "freelanc",
            "business",
            "loi nhuan",
            "thu nhap",
            "loss",
        ]);
        let role = match (wages, profit) {
            (Some(w), Some(p)) if w < p => Role::Wages,
            (Some(_), None) => Role::Wages,
            (_, Some(_)) => Role::Profit,
            (None, None) => Role::Plain,
        };
        found.push(Amount {
            value: value.clone(),
            role,
        });
    }
    found
}

fn scale(number: &str, by: u64) -> Option<String> {
    let value: rust_decimal::Decimal = number.parse().ok()?;
    Some(
        (value * rust_decimal::Decimal::from(by))
            .normalize()
            .to_string(),
    )
}

fn number_before(text: &str, unit: &[&str]) -> Option<String> {
    let index = unit.iter().filter_map(|u| text.find(u)).min()?;
    let before = text[..index].trim_end();
    let digits: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect::<String>()
        .chars()
        .rev()
        .filter(|c| *c != ',')
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// A number followed within a couple of words by "miles" ("12,000 business miles").
fn miles(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let mut end = i;
            while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b',') {
                end += 1;
            }
            let following: Vec<&str> = text[end..].split_whitespace().take(3).collect();
            if following
                .iter()
                .any(|w| w.starts_with("mile") || *w == "dam")
            {
                return Some(text[i..end].replace(',', ""));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

fn square_feet(text: &str) -> Option<String> {
    number_before(text, &[" sq", " square f", " ft2", " feet vuong"])
}

fn filing_status(text: &str) -> Option<FilingStatus> {
    if text.contains("jointly") || text.contains("married filing joint") || text.contains("mfj") {
        Some(FilingStatus::MarriedJoint)
    } else if text.contains("separately") || text.contains("mfs") {
        Some(FilingStatus::MarriedSeparate)
    } else if text.contains("head of household") {
        Some(FilingStatus::HeadOfHousehold)
    } else if text.contains("single") || text.contains("doc than") {
        Some(FilingStatus::Single)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_and_thanks_are_small_talk_and_questions_are_not() {
        for message in [
            "Thanks!",
            "hello",
            "  Ok, thanks. ",
            "Cảm ơn bạn",
            "xin chào 👋",
        ] {
            assert!(is_small_talk(message), "{message}");
        }
        for message in [
            "thanks, and what about 2026?",
            "hi, is my laptop deductible?",
            "ok",
            "?",
        ] {
            let small = is_small_talk(message);
            assert_eq!(small, message == "ok", "{message}");
        }
    }
    use crate::server::tax::profile::default_profile;

    fn ask(question: &str) -> Vec<CalculatorInput> {
        calculations(
            question,
            &default_profile(time::macros::date!(2026 - 12 - 01)),
            2025,
        )
    }

    #[test]
    fn self_employment_tax_on_an_amount() {
        assert_eq!(
            ask("What's my self-employment tax on $50,000 of net profit?"),
            [CalculatorInput::SelfEmploymentTax {
                tax_year: 2025,
                net_profit: "50000".into(),
                w2_social_security_wages: String::new()
            }]
        );
        assert_eq!(
            ask("SE tax if I made 120k freelancing and have a $90,000 W-2 salary"),
            [CalculatorInput::SelfEmploymentTax {
                tax_year: 2025,
                net_profit: "120000".into(),
                w2_social_security_wages: "90000".into()
            }]
        );
    }

    #[test]
    fn set_aside_mileage_and_due_dates() {
        assert!(
            matches!(&ask("How much should I set aside for taxes on $80k profit, married filing jointly?")[..],
            [CalculatorInput::SetAside { filing_status: FilingStatus::MarriedJoint, net_profit, .. }] if net_profit == "80000")
        );
        assert!(
            matches!(&ask("I drove 12,000 business miles, what can I deduct?")[..],
            [CalculatorInput::Mileage { business_miles, .. }] if business_miles == "12000")
        );
        assert!(matches!(
            &ask("When are quarterly estimated payments due?")[..],
            [CalculatorInput::DueDates { tax_year: 2025 }]
        ));
    }

    #[test]
    fn a_question_without_numbers_is_not_a_calculation() {
        assert!(ask("What is the self-employment tax rate?").is_empty());
        assert!(ask("Can I deduct my home office?").is_empty());
    }
}
