//! The payer form: the fields the chosen method needs, prefilled, validated on blur and on
//! submit, with every value kept in one map shared across methods and saved to the tab's
//! storage on every keystroke (nothing typed is lost on a switch, an error or a reload).

pub use checkout_core::checkout::method_at;
use checkout_core::checkout::restored_values;
use checkout_core::fields::{self, FieldKey, FieldSpec, FormValues};
use checkout_core::i18n::{document_type_name, field_error, field_label, Key};
use checkout_core::model::CheckoutSession;
use checkout_core::small_map::SmallMap;
use checkout_core::validate::{self, FieldError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;

use crate::api;
use crate::locale::use_i18n;
use crate::storage::{self, SavedForm};

/// The form's state, owned by the page so it outlives method switches and screen changes.
#[derive(Clone, Copy)]
pub struct FormState {
    token: StoredValue<String>,
    /// `FieldKey::id()` → value, for every field ever shown.
    pub values: RwSignal<FormValues>,
    /// `FieldKey::id()` → the error currently shown under that field.
    pub errors: RwSignal<SmallMap<String, FieldError>>,
    /// `(config index, method index)` of the chosen method.
    pub choice: RwSignal<Option<(usize, usize)>>,
}

impl FormState {
    pub fn new(token: &str) -> Self {
        Self {
            token: StoredValue::new(token.to_string()),
            values: RwSignal::new(FormValues::new()),
            errors: RwSignal::new(SmallMap::new()),
            choice: RwSignal::new(None),
        }
    }

    /// Fills the form for a session: the merchant's `customer` first, what this tab saved on
    /// top (the payer's own typing wins), what is typed now over both
    /// (`checkout_core::checkout::restored_values`), and the saved choice when it still exists.
    pub fn restore(&self, session: &CheckoutSession, default_choice: Option<(usize, usize)>) {
        let saved = storage::form(&self.token.get_value());
        let values = self
            .values
            .with_untracked(|typed| restored_values(session, saved.values, typed));
        self.values.set(values);
        let saved_choice = saved
            .config
            .zip(saved.method)
            .filter(|&(c, m)| method_at(session, c, m).is_some());
        self.select(session, saved_choice.or(default_choice));
    }

    /// Chooses a method of `session` (or none) and fills in what its country implies
    /// ([`fields::fill_defaults`]): here, when the choice is made, never while the form draws.
    pub fn select(&self, session: &CheckoutSession, choice: Option<(usize, usize)>) {
        self.choice.set(choice);
        let Some((_, method)) = choice.and_then(|(c, m)| method_at(session, c, m)) else {
            return;
        };
        let specs = fields::fields_for(session, method);
        let country = fields::rail_country(&method.rail, &session.currency);
        let mut changed = false;
        self.values
            .update(|values| changed = fields::fill_defaults(&specs, country, values));
        if changed {
            self.save();
        }
    }

    pub fn value(&self, id: &str) -> String {
        self.values.with(|v| v.get(id).cloned().unwrap_or_default())
    }

    pub fn set_value(&self, id: &str, value: String) {
        self.values.update(|v| {
            v.insert(id.to_string(), value);
        });
        self.save();
    }

    /// The payer picked a method: chosen, defaults filled, saved for a reload.
    pub fn choose(&self, session: &CheckoutSession, choice: (usize, usize)) {
        self.select(session, Some(choice));
        self.save();
    }

    pub fn save(&self) {
        let (config, method) = match self.choice.get_untracked() {
            Some((c, m)) => (Some(c), Some(m)),
            None => (None, None),
        };
        let form = SavedForm {
            values: self.values.get_untracked(),
            config,
            method,
        };
        storage::set_form(&self.token.get_value(), &form);
    }

    /// Validates one field and updates its message.
    fn validate_one(&self, spec: &FieldSpec, country: &str) {
        let result = self
            .values
            .with_untracked(|v| fields::validate_field(&spec.key, v, country, spec.required));
        self.errors.update(|errors| match result {
            Ok(()) => {
                errors.remove(&spec.key.id());
            }
            Err(error) => {
                errors.insert(spec.key.id(), error);
            }
        });
    }
}

/// The fields of the chosen method. Renders nothing until a method is chosen.
#[component]
pub fn PayerForm(session: CheckoutSession, form: FormState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let Some((config, method)) = form.choice.get() else {
            return view! { <p class="muted" data-testid="choose-method">{move || i18n.t(Key::ChooseMethodFirst)}</p> }
                .into_any();
        };
        let Some((_, method)) = method_at(&session, config, method) else {
            return ().into_any();
        };
        let country = fields::rail_country(&method.rail, &session.currency);
        let inputs = fields::fields_for(&session, method)
            .into_iter()
            .map(|spec| view! { <FormField spec=spec form=form country=country /> })
            .collect_view();
        view! {
            <section class="payer" aria-labelledby="payer-title">
                <h2 id="payer-title">{move || i18n.t(Key::PayerTitle)}</h2>
                <div class="fields">{inputs}</div>
            </section>
        }
        .into_any()
    }
}

