//! Argument readers that fail only with documented exceptions.
//!
//! # Text
//!
//! A Python `str` may hold lone surrogates (`"\ud800"`), which UTF-8, and so Rust and Go,
//! cannot. PyO3's `&str` refuses such a string with `UnicodeEncodeError`, which is none of
//! `imagelookup.errors`. [`Text`] reads each lone surrogate as U+FFFD instead. No
//! specifier, reference, digest or ID may contain that character, so every parser rejects
//! the string with its own typed error (`InvalidParameter`, `InvalidDigest`, `NotFound`);
//! a `Platform` field keeps the U+FFFD, as a `%`-escape that decodes to bytes that are not
//! UTF-8 does. Anything that is not a `str` is still a `TypeError`.
//!
//! # Integers
//!
//! PyO3 refuses an `int` outside the Rust type with `OverflowError`. [`Limit`] (a byte bound
//! or a count) reads a negative value as `InvalidParameter` and a value past `usize` as
//! `usize::MAX` (no bound short of memory); [`Int64`] (a Go `int64` field) reads a value
//! outside 64 bits as `InvalidParameter`. Anything that is not an integer stays a
//! `TypeError`.

use crate::error::Error;
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::borrow::Cow;
use std::ops::Deref;

/// The text of a `str` argument: borrowed when it is valid UTF-8 (the usual case),
/// otherwise an owned copy with U+FFFD for each lone surrogate.
pub struct Text<'a>(Cow<'a, str>);

impl<'a> Text<'a> {
    /// The text of `s`.
    pub fn of(s: &'a Bound<'_, PyString>) -> Self {
        match s.to_str() {
            Ok(t) => Self(Cow::Borrowed(t)),
            Err(_) => Self(Cow::Owned(replace_surrogates(s))),
        }
    }

    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Self(Cow::Borrowed(s))
    }
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Text<'a> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match <&'a str>::extract(obj) {
            Ok(s) => Ok(Self(Cow::Borrowed(s))),
            Err(err) => {
                let s = obj.cast::<PyString>().map_err(|_| err)?;
                Ok(Self(Cow::Owned(replace_surrogates(&s))))
            }
        }
    }
}

/// Cold path: `s` holds lone surrogates. UTF-16 keeps each as one code unit, which
/// `from_utf16_lossy` turns into one U+FFFD (UTF-8 with `surrogatepass` would give three).
#[cold]
fn replace_surrogates(s: &Bound<'_, PyString>) -> String {
    let units: Option<Vec<u16>> = s
        .call_method1("encode", ("utf-16-le", "surrogatepass"))
        .and_then(|b| b.extract::<Vec<u8>>())
        .ok()
        .map(|b| b.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect());
    match units {
        Some(units) => String::from_utf16_lossy(&units),
        None => s.to_string_lossy().into_owned(),
    }
}

/// The texts of a sequence of `str` (not a `str` itself), owned.
#[derive(Default)]
pub struct Texts(pub Vec<String>);

impl<'py> FromPyObject<'_, 'py> for Texts {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let items = obj.extract::<Vec<Bound<'py, PyAny>>>()?;
        let texts = items.iter().map(|item| Ok(item.extract::<Text<'_>>()?.into_owned()));
        Ok(Self(texts.collect::<PyResult<_>>()?))
    }
}

fn invalid(message: &str) -> PyErr {
    Error::InvalidArgument { message: message.to_owned() }.into()
}

/// A non-negative bound or count; past `usize::MAX` it saturates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(pub usize);

impl<'py> FromPyObject<'_, 'py> for Limit {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        match obj.extract::<usize>() {
            Ok(n) => Ok(Self(n)),
            Err(err) if err.is_instance_of::<PyOverflowError>(obj.py()) => {
                if obj.lt(0)? {
                    Err(invalid("a length or count must not be negative"))
                } else {
                    Ok(Self(usize::MAX))
                }
            }
            Err(err) => Err(err),
        }
    }
}

/// A Go `int64` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int64(pub i64);

impl<'py> FromPyObject<'_, 'py> for Int64 {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        match obj.extract::<i64>() {
            Ok(n) => Ok(Self(n)),
            Err(err) if err.is_instance_of::<PyOverflowError>(obj.py()) => {
                Err(invalid("an integer field must fit in a signed 64-bit integer"))
            }
            Err(err) => Err(err),
        }
    }
}
