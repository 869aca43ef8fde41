//! Embedded in a merchant's page (`?embed=1`, inside a frame): the compact layout, the frame's
//! height and the checkout's events for that page, its `setLocale` command, and leaving the
//! frame for the top window. The only module that uses `postMessage`; what to send and to whom
//! is decided by the pure `checkout_core::embed_protocol`.
//!
//! Messages go only to the page's origin as the embed script claims it (`?parentOrigin=`, read
//! through `crate::location`) AND the browser confirms it (`location.ancestorOrigins`, else
//! `document.referrer`); unconfirmed, nothing is posted. Standalone, every function here is a
//! no-op or the plain behaviour.

use std::cell::RefCell;

use checkout_core::embed_protocol::{accepts_inbound, parse_command, verified_parent_origin, Command, Event, Reporter};
use checkout_core::handle::SessionHandle;
use checkout_core::i18n::Locale;
use checkout_core::model::CheckoutSession;
use checkout_core::receipt::Receipt;
use checkout_core::screen::Screen;
use leptos::prelude::Set;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::api::CheckoutError;
use crate::locale::I18n;

/// Class on `<html>` while embedded (style/embed.css).
const EMBEDDED_CLASS: &str = "embedded";

struct Embed {
    parent: web_sys::Window,
    /// The verified origin of the embedding page; `None`: post nothing.
    origin: Option<String>,
    reporter: Reporter,
    /// Last height sent, so layout noise does not flood the page.
    height: u32,
}

thread_local! {
    static EMBED: RefCell<Option<Embed>> = const { RefCell::new(None) };
}

/// The parent window when this page is someone's frame.
fn framing_parent(window: &web_sys::Window) -> Option<web_sys::Window> {
    let parent = window.parent().ok().flatten()?;
    let me: &JsValue = window.as_ref();
    let them: &JsValue = parent.as_ref();
    (them != me).then_some(parent)
}

/// `location.ancestorOrigins[0]`: `None` where the browser has no such list (Firefox).
fn ancestor_origin(window: &web_sys::Window) -> Option<String> {
    let list = js_sys::Reflect::get(window.location().as_ref(), &"ancestorOrigins".into()).ok()?;
    if list.is_undefined() || list.is_null() {
        return None;
    }
    // Present but empty (not framed after all) must fail verification, not skip it.
    Some(
        js_sys::Reflect::get(&list, &0.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
    )
}

/// Sets up embedding when the page was opened as `?embed=1` inside a frame: layout class,
/// origin check, height reports, the `setLocale` command; then says `ready`.
pub fn init(i18n: I18n) {
    let Some(window) = web_sys::window() else { return };
    let page = crate::location::page();
    if !page.embed {
        return;
    }
    let Some(parent) = framing_parent(&window) else { return };
    let document = window.document();
    if let Some(root) = document.as_ref().and_then(|d| d.document_element()) {
        let _ = root.class_list().add_1(EMBEDDED_CLASS);
    }
    let referrer = document.as_ref().map(|d| d.referrer());
    let origin = verified_parent_origin(
        page.parent_origin.as_deref(),
        ancestor_origin(&window).as_deref(),
        referrer.as_deref(),
    );
    EMBED.with(|e| {
        *e.borrow_mut() = Some(Embed {
            parent,
            origin: origin.clone(),
            reporter: Reporter::default(),
            height: 0,
        })
    });
    if origin.is_none() {
        // Still laid out for a frame and leaving it at the end; just mute.
        return;
    }
    observe_height(document.as_ref());
    listen(&window, i18n);
    post(&Event::Ready {});
}

/// Whether the checkout runs embedded (then links that leave it target the top window).
pub fn is_embedded() -> bool {
    EMBED.with(|e| e.borrow().is_some())
}

/// `target` for links that leave the checkout: the whole tab when embedded.
pub fn link_target() -> Option<&'static str> {
    is_embedded().then_some("_top")
}

/// Posts one event to the verified embedding page (nothing when unverified or standalone).
fn post(event: &Event) {
    EMBED.with(|e| {
        let embed = e.borrow();
        let Some(embed) = embed.as_ref() else { return };
        let Some(origin) = embed.origin.as_deref() else { return };
        if let Ok(message) = js_sys::JSON::parse(&event.message().to_string()) {
            let _ = embed.parent.post_message(&message, origin);
        }
    });
}

/// Reports what the checkout shows now; each status change and outcome is posted once.
pub fn report(session: &CheckoutSession, screen: &Screen, receipt: Option<&Receipt>) {
    let events = EMBED.with(|e| match e.borrow_mut().as_mut() {
        Some(embed) => embed.reporter.observe(session, screen, receipt),
        None => Vec::new(),
    });
    for event in &events {
        post(event);
    }
}

