//! Search terms: how questions and passages are cut into the words the index matches. Accents are folded (so
//! "thue" finds "thuế" and a Vietnamese question finds the passages' Vietnamese keywords), common words dropped,
//! English endings trimmed so "deductions" meets "deductible", and neighbouring words paired so "home office" and
//! "wage base" rank above passages that merely hold both words somewhere.

use unicode_normalization::UnicodeNormalization;

/// Words too common to say anything about which passage answers (English, and Vietnamese without accents).
const STOPWORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "do", "does", "did", "for", "from", "get", "got", "had", "has", "have", "how", "i",
    "if", "im", "in", "into", "is", "it", "its", "ll", "me", "much", "my", "need", "of", "on",
    "or", "our", "should", "so", "that", "the", "their", "them", "there", "these", "this", "to",
    "us", "was", "we", "what", "when", "where", "which", "who", "will", "with", "would", "you",
    "your", "s", "t", "ve", "re", "d", "m", "tell", "please", "hi", "hello", "thanks", "know",
    "want", "like", "just", "also", "some", "there", "then", "than", "too", "very", "really",
    "still", // Vietnamese function words, accents folded.
    "la", "gi", "cua", "toi", "cho", "va", "co", "khong", "nhu", "the", "nao", "bao", "nhieu",
    "duoc", "phai", "cac", "nhung", "mot", "voi", "trong", "ve", "khi", "neu", "thi", "nay", "do",
    "de", "o", "minh", "ban", "a", "nhe", "vay", "sao", "ai",
];

/// Common Vietnamese tax terms (accents folded) and the English words the passages use for them. A Vietnamese
/// question is searched with these beside its own words, so the offline path finds English passages too.
const VIETNAMESE_GLOSSARY: &[(&str, &str)] = &[
    ("thue tu doanh", "self-employment tax"),
    ("thue lao dong tu do", "self-employment tax"),
    ("tu doanh", "self-employment"),
    ("phan tram", "rate percent"),
    ("ty le", "rate"),
    ("thue uoc tinh", "estimated tax"),
    ("uoc tinh", "estimated"),
    ("hang quy", "quarterly"),
    ("theo quy", "quarterly"),
    ("han chot", "deadline due date"),
    ("han nop", "deadline due date"),
    ("khau tru tieu chuan", "standard deduction"),
    ("khau tru", "deduction deduct"),
    ("van phong tai nha", "home office"),
    ("so dam", "mileage miles"),
    ("dam", "miles mileage"),
    ("bao hiem y te", "health insurance"),
    ("huu tri", "retirement"),
    ("khau hao", "depreciation"),
    ("so thich", "hobby"),
    ("kinh doanh", "business"),
    ("chi phi", "expenses"),
    ("thu nhap", "income"),
    ("luong", "wages"),
    ("an sinh xa hoi", "social security"),
    ("muc tran", "wage base maximum"),
    ("tien phat", "penalty"),
    ("phat", "penalty"),
    ("gia han", "extension"),
    ("bieu mau", "form"),
    ("hoa don", "receipts records"),
    ("ho so", "records"),
    ("luu tru", "keep records"),
    ("vo chong", "married joint"),
    ("khai chung", "married filing jointly"),
    ("doc than", "single"),
    ("tieu bang", "state"),
    ("bua an", "meals"),
    ("du lich", "travel"),
    ("cong tac", "travel"),
    ("dien thoai", "phone"),
    ("may tinh", "computer equipment"),
    ("laptop", "computer equipment de minimis"),
    ("thiet bi", "equipment"),
    ("nguoi lam tu do", "freelancer self-employed"),
    ("nha thau", "contractor"),
];

/// English words for the Vietnamese tax terms in `text` (empty when it has none).
pub fn glossary_terms(text: &str) -> String {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let padded = format!(" {} ", words.join(" "));
    VIETNAMESE_GLOSSARY
        .iter()
        .filter(|(vi, _)| padded.contains(&format!(" {vi} ")))
        .map(|(_, en)| *en)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The terms of a text: single words and neighbouring pairs ("home_office").
pub fn terms(text: &str) -> Vec<String> {
    let words = words(text);
    let mut terms = Vec::with_capacity(words.len() * 2);
    for pair in words.windows(2) {
        terms.push(format!("{}_{}", pair[0], pair[1]));
    }
    terms.extend(words);
    terms
}

/// The words of a text, folded, without stopwords or years (the year is a filter, not a search term), trimmed.
pub fn words(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut words = Vec::new();
    for chunk in folded.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        let parts: Vec<&str> = chunk.split('-').filter(|p| !p.is_empty()).collect();
        // "W-2" and "1099-NEC" are names: keep the joined form beside the parts.
        if parts.len() == 2 && parts.iter().any(|p| p.chars().any(|c| c.is_ascii_digit())) {
            words.push(parts.concat());
        }
        for part in parts {
            if STOPWORDS.contains(&part) || is_year(part) {
                continue;
            }
            words.push(stem(part));
        }
    }
    words
}

