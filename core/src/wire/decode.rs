//! Decoding from [`Json`] for the API types the SPA reads, with exactly the semantics of the
//! serde derives in `model.rs` (the server keeps using those). This module has the [`FromJson`]
//! trait, its impls for the primitives and the open enums, and [`Fields`], over which
//! `api_struct!` (`core/src/wire/api_struct.rs`) writes each struct's decoder from the same
//! declaration as its serde attributes. The semantics: required fields must be present,
//! `#[serde(default)]` fields may be missing, `null` is only an absent `Option`, unknown fields
//! are ignored, wrong types are errors, a struct may also come as an array of its fields in
//! declaration order (as serde accepts, except for structs with a `#[serde(flatten)]` field),
//! and `flatten` fields collect every key the struct does not name.
//! `core/tests/decode_equivalence.rs` checks the equivalence against serde_json.
//!
//! Known differences, none of which a real answer has: a duplicated *known* key is an error for
//! serde but the last one wins here; serde_json rejects numbers beyond `f64` range (`1e400`) and
//! accepts lone surrogates inside ignored strings, the parser here does the opposite.

use std::fmt;

use crate::model::{LinkStatus, PaymentStatus, Rail, SessionStatus, TaxType};
use crate::wire::json::{Json, JsonError, Object};

/// A type that can be read from a [`Json`] value.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, DecodeError>;
}

/// Parses `text` and decodes it as `T`.
pub fn decode<T: FromJson>(text: &str) -> Result<T, DecodeError> {
    T::from_json(&Json::parse(text)?)
}

/// Why a value could not be decoded: where (`paymentConfigs[0].currency`) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Field path from the top (empty: the top value itself).
    pub path: String,
    pub reason: &'static str,
    /// Byte offset of a syntax error (the text is not JSON at all).
    pub offset: Option<usize>,
}

impl DecodeError {
    pub fn new(reason: &'static str) -> Self {
        DecodeError {
            path: String::new(),
            reason,
            offset: None,
        }
    }

    /// The same error, one field further down (`name` is prepended to the path).
    fn in_field(mut self, name: &str) -> Self {
        if !self.path.is_empty() && !self.path.starts_with('[') {
            self.path.insert(0, '.');
        }
        self.path.insert_str(0, name);
        self
    }

    fn in_item(mut self, index: usize) -> Self {
        let mut prefix = String::from("[");
        prefix.push_str(&index.to_string());
        prefix.push(']');
        if !self.path.is_empty() && !self.path.starts_with('[') {
            prefix.push('.');
        }
        self.path.insert_str(0, &prefix);
        self
    }
}

impl From<JsonError> for DecodeError {
    fn from(error: JsonError) -> Self {
        DecodeError {
            path: String::new(),
            reason: error.reason,
            offset: Some(error.offset),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(offset) = self.offset {
            f.write_str("not JSON: ")?;
            f.write_str(self.reason)?;
            f.write_str(" at byte ")?;
            return fmt::Display::fmt(&offset, f);
        }
        if !self.path.is_empty() {
            f.write_str(&self.path)?;
            f.write_str(": ")?;
        }
        f.write_str(self.reason)
    }
}

impl std::error::Error for DecodeError {}

impl FromJson for Json {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        Ok(value.clone())
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        value
            .as_str()
            .map(str::to_string)
            .ok_or(DecodeError::new("expected a string"))
    }
}

impl FromJson for bool {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        value.as_bool().ok_or(DecodeError::new("expected true or false"))
    }
}

impl FromJson for u64 {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        value
            .as_u64()
            .ok_or(DecodeError::new("expected a non-negative integer"))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        match value {
            Json::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let items = value.as_array().ok_or(DecodeError::new("expected an array"))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(T::from_json(item).map_err(|e| e.in_item(i))?);
        }
        Ok(out)
    }
}

/// The open enums decode from any string (unknown values are kept).
macro_rules! from_string {
    ($($name:ident),*) => {$(
        impl FromJson for $name {
            fn from_json(value: &Json) -> Result<Self, DecodeError> {
                String::from_json(value).map($name::from)
            }
        }
    )*};
}

from_string!(SessionStatus, LinkStatus, PaymentStatus, TaxType, Rail);

/// The fields of a struct being decoded: an object's members by name, or (serde's sequence
/// form) an array's items by declaration index.
pub struct Fields<'a> {
    object: Option<&'a Object>,
    items: &'a [Json],
    /// The first field that failed; later fields are then not decoded. Collecting the error
    /// instead of returning at each field keeps the decoders small: one exit per struct, not
    /// one per field that drops every field decoded before it.
    error: Option<DecodeError>,
}

impl<'a> Fields<'a> {
    /// A struct of `count` fields: an object, or an array of at most `count` items.
    pub fn of(value: &'a Json, count: usize) -> Result<Self, DecodeError> {
        match value {
            Json::Object(object) => Ok(Fields {
                object: Some(object),
                items: &[],
                error: None,
            }),
            Json::Array(items) if items.len() <= count => Ok(Fields {
                object: None,
                items,
                error: None,
            }),
            Json::Array(_) => Err(DecodeError::new("too many items for the struct")),
            _ => Err(DecodeError::new("expected an object")),
        }
    }

