//! Every text the payer sees, in Spanish (default), Brazilian Portuguese and English.
//!
//! Each locale is one exhaustive `match` over [`Key`], so adding a key without translating it
//! in every locale is a compile error, not a blank label in production. Templates use
//! `{name}` placeholders filled by [`fill`]. Field labels, validation messages and document
//! types are here too, so the views never hold text of their own; a rail's name comes from its
//! row of the rail table (`rails::rail_name`), which reads keys from here.

use crate::fields::FieldKey;
use crate::validate::FieldError;

/// A language the checkout speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Locale {
    Es,
    PtBr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Es, Locale::PtBr, Locale::En];

    /// BCP 47 tag, for `<html lang>` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Es => "es",
            Locale::PtBr => "pt-BR",
            Locale::En => "en",
        }
    }

    /// The language's own name, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Es => "Español",
            Locale::PtBr => "Português",
            Locale::En => "English",
        }
    }

    /// Matches one tag by its base language (`es-CL` → `es`, `pt-PT` → `pt-BR`).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let base = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match base.as_str() {
            "es" => Some(Locale::Es),
            "pt" => Some(Locale::PtBr),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
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

macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// One piece of interface text.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum Key { $($key),* }
        impl Key {
            /// Every key, for the completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }
    };
}

keys!(
    // page frame
    AppTitle,
    Loading,
    LanguageLabel,
    SecureFooter,
    // landing
    LandingTitle,
    LandingBody,
    LandingHowTo,
    DemoLinksTitle,
    DemoLinksBody,
    // not found
    NotFoundTitle,
    NotFoundBody,
    GoHome,
    // opening errors
    ErrorTitle,
    ErrorNetwork,
    ErrorTimeout,
    ErrorServer,
    ErrorDecode,
    Retry,
    InactiveTitle,
    InactiveBody,
    InUseTitle,
    InUseBody,
    ExpiredTitle,
    ExpiredBody,
    RefreshButton,
    RefreshUnavailable,
    // results
    PaidTitle,
    PaidBody,
    SuccessTitle,
    SuccessBody,
    RedirectCountdown,
    ContinueNow,
    NoRedirectTarget,
    FailedTitle,
    FailedRetryBody,
    FailedFinalBody,
    TryAnotherMethod,
    CheckingTitle,
    CheckingBody,
    WaitingTitle,
    WaitingBody,
    PanicMessage,
    ReloadButton,
    // summary
    SummaryTitle,
    PayTo,
    MerchantLogoAlt,
    ItemNet,
    NoTax,
    Subtotal,
    Taxes,
    Total,
    TimeLeft,
    TimeAlmostUp,
    // payment options
    PaymentMethodTitle,
    PayInCurrency,
    ExchangeRate,
    NothingPayable,
    OtherRail,
    // rail names that are words, not brands (`rails::RailName::Text`)
    RailCard,
    RailCrypto,
    RailBankTransfer,
    // payer form
    PayerTitle,
    ChooseMethodFirst,
    PayButton,
    Paying,
    FormHasErrors,
    SelectPlaceholder,
    BanksLoading,
    BanksError,
    OptionalHint,
    SubmitFailed,
    SubmitRejected,
    // connection trouble
    OfflineBanner,
    OfflineSubmit,
    SubmitUnverified,
    SubmitTooMany,
    // next actions
    RedirectTitle,
    RedirectBody,
    RedirectLink,
    QrTitle,
    QrBody,
    QrAlt,
    CopyCodeLabel,
    CopyButton,
    CopyWhat,
    Copied,
    CopyFailed,
    QrExpiresIn,
    TransferTitle,
    TransferBody,
    ClabeLabel,
    CvuLabel,
    BankLabel,
    AmountLabel,
    ApproveTitle,
    ApproveBody,
    // receipt and result facts
    ReceiptTitle,
    ReceiptMerchant,
    ReceiptMethod,
    ReceiptReference,
    ReceiptDate,
    PrintReceipt,
    RedirectPaused,
    SuccessBodyUnnamed,
    PaidTo,
    NotCharged,
    // fallbacks for what a link leaves empty
    UnnamedMerchant,
    UnnamedItem,
    UnnamedTax,
    // continue on your phone
    PhoneTitle,
    PhoneBody,
    PhoneQrAlt,
);

