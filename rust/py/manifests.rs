//! Bindings for `imagelookup.manifests`: reading indexes and manifests, and selection.
//!
//! Input bytes come from `bytes`, `bytearray`, `memoryview` or any C-contiguous buffer,
//! without copying ([`Bytes`]). Parsed values are frozen pyclasses that hold Rust data and
//! build Python objects only when an attribute is read. The descriptors `select`, `best` and
//! `select_many` return borrow their strings from the input when it is a `bytes` object
//! (keeping a reference to it) instead of copying them, so that selecting allocates little
//! more than the objects it returns. `select_many` releases the GIL and spreads the items over
//! scoped threads; each item's result is a list of descriptors or the exception instance it
//! would have raised.

use super::args::{Int64, Limit, Text, Texts};
use super::buffer::Bytes;
use super::error::to_pyerr;
use super::platforms::{extract_platform, platform_to_py, PyMatcher};
use crate::error::Error;
use crate::manifest::{self, Annotations, Descriptor, List, PlatformFields, PlatformSpec};
use crate::matcher::{self, SharedMatcher};
use crate::platform::Platform;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple, PyType};
use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, PoisonError};

/// Inputs at least this long are read with the GIL released by `select`/`best`/`parse_*`.
const DETACH_AT: usize = 64 * 1024;

fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_str()?.to_owned())
}

fn annotations_dict<'py>(py: Python<'py>, a: &Annotations<'_>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in a.iter() {
        dict.set_item(k.as_ref(), v.as_ref())?;
    }
    Ok(dict)
}

fn annotations_from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Annotations<'static>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Annotations::default());
    };
    let items = obj
        .call_method0("items")
        .map_err(|_| PyTypeError::new_err("annotations must be a mapping of str to str"))?;
    let mut pairs = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let (k, v): (Text<'_>, Text<'_>) = item
            .extract()
            .map_err(|_| PyTypeError::new_err("annotations must be a mapping of str to str"))?;
        pairs.push((k.into_owned(), v.into_owned()));
    }
    Ok(Annotations::from_pairs(pairs))
}

fn hash_annotations(a: &Annotations<'_>, h: &mut DefaultHasher) {
    let mut pairs = a.to_vec();
    pairs.sort();
    pairs.hash(h);
}

// --- Descriptor ------------------------------------------------------------------------------

/// An OCI content descriptor (index entry, config or layer).
#[pyclass(name = "Descriptor", module = "imagelookup.manifests", frozen)]
pub struct PyDescriptor {
    /// Inline (about 350 bytes, within Python's small-object allocator; boxing it measured
    /// slower). Its borrowed fields point into `_source` or are `'static`: the lifetime is
    /// erased, see [`PyDescriptor::read_from`].
    inner: Descriptor<'static>,
    /// The `bytes` object the descriptor was read from, when it borrows from it. Declared
    /// after `inner`, so dropped after it.
    _source: Option<Py<PyBytes>>,
}

impl PyDescriptor {
    fn new_py(py: Python<'_>, inner: Descriptor<'static>) -> PyResult<Py<PyDescriptor>> {
        Py::new(py, PyDescriptor { inner, _source: None })
    }

    /// A descriptor read from `input`: borrowing from it when it is a `bytes` object (no copy:
    /// the object keeps the whole input alive), else an owned copy.
    ///
    /// # Safety
    /// Every borrow in `d` must point into `input.as_slice()` (or be `'static`): the lifetimes
    /// only say that the borrows live as long as `input`, not that they point into it, and
    /// the object keeps only `input`'s `bytes` alive.
    unsafe fn read_from<'a>(
        py: Python<'_>,
        d: Descriptor<'a>,
        input: &'a Bytes,
    ) -> PyResult<Py<PyDescriptor>> {
        let Some(source) = input.source() else {
            return Self::new_py(py, d.into_owned());
        };
        // SAFETY: by the caller's promise the borrows in `d` point into the `bytes` object
        // `source`, whose contents never change or move while a reference is held (or are
        // `'static`). The object keeps that reference in `_source`, and hands the fields out
        // only through `&self` borrows, so no borrow outlives it.
        let inner = unsafe { std::mem::transmute::<Descriptor<'a>, Descriptor<'static>>(d) };
        Py::new(py, PyDescriptor { inner, _source: Some(source.clone_ref(py)) })
    }

    fn hash_into(&self, h: &mut DefaultHasher) {
        let d = &self.inner;
        (&d.media_type, &d.digest, d.size, &d.artifact_type).hash(h);
        d.platform.as_ref().map(PlatformSpec::to_platform).hash(h);
        (*d.urls).hash(h);
        d.data.as_deref().hash(h);
        hash_annotations(&d.annotations, h);
    }
}

