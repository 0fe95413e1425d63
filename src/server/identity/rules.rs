//! The rules a username and an email address must meet, each broken rule as a sentence for the message next to
//! its field (the password's are in `password.rs`).

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 50;
const EMAIL_MAX: usize = 254;

pub fn username_problems(username: &str) -> Vec<String> {
    if username.is_empty() {
        return vec!["Choose a username.".into()];
    }
    let mut problems = Vec::new();
    let chars = username.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&chars) {
        problems.push(format!(
            "Use {USERNAME_MIN} to {USERNAME_MAX} characters (this has {chars})."
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        problems.push("Use only letters (a-z), digits and underscores.".into());
    }
    problems
}

/// Whether an email address looks deliverable: one `@`, a local part, and a domain of dot-separated labels.
pub fn email_problem(email: &str) -> Option<String> {
    let invalid = || Some("Enter an email address like name@example.com.".to_string());
    if email.is_empty() {
        return Some("Enter your email address.".into());
    }
    if email.len() > EMAIL_MAX {
        return Some(format!(
            "An email address has at most {EMAIL_MAX} characters."
        ));
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
        assert!(username_problems("ann_99").is_empty());
        assert_eq!(username_problems("ab").len(), 1);
        assert_eq!(username_problems("a b").len(), 1);
        assert_eq!(
            username_problems("a!").len(),
            2,
            "too short and a symbol: both said"
        );
        assert_eq!(username_problems(&"x".repeat(51)).len(), 1);
    }

    #[test]
    fn emails_must_look_deliverable() {
        assert_eq!(email_problem("ann@example.com"), None);
        assert_eq!(email_problem("ann.lee+tax@mail.example.co"), None);
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
            assert!(email_problem(bad).is_some(), "{bad:?} accepted");
        }
    }
}
