//! Payer input checks: email, phone, and the identity documents of each country (§6 of the
//! contract), each with its real check-digit algorithm where the document has one.

mod cpf;
mod cuit;
mod curp;
mod email;
mod length_ids;
mod nit;
mod passport;
mod phone;
mod rfc;
mod rut;

pub use cpf::cpf_check_digits;
pub use cuit::cuit_check_digit;
pub use curp::curp_check_digit;
pub use email::email;
pub use nit::nit_check_digit;
pub(crate) use phone::phone_national;
pub use phone::{phone, phone_digits, phone_prefix, phone_prefix_for};
pub use rut::rut_check_digit;

/// Why a field's value is not acceptable. The SPA turns these into localised messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    Required,
    Email,
    /// The phone number contains something other than digits and separators.
    PhoneDigits,
    /// Wrong number of national digits for the country.
    PhoneLength {
        min: u8,
        max: u8,
    },
    PhonePrefix,
    DocumentFormat,
    DocumentCheckDigit,
    DocumentTypeNotAllowed,
    TooLong,
    Invalid,
    /// A bidi override, a zero-width or another invisible formatting character
    /// ([`has_hidden_characters`]).
    HiddenCharacters,
}

impl FieldError {
    /// A stable name, e.g. for message catalogues and test assertions.
    pub fn as_str(&self) -> &'static str {
        match self {
            FieldError::Required => "required",
            FieldError::Email => "email",
            FieldError::PhoneDigits => "phoneDigits",
            FieldError::PhoneLength { .. } => "phoneLength",
            FieldError::PhonePrefix => "phonePrefix",
            FieldError::DocumentFormat => "documentFormat",
            FieldError::DocumentCheckDigit => "documentCheckDigit",
            FieldError::DocumentTypeNotAllowed => "documentTypeNotAllowed",
            FieldError::TooLong => "tooLong",
            FieldError::Invalid => "invalid",
            FieldError::HiddenCharacters => "hiddenCharacters",
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for FieldError {}

/// Whether `text` holds a character that shows nothing or reorders what is shown: Unicode's
/// format characters (category Cf: bidi embeddings, overrides, isolates and marks, zero-width
/// space, word joiner, BOM, soft hyphen, invisible operators, tags, …) and the line and paragraph
/// separators. A payer's value goes to Conomy and the merchant's dashboard as typed, where
/// `Ana\u{202E}…` reads backwards and `Ro\u{200B}jas` is another name that looks the same.
/// Zero-width (non-)joiners stay: Persian, Arabic and Indic names are written with them.
pub fn has_hidden_characters(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32,
            0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
            | 0x200B | 0x200E..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
            | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
    })
}

/// Maps ISO 3166-1 alpha-2 codes of the supported countries to alpha-3, so either works.
pub(crate) fn to_alpha3(country: &str) -> String {
    let code = country.trim().to_ascii_uppercase();
    let mapped = match code.as_str() {
        "CL" => "CHL",
        "MX" => "MEX",
        "CO" => "COL",
        "AR" => "ARG",
        "PE" => "PER",
        "BR" => "BRA",
        "BO" => "BOL",
        "US" => "USA",
        _ => return code,
    };
    mapped.to_string()
}

/// Document types offered in a country (§6), `PASSPORT` always last. Accepts alpha-3 (or the
/// alpha-2 of a supported country); any other country gets only `PASSPORT`.
pub fn document_types(country_alpha3: &str) -> &'static [&'static str] {
    match to_alpha3(country_alpha3).as_str() {
        "CHL" => &["RUT", "PASSPORT"],
        "MEX" => &["CURP", "RFC", "PASSPORT"],
        "COL" => &["CC", "CE", "NIT", "PASSPORT"],
        "ARG" => &["DNI", "CUIL", "CUIT", "PASSPORT"],
        "PER" => &["DNI", "CE", "RUC", "PASSPORT"],
        "BRA" => &["CPF", "PASSPORT"],
        _ => &["PASSPORT"],
    }
}

/// The §6 code of a document type, resolving the Colombian aliases `CED_CIU` (= CC) and
/// `CED_EXT` (= CE); `None` for a type this build does not know.
pub fn canonical_document_type(doc_type: &str) -> Option<&'static str> {
    const KNOWN: &[&str] = &[
        "RUT", "CURP", "RFC", "CC", "CE", "NIT", "DNI", "CUIL", "CUIT", "RUC", "CPF", "PASSPORT",
    ];
    let upper = doc_type.trim().to_ascii_uppercase();
    match upper.as_str() {
        "CED_CIU" => Some("CC"),
        "CED_EXT" => Some("CE"),
        other => KNOWN.iter().copied().find(|k| *k == other),
    }
}

