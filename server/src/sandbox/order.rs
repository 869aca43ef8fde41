//! The validated `create-checkout-session` body shared by payment links and checkout sessions:
//! field checks with Conomy's error types, and totals computed from the items (never trusted).

use checkout_core::decimal::Decimal;
use checkout_core::model::{
    Customer, Destination, DestinationAccount, DestinationMetadata, Item, Owner, PaymentConfig, Rail, Tax, TaxType,
};
use checkout_core::money::minor_units;
use serde_json::{Map, Value};

use super::errors::{Answer, Failure};
use super::faults::FaultPlan;
use super::methods::{MetadataOptions, PlannedConfig};

/// Seconds of time a link or session is given at most (a hundred years, forever for a sandbox):
/// a longer `duration` is accepted and kept, but lives this long, far from date overflow.
pub const MAX_DURATION: i64 = 100 * 365 * 24 * 3600;
const MAX_ITEMS: usize = 200;
const MAX_TEXT: usize = 2048;
/// Largest `metadata` (as JSON) a link or session keeps: it is stored verbatim and returned on
/// every read, so without a bound each link could hold the whole request body limit.
const MAX_METADATA_BYTES: usize = 16 * 1024;
const CUSTOMER_REQUIREMENTS: [&str; 8] = [
    "firstName",
    "email",
    "lastName",
    "phoneNumber",
    "phoneNumberPrefix",
    "address",
    "documentNumber",
    "documentType",
];
const ACCOUNT_TYPES: [&str; 5] = ["CHECKING", "ASSET", "SAVINGS", "ESCROW", "FEE"];
const OWNER_FIELDS: [&str; 6] = [
    "identityId",
    "name",
    "lastname",
    "nickname",
    "documentNumber",
    "entityType",
];

/// What the merchant asked for, checked and with computed amounts.
#[derive(Debug, Clone)]
pub struct Order {
    /// Required, as in the file's `create-checkout-session`: the checkout's URL is made of it.
    pub checkout_token: String,
    pub items: Vec<Item>,
    pub currency: String,
    pub pre_tax_amount: String,
    pub total_amount: String,
    pub payment_methods_allowed: Vec<Rail>,
    pub customer: Option<Customer>,
    pub customer_requirements: Vec<String>,
    pub destinations: Vec<Destination>,
    /// Seconds after creation at which a link stops taking sessions (§8); a session created
    /// without a link lives this long.
    pub duration: i64,
    pub owner: Owner,
    pub success_url: Option<String>,
    pub failed_url: Option<String>,
    /// Our optional addition: kept verbatim and returned on the link.
    pub metadata: Option<Map<String, Value>>,
    pub options: MetadataOptions,
    /// The sessions' `paymentConfigs`, computed once from the total and the options.
    pub configs: Vec<PaymentConfig>,
}

impl Order {
    /// How long a link takes sessions (or a link-less session lives): `duration`, at most
    /// [`MAX_DURATION`].
    pub fn lifetime(&self) -> time::Duration {
        time::Duration::seconds(self.duration.min(MAX_DURATION))
    }

    /// Validates a request body (already parsed as JSON).
    pub fn from_json(body: &Value) -> Answer<Order> {
        let obj = body
            .as_object()
            .ok_or_else(|| Failure::parsing("body: must be a JSON object"))?;
        let fields = Fields {
            obj,
            prefix: String::new(),
        };
        refuse_nulls(body, "")?;

        let checkout_token = fields.req_str("checkoutToken")?.to_string();
        if !checkout_core::model::is_valid_id(&checkout_token) {
            return Err(Failure::invalid("checkoutToken", "must match [A-Za-z0-9_-]{1,128}"));
        }
        let currency = fields.req_str("currency")?.to_string();
        if !(3..=5).contains(&currency.len()) || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Failure::invalid("currency", "must be an uppercase currency code"));
        }
        let scale = minor_units(&currency);
        let items = parse_items(&fields, scale)?;
        let (pre_tax_amount, total_amount) = totals(&items, scale)?;
        let payment_methods_allowed = parse_rails(&fields, "paymentMethodsAllowed")?;
        let destinations = parse_destinations(&fields)?;
        let duration = parse_duration(&fields)?;
        let owner = parse_owner(&fields)?;
        let customer = match obj.get("customer") {
            None | Some(Value::Null) => None,
            Some(value @ Value::Object(_)) => Some(
                serde_json::from_value::<Customer>(value.clone())
                    .map_err(|e| Failure::invalid("customer", &e.to_string()))?,
            ),
            Some(_) => return Err(Failure::invalid("customer", "must be an object or null")),
        };
        let customer_requirements = parse_requirements(&fields)?;
        let success_url = fields.opt_str("successUrl")?.map(str::to_string);
        let failed_url = fields.opt_str("failedUrl")?.map(str::to_string);
        let metadata = match obj.get("metadata") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) if metadata_size(map) > MAX_METADATA_BYTES => {
                return Err(Failure::invalid(
                    "metadata",
                    &format!("is too large (at most {MAX_METADATA_BYTES} bytes as JSON)"),
                ))
            }
            Some(Value::Object(map)) => Some(map.clone()),
            Some(_) => return Err(Failure::invalid("metadata", "must be an object")),
        };
        let options = parse_options(metadata.as_ref(), &currency, &payment_methods_allowed)?;
        let configs = super::methods::payment_configs(&currency, &total_amount, &options)?;
        Ok(Order {
            checkout_token,
            items,
            currency,
            pre_tax_amount,
            total_amount,
            payment_methods_allowed,
            customer,
            customer_requirements,
            destinations,
            duration,
            owner,
            success_url,
            failed_url,
            metadata,
            options,
            configs,
        })
    }
}

