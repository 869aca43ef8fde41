//! Realistic payment instructions for QR and transfer rails: PIX "copia e cola" BR Codes (EMV
//! with CRC16), an EMV-style PCT QR text, SPEI CLABEs and CVUs with valid check digits.

use rand::Rng;

/// CRC16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor): the checksum of
/// EMV merchant-presented QR codes, field `63`.
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// One EMV TLV field: two-digit id, two-digit length, value (truncated to 99 bytes of ASCII).
fn emv(id: &str, value: &str) -> String {
    let value: String = value.chars().take(99).collect();
    format!("{id}{:02}{value}", value.len())
}

/// Appends the CRC field (`6304` + 4 uppercase hex digits computed over everything before it).
fn with_crc(mut payload: String) -> String {
    payload.push_str("6304");
    let crc = crc16_ccitt_false(payload.as_bytes());
    payload.push_str(&format!("{crc:04X}"));
    payload
}

/// EMV text fields allow a restricted ASCII set: accents are folded, the rest dropped.
fn emv_text(text: &str, max: usize) -> String {
    let folded: String = text
        .chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => Some('A'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => Some('E'),
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => Some('I'),
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => Some('O'),
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => Some('U'),
            'ç' | 'Ç' => Some('C'),
            'ñ' | 'Ñ' => Some('N'),
            c if c.is_ascii_alphanumeric() || c == ' ' => Some(c.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    let trimmed = folded.trim();
    let out: String = trimmed.chars().take(max).collect();
    if out.is_empty() {
        "CONOMY".into()
    } else {
        out
    }
}

/// Transaction ids in field 62-05: alphanumeric, at most 25 characters.
fn txid(reference: &str) -> String {
    let id: String = reference.chars().filter(char::is_ascii_alphanumeric).take(25).collect();
    if id.is_empty() {
        "***".into()
    } else {
        id
    }
}

/// A PIX "copia e cola" BR Code for a dynamic charge of `amount` BRL (decimal string with two
/// decimals) to the PIX key `key`.
pub fn pix_copy_paste(key: &str, amount: &str, merchant: &str, city: &str, reference: &str) -> String {
    let account = emv("00", "br.gov.bcb.pix") + &emv("01", key);
    let payload = [
        emv("00", "01"),
        emv("26", &account),
        emv("52", "0000"),
        emv("53", "986"),
        emv("54", amount),
        emv("58", "BR"),
        emv("59", &emv_text(merchant, 25)),
        emv("60", &emv_text(city, 15)),
        emv("62", &emv("05", &txid(reference))),
    ]
    .concat();
    with_crc(payload)
}

/// An EMV-style interoperable transfer QR (Argentina's "Transferencias 3.0", PCT) for `amount`
/// ARS. Real PCT codes carry the acquirer's data in field 43; the sandbox keeps the layout.
pub fn pct_qr(amount: &str, merchant: &str, reference: &str) -> String {
    let account = emv("00", "ar.com.pct") + &emv("01", reference);
    let payload = [
        emv("00", "01"),
        emv("01", "12"),
        emv("43", &account),
        emv("52", "0000"),
        emv("53", "032"),
        emv("54", amount),
        emv("58", "AR"),
        emv("59", &emv_text(merchant, 25)),
        emv("60", "BUENOS AIRES"),
        emv("62", &emv("05", &txid(reference))),
    ]
    .concat();
    with_crc(payload)
}

fn digits_of(text: &str) -> Vec<u32> {
    text.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// Check digit of the first 17 CLABE digits: weights 3, 7, 1 repeating, each product mod 10.
pub fn clabe_check_digit(first17: &str) -> u32 {
    let sum: u32 = digits_of(first17)
        .iter()
        .zip([3, 7, 1].iter().cycle())
        .map(|(d, w)| (d * w) % 10)
        .sum();
    (10 - sum % 10) % 10
}

pub fn is_valid_clabe(clabe: &str) -> bool {
    clabe.len() == 18
        && clabe.bytes().all(|b| b.is_ascii_digit())
        && clabe_check_digit(&clabe[..17]) == digits_of(&clabe[17..])[0]
}

/// A CLABE at STP (bank 646, plaza 180) with a random 11-digit account.
pub fn random_clabe() -> String {
    let account: u64 = rand::thread_rng().gen_range(0..100_000_000_000);
    let first17 = format!("646180{account:011}");
    format!("{first17}{}", clabe_check_digit(&first17))
}

/// BCRA check digit of a CBU/CVU block: `(10 - Σ dᵢ·wᵢ mod 10) mod 10`.
fn cbu_check_digit(digits: &str, weights: &[u32]) -> u32 {
    let sum: u32 = digits_of(digits).iter().zip(weights).map(|(d, w)| d * w).sum();
    (10 - sum % 10) % 10
}

const CBU_BLOCK1_WEIGHTS: [u32; 7] = [7, 1, 3, 9, 7, 1, 3];
const CBU_BLOCK2_WEIGHTS: [u32; 13] = [3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3];

pub fn is_valid_cbu(code: &str) -> bool {
    code.len() == 22
        && code.bytes().all(|b| b.is_ascii_digit())
        && cbu_check_digit(&code[..7], &CBU_BLOCK1_WEIGHTS) == digits_of(&code[7..8])[0]
        && cbu_check_digit(&code[8..21], &CBU_BLOCK2_WEIGHTS) == digits_of(&code[21..])[0]
}

/// A CVU: `000` + a 4-digit payment provider id + check digit, then a 13-digit account + check
/// digit (the CBU layout, which BCRA reuses for virtual accounts).
pub fn random_cvu() -> String {
    let provider: u32 = rand::thread_rng().gen_range(1..10_000);
    let account: u64 = rand::thread_rng().gen_range(0..10_000_000_000_000);
    let block1 = format!("000{provider:04}");
    let block2 = format!("{account:013}");
    format!(
        "{block1}{}{block2}{}",
        cbu_check_digit(&block1, &CBU_BLOCK1_WEIGHTS),
        cbu_check_digit(&block2, &CBU_BLOCK2_WEIGHTS)
    )
}

/// Splits an EMV payload into `(id, value)` fields; `None` when the lengths do not add up.
pub fn parse_emv(payload: &str) -> Option<Vec<(String, String)>> {
    let mut fields = Vec::new();
    let mut rest = payload;
    while !rest.is_empty() {
        let id = rest.get(..2)?;
        let len: usize = rest.get(2..4)?.parse().ok()?;
        let value = rest.get(4..4 + len)?;
        fields.push((id.to_string(), value.to_string()));
        rest = &rest[4 + len..];
    }
    Some(fields)
}

/// Whether the last field is `63` with the CRC of everything before its value.
pub fn emv_crc_is_valid(payload: &str) -> bool {
    let Some(body) = payload.len().checked_sub(4).and_then(|end| payload.get(..end)) else {
        return false;
    };
    body.ends_with("6304")
        && payload.get(body.len()..) == Some(format!("{:04X}", crc16_ccitt_false(body.as_bytes())).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_known_values() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
        // The example BR Code of the Banco Central do Brasil's PIX manual.
        let bcb = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000\
                   5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
        assert!(emv_crc_is_valid(bcb));
        assert!(!emv_crc_is_valid(&bcb.replace("1D3D", "1D3E")));
    }

    #[test]
    fn pix_code_has_every_required_field() {
        let code = pix_copy_paste(
            "123e4567-e12b-12d1-a456-426655440000",
            "197.90",
            "Escola São João",
            "São Paulo",
            "pay_0a1b",
        );
        assert!(emv_crc_is_valid(&code));
        let fields = parse_emv(&code).unwrap();
        let get = |id: &str| fields.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str());
        assert_eq!(get("00"), Some("01"));
        assert!(get("26").unwrap().starts_with("0014br.gov.bcb.pix01"));
        assert_eq!(get("52"), Some("0000"));
        assert_eq!(get("53"), Some("986"));
        assert_eq!(get("54"), Some("197.90"));
        assert_eq!(get("58"), Some("BR"));
        assert_eq!(get("59"), Some("ESCOLA SAO JOAO"));
        assert_eq!(get("60"), Some("SAO PAULO"));
        assert_eq!(get("62"), Some("0507pay0a1b"));
    }

    #[test]
    fn pct_code_is_emv_with_crc() {
        let code = pct_qr("30250.00", "Teatro Colón", "pay_1");
        assert!(emv_crc_is_valid(&code));
        assert!(parse_emv(&code).is_some());
    }

    #[test]
    fn clabes_have_valid_check_digits() {
        assert!(is_valid_clabe("032180000118359719"));
        assert!(!is_valid_clabe("032180000118359718"));
        for _ in 0..50 {
            let clabe = random_clabe();
            assert!(is_valid_clabe(&clabe), "{clabe}");
        }
    }

    #[test]
    fn cvus_have_valid_check_digits() {
        assert!(is_valid_cbu("2850590940090418135201"));
        assert!(!is_valid_cbu("2850590940090418135202"));
        for _ in 0..50 {
            let cvu = random_cvu();
            assert!(cvu.starts_with("000") && is_valid_cbu(&cvu), "{cvu}");
        }
    }
}
