//! One file per route.

pub mod checkout;
pub mod landing;
pub mod not_found;
