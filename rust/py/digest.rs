//! Bindings for `imagelookup.digest` and `imagelookup.idindex`.

use super::args::Text;
use super::buffer::Bytes;
use crate::digest::{self as core, Algorithm};
use crate::error::Error;
use crate::idindex::{IdIndex, ImageId};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple, PyType};
use std::sync::{Mutex, MutexGuard, RwLock};

/// Inputs at least this long are hashed with the interpreter detached.
const DETACH_AT: usize = 64 * 1024;

fn hash_into(py: Python<'_>, hasher: &mut core::Hasher, data: &[u8]) {
    if data.len() >= DETACH_AT {
        py.detach(|| hasher.update(data));
    } else {
        hasher.update(data);
    }
}

#[pyfunction]
#[pyo3(
    name = "digest_compute",
    signature = (data, algorithm = Text::from("sha256")),
    text_signature = "(data, algorithm='sha256')"
)]
fn compute(py: Python<'_>, data: &Bound<'_, PyAny>, algorithm: Text<'_>) -> PyResult<String> {
    let algorithm = core::algorithm_named(&algorithm)?;
    let bytes = Bytes::get(data)?;
    let mut hasher = core::Hasher::new(algorithm);
    hash_into(py, &mut hasher, bytes.as_slice());
    Ok(hasher.digest())
}

#[pyfunction]
#[pyo3(name = "digest_verify")]
fn verify(py: Python<'_>, data: &Bound<'_, PyAny>, digest: Text<'_>) -> PyResult<()> {
    let (algorithm, _) = core::parse(&digest)?;
    let bytes = Bytes::get(data)?;
    let mut hasher = core::Hasher::new(algorithm);
    hash_into(py, &mut hasher, bytes.as_slice());
    Ok(core::check_equal(&digest, hasher.digest())?)
}

#[pyfunction]
#[pyo3(name = "digest_validate")]
fn validate<'py>(digest: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyString>> {
    core::parse(&Text::of(digest))?;
    Ok(digest.clone())
}

#[pyfunction]
#[pyo3(name = "digest_is_valid")]
fn is_valid(digest: &Bound<'_, PyAny>) -> bool {
    digest.extract::<&str>().is_ok_and(core::is_valid)
}

