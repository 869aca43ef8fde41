//! Money as decimal strings: each currency's minor units, exact normalisation and sums, and a
//! pure-Rust display used natively and when the browser's `Intl.NumberFormat` is unavailable.

use crate::decimal::Decimal;

/// Decimals a currency is shown and charged with. Follows ISO 4217 except where the contract
/// pins otherwise (COP is charged without decimals); tokens carry 6.
pub fn minor_units(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "CLP", "COP", "PYG", "JPY", "KRW", "VND", "ISK", "UGX", "RWF", "XAF", "XOF", "XPF", "BIF", "DJF", "GNF", "KMF",
        "VUV",
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
    let value = parse(amount)?
        .rescale(minor_units(currency))
        .ok_or(MoneyError::Invalid)?;
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
        Style {
            group: ',',
            decimal: '.',
            spaced: false,
        }
    } else {
        // es, pt and anything unknown: the checkout's payers are in Latin America.
        Style {
            group: '.',
            decimal: ',',
            spaced: true,
        }
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

/// How the amounts of one page name their currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrencyDisplay {
    /// The locale's symbol (`$ 15.990`, `R$ 197,90`): the page shows one currency whose symbol
    /// its reader takes for that currency.
    Symbol,
    /// The ISO code (`COP 547.500`, `USD 136,88`): anything else.
    Code,
}

impl CurrencyDisplay {
    /// `Intl.NumberFormat`'s `currencyDisplay` option.
    pub fn as_str(self) -> &'static str {
        match self {
            CurrencyDisplay::Symbol => "symbol",
            CurrencyDisplay::Code => "code",
        }
    }
}

/// Whether every amount on a page showing amounts in `shown` currencies, read in `language`,
/// must name its currency by code. Several currencies on one page always do: CLP, MXN, COP, ARS
/// and USD all write `$`, and even distinct symbols (`MX$` next to `$`) leave a payer guessing.
/// One currency keeps its symbol, except USD in Spanish: Intl writes it `$`, which a payer of
/// the region reads as pesos.
pub fn currency_display(shown: &[&str], language: &str) -> CurrencyDisplay {
    let mut distinct: Vec<String> = Vec::new();
    for code in shown
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
    {
        if !distinct.contains(&code) {
            distinct.push(code);
        }
    }
    let spanish = language.trim().to_ascii_lowercase().starts_with("es");
    match distinct.as_slice() {
        [] => CurrencyDisplay::Symbol,
        [one] if spanish && one == "USD" => CurrencyDisplay::Code,
        [_] => CurrencyDisplay::Symbol,
        _ => CurrencyDisplay::Code,
    }
}

/// How to write every amount of a page: the `Intl` locale (the page's own currency's, so all
/// its amounts share one set of separators: `COP 547.500` and `USD 136,88`, not `USD 136.88`
/// two lines below) and the currency display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountStyle {
    pub locale: &'static str,
    pub display: CurrencyDisplay,
}

/// The style for an amount in `currency` on a page whose own currency comes first in `shown`
/// (none known: the amount's own currency decides).
pub fn amount_style(language: &str, shown: &[&str], currency: &str) -> AmountStyle {
    let page_currency = shown.first().copied().unwrap_or(currency);
    let display = if shown.is_empty() {
        currency_display(&[currency], language)
    } else {
        currency_display(shown, language)
    };
    AmountStyle {
        locale: intl_locale(language, page_currency),
        display,
    }
}