/// A question of at most this many words after an earlier one leans on it ("what about 2026?").
const SHORT_FOLLOW_UP_WORDS: usize = 6;
/// Words that open a question leaning on the one before.
const FOLLOW_UP_OPENINGS: &[&str] = &[
    "and",
    "also",
    "but",
    "so",
    "then",
    "what about",
    "how about",
];
/// Words that point back at something said before.
const REFERENCES: &[&str] = &["it", "this", "those", "these", "them", "they", "same"];

/// Whether a question asked after others leans on them: it is short, opens like a follow-up ("and ...", "what
/// about ..."), or points back ("is it deductible?"). Such a question keeps the conversation's year, is searched
/// together with the question before it, and is rewritten by the model when one can.
pub fn is_follow_up(question: &str) -> bool {
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let opening = words.join(" ");
    words.len() <= SHORT_FOLLOW_UP_WORDS
        || FOLLOW_UP_OPENINGS
            .iter()
            .any(|o| opening.starts_with(&format!("{o} ")))
        || words.iter().any(|w| REFERENCES.contains(w))
}

/// Whether a word is a year (a filter, never a search term).
pub fn is_year(word: &str) -> bool {
    word.len() == 4
        && word
            .parse::<u32>()
            .is_ok_and(|y| (1990..=2099).contains(&y))
}

/// Lower case with accents removed: "Thuế tự doanh" -> "thue tu doanh".
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            '’' => '\'',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .filter(|c| *c != '\'')
        .collect()
}

/// A light English stemmer: enough that plural and verb forms of one word meet, applied alike to both sides.
fn stem(word: &str) -> String {
    if word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    let mut w = word.to_string();
    if let Some(base) = w.strip_suffix("ies").filter(|b| b.len() >= 3) {
        w = format!("{base}y");
    } else if let Some(base) = w
        .strip_suffix("es")
        .filter(|b| b.ends_with(['s', 'x']) || b.ends_with("ch") || b.ends_with("sh"))
    {
        w = base.to_string();
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    for suffix in [
        "ations", "ation", "ions", "ion", "ible", "able", "ing", "ed",
    ] {
        let shortest = if matches!(suffix, "ing" | "ed") { 3 } else { 4 };
        if let Some(base) = w.strip_suffix(suffix).filter(|b| b.len() >= shortest) {
            w = base.to_string();
            break;
        }
    }
    // Not shorter words: Vietnamese syllables ("thue", tax) must stay whole.
    if w.len() >= 5 && w.ends_with('e') {
        w.pop();
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_fold_and_vietnamese_function_words_drop() {
        assert_eq!(words("Thuế tự doanh là gì?"), ["thue", "tu", "doanh"]);
        assert_eq!(fold("Đăng ký"), "dang ky");
    }

    #[test]
    fn forms_keep_their_names_and_years_drop() {
        assert_eq!(words("W-2 wages in 2025"), ["w2", "w", "2", "wage"]);
        assert!(words("Form 1099-NEC").contains(&"1099nec".to_string()));
        assert!(!words("for 2026?").iter().any(|w| w.contains("2026")));
    }

    #[test]
    fn word_forms_meet() {
        for (a, b) in [
            ("deductions", "deductible"),
            ("estimated", "estimate"),
            ("taxes", "tax"),
            ("expenses", "expense"),
            ("filings", "filing"),
        ] {
            assert_eq!(words(a), words(b), "{a} / {b}");
        }
    }

    #[test]
    fn vietnamese_tax_terms_bring_their_english_words() {
        let english = glossary_terms("Thuế tự doanh năm 2026 là bao nhiêu phần trăm?");
        assert!(english.contains("self-employment tax"), "{english}");
        assert!(english.contains("rate"), "{english}");
        assert_eq!(glossary_terms("What is the wage base?"), "");
    }

    #[test]
    fn neighbours_pair_up() {
        assert!(terms("home office deduction").contains(&"home_offic".to_string()));
    }
}
