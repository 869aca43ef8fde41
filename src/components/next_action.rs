//! What the payer does after submitting: leave for the provider, scan/copy a QR, transfer to
//! the shown account, or approve in their app. Shown inside the waiting screen, through
//! `NextActionView` in `crate::chunk`, from the post-payment chunk.

use checkout_core::i18n::Key;
use checkout_core::model::Payment;
use checkout_core::next_action::NextAction;
use checkout_core::rails::rail_name;
use checkout_core::url::safe_redirect;
use leptos::prelude::*;

use crate::components::copy_button::CopyButton;
use crate::components::countdown::Countdown;
use crate::components::qr;
use crate::intl::use_amounts;
use crate::locale::use_i18n;

/// The next action in full, drawn from the post-payment chunk (the page mounts `NextActionView`,
/// in `crate::chunk`).
pub(crate) fn next_action_view(payment: Payment, action: NextAction) -> AnyView {
    let i18n = use_i18n();
    let rail = payment.origins.first().map(|o| o.rail.clone());
    let provider = move || rail.as_ref().map(|r| rail_name(i18n.get(), r)).unwrap_or_default();
    match action {
        NextAction::Redirect { url } => {
            let link = safe_redirect(&url).map(|href| {
                let provider = provider.clone();
                view! {
                    <p>{move || i18n.t(Key::RedirectBody)}</p>
                    <p><a class="button" href=href rel="noreferrer" target=crate::embed::link_target()>{move || i18n.fill(Key::RedirectLink, &[("provider", &provider())])}</a></p>
                }
            });
            view! {
                <div class="next-action" data-testid="next-redirect">
                    <h3>{move || i18n.fill(Key::RedirectTitle, &[("provider", &provider())])}</h3>
                    {link}
                </div>
            }
            .into_any()
        }
        NextAction::Qr {
            qr_text,
            qr_image,
            copy_code,
            expires_at,
        } => {
            let src = qr_text
                .as_deref()
                .and_then(qr::svg_data_url)
                .or_else(|| qr_image.as_deref().and_then(qr::image_src));
            let code = copy_code.or(qr_text);
            view! {
                <div class="next-action" data-testid="next-qr">
                    <h3>{move || i18n.t(Key::QrTitle)}</h3>
                    <p>{move || i18n.t(Key::QrBody)}</p>
                    {src.map(|src| view! {
                        <img class="qr" data-testid="qr-image" src=src alt=move || i18n.t(Key::QrAlt) width="240" height="240" />
                    })}
                    {code.map(|code| view! {
                        <div class="code-block">
                            <p class="code-label" id="copy-code-label">{move || i18n.t(Key::CopyCodeLabel)}</p>
                            <p class="code" id="copy-code" data-testid="copy-code" aria-labelledby="copy-code-label">{code.clone()}</p>
                            <CopyButton text=code target_id="copy-code".to_string() what=Key::CopyCodeLabel />
                        </div>
                    })}
                    {expires_at.map(|at| view! { <Countdown expires_at=at label=Key::QrExpiresIn testid="qr-countdown" /> })}
                </div>
            }
            .into_any()
        }
        NextAction::Transfer { clabe, cvu, bank } => {
            let amount = (!payment.total_amount.is_empty()).then(|| {
                let (total, currency) = (payment.total_amount.clone(), payment.currency.clone());
                let amounts = use_amounts();
                move || amounts.format(&total, &currency)
            });
            let account = |value: Option<String>, label: Key, testid: &'static str| {
                value.map(|value| {
                    view! {
                        <div class="row">
                            <dt>{move || i18n.t(label)}</dt>
                            <dd>
                                <code class="code" id=testid data-testid=testid>{value.clone()}</code>
                                <CopyButton text=value target_id=testid.to_string() what=label />
                            </dd>
                        </div>
                    }
                })
            };
            view! {
                <div class="next-action" data-testid="next-transfer">
                    <h3>{move || i18n.t(Key::TransferTitle)}</h3>
                    {amount.map(|amount| view! {
                        <p>{move || i18n.fill(Key::TransferBody, &[("amount", &amount())])}</p>
                    })}
                    <dl class="account">
                        {account(clabe, Key::ClabeLabel, "clabe")}
                        {account(cvu, Key::CvuLabel, "cvu")}
                        {bank.map(|bank| view! {
                            <div class="row">
                                <dt>{move || i18n.t(Key::BankLabel)}</dt>
                                <dd data-testid="transfer-bank">{bank}</dd>
                            </div>
                        })}
                    </dl>
                </div>
            }
            .into_any()
        }
        NextAction::ApproveInApp => view! {
            <div class="next-action" data-testid="next-approve">
                <h3>{move || i18n.t(Key::ApproveTitle)}</h3>
                <p>{move || i18n.fill(Key::ApproveBody, &[("provider", &provider())])}</p>
            </div>
        }
        .into_any(),
    }
}