/// `null` only where the file's `create-checkout-session` allows it (`customer`, an item's
/// `tax`) and inside our free-form `metadata`: anywhere else it is no value of the declared type.
fn refuse_nulls(value: &Value, path: &str) -> Answer<()> {
    let nullable = path == "customer" || (path.starts_with("items[") && path.ends_with("].tax"));
    match value {
        Value::Null if !nullable && !path.is_empty() => Err(Failure::invalid(path, "must not be null")),
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| !(path.is_empty() && key.as_str() == "metadata"))
            .try_for_each(|(key, item)| {
                refuse_nulls(
                    item,
                    &if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    },
                )
            }),
        Value::Array(list) => list
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| refuse_nulls(item, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

/// Bytes of `metadata` as compact JSON (what is stored and returned).
fn metadata_size(map: &Map<String, Value>) -> usize {
    serde_json::to_vec(map).map_or(usize::MAX, |bytes| bytes.len())
}

/// Field access with error messages that name the full path (`items[2].tax.value`).
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn nested(&self, key: &str, value: &'a Value) -> Answer<Fields<'a>> {
        let path = self.path(key);
        let obj = value
            .as_object()
            .ok_or_else(|| Failure::invalid(&path, "must be an object"))?;
        Ok(Fields {
            obj,
            prefix: format!("{path}."),
        })
    }

    fn opt_str(&self, key: &str) -> Answer<Option<&'a str>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.len() > MAX_TEXT => Err(Failure::invalid(&self.path(key), "is too long")),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(Failure::invalid(&self.path(key), "must be a string")),
        }
    }

    fn req_str(&self, key: &str) -> Answer<&'a str> {
        match self.opt_str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(Failure::missing(&self.path(key))),
        }
    }

    /// A money amount: a JSON string holding a plain, non-negative decimal. Numbers are
    /// refused because a float on the wire may already have lost digits.
    fn opt_amount(&self, key: &str) -> Answer<Option<Decimal>> {
        let path = self.path(key);
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => {
                let amount = Decimal::parse(text)
                    .map_err(|_| Failure::invalid(&path, "must be a decimal string such as \"1234.50\""))?;
                if amount.is_negative() {
                    return Err(Failure::invalid(&path, "must not be negative"));
                }
                Ok(Some(amount))
            }
            Some(_) => Err(Failure::invalid(&path, "must be a decimal string, not a number")),
        }
    }

    fn req_amount(&self, key: &str) -> Answer<Decimal> {
        self.opt_amount(key)?.ok_or_else(|| Failure::missing(&self.path(key)))
    }

    fn req_array(&self, key: &str) -> Answer<&'a Vec<Value>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Err(Failure::missing(&self.path(key))),
            Some(Value::Array(list)) => Ok(list),
            Some(_) => Err(Failure::invalid(&self.path(key), "must be an array")),
        }
    }
}

