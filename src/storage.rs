//! Tab-scoped memory in `sessionStorage`: which session a link token opened, the payer's typed
//! values and choice, and the payment being waited on. Storage can be disabled or full (private
//! modes, quotas): every call degrades to "nothing remembered" instead of failing.

use checkout_core::fields::FormValues;
use serde::{Deserialize, Serialize};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// `conomy.session.<token>` → the checkout session id this tab opened for the link.
pub fn session_id(token: &str) -> Option<String> {
    get(&format!("conomy.session.{token}")).filter(|id| checkout_core::model::is_valid_id(id))
}

pub fn set_session_id(token: &str, id: &str) {
    set(&format!("conomy.session.{token}"), id);
}

pub fn forget_session_id(token: &str) {
    remove(&format!("conomy.session.{token}"));
}

/// What the payer typed and chose, as saved under `conomy.form.<token>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedForm {
    #[serde(default)]
    pub values: FormValues,
    /// Index of the chosen payment config in `session.paymentConfigs`.
    #[serde(default)]
    pub config: Option<usize>,
    /// Index of the chosen method in that config's `paymentMethods`.
    #[serde(default)]
    pub method: Option<usize>,
}

pub fn form(token: &str) -> SavedForm {
    get(&format!("conomy.form.{token}"))
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn set_form(token: &str, form: &SavedForm) {
    if let Ok(text) = serde_json::to_string(form) {
        set(&format!("conomy.form.{token}"), &text);
    }
}

/// Forgets the typed values (after a confirmed payment: no personal data lingers in the tab).
pub fn forget_form(token: &str) {
    remove(&format!("conomy.form.{token}"));
}

/// `conomy.waiting.<token>` → id of the payment this tab submitted and is waiting on.
pub fn waiting_payment(token: &str) -> Option<String> {
    get(&format!("conomy.waiting.{token}"))
}

pub fn set_waiting_payment(token: &str, payment_id: &str) {
    set(&format!("conomy.waiting.{token}"), payment_id);
}

pub fn forget_waiting_payment(token: &str) {
    remove(&format!("conomy.waiting.{token}"));
}