#[pymethods]
impl PyDescriptor {
    #[new]
    #[pyo3(
        signature = (media_type, digest, size, platform = None, annotations = None, urls = Texts::default(), data = None, artifact_type = Text::from("")),
        text_signature = "(media_type, digest, size, platform=None, annotations=None, urls=(), data=None, artifact_type='')"
    )]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        media_type: Text<'_>,
        digest: Text<'_>,
        size: Int64,
        platform: Option<&Bound<'_, PyAny>>,
        annotations: Option<&Bound<'_, PyAny>>,
        urls: Texts,
        data: Option<Vec<u8>>,
        artifact_type: Text<'_>,
    ) -> PyResult<Self> {
        let platform = match platform.filter(|p| !p.is_none()) {
            Some(p) => Some(PlatformSpec::from_platform(extract_platform(p)?)),
            None => None,
        };
        Ok(Self {
            _source: None,
            inner: Descriptor {
                media_type: Cow::Owned(media_type.into_owned()),
                digest: Cow::Owned(digest.into_owned()),
                size: size.0,
                urls: List::new(urls.0.into_iter().map(Cow::Owned).collect()),
                annotations: annotations_from_py(annotations)?,
                data: data.map(List::new),
                platform,
                artifact_type: Cow::Owned(artifact_type.into_owned()),
            },
        })
    }

    /// The media type, verbatim.
    #[getter]
    fn media_type(&self) -> &str {
        &self.inner.media_type
    }

    /// The digest, verbatim (not validated, as Go does not).
    #[getter]
    fn digest(&self) -> &str {
        &self.inner.digest
    }

    #[getter]
    fn size(&self) -> i64 {
        self.inner.size
    }

    /// The entry's platform as written (not normalized), or None.
    #[getter]
    fn platform(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        match &self.inner.platform {
            Some(p) => Ok(Some(platform_to_py(py, p.to_platform())?)),
            None => Ok(None),
        }
    }

    /// A new dict of the annotations on every access.
    #[getter]
    fn annotations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        annotations_dict(py, &self.inner.annotations)
    }

    #[getter]
    fn urls<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.urls.iter().map(|u| u.as_ref()))
    }

    /// The embedded content (`data`, decoded from base64), or None.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.data.as_deref().map(|d| PyBytes::new(py, d))
    }

    #[getter]
    fn artifact_type(&self) -> &str {
        &self.inner.artifact_type
    }

    /// True for an OCI image manifest or Docker schema 2 manifest.
    #[getter]
    fn is_manifest(&self) -> bool {
        self.inner.is_manifest()
    }

    /// True for a nested index or manifest list.
    #[getter]
    fn is_index(&self) -> bool {
        self.inner.is_index()
    }

    /// True for an attestation manifest (`unknown/unknown` or BuildKit's annotation).
    #[getter]
    fn is_attestation(&self) -> bool {
        self.inner.is_attestation()
    }

    /// The manifest digest an attestation describes (`vnd.docker.reference.digest`).
    #[getter]
    fn subject_digest(&self) -> Option<&str> {
        self.inner.reference_digest()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyDescriptor>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.hash_into(&mut h);
        h.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = &self.inner;
        let mut out = format!(
            "Descriptor(media_type={}, digest={}, size={}",
            py_repr(py, &d.media_type)?,
            py_repr(py, &d.digest)?,
            d.size
        );
        if let Some(p) = self.platform(py)? {
            out += &format!(", platform={}", p.bind(py).repr()?);
        }
        let annotations = self.annotations(py)?;
        if !annotations.is_empty() {
            out += &format!(", annotations={}", annotations.repr()?);
        }
        if !d.urls.is_empty() {
            out += &format!(", urls={}", self.urls(py)?.repr()?);
        }
        if let Some(data) = self.data(py) {
            out += &format!(", data={}", data.repr()?);
        }
        if !d.artifact_type.is_empty() {
            out += &format!(", artifact_type={}", py_repr(py, &d.artifact_type)?);
        }
        Ok(out + ")")
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let me = slf.get();
        let args = (
            me.media_type(),
            me.digest(),
            me.size(),
            me.platform(py)?,
            me.annotations(py)?,
            me.urls(py)?,
            me.data(py),
            me.artifact_type(),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type(), args))
    }
}

