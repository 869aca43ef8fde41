//! Branding and colour scheme on `<html>`: the embed options (`?theme=light|dark`,
//! `?accent=%23rrggbb`, as `crate::location` parsed them) over the link's `theme`, over the
//! system's preference. Values are validated by `checkout_core::theme` and written as a class
//! and CSS custom properties through the CSSOM, which the CSP's `style-src 'self'` allows
//! (unlike inline `style=` attributes).

use checkout_core::model::LinkTheme;
use checkout_core::theme::{palette, parse_accent, Mode};
use wasm_bindgen::JsCast;

const MODE_CLASSES: [&str; 2] = ["theme-light", "theme-dark"];
const BRAND_PROPERTIES: [&str; 4] = ["--brand", "--brand-text", "--brand-ink-light", "--brand-ink-dark"];

/// Applies the page URL's options over `link` (the session's theme, when there is one).
/// Anything invalid is ignored: the page falls back to the default palette and system mode.
pub fn apply(link: Option<&LinkTheme>) {
    let page = crate::location::page();
    let accent = page
        .accent
        .or_else(|| link.and_then(|l| l.accent_color.as_deref()).and_then(parse_accent));
    let mode = page
        .theme
        .or_else(|| link.and_then(|l| l.mode.as_deref()).and_then(Mode::parse));
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    paint_browser_chrome(mode);
    let classes = root.class_list();
    for class in MODE_CLASSES {
        let _ = classes.remove_1(class);
    }
    if let Some(mode) = mode {
        let _ = classes.add_1(match mode {
            Mode::Light => MODE_CLASSES[0],
            Mode::Dark => MODE_CLASSES[1],
        });
    }
    let style = root.style();
    match accent.map(palette) {
        Some(p) => {
            let values = [p.fill, p.on_fill, p.ink_light, p.ink_dark];
            for (name, color) in BRAND_PROPERTIES.iter().zip(values) {
                let _ = style.set_property(name, &color.hex());
            }
        }
        None => {
            for name in BRAND_PROPERTIES {
                let _ = style.remove_property(name);
            }
        }
    }
}

/// `<meta name="theme-color">` (one per system scheme, see index.html): a forced mode paints
/// both with its own background, so the browser's bar matches the page; otherwise each takes
/// the background of the scheme it is for.
fn paint_browser_chrome(forced: Option<Mode>) {
    let Some(metas) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("meta[name=theme-color]").ok())
    else {
        return;
    };
    for i in 0..metas.length() {
        let Some(meta) = metas.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else {
            continue;
        };
        let scheme = match meta.get_attribute("media") {
            Some(media) if media.contains("dark") => Mode::Dark,
            _ => Mode::Light,
        };
        let _ = meta.set_attribute("content", &forced.unwrap_or(scheme).page_background().hex());
    }
}

/// The presentation options of the page URL (`locale`, `theme`, `accent`) appended to `url`,
/// so a payer who leaves for a provider comes back to the same language and look (the page
/// they come back to validates them again).
pub fn keep_presentation(url: String) -> String {
    let mut out = url;
    for name in ["locale", "theme", "accent"] {
        let Some(value) = crate::location::param(name) else {
            continue;
        };
        let separator = if out.contains('?') { '&' } else { '?' };
        out = format!(
            "{out}{separator}{name}={}",
            String::from(js_sys::encode_uri_component(&value))
        );
    }
    out
}
