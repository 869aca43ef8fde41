//! Mexican CURP: 18 characters in a fixed pattern (initials, birth date, sex, state,
//! consonants, a homonym character) ending in a check digit (RENAPO's algorithm).

use super::FieldError;

/// RENAPO's character values: the position in this dictionary (note `Ñ` between N and O).
const DICTIONARY: &str = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

/// State codes, plus `NE` (born abroad).
const STATES: &[&str] = &[
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS", "NT", "NL",
    "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
];

/// The check digit of the first 17 characters: Σ value(cᵢ)·(18 − i) for i = 0..16, then
/// (10 − sum mod 10) mod 10.
pub fn curp_check_digit(first17: &str) -> Option<u32> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, c) in chars.iter().enumerate() {
        let value = DICTIONARY.chars().position(|d| d == *c)? as u32;
        sum += value * (18 - i as u32);
    }
    Some((10 - sum % 10) % 10)
}

fn is_vowel_or_x(c: u8) -> bool {
    matches!(c, b'A' | b'E' | b'I' | b'O' | b'U' | b'X')
}

fn is_consonant(c: u8) -> bool {
    c.is_ascii_uppercase() && !matches!(c, b'A' | b'E' | b'I' | b'O' | b'U')
}

/// `YYMMDD` with a real month and a day that exists in some year for that month.
pub(super) fn plausible_date(yymmdd: &[u8]) -> bool {
    if yymmdd.len() != 6 || !yymmdd.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
    let (month, day) = (num(yymmdd[2], yymmdd[3]), num(yymmdd[4], yymmdd[5]));
    let max_day = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=max_day).contains(&day)
}

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text = number.trim().to_ascii_uppercase();
    let b = text.as_bytes();
    if b.len() != 18 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return Err(FieldError::DocumentFormat);
    }
    let pattern_ok = b[0].is_ascii_uppercase()
        && is_vowel_or_x(b[1])
        && b[2].is_ascii_uppercase()
        && b[3].is_ascii_uppercase()
        && plausible_date(&b[4..10])
        && matches!(b[10], b'H' | b'M' | b'X')
        && STATES.contains(&&text[11..13])
        && b[13..16].iter().all(|c| is_consonant(*c))
        && b[16].is_ascii_alphanumeric()
        && b[17].is_ascii_digit();
    if !pattern_ok {
        return Err(FieldError::DocumentFormat);
    }
    match curp_check_digit(&text[..17]) {
        Some(dv) if dv == u32::from(b[17] - b'0') => Ok(()),
        _ => Err(FieldError::DocumentCheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_curps() {
        // The sample CURP of python-stdnum's documentation (born abroad: state NE).
        assert_eq!(curp_check_digit("BOXW310820HNERXN0"), Some(9));
        assert_eq!(validate("BOXW310820HNERXN09"), Ok(()));
        // Computed by hand: Σ value·weight = 2044, (10 − 4) mod 10 = 6. Lower case accepted.
        assert_eq!(curp_check_digit("GOMA850101HDFRRL0"), Some(6));
        assert_eq!(validate("goma850101hdfrrl06"), Ok(()));
    }

    #[test]
    fn invalid_curps() {
        // Last character changed.
        assert_eq!(validate("BOXW310820HNERXN08"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(validate("GOMA850101HDFRRL07"), Err(FieldError::DocumentCheckDigit));
        // Another character changed breaks the check digit too.
        assert_eq!(validate("BOXW310821HNERXN09"), Err(FieldError::DocumentCheckDigit));
        for bad in [
            "BOXW310820HNERXN0",   // 17 chars
            "BOXW310820HNERXN090", // 19 chars
            "B1XW310820HNERXN09",  // second char not a vowel
            "BOXW311320HNERXN09",  // month 13
            "BOXW310832HNERXN09",  // day 32
            "BOXW310820ZNERXN09",  // sex
            "BOXW310820HZZRXN09",  // state
            "BOXW310820HNEAXN09",  // vowel where a consonant goes
            "BOXW310820HNERXN0A",  // check digit not a digit
            "BOXW-10820HNERXN09",
            "BOXW310820HNERXÑ09",
        ] {
            assert_eq!(validate(bad), Err(FieldError::DocumentFormat), "{bad}");
        }
    }
}