fn descriptors_tuple<'py>(
    py: Python<'py>,
    items: impl IntoIterator<Item = Descriptor<'static>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let objs =
        items.into_iter().map(|d| PyDescriptor::new_py(py, d)).collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, objs)
}

/// A constructor's sequence of descriptors as a tuple; `None` (or absent) is empty.
fn descriptors_from_py<'py>(
    py: Python<'py>,
    items: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let Some(items) = items.filter(|i| !i.is_none()) else {
        return Ok(PyTuple::empty(py));
    };
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        if !item.is_instance_of::<PyDescriptor>() {
            return Err(PyTypeError::new_err("expected a sequence of Descriptor"));
        }
        out.push(item);
    }
    PyTuple::new(py, out)
}

fn optional_descriptor(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyDescriptor>>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => Ok(Some(
            o.cast::<PyDescriptor>()
                .map_err(|_| PyTypeError::new_err("subject must be a Descriptor or None"))?
                .clone()
                .unbind(),
        )),
    }
}

fn py_eq(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    a.eq(b)
}

// --- Index and Manifest ----------------------------------------------------------------------

/// The fields an index and a manifest share, and what `==`, `hash` and `repr` do with them.
struct Header {
    schema_version: i64,
    media_type: String,
    artifact_type: String,
    subject: Option<Py<PyDescriptor>>,
    annotations: Annotations<'static>,
}

impl Header {
    fn from_core(
        py: Python<'_>,
        schema_version: i64,
        media_type: Cow<'static, str>,
        artifact_type: Cow<'static, str>,
        subject: Option<Box<Descriptor<'static>>>,
        annotations: Annotations<'static>,
    ) -> PyResult<Self> {
        Ok(Self {
            schema_version,
            media_type: media_type.into_owned(),
            artifact_type: artifact_type.into_owned(),
            subject: subject.map(|s| PyDescriptor::new_py(py, *s)).transpose()?,
            annotations,
        })
    }

    /// From the constructor's arguments.
    fn from_py(
        schema_version: Int64,
        media_type: Text<'_>,
        artifact_type: Text<'_>,
        subject: Option<&Bound<'_, PyAny>>,
        annotations: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Self {
            schema_version: schema_version.0,
            media_type: media_type.into_owned(),
            artifact_type: artifact_type.into_owned(),
            subject: optional_descriptor(subject)?,
            annotations: annotations_from_py(annotations)?,
        })
    }

    fn subject(&self, py: Python<'_>) -> Option<Py<PyDescriptor>> {
        self.subject.as_ref().map(|s| s.clone_ref(py))
    }

    fn annotations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        annotations_dict(py, &self.annotations)
    }

    /// What `==` compares, with the `body` of the index or manifest.
    fn key<'py>(
        &self,
        py: Python<'py>,
        body: Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        (
            self.schema_version,
            &self.media_type,
            &self.artifact_type,
            body,
            self.subject.as_ref().map(|s| s.bind(py)),
            self.annotations(py)?.items(),
        )
            .into_pyobject(py)
    }

    /// The hash, with `body` hashed in by the caller.
    fn hash(&self, body: impl FnOnce(&mut DefaultHasher) -> PyResult<()>) -> PyResult<u64> {
        let mut h = DefaultHasher::new();
        (self.schema_version, &self.media_type, &self.artifact_type).hash(&mut h);
        body(&mut h)?;
        if let Some(s) = &self.subject {
            s.get().hash_into(&mut h);
        }
        hash_annotations(&self.annotations, &mut h);
        Ok(h.finish())
    }

    /// `Name(<body>, media_type=…, schema_version=…[, annotations=…][, subject=…][, artifact_type=…])`.
    fn repr(&self, py: Python<'_>, name: &str, body: &str) -> PyResult<String> {
        let mut out = format!(
            "{name}({body}, media_type={}, schema_version={}",
            py_repr(py, &self.media_type)?,
            self.schema_version
        );
        let annotations = self.annotations(py)?;
        if !annotations.is_empty() {
            out += &format!(", annotations={}", annotations.repr()?);
        }
        if let Some(s) = &self.subject {
            out += &format!(", subject={}", s.bind(py).repr()?);
        }
        if !self.artifact_type.is_empty() {
            out += &format!(", artifact_type={}", py_repr(py, &self.artifact_type)?);
        }
        Ok(out + ")")
    }
}

