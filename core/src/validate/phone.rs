//! Phone numbers as a country prefix (`+56`) plus a national number whose length depends on
//! the country.

use super::FieldError;

/// `+` (optional) and 1–3 digits not starting with 0.
pub fn phone_prefix(prefix: &str) -> Result<(), FieldError> {
    let digits = prefix.trim();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    let ok = (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(FieldError::PhonePrefix)
    }
}

/// The digits of a national number typed with the usual separators (spaces, `-`, `.`, `(`,
/// `)`); `None` if anything else is present.
pub fn phone_digits(national: &str) -> Option<String> {
    let mut out = String::new();
    for c in national.trim().chars() {
        match c {
            ' ' | '-' | '.' | '(' | ')' => {}
            c if c.is_ascii_digit() => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// National number lengths by prefix; other prefixes accept 6–15 digits (E.164's limit).
fn national_length(prefix_digits: &str) -> (u8, u8) {
    match prefix_digits {
        "56" => (9, 9),   // Chile: 9 XXXX XXXX (mobiles and landlines)
        "52" => (10, 10), // Mexico
        "57" => (10, 10), // Colombia
        "55" => (10, 11), // Brazil: landline 10, mobile 11
        "54" => (10, 10), // Argentina (area code + number, without 0/15)
        "51" => (9, 9),   // Peru mobiles
        "591" => (8, 8),  // Bolivia
        "1" => (10, 10),  // NANP
        _ => (6, 15),
    }
}

/// Checks a national number for its prefix.
pub fn phone(prefix: &str, national: &str) -> Result<(), FieldError> {
    phone_prefix(prefix)?;
    let prefix = prefix.trim();
    phone_national(Some(prefix.strip_prefix('+').unwrap_or(prefix)), national)
}

/// Checks a national number when the prefix may be unknown (`None`: 6–15 digits).
pub(crate) fn phone_national(prefix_digits: Option<&str>, national: &str) -> Result<(), FieldError> {
    let digits = phone_digits(national).ok_or(FieldError::PhoneDigits)?;
    let (min, max) = national_length(prefix_digits.unwrap_or(""));
    if (usize::from(min)..=usize::from(max)).contains(&digits.len()) {
        Ok(())
    } else {
        Err(FieldError::PhoneLength { min, max })
    }
}

/// The calling code of a country (alpha-3, or alpha-2 of a supported country).
pub fn phone_prefix_for(country_alpha3: &str) -> Option<&'static str> {
    Some(match super::to_alpha3(country_alpha3).as_str() {
        "CHL" => "+56",
        "MEX" => "+52",
        "COL" => "+57",
        "BRA" => "+55",
        "ARG" => "+54",
        "PER" => "+51",
        "BOL" => "+591",
        "USA" | "CAN" => "+1",
        "ECU" => "+593",
        "URY" => "+598",
        "PRY" => "+595",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        for ok in ["+56", "56", "+591", "+1"] {
            assert_eq!(phone_prefix(ok), Ok(()), "{ok}");
        }
        for bad in ["", "+", "+0", "+5912", "+5a", "++56"] {
            assert_eq!(phone_prefix(bad), Err(FieldError::PhonePrefix), "{bad}");
        }
        assert_eq!(phone_prefix_for("CHL"), Some("+56"));
        assert_eq!(phone_prefix_for("bol"), Some("+591"));
        assert_eq!(phone_prefix_for("XXX"), None);
    }

    #[test]
    fn national_lengths_per_country() {
        assert_eq!(phone("+56", "9 1234 5678"), Ok(()));
        assert_eq!(
            phone("+56", "12345678"),
            Err(FieldError::PhoneLength { min: 9, max: 9 })
        );
        assert_eq!(phone("+52", "55 1234 5678"), Ok(()));
        assert_eq!(phone("+57", "300 123 4567"), Ok(()));
        assert_eq!(
            phone("+57", "300 123 456"),
            Err(FieldError::PhoneLength { min: 10, max: 10 })
        );
        assert_eq!(phone("+55", "(11) 91234-5678"), Ok(()));
        assert_eq!(phone("+55", "(11) 1234-5678"), Ok(()));
        assert_eq!(phone("+54", "11 2345-6789"), Ok(()));
        assert_eq!(phone("+51", "912 345 678"), Ok(()));
        assert_eq!(phone("+591", "71234567"), Ok(()));
        assert_eq!(phone("+1", "(415) 555-0100"), Ok(()));
        assert_eq!(phone("+44", "20 7946 0958"), Ok(()));
        assert_eq!(phone("+44", "12345"), Err(FieldError::PhoneLength { min: 6, max: 15 }));
        assert_eq!(phone("+56", "9 1234 567a"), Err(FieldError::PhoneDigits));
        assert_eq!(phone("+56", "+56912345678"), Err(FieldError::PhoneDigits));
        assert_eq!(phone("x", "912345678"), Err(FieldError::PhonePrefix));
    }
}