    /// A struct with a `flatten` field: serde reads those from objects only.
    pub fn object(value: &'a Json) -> Result<(Self, &'a Object), DecodeError> {
        let object = value.as_object().ok_or(DecodeError::new("expected an object"))?;
        Ok((
            Fields {
                object: Some(object),
                items: &[],
                error: None,
            },
            object,
        ))
    }

    fn raw(&self, index: usize, name: &str) -> Option<&'a Json> {
        match self.object {
            Some(object) => object.get(name),
            None => self.items.get(index),
        }
    }

    fn field<T: FromJson + Default>(&mut self, index: usize, name: &str, required: bool) -> T {
        if self.error.is_none() {
            match self.raw(index, name) {
                Some(value) => match T::from_json(value) {
                    Ok(decoded) => return decoded,
                    Err(e) => self.error = Some(e.in_field(name)),
                },
                None if required => self.error = Some(DecodeError::new("missing").in_field(name)),
                None => {}
            }
        }
        T::default()
    }

    /// A field without `#[serde(default)]`: missing is an error.
    pub fn required<T: FromJson + Default>(&mut self, index: usize, name: &str) -> T {
        self.field(index, name, true)
    }

    /// A `#[serde(default)]` field: missing is the default (`null` is only fine for an `Option`).
    pub fn or_default<T: FromJson + Default>(&mut self, index: usize, name: &str) -> T {
        self.field(index, name, false)
    }

    /// A `String` field with `#[serde(default)]` (the most common kind).
    pub fn text(&mut self, index: usize, name: &str) -> String {
        self.field(index, name, false)
    }

    /// An `Option<String>` field with `#[serde(default)]`.
    pub fn opt_text(&mut self, index: usize, name: &str) -> Option<String> {
        self.field(index, name, false)
    }
}

/// The decoded struct, or the first field error `fields` met while decoding it.
pub fn finish<T>(value: T, fields: Fields<'_>) -> Result<T, DecodeError> {
    match fields.error {
        Some(error) => Err(error),
        None => Ok(value),
    }
}

/// The members of `object` not named in `known`: what a `#[serde(flatten)]` map collects.
pub fn rest(object: &Object, known: &[&str]) -> Object {
    object
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bank, CheckoutSession, Page, Payment};

    #[test]
    fn errors_name_the_failing_field() {
        let error = decode::<CheckoutSession>(
            r#"{"id":"cs","status":"ACTIVE","currency":"COP","totalAmount":"1","paymentConfigs":[{"paymentMethods":[]}]}"#,
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "paymentConfigs[0].currency: missing");
        let error = decode::<Vec<Bank>>(r#"[{"code":"1","name":"A"},{"code":2,"name":"B"}]"#).unwrap_err();
        assert_eq!(error.to_string(), "[1].code: expected a string");
        let error = decode::<Page<Payment>>(r#"{"results":[{"id":"p","status":"CREATED","origins":[{"type":null}]}]}"#)
            .unwrap_err();
        assert_eq!(error.to_string(), "results[0].origins[0].type: expected a string");
        assert_eq!(
            decode::<Bank>("{\"code\":").unwrap_err().to_string(),
            "not JSON: unexpected end of input at byte 8"
        );
    }

    #[test]
    fn flatten_fields_collect_the_rest() {
        let payment: Payment = decode(
            r#"{"id":"p","status":"NEW_STATUS","amountDetail":{"fee":"1"},"origins":[{"type":"PIX","currency":"BRL","amount":null,"pix":{"data":"0002"},"x":1}]}"#,
        )
        .unwrap();
        assert_eq!(payment.status, PaymentStatus::Unknown("NEW_STATUS".into()));
        assert_eq!(payment.extra.keys().collect::<Vec<_>>(), ["amountDetail"]);
        let origin = &payment.origins[0];
        assert_eq!(origin.amount, None);
        assert_eq!(origin.nodes.keys().collect::<Vec<_>>(), ["pix", "x"]);
        assert_eq!(origin.str_field("data"), Some("0002"));
    }

    #[test]
    fn structs_also_come_as_arrays_like_serde_allows() {
        let bank: Bank = decode(r#"["001","Banco"]"#).unwrap();
        assert_eq!(
            bank,
            Bank {
                code: "001".into(),
                name: "Banco".into(),
                country_code: String::new()
            }
        );
        assert!(
            decode::<Bank>(r#"["001"]"#).is_err(),
            "a required field missing at the end"
        );
        assert!(decode::<Bank>(r#"["001","Banco","CO","extra"]"#).is_err());
        assert!(
            decode::<Payment>(r#"["p","CREATED"]"#).is_err(),
            "flatten structs are objects only"
        );
    }
}