/// Removes the separators people type (`.`, `-`, spaces) and upper-cases the rest. `None` if
/// anything other than ASCII letters, digits and those separators is present.
pub(crate) fn compact(number: &str) -> Option<String> {
    let mut out = String::with_capacity(number.len());
    for c in number.trim().chars() {
        match c {
            '.' | '-' | ' ' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    Some(out)
}

/// Checks a document number for its type, independent of country (so `DNI` accepts the
/// Argentine 7–8 digits; see [`document_in`] for the Peruvian 8).
pub fn document(doc_type: &str, number: &str) -> Result<(), FieldError> {
    if number.trim().is_empty() {
        return Err(FieldError::Required);
    }
    let kind = canonical_document_type(doc_type).ok_or(FieldError::DocumentTypeNotAllowed)?;
    match kind {
        "RUT" => rut::validate(number),
        "CPF" => cpf::validate(number),
        "CURP" => curp::validate(number),
        "RFC" => rfc::validate(number),
        "CUIT" | "CUIL" => cuit::validate(number),
        "NIT" => nit::validate(number),
        "DNI" => length_ids::digits(number, 7, 8),
        "CC" => length_ids::digits(number, 6, 10),
        "RUC" => length_ids::digits(number, 11, 11),
        "CE" => length_ids::alphanumeric(number, 6, 12),
        _ => passport::validate(number),
    }
}

/// Checks that `doc_type` is offered in `country` and that the number is valid there (Peru's
/// DNI has exactly 8 digits).
pub fn document_in(country: &str, doc_type: &str, number: &str) -> Result<(), FieldError> {
    let kind = canonical_document_type(doc_type).ok_or(FieldError::DocumentTypeNotAllowed)?;
    if !document_types(country).contains(&kind) {
        return Err(FieldError::DocumentTypeNotAllowed);
    }
    if number.trim().is_empty() {
        return Err(FieldError::Required);
    }
    if kind == "DNI" && to_alpha3(country) == "PER" {
        return length_ids::digits(number, 8, 8);
    }
    document(kind, number)
}

/// The number as rails expect it: separators removed and letters upper-cased
/// (`12.345.678-5` → `123456785`). NIT keeps `body-DV`, since its check digit is only
/// recognisable after the dash.
pub fn normalize_document(doc_type: &str, number: &str) -> String {
    let trimmed = number.trim();
    if canonical_document_type(doc_type) == Some("NIT") {
        if let Some((body, dv)) = trimmed.rsplit_once('-') {
            let body: String = body.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
            return format!("{}-{}", body, dv.trim());
        }
    }
    trimmed
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | ' '))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The digits of `text` as numbers, or `None` if any character is not an ASCII digit.
pub(crate) fn digit_values(text: &str) -> Option<Vec<u32>> {
    text.chars()
        .map(|c| if c.is_ascii_digit() { c.to_digit(10) } else { None })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_types_per_country_end_with_passport() {
        assert_eq!(document_types("CHL"), &["RUT", "PASSPORT"]);
        assert_eq!(document_types("MEX"), &["CURP", "RFC", "PASSPORT"]);
        assert_eq!(document_types("COL"), &["CC", "CE", "NIT", "PASSPORT"]);
        assert_eq!(document_types("ARG"), &["DNI", "CUIL", "CUIT", "PASSPORT"]);
        assert_eq!(document_types("PER"), &["DNI", "CE", "RUC", "PASSPORT"]);
        assert_eq!(document_types("BRA"), &["CPF", "PASSPORT"]);
        assert_eq!(document_types("br"), &["CPF", "PASSPORT"]);
        assert_eq!(document_types("USA"), &["PASSPORT"]);
        assert_eq!(document_types(""), &["PASSPORT"]);
    }

    #[test]
    fn document_dispatches_by_type_with_aliases() {
        assert_eq!(document("RUT", "12.345.678-5"), Ok(()));
        assert_eq!(document("rut", "12.345.678-4"), Err(FieldError::DocumentCheckDigit));
        assert_eq!(document("CED_CIU", "1020304050"), Ok(()));
        assert_eq!(document("CC", "12345"), Err(FieldError::DocumentFormat));
        assert_eq!(document("CED_EXT", "AB12345"), Ok(()));
        assert_eq!(document("CE", "AB1"), Err(FieldError::DocumentFormat));
        assert_eq!(document("DNI", "1234567"), Ok(()));
        assert_eq!(document("DNI", "12.345.678"), Ok(()));
        assert_eq!(document("DNI", "123456"), Err(FieldError::DocumentFormat));
        assert_eq!(document("RUC", "20100070970"), Ok(()));
        assert_eq!(document("RUC", "2010007097"), Err(FieldError::DocumentFormat));
        assert_eq!(document("CUIL", "20-12345678-6"), Ok(()));
        assert_eq!(document("VOTER_ID", "123456"), Err(FieldError::DocumentTypeNotAllowed));
        assert_eq!(document("CPF", "  "), Err(FieldError::Required));
    }

    #[test]
    fn document_in_applies_country_rules() {
        assert_eq!(document_in("ARG", "DNI", "1234567"), Ok(()));
        assert_eq!(document_in("PER", "DNI", "1234567"), Err(FieldError::DocumentFormat));
        assert_eq!(document_in("PER", "DNI", "12345678"), Ok(()));
        assert_eq!(
            document_in("CHL", "CPF", "529.982.247-25"),
            Err(FieldError::DocumentTypeNotAllowed)
        );
        assert_eq!(document_in("BRA", "CPF", "529.982.247-25"), Ok(()));
        assert_eq!(document_in("COL", "CED_CIU", "1020304050"), Ok(()));
        assert_eq!(document_in("USA", "PASSPORT", "X1234567"), Ok(()));
        assert_eq!(
            document_in("USA", "RUT", "12.345.678-5"),
            Err(FieldError::DocumentTypeNotAllowed)
        );
    }

    #[test]
    fn normalize_strips_separators() {
        assert_eq!(normalize_document("RUT", " 12.345.678-k "), "12345678K");
        assert_eq!(normalize_document("CPF", "529.982.247-25"), "52998224725");
        assert_eq!(normalize_document("CUIT", "20-12345678-6"), "20123456786");
        assert_eq!(normalize_document("NIT", "900.123.456-8"), "900123456-8");
        assert_eq!(normalize_document("PASSPORT", "ab 123-456"), "AB123456");
        // The normalised number still validates.
        for (kind, number) in [
            ("RUT", "12.345.678-5"),
            ("NIT", "900.123.456-8"),
            ("CPF", "529.982.247-25"),
        ] {
            assert_eq!(document(kind, &normalize_document(kind, number)), Ok(()), "{kind}");
        }
    }
}
