//! List answers: comma-separated filters on fields of the rendered objects, and `limit`/`offset`
//! pagination into `{pagination: {count, next, previous, total}, results}`.

use checkout_core::model::{Page, Pagination};
use serde_json::Value;

use super::errors::{Answer, Failure};
use super::extract::query_value;

const DEFAULT_LIMIT: u64 = 10;
const MAX_LIMIT: u64 = 50;

/// A query parameter and the dot path (through arrays) of the field it filters on.
pub type Filter = (&'static str, &'static str);

/// Keeps the items matching every given filter (any of its comma-separated values), then
/// returns the page asked for. Items are expected newest first.
pub fn page(items: Vec<Value>, query: &[(String, String)], filters: &[Filter]) -> Answer<Page<Value>> {
    let limit = number(query, "limit", DEFAULT_LIMIT)?;
    if limit > MAX_LIMIT {
        return Err(Failure::invalid("limit", "must be between 0 and 50"));
    }
    let offset = number(query, "offset", 0)?;
    let wanted: Vec<(&str, Vec<&str>)> = filters
        .iter()
        .filter_map(|(param, path)| {
            let values = query_value(query, param)?;
            Some((*path, values.split(',').map(str::trim).filter(|v| !v.is_empty()).collect()))
        })
        .collect();
    let matching: Vec<Value> = items
        .into_iter()
        .filter(|item| {
            wanted.iter().all(|(path, values)| {
                values_at(item, path).iter().any(|found| values.contains(&found.as_str()))
            })
        })
        .collect();
    let total = matching.len() as u64;
    let results: Vec<Value> = matching.into_iter().skip(offset as usize).take(limit as usize).collect();
    let shown = offset.min(total) + results.len() as u64;
    Ok(Page {
        pagination: Pagination {
            // "count of items shown up to the moment" (OpenAPI `pagination-cursor`).
            count: shown,
            // Offsets of the neighbouring pages; 0 when there is none after this one.
            next: if shown < total { shown } else { 0 },
            previous: offset.saturating_sub(limit),
            total,
        },
        results,
    })
}

fn number(query: &[(String, String)], key: &str, default: u64) -> Answer<u64> {
    match query_value(query, key) {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= u32::MAX as u64)
            .ok_or_else(|| Failure::invalid(key, "must be a non-negative integer")),
    }
}

/// Every string (or number) found at a dot path, descending into arrays on the way.
pub fn values_at(value: &Value, path: &str) -> Vec<String> {
    let mut current = vec![value];
    for key in path.split('.') {
        current = current
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(list) => list.iter().filter_map(|e| e.get(key)).collect::<Vec<_>>(),
                other => other.get(key).into_iter().collect(),
            })
            .collect();
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(list) => list.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_and_filters() {
        let items: Vec<Value> = (0..25)
            .map(|i| json!({"id": format!("l{i}"), "status": if i % 2 == 0 { "ACTIVE" } else { "EXPIRED" },
                             "destinations": [{"account": {"accountNumber": format!("{}", i % 3)}}]}))
            .collect();
        let page1 = page(items.clone(), &q(&[]), &[]).unwrap();
        assert_eq!((page1.results.len(), page1.pagination.total, page1.pagination.next), (10, 25, 10));
        let last = page(items.clone(), &q(&[("limit", "10"), ("offset", "20")]), &[]).unwrap();
        assert_eq!(last.results.len(), 5);
        assert_eq!((last.pagination.count, last.pagination.next, last.pagination.previous), (25, 0, 10));
        let filters: [Filter; 3] = [("id", "id"), ("status", "status"), ("destination.accountNumber", "destinations.account.accountNumber")];
        let active = page(items.clone(), &q(&[("status", "ACTIVE"), ("limit", "50")]), &filters).unwrap();
        assert_eq!(active.pagination.total, 13);
        let two = page(items.clone(), &q(&[("id", "l1, l4,zz")]), &filters).unwrap();
        assert_eq!(two.pagination.total, 2);
        let acct = page(items.clone(), &q(&[("destination.accountNumber", "0"), ("status", "EXPIRED")]), &filters).unwrap();
        assert_eq!(acct.pagination.total, 4);
        assert!(page(items.clone(), &q(&[("limit", "51")]), &[]).is_err());
        assert!(page(items, &q(&[("offset", "-1")]), &[]).is_err());
    }
}
