//! The hand-written JSON parser and decoders (`wire::json`, `wire::decode`, used by the SPA)
//! against serde_json and the serde derives (used by the server): realistic answers, then mutated
//! ones (fields removed, nulled, retyped, unknown fields added, objects turned into arrays, arrays
//! cut short), must decode to the same value or fail on both sides.

use checkout_core::model::{Bank, CheckoutSession, Page, Payment};
use checkout_core::wire::decode::{decode, FromJson};
use checkout_core::wire::json::{Json, Object};
use proptest::prelude::*;
use proptest::sample::select;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(512)
}

// --- realistic documents ---

fn rail() -> impl Strategy<Value = &'static str> {
    select(vec![
        "PSE",
        "PIX",
        "SPEI",
        "ETPAY",
        "FEDNOW",
        "BANK_ACCOUNT",
        "CRYPTO",
        "NEW_RAIL",
    ])
}

fn node_key(rail: &str) -> &'static str {
    match rail {
        "PSE" => "pse",
        "PIX" => "pix",
        "SPEI" => "spei",
        "ETPAY" => "etpay",
        "FEDNOW" => "fedNow",
        "BANK_ACCOUNT" => "bank",
        "CRYPTO" => "wallet",
        _ => "newRail",
    }
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 ._:/-]{0,10}",
        Just("Café \"Ñandú\" \\ 😀\n\t\u{1}".to_string()),
        Just(String::new()),
    ]
}

fn amount() -> impl Strategy<Value = String> {
    prop_oneof!["[1-9][0-9]{0,6}", "[0-9]{1,4}\\.[0-9]{2}"]
}

fn method() -> impl Strategy<Value = Value> {
    (word(), rail(), any::<bool>(), prop::collection::vec(word(), 0..3), amount()).prop_map(|(id, rail, enabled, fields, amount)| {
        json!({"id": id, "type": rail, "enabled": enabled, "requiredFields": fields, "purchaseAmount": amount})
    })
}

fn payment_config() -> impl Strategy<Value = Value> {
    (select(vec!["COP", "USD", "BRL"]), prop::collection::vec(method(), 0..3)).prop_map(|(currency, methods)| {
        json!({"currency": currency, "product": format!("{currency}:COP"), "exchangeRate": "1", "paymentMethods": methods})
    })
}

fn item() -> impl Strategy<Value = Value> {
    (word(), amount(), amount(), any::<bool>()).prop_map(|(description, pre, total, taxed)| {
        let mut item = json!({"description": description, "preTaxAmount": pre, "totalAmount": total});
        if taxed {
            item["tax"] = json!({"name": "IVA", "type": "PERCENTAGE", "value": "19", "amount": "19000"});
        }
        item
    })
}

fn session() -> impl Strategy<Value = Value> {
    (
        select(vec!["ACTIVE", "ATTEMPT", "FINISHED", "ON_HOLD"]),
        prop::collection::vec(item(), 0..3),
        prop::collection::vec(payment_config(), 0..3),
        prop::collection::vec(rail(), 0..3),
        word(),
        any::<bool>(),
    )
        .prop_map(|(status, items, configs, allowed, name, extras)| {
            let mut session = json!({
                "id": "cs_1", "paymentLinkId": "pl_1", "checkoutToken": "tok", "status": status,
                "createdAt": "2025-04-24T12:00:00Z", "expiresAt": "2025-04-24T12:30:00Z", "currency": "COP",
                "preTaxAmount": "100000", "totalAmount": "119000", "items": items, "paymentConfigs": configs,
                "paymentMethodsAllowed": allowed,
                "customer": {"id": "c1", "firstName": name, "lastName": "Pérez", "email": "ana@example.co",
                    "phoneNumber": "3001234567", "phoneNumberPrefix": "+57", "documentType": "CC",
                    "documentNumber": "1020304050",
                    "address": {"administrativeAreaLevel1": "Bogotá", "administrativeAreaLevel2": "x",
                        "administrativeAreaLevel3": "y", "street": "Calle 10", "streetNumber": "5",
                        "optionalAddress": "apto 1", "country": "COL", "zipcode": "110111"}},
                "customerRequirements": ["firstName", "email"],
                "destinations": [{"name": "Shop", "type": "ACCOUNT", "externalId": "e1", "amount": "119000",
                    "metadata": {"image": "https://cdn.example/logo.png", "description": "d", "category": "c"},
                    "account": {"type": "CHECKING", "currency": "COP"}}],
                "owner": {"identityId": "i1", "name": "Ana", "lastname": "Rojas", "nickname": "Tienda",
                    "documentNumber": "9", "entityType": "COMPANY"},
                "url": "https://checkout.example/tok", "redirectUrl": "https://shop.example/back",
                "successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/ko",
                "theme": {"accentColor": "#0a58a8", "mode": "dark"}
            });
            if extras {
                session["metadata"] = json!({"anything": [1, 2.5, null, true]});
            }
            session
        })
}

