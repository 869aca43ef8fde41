//! Every text the payer sees, in one table: a row per key with its text in each language.
//!
//! The languages are declared once, in `locales!`; each row of `texts!` is a struct literal
//! with one field per language, so a row that leaves a language out is a compile error, not a
//! blank label in production, and a new language is one more line there and one more column
//! here. Templates use `{name}` placeholders filled by [`fill`]. Field labels, validation
//! messages and document types are rows too, so the views never hold text of their own; rail
//! names are read from the rail table (`rails::rail_name`).

use crate::fields::FieldKey;
use crate::validate::FieldError;

/// Declares the languages: the `Locale` enum, its tags and names, and the columns of a row.
macro_rules! locales {
    ($($locale:ident { column: $column:ident, tag: $tag:literal, matches: $base:literal, name: $name:literal }),+ $(,)?) => {
        /// A language the checkout speaks.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum Locale {
            $($locale),+
        }

        impl Locale {
            pub const ALL: [Locale; [$(Locale::$locale),+].len()] = [$(Locale::$locale),+];

            /// BCP 47 tag, for `<html lang>` and `Intl`.
            pub fn tag(self) -> &'static str {
                match self {
                    $(Locale::$locale => $tag),+
                }
            }

            /// The language's own name, for the language switch.
            pub fn native_name(self) -> &'static str {
                match self {
                    $(Locale::$locale => $name),+
                }
            }

            /// Matches one tag by its base language (`es-CL` → `es`, `pt-PT` → `pt-BR`).
            pub fn from_tag(tag: &str) -> Option<Locale> {
                let base = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
                match base.as_str() {
                    $($base => Some(Locale::$locale),)+
                    _ => None,
                }
            }
        }

        /// One row of the table: a text in every language. A struct literal must name every
        /// field, so a row without one of the languages does not compile.
        struct Texts {
            $($column: &'static str),+
        }

        impl Texts {
            const fn get(&self, locale: Locale) -> &'static str {
                match locale {
                    $(Locale::$locale => self.$column),+
                }
            }
        }
    };
}

// `matches`: the base language `from_tag` takes for this locale.
locales! {
    Es { column: es, tag: "es", matches: "es", name: "Español" },
    PtBr { column: pt_br, tag: "pt-BR", matches: "pt", name: "Português" },
    En { column: en, tag: "en", matches: "en", name: "English" },
}

/// `?locale=` wins, then the browser's languages in order, then Spanish.
pub fn negotiate(requested: Option<&str>, browser: &[String]) -> Locale {
    requested
        .and_then(Locale::from_tag)
        .or_else(|| browser.iter().find_map(|tag| Locale::from_tag(tag)))
        .unwrap_or(Locale::Es)
}

/// Replaces `{name}` placeholders of a template.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Declares the keys and the table: `Key { column: "text", .. }`, one field per language.
macro_rules! texts {
    ($($key:ident { $($column:ident: $text:literal),+ $(,)? })+) => {
        /// One piece of interface text.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum Key {
            $($key),+
        }

        impl Key {
            /// Every key, for the completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),+];
        }

        /// The table as written: one row per key, in the order of `Key`.
        const ROWS: &[Texts] = &[$(Texts { $($column: $text),+ }),+];
    };
}

