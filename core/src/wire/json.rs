//! A small JSON value, parser and writer for the SPA, so that no serde code reaches its wasm:
//! serde_json's generic code, float tables and Debug-formatted errors weighed ~100 KB of it, while the checkout only reads
//! a few API answers and writes a few small documents.
//!
//! * [`Json::parse`] is strict RFC 8259: no trailing garbage, no leading zeros, no control
//!   characters or lone surrogates in strings, at most [`MAX_DEPTH`] nested arrays/objects (so
//!   hostile input cannot overflow the stack). Duplicate keys: the last one wins.
//! * Numbers keep their source text ([`Json::Number`]); nothing here goes through `f64`.
//! * [`Json::write`] escapes exactly what JSON requires; its output parses back to an equal value.
//!
//! The serde impls at the bottom are for the server (which embeds `Object`s in serde types);
//! the wasm never calls them, so link-time optimisation drops them there.

use std::fmt;

/// Arrays and objects nested deeper than this are rejected (serde_json's limit as well).
pub const MAX_DEPTH: u32 = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    /// The number's text as it appeared in the source (a valid RFC 8259 number).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

/// A JSON object: keys in insertion order, each at most once. Equality ignores the order.
#[derive(Debug, Clone, Default, Eq)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    pub fn new() -> Self {
        Object(Vec::new())
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key`; an existing key keeps its place and gets the new value (the old one is returned).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Json>) -> Option<Json> {
        self.insert_json(key.into(), value.into())
    }

    fn insert_json(&mut self, key: String, value: Json) -> Option<Json> {
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// An object from its pairs as parsed: a repeated key keeps its first place and its last
    /// value, as [`Object::insert`] one by one would leave it, but found by sorting (n log n)
    /// rather than a search per key, so an answer with many thousands of keys cannot stall the page.
    fn from_parsed(mut pairs: Vec<(String, Json)>) -> Object {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_unstable_by(|&a, &b| pairs[a].0.cmp(&pairs[b].0).then(a.cmp(&b)));
        let mut dropped = vec![false; pairs.len()];
        let mut any = false;
        let mut i = 0;
        while i < order.len() {
            let mut j = i + 1;
            while j < order.len() && pairs[order[j]].0 == pairs[order[i]].0 {
                j += 1;
            }
            if j - i > 1 {
                let (first, last) = (order[i], order[j - 1]);
                pairs[first].1 = std::mem::replace(&mut pairs[last].1, Json::Null);
                for &repeat in &order[i + 1..j] {
                    dropped[repeat] = true;
                }
                any = true;
            }
            i = j;
        }
        if any {
            let mut index = 0;
            pairs.retain(|_| {
                index += 1;
                !dropped[index - 1]
            });
        }
        Object(pairs)
    }

    /// The value of `key`, inserted from `default()` first when missing.
    pub fn get_or_insert_with(&mut self, key: &str, default: impl FnOnce() -> Json) -> &mut Json {
        let i = match self.position(key) {
            Some(i) => i,
            None => {
                self.0.push((key.to_string(), default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    pub fn remove(&mut self, key: &str) -> Option<Json> {
        self.position(key).map(|i| self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Inserts every entry of `other`, in its order (existing keys are replaced in place).
    pub fn extend(&mut self, other: impl IntoIterator<Item = (String, Json)>) {
        for (k, v) in other {
            self.insert_json(k, v);
        }
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        // Keys are unique, so same size + every entry found equal is set equality.
        self.len() == other.len() && self.0.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl IntoIterator for Object {
    type Item = (String, Json);
    type IntoIter = std::vec::IntoIter<(String, Json)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a String, &'a Json);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, Json)>, fn(&'a (String, Json)) -> (&'a String, &'a Json)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(String, Json)> for Object {
    fn from_iter<I: IntoIterator<Item = (String, Json)>>(iter: I) -> Self {
        let mut object = Object::new();
        object.extend(iter);
        object
    }
}

impl Json {
    /// Parses one JSON text (RFC 8259), surrounded by optional whitespace and nothing else.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        };
        let value = parser.value()?;
        parser.skip_whitespace();
        if parser.pos != parser.bytes.len() {
            return Err(parser.error("trailing characters"));
        }
        Ok(value)
    }

    /// The member `key` of an object (`None` for anything else).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.get(key)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A non-negative integer that fits in `u64` (`1.0`, `1e2` and `-0` are not integers here,
    /// as for serde).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Appends the compact JSON text of the value.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            // A hand-built number that is not one is written as null, never as broken JSON.
            Json::Number(n) if is_number(n) => out.push_str(n),
            Json::Number(_) => out.push_str("null"),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(object) => {
                out.push('{');
                for (i, (key, value)) in object.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

/// Writes `text` as a JSON string: `"` and `\` escaped, control characters as short escapes or
/// `\u00XX`; everything else (including non-ASCII) verbatim.
fn write_string(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Whether `text` is exactly one RFC 8259 number: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
pub fn is_number(text: &str) -> bool {
    number_end(text.as_bytes(), 0) == Some(text.len())
}

/// The end of the number starting at `pos`, or `None` when there is no valid number there.
fn number_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let digits = |mut i: usize| {
        let start = i;
        while at(i).is_ascii_digit() {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if at(pos) == b'-' {
        pos += 1;
    }
    pos = match at(pos) {
        b'0' => pos + 1,
        b'1'..=b'9' => digits(pos)?,
        _ => return None,
    };
    if at(pos) == b'.' {
        pos = digits(pos + 1)?;
    }
    if matches!(at(pos), b'e' | b'E') {
        pos += 1;
        if matches!(at(pos), b'+' | b'-') {
            pos += 1;
        }
        pos = digits(pos)?;
    }
    Some(pos)
}

/// Why a text is not JSON, and the byte offset where that became clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)?;
        f.write_str(" at byte ")?;
        fmt::Display::fmt(&self.offset, f)
    }
}

