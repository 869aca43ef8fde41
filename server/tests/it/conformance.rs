//! Conformance: every body the sandbox answers validates against the matching response schema
//! of Conomy's own OpenAPI file (`../shared/conomy-openapi/payment-api.yaml`), so code written
//! against the simulator works against the real API.

use std::path::PathBuf;

use jsonschema::{Draft, Validator};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::sandbox_support::*;

/// The OpenAPI document, converted to JSON Schema (see [`to_json_schema`]).
fn openapi() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conomy-openapi/payment-api.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut doc: Value = serde_norway::from_str(&text).expect("the OpenAPI file parses as YAML");
    to_json_schema(&mut doc);
    // Declared `format: time`, but the contract (§4) and every other expiry field are
    // timestamps; the sandbox sends an RFC 3339 date-time, so that one format is relaxed.
    if let Some(expires) = doc
        .pointer_mut("/components/schemas/etpay/properties/expiresAt")
        .and_then(Value::as_object_mut)
    {
        expires.remove("format");
    }
    doc
}

/// OpenAPI 3.0 schemas → JSON Schema draft 7:
/// * `nullable: true` becomes a type union with `"null"` (draft 7 has no `nullable`);
/// * `oneOf` next to a `discriminator` becomes `anyOf`. OpenAPI picks the branch by the
///   discriminator property; JSON Schema has no such keyword and checks every branch. The
///   rail wrappers overlap (several have no required property, so any object matches more
///   than one), which would make `oneOf` reject every valid node. `anyOf` keeps "matches at
///   least one declared shape".
///
/// Draft 7 also ignores keywords beside `$ref`, exactly as OpenAPI 3.0 does.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.remove("discriminator").is_some() {
                if let Some(one_of) = map.remove("oneOf") {
                    map.insert("anyOf".into(), one_of);
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                allow_null(map);
            }
            map.values_mut().for_each(to_json_schema);
        }
        Value::Array(list) => list.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

fn allow_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(options)) = map.get_mut("enum") {
        options.push(Value::Null);
    }
    match map.get("type").cloned() {
        Some(Value::String(kind)) => {
            map.insert("type".into(), json!([kind, "null"]));
        }
        Some(_) => {}
        None => {
            let rest = std::mem::take(map);
            map.insert("anyOf".into(), json!([{"type": "null"}, Value::Object(rest)]));
        }
    }
}

struct Schemas {
    doc: Value,
}

impl Schemas {
    /// The response schema of an operation, following a response-level `$ref`
    /// (`#/components/responses/Bad request`).
    fn response_schema(&self, path: &str, method: &str, status: u16) -> Value {
        let pointer = format!(
            "/paths/{}/{method}/responses/{status}",
            path.replace('~', "~0").replace('/', "~1")
        );
        let mut response = self
            .doc
            .pointer(&pointer)
            .unwrap_or_else(|| panic!("no response {pointer}"));
        if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
            let target = reference.trim_start_matches('#').replace("%20", " ");
            response = self
                .doc
                .pointer(&target)
                .unwrap_or_else(|| panic!("dangling {reference}"));
        }
        response
            .pointer("/content/application~1json/schema")
            .cloned()
            .unwrap_or_else(|| panic!("no JSON schema at {pointer}"))
    }

    /// A validator whose root is the whole document (so `#/components/...` resolves) and
    /// which applies `schema` to the instance.
    fn validator(&self, schema: Value) -> Validator {
        let mut root = self.doc.clone();
        root["allOf"] = json!([schema]);
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .build(&root)
            .expect("the converted schema compiles")
    }

    fn errors(&self, schema: Value, body: &Value) -> Vec<String> {
        let validator = self.validator(schema);
        validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect()
    }

    /// Error answers the file does not declare (401, 422, most 404s) use its `error` schema.
    fn error_schema(&self) -> Value {
        json!({"$ref": "#/components/schemas/error"})
    }
}

/// Collects failures instead of stopping at the first, so one run shows every mismatch.
struct Check<'a> {
    schemas: &'a Schemas,
    failures: Vec<String>,
    checked: usize,
}

impl Check<'_> {
    fn response(&mut self, label: &str, path: &str, method: &str, status: StatusCode, body: &Value) {
        let schema = self.schemas.response_schema(path, method, status.as_u16());
        self.body(label, schema, body);
    }

    fn error(&mut self, label: &str, body: &Value) {
        self.body(label, self.schemas.error_schema(), body);
    }

    fn body(&mut self, label: &str, schema: Value, body: &Value) {
        self.checked += 1;
        for error in self.schemas.errors(schema, body) {
            self.failures.push(format!("{label}: {error}"));
        }
    }
}

fn schemas() -> Schemas {
    Schemas { doc: openapi() }
}