texts! {
    // page frame
    AppTitle {
        es: "Pago seguro",
        pt_br: "Pagamento seguro",
        en: "Secure payment",
    }
    Loading {
        es: "Cargando tu pago…",
        pt_br: "Carregando seu pagamento…",
        en: "Loading your payment…",
    }
    LanguageLabel {
        es: "Idioma",
        pt_br: "Idioma",
        en: "Language",
    }
    SecureFooter {
        es: "Pago procesado por Conomy. Tus datos viajan cifrados.",
        pt_br: "Pagamento processado pela Conomy. Seus dados trafegam criptografados.",
        en: "Payment processed by Conomy. Your details travel encrypted.",
    }
    // landing
    LandingTitle {
        es: "Página de pago de Conomy",
        pt_br: "Página de pagamento da Conomy",
        en: "Conomy payment page",
    }
    LandingBody {
        es: "Aquí se pagan los links de pago de Conomy. Abre el link que te envió el comercio y verás el detalle de tu compra y los medios de pago disponibles.",
        pt_br: "Aqui são pagos os links de pagamento da Conomy. Abra o link que a loja enviou e você verá os detalhes da compra e as formas de pagamento disponíveis.",
        en: "This is where Conomy payment links are paid. Open the link the merchant sent you to see your order and the ways you can pay.",
    }
    LandingHowTo {
        es: "¿No tienes un link? Pídeselo al comercio donde estás comprando.",
        pt_br: "Não tem um link? Peça à loja onde você está comprando.",
        en: "No link? Ask the merchant you are buying from.",
    }
    DemoLinksTitle {
        es: "Links de demostración",
        pt_br: "Links de demonstração",
        en: "Demo links",
    }
    DemoLinksBody {
        es: "Este servidor simula la API de Conomy (sandbox): ninguno de estos pagos mueve dinero real.",
        pt_br: "Este servidor simula a API da Conomy (sandbox): nenhum destes pagamentos movimenta dinheiro real.",
        en: "This server simulates the Conomy API (sandbox): none of these payments moves real money.",
    }
    // not found
    NotFoundTitle {
        es: "No encontramos este link de pago",
        pt_br: "Não encontramos este link de pagamento",
        en: "We couldn't find this payment link",
    }
    NotFoundBody {
        es: "Revisa que la dirección esté completa o pide al comercio un link nuevo.",
        pt_br: "Confira se o endereço está completo ou peça um novo link à loja.",
        en: "Check that the address is complete, or ask the merchant for a new link.",
    }
    GoHome {
        es: "Ir al inicio",
        pt_br: "Ir para o início",
        en: "Go to the home page",
    }
    // opening errors
    ErrorTitle {
        es: "No pudimos cargar tu pago",
        pt_br: "Não foi possível carregar seu pagamento",
        en: "We couldn't load your payment",
    }
    ErrorNetwork {
        es: "Parece que no hay conexión. Revisa tu internet e inténtalo de nuevo.",
        pt_br: "Parece que você está sem conexão. Verifique sua internet e tente novamente.",
        en: "You seem to be offline. Check your connection and try again.",
    }
    ErrorTimeout {
        es: "El servidor tardó demasiado en responder. Inténtalo de nuevo.",
        pt_br: "O servidor demorou demais para responder. Tente novamente.",
        en: "The server took too long to answer. Please try again.",
    }
    ErrorServer {
        es: "Tenemos problemas técnicos. Inténtalo de nuevo en unos minutos.",
        pt_br: "Estamos com problemas técnicos. Tente novamente em alguns minutos.",
        en: "We're having technical trouble. Please try again in a few minutes.",
    }
    ErrorDecode {
        es: "Recibimos una respuesta que no pudimos leer. Inténtalo de nuevo.",
        pt_br: "Recebemos uma resposta que não conseguimos ler. Tente novamente.",
        en: "We received an answer we couldn't read. Please try again.",
    }
    Retry {
        es: "Reintentar",
        pt_br: "Tentar novamente",
        en: "Try again",
    }
    InactiveTitle {
        es: "Este link de pago ya no está activo",
        pt_br: "Este link de pagamento não está mais ativo",
        en: "This payment link is no longer active",
    }
    InactiveBody {
        es: "El comercio lo desactivó o ya no acepta pagos. Pídele un link nuevo.",
        pt_br: "A loja desativou o link ou não aceita mais pagamentos. Peça um novo link.",
        en: "The merchant deactivated it or no longer accepts payments. Ask them for a new link.",
    }
    InUseTitle {
        es: "Este pago ya se está haciendo en otra parte",
        pt_br: "Este pagamento já está sendo feito em outro lugar",
        en: "This payment is already under way elsewhere",
    }
    InUseBody {
        es: "Alguien empezó a pagar este link en otro navegador o pestaña, así que aquí no se muestra. Si fuiste tú, vuelve a esa ventana; si no, pide al comercio un link nuevo.",
        pt_br: "Alguém começou a pagar este link em outro navegador ou aba, por isso ele não aparece aqui. Se foi você, volte para aquela janela; se não, peça um novo link à loja.",
        en: "Someone started paying this link in another browser or tab, so it isn't shown here. If that was you, go back to that window; otherwise ask the merchant for a new link.",
    }
    ExpiredTitle {
        es: "El tiempo para pagar terminó",
        pt_br: "O tempo para pagar acabou",
        en: "The time to pay has run out",
    }
    ExpiredBody {
        es: "No se realizó ningún cobro. Puedes empezar de nuevo con el mismo link.",
        pt_br: "Nenhuma cobrança foi feita. Você pode começar de novo com o mesmo link.",
        en: "Nothing was charged. You can start again with the same link.",
    }
    RefreshButton {
        es: "Empezar de nuevo",
        pt_br: "Começar de novo",
        en: "Start again",
    }
    RefreshUnavailable {
        es: "Este link no se puede renovar. Pide al comercio un link nuevo.",
        pt_br: "Este link não pode ser renovado. Peça um novo link à loja.",
        en: "This link can't be renewed. Ask the merchant for a new link.",
    }
    // results
    PaidTitle {
        es: "Este link ya fue pagado",
        pt_br: "Este link já foi pago",
        en: "This link has already been paid",
    }
    PaidBody {
        es: "El pago ya está registrado. No necesitas pagar de nuevo.",
        pt_br: "O pagamento já está registrado. Você não precisa pagar de novo.",
        en: "The payment is already recorded. You don't need to pay again.",
    }
    SuccessTitle {
        es: "¡Pago recibido!",
        pt_br: "Pagamento recebido!",
        en: "Payment received!",
    }
    SuccessBody {
        es: "Tu pago a {merchant} fue confirmado.",
        pt_br: "Seu pagamento para {merchant} foi confirmado.",
        en: "Your payment to {merchant} is confirmed.",
    }
    RedirectCountdown {
        es: "Te llevaremos de vuelta al comercio en {seconds} s.",
        pt_br: "Vamos levar você de volta à loja em {seconds} s.",
        en: "We'll take you back to the merchant in {seconds} s.",
    }
    ContinueNow {
        es: "Continuar ahora",
        pt_br: "Continuar agora",
        en: "Continue now",
    }
    NoRedirectTarget {
        es: "Ya puedes cerrar esta página.",
        pt_br: "Você já pode fechar esta página.",
        en: "You can close this page now.",
    }
    FailedTitle {
        es: "El pago no se completó",
        pt_br: "O pagamento não foi concluído",
        en: "The payment didn't go through",
    }
    FailedRetryBody {
        es: "No se realizó ningún cobro. Puedes intentarlo con otro medio de pago.",
        pt_br: "Nenhuma cobrança foi feita. Você pode tentar com outra forma de pagamento.",
        en: "Nothing was charged. You can try another payment method.",
    }
    FailedFinalBody {
        es: "No se realizó ningún cobro y este link ya no acepta otro intento.",
        pt_br: "Nenhuma cobrança foi feita e este link não aceita outra tentativa.",
        en: "Nothing was charged, and this link doesn't accept another attempt.",
    }
    TryAnotherMethod {
        es: "Elegir otro medio de pago",
        pt_br: "Escolher outra forma de pagamento",
        en: "Choose another payment method",
    }
    CheckingTitle {
        es: "Estamos verificando tu pago",
        pt_br: "Estamos verificando seu pagamento",
        en: "We're checking your payment",
    }
    CheckingBody {
        es: "Esto puede tardar unos minutos. Esta página se actualizará sola.",
        pt_br: "Isso pode levar alguns minutos. Esta página será atualizada sozinha.",
        en: "This can take a few minutes. This page will update by itself.",
    }
    WaitingTitle {
        es: "Esperando la confirmación de tu pago",
        pt_br: "Aguardando a confirmação do seu pagamento",
        en: "Waiting for your payment to be confirmed",
    }
    WaitingBody {
        es: "Esta página se actualizará sola cuando el pago se confirme.",
        pt_br: "Esta página será atualizada sozinha quando o pagamento for confirmado.",
        en: "This page will update by itself once the payment is confirmed.",
    }
    PanicMessage {
        es: "Algo salió mal. Recarga la página para continuar; lo que escribiste se conserva.",
        pt_br: "Algo deu errado. Recarregue a página para continuar; o que você digitou será mantido.",
        en: "Something went wrong. Reload the page to continue; what you typed is kept.",
    }
    ReloadButton {
        es: "Recargar",
        pt_br: "Recarregar",
        en: "Reload",
    }
    // summary
    SummaryTitle {
        es: "Resumen de tu compra",
        pt_br: "Resumo da compra",
        en: "Order summary",
    }
    PayTo {
        es: "Pagas a",
        pt_br: "Você paga a",
        en: "You're paying",
    }
    MerchantLogoAlt {
        es: "Logo de {merchant}",
        pt_br: "Logotipo de {merchant}",
        en: "{merchant} logo",
    }
    ItemNet {
        es: "Neto",
        pt_br: "Valor sem impostos",
        en: "Before tax",
    }
    NoTax {
        es: "Sin impuestos",
        pt_br: "Sem impostos",
        en: "No tax",
    }
    Subtotal {
        es: "Subtotal",
        pt_br: "Subtotal",
        en: "Subtotal",
    }
    Taxes {
        es: "Impuestos",
        pt_br: "Impostos",
        en: "Taxes",
    }
    Total {
        es: "Total",
        pt_br: "Total",
        en: "Total",
    }
    TimeLeft {
        es: "Tiempo para pagar",
        pt_br: "Tempo para pagar",
        en: "Time left to pay",
    }
    TimeAlmostUp {
        es: "Quedan menos de 2 minutos para pagar.",
        pt_br: "Restam menos de 2 minutos para pagar.",
        en: "Less than 2 minutes left to pay.",
    }
    // payment options
    PaymentMethodTitle {
        es: "¿Cómo quieres pagar?",
        pt_br: "Como você quer pagar?",
        en: "How would you like to pay?",
    }
    PayInCurrency {
        es: "Pagar en {currency}",
        pt_br: "Pagar em {currency}",
        en: "Pay in {currency}",
    }
    ExchangeRate {
        es: "Tipo de cambio",
        pt_br: "Câmbio",
        en: "Exchange rate",
    }
    NothingPayable {
        es: "Este link no tiene medios de pago disponibles en este momento. Contacta al comercio.",
        pt_br: "Este link não tem formas de pagamento disponíveis no momento. Fale com a loja.",
        en: "This link has no payment methods available right now. Please contact the merchant.",
    }
    OtherRail {
        es: "Otro medio de pago",
        pt_br: "Outra forma de pagamento",
        en: "Other payment method",
    }
    // rail names that are words, not brands (`rails::RailName::Text`)
    RailCard {
        es: "Tarjeta",
        pt_br: "Cartão",
        en: "Card",
    }
    RailCrypto {
        es: "Cripto",
        pt_br: "Cripto",
        en: "Crypto",
    }
    RailBankTransfer {
        es: "Transferencia bancaria",
        pt_br: "Transferência bancária",
        en: "Bank transfer",
    }
    // payer form
    PayerTitle {
        es: "Tus datos",
        pt_br: "Seus dados",
        en: "Your details",
    }
    ChooseMethodFirst {
        es: "Elige un medio de pago para continuar.",
        pt_br: "Escolha uma forma de pagamento para continuar.",
        en: "Choose a payment method to continue.",
    }
    PayButton {
        es: "Pagar {amount}",
        pt_br: "Pagar {amount}",
        en: "Pay {amount}",
    }
    Paying {
        es: "Procesando el pago…",
        pt_br: "Processando o pagamento…",
        en: "Processing payment…",
    }
    FormHasErrors {
        es: "Revisa los campos marcados.",
        pt_br: "Confira os campos destacados.",
        en: "Please check the highlighted fields.",
    }
    SelectPlaceholder {
        es: "Selecciona…",
        pt_br: "Selecione…",
        en: "Select…",
    }
    BanksLoading {
        es: "Cargando bancos…",
        pt_br: "Carregando bancos…",
        en: "Loading banks…",
    }
    BanksError {
        es: "No pudimos cargar la lista de bancos.",
        pt_br: "Não foi possível carregar a lista de bancos.",
        en: "We couldn't load the list of banks.",
    }
    OptionalHint {
        es: "(opcional)",
        pt_br: "(opcional)",
        en: "(optional)",
    }
    SubmitFailed {
        es: "No pudimos enviar tu pago y no se realizó ningún cobro. Inténtalo de nuevo.",
        pt_br: "Não foi possível enviar seu pagamento e nenhuma cobrança foi feita. Tente novamente.",
        en: "We couldn't send your payment and nothing was charged. Please try again.",
    }
    SubmitRejected {
        es: "El pago no fue aceptado. Revisa tus datos o elige otro medio de pago.",
        pt_br: "O pagamento não foi aceito. Confira seus dados ou escolha outra forma de pagamento.",
        en: "The payment wasn't accepted. Check your details or choose another payment method.",
    }
    // connection trouble
    OfflineBanner {
        es: "Estás sin conexión. Lo que escribiste se conserva; seguiremos cuando vuelva la conexión.",
        pt_br: "Você está sem conexão. O que você digitou será mantido; continuaremos quando a conexão voltar.",
        en: "You're offline. What you typed is kept; we'll carry on when the connection is back.",
    }
    OfflineSubmit {
        es: "Estás sin conexión, así que no enviamos el pago. Tus datos se conservan: paga cuando vuelva la conexión.",
        pt_br: "Você está sem conexão, então não enviamos o pagamento. Seus dados foram mantidos: pague quando a conexão voltar.",
        en: "You're offline, so we didn't send the payment. Your details are kept: pay when the connection is back.",
    }
    SubmitUnverified {
        es: "No pudimos confirmar si tu pago se envió. Revisa tu conexión e inténtalo de nuevo: antes de enviarlo otra vez comprobaremos que no se haya creado.",
        pt_br: "Não conseguimos confirmar se seu pagamento foi enviado. Verifique sua conexão e tente novamente: antes de enviá-lo outra vez, verificaremos se ele não foi criado.",
        en: "We couldn't confirm whether your payment was sent. Check your connection and try again: before sending it again we'll check it wasn't created.",
    }
    SubmitTooMany {
        es: "Demasiados intentos seguidos. Espera unos segundos e inténtalo de nuevo; no se realizó ningún cobro.",
        pt_br: "Muitas tentativas seguidas. Aguarde alguns segundos e tente novamente; nenhuma cobrança foi feita.",
        en: "Too many attempts in a row. Wait a few seconds and try again; nothing was charged.",
    }
    // next actions
    RedirectTitle {
        es: "Te estamos llevando a {provider}",
        pt_br: "Estamos levando você para {provider}",
        en: "Taking you to {provider}",
    }
    RedirectBody {
        es: "Si la página no cambia en unos segundos, usa este enlace:",
        pt_br: "Se a página não mudar em alguns segundos, use este link:",
        en: "If the page doesn't change in a few seconds, use this link:",
    }
    RedirectLink {
        es: "Ir a {provider}",
        pt_br: "Ir para {provider}",
        en: "Go to {provider}",
    }
    QrTitle {
        es: "Escanea el código QR para pagar",
        pt_br: "Escaneie o QR code para pagar",
        en: "Scan the QR code to pay",
    }
    QrBody {
        es: "Abre la app de tu banco y escanea el código, o copia el código de pago y pégalo en la app.",
        pt_br: "Abra o app do seu banco e escaneie o código, ou copie o código de pagamento e cole no app.",
        en: "Open your bank's app and scan the code, or copy the payment code and paste it in the app.",
    }
    QrAlt {
        es: "Código QR del pago. Si no puedes escanearlo, usa el código de pago que está debajo.",
        pt_br: "QR code do pagamento. Se não conseguir escanear, use o código de pagamento abaixo.",
        en: "Payment QR code. If you can't scan it, use the payment code below.",
    }
    CopyCodeLabel {
        es: "Código de pago",
        pt_br: "Código de pagamento (copia e cola)",
        en: "Payment code",
    }
    CopyButton {
        es: "Copiar",
        pt_br: "Copiar",
        en: "Copy",
    }
    CopyWhat {
        es: "Copiar {what}",
        pt_br: "Copiar {what}",
        en: "Copy {what}",
    }
    Copied {
        es: "Copiado",
        pt_br: "Copiado",
        en: "Copied",
    }
    CopyFailed {
        es: "No pudimos copiar automáticamente: el texto quedó seleccionado para que lo copies.",
        pt_br: "Não foi possível copiar automaticamente: o texto ficou selecionado para você copiar.",
        en: "We couldn't copy automatically: the text is selected so you can copy it.",
    }
    QrExpiresIn {
        es: "El código vence en",
        pt_br: "O código vence em",
        en: "The code expires in",
    }
    TransferTitle {
        es: "Transfiere para completar el pago",
        pt_br: "Faça a transferência para concluir o pagamento",
        en: "Make a transfer to complete the payment",
    }
    TransferBody {
        es: "Desde la app o web de tu banco, transfiere {amount} a esta cuenta.",
        pt_br: "Pelo app ou site do seu banco, transfira {amount} para esta conta.",
        en: "From your bank's app or website, transfer {amount} to this account.",
    }
    ClabeLabel {
        es: "CLABE",
        pt_br: "CLABE",
        en: "CLABE",
    }
    CvuLabel {
        es: "CVU",
        pt_br: "CVU",
        en: "CVU",
    }
    BankLabel {
        es: "Banco",
        pt_br: "Banco",
        en: "Bank",
    }
    AmountLabel {
        es: "Monto",
        pt_br: "Valor",
        en: "Amount",
    }
    ApproveTitle {
        es: "Aprueba el pago en tu app",
        pt_br: "Aprove o pagamento no seu app",
        en: "Approve the payment in your app",
    }
    ApproveBody {
        es: "Te enviamos una solicitud de pago. Ábrela en la app de {provider} y apruébala.",
        pt_br: "Enviamos uma solicitação de pagamento. Abra-a no app {provider} e aprove.",
        en: "We sent you a payment request. Open it in the {provider} app and approve it.",
    }
    // receipt and result facts
    ReceiptTitle {
        es: "Comprobante de pago",
        pt_br: "Comprovante de pagamento",
        en: "Payment receipt",
    }
    ReceiptMerchant {
        es: "Comercio",
        pt_br: "Loja",
        en: "Merchant",
    }
    ReceiptMethod {
        es: "Medio de pago",
        pt_br: "Forma de pagamento",
        en: "Payment method",
    }
    ReceiptReference {
        es: "Referencia del pago",
        pt_br: "Referência do pagamento",
        en: "Payment reference",
    }
    ReceiptDate {
        es: "Fecha y hora",
        pt_br: "Data e hora",
        en: "Date and time",
    }
    PrintReceipt {
        es: "Guardar o imprimir",
        pt_br: "Salvar ou imprimir",
        en: "Save or print",
    }
    RedirectPaused {
        es: "Te esperamos: vuelve al comercio cuando quieras.",
        pt_br: "Vamos esperar: volte à loja quando quiser.",
        en: "We'll wait: go back to the merchant when you're ready.",
    }
    SuccessBodyUnnamed {
        es: "Tu pago fue confirmado.",
        pt_br: "Seu pagamento foi confirmado.",
        en: "Your payment is confirmed.",
    }
    PaidTo {
        es: "Pagaste a",
        pt_br: "Você pagou a",
        en: "You paid",
    }
    NotCharged {
        es: "Monto no cobrado",
        pt_br: "Valor não cobrado",
        en: "Amount not charged",
    }
    // fallbacks for what a link leaves empty
    UnnamedMerchant {
        es: "Tu pago",
        pt_br: "Seu pagamento",
        en: "Your payment",
    }
    UnnamedItem {
        es: "Artículo",
        pt_br: "Item",
        en: "Item",
    }
    UnnamedTax {
        es: "Impuesto",
        pt_br: "Imposto",
        en: "Tax",
    }
    // continue on your phone
    PhoneTitle {
        es: "Sigue en tu teléfono",
        pt_br: "Continue no celular",
        en: "Continue on your phone",
    }
    PhoneBody {
        es: "Escanea el código con tu teléfono para abrir este mismo pago. Aquí verás el resultado.",
        pt_br: "Escaneie o código com o celular para abrir este mesmo pagamento. O resultado aparece aqui.",
        en: "Scan the code with your phone to open this same payment. The outcome shows here.",
    }
    PhoneQrAlt {
        es: "Código QR que abre este pago en tu teléfono",
        pt_br: "Código QR que abre este pagamento no celular",
        en: "QR code that opens this payment on your phone",
    }
    // payer form: field labels (`field_label`)
    FieldLabelFirstName {
        es: "Nombre",
        pt_br: "Nome",
        en: "First name",
    }
    FieldLabelLastName {
        es: "Apellido",
        pt_br: "Sobrenome",
        en: "Last name",
    }
    FieldLabelEmail {
        es: "Correo electrónico",
        pt_br: "E-mail",
        en: "Email",
    }
    FieldLabelPhoneNumberPrefix {
        es: "Código de país",
        pt_br: "Código do país",
        en: "Country code",
    }
    FieldLabelPhoneNumber {
        es: "Teléfono",
        pt_br: "Telefone",
        en: "Phone number",
    }
    FieldLabelDocumentType {
        es: "Tipo de documento",
        pt_br: "Tipo de documento",
        en: "Document type",
    }
    FieldLabelDocumentNumber {
        es: "Número de documento",
        pt_br: "Número do documento",
        en: "Document number",
    }
    FieldLabelAddressStreet {
        es: "Calle",
        pt_br: "Rua",
        en: "Street",
    }
    FieldLabelAddressStreetNumber {
        es: "Número",
        pt_br: "Número",
        en: "Street number",
    }
    FieldLabelAddressOptional {
        es: "Depto, oficina, casa",
        pt_br: "Complemento",
        en: "Apartment, suite, unit",
    }
    FieldLabelAddressArea1 {
        es: "Región o estado",
        pt_br: "Estado",
        en: "State or region",
    }
    FieldLabelAddressArea2 {
        es: "Ciudad",
        pt_br: "Cidade",
        en: "City",
    }
    FieldLabelAddressArea3 {
        es: "Comuna o barrio",
        pt_br: "Bairro",
        en: "District",
    }
    FieldLabelAddressZipcode {
        es: "Código postal",
        pt_br: "CEP",
        en: "Postal code",
    }
    FieldLabelAddressCountry {
        es: "País (código de 3 letras)",
        pt_br: "País (código de 3 letras)",
        en: "Country (3-letter code)",
    }
    FieldLabelBankId {
        es: "Banco",
        pt_br: "Banco",
        en: "Bank",
    }
    // payer form: why a field failed validation (`field_error`)
    FieldErrorRequired {
        es: "Completa este campo.",
        pt_br: "Preencha este campo.",
        en: "Please fill in this field.",
    }
    FieldErrorEmail {
        es: "Escribe un correo válido, por ejemplo nombre@ejemplo.com.",
        pt_br: "Digite um e-mail válido, por exemplo nome@exemplo.com.",
        en: "Enter a valid email, for example name@example.com.",
    }
    FieldErrorPhoneDigits {
        es: "El teléfono solo puede tener números.",
        pt_br: "O telefone só pode ter números.",
        en: "The phone number can only contain digits.",
    }
    FieldErrorPhoneLength {
        es: "El teléfono debe tener {min} dígitos.",
        pt_br: "O telefone deve ter {min} dígitos.",
        en: "The phone number must have {min} digits.",
    }
    FieldErrorPhoneLengthRange {
        es: "El teléfono debe tener entre {min} y {max} dígitos.",
        pt_br: "O telefone deve ter entre {min} e {max} dígitos.",
        en: "The phone number must have {min} to {max} digits.",
    }
    FieldErrorPhonePrefix {
        es: "Escribe un código de país válido, por ejemplo +56.",
        pt_br: "Digite um código de país válido, por exemplo +55.",
        en: "Enter a valid country code, for example +1.",
    }
    FieldErrorDocumentFormat {
        es: "El número de documento no tiene el formato correcto.",
        pt_br: "O número do documento não está no formato correto.",
        en: "The document number isn't in the right format.",
    }
    FieldErrorDocumentCheckDigit {
        es: "El número de documento no es válido: revisa el dígito verificador.",
        pt_br: "O número do documento não é válido: confira os dígitos verificadores.",
        en: "The document number isn't valid: check its check digit.",
    }
    FieldErrorDocumentTypeNotAllowed {
        es: "Este tipo de documento no se acepta para este medio de pago.",
        pt_br: "Este tipo de documento não é aceito nesta forma de pagamento.",
        en: "This document type isn't accepted for this payment method.",
    }
    FieldErrorTooLong {
        es: "El texto es demasiado largo.",
        pt_br: "O texto é longo demais.",
        en: "This is too long.",
    }
    FieldErrorInvalid {
        es: "Revisa este dato.",
        pt_br: "Confira este dado.",
        en: "Please check this value.",
    }
    FieldErrorHiddenCharacters {
        es: "Quita los caracteres invisibles o de dirección del texto.",
        pt_br: "Remova os caracteres invisíveis ou de direção do texto.",
        en: "Remove the invisible or text-direction characters from this value.",
    }
    // identity document types (`document_type_name`)
    DocumentCitizenshipCard {
        es: "Cédula de ciudadanía",
        pt_br: "Cédula de cidadania",
        en: "Citizenship card",
    }
    DocumentForeignerCard {
        es: "Cédula de extranjería",
        pt_br: "Cédula de estrangeiro",
        en: "Foreigner ID card",
    }
    DocumentPassport {
        es: "Pasaporte",
        pt_br: "Passaporte",
        en: "Passport",
    }
}

