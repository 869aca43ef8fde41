//! Argentine CUIT/CUIL: 11 digits `PP-NNNNNNNN-D`, a known type prefix and a mod-11 check digit.

use super::{compact, digit_values, FieldError};

/// Type prefixes in use: 20/23/24/25/26/27 people, 30/33/34 companies.
const PREFIXES: &[&str] = &["20", "23", "24", "25", "26", "27", "30", "33", "34"];

/// The check digit of the first 10 digits (weights 5,4,3,2,7,6,5,4,3,2; 11 − sum mod 11, where
/// 11 is 0). `None` when the result would be 10: such numbers are never issued (AFIP switches
/// the prefix to 23/33 instead).
pub fn cuit_check_digit(first10: &str) -> Option<u32> {
    const WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let digits = digit_values(first10)?;
    if digits.len() != 10 {
        return None;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        n => Some(n),
    }
}

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text = compact(number).ok_or(FieldError::DocumentFormat)?;
    let digits = digit_values(&text).ok_or(FieldError::DocumentFormat)?;
    if digits.len() != 11 || !PREFIXES.contains(&&text[..2]) {
        return Err(FieldError::DocumentFormat);
    }
    match cuit_check_digit(&text[..10]) {
        Some(dv) if dv == digits[10] => Ok(()),
        _ => Err(FieldError::DocumentCheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cuits() {
        // 2·5+0·4+1·3+2·2+3·7+4·6+5·5+6·4+7·3+8·2 = 148; 148 mod 11 = 5; 11 − 5 = 6.
        assert_eq!(cuit_check_digit("2012345678"), Some(6));
        for ok in ["20-12345678-6", "20123456786", "30-71234567-1", "27.28033514.8"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        assert_eq!(cuit_check_digit("3071234567"), Some(1));
        assert_eq!(cuit_check_digit("2728033514"), Some(8));
    }

    #[test]
    fn invalid_cuits() {
        assert_eq!(validate("20-12345678-5"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("20-12345679-6"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("99-12345678-6"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("20-1234567-6"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("20-12345678-66"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("20 12345678 X"), Err(FieldError::DocumentFormat));
    }
}
