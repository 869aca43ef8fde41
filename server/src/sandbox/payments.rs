//! Payment submission on a checkout session (the pinned §4 body), the payment list of a
//! session, and the `payment` view with the rail's next action in `origins[0].<rail>`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use checkout_core::fields::rail_country;
use checkout_core::model::{PaymentStatus, Rail, SessionStatus};
use checkout_core::rails::SandboxAction;
use checkout_core::validate;
use serde_json::{json, Map, Value};

use super::banks::is_known_bank;
use super::clock::rfc3339_ms;
use super::errors::{Answer, Failure};
use super::extract::{json_body, path_id, query_pairs, query_value, BodyBytes, RawPathId, RawQueryPairs};
use super::listing::{select, Filter};
use super::rails;
use super::store::{is_pending, new_id, PaymentRecord, SessionRecord};
use super::Sandbox;

/// Attempts one session may make: declines reopen the session, so without a bound a loop of
/// submit + decline would grow the store without end.
const MAX_PAYMENTS_PER_SESSION: usize = 20;

/// The parts of a submission body we act on.
struct Submission {
    description: Option<String>,
    rail: Rail,
    currency: String,
    /// `origins[0]`, kept to echo the rail node back.
    origin: Map<String, Value>,
}

/// Checks the body's shape (§4): `{description?, origins: [{type, currency, <nodeKey>: {..}}]}`.
fn parse_submission(body: &Value) -> Answer<Submission> {
    let obj = body
        .as_object()
        .ok_or_else(|| Failure::parsing("body: must be a JSON object"))?;
    let origins = match obj.get("origins") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(Failure::invalid("origins", "must be an array")),
        None if obj.contains_key("paymentMethod") => {
            return Err(Failure::invalid(
                "paymentMethod",
                "the {paymentMethod, customer} body is not supported; send origins",
            ))
        }
        None => return Err(Failure::missing("origins")),
    };
    if origins.len() != 1 {
        return Err(Failure::invalid("origins", "must contain exactly one origin"));
    }
    let origin = origins[0]
        .as_object()
        .ok_or_else(|| Failure::invalid("origins[0]", "must be an object"))?;
    let text = |key: &str| -> Answer<String> {
        match origin.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::String(_)) | None | Some(Value::Null) => Err(Failure::missing(&format!("origins[0].{key}"))),
            Some(_) => Err(Failure::invalid(&format!("origins[0].{key}"), "must be a string")),
        }
    };
    let rail = Rail::from(text("type")?);
    if let Rail::Unknown(name) = &rail {
        return Err(Failure::invalid(
            "origins[0].type",
            &format!("{name} is not a payment method"),
        ));
    }
    let currency = text("currency")?;
    let key = rail.node_key();
    let node = match origin.get(&key) {
        Some(Value::Object(node)) => node,
        Some(_) => return Err(Failure::invalid(&format!("origins[0].{key}"), "must be an object")),
        None => return Err(Failure::missing(&format!("origins[0].{key}"))),
    };
    for field in ["customer"] {
        if node.get(field).is_some_and(|v| !v.is_object()) {
            return Err(Failure::invalid(
                &format!("origins[0].{key}.{field}"),
                "must be an object",
            ));
        }
    }
    for field in ["successUrl", "failedUrl", "bankId"] {
        if node.get(field).is_some_and(|v| !v.is_string()) {
            return Err(Failure::invalid(
                &format!("origins[0].{key}.{field}"),
                "must be a string",
            ));
        }
    }
    let description = match obj.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.chars().take(500).collect()),
        Some(_) => return Err(Failure::invalid("description", "must be a string")),
    };
    Ok(Submission {
        description,
        rail,
        currency,
        origin: origin.clone(),
    })
}

/// A non-empty string at a dot path of the origin (`pse.customer.documentNumber`).
fn text_at<'a>(origin: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let mut parts = path.split('.');
    let mut current = origin.get(parts.next()?)?;
    for part in parts {
        current = current.get(part)?;
    }
    current.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// Everything the session's method asks for is present and plausible (§5, §6).