fn parse_items(fields: &Fields, scale: u32) -> Answer<Vec<Item>> {
    let list = fields.req_array("items")?;
    if list.is_empty() {
        return Err(Failure::invalid("items", "must contain at least one item"));
    }
    if list.len() > MAX_ITEMS {
        return Err(Failure::invalid("items", "too many items"));
    }
    let mut items = Vec::with_capacity(list.len());
    for (i, value) in list.iter().enumerate() {
        let item = fields.nested(&format!("items[{i}]"), value)?;
        let description = item
            .opt_str("description")?
            .ok_or_else(|| Failure::missing(&item.path("description")))?
            .to_string();
        let pre_tax = item.req_amount("preTaxAmount")?.round(scale);
        // Client totals are checked for type only and then ignored: we compute them.
        item.opt_amount("totalAmount")?;
        let tax = match item.obj.get("tax") {
            None | Some(Value::Null) => None,
            Some(value) => Some(parse_tax(&item.nested("tax", value)?, &pre_tax, scale)?),
        };
        let tax_amount = match &tax {
            Some((_, amount)) => *amount,
            None => Decimal::zero().round(scale),
        };
        let total = pre_tax
            .checked_add(&tax_amount)
            .ok_or_else(|| Failure::invalid(&item.path("preTaxAmount"), "is too large"))?;
        items.push(Item {
            description,
            pre_tax_amount: pre_tax.to_string(),
            total_amount: total.to_string(),
            tax: tax.map(|(tax, _)| tax),
        });
    }
    Ok(items)
}

fn parse_tax(tax: &Fields, pre_tax: &Decimal, scale: u32) -> Answer<(Tax, Decimal)> {
    let kind = match tax.req_str("type")? {
        "FIXED" => TaxType::Fixed,
        "PERCENTAGE" => TaxType::Percentage,
        _ => return Err(Failure::invalid(&tax.path("type"), "must be FIXED or PERCENTAGE")),
    };
    let value = tax.req_amount("value")?;
    tax.opt_amount("amount")?;
    let amount = match kind {
        TaxType::Percentage => {
            if value > Decimal::from_int(100) {
                return Err(Failure::invalid(&tax.path("value"), "a percentage must be at most 100"));
            }
            pre_tax
                .percent(&value, scale)
                .ok_or_else(|| Failure::invalid(&tax.path("value"), "is too large"))?
        }
        _ => value.round(scale),
    };
    // Required like its type and value (§3, the file's `tax`); `amount` is computed, not read.
    let name = tax
        .opt_str("name")?
        .ok_or_else(|| Failure::missing(&tax.path("name")))?
        .to_string();
    let tax = Tax {
        name,
        kind,
        value: value.to_string(),
        amount: amount.to_string(),
    };
    Ok((tax, amount))
}

/// `(preTaxAmount, totalAmount)` of the order: sums over the items.
fn totals(items: &[Item], scale: u32) -> Answer<(String, String)> {
    let mut pre_tax = Decimal::zero().round(scale);
    let mut total = Decimal::zero().round(scale);
    for item in items {
        let add = |sum: &Decimal, text: &str| Decimal::parse(text).ok().and_then(|amount| sum.checked_add(&amount));
        pre_tax =
            add(&pre_tax, &item.pre_tax_amount).ok_or_else(|| Failure::invalid("items", "amounts are too large"))?;
        total = add(&total, &item.total_amount).ok_or_else(|| Failure::invalid("items", "amounts are too large"))?;
    }
    Ok((pre_tax.to_string(), total.to_string()))
}

fn parse_rails(fields: &Fields, key: &str) -> Answer<Vec<Rail>> {
    let list = fields.req_array(key)?;
    if list.is_empty() {
        return Err(Failure::invalid(
            &fields.path(key),
            "must contain at least one payment method",
        ));
    }
    rails_from(list, &fields.path(key))
}

fn rails_from(list: &[Value], path: &str) -> Answer<Vec<Rail>> {
    let mut rails: Vec<Rail> = Vec::new();
    for (i, value) in list.iter().enumerate() {
        let rail = value
            .as_str()
            .map(Rail::from)
            .filter(|rail| !matches!(rail, Rail::Unknown(_)))
            .ok_or_else(|| Failure::invalid(&format!("{path}[{i}]"), "is not a known payment method"))?;
        if !rails.contains(&rail) {
            rails.push(rail);
        }
    }
    Ok(rails)
}

