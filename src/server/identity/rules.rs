//! The rules a username and an email address must meet, each broken rule as a sentence for the message next to
//! its field (the password's are in `password.rs`), in the language of the request.

use crate::i18n::{fill, Lang};

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 50;
const EMAIL_MAX: usize = 254;

pub fn username_problems(lang: Lang, username: &str) -> Vec<String> {
    let t = &lang.texts().identity;
    if username.is_empty() {
        return vec![t.choose_username.into()];
    }
    let mut problems = Vec::new();
    let chars = username.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&chars) {
        problems.push(fill(
            t.username_length,
            &[
                ("min", &USERNAME_MIN.to_string()),
                ("max", &USERNAME_MAX.to_string()),
                ("count", &chars.to_string()),
            ],
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        problems.push(t.username_characters.into());
    }
    problems
}

/// Whether an email address looks deliverable: one `@`, a local part, and a domain of dot-separated labels.
pub fn email_problem(lang: Lang, email: &str) -> Option<String> {
    let t = &lang.texts().identity;
    let invalid = || Some(t.email_invalid.to_string());
    if email.is_empty() {
        return Some(t.enter_email.into());
    }
    if email.len() > EMAIL_MAX {
        return Some(fill(t.email_too_long, &[("max", &EMAIL_MAX.to_string())]));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return invalid();
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok {
        None
    } else {
        invalid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules() {
        assert!(username_problems(Lang::En, "ann_99").is_empty());
        assert_eq!(username_problems(Lang::En, "ab").len(), 1);
        assert_eq!(username_problems(Lang::En, "a b").len(), 1);
        assert_eq!(
            username_problems(Lang::En, "a!").len(),
            2,
            "too short and a symbol: both said"
        );
        assert_eq!(username_problems(Lang::En, &"x".repeat(51)).len(), 1);
    }

    #[test]
    fn problems_are_said_in_the_language_asked() {
        assert_eq!(
            username_problems(Lang::En, "ab"),
            vec!["Use 3 to 50 characters (this has 2).".to_string()]
        );
        assert_eq!(
            username_problems(Lang::Vi, "ab"),
            vec!["Hãy dùng từ 3 đến 50 ký tự (tên này có 2).".to_string()]
        );
        assert_eq!(
            email_problem(Lang::En, ""),
            Some("Enter your email address.".to_string())
        );
    }

    #[test]
    fn emails_must_look_deliverable() {
        assert_eq!(email_problem(Lang::En, "ann@example.com"), None);
        assert_eq!(email_problem(Lang::En, "ann.lee+tax@mail.example.co"), None);
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "a b@example.com",
            "ann@-example.com",
            "ann..lee@example.com",
            "ann@example.c0m",
        ] {
            assert!(email_problem(Lang::En, bad).is_some(), "{bad:?} accepted");
        }
    }
}