fn check_fields(session: &SessionRecord, sub: &Submission, required: &[String]) -> Answer<()> {
    let key = sub.rail.node_key();
    let prefilled = session.order.customer.as_ref();
    for path in required {
        if text_at(&sub.origin, path).is_none() {
            return Err(Failure::missing(&format!("origins[0].{path}")));
        }
    }
    // customerRequirements: the payer's answer, or the merchant's prefill, must cover each.
    for field in &session.order.customer_requirements {
        let given = if field == "address" {
            sub.origin
                .get(&key)
                .and_then(|n| n.get("customer"))
                .and_then(|c| c.get("address"))
                .is_some_and(Value::is_object)
        } else {
            text_at(&sub.origin, &format!("{key}.customer.{field}")).is_some()
        };
        let prefill = prefilled
            .and_then(|c| serde_json::to_value(c).ok())
            .and_then(|c| c.get(field).cloned())
            .is_some_and(|v| !v.is_null());
        if !given && !prefill {
            return Err(Failure::missing(&format!("origins[0].{key}.customer.{field}")));
        }
    }
    let customer_path = |field: &str| format!("origins[0].{key}.customer.{field}");
    if let Some(email) = text_at(&sub.origin, &format!("{key}.customer.email")) {
        validate::email(email).map_err(|e| Failure::invalid(&customer_path("email"), e.as_str()))?;
    }
    let rules = sub.rail.spec().sandbox;
    let doc_type = text_at(&sub.origin, &format!("{key}.customer.documentType"));
    let doc_number = text_at(&sub.origin, &format!("{key}.customer.documentNumber"));
    if doc_type.is_some_and(|t| !rules.document_types.is_empty() && !rules.document_types.contains(&t)) {
        let why = format!("{} accepts {}", sub.rail, one_of(rules.document_types));
        return Err(Failure::invalid(&customer_path("documentType"), &why));
    }
    if let Some(number) = doc_number {
        let country = rail_country(&sub.rail, &session.order.currency);
        let checked = match (doc_type, rules.default_document_type) {
            (None, Some(default)) => validate::document(default, number),
            (Some(kind), _) if !country.is_empty() => validate::document_in(country, kind, number),
            (Some(kind), _) => validate::document(kind, number),
            (None, None) => Ok(()),
        };
        checked.map_err(|e| Failure::invalid(&customer_path("documentNumber"), e.as_str()))?;
    }
    if let Some(bank) = text_at(&sub.origin, &format!("{key}.bankId")) {
        let country = rail_country(&sub.rail, &session.order.currency);
        if rules.bank_id && !is_known_bank(country, bank) {
            let why = format!("is not a bank of GET /payments/banks/{country}");
            return Err(Failure::invalid(&format!("origins[0].{key}.bankId"), &why));
        }
    }
    Ok(())
}