/// The text of `key` in `locale`.
pub fn t(locale: Locale, key: Key) -> &'static str {
    match locale {
        Locale::Es => es(key),
        Locale::PtBr => pt_br(key),
        Locale::En => en(key),
    }
}

fn es(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppTitle => "Pago seguro",
        Loading => "Cargando tu pago…",
        LanguageLabel => "Idioma",
        SecureFooter => "Pago procesado por Conomy. Tus datos viajan cifrados.",
        LandingTitle => "Página de pago de Conomy",
        LandingBody => "Aquí se pagan los links de pago de Conomy. Abre el link que te envió el comercio y verás el detalle de tu compra y los medios de pago disponibles.",
        LandingHowTo => "¿No tienes un link? Pídeselo al comercio donde estás comprando.",
        DemoLinksTitle => "Links de demostración",
        DemoLinksBody => "Este servidor simula la API de Conomy (sandbox): ninguno de estos pagos mueve dinero real.",
        NotFoundTitle => "No encontramos este link de pago",
        NotFoundBody => "Revisa que la dirección esté completa o pide al comercio un link nuevo.",
        GoHome => "Ir al inicio",
        ErrorTitle => "No pudimos cargar tu pago",
        ErrorNetwork => "Parece que no hay conexión. Revisa tu internet e inténtalo de nuevo.",
        ErrorTimeout => "El servidor tardó demasiado en responder. Inténtalo de nuevo.",
        ErrorServer => "Tenemos problemas técnicos. Inténtalo de nuevo en unos minutos.",
        ErrorDecode => "Recibimos una respuesta que no pudimos leer. Inténtalo de nuevo.",
        Retry => "Reintentar",
        InactiveTitle => "Este link de pago ya no está activo",
        InactiveBody => "El comercio lo desactivó o ya no acepta pagos. Pídele un link nuevo.",
        InUseTitle => "Este pago ya se está haciendo en otra parte",
        InUseBody => "Alguien empezó a pagar este link en otro navegador o pestaña, así que aquí no se muestra. Si fuiste tú, vuelve a esa ventana; si no, pide al comercio un link nuevo.",
        ExpiredTitle => "El tiempo para pagar terminó",
        ExpiredBody => "No se realizó ningún cobro. Puedes empezar de nuevo con el mismo link.",
        RefreshButton => "Empezar de nuevo",
        RefreshUnavailable => "Este link no se puede renovar. Pide al comercio un link nuevo.",
        PaidTitle => "Este link ya fue pagado",
        PaidBody => "El pago ya está registrado. No necesitas pagar de nuevo.",
        SuccessTitle => "¡Pago recibido!",
        SuccessBody => "Tu pago a {merchant} fue confirmado.",
        RedirectCountdown => "Te llevaremos de vuelta al comercio en {seconds} s.",
        ContinueNow => "Continuar ahora",
        NoRedirectTarget => "Ya puedes cerrar esta página.",
        FailedTitle => "El pago no se completó",
        FailedRetryBody => "No se realizó ningún cobro. Puedes intentarlo con otro medio de pago.",
        FailedFinalBody => "No se realizó ningún cobro y este link ya no acepta otro intento.",
        TryAnotherMethod => "Elegir otro medio de pago",
        CheckingTitle => "Estamos verificando tu pago",
        CheckingBody => "Esto puede tardar unos minutos. Esta página se actualizará sola.",
        WaitingTitle => "Esperando la confirmación de tu pago",
        WaitingBody => "Esta página se actualizará sola cuando el pago se confirme.",
        PanicMessage => "Algo salió mal. Recarga la página para continuar; lo que escribiste se conserva.",
        ReloadButton => "Recargar",
        SummaryTitle => "Resumen de tu compra",
        PayTo => "Pagas a",
        MerchantLogoAlt => "Logo de {merchant}",
        ItemNet => "Neto",
        NoTax => "Sin impuestos",
        Subtotal => "Subtotal",
        Taxes => "Impuestos",
        Total => "Total",
        TimeLeft => "Tiempo para pagar",
        TimeAlmostUp => "Quedan menos de 2 minutos para pagar.",
        PaymentMethodTitle => "¿Cómo quieres pagar?",
        PayInCurrency => "Pagar en {currency}",
        ExchangeRate => "Tipo de cambio",
        NothingPayable => "Este link no tiene medios de pago disponibles en este momento. Contacta al comercio.",
        OtherRail => "Otro medio de pago",
        RailCard => "Tarjeta",
        RailCrypto => "Cripto",
        RailBankTransfer => "Transferencia bancaria",
        PayerTitle => "Tus datos",
        ChooseMethodFirst => "Elige un medio de pago para continuar.",
        PayButton => "Pagar {amount}",
        Paying => "Procesando el pago…",
        FormHasErrors => "Revisa los campos marcados.",
        SelectPlaceholder => "Selecciona…",
        BanksLoading => "Cargando bancos…",
        BanksError => "No pudimos cargar la lista de bancos.",
        OptionalHint => "(opcional)",
        SubmitFailed => "No pudimos enviar tu pago y no se realizó ningún cobro. Inténtalo de nuevo.",
        SubmitRejected => "El pago no fue aceptado. Revisa tus datos o elige otro medio de pago.",
        OfflineBanner => "Estás sin conexión. Lo que escribiste se conserva; seguiremos cuando vuelva la conexión.",
        OfflineSubmit => "Estás sin conexión, así que no enviamos el pago. Tus datos se conservan: paga cuando vuelva la conexión.",
        SubmitUnverified => "No pudimos confirmar si tu pago se envió. Revisa tu conexión e inténtalo de nuevo: antes de enviarlo otra vez comprobaremos que no se haya creado.",
        SubmitTooMany => "Demasiados intentos seguidos. Espera unos segundos e inténtalo de nuevo; no se realizó ningún cobro.",
        RedirectTitle => "Te estamos llevando a {provider}",
        RedirectBody => "Si la página no cambia en unos segundos, usa este enlace:",
        RedirectLink => "Ir a {provider}",
        QrTitle => "Escanea el código QR para pagar",
        QrBody => "Abre la app de tu banco y escanea el código, o copia el código de pago y pégalo en la app.",
        QrAlt => "Código QR del pago. Si no puedes escanearlo, usa el código de pago que está debajo.",
        CopyCodeLabel => "Código de pago",
        CopyButton => "Copiar",
        CopyWhat => "Copiar {what}",
        Copied => "Copiado",
        CopyFailed => "No pudimos copiar automáticamente: el texto quedó seleccionado para que lo copies.",
        QrExpiresIn => "El código vence en",
        TransferTitle => "Transfiere para completar el pago",
        TransferBody => "Desde la app o web de tu banco, transfiere {amount} a esta cuenta.",
        ClabeLabel => "CLABE",
        CvuLabel => "CVU",
        BankLabel => "Banco",
        AmountLabel => "Monto",
        ApproveTitle => "Aprueba el pago en tu app",
        ApproveBody => "Te enviamos una solicitud de pago. Ábrela en la app de {provider} y apruébala.",
        ReceiptTitle => "Comprobante de pago",
        ReceiptMerchant => "Comercio",
        ReceiptMethod => "Medio de pago",
        ReceiptReference => "Referencia del pago",
        ReceiptDate => "Fecha y hora",
        PrintReceipt => "Guardar o imprimir",
        RedirectPaused => "Te esperamos: vuelve al comercio cuando quieras.",
        SuccessBodyUnnamed => "Tu pago fue confirmado.",
        PaidTo => "Pagaste a",
        NotCharged => "Monto no cobrado",
        UnnamedMerchant => "Tu pago",
        UnnamedItem => "Artículo",
        UnnamedTax => "Impuesto",
        PhoneTitle => "Sigue en tu teléfono",
        PhoneBody => "Escanea el código con tu teléfono para abrir este mismo pago. Aquí verás el resultado.",
        PhoneQrAlt => "Código QR que abre este pago en tu teléfono",
    }
}

