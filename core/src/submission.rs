//! The payment request body (§4): [`payment_body`] builds it from the payer form's values, and
//! [`submitted_values`], its inverse on a rail node, reads back only the values the contract
//! names, so the gateway can rebuild every payment it forwards.

use crate::fields::{document_type_of, fields_for, rail_country, value_of, FieldKey, FormValues};
use crate::model::{CheckoutSession, PaymentConfig, PaymentMethod};
use crate::validate;
use crate::wire::json::{Json, Object};

/// Sets `value` at a dot path inside `object`, replacing non-objects on the way.
fn set_path(object: &mut Object, path: &str, value: Json) {
    match path.split_once('.') {
        None => {
            object.insert(path, value);
        }
        Some((head, rest)) => {
            let child = object.get_or_insert_with(head, || Json::Object(Object::new()));
            if !matches!(child, Json::Object(_)) {
                *child = Json::Object(Object::new());
            }
            if let Json::Object(inner) = child {
                set_path(inner, rest, value);
            }
        }
    }
}

/// `<base>?return=<outcome>` (or `&return=` when the base already has a query).
fn return_url(base: &str, outcome: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}return={outcome}")
}

/// Longest payment `description` sent (the first item's description, which a merchant may make long).
pub const MAX_DESCRIPTION_CHARS: usize = 255;

/// The inverse of [`payment_body`] on a rail node: the values of exactly the fields this
/// session and method ask for, read where `payment_body` puts them. Anything else in the node
/// (unknown keys, fields the method does not need, a `successUrl`, non-string values, values
/// longer than the field allows) is left behind. The gateway rebuilds every payment it
/// forwards from these values, so a browser can send Conomy nothing the contract does not name.
pub fn submitted_values(session: &CheckoutSession, method: &PaymentMethod, node: &Object) -> FormValues {
    let customer = node.get("customer").and_then(Json::as_object);
    let address = customer.and_then(|c| c.get("address")).and_then(Json::as_object);
    let mut values = FormValues::new();
    for spec in fields_for(session, method) {
        let id = spec.key.id();
        let raw = match &spec.key {
            FieldKey::BankId => node.get("bankId"),
            FieldKey::Other(path) => get_path(node, path),
            key if key.is_address() => address.and_then(|a| a.get(id.trim_start_matches("address."))),
            _ => customer.and_then(|c| c.get(&id)),
        };
        let Some(text) = raw.and_then(Json::as_str).map(str::trim) else {
            continue;
        };
        if text.is_empty() || text.chars().count() > spec.key.max_len() || text.chars().any(char::is_control) {
            continue;
        }
        values.insert(id, text.to_string());
    }
    values
}

/// The value at a dot path inside `object`.
fn get_path<'a>(object: &'a Object, path: &str) -> Option<&'a Json> {
    match path.split_once('.') {
        None => object.get(path),
        Some((head, rest)) => get_path(object.get(head)?.as_object()?, rest),
    }
}

