//! The page decodes what the gateway answers, with `checkout_core`'s own decoders (the ones the
//! SPA runs): a few answers written down here, and, when `UPSTREAM_ANSWERS` names a file, every
//! answer `tests/conformance/upstream_answers.py` collected from a gateway whose fake Conomy
//! answered with bodies generated from Conomy's OpenAPI schemas (one JSON object a line:
//! `{"kind": "session" | "payment" | "payments" | "banks", "what", "body"}`).

use checkout_core::model::{Bank, CheckoutSession, Page, Payment};
use checkout_core::wire::decode::FromJson;
use checkout_core::wire::json::Json;
use serde_json::{json, Value};

/// Decodes `body` as the page decodes an answer of this kind.
fn page_decodes(kind: &str, body: &Value) -> Result<(), String> {
    let parsed = Json::parse(&body.to_string()).map_err(|e| e.to_string())?;
    let decoded = match kind {
        "session" => CheckoutSession::from_json(&parsed).map(drop),
        "payment" => Payment::from_json(&parsed).map(drop),
        "payments" => Page::<Payment>::from_json(&parsed).map(drop),
        "banks" => Vec::<Bank>::from_json(&parsed).map(drop),
        other => return Err(format!("no decoder for {other}")),
    };
    decoded.map_err(|e| e.to_string())
}

/// Answers the gateway passes on that once lost the page its receipt or its form: each has a
/// field nothing on the page uses, in a shape the page did not expect.
#[test]
fn answers_with_fields_the_page_does_not_use_decode() {
    let payment = json!({"id": "pay_1", "status": "SETTLED", "type": "PURCHASE", "totalAmount": "100",
                         "currency": "CLP", "createdAt": "2025-05-01T10:00:00Z", "origins": []});
    for (kind, body) in [
        // The receipt after a return: Conomy's list with no next page.
        (
            "payments",
            json!({"pagination": {"count": 1, "next": null, "previous": null, "total": 1}, "results": [payment]}),
        ),
        ("payments", json!({"pagination": null, "results": [payment]})),
        ("payments", json!({"pagination": {"next": "cursor-abc"}, "results": []})),
    ] {
        assert_eq!(page_decodes(kind, &body), Ok(()), "{kind}: {body}");
    }
}

/// Every answer the schema-driven run collected (tests/conformance/run sets the variable).
#[test]
fn every_collected_upstream_answer_decodes() {
    let Ok(path) = std::env::var("UPSTREAM_ANSWERS") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line).expect("one JSON object a line");
        let kind = entry["kind"].as_str().unwrap_or_default();
        count += 1;
        if let Err(why) = page_decodes(kind, &entry["body"]) {
            failures.push(format!("{} ({kind}): {why}\n  {}", entry["what"], entry["body"]));
        }
    }
    assert!(count > 0, "{path} holds no answer");
    assert!(
        failures.is_empty(),
        "{} of {count} answers the page cannot decode:\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!("{count} collected answers decode");
}
