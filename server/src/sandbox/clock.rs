//! Time source of the simulator: injectable so expiry can be tested without sleeping.

use std::sync::Mutex;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The wall clock (UTC).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to (tests).
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self { now: Mutex::new(start) }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// RFC 3339 in UTC with milliseconds and `Z`, the form the Conomy API uses:
/// `2025-04-24T13:05:09.123Z`.
pub fn rfc3339_ms(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    // Formatting a UTC date with this description cannot fail for years 0..=9999; the
    // fallback keeps the server answering even if it somehow did.
    at.to_offset(UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_with_milliseconds_and_z() {
        let at = datetime!(2025-04-24 13:05:09.123456 +02:00);
        assert_eq!(rfc3339_ms(at), "2025-04-24T11:05:09.123Z");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(datetime!(2025-01-01 0:00 UTC));
        clock.advance(Duration::seconds(31));
        assert_eq!(clock.now(), datetime!(2025-01-01 0:00:31 UTC));
    }
}