/// An OCI image index or Docker manifest list.
#[pyclass(name = "Index", module = "imagelookup.manifests", frozen)]
pub struct PyIndex {
    header: Header,
    manifests: Py<PyTuple>,
}

impl PyIndex {
    fn from_core(py: Python<'_>, index: manifest::Index<'static>) -> PyResult<Self> {
        Ok(Self {
            manifests: descriptors_tuple(py, index.manifests.into_vec())?.unbind(),
            header: Header::from_core(
                py,
                index.schema_version,
                index.media_type,
                index.artifact_type,
                index.subject,
                index.annotations,
            )?,
        })
    }

    fn key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.header.key(py, (self.manifests.bind(py),).into_pyobject(py)?)
    }
}

#[pymethods]
impl PyIndex {
    #[new]
    #[pyo3(
        signature = (manifests = None, media_type = Text::from(""), schema_version = Int64(2), annotations = None, subject = None, artifact_type = Text::from("")),
        text_signature = "(manifests=None, media_type='', schema_version=2, annotations=None, subject=None, artifact_type='')"
    )]
    fn py_new(
        py: Python<'_>,
        manifests: Option<&Bound<'_, PyAny>>,
        media_type: Text<'_>,
        schema_version: Int64,
        annotations: Option<&Bound<'_, PyAny>>,
        subject: Option<&Bound<'_, PyAny>>,
        artifact_type: Text<'_>,
    ) -> PyResult<Self> {
        let manifests = descriptors_from_py(py, manifests)?;
        Ok(Self {
            header: Header::from_py(
                schema_version,
                media_type,
                artifact_type,
                subject,
                annotations,
            )?,
            manifests: manifests.unbind(),
        })
    }

    #[getter]
    fn schema_version(&self) -> i64 {
        self.header.schema_version
    }

    #[getter]
    fn media_type(&self) -> &str {
        &self.header.media_type
    }

    #[getter]
    fn artifact_type(&self) -> &str {
        &self.header.artifact_type
    }

    /// Every entry, in document order (image manifests, nested indexes and others).
    #[getter]
    fn manifests(&self, py: Python<'_>) -> Py<PyTuple> {
        self.manifests.clone_ref(py)
    }

    #[getter]
    fn subject(&self, py: Python<'_>) -> Option<Py<PyDescriptor>> {
        self.header.subject(py)
    }

    #[getter]
    fn annotations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.header.annotations(py)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<PyIndex>() {
            Ok(o) => py_eq(&self.key(py)?.into_any(), &o.get().key(py)?.into_any()),
            Err(_) => Ok(false),
        }
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<u64> {
        self.header.hash(|h| {
            h.write_isize(self.manifests.bind(py).hash()?);
            Ok(())
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let body = format!("manifests={}", self.manifests.bind(py).repr()?);
        self.header.repr(py, "Index", &body)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let me = slf.get();
        let args = (
            me.manifests(py),
            me.media_type(),
            me.schema_version(),
            me.annotations(py)?,
            me.subject(py),
            me.artifact_type(),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type(), args))
    }
}

/// An OCI image manifest or Docker schema 2 manifest.
#[pyclass(name = "Manifest", module = "imagelookup.manifests", frozen)]
pub struct PyManifest {
    header: Header,
    config: Py<PyDescriptor>,
    layers: Py<PyTuple>,
}