#[pyfunction]
#[pyo3(name = "digest_algorithm")]
fn algorithm(digest: Text<'_>) -> PyResult<&'static str> {
    Ok(core::parse(&digest)?.0.name())
}

#[pyfunction]
#[pyo3(name = "digest_encoded")]
fn encoded(digest: Text<'_>) -> PyResult<String> {
    Ok(core::parse(&digest)?.1.to_owned())
}

/// A running digest over content that arrives in chunks.
///
/// Frozen, with the state behind a lock, so one hasher may be shared between threads: each
/// `update` is applied whole (chunks from different threads never interleave within one
/// call; their order is the order the lock is taken in). Large chunks are hashed with the
/// interpreter detached; the lock is taken and released inside that window, so a thread
/// waiting for it never holds up the one that has it.
#[pyclass(name = "Hasher", module = "imagelookup.digest", frozen)]
pub struct PyHasher {
    inner: Mutex<core::Hasher>,
}

impl PyHasher {
    fn state(&self) -> MutexGuard<'_, core::Hasher> {
        // A panic while hashing cannot leave a half-updated state worth refusing.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[pymethods]
impl PyHasher {
    #[new]
    #[pyo3(signature = (algorithm = Text::from("sha256")), text_signature = "(algorithm='sha256')")]
    fn new(algorithm: Text<'_>) -> PyResult<Self> {
        let hasher = core::Hasher::new(core::algorithm_named(&algorithm)?);
        Ok(Self { inner: Mutex::new(hasher) })
    }

    #[getter]
    fn algorithm(&self) -> &'static str {
        self.state().algorithm().name()
    }

    fn update(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = Bytes::get(data)?;
        let data = bytes.as_slice();
        if data.len() >= DETACH_AT {
            py.detach(|| self.state().update(data));
        } else {
            self.state().update(data);
        }
        Ok(())
    }

    fn hexdigest(&self) -> String {
        self.state().hex()
    }

    fn digest(&self) -> String {
        self.state().digest()
    }

    fn verify(&self, digest: Text<'_>) -> PyResult<()> {
        let (algorithm, _) = core::parse(&digest)?;
        let (own_algorithm, actual) = {
            let state = self.state();
            (state.algorithm(), state.digest())
        };
        if algorithm != own_algorithm {
            return Err(Error::DigestMismatch { expected: digest.to_owned(), actual }.into());
        }
        Ok(core::check_equal(&digest, actual)?)
    }

    fn copy(&self) -> Self {
        Self { inner: Mutex::new(self.state().clone()) }
    }

    fn __repr__(&self) -> String {
        let state = self.state();
        format!("<imagelookup.digest.Hasher {} {}>", state.algorithm().name(), state.hex())
    }
}

/// The image-ID prefix index (see `imagelookup.idindex`). Safe to share between threads.
#[pyclass(name = "IDIndex", module = "imagelookup.idindex", frozen)]
pub struct PyIdIndex {
    inner: RwLock<IdIndex>,
}

impl PyIdIndex {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, IdIndex> {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, IdIndex> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn parse_ids(ids: &Bound<'_, PyAny>) -> PyResult<Vec<ImageId>> {
    let mut out = Vec::with_capacity(ids.len().unwrap_or(0));
    for item in ids.try_iter()? {
        let item = item?;
        out.push(ImageId::parse(&item.extract::<Text<'_>>()?)?);
    }
    Ok(out)
}

#[pymethods]
impl PyIdIndex {
    #[new]
    #[pyo3(signature = (ids=None))]
    fn new(py: Python<'_>, ids: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let parsed = match ids {
            Some(ids) => parse_ids(ids)?,
            None => Vec::new(),
        };
        let index = py.detach(|| IdIndex::from_ids(parsed));
        Ok(Self { inner: RwLock::new(index) })
    }

    fn add(&self, id: Text<'_>) -> PyResult<bool> {
        let id = ImageId::parse(&id)?;
        Ok(self.write().insert(&id))
    }

    fn add_many(&self, py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<usize> {
        let parsed = parse_ids(ids)?;
        Ok(py.detach(|| self.write().extend(parsed)))
    }

    fn remove(&self, id: Text<'_>) -> PyResult<bool> {
        let id = ImageId::parse(&id)?;
        Ok(self.write().remove(&id))
    }

    fn get(&self, id: &Bound<'_, PyAny>) -> Option<String> {
        let text = id.extract::<&str>().ok()?;
        let parsed = ImageId::parse(text).ok()?;
        self.read().contains(&parsed).then(|| text.to_owned())
    }

    fn search(&self, prefix: Text<'_>) -> PyResult<String> {
        // The guard must be gone before an error becomes a Python exception: building it
        // runs Python code, which may hand the GIL to a thread that then waits for this
        // lock while holding the GIL (a deadlock the stress test found).
        let found = self.read().search(&prefix);
        Ok(found?)
    }

    fn __contains__(&self, id: &Bound<'_, PyAny>) -> bool {
        let Ok(text) = id.extract::<&str>() else {
            return false;
        };
        ImageId::parse(text).is_ok_and(|parsed| self.read().contains(&parsed))
    }

    fn __len__(&self) -> usize {
        self.read().len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let ids = self.read().ids();
        Ok(PyList::new(py, ids)?.try_iter()?.into_any())
    }

    fn __repr__(&self) -> String {
        format!("<imagelookup.IDIndex with {} IDs>", self.read().len())
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let ids = slf.get().read().ids();
        let args = PyTuple::new(slf.py(), [PyList::new(slf.py(), ids)?])?;
        Ok((slf.get_type(), args))
    }
}

/// The algorithms go-digest v1.0.0 knows, for the Python module's constant.
fn algorithms() -> Vec<&'static str> {
    [Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512].iter().map(|a| a.name()).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHasher>()?;
    m.add_class::<PyIdIndex>()?;
    m.add("DIGEST_ALGORITHMS", PyTuple::new(m.py(), algorithms())?)?;
    m.add_function(wrap_pyfunction!(compute, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(algorithm, m)?)?;
    m.add_function(wrap_pyfunction!(encoded, m)?)?;
    Ok(())
}
