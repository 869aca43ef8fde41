//! A pragmatic email check: catches typos, not RFC 5322 corner cases a payer never types.

use super::FieldError;

/// One `@`, a non-empty local part (≤ 64), a dotted domain of letters/digits/hyphens with a
/// TLD of 2+ letters, no spaces or control characters, ≤ 254 characters in total.
pub fn email(text: &str) -> Result<(), FieldError> {
    let text = text.trim();
    if text.len() > 254 {
        return Err(FieldError::TooLong);
    }
    let Some((local, domain)) = text.split_once('@') else {
        return Err(FieldError::Email);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(FieldError::Email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_addresses() {
        for ok in [
            "ana@example.cl",
            "ana.maria+pago@correo.example.com.br",
            " joão@exemplo.com.br ",
            "o'neil@x-y.io",
        ] {
            assert_eq!(email(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_typos() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.cl",
            "ana@example",
            "ana@@example.cl",
            "ana@ex@ample.cl",
            "ana maria@example.cl",
            "ana@exa mple.cl",
            "ana@example..cl",
            "ana@.example.cl",
            "ana@example.c",
            "ana@-example.cl",
            ".ana@example.cl",
            "ana..b@example.cl",
            "ana@example.cl.",
            "ana\u{0}@example.cl",
            "<ana>@example.cl",
            "ana@example.123",
        ] {
            assert_eq!(email(bad), Err(FieldError::Email), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(email(&long), Err(FieldError::TooLong));
    }
}
