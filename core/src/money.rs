//! Money as decimal strings: each currency's minor units, exact normalisation and sums, and a
//! pure-Rust display used natively and when the browser's `Intl.NumberFormat` is unavailable.

use crate::decimal::Decimal;

/// Decimals a currency is shown and charged with. Follows ISO 4217 except where the contract
/// pins otherwise (COP is charged without decimals); tokens carry 6.
pub fn minor_units(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "CLP", "COP", "PYG", "JPY", "KRW", "VND", "ISK", "UGX", "RWF", "XAF", "XOF", "XPF", "BIF",
        "DJF", "GNF", "KMF", "VUV",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    let code = currency.trim().to_ascii_uppercase();
    if is_token(&code) {
        6
    } else if ZERO.contains(&code.as_str()) {
        0
    } else if THREE.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

/// Stablecoins the checkout accepts. They are not ISO 4217 codes, so `Intl` cannot format them
/// as currencies; they are shown as `"12.500000 USDC"`.
pub fn is_token(currency: &str) -> bool {
    let code = currency.trim();
    code.eq_ignore_ascii_case("USDC") || code.eq_ignore_ascii_case("USDT")
}

/// The amount is not a decimal string (or does not fit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    Invalid,
}

impl std::fmt::Display for MoneyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid amount")
    }
}

impl std::error::Error for MoneyError {}

fn parse(amount: &str) -> Result<Decimal, MoneyError> {
    Decimal::parse(amount).map_err(|_| MoneyError::Invalid)
}

/// The exact amount rounded (half away from zero) or padded to the currency's minor units:
/// `("1234.5","MXN")` → `"1234.50"`, `("1000.4","CLP")` → `"1000"`.
pub fn normalize(amount: &str, currency: &str) -> Result<String, MoneyError> {
    let value = parse(amount)?.rescale(minor_units(currency)).ok_or(MoneyError::Invalid)?;
    Ok(value.to_string())
}

/// Separators and symbol placement of a locale family.
struct Style {
    group: char,
    decimal: char,
    /// Space between symbol and number (`"$ 1.000"` in es/pt, `"$1,000"` in en).
    spaced: bool,
}

fn style(locale: &str) -> Style {
    let lang = locale.trim().to_ascii_lowercase();
    if lang.starts_with("en") {
        Style { group: ',', decimal: '.', spaced: false }
    } else {
        // es, pt and anything unknown: the checkout's payers are in Latin America.
        Style { group: '.', decimal: ',', spaced: true }
    }
}

/// A short symbol for the currencies the checkout handles; the ISO code otherwise, so a payer
/// never mistakes one currency for another. `$` alone is used only where it is the local
/// currency for the locale's readers (USD reads `US$` outside English).
fn symbol(currency: &str, english: bool) -> String {
    let code = currency.trim().to_ascii_uppercase();
    match code.as_str() {
        "USD" if english => "$".into(),
        "USD" => "US$".into(),
        "CLP" | "MXN" | "COP" | "ARS" if !english => "$".into(),
        "BRL" => "R$".into(),
        "PEN" => "S/".into(),
        "BOB" => "Bs".into(),
        "EUR" => "€".into(),
        _ => code,
    }
}

/// Groups the integer digits by thousands with `sep`.
fn group_digits(digits: &str, sep: char) -> String {
    // Digits are ASCII, so byte offsets are char offsets. The leading group has 1–3 digits.
    let head = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        n => n,
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    out.push_str(&digits[..head]);
    for group in digits.as_bytes()[head..].chunks(3) {
        out.push(sep);
        out.extend(group.iter().map(|b| char::from(*b)));
    }
    out
}

/// Displays an amount for `locale` without `Intl`: es `"$ 1.234.567"`, pt-BR `"R$ 1.234,50"`,
/// en `"$1,234.50"`, tokens `"12,500000 USDC"` (es) / `"12.500000 USDC"` (en). Every digit is
/// kept; the amount is first normalised to the currency's minor units.
pub fn format_fallback(amount: &str, currency: &str, locale: &str) -> Result<String, MoneyError> {
    let canonical = normalize(amount, currency)?;
    let style = style(locale);
    let (negative, unsigned) = match canonical.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, canonical.as_str()),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut number = group_digits(int_part, style.group);
    if !frac_part.is_empty() {
        number.push(style.decimal);
        number.push_str(frac_part);
    }
    let sign = if negative { "-" } else { "" };
    if is_token(currency) {
        return Ok(format!("{sign}{number} {}", currency.trim().to_ascii_uppercase()));
    }
    let symbol = symbol(currency, !style.spaced);
    // A bare ISO code always needs a space to stay readable ("MXN 10.00").
    let is_code = symbol.chars().all(|c| c.is_ascii_uppercase());
    let gap = if style.spaced || is_code { " " } else { "" };
    Ok(format!("{sign}{symbol}{gap}{number}"))
}

/// The exact sum of decimal strings, in canonical form at the largest scale among them
/// (`["1.5","2.25"]` → `"3.75"`; no amounts → `"0"`).
pub fn sum(amounts: &[&str]) -> Result<String, MoneyError> {
    let mut total = Decimal::zero();
    for amount in amounts {
        total = total.checked_add(&parse(amount)?).ok_or(MoneyError::Invalid)?;
    }
    Ok(total.to_string())
}