/// One labelled field: input, document-type select or bank picker, with its error message.
#[component]
pub fn FormField(spec: FieldSpec, form: FormState, country: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let id = spec.key.id();
    let error_id = format!("{id}-error");
    let key = spec.key.clone();
    // This field's own value and error: a keystroke elsewhere changes neither, so redraws nothing here.
    let value = {
        let id = id.clone();
        Memo::new(move |_| form.value(&id))
    };
    let error = {
        let id = id.clone();
        Memo::new(move |_| form.errors.with(|e| e.get(&id).copied()))
    };
    let label = {
        let key = key.clone();
        let required = spec.required;
        move || {
            let text = field_label(i18n.get(), &key);
            if required {
                text
            } else {
                format!("{text} {}", i18n.t(Key::OptionalHint))
            }
        }
    };
    // Not a `Callback`: those live in the component's arena and die with it, while a focused
    // field that is removed (the screen changed under the payer's cursor) still receives its
    // `blur`, after its owner was cleaned up. The handler owns what it needs and reaches only the
    // page's form state, which outlives the field; and a field that is leaving is not one the
    // payer left, so it is not validated.
    let leaving = Arc::new(AtomicBool::new(false));
    on_cleanup({
        let leaving = leaving.clone();
        move || leaving.store(true, Ordering::Relaxed)
    });
    let on_blur = {
        let spec = spec.clone();
        move |_: leptos::ev::FocusEvent| {
            if !leaving.load(Ordering::Relaxed) {
                form.validate_one(&spec, country);
            }
        }
    };
    let on_input = {
        let (spec, id) = (spec.clone(), id.clone());
        Callback::new(move |value: String| {
            form.set_value(&id, value);
            // A field already marked wrong is re-checked as the payer fixes it.
            if error.get_untracked().is_some() {
                form.validate_one(&spec, country);
            }
        })
    };
    let described = {
        let error_id = error_id.clone();
        Signal::derive(move || error.get().map(|_| error_id.clone()))
    };
    let control = match key {
        FieldKey::DocumentType => view! {
            <DocumentTypeSelect id=id.clone() value=value country=country on_input=on_input on_blur=on_blur.clone() invalid=error described=described />
        }
        .into_any(),
        FieldKey::BankId => view! {
            <BankSelect id=id.clone() value=value country=country on_input=on_input on_blur=on_blur.clone() invalid=error described=described />
        }
        .into_any(),
        _ => view! {
            <input
                id=id.clone()
                name=id.clone()
                type=key.input_type()
                autocomplete=key.autocomplete()
                inputmode=key.inputmode()
                maxlength=key.max_len().to_string()
                required=spec.required
                spellcheck="false"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=on_blur.clone()
            />
        }
        .into_any(),
    };
    let wide = matches!(
        spec.key,
        FieldKey::Email | FieldKey::AddressStreet | FieldKey::BankId | FieldKey::Other(_)
    );
    view! {
        <div class="field" class:wide=wide class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {control}
            {move || error.get().map(|e| view! {
                <p id=error_id.clone() class="field-error" data-testid="field-error">
                    {move || field_error(i18n.get(), e)}
                </p>
            })}
        </div>
    }
}