fn pt_br(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppTitle => "Pagamento seguro",
        Loading => "Carregando seu pagamento…",
        LanguageLabel => "Idioma",
        SecureFooter => "Pagamento processado pela Conomy. Seus dados trafegam criptografados.",
        LandingTitle => "Página de pagamento da Conomy",
        LandingBody => "Aqui são pagos os links de pagamento da Conomy. Abra o link que a loja enviou e você verá os detalhes da compra e as formas de pagamento disponíveis.",
        LandingHowTo => "Não tem um link? Peça à loja onde você está comprando.",
        DemoLinksTitle => "Links de demonstração",
        DemoLinksBody => "Este servidor simula a API da Conomy (sandbox): nenhum destes pagamentos movimenta dinheiro real.",
        NotFoundTitle => "Não encontramos este link de pagamento",
        NotFoundBody => "Confira se o endereço está completo ou peça um novo link à loja.",
        GoHome => "Ir para o início",
        ErrorTitle => "Não foi possível carregar seu pagamento",
        ErrorNetwork => "Parece que você está sem conexão. Verifique sua internet e tente novamente.",
        ErrorTimeout => "O servidor demorou demais para responder. Tente novamente.",
        ErrorServer => "Estamos com problemas técnicos. Tente novamente em alguns minutos.",
        ErrorDecode => "Recebemos uma resposta que não conseguimos ler. Tente novamente.",
        Retry => "Tentar novamente",
        InactiveTitle => "Este link de pagamento não está mais ativo",
        InactiveBody => "A loja desativou o link ou não aceita mais pagamentos. Peça um novo link.",
        InUseTitle => "Este pagamento já está sendo feito em outro lugar",
        InUseBody => "Alguém começou a pagar este link em outro navegador ou aba, por isso ele não aparece aqui. Se foi você, volte para aquela janela; se não, peça um novo link à loja.",
        ExpiredTitle => "O tempo para pagar acabou",
        ExpiredBody => "Nenhuma cobrança foi feita. Você pode começar de novo com o mesmo link.",
        RefreshButton => "Começar de novo",
        RefreshUnavailable => "Este link não pode ser renovado. Peça um novo link à loja.",
        PaidTitle => "Este link já foi pago",
        PaidBody => "O pagamento já está registrado. Você não precisa pagar de novo.",
        SuccessTitle => "Pagamento recebido!",
        SuccessBody => "Seu pagamento para {merchant} foi confirmado.",
        RedirectCountdown => "Vamos levar você de volta à loja em {seconds} s.",
        ContinueNow => "Continuar agora",
        NoRedirectTarget => "Você já pode fechar esta página.",
        FailedTitle => "O pagamento não foi concluído",
        FailedRetryBody => "Nenhuma cobrança foi feita. Você pode tentar com outra forma de pagamento.",
        FailedFinalBody => "Nenhuma cobrança foi feita e este link não aceita outra tentativa.",
        TryAnotherMethod => "Escolher outra forma de pagamento",
        CheckingTitle => "Estamos verificando seu pagamento",
        CheckingBody => "Isso pode levar alguns minutos. Esta página será atualizada sozinha.",
        WaitingTitle => "Aguardando a confirmação do seu pagamento",
        WaitingBody => "Esta página será atualizada sozinha quando o pagamento for confirmado.",
        PanicMessage => "Algo deu errado. Recarregue a página para continuar; o que você digitou será mantido.",
        ReloadButton => "Recarregar",
        SummaryTitle => "Resumo da compra",
        PayTo => "Você paga a",
        MerchantLogoAlt => "Logotipo de {merchant}",
        ItemNet => "Valor sem impostos",
        NoTax => "Sem impostos",
        Subtotal => "Subtotal",
        Taxes => "Impostos",
        Total => "Total",
        TimeLeft => "Tempo para pagar",
        TimeAlmostUp => "Restam menos de 2 minutos para pagar.",
        PaymentMethodTitle => "Como você quer pagar?",
        PayInCurrency => "Pagar em {currency}",
        ExchangeRate => "Câmbio",
        NothingPayable => "Este link não tem formas de pagamento disponíveis no momento. Fale com a loja.",
        OtherRail => "Outra forma de pagamento",
        RailCard => "Cartão",
        RailCrypto => "Cripto",
        RailBankTransfer => "Transferência bancária",
        PayerTitle => "Seus dados",
        ChooseMethodFirst => "Escolha uma forma de pagamento para continuar.",
        PayButton => "Pagar {amount}",
        Paying => "Processando o pagamento…",
        FormHasErrors => "Confira os campos destacados.",
        SelectPlaceholder => "Selecione…",
        BanksLoading => "Carregando bancos…",
        BanksError => "Não foi possível carregar a lista de bancos.",
        OptionalHint => "(opcional)",
        SubmitFailed => "Não foi possível enviar seu pagamento e nenhuma cobrança foi feita. Tente novamente.",
        SubmitRejected => "O pagamento não foi aceito. Confira seus dados ou escolha outra forma de pagamento.",
        OfflineBanner => "Você está sem conexão. O que você digitou será mantido; continuaremos quando a conexão voltar.",
        OfflineSubmit => "Você está sem conexão, então não enviamos o pagamento. Seus dados foram mantidos: pague quando a conexão voltar.",
        SubmitUnverified => "Não conseguimos confirmar se seu pagamento foi enviado. Verifique sua conexão e tente novamente: antes de enviá-lo outra vez, verificaremos se ele não foi criado.",
        SubmitTooMany => "Muitas tentativas seguidas. Aguarde alguns segundos e tente novamente; nenhuma cobrança foi feita.",
        RedirectTitle => "Estamos levando você para {provider}",
        RedirectBody => "Se a página não mudar em alguns segundos, use este link:",
        RedirectLink => "Ir para {provider}",
        QrTitle => "Escaneie o QR code para pagar",
        QrBody => "Abra o app do seu banco e escaneie o código, ou copie o código de pagamento e cole no app.",
        QrAlt => "QR code do pagamento. Se não conseguir escanear, use o código de pagamento abaixo.",
        CopyCodeLabel => "Código de pagamento (copia e cola)",
        CopyButton => "Copiar",
        CopyWhat => "Copiar {what}",
        Copied => "Copiado",
        CopyFailed => "Não foi possível copiar automaticamente: o texto ficou selecionado para você copiar.",
        QrExpiresIn => "O código vence em",
        TransferTitle => "Faça a transferência para concluir o pagamento",
        TransferBody => "Pelo app ou site do seu banco, transfira {amount} para esta conta.",
        ClabeLabel => "CLABE",
        CvuLabel => "CVU",
        BankLabel => "Banco",
        AmountLabel => "Valor",
        ApproveTitle => "Aprove o pagamento no seu app",
        ApproveBody => "Enviamos uma solicitação de pagamento. Abra-a no app {provider} e aprove.",
        ReceiptTitle => "Comprovante de pagamento",
        ReceiptMerchant => "Loja",
        ReceiptMethod => "Forma de pagamento",
        ReceiptReference => "Referência do pagamento",
        ReceiptDate => "Data e hora",
        PrintReceipt => "Salvar ou imprimir",
        RedirectPaused => "Vamos esperar: volte à loja quando quiser.",
        SuccessBodyUnnamed => "Seu pagamento foi confirmado.",
        PaidTo => "Você pagou a",
        NotCharged => "Valor não cobrado",
        UnnamedMerchant => "Seu pagamento",
        UnnamedItem => "Item",
        UnnamedTax => "Imposto",
        PhoneTitle => "Continue no celular",
        PhoneBody => "Escaneie o código com o celular para abrir este mesmo pagamento. O resultado aparece aqui.",
        PhoneQrAlt => "Código QR que abre este pagamento no celular",
    }
}

