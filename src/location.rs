//! The page URL: read from the address bar once and parsed by `checkout_core::page_url`, kept
//! in step when a parameter is replaced here or the history moves. The only module that reads
//! `location`'s query or rewrites it; every failure (no window, an unparsable URL) reads as
//! "absent" and changes nothing.

use std::cell::RefCell;
use std::rc::Rc;

use checkout_core::handle::SessionHandle;
use checkout_core::page_url::{query_param, PageUrl};
use wasm_bindgen::JsValue;

/// The query as the address bar has it (for [`param`]) and what it asks for.
struct Current {
    search: String,
    page: Rc<PageUrl>,
}

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
}

fn read() -> Current {
    let location = web_sys::window().map(|w| w.location());
    let part = |get: fn(&web_sys::Location) -> Result<String, JsValue>| {
        location.as_ref().and_then(|l| get(l).ok()).unwrap_or_default()
    };
    let search = part(web_sys::Location::search);
    Current {
        page: Rc::new(PageUrl::parse(&part(web_sys::Location::pathname), &search)),
        search,
    }
}

fn with_current<R>(f: impl FnOnce(&Current) -> R) -> R {
    CURRENT.with(|c| f(c.borrow_mut().get_or_insert_with(read)))
}

/// What the page URL asks for (read on first use).
pub fn page() -> Rc<PageUrl> {
    with_current(|c| c.page.clone())
}

/// Reads the address bar again (after a history move, `popstate`, someone else made): whether
/// the page it names changed.
pub fn reread() -> bool {
    let current = read();
    CURRENT.with(|c| {
        let mut stored = c.borrow_mut();
        let moved = stored
            .as_ref()
            .is_none_or(|before| before.page.route != current.page.route);
        *stored = Some(current);
        moved
    })
}

/// `?name=` of the page URL, decoded, as written (unvalidated).
pub fn param(name: &str) -> Option<String> {
    with_current(|c| query_param(&c.search, name))
}

/// Sets (`Some`) or removes (`None`) `?name=` in the address bar, replacing the history entry.
pub fn replace_param(name: &str, value: Option<&str>) {
    let Some(window) = web_sys::window() else { return };
    let Some(url) = window
        .location()
        .href()
        .ok()
        .and_then(|href| web_sys::Url::new(&href).ok())
    else {
        return;
    };
    match value {
        Some(value) => url.search_params().set(name, value),
        None => url.search_params().delete(name),
    }
    let Ok(history) = window.history() else { return };
    if history
        .replace_state_with_url(&JsValue::NULL, "", Some(&url.href()))
        .is_ok()
    {
        reread();
    }
}

/// Reads `?name=` and removes it from the address bar (hints that must not survive into
/// bookmarks, shared links or reloads).
pub fn take_param(name: &str) -> Option<String> {
    let value = param(name)?;
    replace_param(name, None);
    Some(value)
}

/// Whether a provider sent the payer back (`?return=`), removing the hint from the address bar.
pub fn take_return() -> bool {
    take_param("return").is_some()
}

/// `?session=` when it has a handle's shape; the address bar keeps it (a frame's URL is its
/// memory across reloads).
pub fn session() -> Option<SessionHandle> {
    page().session.clone()
}

/// `?session=` when it has a handle's shape, removing it (malformed or not) from the address bar.
pub fn take_session() -> Option<SessionHandle> {
    let session = session();
    take_param("session");
    session
}