fn payment() -> impl Strategy<Value = Value> {
    (
        select(vec!["CREATED", "PENDING", "SETTLED", "NEW_STATUS"]),
        prop::collection::vec(rail(), 0..3),
        any::<bool>(),
        word(),
    )
        .prop_map(|(status, rails, extras, text)| {
            let origins: Vec<Value> = rails
                .iter()
                .map(|rail| {
                    let mut origin = json!({"type": rail, "currency": "COP", "amount": "119000"});
                    origin[node_key(rail)] = json!({"url": "https://pay.example/x", "qrCode": text, "n": 7});
                    origin
                })
                .collect();
            let mut payment = json!({
                "id": "p1", "status": status, "type": "PURCHASE", "totalAmount": "119000", "currency": "COP",
                "createdAt": "2025-04-24T12:01:00Z", "origins": origins
            });
            if extras {
                payment["destinations"] = json!([{"type": "ACCOUNT", "amount": "119000"}]);
                payment["fee"] = json!(1.5);
                payment["count"] = json!(-3);
            }
            payment
        })
}

fn page() -> impl Strategy<Value = Value> {
    (prop::collection::vec(payment(), 0..3), 0u64..100).prop_map(|(results, total)| {
        json!({"pagination": {"count": results.len(), "next": 0, "previous": 0, "total": total}, "results": results})
    })
}

fn banks() -> impl Strategy<Value = Value> {
    prop::collection::vec((word(), word(), select(vec!["CO", "BR", "MX"])), 0..4).prop_map(|banks| {
        Value::Array(
            banks
                .into_iter()
                .map(|(code, name, country)| json!({"code": code, "name": name, "countryCode": country}))
                .collect(),
        )
    })
}

// --- mutations ---

#[derive(Debug, Clone)]
enum Op {
    Remove,
    Null,
    Replace(Value),
    AddKey(&'static str, Value),
    ToArray,
    Truncate,
}

fn replacement() -> impl Strategy<Value = Value> {
    select(vec![
        json!(true),
        json!(false),
        json!(0),
        json!(7),
        json!(-1),
        json!(1.5),
        json!(1e21),
        json!(""),
        json!("x"),
        json!("5"),
        json!("ACTIVE"),
        json!("PIX"),
        json!([]),
        json!({}),
        json!(["a"]),
        json!([1]),
        json!({"k": "v"}),
        json!({"type": "PIX"}),
        json!(u64::MAX),
        json!("a\"b\u{1}😀"),
    ])
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Remove),
        2 => Just(Op::Null),
        3 => replacement().prop_map(Op::Replace),
        2 => (select(vec!["unknownField", "amount", "type", "pix", "extra", "nodes", "status", "id"]), replacement())
            .prop_map(|(k, v)| Op::AddKey(k, v)),
        1 => Just(Op::ToArray),
        1 => Just(Op::Truncate),
    ]
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn paths(value: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                here.push(Seg::Key(k.clone()));
                paths(v, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push(Seg::Index(i));
                paths(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(value, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

fn mutate(mut value: Value, mutations: &[(usize, Op)]) -> Value {
    for (pick, op) in mutations {
        let mut all = Vec::new();
        paths(&value, &mut Vec::new(), &mut all);
        let path = &all[pick % all.len()];
        match op {
            Op::Remove => {
                if let Some((last, parent)) = path.split_last() {
                    match (at(&mut value, parent), last) {
                        (Value::Object(map), Seg::Key(k)) => {
                            map.remove(k);
                        }
                        (Value::Array(items), Seg::Index(i)) => {
                            items.remove(*i);
                        }
                        _ => {}
                    }
                }
            }
            Op::Null => *at(&mut value, path) = Value::Null,
            Op::Replace(new) => *at(&mut value, path) = new.clone(),
            Op::AddKey(key, new) => {
                if let Value::Object(map) = at(&mut value, path) {
                    map.insert(key.to_string(), new.clone());
                }
            }
            Op::ToArray => {
                let target = at(&mut value, path);
                if let Value::Object(map) = target {
                    *target = Value::Array(map.values().cloned().collect());
                }
            }
            Op::Truncate => {
                if let Value::Array(items) = at(&mut value, path) {
                    items.pop();
                }
            }
        }
    }
    value
}

fn mutations() -> impl Strategy<Value = Vec<(usize, Op)>> {
    prop::collection::vec((any::<usize>(), op()), 0..4)
}

/// serde and the hand-written decoder agree on `text`; returns whether it decoded.
fn agree<T: DeserializeOwned + FromJson + PartialEq + std::fmt::Debug>(text: &str) -> Result<bool, TestCaseError> {
    let theirs = serde_json::from_str::<T>(text).ok();
    let ours = decode::<T>(text).ok();
    prop_assert_eq!(&theirs, &ours, "{}", text);
    Ok(ours.is_some())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn realistic_answers_decode_the_same(session in session(), payment in payment(), page in page(), banks in banks()) {
        prop_assert!(agree::<CheckoutSession>(&session.to_string())?);
        prop_assert!(agree::<Payment>(&payment.to_string())?);
        prop_assert!(agree::<Page<Payment>>(&page.to_string())?);
        prop_assert!(agree::<Vec<Bank>>(&banks.to_string())?);
    }

    #[test]
    fn mutated_sessions_decode_the_same(session in session(), m in mutations()) {
        agree::<CheckoutSession>(&mutate(session, &m).to_string())?;
    }

    #[test]
    fn mutated_payments_decode_the_same(payment in payment(), m in mutations()) {
        let text = mutate(payment, &m).to_string();
        agree::<Payment>(&text)?;
        agree::<Page<Payment>>(&text)?;
    }

    #[test]
    fn mutated_pages_decode_the_same(page in page(), m in mutations()) {
        agree::<Page<Payment>>(&mutate(page, &m).to_string())?;
    }

    #[test]
    fn mutated_banks_decode_the_same(banks in banks(), m in mutations()) {
        let text = mutate(banks, &m).to_string();
        agree::<Vec<Bank>>(&text)?;
        agree::<Page<Payment>>(&text)?;
    }
}

#[test]
fn mutations_reach_both_outcomes() {
    // Not vacuous: the same mutations leave some documents decodable and break others.
    let base = json!({"code": "1", "name": "A", "countryCode": "CO"});
    let text = |m: &[(usize, Op)]| format!("[{}]", mutate(base.clone(), m));
    assert!(agree::<Vec<Bank>>(&text(&[])).unwrap());
    // Paths in BTreeMap order: root, code, countryCode, name.
    assert!(
        agree::<Vec<Bank>>(&text(&[(2, Op::Remove)])).unwrap(),
        "countryCode has a default"
    );
    assert!(
        !agree::<Vec<Bank>>(&text(&[(1, Op::Remove)])).unwrap(),
        "code is required"
    );
    assert!(
        !agree::<Vec<Bank>>(&text(&[(2, Op::Null)])).unwrap(),
        "null is not a String"
    );
    assert!(agree::<Vec<Bank>>(&text(&[(0, Op::AddKey("unknownField", json!([1])))])).unwrap());
    assert!(
        agree::<Vec<Bank>>(&text(&[(0, Op::ToArray)])).unwrap(),
        "serde's sequence form"
    );
    assert!(!agree::<Vec<Bank>>(&text(&[(0, Op::ToArray), (3, Op::Remove), (2, Op::Remove)])).unwrap());
}

// --- the parser against serde_json::Value ---

fn any_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<u64>().prop_map(Json::from),
        select(vec![
            "-1",
            "0.5",
            "-2.25e-3",
            "1E+2",
            "-0",
            "123456789012345678901234567890"
        ])
        .prop_map(|n| Json::Number(n.to_string())),
        any::<String>().prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::vec(("[a-z\"\\\\\u{0}-\u{1f}é]{0,4}", inner), 0..5)
                .prop_map(|entries| Json::Object(entries.into_iter().collect::<Object>())),
        ]
    })
}

