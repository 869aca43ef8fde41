//! List answers: comma-separated filters on fields of the stored records, and `limit` with
//! `offset` (or the `next` cursor a page answered) into
//! `{pagination: {count, next, previous, total}, results}`. Malformed parameters are 400s, not
//! ignored (§8): `next` is an integer, `customer.email` holds e-mail addresses.
//!
//! Selection runs on the records under the store's lock and clones only the page asked for;
//! rendering that page as JSON happens after the lock is released, so a list never costs
//! every other request the time to serialize the whole store.

use checkout_core::model::Pagination;
use serde::Serialize;
use serde_json::Value;

use super::errors::{Answer, Failure};
use super::extract::query_value;

const DEFAULT_LIMIT: u64 = 10;
const MAX_LIMIT: u64 = 50;

/// A query parameter and the values of the record field it filters on (every value found, for
/// fields inside lists such as `destinations[*].account.accountNumber`).
pub type Filter<T> = (&'static str, Field<T>);

/// The values of one record field.
pub type Field<T> = fn(&T) -> Vec<&str>;

/// The records of one page, cloned out of the store, and where the page sits in the list.
pub struct Selection<T> {
    pub pagination: Pagination,
    pub records: Vec<T>,
}

impl<T> Selection<T> {
    /// The page as Conomy's list answer, each record rendered by `view`.
    pub fn render(self, view: impl Fn(&T) -> Value) -> Value {
        let page = ListAnswer {
            pagination: self.pagination,
            results: self.records.iter().map(view).collect(),
        };
        serde_json::to_value(page).unwrap_or(Value::Null)
    }
}

/// Conomy's list answer.
#[derive(Serialize)]
struct ListAnswer {
    pagination: Pagination,
    results: Vec<Value>,
}

/// Keeps the records matching every given filter (any of its comma-separated values), then
/// clones the page asked for. Records are expected newest first.
pub fn select<'a, T: Clone + 'a>(
    records: impl Iterator<Item = &'a T>,
    query: &[(String, String)],
    filters: &[Filter<T>],
) -> Answer<Selection<T>> {
    let limit = number(query, "limit", DEFAULT_LIMIT)?;
    if limit > MAX_LIMIT {
        return Err(Failure::invalid("limit", "must be between 0 and 50"));
    }
    // `next` is where the previous page said the following one starts; `offset` wins if both.
    let next = number(query, "next", 0)?;
    let offset = number(query, "offset", next)?;
    let mut wanted: Vec<(Field<T>, Vec<&str>)> = Vec::new();
    for (param, field) in filters {
        // Sent but empty, an e-mail filter holds no address: refused, not read as "no filter".
        if param.ends_with("email") {
            if let Some(raw) = raw_value(query, param) {
                if !raw.split(',').all(|v| is_email_address(v.trim())) {
                    return Err(Failure::invalid(param, "must be comma-separated e-mail addresses"));
                }
            }
        }
        let Some(values) = query_value(query, param) else {
            continue;
        };
        wanted.push((
            *field,
            values.split(',').map(str::trim).filter(|v| !v.is_empty()).collect(),
        ));
    }
    let mut total: u64 = 0;
    let mut page = Vec::new();
    for record in records {
        let matches = wanted
            .iter()
            .all(|(field, values)| field(record).iter().any(|found| values.contains(found)));
        if !matches {
            continue;
        }
        if total >= offset && (page.len() as u64) < limit {
            page.push(record.clone());
        }
        total += 1;
    }
    let shown = offset.min(total) + page.len() as u64;
    Ok(Selection {
        pagination: Pagination {
            // "count of items shown up to the moment" (OpenAPI `pagination-cursor`).
            count: shown,
            // Offsets of the neighbouring pages; 0 when there is none after this one.
            next: if shown < total { shown } else { 0 },
            previous: offset.saturating_sub(limit),
            total,
        },
        records: page,
    })
}

/// `local@domain.tld` in the characters an address may hold: enough to tell an address from a
/// stray word (`customer.email=true`), lenient on what a merchant might really have stored.
fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local.len() <= 64
        && text.len() <= 254
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

/// The value of a query parameter as sent (the last one wins), trimmed, empty included.
fn raw_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim())
}

