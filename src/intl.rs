//! Money and number display through the browser's `Intl.NumberFormat`. Amounts go in as exact
//! decimal STRINGS (never `f64`): current engines format a numeric string exactly, so
//! `"123456789012345.67"` keeps every digit. If `Intl` throws (old engine, unknown currency),
//! the pure-Rust `checkout_core::money::format_fallback` answers instead.
//!
//! Constructing an `Intl.NumberFormat` costs far more than formatting with one (it loads the
//! locale's data): a first checkout page shows a dozen amounts, so formatters are kept per
//! locale, currency, digits and display for the life of the page.
//!
//! Which currency display and `Intl` locale an amount gets is decided for the whole page by
//! `checkout_core::money::amount_style` from the currencies it shows: a page with pesos and
//! dollars writes every amount with its code. Components write amounts through [`Amounts`], the
//! context the checkout page provides, which reads the locale and those currencies reactively.

use std::cell::RefCell;

use checkout_core::i18n::Locale;
use checkout_core::money::{self, CurrencyDisplay};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::locale::I18n;

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
    /// Formatters built so far, by `locale|currency|digits|display` (`None`: the engine refused).
    /// A cache, not state: what it answers depends only on its key.
    static FORMATTERS: RefCell<Vec<(String, Option<NumberFormat>)>> = const { RefCell::new(Vec::new()) };
}

/// How the page writes amounts: in its locale, naming currencies as the set of currencies it
/// shows requires (`checkout_core::options::shown_currencies`). Both are read tracked, so an
/// amount drawn through it follows a language switch and a renewed session.
#[derive(Clone, Copy)]
pub struct Amounts {
    i18n: I18n,
    shown: Signal<Vec<String>>,
}

impl Amounts {
    /// `amount` of `currency` in the current locale.
    pub fn format(&self, amount: &str, currency: &str) -> String {
        self.format_in(amount, currency, self.i18n.get())
    }

    /// `amount` of `currency` in `locale` (for a view that already read the locale).
    pub fn format_in(&self, amount: &str, currency: &str, locale: Locale) -> String {
        self.shown.with(|shown| format_money(amount, currency, locale, shown))
    }
}

/// Provides the [`Amounts`] context for the currencies the page shows.
pub fn provide_amounts(shown: Signal<Vec<String>>) -> Amounts {
    let amounts = Amounts {
        i18n: crate::locale::use_i18n(),
        shown,
    };
    provide_context(amounts);
    amounts
}

/// The page's [`Amounts`] (the checkout page provides it).
pub fn use_amounts() -> Amounts {
    expect_context::<Amounts>()
}

/// The formatter for `locale` with `digits` fraction digits, as a currency when `currency` is
/// given: built once, then reused.
fn formatter(locale: &str, currency: Option<&str>, digits: u32, display: CurrencyDisplay) -> Option<NumberFormat> {
    let key = format!("{locale}|{}|{digits}|{}", currency.unwrap_or(""), display.as_str());
    if let Some(known) = FORMATTERS.with_borrow(|list| list.iter().find(|(k, _)| *k == key).map(|(_, f)| f.clone())) {
        return known;
    }
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| js_sys::Reflect::set(&options, &key.into(), &value).is_ok();
    let mut ok = set("minimumFractionDigits", digits.into()) && set("maximumFractionDigits", digits.into());
    if let Some(currency) = currency {
        ok = ok
            && set("style", "currency".into())
            && set("currency", currency.into())
            && set("currencyDisplay", display.as_str().into());
    }
    let built = if ok {
        NumberFormat::new(locale, &options).ok()
    } else {
        None
    };
    FORMATTERS.with_borrow_mut(|list| list.push((key, built.clone())));
    built
}

/// `("1234.5", "MXN", es)` on an MXN page → `"$1,234.50"` (or whatever the browser's locale
/// data says), `("136.88", "USD", es)` on a COP page offering USD → `"USD 136,88"`; CLP and COP
/// without decimals, tokens (USDC/USDT) as `"12.500000 USDC"`. `shown`: the currencies the page
/// shows amounts in, its own first.
pub fn format_money(amount: &str, currency: &str, locale: Locale, shown: &[String]) -> String {
    let style = {
        let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
        money::amount_style(locale.tag(), &shown, currency)
    };
    let fallback = || {
        money::format_fallback_in(amount, currency, style.locale, style.display)
            .unwrap_or_else(|_| format!("{amount} {currency}"))
    };
    let Ok(exact) = money::normalize(amount, currency) else {
        return fallback();
    };
    let token = money::is_token(currency);
    let intl_currency = (!token).then_some(currency);
    let Some(formatter) = formatter(style.locale, intl_currency, money::minor_units(currency), style.display) else {
        return fallback();
    };
    match formatter.format(&exact) {
        Ok(text) if token => format!("{text} {currency}"),
        Ok(text) => text,
        Err(_) => fallback(),
    }
}

/// An RFC 3339 instant as the payer's own clock shows it (their timezone), date and time in
/// their language: `24 abr 2025, 09:05`. The text as sent when it can't be read.
pub fn format_instant(rfc3339: &str, locale: Locale) -> String {
    let Some(ms) = checkout_core::time::parse_rfc3339_ms(rfc3339) else {
        return rfc3339.to_string();
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_string(locale.tag(), &options))
}

/// A plain decimal (an exchange rate) with the locale's separators and exactly its own digits.
pub fn format_decimal(text: &str, locale: Locale) -> String {
    let text = text.trim();
    let Ok(value) = checkout_core::decimal::Decimal::parse(text) else {
        return text.to_string();
    };
    let canonical = value.to_string();
    let digits = value.scale().min(20);
    formatter(locale.tag(), None, digits, CurrencyDisplay::Symbol)
        .and_then(|f| f.format(&canonical).ok())
        .unwrap_or(canonical)
}
