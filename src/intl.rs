//! Money and number display through the browser's `Intl.NumberFormat`. Amounts go in as exact
//! decimal STRINGS (never `f64`): current engines format a numeric string exactly, so
//! `"123456789012345.67"` keeps every digit. If `Intl` throws (old engine, unknown currency),
//! the pure-Rust `checkout_core::money::format_fallback` answers instead.

use checkout_core::i18n::Locale;
use checkout_core::money;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &JsValue) -> Result<NumberFormat, JsValue>;

    /// Takes the decimal string as-is (Intl.NumberFormat v3 "exact decimal" input).
    #[wasm_bindgen(method, catch)]
    fn format(this: &NumberFormat, value: &str) -> Result<String, JsValue>;
}

/// `("1234.5", "MXN", es)` → `"$1,234.50"` (or whatever the browser's locale data says);
/// CLP and COP without decimals, tokens (USDC/USDT) as `"12.500000 USDC"`.
pub fn format_money(amount: &str, currency: &str, locale: Locale) -> String {
    let fallback = || {
        money::format_fallback(amount, currency, locale.tag())
            .unwrap_or_else(|_| format!("{amount} {currency}"))
    };
    let Ok(exact) = money::normalize(amount, currency) else { return fallback() };
    let digits = money::minor_units(currency);
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| js_sys::Reflect::set(&options, &key.into(), &value).is_ok();
    let mut ok = set("minimumFractionDigits", digits.into()) && set("maximumFractionDigits", digits.into());
    let token = money::is_token(currency);
    if !token {
        ok = ok && set("style", "currency".into()) && set("currency", currency.into());
    }
    if !ok {
        return fallback();
    }
    match NumberFormat::new(money::intl_locale(locale.tag(), currency), &options).and_then(|f| f.format(&exact)) {
        Ok(text) if token => format!("{text} {currency}"),
        Ok(text) => text,
        Err(_) => fallback(),
    }
}

/// A plain decimal (an exchange rate) with the locale's separators and exactly its own digits.
pub fn format_decimal(text: &str, locale: Locale) -> String {
    let text = text.trim();
    let Ok(value) = checkout_core::decimal::Decimal::parse(text) else { return text.to_string() };
    let canonical = value.to_string();
    let digits = value.scale().min(20);
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"minimumFractionDigits".into(), &digits.into());
    let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &digits.into());
    NumberFormat::new(locale.tag(), &options)
        .and_then(|f| f.format(&canonical))
        .unwrap_or(canonical)
}