fn en(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppTitle => "Secure payment",
        Loading => "Loading your payment…",
        LanguageLabel => "Language",
        SecureFooter => "Payment processed by Conomy. Your details travel encrypted.",
        LandingTitle => "Conomy payment page",
        LandingBody => "This is where Conomy payment links are paid. Open the link the merchant sent you to see your order and the ways you can pay.",
        LandingHowTo => "No link? Ask the merchant you are buying from.",
        DemoLinksTitle => "Demo links",
        DemoLinksBody => "This server simulates the Conomy API (sandbox): none of these payments moves real money.",
        NotFoundTitle => "We couldn't find this payment link",
        NotFoundBody => "Check that the address is complete, or ask the merchant for a new link.",
        GoHome => "Go to the home page",
        ErrorTitle => "We couldn't load your payment",
        ErrorNetwork => "You seem to be offline. Check your connection and try again.",
        ErrorTimeout => "The server took too long to answer. Please try again.",
        ErrorServer => "We're having technical trouble. Please try again in a few minutes.",
        ErrorDecode => "We received an answer we couldn't read. Please try again.",
        Retry => "Try again",
        InactiveTitle => "This payment link is no longer active",
        InactiveBody => "The merchant deactivated it or no longer accepts payments. Ask them for a new link.",
        InUseTitle => "This payment is already under way elsewhere",
        InUseBody => "Someone started paying this link in another browser or tab, so it isn't shown here. If that was you, go back to that window; otherwise ask the merchant for a new link.",
        ExpiredTitle => "The time to pay has run out",
        ExpiredBody => "Nothing was charged. You can start again with the same link.",
        RefreshButton => "Start again",
        RefreshUnavailable => "This link can't be renewed. Ask the merchant for a new link.",
        PaidTitle => "This link has already been paid",
        PaidBody => "The payment is already recorded. You don't need to pay again.",
        SuccessTitle => "Payment received!",
        SuccessBody => "Your payment to {merchant} is confirmed.",
        RedirectCountdown => "We'll take you back to the merchant in {seconds} s.",
        ContinueNow => "Continue now",
        NoRedirectTarget => "You can close this page now.",
        FailedTitle => "The payment didn't go through",
        FailedRetryBody => "Nothing was charged. You can try another payment method.",
        FailedFinalBody => "Nothing was charged, and this link doesn't accept another attempt.",
        TryAnotherMethod => "Choose another payment method",
        CheckingTitle => "We're checking your payment",
        CheckingBody => "This can take a few minutes. This page will update by itself.",
        WaitingTitle => "Waiting for your payment to be confirmed",
        WaitingBody => "This page will update by itself once the payment is confirmed.",
        PanicMessage => "Something went wrong. Reload the page to continue; what you typed is kept.",
        ReloadButton => "Reload",
        SummaryTitle => "Order summary",
        PayTo => "You're paying",
        MerchantLogoAlt => "{merchant} logo",
        ItemNet => "Before tax",
        NoTax => "No tax",
        Subtotal => "Subtotal",
        Taxes => "Taxes",
        Total => "Total",
        TimeLeft => "Time left to pay",
        TimeAlmostUp => "Less than 2 minutes left to pay.",
        PaymentMethodTitle => "How would you like to pay?",
        PayInCurrency => "Pay in {currency}",
        ExchangeRate => "Exchange rate",
        NothingPayable => "This link has no payment methods available right now. Please contact the merchant.",
        OtherRail => "Other payment method",
        RailCard => "Card",
        RailCrypto => "Crypto",
        RailBankTransfer => "Bank transfer",
        PayerTitle => "Your details",
        ChooseMethodFirst => "Choose a payment method to continue.",
        PayButton => "Pay {amount}",
        Paying => "Processing payment…",
        FormHasErrors => "Please check the highlighted fields.",
        SelectPlaceholder => "Select…",
        BanksLoading => "Loading banks…",
        BanksError => "We couldn't load the list of banks.",
        OptionalHint => "(optional)",
        SubmitFailed => "We couldn't send your payment and nothing was charged. Please try again.",
        SubmitRejected => "The payment wasn't accepted. Check your details or choose another payment method.",
        OfflineBanner => "You're offline. What you typed is kept; we'll carry on when the connection is back.",
        OfflineSubmit => "You're offline, so we didn't send the payment. Your details are kept: pay when the connection is back.",
        SubmitUnverified => "We couldn't confirm whether your payment was sent. Check your connection and try again: before sending it again we'll check it wasn't created.",
        SubmitTooMany => "Too many attempts in a row. Wait a few seconds and try again; nothing was charged.",
        RedirectTitle => "Taking you to {provider}",
        RedirectBody => "If the page doesn't change in a few seconds, use this link:",
        RedirectLink => "Go to {provider}",
        QrTitle => "Scan the QR code to pay",
        QrBody => "Open your bank's app and scan the code, or copy the payment code and paste it in the app.",
        QrAlt => "Payment QR code. If you can't scan it, use the payment code below.",
        CopyCodeLabel => "Payment code",
        CopyButton => "Copy",
        CopyWhat => "Copy {what}",
        Copied => "Copied",
        CopyFailed => "We couldn't copy automatically: the text is selected so you can copy it.",
        QrExpiresIn => "The code expires in",
        TransferTitle => "Make a transfer to complete the payment",
        TransferBody => "From your bank's app or website, transfer {amount} to this account.",
        ClabeLabel => "CLABE",
        CvuLabel => "CVU",
        BankLabel => "Bank",
        AmountLabel => "Amount",
        ApproveTitle => "Approve the payment in your app",
        ApproveBody => "We sent you a payment request. Open it in the {provider} app and approve it.",
        ReceiptTitle => "Payment receipt",
        ReceiptMerchant => "Merchant",
        ReceiptMethod => "Payment method",
        ReceiptReference => "Payment reference",
        ReceiptDate => "Date and time",
        PrintReceipt => "Save or print",
        RedirectPaused => "We'll wait: go back to the merchant when you're ready.",
        SuccessBodyUnnamed => "Your payment is confirmed.",
        PaidTo => "You paid",
        NotCharged => "Amount not charged",
        UnnamedMerchant => "Your payment",
        UnnamedItem => "Item",
        UnnamedTax => "Tax",
        PhoneTitle => "Continue on your phone",
        PhoneBody => "Scan the code with your phone to open this same payment. The outcome shows here.",
        PhoneQrAlt => "QR code that opens this payment on your phone",
    }
}