/// A non-negative integer parameter; sent empty it is no number either.
fn number(query: &[(String, String)], key: &str, default: u64) -> Answer<u64> {
    match raw_value(query, key) {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= u32::MAX as u64)
            .ok_or_else(|| Failure::invalid(key, "must be a non-negative integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct Row {
        id: String,
        status: &'static str,
        accounts: Vec<String>,
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    const FILTERS: [Filter<Row>; 3] = [
        ("id", |r| vec![r.id.as_str()]),
        ("status", |r| vec![r.status]),
        ("destination.accountNumber", |r| {
            r.accounts.iter().map(String::as_str).collect()
        }),
    ];

    #[test]
    fn pages_and_filters() {
        let rows: Vec<Row> = (0..25)
            .map(|i| Row {
                id: format!("l{i}"),
                status: if i % 2 == 0 { "ACTIVE" } else { "EXPIRED" },
                accounts: vec![format!("{}", i % 3)],
            })
            .collect();
        let select = |pairs: &[(&str, &str)]| select(rows.iter(), &q(pairs), &FILTERS);
        let page1 = select(&[]).unwrap();
        assert_eq!(
            (page1.records.len(), page1.pagination.total, page1.pagination.next),
            (10, 25, 10)
        );
        assert_eq!(page1.records[0].id, "l0");
        let last = select(&[("limit", "10"), ("offset", "20")]).unwrap();
        assert_eq!(last.records.len(), 5);
        assert_eq!(last.records[0].id, "l20");
        assert_eq!(
            (last.pagination.count, last.pagination.next, last.pagination.previous),
            (25, 0, 10)
        );
        let active = select(&[("status", "ACTIVE"), ("limit", "50")]).unwrap();
        assert_eq!((active.pagination.total, active.records.len()), (13, 13));
        assert_eq!(select(&[("id", "l1, l4,zz")]).unwrap().pagination.total, 2);
        let acct = select(&[("destination.accountNumber", "0"), ("status", "EXPIRED")]).unwrap();
        assert_eq!(acct.pagination.total, 4);
        let past_the_end = select(&[("offset", "40")]).unwrap();
        assert_eq!(
            (
                past_the_end.records.len(),
                past_the_end.pagination.count,
                past_the_end.pagination.next
            ),
            (0, 25, 0)
        );
        let by_cursor = select(&[("limit", "10"), ("next", "20")]).unwrap();
        assert_eq!(by_cursor.records[0].id, "l20");
        assert_eq!(
            select(&[("next", "20"), ("offset", "10")]).unwrap().records[0].id,
            "l10",
            "offset wins"
        );
        assert!(select(&[("next", "AAA")]).is_err());
        assert!(
            select(&[("next", "")]).is_err() && select(&[("limit", " ")]).is_err(),
            "empty is no number"
        );
        assert!(select(&[("limit", "51")]).is_err());
        assert!(select(&[("offset", "-1")]).is_err());
    }

    #[test]
    fn email_filters_hold_addresses() {
        for ok in ["ana@example.cl", "o'neil+x@a-b.example.co", "A.B@EXAMPLE.XN--P1AI"] {
            assert!(is_email_address(ok), "{ok}");
        }
        for bad in [
            "true",
            "",
            "@example.cl",
            "ana@",
            "ana@example",
            "ana@exa mple.cl",
            "ana@.cl",
            "a b@example.cl",
        ] {
            assert!(!is_email_address(bad), "{bad:?}");
        }
    }

    #[test]
    fn renders_only_the_page() {
        let rows: Vec<Row> = (0..100)
            .map(|i| Row {
                id: format!("r{i}"),
                status: "ACTIVE",
                accounts: vec![],
            })
            .collect();
        let rendered = std::cell::Cell::new(0);
        let answer = select(rows.iter(), &q(&[("limit", "3")]), &FILTERS)
            .unwrap()
            .render(|row| {
                rendered.set(rendered.get() + 1);
                serde_json::json!({"id": row.id})
            });
        assert_eq!(rendered.get(), 3);
        assert_eq!(answer["pagination"]["total"], 100);
        assert_eq!(answer["results"][2]["id"], "r2");
    }
}
