//! What of a Conomy answer reaches the browser: an allow-list, not a block-list. Each shape
//! names exactly the fields the SPA reads (`core/src/wire/decode.rs`), minus the merchant's secrets;
//! everything else, including whatever field Conomy adds tomorrow, stays on the server.
//!
//! Never sent: `accountNumber`, `accountHolder`, `identityId`, `identityExternalId`, the owner's
//! `documentNumber`, `fees`, a payment's `destinations`, and anything the payer typed into a
//! payment (the page keeps that itself). A session's `customer` (the merchant's prefill) goes
//! only with a payable session, whose reader holds its capability.

use checkout_core::model::{Rail, RailKind};
use serde_json::{Map, Value};

/// The shape of a value the browser may see.
enum Shape {
    /// A string, number, boolean or null; an object or array here is dropped.
    Scalar,
    /// An array of scalars.
    Scalars,
    /// An object with exactly these members (each optional).
    Object(&'static [(&'static str, Shape)]),
    /// An array of objects of this shape.
    List(&'static [(&'static str, Shape)]),
}

use Shape::{List, Object, Scalar, Scalars};

const TAX: &[(&str, Shape)] = &[
    ("name", Scalar),
    ("type", Scalar),
    ("value", Scalar),
    ("amount", Scalar),
];
const ITEM: &[(&str, Shape)] = &[
    ("description", Scalar),
    ("preTaxAmount", Scalar),
    ("totalAmount", Scalar),
    ("tax", Object(TAX)),
];
const METHOD: &[(&str, Shape)] = &[
    ("id", Scalar),
    ("type", Scalar),
    ("enabled", Scalar),
    ("requiredFields", Scalars),
    ("purchaseAmount", Scalar),
];
const CONFIG: &[(&str, Shape)] = &[
    ("currency", Scalar),
    ("product", Scalar),
    ("exchangeRate", Scalar),
    ("paymentMethods", List(METHOD)),
];
const ADDRESS: &[(&str, Shape)] = &[
    ("administrativeAreaLevel1", Scalar),
    ("administrativeAreaLevel2", Scalar),
    ("administrativeAreaLevel3", Scalar),
    ("street", Scalar),
    ("streetNumber", Scalar),
    ("optionalAddress", Scalar),
    ("country", Scalar),
    ("zipcode", Scalar),
];
/// The merchant's prefill; its `id` is Conomy's, not the payer's business.
const CUSTOMER: &[(&str, Shape)] = &[
    ("firstName", Scalar),
    ("lastName", Scalar),
    ("email", Scalar),
    ("phoneNumber", Scalar),
    ("phoneNumberPrefix", Scalar),
    ("documentType", Scalar),
    ("documentNumber", Scalar),
    ("address", Object(ADDRESS)),
];
const DESTINATION_METADATA: &[(&str, Shape)] = &[("image", Scalar), ("description", Scalar), ("category", Scalar)];
const DESTINATION: &[(&str, Shape)] = &[
    ("name", Scalar),
    ("type", Scalar),
    ("amount", Scalar),
    ("metadata", Object(DESTINATION_METADATA)),
    ("account", Object(&[("type", Scalar), ("currency", Scalar)])),
];
const OWNER: &[(&str, Shape)] = &[
    ("name", Scalar),
    ("lastname", Scalar),
    ("nickname", Scalar),
    ("entityType", Scalar),
];
/// A session as Conomy sends it. `successUrl`, `failedUrl` and `theme` are the gateway's own
/// additions (`public_api::link_cache`), so an upstream value for them is not taken.
const SESSION: &[(&str, Shape)] = &[
    ("id", Scalar),
    ("paymentLinkId", Scalar),
    ("checkoutToken", Scalar),
    ("status", Scalar),
    ("createdAt", Scalar),
    ("expiresAt", Scalar),
    ("currency", Scalar),
    ("preTaxAmount", Scalar),
    ("totalAmount", Scalar),
    ("items", List(ITEM)),
    ("paymentConfigs", List(CONFIG)),
    ("paymentMethodsAllowed", Scalars),
    ("customer", Object(CUSTOMER)),
    ("customerRequirements", Scalars),
    ("destinations", List(DESTINATION)),
    ("owner", Object(OWNER)),
    ("url", Scalar),
    ("redirectUrl", Scalar),
];
const PAYMENT: &[(&str, Shape)] = &[
    ("id", Scalar),
    ("status", Scalar),
    ("type", Scalar),
    ("totalAmount", Scalar),
    ("currency", Scalar),
    ("createdAt", Scalar),
];
const PAGINATION: &[(&str, Shape)] = &[
    ("count", Scalar),
    ("next", Scalar),
    ("previous", Scalar),
    ("total", Scalar),
];
const BANK: &[(&str, Shape)] = &[("code", Scalar), ("name", Scalar), ("countryCode", Scalar)];

