//! Exact decimal numbers for money: an `i128` count of units plus a decimal scale, no floats.
//!
//! Amounts travel as decimal strings (`"1234.50"`); parsing them into `f64` would lose digits
//! (`"123456789012345.67"` is not representable), so every calculation on money goes through
//! this type. Arithmetic is checked: an overflow is `None`, never a wrong number.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The most digits a parsed number may have. 30 leaves headroom inside `i128` (38 digits) for
/// rescaling to a currency's minor units and for multiplying by small rates.
pub const MAX_DIGITS: usize = 30;
/// The most decimals a value may carry; products are rounded back to this.
pub const MAX_SCALE: u32 = 30;

/// An exact decimal: `units / 10^scale`. Equality and order are numeric (`1.0 == 1.00`), while
/// `Display` keeps the scale (`"1.00"`), which is what money formatting needs.
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// Why a text is not a decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// Nothing to parse.
    Empty,
    /// Not a plain decimal (`1e5`, `1,000`, ` 1`, `NaN`, …).
    Invalid,
    /// More digits than [`MAX_DIGITS`].
    TooLarge,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalError::Empty => "empty number",
            DecimalError::Invalid => "not a decimal number",
            DecimalError::TooLarge => "number has too many digits",
        })
    }
}

impl std::error::Error for DecimalError {}

/// `10^exp`, or `None` past `i128`.
fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

/// `value / 10^exp` rounded half away from zero.
fn div_round(value: i128, exp: u32) -> i128 {
    if exp == 0 {
        return value;
    }
    // |i128| < 1.8e38, so dividing by 10^39 or more always rounds to zero.
    let Some(divisor) = pow10(exp) else { return 0 };
    let quotient = value / divisor;
    let remainder = (value % divisor).unsigned_abs();
    // remainder*2 >= divisor without overflowing: remainder >= divisor - remainder.
    if remainder >= divisor.unsigned_abs() - remainder {
        quotient + value.signum()
    } else {
        quotient
    }
}

impl Decimal {
    /// Parses a plain decimal: optional `-`, digits, optionally `.` and more digits. No
    /// exponent, sign `+`, grouping or surrounding spaces: amounts from the API are canonical,
    /// and accepting more would let ambiguous text (`1,000`) through.
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        if text.is_empty() {
            return Err(DecimalError::Empty);
        }
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int_part) || !frac_part.is_none_or(all_digits) {
            return Err(DecimalError::Invalid);
        }
        let frac_part = frac_part.unwrap_or("");
        let significant = int_part.trim_start_matches('0').len() + frac_part.len();
        if significant > MAX_DIGITS || frac_part.len() > MAX_SCALE as usize {
            return Err(DecimalError::TooLarge);
        }
        let mut units: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            // At most MAX_DIGITS significant digits: cannot overflow.
            units = units * 10 + i128::from(b - b'0');
        }
        if negative {
            units = -units;
        }
        Ok(Decimal {
            units,
            scale: frac_part.len() as u32,
        })
    }

    pub fn zero() -> Decimal {
        Decimal { units: 0, scale: 0 }
    }

    pub fn from_int(v: i64) -> Decimal {
        Decimal {
            units: i128::from(v),
            scale: 0,
        }
    }

    /// Number of decimals shown by `Display`.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The same value with exactly `scale` decimals: rounds half away from zero when
    /// shortening, pads with zeros when lengthening (`None` only if padding overflows).
    pub fn rescale(&self, scale: u32) -> Option<Decimal> {
        let scale = scale.min(MAX_SCALE);
        if scale >= self.scale {
            let units = self.units.checked_mul(pow10(scale - self.scale)?)?;
            Some(Decimal { units, scale })
        } else {
            Some(Decimal {
                units: div_round(self.units, self.scale - scale),
                scale,
            })
        }
    }

    /// Both values at their common (larger) scale.
    fn aligned(&self, other: &Decimal) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        Some((self.rescale(scale)?.units, other.rescale(scale)?.units, scale))
    }

    pub fn checked_add(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, scale) = self.aligned(other)?;
        Some(Decimal {
            units: a.checked_add(b)?,
            scale,
        })
    }

    pub fn checked_sub(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, scale) = self.aligned(other)?;
        Some(Decimal {
            units: a.checked_sub(b)?,
            scale,
        })
    }

    /// Exact product; decimals beyond [`MAX_SCALE`] are rounded away.
    pub fn checked_mul(&self, other: &Decimal) -> Option<Decimal> {
        let units = self.units.checked_mul(other.units)?;
        let scale = self.scale + other.scale;
        if scale > MAX_SCALE {
            Some(Decimal {
                units: div_round(units, scale - MAX_SCALE),
                scale: MAX_SCALE,
            })
        } else {
            Some(Decimal { units, scale })
        }
    }

    /// `self * rate / 100`, rounded half away from zero to `scale` decimals (a tax at a
    /// percentage rate).
    pub fn percent(&self, rate: &Decimal, scale: u32) -> Option<Decimal> {
        let scale = scale.min(MAX_SCALE);
        let product = self.units.checked_mul(rate.units)?;
        // Dividing by 100 is two more decimals.
        let product_scale = self.scale + rate.scale + 2;
        if product_scale >= scale {
            Some(Decimal {
                units: div_round(product, product_scale - scale),
                scale,
            })
        } else {
            Some(Decimal {
                units: product.checked_mul(pow10(scale - product_scale)?)?,
                scale,
            })
        }
    }

    /// Rounded half away from zero to `scale` decimals, or padded to them. Keeps the value
    /// unchanged in the (unreachable for parsed amounts) case where padding would overflow.
    pub fn round(&self, scale: u32) -> Decimal {
        self.rescale(scale).unwrap_or(*self)
    }

    pub fn is_zero(&self) -> bool {
        self.units == 0
    }

    pub fn is_negative(&self) -> bool {
        self.units < 0
    }

    /// Integer part and the fraction as units of `10^-scale`, both truncated toward zero.
    fn split(&self) -> (i128, i128) {
        match pow10(self.scale) {
            Some(p) => (self.units / p, self.units % p),
            None => (0, self.units),
        }
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    /// Compares integer parts, then fractions at a common scale: the fractions have at most
    /// [`MAX_SCALE`] digits, so aligning them cannot overflow where aligning whole values could.
    fn cmp(&self, other: &Self) -> Ordering {
        let (ai, af) = self.split();
        let (bi, bf) = other.split();
        let scale = self.scale.max(other.scale);
        let widen = |f: i128, s: u32| pow10(scale - s).and_then(|p| f.checked_mul(p)).unwrap_or(f);
        ai.cmp(&bi)
            .then_with(|| widen(af, self.scale).cmp(&widen(bf, other.scale)))
    }
}