impl PyManifest {
    fn from_core(py: Python<'_>, m: manifest::Manifest<'static>) -> PyResult<Self> {
        Ok(Self {
            config: PyDescriptor::new_py(py, m.config)?,
            layers: descriptors_tuple(py, m.layers.into_vec())?.unbind(),
            header: Header::from_core(
                py,
                m.schema_version,
                m.media_type,
                m.artifact_type,
                m.subject,
                m.annotations,
            )?,
        })
    }

    fn key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.header.key(py, (self.config.bind(py), self.layers.bind(py)).into_pyobject(py)?)
    }
}

#[pymethods]
impl PyManifest {
    #[new]
    #[pyo3(
        signature = (config, layers = None, media_type = Text::from(""), schema_version = Int64(2), annotations = None, subject = None, artifact_type = Text::from("")),
        text_signature = "(config, layers=None, media_type='', schema_version=2, annotations=None, subject=None, artifact_type='')"
    )]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        config: &Bound<'_, PyDescriptor>,
        layers: Option<&Bound<'_, PyAny>>,
        media_type: Text<'_>,
        schema_version: Int64,
        annotations: Option<&Bound<'_, PyAny>>,
        subject: Option<&Bound<'_, PyAny>>,
        artifact_type: Text<'_>,
    ) -> PyResult<Self> {
        let layers = descriptors_from_py(py, layers)?;
        Ok(Self {
            header: Header::from_py(
                schema_version,
                media_type,
                artifact_type,
                subject,
                annotations,
            )?,
            config: config.clone().unbind(),
            layers: layers.unbind(),
        })
    }

    #[getter]
    fn schema_version(&self) -> i64 {
        self.header.schema_version
    }

    #[getter]
    fn media_type(&self) -> &str {
        &self.header.media_type
    }

    #[getter]
    fn artifact_type(&self) -> &str {
        &self.header.artifact_type
    }

    /// The image config descriptor; its digest is the image ID.
    #[getter]
    fn config(&self, py: Python<'_>) -> Py<PyDescriptor> {
        self.config.clone_ref(py)
    }

    #[getter]
    fn layers(&self, py: Python<'_>) -> Py<PyTuple> {
        self.layers.clone_ref(py)
    }

    #[getter]
    fn subject(&self, py: Python<'_>) -> Option<Py<PyDescriptor>> {
        self.header.subject(py)
    }

    #[getter]
    fn annotations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.header.annotations(py)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<PyManifest>() {
            Ok(o) => py_eq(&self.key(py)?.into_any(), &o.get().key(py)?.into_any()),
            Err(_) => Ok(false),
        }
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<u64> {
        self.header.hash(|h| {
            self.config.get().hash_into(h);
            h.write_isize(self.layers.bind(py).hash()?);
            Ok(())
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let body = format!(
            "config={}, layers={}",
            self.config.bind(py).repr()?,
            self.layers.bind(py).repr()?
        );
        self.header.repr(py, "Manifest", &body)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let me = slf.get();
        let args = (
            me.config(py),
            me.layers(py),
            me.media_type(),
            me.schema_version(),
            me.annotations(py)?,
            me.subject(py),
            me.artifact_type(),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type(), args))
    }
}

// --- functions -------------------------------------------------------------------------------

/// Runs `f` on the bytes, with the GIL released when the input is large.
fn with_slice<'b, T: Send>(
    py: Python<'_>,
    slice: &'b [u8],
    f: impl FnOnce(&'b [u8]) -> T + Send,
) -> T {
    if slice.len() >= DETACH_AT {
        py.detach(|| f(slice))
    } else {
        f(slice)
    }
}

/// Runs `f` on the bytes of `data` (see [`with_slice`]).
fn with_bytes<T: Send>(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    limit: usize,
    f: impl FnOnce(&[u8]) -> T + Send,
) -> PyResult<T> {
    let bytes = Bytes::get_within(data, limit)?;
    Ok(with_slice(py, bytes.as_slice(), f))
}

/// How a wanted platform was given: a specifier string (looked up before parsing) or a value.
#[derive(PartialEq)]
enum Wanted {
    Spec(String),
    Value(Platform),
}

