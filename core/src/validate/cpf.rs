//! Brazilian CPF: 11 digits, the last two check digits (mod 11), as `529.982.247-25` or bare.

use super::{compact, digit_values, FieldError};

/// The two check digits of a 9-digit CPF base (`"529982247"` → `(2, 5)`).
pub fn cpf_check_digits(base: &str) -> Option<(u32, u32)> {
    let digits = digit_values(base)?;
    if digits.len() != 9 {
        return None;
    }
    // Weights count down from len+1 to 2; a remainder of 10 counts as 0.
    let check = |ds: &[u32]| {
        let sum: u32 = ds.iter().zip((2..=ds.len() as u32 + 1).rev()).map(|(d, w)| d * w).sum();
        (sum * 10 % 11) % 10
    };
    let first = check(&digits);
    let mut with_first = digits;
    with_first.push(first);
    Some((first, check(&with_first)))
}

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text = compact(number).ok_or(FieldError::DocumentFormat)?;
    let digits = digit_values(&text).ok_or(FieldError::DocumentFormat)?;
    if digits.len() != 11 {
        return Err(FieldError::DocumentFormat);
    }
    // 000.000.000-00 … 999.999.999-99 satisfy the arithmetic but are never issued.
    if digits.iter().all(|d| *d == digits[0]) {
        return Err(FieldError::DocumentCheckDigit);
    }
    match cpf_check_digits(&text[..9]) {
        Some((a, b)) if a == digits[9] && b == digits[10] => Ok(()),
        _ => Err(FieldError::DocumentCheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cpfs() {
        assert_eq!(cpf_check_digits("529982247"), Some((2, 5)));
        for ok in ["529.982.247-25", "52998224725", "111.444.777-35", "390.533.447-05"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invalid_cpfs() {
        assert_eq!(validate("529.982.247-24"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("529.982.247-15"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("111.111.111-11"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("000.000.000-00"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("529.982.247-2"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("529.982.247-255"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("529.982.24A-25"), Err(FieldError::DocumentFormat));
        assert_eq!(validate("529/982/247-25"), Err(FieldError::DocumentFormat));
    }
}