/// The visible label of a form field.
pub fn field_label(locale: Locale, key: &FieldKey) -> String {
    use FieldKey::*;
    let (es, pt, en) = match key {
        FirstName => ("Nombre", "Nome", "First name"),
        LastName => ("Apellido", "Sobrenome", "Last name"),
        Email => ("Correo electrónico", "E-mail", "Email"),
        PhoneNumberPrefix => ("Código de país", "Código do país", "Country code"),
        PhoneNumber => ("Teléfono", "Telefone", "Phone number"),
        DocumentType => ("Tipo de documento", "Tipo de documento", "Document type"),
        DocumentNumber => ("Número de documento", "Número do documento", "Document number"),
        AddressStreet => ("Calle", "Rua", "Street"),
        AddressStreetNumber => ("Número", "Número", "Street number"),
        AddressOptional => ("Depto, oficina, casa", "Complemento", "Apartment, suite, unit"),
        AddressArea1 => ("Región o estado", "Estado", "State or region"),
        AddressArea2 => ("Ciudad", "Cidade", "City"),
        AddressArea3 => ("Comuna o barrio", "Bairro", "District"),
        AddressZipcode => ("Código postal", "CEP", "Postal code"),
        AddressCountry => (
            "País (código de 3 letras)",
            "País (código de 3 letras)",
            "Country (3-letter code)",
        ),
        BankId => ("Banco", "Banco", "Bank"),
        Other(path) => return humanize_path(path),
    };
    pick(locale, es, pt, en).to_string()
}

