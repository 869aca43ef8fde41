//! Session and payment fixtures shared by the unit tests.

use crate::fields::FormValues;
use crate::model::{CheckoutSession, Payment, PaymentMethod};
use serde_json::{json, Value};

/// A COP session with two configs (COP and USD), prefilled customer and a PSE method that
/// needs a bank and documents.
pub fn session_json() -> Value {
    json!({
        "id": "cs_123",
        "checkoutToken": "tok_abc",
        "status": "ACTIVE",
        "createdAt": "2025-04-24T12:00:00Z",
        "expiresAt": "2025-04-24T12:30:00Z",
        "currency": "COP",
        "preTaxAmount": "100000",
        "totalAmount": "119000",
        "items": [{"description": "Plan anual", "preTaxAmount": "100000", "totalAmount": "119000",
                   "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19", "amount": "19000"}}],
        "paymentConfigs": [
            {"currency": "COP", "product": "COP:COP", "exchangeRate": "1", "paymentMethods": [
                {"id": "m_pse", "type": "PSE", "enabled": true, "purchaseAmount": "119000",
                 "requiredFields": ["pse.bankId", "pse.customer.firstName", "pse.customer.lastName",
                                    "pse.customer.documentNumber", "pse.customer.phoneNumber",
                                    "pse.customer.email"]},
                {"id": "m_nequi", "type": "NEQUI", "enabled": false, "purchaseAmount": "119000",
                 "requiredFields": ["nequi.customer.phoneNumber"]},
                {"id": "m_card", "type": "CARD", "enabled": true, "purchaseAmount": "119000"}
            ]},
            {"currency": "USD", "product": "USD:COP", "exchangeRate": "4100.25", "paymentMethods": [
                {"id": "m_ach", "type": "ACH", "enabled": true, "purchaseAmount": "29.03"}
            ]}
        ],
        "paymentMethodsAllowed": ["PSE", "NEQUI", "ACH"],
        "customer": {"firstName": "Ana", "email": "ana@example.co", "phoneNumberPrefix": "+57",
                     "address": {"street": "Calle 10", "country": "COL"}},
        "customerRequirements": ["firstName", "email"],
        "destinations": [{"type": "ACCOUNT", "amount": "119000",
                          "metadata": {"image": "https://cdn.example/logo.png"}}],
        "owner": {"nickname": "Tienda Ana"},
        "url": "https://checkout.example/tok_abc"
    })
}

pub fn session() -> CheckoutSession {
    serde_json::from_value(session_json()).expect("fixture session decodes")
}

/// A session with `changes` merged over the fixture's top-level fields.
pub fn session_with(changes: Value) -> CheckoutSession {
    let mut value = session_json();
    if let (Some(base), Some(extra)) = (value.as_object_mut(), changes.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(value).expect("fixture session decodes")
}

/// A payment on `rail` with `node` as its rail node.
pub fn payment(status: &str, rail: &str, node_key: &str, node: Value, created_at: &str) -> Payment {
    serde_json::from_value(json!({
        "id": format!("pay_{created_at}"),
        "status": status,
        "type": "PURCHASE",
        "totalAmount": "119000",
        "currency": "COP",
        "createdAt": created_at,
        "origins": [{"type": rail, "currency": "COP", node_key: node}]
    }))
    .expect("fixture payment decodes")
}

/// A method on `rail` asking for `required` (dot paths), for 100.
pub fn method(rail: &str, required: &[&str]) -> PaymentMethod {
    serde_json::from_value(json!({"id": "m", "type": rail, "enabled": true,
        "requiredFields": required, "purchaseAmount": "100"}))
    .unwrap()
}

/// Form values from `(id, value)` pairs.
pub fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
