//! The page URL's query parameters: read one, replace or remove one without adding a history
//! entry. Every failure (no window, an unparsable URL) reads as "absent" and changes nothing.

use wasm_bindgen::JsValue;

fn current_url() -> Option<web_sys::Url> {
    let href = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new(&href).ok()
}

/// `?name=` of the page URL.
pub fn param(name: &str) -> Option<String> {
    current_url()?.search_params().get(name)
}

/// Sets (`Some`) or removes (`None`) `?name=` in the address bar, replacing the history entry.
pub fn replace_param(name: &str, value: Option<&str>) {
    let Some(url) = current_url() else { return };
    match value {
        Some(value) => url.search_params().set(name, value),
        None => url.search_params().delete(name),
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
    }
}

/// Reads `?name=` and removes it from the address bar (hints that must not survive into
/// bookmarks, shared links or reloads).
pub fn take_param(name: &str) -> Option<String> {
    let value = param(name)?;
    replace_param(name, None);
    Some(value)
}
