//! Request parsing for the simulator's handlers: bodies, path ids and query strings, each
//! failure answered in Conomy's error shape rather than axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use checkout_core::model::is_valid_id;
use serde_json::Value;

use super::errors::{Answer, Failure};

pub type BodyBytes = Result<Bytes, BytesRejection>;
/// The path's one parameter as axum extracted it, or why it could not: `path_id` checks it.
pub type RawPathId = Result<Path<String>, PathRejection>;
/// The query string's pairs as axum parsed them, or why it could not: `query_pairs` checks them.
pub type RawQueryPairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// A JSON body; malformed JSON is `parsingResource`.
pub fn json_body(body: BodyBytes) -> Answer<Value> {
    let bytes = body.map_err(|e| Failure::parsing(format!("body: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| Failure::parsing(format!("body: not valid JSON ({e})")))
}

/// A body that may be empty (the token endpoints take `{}`); if present it must be an object.
pub fn optional_object_body(body: BodyBytes) -> Answer<()> {
    let bytes = body.map_err(|e| Failure::parsing(format!("body: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(Failure::parsing("body: must be a JSON object")),
        Err(e) => Err(Failure::parsing(format!("body: not valid JSON ({e})"))),
    }
}

/// A path id or token: `[A-Za-z0-9_-]{1,128}` (§2), else `invalidParam`.
pub fn path_id(path: RawPathId, name: &str) -> Answer<String> {
    let Path(id) = path.map_err(|_| Failure::invalid(name, "is not a valid path segment"))?;
    if is_valid_id(&id) {
        Ok(id)
    } else {
        Err(Failure::invalid(name, "must match [A-Za-z0-9_-]{1,128}"))
    }
}

pub fn query_pairs(query: RawQueryPairs) -> Answer<Vec<(String, String)>> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|_| Failure::invalid("query", "is not a valid query string"))
}

/// The value of a query parameter (the last one wins), trimmed; empty counts as absent.
pub fn query_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}
