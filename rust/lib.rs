//! imagelookup's core: Docker-exact platforms, references and manifest-list selection.
//!
//! The modules below are plain Rust and know nothing of Python; `py` holds the bindings
//! and is built only with the `python` feature (maturin turns it on).

pub mod digest;
pub mod error;
pub mod host;
pub mod idindex;
pub mod json;
pub mod manifest;
pub mod matcher;
pub mod platform;
pub mod reference;

#[cfg(feature = "python")]
mod py;

pub use error::{Error, ReferenceErrorKind, Result};
pub use platform::Platform;