const KEYS: usize = Key::ALL.len();
const LOCALES: usize = Locale::ALL.len();

/// The table by language, `TABLE[locale][key]`. Every text is a slice of one string that holds
/// the languages one after another, since brotli compresses a language's texts best when they
/// lie together (docs/architecture.md has the figures).
static TABLE: [[&str; KEYS]; LOCALES] = {
    const TEXT: &[u8] = &by_language();
    let mut table = [[""; KEYS]; LOCALES];
    let (mut rest, mut cell) = (TEXT, 0);
    while cell < LOCALES * KEYS {
        let (text, after) = rest.split_at(text_of(cell).len());
        table[cell / KEYS][cell % KEYS] = match core::str::from_utf8(text) {
            Ok(text) => text,
            Err(_) => panic!("a text of the table was cut inside a character"),
        };
        rest = after;
        cell += 1;
    }
    table
};

/// The text in cell `locale * KEYS + key` of the table by language.
const fn text_of(cell: usize) -> &'static str {
    ROWS[cell % KEYS].get(Locale::ALL[cell / KEYS])
}

const TEXT_LEN: usize = {
    let (mut len, mut cell) = (0, 0);
    while cell < LOCALES * KEYS {
        len += text_of(cell).len();
        cell += 1;
    }
    len
};

