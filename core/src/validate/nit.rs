//! Colombian NIT: a body of digits and a DIAN check digit after a dash (`900.123.456-8`). A
//! NIT typed without its check digit is a format error: without the dash it cannot be told
//! apart from a longer number.

use super::{digit_values, FieldError};

/// The DIAN check digit of a NIT body: digits from the right times 3,7,13,17,19,23,29,37,41,
/// 43,47,53,59,67,71; r = sum mod 11; the digit is r when r < 2, else 11 − r.
pub fn nit_check_digit(body: &str) -> Option<u32> {
    const WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
    let digits = digit_values(body)?;
    if digits.is_empty() || digits.len() > WEIGHTS.len() {
        return None;
    }
    let sum: u32 = digits.iter().rev().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let r = sum % 11;
    Some(if r < 2 { r } else { 11 - r })
}

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text: String = number.trim().chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    let Some((body, dv)) = text.split_once('-') else {
        return Err(FieldError::DocumentFormat);
    };
    let body_ok = (5..=15).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_digit());
    let dv_ok = dv.len() == 1 && dv.bytes().all(|b| b.is_ascii_digit());
    if !body_ok || !dv_ok {
        return Err(FieldError::DocumentFormat);
    }
    match (nit_check_digit(body), dv.chars().next().and_then(|c| c.to_digit(10))) {
        (Some(expected), Some(given)) if expected == given => Ok(()),
        _ => Err(FieldError::DocumentCheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_nits() {
        // 6·3+5·7+4·13+3·17+2·19+1·23+0+0+9·41 = 586; 586 mod 11 = 3; 11 − 3 = 8.
        assert_eq!(nit_check_digit("900123456"), Some(8));
        // Bancolombia's public NIT.
        assert_eq!(nit_check_digit("890903938"), Some(8));
        for ok in ["900123456-8", "900.123.456-8", " 890.903.938-8 "] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invalid_nits() {
        assert_eq!(validate("900123456-7"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("900123457-8"), Err(FieldError::DocumentCheckDigit));
        // Without the check digit.
        assert_eq!(validate("900123456"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("900.123.456"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("900123456-"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("900123456-88"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("9001A3456-8"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("1234-5"), Err(FieldError::DocumentFormat));
    }
}
