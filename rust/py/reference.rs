//! Bindings for `imagelookup.reference`: the `Reference` value and the parse functions.

use super::args::Text;
use crate::error::{Error, ReferenceErrorKind};
use crate::reference::{self as core, Reference};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// A parsed image reference (see `imagelookup.reference`).
#[pyclass(name = "Reference", module = "imagelookup.reference", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub struct PyReference {
    pub inner: Reference,
}

/// The text of a Python `str`; a string Go could not hold as UTF-8 (lone surrogates) is
/// simply not a reference.
fn text<'a>(s: &'a Bound<'_, PyString>) -> PyResult<std::borrow::Cow<'a, str>> {
    match s.to_str() {
        Ok(t) => Ok(std::borrow::Cow::Borrowed(t)),
        Err(_) => {
            Err(Error::reference(ReferenceErrorKind::InvalidFormat, "invalid reference format")
                .into())
        }
    }
}

fn wrap(r: crate::Result<Reference>) -> PyResult<PyReference> {
    Ok(PyReference { inner: r? })
}

fn named(r: &PyReference, what: &str) -> PyResult<()> {
    if r.inner.is_digest_only() {
        return Err(PyTypeError::new_err(format!(
            "{what} needs a named reference, got the digest-only reference {}",
            r.inner
        )));
    }
    Ok(())
}

#[pymethods]
impl PyReference {
    #[new]
    #[pyo3(signature = (name=None, tag=None, digest=None))]
    fn new(
        name: Option<Text<'_>>,
        tag: Option<Text<'_>>,
        digest: Option<Text<'_>>,
    ) -> PyResult<Self> {
        let inner = match name {
            None => {
                if tag.is_some() {
                    return Err(PyTypeError::new_err(
                        "a reference without a name cannot have a tag",
                    ));
                }
                let Some(digest) = digest else {
                    return Err(PyTypeError::new_err("a reference needs a name or a digest"));
                };
                core::digest_reference(&digest)?
            }
            Some(name) => {
                let mut r = core::with_name(&name)?;
                if let Some(tag) = tag {
                    r = r.with_tag(&tag)?;
                }
                if let Some(digest) = digest {
                    r = r.with_digest(&digest)?;
                }
                r
            }
        };
        Ok(Self { inner })
    }

    /// The full name, or None for a digest-only reference.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name()
    }

    #[getter]
    fn domain(&self) -> Option<&str> {
        self.inner.domain()
    }

    #[getter]
    fn path(&self) -> Option<&str> {
        self.inner.path()
    }

    #[getter]
    fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    #[getter]
    fn digest(&self) -> Option<&str> {
        self.inner.digest()
    }

    #[getter]
    fn is_digest_only(&self) -> bool {
        self.inner.is_digest_only()
    }

    #[getter]
    fn familiar_name(&self) -> Option<String> {
        self.inner.familiar_name()
    }

    #[getter]
    fn familiar_string(&self) -> String {
        self.inner.familiar_string()
    }

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self) -> String {
        let mut parts = Vec::with_capacity(3);
        if let Some(name) = self.inner.name() {
            parts.push(format!("name='{name}'"));
        }
        if let Some(tag) = self.inner.tag() {
            parts.push(format!("tag='{tag}'"));
        }
        if let Some(digest) = self.inner.digest() {
            parts.push(format!("digest='{digest}'"));
        }
        format!("Reference({})", parts.join(", "))
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.inner.hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let r = &slf.get().inner;
        let args = (r.name(), r.tag(), r.digest()).into_pyobject(slf.py())?;
        Ok((slf.get_type(), args))
    }
}

#[pyfunction]
#[pyo3(name = "reference_parse")]
fn parse(s: &Bound<'_, PyString>) -> PyResult<PyReference> {
    wrap(core::parse(&text(s)?))
}

#[pyfunction]
#[pyo3(name = "reference_parse_normalized_named")]
fn parse_normalized_named(s: &Bound<'_, PyString>) -> PyResult<PyReference> {
    wrap(core::parse_normalized_named(&text(s)?))
}

#[pyfunction]
#[pyo3(name = "reference_parse_any")]
fn parse_any(s: &Bound<'_, PyString>) -> PyResult<PyReference> {
    wrap(core::parse_any(&text(s)?))
}

#[pyfunction]
#[pyo3(name = "reference_parse_named")]
fn parse_named(s: &Bound<'_, PyString>) -> PyResult<PyReference> {
    wrap(core::parse_named(&text(s)?))
}

#[pyfunction]
#[pyo3(name = "reference_parse_docker_ref")]
fn parse_docker_ref(s: &Bound<'_, PyString>) -> PyResult<PyReference> {
    wrap(core::parse_docker_ref(&text(s)?))
}

#[pyfunction]
#[pyo3(name = "reference_with_name")]
fn with_name(name: &Bound<'_, PyString>) -> PyResult<PyReference> {
    wrap(core::with_name(&text(name)?))
}

#[pyfunction]
#[pyo3(name = "reference_familiar_string")]
fn familiar_string(r: &PyReference) -> String {
    r.inner.familiar_string()
}

#[pyfunction]
#[pyo3(name = "reference_familiar_name")]
fn familiar_name(r: &PyReference) -> PyResult<String> {
    named(r, "familiar_name")?;
    Ok(r.inner.familiar_name().unwrap_or_default())
}

#[pyfunction]
#[pyo3(name = "reference_tag_name_only")]
fn tag_name_only(r: &PyReference) -> PyReference {
    PyReference { inner: r.inner.tag_name_only() }
}

#[pyfunction]
#[pyo3(name = "reference_with_tag")]
fn with_tag(r: &PyReference, tag: &Bound<'_, PyString>) -> PyResult<PyReference> {
    named(r, "with_tag")?;
    let tag = tag.to_str().unwrap_or("\u{fffd}");
    wrap(r.inner.with_tag(tag))
}

#[pyfunction]
#[pyo3(name = "reference_with_digest")]
fn with_digest(r: &PyReference, digest: &Bound<'_, PyString>) -> PyResult<PyReference> {
    named(r, "with_digest")?;
    let digest = digest.to_str().unwrap_or("\u{fffd}");
    wrap(r.inner.with_digest(digest))
}

#[pyfunction]
#[pyo3(name = "reference_trim_named")]
fn trim_named(r: &PyReference) -> PyResult<PyReference> {
    named(r, "trim_named")?;
    wrap(r.inner.trim_named())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReference>()?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(parse_normalized_named, m)?)?;
    m.add_function(wrap_pyfunction!(parse_any, m)?)?;
    m.add_function(wrap_pyfunction!(parse_named, m)?)?;
    m.add_function(wrap_pyfunction!(parse_docker_ref, m)?)?;
    m.add_function(wrap_pyfunction!(with_name, m)?)?;
    m.add_function(wrap_pyfunction!(familiar_string, m)?)?;
    m.add_function(wrap_pyfunction!(familiar_name, m)?)?;
    m.add_function(wrap_pyfunction!(tag_name_only, m)?)?;
    m.add_function(wrap_pyfunction!(with_tag, m)?)?;
    m.add_function(wrap_pyfunction!(with_digest, m)?)?;
    m.add_function(wrap_pyfunction!(trim_named, m)?)?;
    Ok(())
}
