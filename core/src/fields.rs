//! The payer form: which fields a payment needs (session requirements ∪ the method's dot paths),
//! their HTML attributes, prefill from `customer`, and validation. The payment body built from
//! the values is `submission`'s.

use crate::model::{CheckoutSession, Customer, PaymentMethod, Rail};
use crate::small_map::SmallMap;
use crate::validate::{self, FieldError};

/// One input of the payer form. The declaration order is the form order (derived `Ord`):
/// names, email, phone, document, address, bank, then anything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKey {
    FirstName,
    LastName,
    Email,
    PhoneNumberPrefix,
    PhoneNumber,
    DocumentType,
    DocumentNumber,
    AddressStreet,
    AddressStreetNumber,
    AddressOptional,
    AddressArea1,
    AddressArea2,
    AddressArea3,
    AddressZipcode,
    AddressCountry,
    BankId,
    /// A field this build does not know: a dot path under the rail node
    /// (`customer.nickname`, `reference`), collected as free text.
    Other(String),
}

const KNOWN: [FieldKey; 16] = [
    FieldKey::FirstName,
    FieldKey::LastName,
    FieldKey::Email,
    FieldKey::PhoneNumberPrefix,
    FieldKey::PhoneNumber,
    FieldKey::DocumentType,
    FieldKey::DocumentNumber,
    FieldKey::AddressStreet,
    FieldKey::AddressStreetNumber,
    FieldKey::AddressOptional,
    FieldKey::AddressArea1,
    FieldKey::AddressArea2,
    FieldKey::AddressArea3,
    FieldKey::AddressZipcode,
    FieldKey::AddressCountry,
    FieldKey::BankId,
];

impl FieldKey {
    fn known_id(&self) -> Option<&'static str> {
        Some(match self {
            FieldKey::FirstName => "firstName",
            FieldKey::LastName => "lastName",
            FieldKey::Email => "email",
            FieldKey::PhoneNumberPrefix => "phoneNumberPrefix",
            FieldKey::PhoneNumber => "phoneNumber",
            FieldKey::DocumentType => "documentType",
            FieldKey::DocumentNumber => "documentNumber",
            FieldKey::AddressStreet => "address.street",
            FieldKey::AddressStreetNumber => "address.streetNumber",
            FieldKey::AddressOptional => "address.optionalAddress",
            FieldKey::AddressArea1 => "address.administrativeAreaLevel1",
            FieldKey::AddressArea2 => "address.administrativeAreaLevel2",
            FieldKey::AddressArea3 => "address.administrativeAreaLevel3",
            FieldKey::AddressZipcode => "address.zipcode",
            FieldKey::AddressCountry => "address.country",
            FieldKey::BankId => "bankId",
            FieldKey::Other(_) => return None,
        })
    }

    /// Stable id: the input's `id`/`name` and the `FormValues` key. Customer fields use their
    /// API name (`firstName`, `address.street`); `Other` uses its path.
    pub fn id(&self) -> String {
        match self {
            FieldKey::Other(path) => path.clone(),
            known => known.known_id().unwrap_or_default().to_string(),
        }
    }

    pub fn from_id(id: &str) -> FieldKey {
        KNOWN
            .iter()
            .find(|k| k.known_id() == Some(id))
            .cloned()
            .unwrap_or_else(|| FieldKey::Other(id.to_string()))
    }

    /// The `autocomplete` token browsers use to fill the field.
    pub fn autocomplete(&self) -> &'static str {
        match self {
            FieldKey::FirstName => "given-name",
            FieldKey::LastName => "family-name",
            FieldKey::Email => "email",
            FieldKey::PhoneNumberPrefix => "tel-country-code",
            FieldKey::PhoneNumber => "tel-national",
            FieldKey::AddressStreet => "address-line1",
            FieldKey::AddressOptional => "address-line2",
            FieldKey::AddressArea1 => "address-level1",
            FieldKey::AddressArea2 => "address-level2",
            FieldKey::AddressArea3 => "address-level3",
            FieldKey::AddressZipcode => "postal-code",
            FieldKey::AddressCountry => "country",
            _ => "off",
        }
    }

    pub fn input_type(&self) -> &'static str {
        match self {
            FieldKey::Email => "email",
            FieldKey::PhoneNumberPrefix | FieldKey::PhoneNumber => "tel",
            _ => "text",
        }
    }

    /// The virtual keyboard to show. Documents stay `None`: RUT ends in `K`, CE and passports
    /// have letters.
    pub fn inputmode(&self) -> Option<&'static str> {
        match self {
            FieldKey::Email => Some("email"),
            FieldKey::PhoneNumberPrefix | FieldKey::PhoneNumber => Some("tel"),
            _ => None,
        }
    }

    pub fn max_len(&self) -> usize {
        match self {
            FieldKey::FirstName | FieldKey::LastName => 80,
            FieldKey::Email => 254,
            FieldKey::PhoneNumberPrefix => 5,
            FieldKey::PhoneNumber => 20,
            FieldKey::DocumentType => 16,
            FieldKey::DocumentNumber => 24,
            FieldKey::AddressStreet | FieldKey::AddressOptional => 120,
            FieldKey::AddressStreetNumber => 20,
            FieldKey::AddressArea1 | FieldKey::AddressArea2 | FieldKey::AddressArea3 => 80,
            FieldKey::AddressZipcode => 12,
            FieldKey::AddressCountry => 3,
            FieldKey::BankId => 64,
            FieldKey::Other(_) => 200,
        }
    }

    pub(crate) fn is_address(&self) -> bool {
        self.known_id().is_some_and(|id| id.starts_with("address."))
    }
}

