//! The rail table: everything this build knows about a payment rail, in one exhaustive `match`
//! ([`Rail::spec`]). A rail added to `model::Rail` does not compile until it has a row here, and
//! a rail the API adds tomorrow (`Rail::Unknown`) gets its explicit row too, so no other file
//! keeps a `_ =>` guess about rails. The SPA and the sandbox read the table through the small
//! accessors below; the sandbox-only columns are plain data the SPA never reads, and since
//! `spec` is always inlined, each accessor keeps only the column it reads (nothing of the
//! sandbox's columns reaches the wasm).

use crate::i18n::{t, Key, Locale};
use crate::model::Rail;

/// What the payer has to do after submitting a payment on a rail (§4 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RailKind {
    /// Leave for the provider's page (`<rail>.url`).
    Redirect,
    /// Scan or copy a QR code, then wait.
    Qr,
    /// Transfer to the shown account details, then wait.
    Transfer,
    /// Approve in the payer's banking app, then wait.
    ApproveInApp,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RailSpec {
    /// The next-action kind the rail normally asks for.
    pub kind: RailKind,
    /// The key of the rail's node in a payment origin (§4).
    pub node_key: NodeKey,
    /// The country (alpha-3) of a national rail; `None`: the session currency's country applies
    /// (see `fields::rail_country`).
    pub country: Option<&'static str>,
    /// The name a payer recognises.
    pub name: RailName,
    /// The icon the SPA shows beside the name.
    pub icon: Icon,
    /// How the sandbox simulates the rail.
    pub sandbox: SandboxSpec,
}

/// How a rail's node key is spelled (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKey {
    /// The rail type in camelCase: `BANCOLOMBIA` → `bancolombia`, `NEW_RAIL` → `newRail`.
    CamelCaseType,
    /// One of the contract's documented exceptions (`FEDNOW` → `fedNow`).
    Exactly(&'static str),
}

/// A rail's display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RailName {
    /// A brand, the same in every locale.
    Brand(&'static str),
    /// Words that are translated: the i18n text of the key.
    Text(Key),
    /// A rail this build does not know: the generic label with the rail's code.
    Other,
}

/// A rail's icon under `public/rails/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// `public/rails/<type in lowercase>.svg` (`pse.svg`).
    OfType,
    /// `public/rails/generic.svg`.
    Generic,
}

/// What the sandbox asks of a payment on the rail and what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxSpec {
    /// Fields under `<nodeKey>.customer.` every sandbox method of the rail requires (§5).
    pub customer_fields: &'static [&'static str],
    /// Whether the method also requires `<nodeKey>.bankId`, one of the country's banks.
    pub bank_id: bool,
    /// The document types the rail accepts; empty: any of its country's.
    pub document_types: &'static [&'static str],
    /// The document type a number without one is checked as; `None`: it is not checked.
    pub default_document_type: Option<&'static str>,
    /// What the sandbox writes into the rail node of a new payment.
    pub action: SandboxAction,
}

/// The next action the sandbox writes into a new payment's rail node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxAction {
    /// `url` of the sandbox's provider page, with `expiresAt` when the rail sends one.
    ProviderPage { expires_at: bool },
    /// A PIX "copia e cola" BR Code in `data` and `qrCode`, with `expiredAt`.
    PixCode,
    /// An EMV-style PCT QR text in `qrCode`.
    PctCode,
    /// A SPEI CLABE in `clabe`, at bank `STP`.
    Clabe,
    /// A CVU in `code`.
    Cvu,
    /// Nothing: the payer approves in their app.
    Nothing,
}

/// Rails the contract is silent about ask for an email, so every payment has a contact.
const EMAIL_ONLY: SandboxSpec = SandboxSpec {
    customer_fields: &["email"],
    bank_id: false,
    document_types: &[],
    default_document_type: None,
    action: SandboxAction::Nothing,
};

impl SandboxSpec {
    /// `EMAIL_ONLY` with this action.
    const fn email_only(action: SandboxAction) -> SandboxSpec {
        SandboxSpec { action, ..EMAIL_ONLY }
    }

    const fn asks(customer_fields: &'static [&'static str], action: SandboxAction) -> SandboxSpec {
        SandboxSpec {
            customer_fields,
            action,
            ..EMAIL_ONLY
        }
    }
}

