//! The Conomy API types of the contract (../shared/conomy-api.md §3–§7), shared by the SPA and
//! the server. Decoding is tolerant: unknown statuses, rails and tax types become `Unknown(..)`
//! values instead of errors, and missing optional fields take safe defaults, so a field the API
//! adds tomorrow never breaks the page.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};
#[cfg(feature = "serde")]
use serde_json::Value;

use crate::wire::api_struct::api_struct;
use crate::wire::json::{Json, Object};

/// Declares a string enum that keeps unknown values: decoding never fails on a new value, and
/// encoding writes the original text back.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
        #[cfg_attr(feature = "serde", serde(from = "String", into = "String"))]
        pub enum $name {
            $($variant,)*
            /// A value this build does not know; kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value this build knows (tests walk it; unused code, it never reaches the wasm).
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Unknown(other) => other.as_str(),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => Self::$variant,)*
                    _ => Self::Unknown(text),
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::from(text.to_string())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// Status of a checkout session (§3). `Attempt`/`Active` are payable.
    SessionStatus {
        Attempt => "ATTEMPT",
        Active => "ACTIVE",
        Expired => "EXPIRED",
        Finished => "FINISHED",
        ProcessingPayment => "PROCESSING_PAYMENT",
        Failed => "FAILED",
    }
);

open_enum!(
    /// Status of a payment link.
    LinkStatus {
        Attempt => "ATTEMPT",
        Active => "ACTIVE",
        Expired => "EXPIRED",
        Finished => "FINISHED",
        ProcessingPayment => "PROCESSING_PAYMENT",
    }
);

open_enum!(
    /// Status of a payment (§4). `Created`/`Pending` → `Authorized`/`RequiresReview` →
    /// `Captured` → `Received`; terminal: `Settled` `Unsettled` `Expired` `Failed` `Refunded`.
    PaymentStatus {
        Created => "CREATED",
        Pending => "PENDING",
        Authorized => "AUTHORIZED",
        RequiresReview => "REQUIRES_REVIEW",
        Captured => "CAPTURED",
        Received => "RECEIVED",
        Settled => "SETTLED",
        Unsettled => "UNSETTLED",
        Expired => "EXPIRED",
        Failed => "FAILED",
        Refunded => "REFUNDED",
    }
);

open_enum!(
    /// How a tax is expressed.
    TaxType {
        Fixed => "FIXED",
        Percentage => "PERCENTAGE",
    }
);

open_enum!(
    /// A payment rail (`payment-node-type` in the OpenAPI file, §5 of the contract).
    Rail {
        Card => "CARD",
        Crypto => "CRYPTO",
        Account => "ACCOUNT",
        BankAccount => "BANK_ACCOUNT",
        Pix => "PIX",
        Pct => "PCT",
        Cvu => "CVU",
        Etpay => "ETPAY",
        Fintoc => "FINTOC",
        Webpay => "WEBPAY",
        Spei => "SPEI",
        Pse => "PSE",
        Bancolombia => "BANCOLOMBIA",
        Davivienda => "DAVIVIENDA",
        Daviplata => "DAVIPLATA",
        Nequi => "NEQUI",
        Breb => "BREB",
        Wompi => "WOMPI",
        Ligo => "LIGO",
        Sip => "SIP",
        Ach => "ACH",
        Wire => "WIRE",
        Fednow => "FEDNOW",
        Rtp => "RTP",
        Sepa => "SEPA",
        Fpe => "FPE",
        Swift => "SWIFT",
    }
);

/// What a payment on a rail asks of the payer; declared with the rest of the rail table.
pub use crate::rails::RailKind;

api_struct! {
    /// A tax applied to one item.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tax {
        pub name: String = text("name"),
        pub kind: TaxType = open("type"),
        /// The rate (`"19"` for 19 %) or the fixed amount, as a decimal string.
        pub value: String = text("value"),
        /// The computed tax amount, as a decimal string.
        pub amount: String = text("amount"),
    }
}

api_struct! {
    /// One line of the order.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        pub description: String = text("description"),
        pub pre_tax_amount: String = required("preTaxAmount"),
        pub total_amount: String = required("totalAmount"),
        pub tax: Option<Tax> = default("tax"),
    }
}

api_struct! {
    /// One way to pay inside a payment config.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PaymentMethod {
        pub id: String = text("id"),
        pub rail: Rail = open("type"),
        pub enabled: bool = default("enabled"),
        /// Dot paths into the rail node, e.g. `pse.customer.documentNumber`, `pse.bankId`.
        pub required_fields: Vec<String> = default("requiredFields"),
        /// What the payer pays with this method, in the config's currency (decimal string).
        pub purchase_amount: String = text("purchaseAmount"),
    }
}

