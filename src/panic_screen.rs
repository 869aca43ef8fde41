//! Last-resort error screen: a panic logs to the console and replaces the page with a plain
//! "something went wrong, reload" message built with raw DOM calls (the reactive app may be
//! in a broken state, so nothing here goes through Leptos).

use std::sync::atomic::{AtomicU8, Ordering};

use checkout_core::i18n::{t, Key, Locale};

/// The locale of the panic message; kept in a static because the hook runs outside the app.
static LOCALE: AtomicU8 = AtomicU8::new(0);

/// Remembers the locale the panic screen should speak.
pub fn set_locale(locale: Locale) {
    let index = Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0);
    LOCALE.store(index as u8, Ordering::Relaxed);
}

fn locale() -> Locale {
    Locale::ALL
        .get(LOCALE.load(Ordering::Relaxed) as usize)
        .copied()
        .unwrap_or(Locale::Es)
}

/// Installs the panic hook: console message first, then the visible screen.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show();
    }));
}

fn show() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let locale = locale();
    let build = || -> Result<(), wasm_bindgen::JsValue> {
        body.set_inner_html("");
        let main = document.create_element("main")?;
        main.set_class_name("page panic");
        main.set_attribute("data-testid", "state-crashed")?;
        main.set_attribute("role", "alert")?;
        let message = document.create_element("p")?;
        message.set_text_content(Some(t(locale, Key::PanicMessage)));
        let reload = document.create_element("a")?;
        reload.set_class_name("button");
        // The current address without its #fragment (a fragment-only link would not reload).
        // `rel="external"`: the router's click handler, still on the document, would otherwise
        // swallow the click and "navigate" inside the dead app.
        let here = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let here = here.split('#').next().unwrap_or_default();
        reload.set_attribute("href", here)?;
        reload.set_attribute("rel", "external")?;
        reload.set_text_content(Some(t(locale, Key::ReloadButton)));
        main.append_child(&message)?;
        main.append_child(&reload)?;
        body.append_child(&main)?;
        Ok(())
    };
    let _ = build();
}