/// The next-action fields of a rail node, by rail kind (`checkout_core::next_action::next_action`).
fn action_fields(kind: RailKind) -> &'static [&'static str] {
    match kind {
        RailKind::Redirect => &["url", "expiresAt"],
        RailKind::Qr => &["qrCode", "data", "expiredAt", "expiresAt"],
        RailKind::Transfer => &["clabe", "code", "cvu", "bankId", "bank", "bankName"],
        RailKind::ApproveInApp => &[],
    }
}

fn keep(value: &Value, shape: &Shape) -> Option<Value> {
    match (shape, value) {
        (Scalar, Value::Object(_) | Value::Array(_)) => None,
        (Scalar, scalar) => Some(scalar.clone()),
        (Scalars, Value::Array(items)) => Some(Value::Array(
            items
                .iter()
                .filter(|v| !v.is_object() && !v.is_array())
                .cloned()
                .collect(),
        )),
        (Object(fields), Value::Object(object)) => Some(Value::Object(members(object, fields))),
        (Object(_), Value::Null) => Some(Value::Null),
        (List(fields), Value::Array(items)) => Some(Value::Array(
            items
                .iter()
                .filter_map(Value::as_object)
                .map(|o| Value::Object(members(o, fields)))
                .collect(),
        )),
        _ => None,
    }
}

fn members(object: &Map<String, Value>, fields: &[(&str, Shape)]) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|(name, shape)| Some(((*name).to_string(), keep(object.get(*name)?, shape)?)))
        .collect()
}

/// Whether a session status lets the payer pay (and so needs the form and its prefill).
pub fn is_payable(session: &Value) -> bool {
    matches!(
        session.get("status").and_then(Value::as_str),
        Some("ATTEMPT" | "ACTIVE")
    )
}

/// A session for the browser. `customer` only while it is payable.
pub fn session(value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return Value::Null;
    };
    let mut kept = members(object, SESSION);
    if !is_payable(value) {
        kept.remove("customer");
    }
    Value::Object(kept)
}

/// A payment for the browser: its identity, status and amounts, and per origin only the rail
/// node's next-action fields.
pub fn payment(value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return Value::Null;
    };
    let mut kept = members(object, PAYMENT);
    if let Some(origins) = object.get("origins").and_then(Value::as_array) {
        let origins = origins.iter().filter_map(Value::as_object).map(origin).collect();
        kept.insert("origins".into(), Value::Array(origins));
    }
    Value::Object(kept)
}

fn origin(object: &Map<String, Value>) -> Value {
    let mut kept = members(object, &[("type", Scalar), ("currency", Scalar), ("amount", Scalar)]);
    if let Some(rail) = object.get("type").and_then(Value::as_str).map(Rail::from) {
        let key = rail.node_key();
        if let Some(node) = object.get(&key).and_then(Value::as_object) {
            let fields: Vec<(&str, Shape)> = action_fields(rail.kind()).iter().map(|f| (*f, Scalar)).collect();
            kept.insert(key, Value::Object(members(node, &fields)));
        }
    }
    Value::Object(kept)
}

/// A page of payments.
pub fn payments(value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return Value::Null;
    };
    let mut kept = members(object, &[("pagination", Object(PAGINATION))]);
    let results = object
        .get("results")
        .and_then(Value::as_array)
        .map(|r| r.iter().map(payment).collect());
    kept.insert("results".into(), Value::Array(results.unwrap_or_default()));
    Value::Object(kept)
}

