//! Tab-scoped memory in `sessionStorage`: which session a link token opened (its handle), the payer's typed
//! values and choice, and the payment being waited on. Storage can be disabled or full (private
//! modes, quotas): every call degrades to "nothing remembered" instead of failing.

use checkout_core::fields::FormValues;
use checkout_core::handle::SessionHandle;
use checkout_core::wire::json::{Json, Object};

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

/// `conomy.session.<token>` → the handle (capability) of the checkout session this tab opened
/// for the link. Something else there (an id stored by an older build, a tampered value) reads
/// as nothing remembered.
pub fn session_handle(token: &str) -> Option<SessionHandle> {
    get(&format!("conomy.session.{token}")).and_then(|text| SessionHandle::parse(&text))
}

pub fn set_session_handle(token: &str, handle: &SessionHandle) {
    set(&format!("conomy.session.{token}"), handle.as_str());
}

pub fn forget_session(token: &str) {
    remove(&format!("conomy.session.{token}"));
}

/// What the payer typed and chose, as saved under `conomy.form.<token>`:
/// `{"values": {"<field id>": "<text>", ..}, "config": 0, "method": 1}` (indices may be null).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedForm {
    pub values: FormValues,
    /// Index of the chosen payment config in `session.paymentConfigs`.
    pub config: Option<usize>,
    /// Index of the chosen method in that config's `paymentMethods`.
    pub method: Option<usize>,
}

impl SavedForm {
    fn to_json(&self) -> Json {
        let values: Object = self
            .values
            .iter()
            .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
            .collect();
        let mut form = Object::new();
        form.insert("values", values);
        form.insert("config", self.config.map(|i| i as u64));
        form.insert("method", self.method.map(|i| i as u64));
        Json::Object(form)
    }

    /// `None` when the text is not a saved form (another version's, or tampered with).
    fn from_json(value: &Json) -> Option<SavedForm> {
        let form = value.as_object()?;
        let values = match form.get("values") {
            None => FormValues::new(),
            Some(values) => values
                .as_object()?
                .iter()
                .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect::<Option<FormValues>>()?,
        };
        let index = |key: &str| match form.get(key) {
            None | Some(Json::Null) => Some(None),
            Some(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()).map(Some),
        };
        Some(SavedForm {
            values,
            config: index("config")?,
            method: index("method")?,
        })
    }
}

pub fn form(token: &str) -> SavedForm {
    get(&format!("conomy.form.{token}"))
        .and_then(|text| Json::parse(&text).ok())
        .and_then(|value| SavedForm::from_json(&value))
        .unwrap_or_default()
}

pub fn set_form(token: &str, form: &SavedForm) {
    set(&format!("conomy.form.{token}"), &form.to_json().to_string());
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
