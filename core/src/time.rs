//! Time as the API writes it: RFC 3339 date-times read as Unix milliseconds
//! ([`parse_rfc3339_ms`]), and the time left until a deadline ([`countdown`]).

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar.
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 date-time (`2025-04-24T12:00:00.123Z`,
/// `…-05:00`); fractions beyond milliseconds are truncated. `None` for anything else.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        let digits = b.get(from..to)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &b[start..i.min(start + 3)];
        millis = frac.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')) * 10_i64.pow(3 - frac.len() as u32);
    }
    let offset_minutes = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Time left until a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    pub seconds_left: i64,
    /// Under two minutes: the page may draw attention to it.
    pub urgent: bool,
}

/// Whole seconds left (rounded up, never negative), or `None` if `expires_at` is not a date.
pub fn countdown(now_ms: i64, expires_at: &str) -> Option<Countdown> {
    let left_ms = parse_rfc3339_ms(expires_at)?.saturating_sub(now_ms).max(0);
    let seconds_left = left_ms / 1000 + i64::from(left_ms % 1000 != 0);
    Some(Countdown {
        seconds_left,
        urgent: seconds_left < 120,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2025-04-24T12:00:00Z"), Some(1_745_496_000_000));
        assert_eq!(parse_rfc3339_ms("2025-04-24T12:00:00.123Z"), Some(1_745_496_000_123));
        assert_eq!(parse_rfc3339_ms("2025-04-24T12:00:00.1Z"), Some(1_745_496_000_100));
        assert_eq!(
            parse_rfc3339_ms("2025-04-24T12:00:00.123456789Z"),
            Some(1_745_496_000_123)
        );
        assert_eq!(parse_rfc3339_ms("2025-04-24T07:00:00-05:00"), Some(1_745_496_000_000));
        assert_eq!(parse_rfc3339_ms("2025-04-24T14:30:00+02:30"), Some(1_745_496_000_000));
        assert_eq!(parse_rfc3339_ms("2024-02-29t00:00:00z"), Some(1_709_164_800_000));
        assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59Z"), Some(-1000));
        for bad in [
            "",
            "2025-04-24",
            "2025-04-24T12:00:00",
            "2025-04-24T12:00Z",
            "2025-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-04-24T24:00:00Z",
            "2025-04-24T12:60:00Z",
            "2025-04-24T12:00:00.Z",
            "2025-04-24T12:00:00+0500",
            "2025-04-24T12:00:00+25:00",
            "2025-04-24T12:00:00ZZ",
            "2025/04/24T12:00:00Z",
            "+025-04-24T12:00:00Z",
            "2025-04-24T12:00:00 Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn countdown_rounds_up_and_flags_the_last_two_minutes() {
        let exp = "2025-04-24T12:30:00Z";
        let at = |s: &str| parse_rfc3339_ms(s).unwrap();
        assert_eq!(
            countdown(at("2025-04-24T12:00:00Z"), exp),
            Some(Countdown {
                seconds_left: 1800,
                urgent: false
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T12:28:00Z"), exp),
            Some(Countdown {
                seconds_left: 120,
                urgent: false
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T12:28:00.5Z"), exp),
            Some(Countdown {
                seconds_left: 120,
                urgent: false
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T12:28:01Z"), exp),
            Some(Countdown {
                seconds_left: 119,
                urgent: true
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T13:00:00Z"), exp),
            Some(Countdown {
                seconds_left: 0,
                urgent: true
            })
        );
        assert_eq!(countdown(0, "soon"), None);
        assert_eq!(countdown(i64::MIN, exp).map(|c| c.seconds_left > 0), Some(true));
    }
}