fn parse_destinations(fields: &Fields) -> Answer<Vec<Destination>> {
    let list = fields.req_array("destinations")?;
    if list.is_empty() {
        return Err(Failure::invalid(
            "destinations",
            "must contain at least one destination",
        ));
    }
    let mut destinations = Vec::with_capacity(list.len());
    for (i, value) in list.iter().enumerate() {
        let dest = fields.nested(&format!("destinations[{i}]"), value)?;
        if dest.req_str("type")? != "ACCOUNT" {
            return Err(Failure::invalid(&dest.path("type"), "must be ACCOUNT"));
        }
        let amount = dest.req_amount("amount")?;
        let metadata = match dest.obj.get("metadata") {
            None | Some(Value::Null) => None,
            Some(value) => {
                let meta = dest.nested("metadata", value)?;
                let text = |key: &str| -> Answer<String> { Ok(meta.opt_str(key)?.unwrap_or_default().to_string()) };
                Some(DestinationMetadata {
                    image: text("image")?,
                    description: text("description")?,
                    category: text("category")?,
                })
            }
        };
        let account_value = dest
            .obj
            .get("account")
            .ok_or_else(|| Failure::missing(&dest.path("account")))?;
        let account = dest.nested("account", account_value)?;
        let account_type = account.req_str("type")?;
        if !ACCOUNT_TYPES.contains(&account_type) {
            return Err(Failure::invalid(
                &account.path("type"),
                "must be one of CHECKING, ASSET, SAVINGS, ESCROW, FEE",
            ));
        }
        destinations.push(Destination {
            name: dest.opt_str("name")?.map(str::to_string),
            kind: "ACCOUNT".into(),
            external_id: dest.opt_str("externalId")?.map(str::to_string),
            amount: amount.to_string(),
            metadata,
            account: Some(DestinationAccount {
                kind: Some(account_type.to_string()),
                currency: Some(account.req_str("currency")?.to_string()),
                account_number: Some(account.req_str("accountNumber")?.to_string()),
                account_holder: Some(account.req_str("accountHolder")?.to_string()),
            }),
        });
    }
    Ok(destinations)
}

/// Any whole number of seconds from 30 (the file's minimum), however large: beyond `i64` it is
/// kept as `i64::MAX`, and time is computed with at most [`MAX_DURATION`] (see
/// [`Order::lifetime`]), so no date arithmetic can overflow.
fn parse_duration(fields: &Fields) -> Answer<i64> {
    let value = match fields.obj.get("duration") {
        None | Some(Value::Null) => return Err(Failure::missing("duration")),
        Some(value) => value,
    };
    let seconds = match (value.as_i64(), value.as_u64(), value.as_f64()) {
        (Some(seconds), _, _) => seconds,
        (None, Some(_), _) => i64::MAX,
        // serde_json reads integers past u64 as floats: whole ones are still integers.
        (None, None, Some(float)) if float.fract() == 0.0 && float > 0.0 => i64::MAX,
        _ => return Err(Failure::invalid("duration", "must be an integer number of seconds")),
    };
    if seconds < 30 {
        return Err(Failure::invalid("duration", "must be at least 30 seconds"));
    }
    Ok(seconds)
}

/// `node-identity` is a closed schema: unknown properties are refused, not dropped.
fn parse_owner(fields: &Fields) -> Answer<Owner> {
    let value = fields
        .obj
        .get("owner")
        .filter(|v| !v.is_null())
        .ok_or_else(|| Failure::missing("owner"))?;
    let owner = fields.nested("owner", value)?;
    if let Some(key) = owner.obj.keys().find(|key| !OWNER_FIELDS.contains(&key.as_str())) {
        return Err(Failure::invalid(&owner.path(key), "is not a node-identity property"));
    }
    let text = |key: &str| -> Answer<Option<String>> { Ok(owner.opt_str(key)?.map(str::to_string)) };
    Ok(Owner {
        identity_id: Some(owner.req_str("identityId")?.to_string()),
        name: text("name")?,
        lastname: text("lastname")?,
        nickname: text("nickname")?,
        document_number: text("documentNumber")?,
        entity_type: text("entityType")?,
    })
}