impl Rail {
    /// The rail's row of the table. Always inlined: every accessor then keeps only its column.
    #[inline(always)]
    pub fn spec(&self) -> RailSpec {
        use Icon::{Generic, OfType};
        use RailKind::{ApproveInApp, Qr, Redirect, Transfer};
        use RailName::{Brand, Other, Text};
        use SandboxAction::{Clabe, Cvu, Nothing, PctCode, PixCode, ProviderPage};
        const PAGE: SandboxAction = ProviderPage { expires_at: false };
        const PAGE_EXPIRING: SandboxAction = ProviderPage { expires_at: true };
        let asks = SandboxSpec::asks;
        let email = SandboxSpec::email_only;
        let exactly = |key, spec: RailSpec| RailSpec {
            node_key: NodeKey::Exactly(key),
            ..spec
        };

        // rail => row(kind, national country, name, icon, sandbox: required customer fields + next action)
        match self {
            Rail::Card => row(
                Redirect,
                None,
                Text(Key::RailCard),
                OfType,
                asks(&["firstName", "lastName", "email"], PAGE),
            ),
            Rail::Crypto => exactly(
                "wallet",
                row(ApproveInApp, None, Text(Key::RailCrypto), OfType, email(Nothing)),
            ),
            Rail::Account => row(ApproveInApp, None, Text(Key::RailBankTransfer), Generic, email(Nothing)),
            Rail::BankAccount => exactly(
                "bank",
                row(ApproveInApp, None, Text(Key::RailBankTransfer), Generic, email(Nothing)),
            ),
            Rail::Pix => row(
                Qr,
                Some("BRA"),
                Brand("Pix"),
                OfType,
                SandboxSpec {
                    default_document_type: Some("CPF"),
                    ..asks(&["firstName", "lastName", "email", "documentNumber"], PixCode)
                },
            ),
            Rail::Pct => row(
                Qr,
                Some("ARG"),
                Brand("QR (PCT)"),
                OfType,
                asks(&["phoneNumberPrefix", "phoneNumber", "email"], PctCode),
            ),
            Rail::Cvu => row(Transfer, Some("ARG"), Brand("CVU"), OfType, email(Cvu)),
            Rail::Etpay => row(
                Redirect,
                Some("CHL"),
                Brand("ETpay"),
                OfType,
                asks(&["firstName", "email"], PAGE_EXPIRING),
            ),
            Rail::Fintoc => row(Redirect, Some("CHL"), Brand("Fintoc"), OfType, email(PAGE)),
            Rail::Webpay => row(
                Redirect,
                Some("CHL"),
                Brand("Webpay"),
                OfType,
                asks(&["firstName", "lastName", "email"], PAGE),
            ),
            Rail::Spei => row(
                Transfer,
                Some("MEX"),
                Brand("SPEI"),
                OfType,
                asks(&["firstName", "lastName"], Clabe),
            ),
            Rail::Pse => row(
                Redirect,
                Some("COL"),
                Brand("PSE"),
                OfType,
                SandboxSpec {
                    bank_id: true,
                    document_types: &["CC", "CE", "NIT"],
                    ..asks(
                        &[
                            "firstName",
                            "lastName",
                            "documentType",
                            "documentNumber",
                            "phoneNumber",
                            "email",
                        ],
                        PAGE,
                    )
                },
            ),
            Rail::Bancolombia => row(Redirect, Some("COL"), Brand("Bancolombia"), OfType, email(PAGE)),
            Rail::Davivienda => row(
                Redirect,
                Some("COL"),
                Brand("Davivienda"),
                OfType,
                SandboxSpec {
                    bank_id: true,
                    ..email(PAGE)
                },
            ),
            Rail::Daviplata => row(
                ApproveInApp,
                Some("COL"),
                Brand("Daviplata"),
                OfType,
                asks(&["documentType", "documentNumber", "email"], Nothing),
            ),
            Rail::Nequi => row(
                ApproveInApp,
                Some("COL"),
                Brand("Nequi"),
                OfType,
                asks(&["phoneNumber", "email"], Nothing),
            ),
            Rail::Breb => row(ApproveInApp, Some("COL"), Brand("Bre-B"), Generic, email(Nothing)),
            Rail::Wompi => row(
                Redirect,
                Some("COL"),
                Brand("Wompi"),
                OfType,
                asks(&["firstName", "email"], PAGE_EXPIRING),
            ),
            Rail::Ligo => row(Redirect, Some("PER"), Brand("Ligo"), Generic, email(PAGE)),
            Rail::Sip => row(Redirect, None, Brand("SIP"), Generic, email(PAGE)),
            Rail::Ach => row(ApproveInApp, None, Brand("ACH"), Generic, email(Nothing)),
            Rail::Wire => row(ApproveInApp, None, Brand("Wire"), Generic, email(Nothing)),
            Rail::Fednow => exactly(
                "fedNow",
                row(ApproveInApp, None, Brand("FedNow"), Generic, email(Nothing)),
            ),
            Rail::Rtp => row(ApproveInApp, None, Brand("RTP"), Generic, email(Nothing)),
            Rail::Sepa => row(ApproveInApp, None, Brand("SEPA"), Generic, email(Nothing)),
            Rail::Fpe => row(ApproveInApp, None, Brand("FPE"), Generic, email(Nothing)),
            Rail::Swift => row(ApproveInApp, None, Brand("SWIFT"), Generic, email(Nothing)),
            // A rail the API added after this build: the payer approves it wherever the provider
            // asks (a URL on it is never followed, see `next_action::next_action`), the country comes
            // from the currency, and the sandbox (which refuses unknown rails) would ask an email.
            Rail::Unknown(_) => row(ApproveInApp, None, Other, Generic, email(Nothing)),
        }
    }

