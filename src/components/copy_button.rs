//! "Copy" next to a code: the async Clipboard API, and where it is missing or refused
//! (insecure context, permissions) the code's text is selected so the payer can copy it.

use checkout_core::i18n::Key;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::locale::use_i18n;

#[derive(Clone, Copy, PartialEq)]
enum Copy {
    Idle,
    Done,
    Selected,
}

#[component]
pub fn CopyButton(
    /// The exact text to copy.
    text: String,
    /// `id` of the element showing the text (selected as the fallback).
    target_id: String,
    /// What is copied, for the button's accessible name ("Copy CLABE").
    what: Key,
) -> impl IntoView {
    let i18n = use_i18n();
    let (state, set_state) = signal(Copy::Idle);
    let on_click = move |_| {
        let text = text.clone();
        let target_id = target_id.clone();
        leptos::task::spawn_local(async move {
            let copied = match clipboard() {
                Some(clipboard) => wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
                    .await
                    .is_ok(),
                None => false,
            };
            if copied {
                set_state.set(Copy::Done);
            } else {
                select_text(&target_id);
                set_state.set(Copy::Selected);
            }
        });
    };
    view! {
        <span class="copy">
            <button
                type="button"
                class="button small"
                data-testid="copy-button"
                aria-label=move || i18n.fill(Key::CopyWhat, &[("what", i18n.t(what))])
                on:click=on_click
            >
                {move || if state.get() == Copy::Done { i18n.t(Key::Copied) } else { i18n.t(Key::CopyButton) }}
            </button>
            <span class="copy-status" role="status">
                {move || match state.get() {
                    Copy::Idle => "",
                    Copy::Done => i18n.t(Key::Copied),
                    Copy::Selected => i18n.t(Key::CopyFailed),
                }}
            </span>
        </span>
    }
}

/// `navigator.clipboard`, absent outside secure contexts (web-sys assumes it exists).
fn clipboard() -> Option<web_sys::Clipboard> {
    let navigator = window().navigator();
    js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
        .map(|v| v.unchecked_into())
}

fn select_text(target_id: &str) {
    let Some(element) = document().get_element_by_id(target_id) else {
        return;
    };
    if let Ok(Some(selection)) = window().get_selection() {
        let _ = selection.select_all_children(&element);
    }
}
