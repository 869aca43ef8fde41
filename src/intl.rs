//! Money and number display through the browser's `Intl.NumberFormat`. Amounts go in as exact
//! decimal STRINGS (never `f64`): current engines format a numeric string exactly, so
//! `"123456789012345.67"` keeps every digit. If `Intl` throws (old engine, unknown currency),
//! the pure-Rust `checkout_core::money::format_fallback` answers instead.
//!
//! Constructing an `Intl.NumberFormat` costs far more than formatting with one (it loads the
//! locale's data): a first checkout page shows a dozen amounts, so formatters are kept per
//! locale, currency and digits for the life of the page.

use std::cell::RefCell;

use checkout_core::i18n::Locale;
use checkout_core::money;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    #[derive(Clone)]
    type NumberFormat;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &JsValue) -> Result<NumberFormat, JsValue>;

    /// Takes the decimal string as-is (Intl.NumberFormat v3 "exact decimal" input).
    #[wasm_bindgen(method, catch)]
    fn format(this: &NumberFormat, value: &str) -> Result<String, JsValue>;
}

thread_local! {
    /// Formatters built so far, by `locale|currency|digits` (`None`: the engine refused).
    static FORMATTERS: RefCell<Vec<(String, Option<NumberFormat>)>> = const { RefCell::new(Vec::new()) };
}

/// The formatter for `locale` with `digits` fraction digits, as a currency when `currency` is
/// given: built once, then reused.
fn formatter(locale: &str, currency: Option<&str>, digits: u32) -> Option<NumberFormat> {
    let key = format!("{locale}|{}|{digits}", currency.unwrap_or(""));
    if let Some(known) = FORMATTERS.with_borrow(|list| list.iter().find(|(k, _)| *k == key).map(|(_, f)| f.clone())) {
        return known;
    }
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| js_sys::Reflect::set(&options, &key.into(), &value).is_ok();
    let mut ok = set("minimumFractionDigits", digits.into()) && set("maximumFractionDigits", digits.into());
    if let Some(currency) = currency {
        ok = ok && set("style", "currency".into()) && set("currency", currency.into());
    }
    let built = if ok { NumberFormat::new(locale, &options).ok() } else { None };
    FORMATTERS.with_borrow_mut(|list| list.push((key, built.clone())));
    built
}

/// `("1234.5", "MXN", es)` → `"$1,234.50"` (or whatever the browser's locale data says);
/// CLP and COP without decimals, tokens (USDC/USDT) as `"12.500000 USDC"`.
pub fn format_money(amount: &str, currency: &str, locale: Locale) -> String {
    let fallback = || {
        money::format_fallback(amount, currency, locale.tag())
            .unwrap_or_else(|_| format!("{amount} {currency}"))
    };
    let Ok(exact) = money::normalize(amount, currency) else { return fallback() };
    let token = money::is_token(currency);
    let intl_currency = (!token).then_some(currency);
    let Some(formatter) = formatter(money::intl_locale(locale.tag(), currency), intl_currency, money::minor_units(currency))
    else {
        return fallback();
    };
    match formatter.format(&exact) {
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
    formatter(locale.tag(), None, digits)
        .and_then(|f| f.format(&canonical).ok())
        .unwrap_or(canonical)
}