/// A bank list.
pub fn banks(value: &Value) -> Value {
    keep(value, &List(BANK)).unwrap_or(Value::Array(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sessions_keep_only_what_the_page_reads() {
        let upstream = json!({
            "id": "cs_1", "status": "ACTIVE", "currency": "CLP", "totalAmount": "100",
            "futureField": {"secret": 1},
            "successUrl": "https://upstream-says.example", "theme": {"accentColor": "#000"}, "capability": "forged",
            "items": [{"description": "x", "preTaxAmount": "1", "totalAmount": "1", "sku": "internal",
                       "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19", "amount": "1", "code": "x"}}],
            "destinations": [{"name": "Shop", "type": "ACCOUNT", "amount": "100", "externalId": "ext",
                "account": {"type": "CHECKING", "currency": "CLP", "accountNumber": "123", "accountHolder": "Shop SpA"}}],
            "owner": {"name": "Shop", "nickname": "shop", "documentNumber": "76.1-K", "identityId": "idn",
                      "identityExternalId": "ext-idn"},
            "customer": {"id": "c1", "firstName": "Ana", "address": {"street": "Calle 1", "geo": [1, 2]}},
            "paymentMethodsAllowed": ["ETPAY", {"x": 1}],
        });
        assert_eq!(
            session(&upstream),
            json!({
                "id": "cs_1", "status": "ACTIVE", "currency": "CLP", "totalAmount": "100",
                "items": [{"description": "x", "preTaxAmount": "1", "totalAmount": "1",
                           "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19", "amount": "1"}}],
                "destinations": [{"name": "Shop", "type": "ACCOUNT", "amount": "100",
                                  "account": {"type": "CHECKING", "currency": "CLP"}}],
                "owner": {"name": "Shop", "nickname": "shop"},
                "customer": {"firstName": "Ana", "address": {"street": "Calle 1"}},
                "paymentMethodsAllowed": ["ETPAY"],
            })
        );
        // Paid or expired: no prefill, whoever asks.
        let paid = session(&json!({"id": "cs_1", "status": "FINISHED", "customer": {"email": "ana@example.com"}}));
        assert_eq!(paid, json!({"id": "cs_1", "status": "FINISHED"}));
        assert_eq!(session(&json!([1])), Value::Null);
    }

    #[test]
    fn payments_keep_only_the_next_action() {
        let upstream = json!({
            "id": "pay_1", "status": "CREATED", "type": "PURCHASE", "totalAmount": "10", "currency": "BRL",
            "createdAt": "t", "identityId": "idn", "identityExternalId": "ext", "accountNumber": "123",
            "fees": [{"amount": "1"}], "destinations": [{"account": {"accountNumber": "123"}}],
            "origins": [{"type": "PIX", "currency": "BRL", "amount": "10",
                "pix": {"qrCode": "000201", "data": "000201", "expiredAt": "t", "url": "https://evil.example",
                        "customer": {"email": "ana@example.com", "documentNumber": "52998224725"},
                        "successUrl": "https://checkout.example/t?session=cap"}}],
        });
        assert_eq!(
            payment(&upstream),
            json!({"id": "pay_1", "status": "CREATED", "type": "PURCHASE", "totalAmount": "10", "currency": "BRL",
                   "createdAt": "t", "origins": [{"type": "PIX", "currency": "BRL", "amount": "10",
                   "pix": {"qrCode": "000201", "data": "000201", "expiredAt": "t"}}]})
        );
        let redirect = payment(&json!({"id": "p", "status": "CREATED", "origins": [
            {"type": "ETPAY", "etpay": {"url": "https://pay.example", "expiresAt": "t", "customer": {"firstName": "Ana"}}},
            {"type": "NEQUI", "nequi": {"customer": {"phoneNumber": "300"}}}, "odd"]}));
        assert_eq!(
            redirect["origins"],
            json!([
                {"type": "ETPAY", "etpay": {"url": "https://pay.example", "expiresAt": "t"}},
                {"type": "NEQUI", "nequi": {}}
            ])
        );
        let page = payments(&json!({"pagination": {"count": 1, "cursor": "x"}, "results": [upstream], "extra": 1}));
        assert_eq!(page["pagination"], json!({"count": 1}));
        assert_eq!(
            page["results"][0]["origins"][0]["pix"],
            json!({"qrCode": "000201", "data": "000201", "expiredAt": "t"})
        );
        assert_eq!(page.as_object().map(|o| o.len()), Some(2));
    }

    #[test]
    fn banks_keep_code_name_and_country() {
        assert_eq!(
            banks(&json!([{"code": "1", "name": "A", "countryCode": "COL", "internal": 1}, 7])),
            json!([{"code": "1", "name": "A", "countryCode": "COL"}])
        );
        assert_eq!(banks(&json!({"x": 1})), json!([]));
    }
}