api_struct! {
    /// A currency the payer can pay in, with its methods.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PaymentConfig {
        pub currency: String = required("currency"),
        /// `"USD:COP"`: payment currency : session currency.
        pub product: String = text("product"),
        pub exchange_rate: String = text("exchangeRate"),
        pub payment_methods: Vec<PaymentMethod> = default("paymentMethods"),
    }
}

api_struct! {
    /// A postal address (§3 `customer.address`).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Address {
        pub administrative_area_level1: Option<String> = opt_text("administrativeAreaLevel1"),
        pub administrative_area_level2: Option<String> = opt_text("administrativeAreaLevel2"),
        pub administrative_area_level3: Option<String> = opt_text("administrativeAreaLevel3"),
        pub street: Option<String> = opt_text("street"),
        pub street_number: Option<String> = opt_text("streetNumber"),
        pub optional_address: Option<String> = opt_text("optionalAddress"),
        /// ISO 3166-1 alpha-3.
        pub country: Option<String> = opt_text("country"),
        pub zipcode: Option<String> = opt_text("zipcode"),
    }
}

api_struct! {
    /// The payer, as far as the merchant knows them (prefill) or as the form collected them.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Customer {
        pub id: Option<String> = opt_text("id"),
        pub first_name: Option<String> = opt_text("firstName"),
        pub last_name: Option<String> = opt_text("lastName"),
        pub email: Option<String> = opt_text("email"),
        pub phone_number: Option<String> = opt_text("phoneNumber"),
        /// `"+56"`.
        pub phone_number_prefix: Option<String> = opt_text("phoneNumberPrefix"),
        pub document_type: Option<String> = opt_text("documentType"),
        pub document_number: Option<String> = opt_text("documentNumber"),
        pub address: Option<Address> = optional("address"),
    }
}

api_struct! {
    /// Display metadata of a destination (the merchant's logo lives in `image`).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DestinationMetadata {
        pub image: String = text("image"),
        pub description: String = text("description"),
        pub category: String = text("category"),
    }
}

api_struct! {
    /// The merchant's receiving account. The server strips `account_number` and `account_holder`
    /// before a session reaches the browser.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DestinationAccount {
        pub kind: Option<String> = opt_text("type"),
        pub currency: Option<String> = opt_text("currency"),
        pub account_number: Option<String> = opt_text("accountNumber"),
        pub account_holder: Option<String> = opt_text("accountHolder"),
    }
}

api_struct! {
    /// Where the money goes.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Destination {
        pub name: Option<String> = opt_text("name"),
        pub kind: String = text("type"),
        pub external_id: Option<String> = opt_text("externalId"),
        pub amount: String = text("amount"),
        pub metadata: Option<DestinationMetadata> = optional("metadata"),
        pub account: Option<DestinationAccount> = optional("account"),
    }
}

api_struct! {
    /// The merchant (`node-identity`; the OpenAPI file allows no other properties).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Owner {
        pub identity_id: Option<String> = opt_text("identityId"),
        pub name: Option<String> = opt_text("name"),
        pub lastname: Option<String> = opt_text("lastname"),
        pub nickname: Option<String> = opt_text("nickname"),
        pub document_number: Option<String> = opt_text("documentNumber"),
        pub entity_type: Option<String> = opt_text("entityType"),
    }
}

impl Owner {
    /// The name to show the payer: nickname, else name + lastname, else empty.
    pub fn display_name(&self) -> String {
        if let Some(nick) = self.nickname.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            return nick.to_string();
        }
        let parts: Vec<&str> = [self.name.as_deref(), self.lastname.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        parts.join(" ")
    }
}