    /// The key of the rail's node in a payment origin (§4): the type in camelCase, with the
    /// documented exceptions `FEDNOW`→`fedNow`, `BANK_ACCOUNT`→`bank`, `CRYPTO`→`wallet`.
    pub fn node_key(&self) -> String {
        match self.spec().node_key {
            NodeKey::Exactly(key) => key.into(),
            NodeKey::CamelCaseType => camel_case(self.as_str()),
        }
    }

    /// The next-action kind the rail normally asks for.
    pub fn kind(&self) -> RailKind {
        self.spec().kind
    }
}

/// The name a payer recognises for a rail (its row's `name`); unknown rails get a generic label
/// with their code.
pub fn rail_name(locale: Locale, rail: &Rail) -> String {
    match rail.spec().name {
        RailName::Brand(brand) => brand.to_string(),
        RailName::Text(key) => t(locale, key).to_string(),
        RailName::Other => format!("{} ({})", t(locale, Key::OtherRail), rail.as_str()),
    }
}

/// A row with the usual node key (the type in camelCase).
const fn row(
    kind: RailKind,
    country: Option<&'static str>,
    name: RailName,
    icon: Icon,
    sandbox: SandboxSpec,
) -> RailSpec {
    RailSpec {
        kind,
        node_key: NodeKey::CamelCaseType,
        country,
        name,
        icon,
        sandbox,
    }
}