/// The message shown under a field that failed validation.
pub fn field_error(locale: Locale, error: FieldError) -> String {
    let (es, pt, en) = match error {
        FieldError::Required => (
            "Completa este campo.",
            "Preencha este campo.",
            "Please fill in this field.",
        ),
        FieldError::Email => (
            "Escribe un correo válido, por ejemplo nombre@ejemplo.com.",
            "Digite um e-mail válido, por exemplo nome@exemplo.com.",
            "Enter a valid email, for example name@example.com.",
        ),
        FieldError::PhoneDigits => (
            "El teléfono solo puede tener números.",
            "O telefone só pode ter números.",
            "The phone number can only contain digits.",
        ),
        FieldError::PhoneLength { min, max } => {
            let (min, max) = (min.to_string(), max.to_string());
            let template = if min == max {
                pick(
                    locale,
                    "El teléfono debe tener {min} dígitos.",
                    "O telefone deve ter {min} dígitos.",
                    "The phone number must have {min} digits.",
                )
            } else {
                pick(
                    locale,
                    "El teléfono debe tener entre {min} y {max} dígitos.",
                    "O telefone deve ter entre {min} e {max} dígitos.",
                    "The phone number must have {min} to {max} digits.",
                )
            };
            return fill(template, &[("min", &min), ("max", &max)]);
        }
        FieldError::PhonePrefix => (
            "Escribe un código de país válido, por ejemplo +56.",
            "Digite um código de país válido, por exemplo +55.",
            "Enter a valid country code, for example +1.",
        ),
        FieldError::DocumentFormat => (
            "El número de documento no tiene el formato correcto.",
            "O número do documento não está no formato correto.",
            "The document number isn't in the right format.",
        ),
        FieldError::DocumentCheckDigit => (
            "El número de documento no es válido: revisa el dígito verificador.",
            "O número do documento não é válido: confira os dígitos verificadores.",
            "The document number isn't valid: check its check digit.",
        ),
        FieldError::DocumentTypeNotAllowed => (
            "Este tipo de documento no se acepta para este medio de pago.",
            "Este tipo de documento não é aceito nesta forma de pagamento.",
            "This document type isn't accepted for this payment method.",
        ),
        FieldError::TooLong => (
            "El texto es demasiado largo.",
            "O texto é longo demais.",
            "This is too long.",
        ),
        FieldError::Invalid => ("Revisa este dato.", "Confira este dado.", "Please check this value."),
        FieldError::HiddenCharacters => (
            "Quita los caracteres invisibles o de dirección del texto.",
            "Remova os caracteres invisíveis ou de direção do texto.",
            "Remove the invisible or text-direction characters from this value.",
        ),
    };
    pick(locale, es, pt, en).to_string()
}

/// The name of an identity document type (§6), as the payer knows it.
pub fn document_type_name(locale: Locale, code: &str) -> String {
    let named = match code {
        "CC" | "CED_CIU" => Some(("Cédula de ciudadanía", "Cédula de cidadania", "Citizenship card")),
        "CE" | "CED_EXT" => Some(("Cédula de extranjería", "Cédula de estrangeiro", "Foreigner ID card")),
        "PASSPORT" => Some(("Pasaporte", "Passaporte", "Passport")),
        _ => None,
    };
    match named {
        Some((es, pt, en)) => format!("{} ({code})", pick(locale, es, pt, en)),
        None => code.to_string(),
    }
}

fn pick(locale: Locale, es: &'static str, pt: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Es => es,
        Locale::PtBr => pt,
        Locale::En => en,
    }
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