/// `only` matchers for wanted platforms seen recently: parsing a specifier and building
/// containerd's preference ladder cost about as much as reading a whole list, and callers
/// ask for the same few platforms again and again. Matchers are immutable, so sharing is safe.
static MATCHER_CACHE: Mutex<Vec<(Wanted, SharedMatcher)>> = Mutex::new(Vec::new());
const MATCHER_CACHE_SIZE: usize = 32;

fn cached(found: impl Fn(&Wanted) -> bool) -> Option<SharedMatcher> {
    let cache = MATCHER_CACHE.lock().ok()?;
    cache.iter().find(|(k, _)| found(k)).map(|(_, m)| m.clone())
}

fn remember(key: Wanted, m: &SharedMatcher) {
    if let Ok(mut cache) = MATCHER_CACHE.lock() {
        if cache.len() >= MATCHER_CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((key, m.clone()));
    }
}

/// `platforms.only(platform)` for a `Platform`, specifier string or OCI mapping.
fn only_for(platform: &Bound<'_, PyAny>) -> PyResult<SharedMatcher> {
    let key = match platform.cast::<PyString>() {
        Ok(s) => {
            let spec = Text::of(s);
            if let Some(m) = cached(|k| matches!(k, Wanted::Spec(x) if *x == *spec)) {
                return Ok(m);
            }
            Wanted::Spec(spec.into_owned())
        }
        Err(_) => Wanted::Value(extract_platform(platform)?),
    };
    if let Some(m) = cached(|k| *k == key) {
        return Ok(m);
    }
    let wanted = match &key {
        Wanted::Spec(_) => extract_platform(platform)?,
        Wanted::Value(p) => p.clone(),
    };
    let m = matcher::only(&wanted);
    remember(key, &m);
    Ok(m)
}

/// The matcher to use: `matcher` when given, else `platforms.only(platform)`.
fn resolve_matcher(
    platform: Option<&Bound<'_, PyAny>>,
    matcher: Option<&Bound<'_, PyMatcher>>,
) -> PyResult<SharedMatcher> {
    if let Some(m) = matcher {
        return Ok(m.get().matcher.clone());
    }
    match platform.filter(|p| !p.is_none()) {
        Some(p) => only_for(p),
        None => Err(PyTypeError::new_err("a platform or a matcher is required")),
    }
}

fn fields(moby_check: bool) -> PlatformFields {
    if moby_check {
        PlatformFields::MobyCheck
    } else {
        PlatformFields::Full
    }
}

/// The selected entries of one input as `Descriptor` objects.
///
/// # Safety
/// As for [`PyDescriptor::read_from`]: every item was read from `input.as_slice()`.
unsafe fn descriptor_list<'py, 'a>(
    py: Python<'py>,
    items: impl IntoIterator<Item = Descriptor<'a>>,
    input: &'a Bytes,
) -> PyResult<Bound<'py, PyList>> {
    // Appending to an empty list: cheaper than PyO3's sized constructor for the one or two
    // entries a list usually selects, and than collecting them first.
    let list = PyList::empty(py);
    for d in items {
        // SAFETY: the caller's promise, item by item.
        list.append(unsafe { PyDescriptor::read_from(py, d, input) }?)?;
    }
    Ok(list)
}

/// Reads an OCI image index or Docker manifest list.
#[pyfunction]
#[pyo3(signature = (data, *, limit = Limit(1_000_000)), text_signature = "(data, *, limit=1000000)")]
fn parse_index(py: Python<'_>, data: &Bound<'_, PyAny>, limit: Limit) -> PyResult<PyIndex> {
    let Limit(limit) = limit;
    let index = with_bytes(py, data, limit, |b| {
        manifest::parse_index(b, limit).map(manifest::Index::into_owned)
    })??;
    PyIndex::from_core(py, index)
}

/// Reads an OCI image manifest or Docker schema 2 manifest.
#[pyfunction]
#[pyo3(signature = (data, *, limit = Limit(1_000_000)), text_signature = "(data, *, limit=1000000)")]
fn parse_manifest(py: Python<'_>, data: &Bound<'_, PyAny>, limit: Limit) -> PyResult<PyManifest> {
    let Limit(limit) = limit;
    let m = with_bytes(py, data, limit, |b| {
        manifest::parse_manifest(b, limit).map(manifest::Manifest::into_owned)
    })??;
    PyManifest::from_core(py, m)
}