api_struct! {
    /// A checkout session (§3), plus the `successUrl`/`failedUrl` and `theme` our server adds.
    #[derive(Debug, Clone, PartialEq)]
    pub struct CheckoutSession {
        pub id: String = required("id"),
        pub payment_link_id: Option<String> = opt_text("paymentLinkId"),
        pub checkout_token: Option<String> = opt_text("checkoutToken"),
        pub status: SessionStatus = open("status"),
        pub created_at: String = text("createdAt"),
        pub expires_at: String = text("expiresAt"),
        pub currency: String = required("currency"),
        pub pre_tax_amount: String = text("preTaxAmount"),
        pub total_amount: String = required("totalAmount"),
        pub items: Vec<Item> = default("items"),
        pub payment_configs: Vec<PaymentConfig> = default("paymentConfigs"),
        pub payment_methods_allowed: Vec<Rail> = default("paymentMethodsAllowed"),
        pub customer: Option<Customer> = default("customer"),
        pub customer_requirements: Vec<String> = default("customerRequirements", skip_serializing_if = "Vec::is_empty"),
        pub destinations: Vec<Destination> = default("destinations"),
        pub owner: Owner = default("owner"),
        pub url: String = text("url"),
        pub redirect_url: Option<String> = opt_text("redirectUrl"),
        pub success_url: Option<String> = opt_text("successUrl"),
        pub failed_url: Option<String> = opt_text("failedUrl"),
        /// The link's branding (our server adds it from the link's metadata). Untrusted text:
        /// read through `theme::parse_accent` / `theme::Mode::parse`.
        pub theme: Option<LinkTheme> = optional("theme"),
    }
}

api_struct! {
    /// `theme` of a session: `{"accentColor": "#0a58a8", "mode": "dark"}`, both optional.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LinkTheme {
        pub accent_color: Option<String> = opt_text("accentColor"),
        pub mode: Option<String> = opt_text("mode"),
    }
}

api_struct! {
    /// One origin or destination node of a payment. The rail-specific node (`pix`, `spei`, …) is
    /// kept as raw JSON in `nodes`, keyed by its node key.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PaymentNode {
        pub rail: Rail = open("type"),
        pub currency: String = text("currency"),
        pub amount: Option<String> = opt_text("amount"),
        pub nodes: Object = flatten,
    }
}

impl PaymentNode {
    /// The rail-specific object, e.g. `origins[0].pix`.
    pub fn rail_node(&self) -> Option<&Object> {
        self.nodes.get(&self.rail.node_key()).and_then(Json::as_object)
    }

    /// A string field of the rail node, e.g. `str_field("url")`; empty strings count as absent.
    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.rail_node()?
            .get(name)?
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

api_struct! {
    /// A payment (§4 response; items of `GET /payments`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Payment {
        pub id: String = required("id"),
        pub status: PaymentStatus = open("status"),
        pub kind: Option<String> = opt_text("type"),
        pub total_amount: String = text("totalAmount"),
        pub currency: String = text("currency"),
        pub created_at: String = text("createdAt"),
        pub origins: Vec<PaymentNode> = default("origins"),
        /// Everything else the API sends (kept so the server can pass payments through unchanged).
        pub extra: Object = flatten,
    }
}

api_struct! {
    /// `{count, next, previous, total}` of list answers, as the sandbox writes them (the page
    /// reads no pagination).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Pagination {
        pub count: u64 = default("count"),
        pub next: u64 = default("next"),
        pub previous: u64 = default("previous"),
        pub total: u64 = default("total"),
    }
}

api_struct! {
    /// A page of a list answer, as the page reads it: its results. The list's `pagination` is
    /// not read (the page asks for one page of one session's payments), so no value of it can
    /// fail a decode: `{"next": null}` once lost a payer the receipt of a payment.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Page<T> {
        // `default = "Vec::new"`: a plain `default` would make serde require `T: Default`.
        pub results: Vec<T> = default("results", default = "Vec::new"),
    }
}

api_struct! {
    /// A bank for pickers (`GET /payments/banks/{country}`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Bank {
        pub code: String = required("code"),
        pub name: String = required("name"),
        pub country_code: String = text("countryCode"),
    }
}

/// Error type classes of §7.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorKind {
    InvalidParam,
    MissingParam,
    ParsingResource,
    Unauthorized,
    ForbiddenOperation,
    NotFound,
    AlreadyExist,
    FailedPrecondition,
    TooManyRequests,
    ServerError,
    Unimplemented,
    Unknown,
}

