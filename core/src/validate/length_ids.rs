//! Documents checked by length and alphabet only: DNI (ARG 7–8, PER 8), CC (6–10 digits),
//! CE (6–12 letters/digits), RUC (11 digits). They carry no check digit we can verify.

use super::{compact, FieldError};

/// `min..=max` digits after removing separators.
pub(super) fn digits(number: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let text = compact(number).ok_or(FieldError::DocumentFormat)?;
    if (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(FieldError::DocumentFormat)
    }
}

/// `min..=max` ASCII letters or digits after removing separators.
pub(super) fn alphanumeric(number: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let text = compact(number).ok_or(FieldError::DocumentFormat)?;
    if (min..=max).contains(&text.len()) {
        Ok(())
    } else {
        Err(FieldError::DocumentFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_alphabets() {
        assert_eq!(digits("12345678", 8, 8), Ok(()));
        assert_eq!(digits("1234567A", 7, 8), Err(FieldError::DocumentFormat));
        assert_eq!(digits("123456789", 7, 8), Err(FieldError::DocumentFormat));
        assert_eq!(digits("12_345_678", 7, 8), Err(FieldError::DocumentFormat));
        assert_eq!(alphanumeric("E-123456", 6, 12), Ok(()));
        assert_eq!(alphanumeric("E12345678901X", 6, 12), Err(FieldError::DocumentFormat));
        assert_eq!(alphanumeric("ÉÉ12345", 6, 12), Err(FieldError::DocumentFormat));
    }
}