/// The config digest of an image manifest.
#[pyfunction]
#[pyo3(signature = (data, *, limit = Limit(1_000_000)), text_signature = "(data, *, limit=1000000)")]
fn config_digest(py: Python<'_>, data: &Bound<'_, PyAny>, limit: Limit) -> PyResult<String> {
    Ok(with_bytes(py, data, limit.0, |b| manifest::config_digest(b, limit.0))??)
}

/// The image-manifest entries whose platform is accepted, in document order.
#[pyfunction]
#[pyo3(
    name = "select_manifests",
    signature = (data, platform = None, *, matcher = None, limit = Limit(1_000_000), moby_check = false),
    text_signature = "(data, platform=None, *, matcher=None, limit=1000000, moby_check=False)"
)]
fn select<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    platform: Option<&Bound<'py, PyAny>>,
    matcher: Option<&Bound<'py, PyMatcher>>,
    limit: Limit,
    moby_check: bool,
) -> PyResult<Bound<'py, PyList>> {
    let Limit(limit) = limit;
    let m = resolve_matcher(platform, matcher)?;
    let input = Bytes::get_within(data, limit)?;
    let found = with_slice(py, input.as_slice(), |b| {
        manifest::select_bytes(b, limit, &*m, fields(moby_check))
    })?;
    // SAFETY: `found` was read from `input`'s slice.
    unsafe { descriptor_list(py, found, &input) }
}

/// The single entry a runtime would pull, or None.
#[pyfunction]
#[pyo3(
    name = "best_manifest",
    signature = (data, platform = None, *, matcher = None, limit = Limit(1_000_000), moby_check = false),
    text_signature = "(data, platform=None, *, matcher=None, limit=1000000, moby_check=False)"
)]
fn best(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    platform: Option<&Bound<'_, PyAny>>,
    matcher: Option<&Bound<'_, PyMatcher>>,
    limit: Limit,
    moby_check: bool,
) -> PyResult<Option<Py<PyDescriptor>>> {
    let Limit(limit) = limit;
    let m = resolve_matcher(platform, matcher)?;
    let input = Bytes::get_within(data, limit)?;
    let found = with_slice(py, input.as_slice(), |b| {
        manifest::best_bytes(b, limit, &*m, fields(moby_check))
    })?;
    // SAFETY: `found` was read from `input`'s slice.
    found.map(|d| unsafe { PyDescriptor::read_from(py, d, &input) }).transpose()
}

/// The selections of a chunk of inputs: every selected descriptor, in order, in one vector (so
/// that a worker allocates once a chunk, not once an input: the thread that later frees them
/// then frees one vector a chunk), and for each input the number of them that are its own, or
/// its error.
struct ChunkResult<'a> {
    found: Vec<Descriptor<'a>>,
    counts: Vec<Result<usize, Error>>,
}

/// Items handed to a worker at a time: enough to amortise the lock, few enough to balance.
const CHUNK: usize = 16;