impl std::error::Error for JsonError {}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Skips whitespace, then consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn value(&mut self) -> Result<Json, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => self.nested(Self::array),
            Some(b'{') => self.nested(Self::object),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => match number_end(self.bytes, self.pos) {
                Some(end) => {
                    let number = self.text[self.pos..end].to_string();
                    self.pos = end;
                    Ok(Json::Number(number))
                }
                None => Err(self.error("invalid number")),
            },
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Result<Json, JsonError>) -> Result<Json, JsonError> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.pos += 1;
        let value = parse(self)?;
        self.depth -= 1;
        Ok(value)
    }

    fn literal(&mut self, word: &'static str, value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// After `[`.
    fn array(&mut self) -> Result<Json, JsonError> {
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Ok(Json::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected `,` or `]`"));
            }
        }
    }

    /// After `{`.
    fn object(&mut self) -> Result<Json, JsonError> {
        let mut pairs = Vec::new();
        if self.eat(b'}') {
            return Ok(Json::Object(Object(pairs)));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return Err(self.error("expected `:`"));
            }
            let value = self.value()?;
            pairs.push((key, value));
            if self.eat(b'}') {
                return Ok(Json::Object(Object::from_parsed(pairs)));
            }
            if !self.eat(b',') {
                return Err(self.error("expected `,` or `}`"));
            }
        }
    }

    /// At the opening `"`.
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    self.escape(&mut out)?;
                    start = self.pos;
                }
                0..=0x1f => return Err(self.error("control character in string")),
                _ => self.pos += 1,
            }
        }
    }

    /// After a `\`.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return Err(self.error("lone surrogate"));
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error("lone surrogate"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(self.error("lone surrogate")),
                    _ => first,
                };
                // Surrogates were excluded above, so this is always a char.
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                return Ok(());
            }
            _ => return Err(self.error("invalid escape")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("invalid \\u escape")),
            };
            code = code * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(code)
    }
}

impl From<&str> for Json {
    fn from(text: &str) -> Self {
        Json::String(text.to_string())
    }
}

impl From<String> for Json {
    fn from(text: String) -> Self {
        Json::String(text)
    }
}

