//! Passports: free alphanumeric, 5–20 characters (countries differ too much for more).

use super::{compact, FieldError};

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text = compact(number).ok_or(FieldError::DocumentFormat)?;
    if (5..=20).contains(&text.len()) {
        Ok(())
    } else {
        Err(FieldError::DocumentFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passports() {
        assert_eq!(validate("P1234567"), Ok(()));
        assert_eq!(validate("fb 123 456"), Ok(()));
        assert_eq!(validate("A12"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("A123456789012345678901"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("A1234<>"), Err(FieldError::DocumentFormat));
    }
}