/// Characters that change a JSON text's meaning when swapped in.
const NOISE: &[char] = &[
    '"', '\\', ',', ':', '[', ']', '{', '}', '0', '-', '.', 'e', ' ', '\u{1}', 'u', 'x', 'n',
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn written_json_parses_back_equal(value in any_json()) {
        let text = value.to_string();
        prop_assert_eq!(Json::parse(&text), Ok(value.clone()));
        // serde_json reads our output as the same document.
        let theirs: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        let ours_via_serde: Json = serde_json::from_value(theirs).unwrap();
        prop_assert_eq!(Json::parse(&ours_via_serde.to_string()).is_ok(), true);
    }

    #[test]
    fn parser_accepts_exactly_what_serde_json_accepts(value in any_json(), edits in prop::collection::vec((any::<usize>(), select(NOISE)), 0..3)) {
        let mut chars: Vec<char> = value.to_string().chars().collect();
        for (pos, c) in edits {
            let pos = pos % (chars.len() + 1);
            if pos == chars.len() { chars.push(c) } else { chars[pos] = c }
        }
        let text: String = chars.into_iter().collect();
        let theirs = serde_json::from_str::<Value>(&text);
        // The one known difference: serde_json rejects numbers beyond f64's range (`1e400`);
        // numbers here are text and never overflow.
        prop_assume!(!theirs.as_ref().is_err_and(|e| e.to_string().contains("number out of range")));
        let theirs = theirs.ok();
        let ours = Json::parse(&text).ok();
        prop_assert_eq!(ours.is_some(), theirs.is_some(), "{}", text);
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            // Same document: our text, read by serde_json, is theirs.
            prop_assert_eq!(serde_json::from_str::<Value>(&ours.to_string()).ok(), Some(theirs), "{}", text);
        }
    }

    #[test]
    fn parser_never_panics(text in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,64}") {
        let theirs = serde_json::from_str::<Value>(&text);
        prop_assume!(!theirs.as_ref().is_err_and(|e| e.to_string().contains("number out of range")));
        prop_assert_eq!(Json::parse(&text).is_ok(), theirs.is_ok(), "{}", text);
    }
}