fn parse_requirements(fields: &Fields) -> Answer<Vec<String>> {
    let list = match fields.obj.get("customerRequirements") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(Failure::invalid("customerRequirements", "must be an array")),
    };
    let mut out: Vec<String> = Vec::new();
    for (i, value) in list.iter().enumerate() {
        let name = value
            .as_str()
            .filter(|name| CUSTOMER_REQUIREMENTS.contains(name))
            .ok_or_else(|| Failure::invalid(&format!("customerRequirements[{i}]"), "is not a customer field"))?;
        if !out.iter().any(|known| known == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// Reads our `metadata` options:
/// * `paymentConfigs: [{currency, exchangeRate, paymentMethods?}]` adds a config per currency
///   (an entry for the session currency only narrows its methods);
/// * `disabledMethods: [rail]` lists methods with `enabled: false`;
/// * `singleAttempt: true` makes a declined payment fail the session;
/// * `reusable: true` keeps the link ACTIVE after a payment;
/// * `faults`: fault-injection rules for this link's calls (`faults/plan.rs`);
/// * `frameAncestors: ["https://shop.example", ...]`: pages that may embed the checkout.
fn parse_options(metadata: Option<&Map<String, Value>>, currency: &str, allowed: &[Rail]) -> Answer<MetadataOptions> {
    let primary = PlannedConfig {
        currency: currency.to_string(),
        exchange_rate: Decimal::from_int(1),
        rails: allowed.to_vec(),
    };
    let mut plan = MetadataOptions {
        configs: vec![primary],
        ..MetadataOptions::default()
    };
    let Some(meta) = metadata else { return Ok(plan) };
    let fields = Fields {
        obj: meta,
        prefix: "metadata.".into(),
    };
    if let Some(value) = meta.get("singleAttempt").filter(|v| !v.is_null()) {
        plan.single_attempt = value
            .as_bool()
            .ok_or_else(|| Failure::invalid("metadata.singleAttempt", "must be a boolean"))?;
    }
    if let Some(value) = meta.get("reusable").filter(|v| !v.is_null()) {
        plan.reusable = value
            .as_bool()
            .ok_or_else(|| Failure::invalid("metadata.reusable", "must be a boolean"))?;
    }
    if let Some(faults) = meta.get("faults").filter(|v| !v.is_null()) {
        plan.faults =
            Some(FaultPlan::parse(faults, "metadata.faults").map_err(|e| Failure::invalid(&e.field, &e.why))?);
    }
    if meta.get("frameAncestors").is_some_and(|v| !v.is_null()) {
        plan.frame_ancestors = crate::embedding::parse_frame_ancestors(fields.req_array("frameAncestors")?)
            .map_err(|why| Failure::invalid("metadata.frameAncestors", &why.to_string()))?;
    }
    if meta.get("disabledMethods").is_some_and(|v| !v.is_null()) {
        plan.disabled = rails_from(fields.req_array("disabledMethods")?, "metadata.disabledMethods")?;
    }
    if meta.get("paymentConfigs").is_some_and(|v| !v.is_null()) {
        for (i, value) in fields.req_array("paymentConfigs")?.iter().enumerate() {
            let entry = fields.nested(&format!("paymentConfigs[{i}]"), value)?;
            let config_currency = entry.req_str("currency")?;
            if !(3..=5).contains(&config_currency.len()) || !config_currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(Failure::invalid(
                    &entry.path("currency"),
                    "must be an uppercase currency code",
                ));
            }
            let rails = match entry.obj.get("paymentMethods") {
                None | Some(Value::Null) => allowed.to_vec(),
                Some(_) => {
                    let rails = rails_from(entry.req_array("paymentMethods")?, &entry.path("paymentMethods"))?;
                    if let Some(stray) = rails.iter().find(|rail| !allowed.contains(rail)) {
                        return Err(Failure::invalid(
                            &entry.path("paymentMethods"),
                            &format!("{stray} is not in paymentMethodsAllowed"),
                        ));
                    }
                    rails
                }
            };
            if config_currency == currency {
                plan.configs[0].rails = rails;
                continue;
            }
            let rate = entry.req_amount("exchangeRate")?;
            if rate.is_zero() {
                return Err(Failure::invalid(
                    &entry.path("exchangeRate"),
                    "must be greater than zero",
                ));
            }
            if plan.configs.iter().any(|c| c.currency == config_currency) {
                return Err(Failure::invalid(&entry.path("currency"), "is listed twice"));
            }
            plan.configs.push(PlannedConfig {
                currency: config_currency.to_string(),
                exchange_rate: rate,
                rails,
            });
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "items": [
                {"description": "A", "preTaxAmount": "100.005", "totalAmount": "1",
                 "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "16"}},
                {"description": "B", "preTaxAmount": "10", "tax": {"name": "Fee", "type": "FIXED", "value": "2.5"}},
                {"description": "C", "preTaxAmount": "1", "tax": null}
            ],
            "currency": "MXN",
            "paymentMethodsAllowed": ["SPEI"],
            "destinations": [{"type": "ACCOUNT", "amount": "0",
                "account": {"type": "CHECKING", "currency": "MXN", "accountNumber": "1", "accountHolder": "X"}}],
            "duration": 60,
            "owner": {"identityId": "id-1"},
            "checkoutToken": "order-1"
        })
    }

    #[test]
    fn null_is_a_value_only_where_the_file_allows_it() {
        let mut ok = body();
        ok["customer"] = Value::Null;
        ok["items"][2]["tax"] = Value::Null;
        ok["metadata"] = json!({"anything": null});
        assert!(Order::from_json(&ok).is_ok());
        for (path, spoil) in [
            ("successUrl", json!({"successUrl": null})),
            (
                "customer.address.country",
                json!({"customer": {"address": {"country": null}}}),
            ),
            (
                "items[0].tax.amount",
                json!({"items": [{"description": "A", "preTaxAmount": "1", "tax": {"name": "", "type": "FIXED", "value": "1", "amount": null}}]}),
            ),
            ("customerRequirements", json!({"customerRequirements": null})),
        ] {
            let mut bad = body();
            for (key, value) in spoil.as_object().unwrap() {
                bad[key] = value.clone();
            }
            let error = Order::from_json(&bad).unwrap_err();
            assert!(error.0.detail.starts_with(path), "{path}: {}", error.0.detail);
        }
    }

    #[test]
    fn totals_are_computed_from_items_in_minor_units() {
        let order = Order::from_json(&body()).unwrap();
        assert_eq!(order.items[0].pre_tax_amount, "100.01");
        assert_eq!(order.items[0].tax.as_ref().unwrap().amount, "16.00");
        assert_eq!(order.items[0].total_amount, "116.01");
        assert_eq!(order.items[1].total_amount, "12.50");
        assert_eq!(order.items[2].total_amount, "1.00");
        assert_eq!(order.pre_tax_amount, "111.01");
        assert_eq!(order.total_amount, "129.51");
    }

    #[test]
    fn zero_decimal_currencies_round_to_units() {
        let mut b = body();
        b["currency"] = json!("CLP");
        b["items"] = json!([{"description": "A", "preTaxAmount": "1000.4",
            "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19"}}]);
        let order = Order::from_json(&b).unwrap();
        assert_eq!(order.total_amount, "1190");
    }

    /// A field name and how to spoil a valid body in it.
    type Case = (&'static str, fn(&mut Value));

    #[test]
    fn errors_name_the_field() {
        let cases: [Case; 7] = [
            ("items[0].preTaxAmount", |b| b["items"][0]["preTaxAmount"] = json!(12.5)),
            ("items[1].tax.type", |b| b["items"][1]["tax"]["type"] = json!("OTHER")),
            ("duration", |b| b["duration"] = json!(29)),
            ("paymentMethodsAllowed", |b| b["paymentMethodsAllowed"] = json!([])),
            ("paymentMethodsAllowed[0]", |b| {
                b["paymentMethodsAllowed"] = json!(["NOPE"])
            }),
            ("owner.extra", |b| b["owner"]["extra"] = json!("x")),
            ("destinations", |b| b["destinations"] = json!([])),
        ];
        for (field, spoil) in cases {
            let mut b = body();
            spoil(&mut b);
            let err = Order::from_json(&b).unwrap_err();
            assert_eq!(err.0.status, 400, "{field}");
            assert!(
                err.0.detail.starts_with(&format!("{field}:")),
                "{field}: {}",
                err.0.detail
            );
        }
    }

    #[test]
    fn metadata_configs_are_planned() {
        let mut b = body();
        b["currency"] = json!("COP");
        b["paymentMethodsAllowed"] = json!(["PSE", "CARD"]);
        b["metadata"] = json!({"paymentConfigs": [
            {"currency": "COP", "paymentMethods": ["PSE"]},
            {"currency": "USD", "exchangeRate": "4000", "paymentMethods": ["CARD"]}
        ], "singleAttempt": true});
        let order = Order::from_json(&b).unwrap();
        assert_eq!(order.options.configs.len(), 2);
        assert_eq!(order.options.configs[0].rails, vec![Rail::Pse]);
        assert_eq!(order.options.configs[1].exchange_rate.to_string(), "4000");
        assert!(order.options.single_attempt);
        b["metadata"] = json!({"paymentConfigs": [{"currency": "USD", "exchangeRate": "0"}]});
        assert!(Order::from_json(&b).is_err());
    }
}