/// `select` over many buffers with the GIL released, on up to `threads` threads.
#[pyfunction]
#[pyo3(
    name = "select_many_manifests",
    signature = (items, platform = None, *, matcher = None, limit = Limit(1_000_000), moby_check = false, threads = None),
    text_signature = "(items, platform=None, *, matcher=None, limit=1000000, moby_check=False, threads=None)"
)]
#[allow(clippy::too_many_arguments)]
fn select_many<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyAny>,
    platform: Option<&Bound<'py, PyAny>>,
    matcher: Option<&Bound<'py, PyMatcher>>,
    limit: Limit,
    moby_check: bool,
    threads: Option<Limit>,
) -> PyResult<Bound<'py, PyList>> {
    let Limit(limit) = limit;
    let m = resolve_matcher(platform, matcher)?;
    let threads = match threads {
        Some(Limit(0)) => {
            return Err(
                Error::InvalidArgument { message: "threads must be at least 1".into() }.into()
            )
        }
        Some(Limit(n)) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let buffers = items
        .try_iter()?
        .map(|item| Bytes::get_within(&item?, limit))
        .collect::<PyResult<Vec<_>>>()?;
    let slices: Vec<&[u8]> = buffers.iter().map(Bytes::as_slice).collect();
    let chunks: Vec<&[&[u8]]> = slices.chunks(CHUNK).collect();
    let (fields, matcher) = (fields(moby_check), &*m);
    let list = PyList::empty(py);
    let take = |at: usize, chunk: ChunkResult<'_>| -> PyResult<()> {
        let mut found = chunk.found.into_iter();
        for (count, input) in chunk.counts.into_iter().zip(&buffers[at * CHUNK..]) {
            match count {
                // SAFETY: `select_chunk` appended input i's `n` descriptors, read from its
                // slice, after those of the inputs before it: taking the counts in order
                // pairs each with its own input.
                Ok(n) => {
                    list.append(unsafe { descriptor_list(py, found.by_ref().take(n), input) }?)?
                }
                Err(err) => list.append(to_pyerr(py, err).into_value(py))?,
            }
        }
        Ok(())
    };
    let workers = threads.min(chunks.len());
    if workers <= 1 {
        let results = py.detach(|| select_chunk(&slices, matcher, limit, fields));
        take(0, results)?;
    } else {
        let read = |chunk: &[_]| select_chunk(chunk, matcher, limit, fields);
        for (at, results) in in_parallel(py, &chunks, workers, read).into_iter().enumerate() {
            take(at, results)?;
        }
    }
    py.check_signals()?;
    Ok(list)
}

/// `select` of each input of a chunk.
fn select_chunk<'a>(
    chunk: &[&'a [u8]],
    matcher: &dyn crate::matcher::Matcher,
    limit: usize,
    fields: PlatformFields,
) -> ChunkResult<'a> {
    let mut found = Vec::new();
    let counts = chunk
        .iter()
        .map(|data| {
            let before = found.len();
            manifest::select_bytes_into(data, limit, matcher, fields, &mut found)
                .map(|()| found.len() - before)
        })
        .collect();
    ChunkResult { found, counts }
}

/// `work` on every chunk, on up to `workers` scoped threads, with the GIL released; the
/// outputs in order. (Turning them into Python objects as they come, on this thread, measured
/// no faster: the reading and the allocating threads then contend.)
fn in_parallel<I: Sync, O: Send>(
    py: Python<'_>,
    chunks: &[&[I]],
    workers: usize,
    work: impl Fn(&[I]) -> O + Sync,
) -> Vec<O> {
    py.detach(|| {
        let mut out: Vec<Option<O>> = chunks.iter().map(|_| None).collect();
        let queue = Mutex::new(chunks.iter().zip(out.iter_mut()));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((chunk, slot)) = next else { break };
                    *slot = Some(work(chunk));
                });
            }
        });
        // Every slot is filled: a worker that panicked made the scope panic above.
        out.into_iter().flatten().collect()
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDescriptor>()?;
    m.add_class::<PyIndex>()?;
    m.add_class::<PyManifest>()?;
    m.add_function(wrap_pyfunction!(parse_index, m)?)?;
    m.add_function(wrap_pyfunction!(parse_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(config_digest, m)?)?;
    m.add_function(wrap_pyfunction!(select, m)?)?;
    m.add_function(wrap_pyfunction!(best, m)?)?;
    m.add_function(wrap_pyfunction!(select_many, m)?)?;
    m.add("MEDIA_TYPE_OCI_INDEX", manifest::OCI_INDEX)?;
    m.add("MEDIA_TYPE_OCI_MANIFEST", manifest::OCI_MANIFEST)?;
    m.add("MEDIA_TYPE_OCI_CONFIG", manifest::OCI_CONFIG)?;
    m.add("MEDIA_TYPE_DOCKER_MANIFEST_LIST", manifest::DOCKER_MANIFEST_LIST)?;
    m.add("MEDIA_TYPE_DOCKER_MANIFEST", manifest::DOCKER_MANIFEST)?;
    m.add("MEDIA_TYPE_DOCKER_CONFIG", manifest::DOCKER_CONFIG)?;
    Ok(())
}
