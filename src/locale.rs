//! The reactive locale: chosen once from `?locale=` and `navigator.languages`, switchable at
//! any time without losing state, reflected in `<html lang>`. Text itself lives in
//! `checkout_core::i18n`; this module only makes it follow the current locale.

use checkout_core::i18n::{self, negotiate, Key, Locale};
use leptos::prelude::*;

/// The locale context every component reads its text through.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    /// The text of `key` in the current locale (tracked: views re-render on a switch).
    pub fn t(&self, key: Key) -> &'static str {
        i18n::t(self.locale.get(), key)
    }

    /// A template with its `{placeholders}` filled.
    pub fn fill(&self, key: Key, args: &[(&str, &str)]) -> String {
        i18n::fill(self.t(key), args)
    }

    /// The current locale (tracked).
    pub fn get(&self) -> Locale {
        self.locale.get()
    }
}

/// Creates the locale context: `<html lang>`, the title and the crash screen follow it.
pub fn provide_i18n(initial: Locale) -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial),
    };
    provide_context(i18n);
    Effect::new(move |_| {
        let locale = i18n.locale.get();
        crate::panic_screen::set_locale(locale);
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.tag());
        }
        document().set_title(&format!("{} · Conomy", i18n::t(locale, Key::AppTitle)));
    });
    i18n
}

/// The locale context (the app shell provides it; tests mount components inside a provider).
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// `?locale=` of the page URL, else the browser's languages, else Spanish.
pub fn initial_locale() -> Locale {
    let browser: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    negotiate(crate::location::page().locale.map(Locale::tag), &browser)
}

/// The visible language switch. Changing it only flips the signal, so nothing typed is lost;
/// the URL's `?locale=` follows so a reload keeps the choice.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev: leptos::ev::Event| {
        let tag = event_target_value(&ev);
        if let Some(locale) = Locale::from_tag(&tag) {
            i18n.locale.set(locale);
            remember_in_url(locale);
        }
    };
    view! {
        <div class="language-switch">
            <label for="language">{move || i18n.t(Key::LanguageLabel)}</label>
            <select id="language" name="language" data-testid="language-switch" on:change=on_change>
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        view! {
                            <option value=locale.tag() lang=locale.tag() selected=move || i18n.get() == locale>
                                {locale.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

fn remember_in_url(locale: Locale) {
    crate::location::replace_param("locale", Some(locale.tag()));
}