/// `["CC", "CE", "NIT"]` → `"CC, CE or NIT"`.
fn one_of(choices: &[&str]) -> String {
    match choices.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Adds what the payer must do next to the rail node (§4 table), as the rail's row of
/// `checkout_core::rails` says.
fn next_action(
    sandbox: &Sandbox,
    node: &mut Map<String, Value>,
    rail: &Rail,
    payment_id: &str,
    amount: &str,
    session: &SessionRecord,
) {
    let provider_url = sandbox.provider_url(payment_id);
    let expires_at = rfc3339_ms(session.expires_at);
    let merchant = merchant_name(session);
    match rail.spec().sandbox.action {
        SandboxAction::PixCode => {
            let key = pix_key();
            let code = rails::pix_copy_paste(&key, amount, &merchant, "SAO PAULO", payment_id);
            node.insert("data".into(), json!(code));
            node.insert("qrCode".into(), json!(code));
            node.insert("expiredAt".into(), json!(expires_at));
        }
        SandboxAction::PctCode => {
            node.insert("qrCode".into(), json!(rails::pct_qr(amount, &merchant, payment_id)));
        }
        SandboxAction::Clabe => {
            node.insert("clabe".into(), json!(rails::random_clabe()));
            node.insert("bankId".into(), json!("STP"));
        }
        SandboxAction::Cvu => {
            node.insert("code".into(), json!(rails::random_cvu()));
        }
        SandboxAction::ProviderPage {
            expires_at: with_expiry,
        } => {
            node.insert("url".into(), json!(provider_url.clone()));
            if with_expiry {
                node.insert("expiresAt".into(), json!(expires_at));
            }
        }
        SandboxAction::Nothing => {}
    }
    // Our addition: where a tester approves or declines any rail (QR and app rails included).
    node.insert("sandboxProviderUrl".into(), json!(provider_url));
}

/// A random EVP-style PIX key (the UUID v4 layout banks issue as "chave aleatória").
fn pix_key() -> String {
    let hex = format!("{:032x}", rand::random::<u128>());
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

pub fn merchant_name(session: &SessionRecord) -> String {
    let owner = session.order.owner.display_name();
    if !owner.is_empty() {
        return owner;
    }
    session
        .order
        .destinations
        .first()
        .and_then(|d| d.name.clone())
        .unwrap_or_else(|| "Conomy".into())
}

pub fn view(payment: &PaymentRecord, session: Option<&SessionRecord>) -> Value {
    let order = session.map(|s| &s.order);
    let account = order
        .and_then(|o| o.destinations.first())
        .and_then(|d| d.account.clone());
    let account_number = account
        .as_ref()
        .and_then(|a| a.account_number.clone())
        .unwrap_or_default();
    let currency = order
        .map(|o| o.currency.clone())
        .unwrap_or_else(|| payment.purchase_currency.clone());
    let total = order
        .map(|o| o.total_amount.clone())
        .unwrap_or_else(|| payment.purchase_amount.clone());
    let destinations: Vec<Value> = account
        .map(|account| json!({"type": "ACCOUNT", "currency": currency, "amount": total, "account": account}))
        .into_iter()
        .collect();
    let mut view = json!({
        "id": payment.id,
        "externalId": payment.session_id,
        "checkoutSessionId": payment.session_id,
        "identityId": order.and_then(|o| o.owner.identity_id.clone()).unwrap_or_default(),
        "accountNumber": account_number,
        "totalAmount": total,
        "currency": currency,
        "description": payment.description,
        "product": payment.product,
        "status": payment.status,
        "type": "PURCHASE",
        "purchaseAmount": payment.purchase_amount,
        "purchaseCurrency": payment.purchase_currency,
        "fees": [],
        "createdAt": rfc3339_ms(payment.created_at),
        "updatedAt": rfc3339_ms(payment.updated_at),
        "expiresAt": session.map(|s| rfc3339_ms(s.expires_at)),
        "origins": [payment.origin],
        "destinations": destinations,
    });
    if let Some(fields) = view.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    view
}

/// `POST /checkout-sessions/{id}/payments`.
pub async fn submit(State(sandbox): State<Arc<Sandbox>>, id: RawPathId, body: BodyBytes) -> Answer<Json<Value>> {
    let id = path_id(id, "checkout_session_id")?;
    let body = json_body(body)?;
    let (mut store, now) = sandbox.current();
    let session = store
        .session(&id)
        .cloned()
        .ok_or_else(|| Failure::not_found("checkout session"))?;
    let sub = parse_submission(&body)?;
    let waiting = store
        .payments
        .iter()
        .any(|p| p.session_id == id && is_pending(&p.status));
    if !matches!(session.status, SessionStatus::Active | SessionStatus::Attempt) || waiting {
        return Err(Failure::precondition(format!(
            "the checkout session is not payable ({})",
            session.status
        )));
    }
    // A single-use link is paid once, whichever of its sessions pays it.
    let link_taken = session
        .link_id
        .as_deref()
        .is_some_and(|link| store.link_is_being_paid(link));
    if !session.order.options.reusable && link_taken {
        return Err(Failure::precondition(
            "the payment link already has a payment in progress or settled",
        ));
    }
    if store.payments.iter().filter(|p| p.session_id == id).count() >= MAX_PAYMENTS_PER_SESSION {
        return Err(Failure::precondition(
            "too many payment attempts for this checkout session",
        ));
    }
    let config = session
        .order
        .configs
        .iter()
        .find(|c| c.currency == sub.currency)
        .ok_or_else(|| Failure::invalid("origins[0].currency", "is not a currency of this checkout session"))?;
    let method = config
        .payment_methods
        .iter()
        .find(|m| m.rail == sub.rail && m.enabled && session.order.payment_methods_allowed.contains(&m.rail))
        .ok_or_else(|| {
            Failure::invalid(
                "origins[0].type",
                &format!(
                    "{} is not enabled for {} in this checkout session",
                    sub.rail, sub.currency
                ),
            )
        })?;
    check_fields(&session, &sub, &method.required_fields)?;

    let payment_id = new_id("pay");
    let key = sub.rail.node_key();
    let mut origin = Map::new();
    origin.insert("type".into(), json!(sub.rail));
    origin.insert("currency".into(), json!(sub.currency));
    origin.insert("amount".into(), json!(method.purchase_amount));
    let mut node = sub
        .origin
        .get(&key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    next_action(
        &sandbox,
        &mut node,
        &sub.rail,
        &payment_id,
        &method.purchase_amount,
        &session,
    );
    origin.insert(key, Value::Object(node));

    let description = sub
        .description
        .clone()
        .or_else(|| session.order.items.first().map(|i| i.description.clone()))
        .unwrap_or_default();
    let payment = PaymentRecord {
        id: payment_id,
        session_id: session.id.clone(),
        status: PaymentStatus::Created,
        rail: sub.rail.clone(),
        purchase_currency: config.currency.clone(),
        purchase_amount: method.purchase_amount.clone(),
        product: config.product.clone(),
        description,
        created_at: now,
        updated_at: now,
        origin: Value::Object(origin),
    };
    store.payments.push(payment.clone());
    if let Some(stored) = store.session_mut(&id) {
        stored.status = SessionStatus::ProcessingPayment;
    }
    Ok(Json(view(&payment, Some(&session))))
}

/// The OpenAPI `payment-type` enum.
const PAYMENT_TYPES: [&str; 7] = [
    "PURCHASE",
    "TOPUP_ACCOUNT",
    "WITHDRAWAL_ACCOUNT",
    "P2P",
    "COLLECT",
    "FEE",
    "REMITTANCE",
];

const PAYMENT_FILTERS: [Filter<PaymentRecord>; 3] = [
    ("id", |p| vec![p.id.as_str()]),
    ("status", |p| vec![p.status.as_str()]),
    // Every payment the simulator makes is a purchase (see `view`).
    ("type", |_| vec!["PURCHASE"]),
];

/// `GET /payments?checkoutSessionId=..`: a session's payments, newest first. The filter is
/// required: without it the list would span every payer.
pub async fn list(State(sandbox): State<Arc<Sandbox>>, query: RawQueryPairs) -> Answer<Json<Value>> {
    let query = query_pairs(query)?;
    let session_id = query_value(&query, "checkoutSessionId")
        .ok_or_else(|| Failure::missing("checkoutSessionId"))?
        .to_string();
    if !checkout_core::model::is_valid_id(&session_id) {
        return Err(Failure::invalid("checkoutSessionId", "must match [A-Za-z0-9_-]{1,128}"));
    }
    // `type` is an enum in the contract's file: a value outside it is a wrong request, not a
    // filter that happens to match nothing.
    if let Some((_, kind)) = query.iter().rev().find(|(key, _)| key == "type") {
        if !PAYMENT_TYPES.contains(&kind.trim()) {
            return Err(Failure::invalid(
                "type",
                &format!("must be one of {}", PAYMENT_TYPES.join(", ")),
            ));
        }
    }
    let (selection, session) = {
        let (store, _) = sandbox.current();
        let payments = store.payments.iter().rev().filter(|p| p.session_id == session_id);
        (
            select(payments, &query, &PAYMENT_FILTERS)?,
            store.session(&session_id).cloned(),
        )
    };
    Ok(Json(selection.render(|payment| view(payment, session.as_ref()))))
}