/// [`format_fallback`] with a currency display: `Code` writes `"USD 1.234,50"` (es) or
/// `"COP 547,500"` (en).
pub fn format_fallback_in(
    amount: &str,
    currency: &str,
    locale: &str,
    display: CurrencyDisplay,
) -> Result<String, MoneyError> {
    if display == CurrencyDisplay::Symbol || is_token(currency) {
        return format_fallback(amount, currency, locale);
    }
    let canonical = normalize(amount, currency)?;
    let style = style(locale);
    let (sign, unsigned) = match canonical.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", canonical.as_str()),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut number = group_digits(int_part, style.group);
    if !frac_part.is_empty() {
        number.push(style.decimal);
        number.push_str(frac_part);
    }
    Ok(format!("{sign}{} {number}", currency.trim().to_ascii_uppercase()))
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
        assert_eq!(
            normalize("999999999999999999999999999999", "USDC").unwrap(),
            "999999999999999999999999999999.000000"
        );
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
        assert_eq!(
            format_fallback("123456789012345.67", "MXN", "es-MX").unwrap(),
            "$ 123.456.789.012.345,67"
        );
        assert_eq!(
            format_fallback("123456789012345.67", "MXN", "en-US").unwrap(),
            "MXN 123,456,789,012,345.67"
        );
        assert_eq!(format_fallback("12.5", "USDC", "en").unwrap(), "12.500000 USDC");
        assert_eq!(format_fallback("1234.5", "USDT", "es").unwrap(), "1.234,500000 USDT");
        assert_eq!(format_fallback("-1500.4", "COP", "es-CO").unwrap(), "-$ 1.500");
        assert_eq!(format_fallback("0", "PEN", "es-PE").unwrap(), "S/ 0,00");
        assert_eq!(format_fallback("999", "CLP", "es").unwrap(), "$ 999");
        assert_eq!(format_fallback("5", "GBP", "en").unwrap(), "GBP 5.00");
        assert_eq!(format_fallback("1.2.3", "CLP", "es"), Err(MoneyError::Invalid));
        assert_eq!(format_fallback("", "CLP", "es"), Err(MoneyError::Invalid));
    }

    /// Every currency the sandbox can put on a page: its demo links (CLP; MXN; COP with a USD
    /// config; BRL; ARS), the other currencies of the region, EUR and a token.
    const SHOWN: [&str; 10] = ["CLP", "MXN", "COP", "ARS", "BRL", "USD", "PEN", "BOB", "EUR", "USDC"];
    const LANGUAGES: [&str; 3] = ["es", "pt-BR", "en"];

    /// What names the currency in a formatted amount: everything but digits, separators and spaces.
    fn marker(text: &str) -> String {
        text.chars()
            .filter(|c| !c.is_ascii_digit() && !matches!(c, '.' | ',' | ' ' | '-' | '\u{a0}'))
            .collect()
    }

    #[test]
    fn every_locale_and_currency_pair_names_each_currency_unambiguously() {
        for language in LANGUAGES {
            for (i, a) in SHOWN.iter().enumerate() {
                for b in &SHOWN[i..] {
                    let shown: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
                    let display = currency_display(&shown, language);
                    let markers: Vec<String> = shown
                        .iter()
                        .map(|c| marker(&format_fallback_in("1234.5", c, language, display).unwrap()))
                        .collect();
                    let case = format!("{language} {shown:?}");
                    if shown.len() == 2 {
                        assert_eq!(display, CurrencyDisplay::Code, "{case}");
                        assert_eq!(markers, shown, "{case}: every amount carries its code");
                    } else if markers[0] == "$" {
                        // A bare `$` only for the reader's own dollar or peso.
                        let own: &[&str] = if language == "en" {
                            &["USD"]
                        } else {
                            &["CLP", "MXN", "COP", "ARS"]
                        };
                        assert!(own.contains(a), "{case}: bare $ for {a}");
                    }
                    assert_eq!(amount_style(language, &shown, b).display, display, "{case}");
                }
            }
        }
    }

    #[test]
    fn the_sandbox_demo_pages_in_each_language() {
        use CurrencyDisplay::{Code, Symbol};
        let rows: [(&str, &[&str], CurrencyDisplay); 18] = [
            ("es", &["CLP"], Symbol),
            ("pt-BR", &["CLP"], Symbol),
            ("en", &["CLP"], Symbol),
            ("es", &["MXN"], Symbol),
            ("pt-BR", &["MXN"], Symbol),
            ("en", &["MXN"], Symbol),
            ("es", &["COP", "USD"], Code),
            ("pt-BR", &["COP", "USD"], Code),
            ("en", &["COP", "USD"], Code),
            ("es", &["BRL"], Symbol),
            ("pt-BR", &["BRL"], Symbol),
            ("en", &["BRL"], Symbol),
            ("es", &["ARS"], Symbol),
            ("pt-BR", &["ARS"], Symbol),
            ("en", &["ARS"], Symbol),
            // A CLP link with a USD option (the "Pay $25.06"), and USD alone.
            ("en", &["CLP", "USD"], Code),
            ("es", &["USD"], Code),
            ("en", &["USD"], Symbol),
        ];
        for (language, shown, display) in rows {
            assert_eq!(currency_display(shown, language), display, "{language} {shown:?}");
        }
        // One page, one set of separators: the page's own currency picks the Intl locale.
        assert_eq!(
            amount_style("es", &["COP", "USD"], "USD"),
            AmountStyle {
                locale: "es-CO",
                display: Code
            }
        );
        assert_eq!(
            amount_style("en", &["COP", "USD"], "COP"),
            AmountStyle {
                locale: "en-US",
                display: Code
            }
        );
        assert_eq!(
            amount_style("es", &[], "CLP"),
            AmountStyle {
                locale: "es-CL",
                display: Symbol
            }
        );
        assert_eq!(
            format_fallback_in("547500", "COP", "es-CO", Code).unwrap(),
            "COP 547.500"
        );
        assert_eq!(
            format_fallback_in("136.875", "USD", "es-CO", Code).unwrap(),
            "USD 136,88"
        );
        assert_eq!(format_fallback_in("25.06", "USD", "en-US", Code).unwrap(), "USD 25.06");
        assert_eq!(format_fallback_in("-5", "USD", "en-US", Code).unwrap(), "-USD 5.00");
        assert_eq!(
            format_fallback_in("12.5", "USDC", "en", Code).unwrap(),
            "12.500000 USDC"
        );
        assert_eq!(format_fallback_in("15990", "CLP", "es-CL", Symbol).unwrap(), "$ 15.990");
        // Case and blanks do not make two currencies of one.
        assert_eq!(currency_display(&["cop", " COP", ""], "es"), Symbol);
        assert_eq!(CurrencyDisplay::Code.as_str(), "code");
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