#[component]
fn DocumentTypeSelect(
    id: String,
    /// The field's current value.
    value: Memo<String>,
    country: &'static str,
    on_input: Callback<String>,
    on_blur: impl Fn(leptos::ev::FocusEvent) + Clone + Send + Sync + 'static,
    invalid: Memo<Option<FieldError>>,
    described: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let offered = validate::document_types(country);
    // A prefilled type this country doesn't list stays visible (validation explains why).
    let extra = move || {
        let current = value.get();
        (!current.is_empty() && !offered.contains(&current.as_str())).then(|| {
            view! { <option value=current.clone() selected=true>{current.clone()}</option> }
        })
    };
    let options = offered
        .iter()
        .map(|code| {
            view! {
                <option value=*code selected=move || value.with(|v| v.as_str() == *code)>
                    {move || document_type_name(i18n.get(), code)}
                </option>
            }
        })
        .collect_view();
    view! {
        <select
            id=id.clone()
            name=id.clone()
            autocomplete="off"
            aria-invalid=move || invalid.get().is_some().to_string()
            aria-describedby=described
            on:change=move |ev| on_input.run(event_target_value(&ev))
            on:blur=on_blur
        >
            <option value="" disabled=true selected=move || value.with(String::is_empty)>{move || i18n.t(Key::SelectPlaceholder)}</option>
            {options}
            {extra}
        </select>
    }
}

/// The bank picker, fed by `GET /api/payments/banks/{country}`.
#[component]
fn BankSelect(
    id: String,
    /// The field's current value.
    value: Memo<String>,
    country: &'static str,
    on_input: Callback<String>,
    on_blur: impl Fn(leptos::ev::FocusEvent) + Clone + Send + Sync + 'static,
    invalid: Memo<Option<FieldError>>,
    described: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let banks = crate::fetched::Fetched::new(move || api::banks(country));
    // A list that failed for lack of connection loads again by itself once the browser is back.
    let online = crate::network_status::use_online();
    Effect::new(move |was_online: Option<bool>| {
        let now = online.get();
        if was_online == Some(false) && now && matches!(banks.get_untracked(), Some(Err(_))) {
            banks.refetch();
        }
        now
    });
    // The list is redrawn only when its answer changes; which option is selected follows the
    // field's value inside each option.
    move || {
        let state = banks.get();
        let loading = state.is_none();
        let failed = matches!(state, Some(Err(_)));
        let options = match state {
            Some(Ok(list)) => list
                .into_iter()
                .map(|bank| {
                    let code = bank.code.clone();
                    view! { <option value=bank.code.clone() selected=move || value.with(|v| *v == code)>{bank.name.clone()}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        };
        let placeholder = move || {
            if loading {
                i18n.t(Key::BanksLoading)
            } else {
                i18n.t(Key::SelectPlaceholder)
            }
        };
        view! {
            <select
                id=id.clone()
                name=id.clone()
                autocomplete="off"
                disabled=loading
                aria-busy=loading.to_string()
                aria-invalid=move || invalid.get().is_some().to_string()
                aria-describedby=described
                on:change=move |ev| on_input.run(event_target_value(&ev))
                on:blur=on_blur.clone()
            >
                <option value="" selected=move || value.with(String::is_empty)>{placeholder}</option>
                {options}
            </select>
            {failed.then(|| view! {
                <p class="notice small" role="alert">
                    {move || i18n.t(Key::BanksError)} " "
                    <button type="button" class="link-button" on:click=move |_| banks.refetch()>{move || i18n.t(Key::Retry)}</button>
                </p>
            })}
        }
    }
}
