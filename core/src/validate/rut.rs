//! Chilean RUT/RUN: a body of digits and a mod-11 check digit (`0`–`9` or `K`). Accepted as
//! `12.345.678-5`, `12345678-5` or `123456785`.

use super::{digit_values, FieldError};

/// The check digit of a RUT body (`"12345678"` → `'5'`): digits from the right times
/// 2,3,4,5,6,7,2,3…, then 11 − sum mod 11, where 11 is `0` and 10 is `K`.
pub fn rut_check_digit(body: &str) -> Option<char> {
    let digits = digit_values(body)?;
    if digits.is_empty() {
        return None;
    }
    let sum: u32 = digits.iter().rev().zip((2..=7).cycle()).map(|(d, w)| d * w).sum();
    Some(match 11 - sum % 11 {
        11 => '0',
        10 => 'K',
        n => char::from_digit(n, 10)?,
    })
}

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text: String = number.trim().chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    let (body, dv) = match text.split_once('-') {
        Some((body, dv)) => (body.to_string(), dv.to_string()),
        None => {
            let mut chars = text.clone();
            let dv = chars.pop().map(String::from).unwrap_or_default();
            (chars, dv)
        }
    };
    let dv = dv.to_ascii_uppercase();
    let body_ok = (6..=9).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_digit());
    let dv_ok = dv.len() == 1 && dv.bytes().all(|b| b.is_ascii_digit() || b == b'K');
    if !body_ok || !dv_ok {
        return Err(FieldError::DocumentFormat);
    }
    match rut_check_digit(&body) {
        Some(expected) if dv.starts_with(expected) => Ok(()),
        _ => Err(FieldError::DocumentCheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ruts_in_every_accepted_shape() {
        assert_eq!(rut_check_digit("12345678"), Some('5'));
        for ok in [
            "12.345.678-5",
            "12345678-5",
            "123456785",
            " 12.345.678-5 ",
            "76.086.428-5",
            "11.111.111-1",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        // A body whose check digit is K, in both cases.
        assert_eq!(rut_check_digit("10000013"), Some('K'));
        assert_eq!(validate("10.000.013-K"), Ok(()));
        assert_eq!(validate("10000013k"), Ok(()));
    }

    #[test]
    fn invalid_ruts() {
        assert_eq!(validate("12.345.678-4"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("12.345.678-K"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("12.345.679-5"), Err(FieldError::DocumentCheckDigit));
        for bad in [
            "",
            "-",
            "5",
            "12345-5",
            "12.345.678-",
            "12.345.678-55",
            "12.34A.678-5",
            "1234567890-1",
            "12.345.678-X",
            "12_345_678-5",
        ] {
            assert_eq!(validate(bad), Err(FieldError::DocumentFormat), "{bad}");
        }
    }
}