/// The pinned §4 body: `{"description", "origins": [{"type", "currency", "amount",
/// "<nodeKey>": {"customer": {..}, "bankId"?, ..other paths.., "successUrl", "failedUrl"}}]}`.
/// Only the fields this session and method ask for are sent (values kept from another method
/// stay local), trimmed, with phone digits and document numbers normalised.
pub fn payment_body(
    session: &CheckoutSession,
    config: &PaymentConfig,
    method: &PaymentMethod,
    values: &FormValues,
    return_base: &str,
) -> Json {
    let country = rail_country(&method.rail, &session.currency);
    let mut node = Object::new();
    let mut customer = Object::new();
    let mut address = Object::new();
    for spec in fields_for(session, method) {
        let value = value_of(values, &spec.key);
        if value.is_empty() {
            continue;
        }
        let id = spec.key.id();
        match &spec.key {
            FieldKey::PhoneNumberPrefix => {
                customer.insert(id, format!("+{}", value.trim_start_matches('+')));
            }
            FieldKey::PhoneNumber => {
                let digits = validate::phone_digits(value).unwrap_or_else(|| value.to_string());
                customer.insert(id, digits);
            }
            FieldKey::DocumentType => {
                customer.insert(id, value.to_ascii_uppercase());
            }
            FieldKey::DocumentNumber => {
                let kind = document_type_of(values, country);
                customer.insert(id, validate::normalize_document(&kind, value));
                // The rail needs the type with the number; default it (PIX: CPF) if unset.
                customer.get_or_insert_with("documentType", || Json::from(kind));
            }
            FieldKey::AddressCountry => {
                address.insert("country", value.to_ascii_uppercase());
            }
            key if key.is_address() => {
                address.insert(id.trim_start_matches("address."), value);
            }
            FieldKey::BankId => {
                node.insert(id, value);
            }
            FieldKey::Other(path) => set_path(&mut node, path, Json::from(value)),
            _ => {
                customer.insert(id, value);
            }
        }
    }
    if !address.is_empty() {
        customer.insert("address", address);
    }
    if !customer.is_empty() {
        match node.get_mut("customer") {
            Some(Json::Object(existing)) => existing.extend(customer),
            _ => {
                node.insert("customer", customer);
            }
        }
    }
    // Inserted last so no collected path can override where the provider sends the payer.
    node.insert("successUrl", return_url(return_base, "success"));
    node.insert("failedUrl", return_url(return_base, "failed"));

    let description = session
        .items
        .first()
        .map(|item| item.description.trim())
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(MAX_DESCRIPTION_CHARS).collect())
        .unwrap_or_else(|| format!("Checkout {}", session.id));
    let mut origin = Object::new();
    origin.insert("type", method.rail.as_str());
    origin.insert("currency", config.currency.as_str());
    if !method.purchase_amount.trim().is_empty() {
        origin.insert("amount", method.purchase_amount.trim());
    }
    origin.insert(method.rail.node_key(), node);
    let mut body = Object::new();
    body.insert("description", description);
    body.insert("origins", vec![Json::Object(origin)]);
    Json::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::prefill;
    use crate::test_support::{method, session, session_with, values};
    use serde_json::json;

    #[test]
    fn payment_body_is_the_pinned_shape() {
        let s = session();
        let config = &s.payment_configs[0];
        let pse = &config.payment_methods[0];
        let mut v = prefill(s.customer.as_ref());
        for (k, val) in [
            ("lastName", " Pérez "),
            ("phoneNumber", "300-123-4567"),
            ("documentType", "NIT"),
            ("documentNumber", "900.123.456-8"),
            ("bankId", "1007"),
            ("address.zipcode", "110111"),
        ] {
            v.insert(k.into(), val.into());
        }
        let body = payment_body(&s, config, pse, &v, "https://checkout.example/tok_abc");
        // The same document, seen through serde_json (key order aside).
        let body = serde_json::to_value(&body).unwrap();
        assert_eq!(
            body,
            json!({
                "description": "Plan anual",
                "origins": [{
                    "type": "PSE", "currency": "COP", "amount": "119000",
                    "pse": {
                        "bankId": "1007",
                        "customer": {
                            "firstName": "Ana", "lastName": "Pérez", "email": "ana@example.co",
                            "phoneNumberPrefix": "+57", "phoneNumber": "3001234567",
                            "documentType": "NIT", "documentNumber": "900123456-8"
                        },
                        "successUrl": "https://checkout.example/tok_abc?return=success",
                        "failedUrl": "https://checkout.example/tok_abc?return=failed"
                    }
                }]
            })
        );
    }

    #[test]
    fn payment_body_defaults_and_other_paths() {
        let s = session_with(json!({"items": [], "customerRequirements": []}));
        let config = &s.payment_configs[0];
        let pix = method(
            "PIX",
            &[
                "pix.customer.documentNumber",
                "pix.customer.nickname",
                "pix.meta.ref",
                "pix.successUrl",
            ],
        );
        let v = values(&[
            ("documentNumber", "529.982.247-25"),
            ("customer.nickname", "Aninha"),
            ("meta.ref", "A1"),
            ("successUrl", "https://evil.example"),
            ("firstName", "not asked for"),
        ]);
        let body = serde_json::to_value(payment_body(&s, config, &pix, &v, "http://127.0.0.1:8080/tok?x=1")).unwrap();
        assert_eq!(body["description"], "Checkout cs_123");
        let node = &body["origins"][0]["pix"];
        assert_eq!(
            node["customer"],
            json!({"documentType": "CPF", "documentNumber": "52998224725", "nickname": "Aninha"})
        );
        assert_eq!(node["meta"], json!({"ref": "A1"}));
        assert_eq!(node["successUrl"], "http://127.0.0.1:8080/tok?x=1&return=success");
        assert_eq!(node["failedUrl"], "http://127.0.0.1:8080/tok?x=1&return=failed");
        assert!(node["customer"].get("firstName").is_none());
    }

    fn node_of(body: &Json, rail: &str) -> Object {
        let origin = body
            .get("origins")
            .and_then(Json::as_array)
            .and_then(|o| o.first())
            .cloned()
            .unwrap();
        origin.get(rail).and_then(Json::as_object).cloned().unwrap()
    }

    #[test]
    fn submitted_values_rebuild_the_same_body_and_nothing_else() {
        let s = session_with(json!({"customerRequirements": ["firstName", "email", "address"]}));
        let config = &s.payment_configs[0];
        let pse = &config.payment_methods[0];
        let mut v = prefill(s.customer.as_ref());
        for (k, val) in [
            ("lastName", "Pérez"),
            ("phoneNumber", "3001234567"),
            ("documentType", "CC"),
            ("documentNumber", "1020304050"),
            ("bankId", "1007"),
            ("address.streetNumber", "5-20"),
            ("address.administrativeAreaLevel1", "Bogotá"),
        ] {
            v.insert(k.into(), val.into());
        }
        let sent = payment_body(&s, config, pse, &v, "https://evil.example/x");
        // What a hostile browser adds to the node it sends.
        let mut node = node_of(&sent, "pse");
        node.insert("amount", "1");
        node.insert("successUrl", "https://evil.example/steal");
        node.insert("unknown", Json::Object(Object::new()));
        if let Some(Json::Object(customer)) = node.get_mut("customer") {
            customer.insert("nickname", "not asked for");
            customer.insert("email", Json::Bool(true));
        }
        let values = submitted_values(&s, pse, &node);
        assert!(!values.contains_key("customer.nickname") && !values.contains_key("successUrl"));
        assert!(!values.contains_key("email"), "a non-string value is left behind");
        let mut expected = v.clone();
        expected.remove("email");
        expected.retain(|k, _| fields_for(&s, pse).iter().any(|spec| spec.key.id() == *k));
        assert_eq!(values, expected);
        // Rebuilt by the gateway with its own return base, the body is the SPA's, field for field.
        let rebuilt = payment_body(&s, config, pse, &values, "https://checkout.example/tok_abc?session=c");
        let mut original = v.clone();
        original.remove("email");
        let from_spa = payment_body(&s, config, pse, &original, "https://checkout.example/tok_abc?session=c");
        assert_eq!(rebuilt, from_spa);
        // Over-long values never leave.
        let mut long = node_of(&sent, "pse");
        if let Some(Json::Object(customer)) = long.get_mut("customer") {
            customer.insert("firstName", "A".repeat(81));
        }
        assert!(!submitted_values(&s, pse, &long).contains_key("firstName"));
    }

    #[test]
    fn descriptions_are_bounded() {
        let s =
            session_with(json!({"items": [{"description": "é".repeat(400), "preTaxAmount": "1", "totalAmount": "1"}]}));
        let config = &s.payment_configs[0];
        let body = payment_body(
            &s,
            config,
            &config.payment_methods[0],
            &FormValues::new(),
            "https://c.example/t",
        );
        assert_eq!(
            body.get("description")
                .and_then(Json::as_str)
                .map(|d| d.chars().count()),
            Some(MAX_DESCRIPTION_CHARS)
        );
    }
}