/// One field of the form and whether it must be filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: FieldKey,
    pub required: bool,
}

/// The form's values by `FieldKey::id()`, in id order.
pub type FormValues = SmallMap<String, String>;

/// What a requirement path names: one field, or the whole address.
enum Requirement {
    Field(FieldKey),
    Address,
}

/// Whether a path's first segment is a customer field rather than a rail node key.
fn is_field_segment(segment: &str) -> bool {
    matches!(segment, "customer" | "address") || KNOWN.iter().any(|k| k.known_id() == Some(segment))
}

fn classify(path: &str) -> Requirement {
    let path = path.trim();
    // Drop the rail node key of a method path (`pse.customer.email` → `customer.email`).
    let under_node = match path.split_once('.') {
        Some((first, rest)) if !is_field_segment(first) => rest,
        _ => path,
    };
    let field = under_node.strip_prefix("customer.").unwrap_or(under_node);
    if field == "address" {
        return Requirement::Address;
    }
    match FieldKey::from_id(field) {
        FieldKey::Other(_) => Requirement::Field(FieldKey::Other(under_node.to_string())),
        known => Requirement::Field(known),
    }
}

/// The field a requirement path names: `"pse.customer.documentNumber"` → `DocumentNumber`,
/// `"pse.bankId"` → `BankId`, `"email"` → `Email`; unknown paths → `Other(<path under the rail
/// node>)`. The address group (`"address"`) maps to `AddressStreet`, its first field;
/// [`fields_for`] expands it to all of them.
pub fn parse_required_path(path: &str) -> FieldKey {
    match classify(path) {
        Requirement::Field(key) => key,
        Requirement::Address => FieldKey::AddressStreet,
    }
}

/// A path safe to turn into JSON object keys: dot-separated identifiers.
fn is_plain_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// The fields a requirement brings, with their `required` flag: a phone number needs its
/// prefix, a document number its type, the address group its parts.
fn expand(path: &str) -> Vec<(FieldKey, bool)> {
    match classify(path) {
        Requirement::Address => vec![
            (FieldKey::AddressStreet, true),
            (FieldKey::AddressStreetNumber, true),
            (FieldKey::AddressOptional, false),
            (FieldKey::AddressArea1, true),
            (FieldKey::AddressZipcode, false),
            (FieldKey::AddressCountry, true),
        ],
        Requirement::Field(FieldKey::PhoneNumber) => {
            vec![(FieldKey::PhoneNumberPrefix, true), (FieldKey::PhoneNumber, true)]
        }
        Requirement::Field(FieldKey::DocumentNumber) => {
            vec![(FieldKey::DocumentType, true), (FieldKey::DocumentNumber, true)]
        }
        Requirement::Field(FieldKey::Other(p)) if !is_plain_path(&p) => Vec::new(),
        Requirement::Field(key) => vec![(key, true)],
    }
}

