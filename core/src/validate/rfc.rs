//! Mexican RFC: 13 characters for people (4 letters), 12 for companies (3 letters), then the
//! `YYMMDD` date and a 3-character homoclave. Checked by pattern; the generic RFCs
//! (`XAXX010101000`) pass.

use super::FieldError;

pub(super) fn validate(number: &str) -> Result<(), FieldError> {
    let text: Vec<char> = number
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    let letters = match text.len() {
        12 => 3,
        13 => 4,
        _ => return Err(FieldError::DocumentFormat),
    };
    let name_ok = text[..letters]
        .iter()
        .all(|c| c.is_ascii_uppercase() || matches!(c, '&' | 'Ñ'));
    let date: Vec<u8> = text[letters..letters + 6]
        .iter()
        .map(|c| if c.is_ascii() { *c as u8 } else { 0 })
        .collect();
    let homoclave_ok = text[letters + 6..]
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if name_ok && super::curp::plausible_date(&date) && homoclave_ok {
        Ok(())
    } else {
        Err(FieldError::DocumentFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfcs() {
        for ok in [
            "XAXX010101000",
            "GODE561231GR8",
            "ABC680524P76",
            "MAÑO800101AB1",
            "god-e561231-gr8",
            "A&C680524P76",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        for bad in [
            "GODE561331GR8",
            "GODE561200GR8",
            "GODE56123GR8X1",
            "G0DE561231GR8",
            "GODE561231GR",
            "GODE561231GR8X",
            "GODE561231G.8",
        ] {
            assert_eq!(validate(bad), Err(FieldError::DocumentFormat), "{bad}");
        }
    }
}