impl From<bool> for Json {
    fn from(value: bool) -> Self {
        Json::Bool(value)
    }
}

impl From<u64> for Json {
    fn from(value: u64) -> Self {
        Json::Number(value.to_string())
    }
}

impl From<u32> for Json {
    fn from(value: u32) -> Self {
        Json::from(u64::from(value))
    }
}

impl From<Object> for Json {
    fn from(object: Object) -> Self {
        Json::Object(object)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Array(items)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(value: Option<T>) -> Self {
        value.map_or(Json::Null, Into::into)
    }
}

// --- serde, for the server (core's `serde` feature): numbers as u64/i64 when integral, else f64. ---

#[cfg(feature = "serde")]
impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => {
                if let Ok(u) = n.parse::<u64>() {
                    serializer.serialize_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    serializer.serialize_i64(i)
                } else if let Ok(f) = n.parse::<f64>() {
                    serializer.serialize_f64(f)
                } else {
                    serializer.serialize_unit()
                }
            }
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => serializer.collect_seq(items),
            Json::Object(object) => object.serialize(serializer),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Object {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[cfg(feature = "serde")]
struct JsonVisitor;

#[cfg(feature = "serde")]
impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.to_string()))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.to_string()))
    }

    /// The shortest text that reads back as the same `f64`, as serde_json writes it (`1.5`,
    /// `1e+300`); non-finite → null.
    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(if n.is_finite() {
            Json::Number(zmij::Buffer::new().format_finite(n).to_string())
        } else {
            Json::Null
        })
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Json, A::Error> {
        ObjectVisitor.visit_map(map).map(Json::Object)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

#[cfg(feature = "serde")]
struct ObjectVisitor;

#[cfg(feature = "serde")]
impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
        let mut object = Object::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            object.insert_json(key, value);
        }
        Ok(object)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Object {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Object, D::Error> {
        deserializer.deserialize_map(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        Json::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn parses_every_kind_of_value() {
        let value = parse(r#" {"a": [1, -2.5e+3, 0, true, false, null], "b": {"c": "d"}, "e": ""} "#);
        assert_eq!(value.get("a").and_then(Json::as_array).map(<[Json]>::len), Some(6));
        assert_eq!(
            value.get("a").unwrap().as_array().unwrap()[1],
            Json::Number("-2.5e+3".into())
        );
        assert_eq!(
            value.get("b").and_then(|b| b.get("c")).and_then(Json::as_str),
            Some("d")
        );
        assert_eq!(value.get("e").and_then(Json::as_str), Some(""));
        assert!(value.get("missing").is_none());
        assert_eq!(parse("0").as_u64(), Some(0));
        assert_eq!(parse("18446744073709551615").as_u64(), Some(u64::MAX));
        for not_u64 in ["18446744073709551616", "1.0", "1e2", "-1", "-0", "\"1\""] {
            assert_eq!(parse(not_u64).as_u64(), None, "{not_u64}");
        }
    }

    #[test]
    fn escapes_decode_including_surrogate_pairs() {
        assert_eq!(
            parse(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00""#),
            Json::String("a\"b\\c/d\u{8}\u{c}\n\r\t\u{e9}\u{20ac}\u{1f600}".into())
        );
        assert_eq!(parse("\"ñandú 😀\""), Json::String("ñandú 😀".into()));
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "",
            " ",
            "nul",
            "tru",
            "True",
            "[1,]",
            "[1 2]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":}",
            "[",
            "]",
            "{",
            "\"abc",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "0x10",
            "--1",
            "1 2",
            "{} x",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"a\u{1}b\"",
            "\"tab\there\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800x\"",
            "NaN",
            "Infinity",
            "[1]]",
            "'a'",
            "{\"a\":1 \"b\":2}",
        ] {
            assert!(Json::parse(bad).is_err(), "accepted {bad:?}");
        }
        let error = Json::parse("[1, 2, x]").unwrap_err();
        assert_eq!(error.offset, 7);
        assert_eq!(error.to_string(), "expected a value at byte 7");
    }

    #[test]
    fn nesting_is_limited() {
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(Json::parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert_eq!(Json::parse(&deep).unwrap_err().reason, "nested too deeply");
        // Far deeper than any stack could take: still just an error.
        let hostile = "{\"a\":".repeat(100_000);
        assert!(Json::parse(&hostile).is_err());
        let hostile = "[".repeat(1_000_000);
        assert!(Json::parse(&hostile).is_err());
    }

    #[test]
    fn the_last_duplicate_key_wins_in_place() {
        let value = parse(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(value.to_string(), r#"{"a":3,"b":2}"#);
        let value = parse(r#"{"c": 0, "a": 1, "b": 2, "a": 3, "c": 4, "a": 5, "d": 6}"#);
        assert_eq!(value.to_string(), r#"{"c":4,"a":5,"b":2,"d":6}"#);
    }

    #[test]
    fn an_object_with_many_keys_keeps_them_all_in_order() {
        // Tens of thousands of keys (hostile or not): all kept, in order, duplicates resolved.
        let keys: Vec<String> = (0..40_000).map(|i| format!("k{i}")).collect();
        let mut text = String::from("{");
        for key in &keys {
            text.push_str(&format!("\"{key}\":1,"));
        }
        text.push_str("\"k7\":2}");
        let value = parse(&text);
        let object = value.as_object().unwrap();
        assert_eq!(object.len(), keys.len());
        assert!(object.keys().eq(keys.iter()));
        assert_eq!(object.get("k7"), Some(&Json::Number("2".into())));
    }

    #[test]
    fn writes_compact_json_escaping_what_json_requires() {
        let value = parse(r#"{"s": "q\"b\\n\n\u0001\u001f\u007f/é😀", "n": -1.5E-7, "a": [], "o": {}}"#);
        assert_eq!(
            value.to_string(),
            "{\"s\":\"q\\\"b\\\\n\\n\\u0001\\u001f\u{7f}/é😀\",\"n\":-1.5E-7,\"a\":[],\"o\":{}}"
        );
        assert_eq!(parse(&value.to_string()), value);
        // A hand-built number that is not one cannot break the document.
        assert_eq!(Json::Array(vec![Json::Number("1+1".into())]).to_string(), "[null]");
        assert_eq!(Json::from(7u32).to_string(), "7");
        assert_eq!(Json::from(None::<&str>).to_string(), "null");
    }

    #[test]
    fn objects_keep_insertion_order_and_compare_as_sets() {
        let mut object = Object::new();
        object.insert("b", 1u64);
        object.insert("a", "x");
        assert_eq!(object.insert("b", true), Some(Json::from(1u64)));
        assert_eq!(Json::from(object.clone()).to_string(), r#"{"b":true,"a":"x"}"#);
        let reordered: Object = [("a".to_string(), Json::from("x")), ("b".to_string(), Json::from(true))]
            .into_iter()
            .collect();
        assert_eq!(object, reordered);
        assert_eq!(object.remove("a"), Some(Json::from("x")));
        assert_ne!(object, reordered);
        assert_eq!(object.len(), 1);
        *object.get_or_insert_with("c", || Json::Array(Vec::new())) = Json::Null;
        assert!(object.get("c").is_some_and(Json::is_null));
    }

    #[test]
    fn serde_sees_the_same_values() {
        // Floats come back in serde_json's own spelling (`1e+300`), so this text round-trips.
        let text = r#"{"u":18446744073709551615,"i":-3,"f":1.5,"big":1e+300,"s":"x","a":[null,true],"o":{"k":{}}}"#;
        let ours: Json = serde_json::from_str(text).unwrap();
        assert_eq!(ours, parse(text));
        let back: serde_json::Value = serde_json::from_str(&serde_json::to_string(&ours).unwrap()).unwrap();
        assert_eq!(back, serde_json::from_str::<serde_json::Value>(text).unwrap());
        let object: Object = serde_json::from_str(r#"{"a":[1]}"#).unwrap();
        assert_eq!(Json::Object(object).to_string(), r#"{"a":[1]}"#);
    }
}