/// `customerRequirements` ∪ the method's `requiredFields`, deduplicated (required wins) and in
/// form order.
pub fn fields_for(session: &CheckoutSession, method: &PaymentMethod) -> Vec<FieldSpec> {
    let mut fields: SmallMap<FieldKey, bool> = SmallMap::new();
    // Session requirements name customer fields, so unknown ones belong under `customer`.
    let paths = session
        .customer_requirements
        .iter()
        .map(|r| format!("customer.{}", r.trim()))
        .chain(method.required_fields.iter().cloned());
    for path in paths {
        for (key, required) in expand(&path) {
            match fields.get_mut(&key) {
                Some(was) => *was |= required,
                None => drop(fields.insert(key, required)),
            }
        }
    }
    fields
        .into_iter()
        .map(|(key, required)| FieldSpec { key, required })
        .collect()
}

/// Form values from the merchant's `customer` (empty values left out).
pub fn prefill(customer: Option<&Customer>) -> FormValues {
    let mut values = FormValues::new();
    let Some(c) = customer else { return values };
    let mut put = |key: FieldKey, value: &Option<String>| {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            values.insert(key.id(), v.to_string());
        }
    };
    put(FieldKey::FirstName, &c.first_name);
    put(FieldKey::LastName, &c.last_name);
    put(FieldKey::Email, &c.email);
    put(FieldKey::PhoneNumberPrefix, &c.phone_number_prefix);
    put(FieldKey::PhoneNumber, &c.phone_number);
    put(FieldKey::DocumentType, &c.document_type);
    put(FieldKey::DocumentNumber, &c.document_number);
    if let Some(a) = &c.address {
        put(FieldKey::AddressStreet, &a.street);
        put(FieldKey::AddressStreetNumber, &a.street_number);
        put(FieldKey::AddressOptional, &a.optional_address);
        put(FieldKey::AddressArea1, &a.administrative_area_level1);
        put(FieldKey::AddressArea2, &a.administrative_area_level2);
        put(FieldKey::AddressArea3, &a.administrative_area_level3);
        put(FieldKey::AddressZipcode, &a.zipcode);
        put(FieldKey::AddressCountry, &a.country);
    }
    values
}

/// Fills, in `values`, what a method's `country` implies where the payer has nothing yet: the
/// phone prefix, the first document type and the address country, so they are submitted as
/// shown. Called when a method is chosen or restored, never while drawing. Whether anything
/// changed.
pub fn fill_defaults(specs: &[FieldSpec], country: &str, values: &mut FormValues) -> bool {
    let mut changed = false;
    for spec in specs {
        let id = spec.key.id();
        if values.get(&id).is_some_and(|v| !v.is_empty()) {
            continue;
        }
        let default = match spec.key {
            FieldKey::PhoneNumberPrefix => crate::validate::phone_prefix_for(country).map(str::to_string),
            FieldKey::DocumentType => crate::validate::document_types(country).first().map(|d| d.to_string()),
            FieldKey::AddressCountry if !country.is_empty() => Some(country.to_string()),
            _ => None,
        };
        if let Some(default) = default {
            values.insert(id, default);
            changed = true;
        }
    }
    changed
}