impl fmt::Display for Decimal {
    /// Canonical: `-1234.50`, exactly `scale()` decimals, no grouping, no `-0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        if self.units < 0 {
            f.write_str("-")?;
        }
        f.write_str(int_part)?;
        if scale > 0 {
            f.write_str(".")?;
            f.write_str(frac_part)?;
        }
        Ok(())
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn parses_plain_decimals_and_keeps_their_scale() {
        assert_eq!(d("0.10").to_string(), "0.10");
        assert_eq!(d("-0.5").to_string(), "-0.5");
        assert_eq!(d("12").to_string(), "12");
        assert_eq!(d("0.001").scale(), 3);
        assert_eq!(d("123456789012345.67").to_string(), "123456789012345.67");
        assert_eq!(d("-0").to_string(), "0");
        assert_eq!(d("007.5").to_string(), "7.5");
        assert!(!d("-0.00").is_negative());
    }

    #[test]
    fn rejects_anything_but_plain_decimals() {
        assert_eq!(Decimal::parse(""), Err(DecimalError::Empty));
        for bad in [
            "-", ".", "1e5", "1,000", " 1", "1 ", "+-1", "+1", "NaN", "inf", "1.", ".5", "1.2.3", "--1", "١", "0x10",
        ] {
            assert_eq!(Decimal::parse(bad), Err(DecimalError::Invalid), "{bad:?}");
        }
        assert_eq!(Decimal::parse(&"9".repeat(31)), Err(DecimalError::TooLarge));
        assert!(Decimal::parse(&"9".repeat(30)).is_ok());
        // Leading zeros are not significant digits.
        assert!(Decimal::parse(&format!("{}1", "0".repeat(40))).is_ok());
    }

    #[test]
    fn equality_and_order_are_numeric() {
        assert_eq!(d("1.0"), d("1.00"));
        assert!(d("-1.5") < d("-1.2"));
        assert!(d("-0.5") < d("0.2"));
        assert!(d("2") > d("1.999999999999999999999999999"));
        assert!(d("0.000000000000000000000000000001") > Decimal::zero());
        assert_eq!(d("100").cmp(&d("99.99")), Ordering::Greater);
    }

    #[test]
    fn arithmetic_is_exact_and_checked() {
        assert_eq!(d("0.1").checked_add(&d("0.2")).unwrap().to_string(), "0.3");
        assert_eq!(d("1.5").checked_sub(&d("2.25")).unwrap().to_string(), "-0.75");
        assert_eq!(d("1.5").checked_mul(&d("-2.25")).unwrap().to_string(), "-3.375");
        assert_eq!(
            d("123456789012345.67").checked_add(&d("0.33")).unwrap().to_string(),
            "123456789012346.00"
        );
        let big = Decimal {
            units: i128::MAX,
            scale: 0,
        };
        assert_eq!(big.checked_add(&Decimal::from_int(1)), None);
        assert_eq!(big.checked_mul(&Decimal::from_int(2)), None);
        assert_eq!(Decimal::from_int(-7).to_string(), "-7");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(d("1.005").round(2).to_string(), "1.01");
        assert_eq!(d("-1.005").round(2).to_string(), "-1.01");
        assert_eq!(d("1.004").round(2).to_string(), "1.00");
        assert_eq!(d("1000.5").round(0).to_string(), "1001");
        assert_eq!(d("1000.4").round(0).to_string(), "1000");
        assert_eq!(d("1234.5").round(2).to_string(), "1234.50");
        assert_eq!(d("0.4").round(0).to_string(), "0");
    }

    #[test]
    fn percent_rounds_to_the_requested_scale() {
        // 19 % VAT on 1000 CLP.
        assert_eq!(d("1000").percent(&d("19"), 0).unwrap().to_string(), "190");
        assert_eq!(d("10.05").percent(&d("16"), 2).unwrap().to_string(), "1.61"); // 1.608
        assert_eq!(d("0.5").percent(&d("1"), 2).unwrap().to_string(), "0.01"); // 0.005
        assert_eq!(d("-0.5").percent(&d("1"), 2).unwrap().to_string(), "-0.01");
        assert_eq!(d("3").percent(&d("50"), 3).unwrap().to_string(), "1.500");
    }
}