#[tokio::test]
async fn sandbox_responses_conform_to_the_openapi_file() {
    let schemas = schemas();
    let mut check = Check {
        schemas: &schemas,
        failures: Vec::new(),
        checked: 0,
    };
    let s = start().await;

    let (status, auth) = s
        .send_with(
            Method::POST,
            "/conomy/auth",
            Some(json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"})),
            "sandbox-api-key",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    check.response("auth", "/auth", "post", status, &auth);

    let mut body = link_body("conformance");
    body["customer"] = json!({"firstName": "Ana", "email": "ana@example.cl", "address": {"street": "Av. Siempre Viva", "country": "CHL"}});
    body["customerRequirements"] = json!(["firstName", "email"]);
    body["metadata"] = json!({"accentColor": "#0a7", "frameAncestors": ["https://shop.example"]});
    body["items"] = json!([
        {"description": "Libro", "preTaxAmount": "10000", "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19"}},
        {"description": "Envío", "preTaxAmount": "2500", "tax": null}
    ]);
    let (status, link) = s.post("/payment-links", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    check.response("create link", "/payment-links", "post", status, &link);
    let link_id = link["id"].as_str().unwrap().to_string();
    let token = link["checkoutToken"].as_str().unwrap().to_string();

    let (status, list) = s.get("/payment-links?limit=50").await;
    check.response("list links", "/payment-links", "get", status, &list);
    let (status, got) = s.get(&format!("/payment-links/{link_id}")).await;
    check.response("get link", "/payment-links/{id}", "get", status, &got);
    let (status, activated) = s.post(&format!("/payment-links/{link_id}/activate"), json!({})).await;
    check.response(
        "activate link",
        "/payment-links/{id}/activate",
        "post",
        status,
        &activated,
    );

    let (status, direct) = s.post("/checkout-sessions", link_body("conformance-direct")).await;
    assert_eq!(status, StatusCode::CREATED);
    check.response("create session", "/checkout-sessions", "post", status, &direct);
    let (status, from_token) = s
        .post(&format!("/payment-links/token/{token}/checkout-sessions"), json!({}))
        .await;
    check.response(
        "token → session",
        "/payment-links/token/{checkout-token}/checkout-sessions",
        "post",
        status,
        &from_token,
    );
    let (status, refreshed) = s
        .post(&format!("/checkout-sessions/token/{token}/refresh"), json!({}))
        .await;
    check.response(
        "refresh",
        "/checkout-sessions/token/{checkout-token}/refresh",
        "post",
        status,
        &refreshed,
    );
    for demo in ["demo-paid", "demo-expired", "demo-cop", "demo-prefilled"] {
        let (status, session) = s
            .post(&format!("/payment-links/token/{demo}/checkout-sessions"), json!({}))
            .await;
        check.response(
            demo,
            "/payment-links/token/{checkout-token}/checkout-sessions",
            "post",
            status,
            &session,
        );
    }
    let session_id = from_token["id"].as_str().unwrap().to_string();
    let (status, session) = s.get(&format!("/checkout-sessions/{session_id}")).await;
    check.response(
        "get session",
        "/checkout-sessions/{checkout_session_id}",
        "get",
        status,
        &session,
    );

    // One payment per rail kind: redirect, QR, transfer, approve in app.
    let chilean = json!({"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl",
        "phoneNumberPrefix": "+56", "phoneNumber": "912345678", "documentType": "RUT", "documentNumber": "12.345.678-5"});
    let customer = json!({"firstName": "Camila", "lastName": "Gómez", "email": "camila@example.co",
        "phoneNumberPrefix": "+57", "phoneNumber": "3001234567", "documentType": "CC", "documentNumber": "1020304050"});
    let cases = [
        (
            "demo-clp",
            payment("ETPAY", "CLP", "etpay", json!({"customer": chilean})),
        ),
        (
            "demo-clp",
            payment("WEBPAY", "CLP", "webpay", json!({"customer": chilean})),
        ),
        (
            "demo-cop",
            payment("PSE", "COP", "pse", json!({"customer": customer, "bankId": "1007"})),
        ),
        (
            "demo-cop",
            payment("NEQUI", "COP", "nequi", json!({"customer": customer})),
        ),
        (
            "demo-cop",
            payment("CARD", "USD", "card", json!({"customer": customer})),
        ),
        (
            "demo-brl",
            payment(
                "PIX",
                "BRL",
                "pix",
                json!({"customer": {"firstName": "João", "lastName": "Silva",
            "email": "joao@example.com.br", "documentNumber": "52998224725"}}),
            ),
        ),
        (
            "demo-ars",
            payment(
                "PCT",
                "ARS",
                "pct",
                json!({"customer": {"firstName": "Sofía", "email": "s@example.com.ar",
            "phoneNumberPrefix": "+54", "phoneNumber": "91123456789"}}),
            ),
        ),
        (
            "demo-ars",
            payment(
                "CVU",
                "ARS",
                "cvu",
                json!({"customer": {"firstName": "Sofía", "email": "s@example.com.ar"}}),
            ),
        ),
        (
            "demo-mxn",
            payment(
                "SPEI",
                "MXN",
                "spei",
                json!({"customer": {"firstName": "Luis", "lastName": "Pérez"}}),
            ),
        ),
    ];
    let mut paid_session = String::new();
    for (demo, body) in cases {
        let session = s.open(demo).await;
        let id = session["id"].as_str().unwrap();
        let rail = body["origins"][0]["type"].as_str().unwrap().to_string();
        let (status, payment) = s.post(&format!("/checkout-sessions/{id}/payments"), body).await;
        assert_eq!(status, StatusCode::OK, "{rail}: {payment}");
        check.response(
            &format!("payment {rail}"),
            "/checkout-sessions/{checkout_session_id}/payments",
            "post",
            status,
            &payment,
        );
        if rail == "ETPAY" {
            s.provider(payment["id"].as_str().unwrap(), "approve").await;
            paid_session = id.to_string();
        }
    }
    let (status, payments) = s.get(&format!("/payments?checkoutSessionId={paid_session}")).await;
    check.response("list payments", "/payments", "get", status, &payments);
    let (status, sessions) = s.get("/checkout-sessions?limit=50").await;
    check.response("list sessions", "/checkout-sessions", "get", status, &sessions);
    let (status, banks) = s.get("/payments/banks/COL").await;
    check.response("banks", "/payments/banks/{country}", "get", status, &banks);
    let (status, deleted) = s
        .api(
            Method::DELETE,
            &format!("/checkout-sessions/{}", direct["id"].as_str().unwrap()),
            None,
        )
        .await;
    check.response(
        "delete session",
        "/checkout-sessions/{checkout_session_id}",
        "delete",
        status,
        &deleted,
    );

    // Errors.
    let mut invalid = body;
    invalid["duration"] = json!(10);
    let (status, bad) = s.post("/payment-links", invalid).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    check.response("400 create link", "/payment-links", "post", status, &bad);
    let (status, bad) = s
        .post(
            &format!("/checkout-sessions/{session_id}/payments"),
            json!({"paymentMethod": "ETPAY"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    check.response(
        "400 payment",
        "/checkout-sessions/{checkout_session_id}/payments",
        "post",
        status,
        &bad,
    );
    let (status, missing) = s.get("/payment-links/pl_missing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    check.response("404 link", "/payment-links/{id}", "get", status, &missing);
    let (status, missing) = s.get("/checkout-sessions/cs_missing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    check.error("404 session", &missing);
    let (status, unauthorized) = s
        .send_with(Method::GET, "/conomy/payment-links", None, "nope", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    check.error("401", &unauthorized);
    let (status, precondition) = s
        .post("/payment-links/token/demo-inactive/checkout-sessions", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    check.error("422", &precondition);

    assert!(check.checked >= 30, "only {} bodies checked", check.checked);
    assert!(
        check.failures.is_empty(),
        "{} schema violations:\n{}",
        check.failures.len(),
        check.failures.join("\n")
    );
}

/// The converted schemas are not vacuous: they reject what Conomy would reject.
#[tokio::test]
async fn the_schemas_catch_real_mistakes() {
    let schemas = schemas();
    let s = start().await;
    let session = s.open("demo-clp").await;
    let schema = || schemas.response_schema("/payment-links/token/{checkout-token}/checkout-sessions", "post", 201);
    assert!(schemas.errors(schema(), &session).is_empty());

    let mut no_expiry = session.clone();
    no_expiry.as_object_mut().unwrap().remove("expiresAt");
    assert!(
        !schemas.errors(schema(), &no_expiry).is_empty(),
        "expiresAt is required"
    );
    let mut owner_extra = session.clone();
    owner_extra["owner"]["email"] = json!("x@y.z");
    assert!(
        !schemas.errors(schema(), &owner_extra).is_empty(),
        "node-identity is closed"
    );
    let mut numeric = session.clone();
    numeric["totalAmount"] = json!(15990);
    assert!(!schemas.errors(schema(), &numeric).is_empty(), "amounts are strings");
    let mut bad_date = session.clone();
    bad_date["createdAt"] = json!("yesterday");
    assert!(!schemas.errors(schema(), &bad_date).is_empty(), "formats are checked");
    let mut null_customer = session.clone();
    null_customer["customer"] = Value::Null;
    assert!(schemas.errors(schema(), &null_customer).is_empty(), "nullable customer");
    let mut null_tax_name = session;
    null_tax_name["items"][0]["tax"] = json!({"name": "IVA", "type": "VAT", "value": "19", "amount": "1"});
    assert!(
        !schemas.errors(schema(), &null_tax_name).is_empty(),
        "tax type is FIXED or PERCENTAGE"
    );
}

#[test]
fn nullable_becomes_a_type_union() {
    let mut schema = json!({"properties": {
        "a": {"type": "object", "nullable": true},
        "b": {"type": "string", "enum": ["X"], "nullable": true},
        "c": {"$ref": "#/x", "nullable": true},
        "d": {"discriminator": {"propertyName": "type"}, "oneOf": [{"type": "object"}]}
    }});
    to_json_schema(&mut schema);
    assert_eq!(schema["properties"]["a"], json!({"type": ["object", "null"]}));
    assert_eq!(
        schema["properties"]["b"],
        json!({"type": ["string", "null"], "enum": ["X", null]})
    );
    assert_eq!(
        schema["properties"]["c"],
        json!({"anyOf": [{"type": "null"}, {"$ref": "#/x"}]})
    );
    assert_eq!(schema["properties"]["d"], json!({"anyOf": [{"type": "object"}]}));
}