/// The country (alpha-3) whose documents and phone rules apply: the rail's own country when it
/// is national (its row of `rails::Rail::spec`), else the session currency's; `""` when neither
/// says.
pub fn rail_country(rail: &Rail, session_currency: &str) -> &'static str {
    if let Some(country) = rail.spec().country {
        return country;
    }
    match session_currency.trim().to_ascii_uppercase().as_str() {
        "CLP" => "CHL",
        "MXN" => "MEX",
        "COP" => "COL",
        "BRL" => "BRA",
        "ARS" => "ARG",
        "PEN" => "PER",
        "BOB" => "BOL",
        "USD" => "USA",
        _ => "",
    }
}

/// The form's value for `key`, trimmed; `""` when there is none.
pub(crate) fn value_of<'a>(values: &'a FormValues, key: &FieldKey) -> &'a str {
    values.get(&key.id()).map(|v| v.trim()).unwrap_or("")
}

/// The document type the number is checked against: the chosen one, else the country's first.
pub(crate) fn document_type_of(values: &FormValues, country: &str) -> String {
    let chosen = value_of(values, &FieldKey::DocumentType);
    if chosen.is_empty() {
        validate::document_types(country)[0].to_string()
    } else {
        chosen.to_ascii_uppercase()
    }
}

/// Checks one field. Phone numbers are checked against the form's prefix (else the country's),
/// document numbers against the form's document type (else the country's first type).
pub fn validate_field(key: &FieldKey, values: &FormValues, country: &str, required: bool) -> Result<(), FieldError> {
    let value = value_of(values, key);
    if value.is_empty() {
        return if required { Err(FieldError::Required) } else { Ok(()) };
    }
    if value.chars().count() > key.max_len() {
        return Err(FieldError::TooLong);
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::Invalid);
    }
    if validate::has_hidden_characters(value) {
        return Err(FieldError::HiddenCharacters);
    }
    match key {
        FieldKey::Email => validate::email(value),
        FieldKey::PhoneNumberPrefix => validate::phone_prefix(value),
        FieldKey::PhoneNumber => {
            let typed = value_of(values, &FieldKey::PhoneNumberPrefix);
            let prefix = if validate::phone_prefix(typed).is_ok() {
                Some(typed)
            } else {
                validate::phone_prefix_for(country)
            };
            validate::phone_national(prefix.map(|p| p.trim_start_matches('+')), value)
        }
        FieldKey::DocumentType => match validate::canonical_document_type(value) {
            Some(kind) if validate::document_types(country).contains(&kind) => Ok(()),
            _ => Err(FieldError::DocumentTypeNotAllowed),
        },
        FieldKey::DocumentNumber => {
            let kind = document_type_of(values, country);
            // A type not offered here is reported on the type field; still check the number.
            match validate::document_in(country, &kind, value) {
                Err(FieldError::DocumentTypeNotAllowed) => validate::document(&kind, value),
                other => other,
            }
        }
        FieldKey::AddressCountry if !(value.len() == 3 && value.bytes().all(|b| b.is_ascii_alphabetic())) => {
            Err(FieldError::Invalid)
        }
        _ => Ok(()),
    }
}

