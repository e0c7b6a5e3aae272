//! The one mapping from the core's [`Error`] to the exception classes of
//! `imagelookup.errors`. Those classes are defined in Python (so they can carry attributes
//! and subclass the right built-ins); they are looked up once and cached.

use crate::error::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        Python::attach(|py| to_pyerr(py, err))
    }
}

/// Builds the Python exception for `err`. Cold path: never called on success.
#[cold]
pub fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    build(py, &err).unwrap_or_else(|lookup_failure| lookup_failure)
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let module = ERRORS_MODULE
        .get_or_try_init(py, || py.import("imagelookup.errors").map(Bound::unbind))?
        .bind(py);
    let kwargs = PyDict::new(py);
    let class = match err {
        Error::InvalidPlatform { .. } => {
            kwargs.set_item("kind", "invalid_platform")?;
            "InvalidParameter"
        }
        Error::InvalidReference { kind, .. } => {
            kwargs.set_item("kind", kind.as_str())?;
            if kind.is_digest() {
                "InvalidDigest"
            } else {
                "InvalidParameter"
            }
        }
        Error::DigestMismatch { expected, actual } => {
            kwargs.set_item("expected", expected)?;
            kwargs.set_item("actual", actual)?;
            "DigestMismatch"
        }
        Error::NotFound { .. } => "NotFound",
        Error::AmbiguousPrefix { prefix } => {
            kwargs.set_item("prefix", prefix)?;
            "AmbiguousPrefix"
        }
        Error::InvalidManifest { offset, reason } => {
            kwargs.set_item("offset", offset)?;
            kwargs.set_item("reason", reason)?;
            "InvalidManifest"
        }
        Error::LimitExceeded { limit, size } => {
            kwargs.set_item("limit", limit)?;
            kwargs.set_item("size", size)?;
            "LimitExceeded"
        }
        Error::InvalidArgument { .. } => {
            kwargs.set_item("kind", "invalid_argument")?;
            "InvalidParameter"
        }
    };
    let value = module.getattr(class)?.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(value))
}