/// `SOME_RAIL` → `someRail`.
fn camel_case(upper_snake: &str) -> String {
    let mut out = String::with_capacity(upper_snake.len());
    for (i, part) in upper_snake.split('_').filter(|p| !p.is_empty()).enumerate() {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{parse_required_path, rail_country, FieldKey};

    /// Every known rail and two the API might add tomorrow.
    fn every_rail() -> Vec<Rail> {
        let mut rails = Rail::KNOWN.to_vec();
        rails.extend([Rail::from("NEW_RAIL"), Rail::from("X")]);
        rails
    }

    #[test]
    fn every_rail_has_a_name_in_every_locale() {
        for rail in every_rail() {
            for locale in Locale::ALL {
                let name = rail_name(locale, &rail);
                assert!(!name.trim().is_empty(), "{rail} has no name in {locale:?}");
            }
        }
        // A rail this build does not know still shows its code, so the payer can tell it apart.
        assert!(rail_name(Locale::Es, &Rail::from("NEW_RAIL")).ends_with("(NEW_RAIL)"));
    }

    #[test]
    fn rails_have_names_and_unknown_rails_do_not_crash() {
        assert_eq!(rail_name(Locale::Es, &Rail::Etpay), "ETpay");
        assert_eq!(rail_name(Locale::PtBr, &Rail::Card), "Cartão");
        assert_eq!(
            rail_name(Locale::En, &Rail::from("NEW_RAIL")),
            "Other payment method (NEW_RAIL)"
        );
    }

    #[test]
    fn every_sandbox_next_action_matches_the_rail_kind() {
        for rail in every_rail() {
            let expected = match rail.spec().sandbox.action {
                SandboxAction::ProviderPage { .. } => RailKind::Redirect,
                SandboxAction::PixCode | SandboxAction::PctCode => RailKind::Qr,
                SandboxAction::Clabe | SandboxAction::Cvu => RailKind::Transfer,
                SandboxAction::Nothing => RailKind::ApproveInApp,
            };
            assert_eq!(rail.kind(), expected, "{rail}");
        }
    }

    #[test]
    fn node_keys_round_trip_to_their_rail() {
        for rail in Rail::KNOWN {
            assert_eq!(&Rail::from(rail.as_str()), rail);
            let key = rail.node_key();
            let owners: Vec<&Rail> = Rail::KNOWN.iter().filter(|r| r.node_key() == key).collect();
            assert_eq!(owners, vec![rail], "node key {key} must name exactly one rail");
            assert_ne!(key, Rail::from("NEW_RAIL").node_key());
        }
        // Only the contract's documented exceptions are spelled out.
        let exceptions: Vec<&str> = Rail::KNOWN
            .iter()
            .filter(|r| r.node_key() != camel_case(r.as_str()))
            .map(|r| r.as_str())
            .collect();
        assert_eq!(exceptions, ["CRYPTO", "BANK_ACCOUNT", "FEDNOW"]);
    }

    #[test]
    fn national_countries_win_over_the_session_currency() {
        for rail in every_rail() {
            match rail.spec().country {
                Some(country) => {
                    assert!(
                        country.len() == 3 && country.bytes().all(|b| b.is_ascii_uppercase()),
                        "{rail}: {country}"
                    );
                    assert_eq!(rail_country(&rail, "USD"), country, "{rail}");
                }
                None => assert_eq!(rail_country(&rail, "USD"), "USA", "{rail}"),
            }
        }
    }

    #[test]
    fn sandbox_fields_are_fields_the_payer_form_knows() {
        for rail in every_rail() {
            let sandbox = rail.spec().sandbox;
            assert!(
                !sandbox.customer_fields.is_empty(),
                "{rail} would take payments without a contact"
            );
            for field in sandbox.customer_fields {
                let path = format!("{}.customer.{field}", rail.node_key());
                assert!(
                    !matches!(parse_required_path(&path), FieldKey::Other(_)),
                    "{rail}: {path}"
                );
            }
            if sandbox.bank_id {
                assert!(
                    rail.spec().country.is_some(),
                    "{rail}: a bank list needs the rail's country"
                );
            }
            for kind in sandbox
                .document_types
                .iter()
                .chain(sandbox.default_document_type.iter())
            {
                assert!(
                    sandbox.customer_fields.contains(&"documentNumber"),
                    "{rail} checks {kind} without a number"
                );
            }
        }
    }

    #[test]
    fn icons_exist_and_every_icon_has_its_rail() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/rails");
        let mut own: Vec<String> = Rail::KNOWN
            .iter()
            .filter(|r| r.spec().icon == Icon::OfType)
            .map(|r| format!("{}.svg", r.as_str().to_ascii_lowercase()))
            .collect();
        own.push("generic.svg".into());
        own.sort();
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".svg"))
            .collect();
        files.sort();
        assert_eq!(own, files, "rails with Icon::OfType and the files under public/rails/");
        assert_eq!(Rail::from("NEW_RAIL").spec().icon, Icon::Generic);
    }

    #[test]
    fn node_keys_follow_the_contract() {
        assert_eq!(Rail::Etpay.node_key(), "etpay");
        assert_eq!(Rail::Fednow.node_key(), "fedNow");
        assert_eq!(Rail::BankAccount.node_key(), "bank");
        assert_eq!(Rail::Crypto.node_key(), "wallet");
        assert_eq!(Rail::from("NEW_RAIL").node_key(), "newRail");
    }
}
