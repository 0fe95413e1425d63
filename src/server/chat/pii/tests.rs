//! The masking on realistic and tricky text.

use super::*;

fn masked(text: &str) -> String {
    mask(text).text
}

#[test]
fn social_security_numbers_and_itins_are_masked_with_or_without_a_label() {
    let result = mask("My SSN is 123-45-6789 and my wife's is 234 56 7890.");
    assert_eq!(
        result.text,
        "My SSN is [SSN removed] and my wife's is [SSN removed]."
    );
    assert_eq!(result.found, vec![Identifier::Ssn]);
    assert_eq!(masked("ssn: 123456789"), "ssn: [SSN removed]");
    assert_eq!(
        masked("My ITIN is 912-70-1234, do I file a 1040?"),
        "My ITIN is [ITIN removed], do I file a 1040?"
    );
    // Never issued: area 000, 666, a 9xx outside the ITIN groups, group 00, serial 0000.
    for never in [
        "000-12-3456",
        "666-12-3456",
        "912-34-5678",
        "123-00-4567",
        "123-45-0000",
    ] {
        assert_eq!(masked(never), never, "{never}");
    }
}

#[test]
fn an_ein_is_masked_in_its_own_format_or_after_its_label() {
    assert_eq!(
        masked("Our EIN 12-3456789 is on the 1099-NEC."),
        "Our EIN [EIN removed] is on the 1099-NEC."
    );
    assert_eq!(masked("EIN: 123456789"), "EIN: [EIN removed]");
}

#[test]
fn card_numbers_that_pass_luhn_are_masked_and_others_are_not() {
    let result =
        mask("I paid with 4111 1111 1111 1111 and 5500-0000-0000-0004 and 4111111111111111.");
    assert_eq!(
        result.text,
        "I paid with [card number removed] and [card number removed] and [card number removed]."
    );
    assert_eq!(result.found, vec![Identifier::Card]);
    assert_eq!(
        masked("order 4111 1111 1111 1112"),
        "order 4111 1111 1111 1112"
    );
}

#[test]
fn an_iban_that_checks_out_is_masked() {
    let result = mask("Wire it to GB82 WEST 1234 5698 7654 32 please, or DE89370400440532013000.");
    assert_eq!(
        result.text,
        "Wire it to [IBAN removed] please, or [IBAN removed]."
    );
    assert_eq!(result.found, vec![Identifier::Iban]);
    assert_eq!(
        masked("GB82 WEST 1234 5698 7654 33"),
        "GB82 WEST 1234 5698 7654 33"
    );
}

#[test]
fn routing_and_account_numbers_are_masked_where_the_text_says_what_they_are() {
    let result = mask("Refund to routing number 021000021, account number 123456789012.");
    assert_eq!(
        result.text,
        "Refund to routing number [routing number removed], account number [account number removed]."
    );
    assert_eq!(
        result.found,
        vec![Identifier::RoutingNumber, Identifier::BankAccount]
    );
    assert_eq!(masked("acct 00123456"), "acct [account number removed]");
    // Without a label nine digits could be anything; a bad checksum is no routing number.
    assert_eq!(masked("021000021"), "021000021");
    assert_eq!(masked("routing 021000022"), "routing 021000022");
}

#[test]
fn dates_phones_amounts_and_years_are_left_alone() {
    for text in [
        "Is the deadline 2026-04-15 or 04/15/2026?",
        "Call me at 555-123-4567 or (555) 123-4567 or +1 555 123 4567.",
        "+44 20 7946 0958 and +84 912 345 678",
        "I earned $123,456.78 in 2025 and $1234567890123 in total",
        "I put 1234567890123.50 into a SEP IRA",
        "Form 1040-ES, Schedule SE, 1099-NEC, Form 8829",
        "My retirement account has 25000 in it",
        "A rate of 15.3% on 92.35% of 1234567890123456%",
    ] {
        let result = mask(text);
        assert_eq!(result.text, text);
        assert!(result.found.is_empty(), "{text}: {:?}", result.found);
    }
}

#[test]
fn the_note_names_each_kind_once_in_the_answers_language() {
    use crate::i18n::Lang;
    let found = mask("SSN 123-45-6789, spouse 234-56-7890, card 4111 1111 1111 1111, GB82 WEST 1234 5698 7654 32").found;
    assert_eq!(
        note(&found, &Lang::En.texts().chat).as_deref(),
        Some("Before your question went to the model, Tally removed a Social Security number, a card number and an IBAN from it.")
    );
    let vietnamese = note(&[Identifier::Ssn], &Lang::Vi.texts().chat).expect("a note");
    assert!(vietnamese.contains("An sinh Xã hội"), "{vietnamese}");
    assert_eq!(note(&[], &Lang::En.texts().chat), None);
}

#[test]
fn text_around_identifiers_survives_whatever_it_is_written_in() {
    assert_eq!(
        masked("Số SSN của tôi là 123-45-6789, đúng không?"),
        "Số SSN của tôi là [SSN removed], đúng không?"
    );
    assert_eq!(masked("x123-45-6789"), "x123-45-6789");
    assert_eq!(masked(""), "");
}