/// The checkout could not open (`notFound`, `inactive`, or why the request failed).
pub fn report_error(kind: &str) {
    post(&Event::Error { kind: kind.to_string() });
}

/// The `error` kind of a failed request: no server text, nothing about the payer.
pub fn error_kind(error: &CheckoutError) -> &'static str {
    match error {
        CheckoutError::Network => "network",
        CheckoutError::Timeout => "timeout",
        CheckoutError::Decode(_) => "decode",
        CheckoutError::Api(_) => "server",
    }
}

/// The redirect countdown ended: go to the merchant's `url` (already safe). Embedded, the
/// frame may not move the top window without a click, so the page's embed script is asked to;
/// with no verified page to ask, the frame tries itself (allowed once the payer clicked in it).
pub fn leave(url: &str) {
    let Some(window) = web_sys::window() else { return };
    if !is_embedded() {
        let _ = window.location().assign(url);
        return;
    }
    let request = EMBED.with(|e| {
        let embed = e.borrow();
        embed
            .as_ref()
            .filter(|e| e.origin.is_some())
            .and_then(|e| e.reporter.navigation())
    });
    match request {
        Some(event) => post(&event),
        None => {
            navigate_top(&window, url);
        }
    }
}

/// Sends the payer to a provider page (already safe). Bank pages refuse to be framed, so an
/// embedded checkout opens it in the top window, right after the payer's click on Pay.
/// `false`: the browser refused; the waiting screen's provider link (`target=_top`) remains.
pub fn open_provider(url: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    if is_embedded() {
        navigate_top(&window, url)
    } else {
        window.location().assign(url).is_ok()
    }
}

fn navigate_top(window: &web_sys::Window, url: &str) -> bool {
    match window.top() {
        Ok(Some(top)) => top.location().set_href(url).is_ok(),
        _ => false,
    }
}

/// Embedded, writes the session's handle into the frame's URL (`?session=`, replacing history,
/// not adding to it), so a reload of the frame alone resumes it: browsers may give a
/// third-party frame no storage at all. Standalone the tab's storage holds it instead.
pub fn remember_session(handle: &SessionHandle) {
    if !is_embedded() || crate::location::page().session.as_ref() == Some(handle) {
        return;
    }
    crate::location::replace_param("session", Some(handle.as_str()));
}
/// Reports the page's height whenever it changes (content, errors, a QR, the width), so the
/// embed script sizes the frame with no inner scrollbar.
fn observe_height(document: Option<&web_sys::Document>) {
    let Some(body) = document.and_then(|d| d.body()) else {
        return;
    };
    let measured = body.clone();
    let callback = Closure::<dyn FnMut()>::new(move || {
        let height = measured
            .get_bounding_client_rect()
            .height()
            .ceil()
            .clamp(0.0, 1_000_000.0) as u32;
        let changed = EMBED.with(|e| match e.borrow_mut().as_mut() {
            Some(embed) if embed.height != height => {
                embed.height = height;
                true
            }
            _ => false,
        });
        if changed {
            post(&Event::Resize { height });
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
        // A deliberate page-lifetime leak: the observer and its callback serve the frame for as
        // long as the page lives, and nothing outlives the page.
        std::mem::forget(observer);
        callback.forget();
    }
}

/// Accepts commands from the embedding page only: its window, its verified origin.
fn listen(window: &web_sys::Window, i18n: I18n) {
    let callback = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let accepted = EMBED.with(|e| {
            let embed = e.borrow();
            let Some(embed) = embed.as_ref() else { return false };
            let from_parent = event.source().is_some_and(|source| {
                let parent: &JsValue = embed.parent.as_ref();
                &JsValue::from(source) == parent
            });
            accepts_inbound(&event.origin(), embed.origin.as_deref(), from_parent)
        });
        if !accepted {
            return;
        }
        let Some(text) = js_sys::JSON::stringify(&event.data()).ok().and_then(|t| t.as_string()) else {
            return;
        };
        let Ok(data) = checkout_core::wire::json::Json::parse(&text) else {
            return;
        };
        match parse_command(&data) {
            Some(Command::SetLocale(tag)) => {
                if let Some(locale) = Locale::from_tag(&tag) {
                    i18n.locale.set(locale);
                }
            }
            None => {}
        }
    });
    let _ = window.add_event_listener_with_callback("message", callback.as_ref().unchecked_ref());
    // A deliberate page-lifetime leak: the page listens to its embedder for as long as it lives.
    callback.forget();
}