/// Every failing field, in spec order.
pub fn validate_form(specs: &[FieldSpec], values: &FormValues, country: &str) -> Vec<(FieldKey, FieldError)> {
    specs
        .iter()
        .filter_map(|spec| {
            validate_field(&spec.key, values, country, spec.required)
                .err()
                .map(|e| (spec.key.clone(), e))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{method, session, session_with, values};
    use serde_json::json;

    fn keys(specs: &[FieldSpec]) -> Vec<(String, bool)> {
        specs.iter().map(|s| (s.key.id(), s.required)).collect()
    }

    #[test]
    fn a_method_s_country_fills_prefix_document_type_and_address_country_never_over_the_payer() {
        let spec = |key: FieldKey| FieldSpec { key, required: true };
        let specs = [
            spec(FieldKey::PhoneNumberPrefix),
            spec(FieldKey::DocumentType),
            spec(FieldKey::AddressCountry),
            spec(FieldKey::FirstName),
        ];
        let mut typed = values(&[("documentType", "CE"), ("firstName", "")]);
        assert!(fill_defaults(&specs, "COL", &mut typed));
        assert_eq!(
            typed,
            values(&[
                ("address.country", "COL"),
                ("documentType", "CE"),
                ("firstName", ""),
                ("phoneNumberPrefix", "+57"),
            ])
        );
        // Filled once: nothing left to change.
        assert!(!fill_defaults(&specs, "COL", &mut typed));
        // No country: no prefix and no address country; a passport is the one document left.
        let mut unknown = FormValues::new();
        assert!(fill_defaults(&specs, "", &mut unknown));
        assert_eq!(unknown, values(&[("documentType", "PASSPORT")]));
    }

    #[test]
    fn ids_round_trip() {
        for key in KNOWN
            .iter()
            .cloned()
            .chain([FieldKey::Other("customer.nickname".into())])
        {
            assert_eq!(FieldKey::from_id(&key.id()), key);
        }
        assert_eq!(FieldKey::AddressArea1.id(), "address.administrativeAreaLevel1");
        assert_eq!(FieldKey::from_id("reference"), FieldKey::Other("reference".into()));
    }

    #[test]
    fn attributes_fit_each_field() {
        assert_eq!(FieldKey::FirstName.autocomplete(), "given-name");
        assert_eq!(FieldKey::PhoneNumber.autocomplete(), "tel-national");
        assert_eq!(FieldKey::DocumentNumber.autocomplete(), "off");
        assert_eq!(FieldKey::Email.input_type(), "email");
        assert_eq!(FieldKey::PhoneNumber.input_type(), "tel");
        assert_eq!(FieldKey::DocumentNumber.input_type(), "text");
        assert_eq!(FieldKey::Email.inputmode(), Some("email"));
        assert_eq!(FieldKey::PhoneNumber.inputmode(), Some("tel"));
        assert_eq!(FieldKey::DocumentNumber.inputmode(), None);
    }

    #[test]
    fn parses_dot_paths() {
        assert_eq!(parse_required_path("etpay.customer.email"), FieldKey::Email);
        assert_eq!(
            parse_required_path("pse.customer.documentNumber"),
            FieldKey::DocumentNumber
        );
        assert_eq!(parse_required_path("pse.bankId"), FieldKey::BankId);
        assert_eq!(
            parse_required_path("pix.customer.address.street"),
            FieldKey::AddressStreet
        );
        assert_eq!(
            parse_required_path("fedNow.customer.address.zipcode"),
            FieldKey::AddressZipcode
        );
        assert_eq!(parse_required_path("firstName"), FieldKey::FirstName);
        assert_eq!(parse_required_path("customer.lastName"), FieldKey::LastName);
        assert_eq!(parse_required_path("address.country"), FieldKey::AddressCountry);
        assert_eq!(parse_required_path("wompi.customer.address"), FieldKey::AddressStreet);
        assert_eq!(
            parse_required_path("pse.customer.nickname"),
            FieldKey::Other("customer.nickname".into())
        );
        assert_eq!(
            parse_required_path("pse.reference"),
            FieldKey::Other("reference".into())
        );
    }

    #[test]
    fn field_set_is_the_union_in_form_order() {
        let s = session(); // customerRequirements: firstName, email
        let pse = &s.payment_configs[0].payment_methods[0];
        assert_eq!(
            keys(&fields_for(&s, pse)),
            [
                ("firstName", true),
                ("lastName", true),
                ("email", true),
                ("phoneNumberPrefix", true),
                ("phoneNumber", true),
                ("documentType", true),
                ("documentNumber", true),
                ("bankId", true),
            ]
            .map(|(k, r)| (k.to_string(), r))
        );
        // A method without requirements leaves the session's.
        let card = &s.payment_configs[0].payment_methods[2];
        assert_eq!(
            keys(&fields_for(&s, card)),
            [("firstName".to_string(), true), ("email".to_string(), true)]
        );
    }

    #[test]
    fn address_expands_and_explicit_requirements_win() {
        let s = session_with(json!({"customerRequirements": ["address", "lastName", "bogus path", ""]}));
        let m = method(
            "PIX",
            &[
                "pix.customer.address.zipcode",
                "pix.customer.firstName",
                "pix.extra.note",
            ],
        );
        assert_eq!(
            keys(&fields_for(&s, &m)),
            [
                ("firstName", true),
                ("lastName", true),
                ("address.street", true),
                ("address.streetNumber", true),
                ("address.optionalAddress", false),
                ("address.administrativeAreaLevel1", true),
                ("address.zipcode", true),
                ("address.country", true),
                ("extra.note", true),
            ]
            .map(|(k, r)| (k.to_string(), r))
        );
    }

    #[test]
    fn prefill_copies_customer_and_address() {
        let s = session();
        let v = prefill(s.customer.as_ref());
        assert_eq!(v.get("firstName").map(String::as_str), Some("Ana"));
        assert_eq!(v.get("phoneNumberPrefix").map(String::as_str), Some("+57"));
        assert_eq!(v.get("address.street").map(String::as_str), Some("Calle 10"));
        assert_eq!(v.get("address.country").map(String::as_str), Some("COL"));
        assert!(!v.contains_key("lastName"));
        assert!(prefill(None).is_empty());
    }

    #[test]
    fn rail_country_prefers_the_rail() {
        assert_eq!(rail_country(&Rail::Pse, "USD"), "COL");
        assert_eq!(rail_country(&Rail::Pix, "BRL"), "BRA");
        assert_eq!(rail_country(&Rail::Card, "CLP"), "CHL");
        assert_eq!(rail_country(&Rail::Sip, "BOB"), "BOL");
        assert_eq!(rail_country(&Rail::Crypto, "USDC"), "");
    }

    #[test]
    fn validates_fields_with_their_context() {
        let v = values(&[
            ("email", "ana@example"),
            ("phoneNumberPrefix", "+57"),
            ("phoneNumber", "300 123 456"),
            ("documentType", "CC"),
            ("documentNumber", "12"),
            ("firstName", "  "),
            ("address.country", "Colombia"),
            ("lastName", &"x".repeat(81)),
        ]);
        let check = |key: FieldKey| validate_field(&key, &v, "COL", true);
        assert_eq!(check(FieldKey::Email), Err(FieldError::Email));
        assert_eq!(
            check(FieldKey::PhoneNumber),
            Err(FieldError::PhoneLength { min: 10, max: 10 })
        );
        assert_eq!(check(FieldKey::DocumentNumber), Err(FieldError::DocumentFormat));
        assert_eq!(check(FieldKey::DocumentType), Ok(()));
        assert_eq!(check(FieldKey::FirstName), Err(FieldError::Required));
        assert_eq!(check(FieldKey::BankId), Err(FieldError::Required));
        assert_eq!(validate_field(&FieldKey::BankId, &v, "COL", false), Ok(()));
        assert_eq!(check(FieldKey::AddressCountry), Err(FieldError::TooLong));
        assert_eq!(check(FieldKey::LastName), Err(FieldError::TooLong));
        assert_eq!(
            validate_field(&FieldKey::DocumentType, &v, "CHL", true),
            Err(FieldError::DocumentTypeNotAllowed)
        );
    }

    #[test]
    fn invisible_and_direction_characters_are_refused_with_their_own_reason() {
        // U+202E turns "Ana\u{202E}lanigiro" around on a dashboard; U+200B hides inside a word.
        for (key, text) in [
            (FieldKey::FirstName, "Ana\u{202E}lanigiro"),
            (FieldKey::LastName, "Ro\u{200B}jas"),
            (FieldKey::FirstName, "\u{2066}Ana\u{2069}"),
            (FieldKey::LastName, "Rojas\u{FEFF}"),
            (FieldKey::LastName, "Ro\u{AD}jas"),
            (FieldKey::Email, "ana\u{200B}@example.cl"),
            (FieldKey::Email, "ana@exa\u{200E}mple.cl"),
            (FieldKey::PhoneNumber, "9\u{200B}1234 5678"),
            (FieldKey::DocumentNumber, "12.345.678-5\u{202C}"),
            (FieldKey::AddressStreet, "Av. Uno\u{2028}Dos"),
            (FieldKey::FirstName, "Ana\u{E0041}"),
        ] {
            let v = values(&[(key.id().as_str(), text)]);
            assert_eq!(
                validate_field(&key, &v, "CHL", true),
                Err(FieldError::HiddenCharacters),
                "{key:?} {text:?}"
            );
        }
        // Joiners are letters' business in Persian, Arabic and Indic names: they stay.
        let joined = values(&[("firstName", "Nasrin\u{200C}dokht")]);
        assert_eq!(validate_field(&FieldKey::FirstName, &joined, "CHL", true), Ok(()));
        assert_eq!(
            crate::i18n::field_error(crate::i18n::Locale::En, FieldError::HiddenCharacters),
            "Remove the invisible or text-direction characters from this value."
        );
    }

    #[test]
    fn documents_follow_the_country_and_default_type() {
        // No type chosen: Brazil checks a CPF, Chile a RUT.
        let cpf = values(&[("documentNumber", "529.982.247-25")]);
        assert_eq!(validate_field(&FieldKey::DocumentNumber, &cpf, "BRA", true), Ok(()));
        let bad_cpf = values(&[("documentNumber", "529.982.247-24")]);
        assert_eq!(
            validate_field(&FieldKey::DocumentNumber, &bad_cpf, "BRA", true),
            Err(FieldError::DocumentCheckDigit)
        );
        let rut = values(&[("documentNumber", "12.345.678-4")]);
        assert_eq!(
            validate_field(&FieldKey::DocumentNumber, &rut, "CHL", true),
            Err(FieldError::DocumentCheckDigit)
        );
        let dni = values(&[("documentType", "DNI"), ("documentNumber", "1234567")]);
        assert_eq!(validate_field(&FieldKey::DocumentNumber, &dni, "ARG", true), Ok(()));
        assert_eq!(
            validate_field(&FieldKey::DocumentNumber, &dni, "PER", true),
            Err(FieldError::DocumentFormat)
        );
        let nit = values(&[("documentType", "NIT"), ("documentNumber", "900123456")]);
        assert_eq!(
            validate_field(&FieldKey::DocumentNumber, &nit, "COL", true),
            Err(FieldError::DocumentFormat)
        );
    }

    #[test]
    fn phone_uses_the_country_prefix_when_none_is_typed() {
        let v = values(&[("phoneNumber", "9 1234 5678")]);
        assert_eq!(validate_field(&FieldKey::PhoneNumber, &v, "CHL", true), Ok(()));
        assert_eq!(
            validate_field(&FieldKey::PhoneNumber, &v, "MEX", true),
            Err(FieldError::PhoneLength { min: 10, max: 10 })
        );
        assert_eq!(validate_field(&FieldKey::PhoneNumber, &v, "", true), Ok(()));
    }

    #[test]
    fn validate_form_lists_errors_in_spec_order() {
        let s = session();
        let pse = &s.payment_configs[0].payment_methods[0];
        let specs = fields_for(&s, pse);
        let mut v = prefill(s.customer.as_ref());
        let errors: Vec<FieldKey> = validate_form(&specs, &v, "COL").into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            errors,
            [
                FieldKey::LastName,
                FieldKey::PhoneNumber,
                FieldKey::DocumentType,
                FieldKey::DocumentNumber,
                FieldKey::BankId
            ]
        );
        for (k, val) in [
            ("lastName", "Pérez"),
            ("phoneNumber", "300 123 4567"),
            ("documentType", "CC"),
            ("documentNumber", "1.020.304.050"),
            ("bankId", "1007"),
        ] {
            v.insert(k.into(), val.into());
        }
        assert_eq!(validate_form(&specs, &v, "COL"), []);
    }
}