/// Every text of the table, language after language.
const fn by_language() -> [u8; TEXT_LEN] {
    let mut out = [0; TEXT_LEN];
    let (mut at, mut cell) = (0, 0);
    while cell < LOCALES * KEYS {
        let bytes = text_of(cell).as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            out[at + i] = bytes[i];
            i += 1;
        }
        at += bytes.len();
        cell += 1;
    }
    out
}

/// The text of `key` in `locale`.
pub fn t(locale: Locale, key: Key) -> &'static str {
    TABLE[locale as usize][key as usize]
}

/// The visible label of a form field.
pub fn field_label(locale: Locale, key: &FieldKey) -> String {
    use FieldKey::*;
    let key = match key {
        FirstName => Key::FieldLabelFirstName,
        LastName => Key::FieldLabelLastName,
        Email => Key::FieldLabelEmail,
        PhoneNumberPrefix => Key::FieldLabelPhoneNumberPrefix,
        PhoneNumber => Key::FieldLabelPhoneNumber,
        DocumentType => Key::FieldLabelDocumentType,
        DocumentNumber => Key::FieldLabelDocumentNumber,
        AddressStreet => Key::FieldLabelAddressStreet,
        AddressStreetNumber => Key::FieldLabelAddressStreetNumber,
        AddressOptional => Key::FieldLabelAddressOptional,
        AddressArea1 => Key::FieldLabelAddressArea1,
        AddressArea2 => Key::FieldLabelAddressArea2,
        AddressArea3 => Key::FieldLabelAddressArea3,
        AddressZipcode => Key::FieldLabelAddressZipcode,
        AddressCountry => Key::FieldLabelAddressCountry,
        BankId => Key::FieldLabelBankId,
        Other(path) => return humanize_path(path),
    };
    t(locale, key).to_string()
}

