//! Reading the amounts a person or a model typed ("50000", "50,000", "$50,000.00", "-1200", "(1,200)") into exact
//! decimals, and the field-named errors when that fails.

use crate::i18n::{fill, Lang, TaxCalcTexts};
use crate::model::tax::FieldError;
use rust_decimal::Decimal;

/// What a field holds, which decides what may be typed in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Dollars and cents, never below zero (wages, tax, withholding).
    Money,
    /// Dollars and cents where a loss is a negative number (net profit, AGI).
    SignedMoney,
    /// A count such as miles or square feet: no dollar sign, not negative.
    Quantity,
}

/// The largest amount accepted: far above any real return, far below where the arithmetic could overflow.
const LIMIT: i64 = 1_000_000_000_000;

/// A field as typed, with its name (the JSON key) and how to speak of it (in the language of the messages).
pub(crate) struct Field<'a> {
    pub name: &'static str,
    pub label: &'static str,
    pub text: &'a str,
    pub kind: Kind,
}

impl Field<'_> {
    /// An empty field counts as zero (the optional ones: W-2 wages, withholding); a message is in `lang`.
    pub fn or_zero_in(&self, lang: Lang) -> Result<Decimal, FieldError> {
        Ok(self.parse_in(lang)?.unwrap_or(Decimal::ZERO))
    }

    /// An empty field is an error (the ones a calculator cannot do without), in English.
    #[cfg(test)]
    pub fn required(&self) -> Result<Decimal, FieldError> {
        self.required_in(Lang::En)
    }

    /// An empty field is an error (the ones a calculator cannot do without); a message is in `lang`.
    pub fn required_in(&self, lang: Lang) -> Result<Decimal, FieldError> {
        let t = &lang.texts().tax_calc;
        self.parse_in(lang)?
            .ok_or_else(|| self.error(fill(t.enter, &[("example", &self.example(t))])))
    }

    #[cfg(test)]
    fn parse(&self) -> Result<Option<Decimal>, FieldError> {
        self.parse_in(Lang::En)
    }

    fn parse_in(&self, lang: Lang) -> Result<Option<Decimal>, FieldError> {
        let t = &lang.texts().tax_calc;
        let text = self.text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        // As typed, quoted; always the last value filled in, so nothing typed is read as a placeholder.
        let quoted = format!("{:?}", self.text);
        let value = read(text, self.kind).ok_or_else(|| {
            self.error(fill(
                t.not_an_amount,
                &[("example", &self.example(t)), ("text", &quoted)],
            ))
        })?;
        if value.is_sign_negative() && !value.is_zero() && self.kind != Kind::SignedMoney {
            return Err(self.error(fill(
                t.cannot_be_negative,
                &[("label", &capitalised(self.label))],
            )));
        }
        if value.abs() > Decimal::from(LIMIT) {
            return Err(self.error(fill(t.too_large, &[("text", &quoted)])));
        }
        if self.kind != Kind::Quantity && value.scale() > 2 && value.normalize().scale() > 2 {
            return Err(self.error(fill(t.too_many_decimals, &[("text", &quoted)])));
        }
        Ok(Some(value.normalize()))
    }

    fn example(&self, t: &TaxCalcTexts) -> String {
        let template = match self.kind {
            Kind::Money => t.example_money,
            Kind::SignedMoney => t.example_signed_money,
            Kind::Quantity => t.example_quantity,
        };
        fill(template, &[("label", self.label)])
    }

    fn error(&self, message: String) -> FieldError {
        FieldError {
            field: self.name.to_string(),
            message,
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The number in `text`, or `None` when it is not one. Commas must group thousands ("5,0000" is a typo, not 50000).
fn read(text: &str, kind: Kind) -> Option<Decimal> {
    let (negative, rest) =
        if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            (true, inner.trim())
        } else if let Some(rest) = text
            .strip_prefix('-')
            .or_else(|| text.strip_prefix('\u{2212}'))
        {
            (true, rest.trim_start())
        } else {
            (false, text)
        };
    let rest = match rest.strip_prefix('$') {
        Some(_) if kind == Kind::Quantity => return None,
        Some(after) => after.trim_start(),
        None => rest,
    };
    // "$-1,200" is how some people write a loss too.
    let (negative, rest) = match rest.strip_prefix('-') {
        Some(after) if !negative => (true, after),
        Some(_) => return None,
        None => (negative, rest),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if whole.is_empty() && fraction.is_none_or(str::is_empty) {
        return None;
    }
    if !thousands_grouped(whole)
        || fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let digits = format!("{}.{}", whole.replace(',', ""), fraction.unwrap_or("0"));
    let digits = digits
        .strip_prefix('.')
        .map_or(digits.clone(), |d| format!("0.{d}"));
    let value = Decimal::from_str_exact(&digits).ok()?;
    Some(if negative { -value } else { value })
}

fn thousands_grouped(whole: &str) -> bool {
    if !whole.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return false;
    }
    if !whole.contains(',') {
        return true;
    }
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, kind: Kind) -> Result<Option<Decimal>, FieldError> {
        Field {
            name: "net_profit",
            label: "net profit",
            text,
            kind,
        }
        .parse()
    }

    fn ok(text: &str, kind: Kind) -> String {
        parse(text, kind).unwrap().unwrap().to_string()
    }

    #[test]
    fn the_usual_ways_of_writing_an_amount_are_read_exactly() {
        assert_eq!(ok("50000", Kind::Money), "50000");
        assert_eq!(ok("50,000", Kind::Money), "50000");
        assert_eq!(ok("$50,000.00", Kind::Money), "50000");
        assert_eq!(ok(" $ 1,234,567.89 ", Kind::Money), "1234567.89");
        assert_eq!(ok(".5", Kind::Money), "0.5");
        assert_eq!(ok("-1200", Kind::SignedMoney), "-1200");
        assert_eq!(ok("-$1,200.50", Kind::SignedMoney), "-1200.5");
        assert_eq!(ok("$-1,200", Kind::SignedMoney), "-1200");
        assert_eq!(ok("(1,200)", Kind::SignedMoney), "-1200");
        assert_eq!(ok("\u{2212}75", Kind::SignedMoney), "-75");
        assert_eq!(ok("12345.678", Kind::Quantity), "12345.678");
        assert_eq!(ok("1.50", Kind::Money), "1.5");
        assert_eq!(ok("-0", Kind::Money), "0");
        assert_eq!(parse("  ", Kind::Money).unwrap(), None);
    }

    #[test]
    fn anything_else_is_refused_with_the_field_named() {
        for bad in [
            "abc",
            "50k",
            "5,0000",
            "1.2.3",
            "$",
            "--5",
            "50,000.",
            "1e5",
            "$50,000.005",
        ] {
            let err = parse(bad, Kind::Money).unwrap_err();
            assert_eq!(err.field, "net_profit", "{bad}");
            assert!(
                err.message.contains("net profit") || err.message.contains("decimal places"),
                "{bad}: {err:?}"
            );
        }
        let err = parse("-5", Kind::Money).unwrap_err();
        assert_eq!(err.message, "Net profit cannot be negative.");
        assert!(parse("$300", Kind::Quantity).is_err());
        assert!(parse("2000000000000", Kind::Money)
            .unwrap_err()
            .message
            .contains("too large"));
        let err = Field {
            name: "expected_tax",
            label: "expected tax",
            text: "",
            kind: Kind::Money,
        }
        .required()
        .unwrap_err();
        assert_eq!(err.field, "expected_tax");
        assert!(err.message.starts_with("Enter expected tax in dollars"));
    }
}