/// The `Intl` locale to format `currency` in for a payer reading `language` ("es", "pt-BR",
/// "en"). A bare "es" formats MXN as "1910,26 MXN" and leaves 4-digit amounts ungrouped, which
/// no Mexican or Chilean payer would write; the currency's own country gives the amount the
/// shape its payers know ("$1,910.26" in es-MX, "$1.000" in es-CL) in the chosen language.
pub fn intl_locale(language: &str, currency: &str) -> &'static str {
    let base = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match (base.as_str(), currency.trim().to_ascii_uppercase().as_str()) {
        ("pt", _) => "pt-BR",
        ("en", _) => "en-US",
        (_, "MXN") => "es-MX",
        (_, "CLP") => "es-CL",
        (_, "COP") => "es-CO",
        (_, "ARS") => "es-AR",
        (_, "PEN") => "es-PE",
        (_, "BOB") => "es-BO",
        (_, "USD") => "es-US",
        _ => "es",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_the_contract() {
        assert_eq!(minor_units("CLP"), 0);
        assert_eq!(minor_units("COP"), 0);
        assert_eq!(minor_units("PYG"), 0);
        assert_eq!(minor_units("JPY"), 0);
        assert_eq!(minor_units("usdc"), 6);
        assert_eq!(minor_units("USDT"), 6);
        assert_eq!(minor_units("MXN"), 2);
        assert_eq!(minor_units("BRL"), 2);
        assert_eq!(minor_units("KWD"), 3);
        assert_eq!(minor_units("???"), 2);
        assert!(is_token("USDC") && is_token("usdt") && !is_token("USD"));
    }

    #[test]
    fn normalize_rounds_or_pads_exactly() {
        assert_eq!(normalize("1234.5", "MXN").unwrap(), "1234.50");
        assert_eq!(normalize("1000.4", "CLP").unwrap(), "1000");
        assert_eq!(normalize("1000.5", "CLP").unwrap(), "1001");
        assert_eq!(normalize("-0.005", "USD").unwrap(), "-0.01");
        assert_eq!(normalize("12.5", "USDC").unwrap(), "12.500000");
        assert_eq!(normalize("123456789012345.67", "MXN").unwrap(), "123456789012345.67");
        assert_eq!(normalize("999999999999999999999999999999", "USDC").unwrap(), "999999999999999999999999999999.000000");
        for bad in ["", "abc", "1,5", "1e3", " 12", "NaN", "-", "12.", "1 000"] {
            assert_eq!(normalize(bad, "MXN"), Err(MoneyError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn format_fallback_groups_per_locale_and_keeps_every_digit() {
        assert_eq!(format_fallback("1234567", "CLP", "es-CL").unwrap(), "$ 1.234.567");
        assert_eq!(format_fallback("1234.5", "BRL", "pt-BR").unwrap(), "R$ 1.234,50");
        assert_eq!(format_fallback("1234.5", "USD", "en").unwrap(), "$1,234.50");
        assert_eq!(format_fallback("1234.5", "USD", "es").unwrap(), "US$ 1.234,50");
        assert_eq!(format_fallback("123456789012345.67", "MXN", "es-MX").unwrap(), "$ 123.456.789.012.345,67");
        assert_eq!(format_fallback("123456789012345.67", "MXN", "en-US").unwrap(), "MXN 123,456,789,012,345.67");
        assert_eq!(format_fallback("12.5", "USDC", "en").unwrap(), "12.500000 USDC");
        assert_eq!(format_fallback("1234.5", "USDT", "es").unwrap(), "1.234,500000 USDT");
        assert_eq!(format_fallback("-1500.4", "COP", "es-CO").unwrap(), "-$ 1.500");
        assert_eq!(format_fallback("0", "PEN", "es-PE").unwrap(), "S/ 0,00");
        assert_eq!(format_fallback("999", "CLP", "es").unwrap(), "$ 999");
        assert_eq!(format_fallback("5", "GBP", "en").unwrap(), "GBP 5.00");
        assert_eq!(format_fallback("1.2.3", "CLP", "es"), Err(MoneyError::Invalid));
        assert_eq!(format_fallback("", "CLP", "es"), Err(MoneyError::Invalid));
    }

    #[test]
    fn sums_are_exact() {
        assert_eq!(sum(&["0.1", "0.2"]).unwrap(), "0.3");
        assert_eq!(sum(&["1.5", "2.25", "-1"]).unwrap(), "2.75");
        assert_eq!(sum(&[]).unwrap(), "0");
        assert_eq!(sum(&["123456789012345.67", "0.33"]).unwrap(), "123456789012346.00");
        assert_eq!(sum(&["1", "x"]), Err(MoneyError::Invalid));
    }

    #[test]
    fn intl_locale_follows_the_currency_country_in_spanish_only() {
        assert_eq!(intl_locale("es", "MXN"), "es-MX");
        assert_eq!(intl_locale("es-CL", "CLP"), "es-CL");
        assert_eq!(intl_locale("es", "BRL"), "es");
        assert_eq!(intl_locale("pt-BR", "MXN"), "pt-BR");
        assert_eq!(intl_locale("en", "COP"), "en-US");
    }
}
