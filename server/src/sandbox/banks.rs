//! The bank directory of `GET /payments/banks/{country}` (pickers such as PSE's `bankId`).

use axum::Json;
use checkout_core::model::Bank;

use super::errors::Answer;
use super::extract::{path_id, RawPathId};

/// `(code, name)` per ISO 3166-1 alpha-3 country. Colombian codes are PSE's institution codes.
fn directory(country: &str) -> &'static [(&'static str, &'static str)] {
    match country {
        "COL" => &[
            ("1007", "Bancolombia"),
            ("1051", "Banco Davivienda"),
            ("1001", "Banco de Bogotá"),
            ("1013", "BBVA Colombia"),
            ("1023", "Banco de Occidente"),
            ("1002", "Banco Popular"),
            ("1507", "Nequi"),
        ],
        "CHL" => &[
            ("BANCO_CHILE", "Banco de Chile"),
            ("BCI", "BCI"),
            ("SANTANDER", "Banco Santander"),
            ("BANCO_ESTADO", "BancoEstado"),
            ("SCOTIABANK", "Scotiabank Chile"),
            ("ITAU", "Itaú Chile"),
        ],
        "MEX" => &[
            ("BBVA_MEXICO", "BBVA México"),
            ("BANORTE", "Banorte"),
            ("SANTANDER_MX", "Santander México"),
            ("BANAMEX", "Banamex"),
            ("STP", "STP"),
        ],
        "PER" => &[
            ("BCP", "Banco de Crédito del Perú"),
            ("INTERBANK", "Interbank"),
            ("BBVA_PERU", "BBVA Perú"),
            ("SCOTIABANK_PERU", "Scotiabank Perú"),
        ],
        "ARG" => &[
            ("BANCO_NACION", "Banco de la Nación Argentina"),
            ("GALICIA", "Banco Galicia"),
            ("SANTANDER_AR", "Santander Argentina"),
            ("MERCADO_PAGO", "Mercado Pago"),
        ],
        "BRA" => &[
            ("001", "Banco do Brasil"),
            ("341", "Itaú Unibanco"),
            ("237", "Bradesco"),
            ("104", "Caixa Econômica Federal"),
            ("260", "Nubank"),
        ],
        _ => &[],
    }
}

/// The banks of a country; an unknown country has none (an empty list, not an error).
pub fn banks(country: &str) -> Vec<Bank> {
    let country = country.trim().to_ascii_uppercase();
    directory(&country)
        .iter()
        .map(|(code, name)| Bank {
            code: code.to_string(),
            name: name.to_string(),
            country_code: country.clone(),
        })
        .collect()
}

pub fn is_known_bank(country: &str, code: &str) -> bool {
    directory(country).iter().any(|(known, _)| *known == code)
}

/// `GET /payments/banks/{country}`: an unknown country has no banks; a segment that is no
/// Conomy path segment at all (`[A-Za-z0-9_-]{1,128}`, §2) is a 400 like any other id.
pub async fn list(country: RawPathId) -> Answer<Json<Vec<Bank>>> {
    let country = path_id(country, "country")?;
    Ok(Json(if country.len() <= 3 {
        banks(&country)
    } else {
        Vec::new()
    }))
}