/// The message shown under a field that failed validation.
pub fn field_error(locale: Locale, error: FieldError) -> String {
    let key = match error {
        FieldError::Required => Key::FieldErrorRequired,
        FieldError::Email => Key::FieldErrorEmail,
        FieldError::PhoneDigits => Key::FieldErrorPhoneDigits,
        FieldError::PhoneLength { min, max } => {
            let template = if min == max {
                Key::FieldErrorPhoneLength
            } else {
                Key::FieldErrorPhoneLengthRange
            };
            let (min, max) = (min.to_string(), max.to_string());
            return fill(t(locale, template), &[("min", &min), ("max", &max)]);
        }
        FieldError::PhonePrefix => Key::FieldErrorPhonePrefix,
        FieldError::DocumentFormat => Key::FieldErrorDocumentFormat,
        FieldError::DocumentCheckDigit => Key::FieldErrorDocumentCheckDigit,
        FieldError::DocumentTypeNotAllowed => Key::FieldErrorDocumentTypeNotAllowed,
        FieldError::TooLong => Key::FieldErrorTooLong,
        FieldError::Invalid => Key::FieldErrorInvalid,
        FieldError::HiddenCharacters => Key::FieldErrorHiddenCharacters,
    };
    t(locale, key).to_string()
}

/// The name of an identity document type (§6), as the payer knows it.
pub fn document_type_name(locale: Locale, code: &str) -> String {
    let key = match code {
        "CC" | "CED_CIU" => Key::DocumentCitizenshipCard,
        "CE" | "CED_EXT" => Key::DocumentForeignerCard,
        "PASSPORT" => Key::DocumentPassport,
        _ => return code.to_string(),
    };
    format!("{} ({code})", t(locale, key))
}

