//! [`api_struct!`]: each Conomy API struct is declared once, and both of its JSON readings come
//! from that one declaration: the serde derives with their attributes (the server, behind core's
//! `serde` feature) and the [`FromJson`](crate::wire::decode::FromJson) decoder over [`Fields`]
//! (the SPA, which must not contain serde). `core/tests/decode_equivalence.rs` checks on random
//! inputs that the two agree.
//!
//! [`Fields`]: crate::wire::decode::Fields

/// Declares a `pub struct` of the API with its serde attributes and its `FromJson` impl.
///
/// Every field is written `pub name: Type = mode("jsonName"),`: the JSON name is given in full
/// (it becomes serde's `rename`; there is no `rename_all`), and the mode says at once how serde
/// treats the field and which [`Fields`](crate::wire::decode::Fields) call decodes it:
///
/// * `required("j")`: serde `rename = "j"`; decoded by `f.required(i, "j")`.
/// * `open("j")`, an `open_enum!` value: `rename = "j"`; `f.required::<String>(i, "j").into()`.
/// * `text("j")`, a `String`: `rename = "j", default`; `f.text(i, "j")`.
/// * `opt_text("j")`, an `Option<String>`: `rename = "j", default,
///   skip_serializing_if = "Option::is_none"`; `f.opt_text(i, "j")`.
/// * `default("j")`: `rename = "j", default`; `f.or_default(i, "j")`.
/// * `optional("j")`, an `Option<_>`: `rename = "j", default, skip_serializing_if =
///   "Option::is_none"`; `f.or_default(i, "j")`.
/// * `default("j", skip_serializing_if = "path")`: `rename = "j", default,
///   skip_serializing_if = "path"`; `f.or_default(i, "j")`.
/// * `default("j", default = "path")`: `rename = "j", default = "path"`; `f.or_default(i, "j")`.
/// * `flatten`, an [`Object`](crate::wire::json::Object) (at most one field): serde `flatten`;
///   `rest(object, &[every other JSON name])`.
///
/// `i` is the field's position in the declaration (serde's sequence form: a struct may also come
/// as an array of its fields), and `f` reads an object or such an array
/// (`Fields::of(value, field count)`), except in a struct with a `flatten` field, which serde
/// reads from objects only (`Fields::object(value)`). Field doc comments are kept; the struct's
/// own attributes (doc, `#[derive(..)]`) come first, and the macro adds
/// `#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]`. One type parameter is
/// allowed (`Page<T>`, decoded when `T: FromJson`).
///
/// ```text
/// api_struct! {
///     /// One line of the order.
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct Item {
///         pub description: String = text("description"),
///         pub pre_tax_amount: String = required("preTaxAmount"),
///         pub total_amount: String = required("totalAmount"),
///         pub tax: Option<Tax> = default("tax"),
///     }
/// }
/// ```
///
/// is the struct with `#[cfg_attr(feature = "serde", serde(rename = "description", default))]`
/// on `description`, `serde(rename = "preTaxAmount")` on `pre_tax_amount` and so on, plus
///
/// ```text
/// impl FromJson for Item {
///     fn from_json(value: &Json) -> Result<Self, DecodeError> {
///         enum Field { description, pre_tax_amount, total_amount, tax, __Count }
///         let mut f = Fields::of(value, Field::__Count as usize)?; // 4
///         finish(
///             Item {
///                 description: f.text(Field::description as usize, "description"), // 0
///                 pre_tax_amount: f.required(Field::pre_tax_amount as usize, "preTaxAmount"),
///                 total_amount: f.required(Field::total_amount as usize, "totalAmount"),
///                 tax: f.or_default(Field::tax as usize, "tax"),
///             },
///             f,
///         )
///     }
/// }
/// ```
///
/// The fields are read one at a time (a "tt muncher"): `@munch` splits off the next field,
/// `@field` turns its mode into serde attributes and a decoder expression, `@push` appends those
/// to the accumulators, and the last `@munch` arms write the struct and the impl.
macro_rules! api_struct {
    // Entry: the struct's attributes and name, then its fields with empty accumulators:
    // [struct fields] [decoder inits] [field positions] [JSON names] [flatten field].
    // `f` and `object` are named here once so that every step's tokens refer to the same
    // variables (macro hygiene).
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$param:ident>)? { $($body:tt)* }
    ) => {
        $crate::wire::api_struct::api_struct!(@munch f object
            [$(#[$meta])* ; $name [$($param)?]] [] [] [] [] []
            $($body)*
        );
    };

    // No field left, no flatten field: objects or arrays of at most the field count.
    (@munch $f:ident $o:ident
        [$(#[$meta:meta])* ; $name:ident [$($param:ident)?]]
        [$($fields:tt)*] [$($inits:tt)*] [$($idx:ident)*] [$($names:literal)*] []
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize))]
        pub struct $name $(<$param>)? { $($fields)* }

        impl $(<$param: $crate::wire::decode::FromJson>)? $crate::wire::decode::FromJson for $name $(<$param>)? {
            fn from_json(value: &$crate::wire::json::Json) -> Result<Self, $crate::wire::decode::DecodeError> {
                /// The fields' positions (serde's sequence form), and their count.
                #[allow(non_camel_case_types)]
                enum Field { $($idx,)* __Count }
                let mut $f = $crate::wire::decode::Fields::of(value, Field::__Count as usize)?;
                $crate::wire::decode::finish($name { $($inits)* }, $f)
            }
        }
    };

    // No field left, one flatten field: objects only; it takes the members no field names.
    (@munch $f:ident $o:ident
        [$(#[$meta:meta])* ; $name:ident [$($param:ident)?]]
        [$($fields:tt)*] [$($inits:tt)*] [$($idx:ident)*] [$($names:literal)*] [$flat:ident]
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize))]
        pub struct $name $(<$param>)? { $($fields)* }

        impl $(<$param: $crate::wire::decode::FromJson>)? $crate::wire::decode::FromJson for $name $(<$param>)? {
            fn from_json(value: &$crate::wire::json::Json) -> Result<Self, $crate::wire::decode::DecodeError> {
                /// The named fields' positions.
                #[allow(non_camel_case_types)]
                enum Field { $($idx,)* }
                let (mut $f, $o) = $crate::wire::decode::Fields::object(value)?;
                $crate::wire::decode::finish(
                    $name { $($inits)* $flat: $crate::wire::decode::rest($o, &[$($names),*]) },
                    $f,
                )
            }
        }
    };

    // The next field: `attributes pub name: Type = mode(args),`.
    (@munch $f:ident $o:ident $hdr:tt $fields:tt $inits:tt $idx:tt $names:tt $flat:tt
        $(#[$attr:meta])* pub $field:ident : $ty:ty = $mode:ident $(($($arg:tt)*))? $(, $($rest:tt)*)?
    ) => {
        $crate::wire::api_struct::api_struct!(@field $mode($($($arg)*)?) $field [$(#[$attr])*] [$ty];
            $f $o $hdr $fields $inits $idx $names $flat [$($($rest)*)?]
        );
    };

    // The modes: serde attributes, then the decoder expression.
    (@field required($json:literal) $field:ident $attrs:tt $ty:tt; $f:ident $($state:tt)*) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json]
            [$f.required(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    (@field open($json:literal) $field:ident $attrs:tt $ty:tt; $f:ident $($state:tt)*) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json]
            [$f.required::<String>(Field::$field as usize, $json).into()] $json $field $attrs $ty; $f $($state)*);
    };
    (@field text($json:literal) $field:ident $attrs:tt $ty:tt; $f:ident $($state:tt)*) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json, default]
            [$f.text(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    (@field opt_text($json:literal) $field:ident $attrs:tt $ty:tt; $f:ident $($state:tt)*) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json, default, skip_serializing_if = "Option::is_none"]
            [$f.opt_text(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    (@field default($json:literal) $field:ident $attrs:tt $ty:tt; $f:ident $($state:tt)*) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json, default]
            [$f.or_default(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    (@field optional($json:literal) $field:ident $attrs:tt $ty:tt; $f:ident $($state:tt)*) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json, default, skip_serializing_if = "Option::is_none"]
            [$f.or_default(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    (@field default($json:literal, skip_serializing_if = $skip:literal) $field:ident $attrs:tt $ty:tt;
        $f:ident $($state:tt)*
    ) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json, default, skip_serializing_if = $skip]
            [$f.or_default(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    (@field default($json:literal, default = $make:literal) $field:ident $attrs:tt $ty:tt;
        $f:ident $($state:tt)*
    ) => {
        $crate::wire::api_struct::api_struct!(@push [rename = $json, default = $make]
            [$f.or_default(Field::$field as usize, $json)] $json $field $attrs $ty; $f $($state)*);
    };
    // The flatten field: no JSON name, no position; its decoder is written at the end, when
    // every other JSON name is known.
    (@field flatten() $field:ident [$($attrs:tt)*] [$ty:ty];
        $f:ident $o:ident $hdr:tt [$($fields:tt)*] $inits:tt $idx:tt $names:tt [] [$($rest:tt)*]
    ) => {
        $crate::wire::api_struct::api_struct!(@munch $f $o $hdr
            [$($fields)* $($attrs)* #[cfg_attr(feature = "serde", serde(flatten))] pub $field: $ty,]
            $inits $idx $names [$field]
            $($rest)*
        );
    };

    // Appends one named field to the accumulators and goes on with the rest.
    (@push [$($serde:tt)*] [$($init:tt)*] $json:literal $field:ident [$($attrs:tt)*] [$ty:ty];
        $f:ident $o:ident $hdr:tt [$($fields:tt)*] [$($inits:tt)*] [$($idx:ident)*] [$($names:literal)*]
        $flat:tt [$($rest:tt)*]
    ) => {
        $crate::wire::api_struct::api_struct!(@munch $f $o $hdr
            [$($fields)* $($attrs)* #[cfg_attr(feature = "serde", serde($($serde)*))] pub $field: $ty,]
            [$($inits)* $field: $($init)*,]
            [$($idx)* $field]
            [$($names)* $json]
            $flat
            $($rest)*
        );
    };
}

pub(crate) use api_struct;