impl ApiErrorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::InvalidParam => "invalidParam",
            Self::MissingParam => "missingParam",
            Self::ParsingResource => "parsingResource",
            Self::Unauthorized => "unauthorized",
            Self::ForbiddenOperation => "forbiddenOperation",
            Self::NotFound => "notFound",
            Self::AlreadyExist => "alreadyExist",
            Self::FailedPrecondition => "failedPrecondition",
            Self::TooManyRequests => "tooManyRequests",
            Self::ServerError => "serverError",
            Self::Unimplemented => "unimplemented",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "invalidParam" => Self::InvalidParam,
            "missingParam" => Self::MissingParam,
            "parsingResource" => Self::ParsingResource,
            "unauthorized" => Self::Unauthorized,
            "forbiddenOperation" => Self::ForbiddenOperation,
            "notFound" => Self::NotFound,
            "alreadyExist" => Self::AlreadyExist,
            "failedPrecondition" => Self::FailedPrecondition,
            "tooManyRequests" => Self::TooManyRequests,
            "serverError" => Self::ServerError,
            "unimplemented" => Self::Unimplemented,
            _ => Self::Unknown,
        }
    }

    /// The class an HTTP status implies when the body names none.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::InvalidParam,
            401 => Self::Unauthorized,
            403 => Self::ForbiddenOperation,
            404 => Self::NotFound,
            409 => Self::AlreadyExist,
            422 => Self::FailedPrecondition,
            429 => Self::TooManyRequests,
            501 => Self::Unimplemented,
            500..=599 => Self::ServerError,
            _ => Self::Unknown,
        }
    }
}

/// A non-2xx answer, decoded from either documented shape (§7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub kind: ApiErrorKind,
    pub code: Option<String>,
    pub detail: String,
    pub trace_id: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, kind: ApiErrorKind, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            code: None,
            detail: detail.into(),
            trace_id: None,
        }
    }

    /// Decodes an error body of either shape; `http_status` wins when the body disagrees or
    /// is not JSON at all.
    pub fn from_body(http_status: u16, body: &str) -> Self {
        let value = Json::parse(body).unwrap_or(Json::Null);
        let text = |key: &str| value.get(key).and_then(Json::as_str).map(str::to_string);
        let kind = text("type")
            .map(|t| ApiErrorKind::parse(&t))
            .filter(|k| *k != ApiErrorKind::Unknown)
            .unwrap_or_else(|| ApiErrorKind::from_status(http_status));
        let code = match value.get("code") {
            Some(Json::String(s) | Json::Number(s)) => Some(s.clone()),
            _ => None,
        };
        let detail = text("detail").or_else(|| text("message")).unwrap_or_default();
        Self {
            status: http_status,
            kind,
            code,
            detail,
            trace_id: text("traceId"),
        }
    }

    /// The body our server sends: both documented shapes at once, so a client of either
    /// generation (and the OpenAPI `error` schema) can read it.
    #[cfg(feature = "serde")]
    pub fn to_body(&self) -> Value {
        serde_json::json!({
            "status": self.status,
            "code": self.code.clone().unwrap_or_else(|| self.status.to_string()),
            "type": self.kind.as_str(),
            "detail": self.detail,
            "traceId": self.trace_id.clone().unwrap_or_default(),
            "statusCode": self.status,
            "error": reason_phrase(self.status),
            "message": self.detail,
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.kind.as_str(), self.detail)
    }
}

impl std::error::Error for ApiError {}

#[cfg(feature = "serde")]
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ if status >= 500 => "Internal Server Error",
        _ => "Error",
    }
}

/// Conomy tokens and ids: `[A-Za-z0-9_-]{1,128}` (§2).
pub fn is_valid_id(text: &str) -> bool {
    (1..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_round_trip() {
        let status: SessionStatus = serde_json::from_str("\"ON_HOLD\"").unwrap();
        assert_eq!(status, SessionStatus::Unknown("ON_HOLD".into()));
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"ON_HOLD\"");
        let rail: Rail = serde_json::from_str("\"FEDNOW\"").unwrap();
        assert_eq!(rail, Rail::Fednow);
    }

    #[test]
    fn errors_decode_from_both_shapes() {
        let current = ApiError::from_body(
            422,
            r#"{"status":422,"code":"21","type":"failedPrecondition","detail":"x","traceId":"t"}"#,
        );
        assert_eq!(current.kind, ApiErrorKind::FailedPrecondition);
        assert_eq!(current.trace_id.as_deref(), Some("t"));
        let older = ApiError::from_body(404, r#"{"statusCode":404,"error":"Not Found","message":"gone"}"#);
        assert_eq!(older.kind, ApiErrorKind::NotFound);
        assert_eq!(older.detail, "gone");
        let garbage = ApiError::from_body(502, "<html>");
        assert_eq!(garbage.kind, ApiErrorKind::ServerError);
    }

    #[test]
    fn ids_are_validated() {
        assert!(is_valid_id("abc_DEF-123"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("../x"));
        assert!(!is_valid_id("a%00"));
        assert!(!is_valid_id(&"a".repeat(129)));
    }
}