/// `"pse.customer.birthDate"` → `"Birth date"`: the best label we can give a field we don't know.
fn humanize_path(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let mut out = String::with_capacity(last.len() + 4);
    for (i, c) in last.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else if i == 0 {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn negotiate_prefers_the_query_then_the_browser_then_spanish() {
        assert_eq!(negotiate(Some("en"), &tags(&["pt-BR"])), Locale::En);
        assert_eq!(negotiate(Some("fr"), &tags(&["de", "pt-PT"])), Locale::PtBr);
        assert_eq!(negotiate(None, &tags(&["es-CL", "en"])), Locale::Es);
        assert_eq!(negotiate(None, &tags(&["en-US"])), Locale::En);
        assert_eq!(negotiate(None, &tags(&["de", "fr"])), Locale::Es);
        assert_eq!(negotiate(None, &[]), Locale::Es);
        assert_eq!(negotiate(Some("PT_br"), &[]), Locale::PtBr);
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
    }

    #[test]
    fn every_key_has_text_in_every_locale() {
        for locale in Locale::ALL {
            for key in Key::ALL {
                assert!(!t(locale, *key).trim().is_empty(), "{locale:?} {key:?} is empty");
            }
        }
    }

    #[test]
    fn placeholders_match_across_locales() {
        // A template whose translation dropped `{amount}` would show a pay button without the amount.
        let placeholders = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                .collect();
            names.sort();
            names
        };
        for key in Key::ALL {
            let spanish = placeholders(t(Locale::Es, *key));
            for locale in [Locale::PtBr, Locale::En] {
                assert_eq!(placeholders(t(locale, *key)), spanish, "{locale:?} {key:?}");
            }
        }
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            fill(t(Locale::En, Key::PayButton), &[("amount", "$10.00")]),
            "Pay $10.00"
        );
        assert_eq!(fill("{a}-{a}", &[("a", "x")]), "x-x");
    }

    #[test]
    fn field_texts_are_localized() {
        assert_eq!(field_label(Locale::PtBr, &FieldKey::Email), "E-mail");
        assert_eq!(
            field_label(Locale::En, &FieldKey::Other("pse.customer.birthDate".into())),
            "Birth date"
        );
        assert_eq!(
            field_error(Locale::Es, FieldError::PhoneLength { min: 9, max: 9 }),
            "El teléfono debe tener 9 dígitos."
        );
        assert_eq!(
            field_error(Locale::En, FieldError::PhoneLength { min: 7, max: 10 }),
            "The phone number must have 7 to 10 digits."
        );
    }

    #[test]
    fn document_types_have_names() {
        assert_eq!(document_type_name(Locale::Es, "PASSPORT"), "Pasaporte (PASSPORT)");
        assert_eq!(document_type_name(Locale::Es, "RUT"), "RUT");
    }
}
