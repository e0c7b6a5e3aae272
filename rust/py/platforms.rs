//! Bindings for `imagelookup.platforms`: the `Platform` value and the matchers.
//!
//! Candidates and wanted platforms may be given as a `Platform`, a specifier `str` (parsed
//! with the host default) or an OCI mapping (`os`, `architecture`, `variant`, `os.version`,
//! `os.features`); [`extract_platform`] is the one place that reads them, and other binding
//! modules use it too.

use super::args::{Text, Texts};
use crate::host::{self, Host};
use crate::matcher::{self, SharedMatcher};
use crate::platform::{self, Platform};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

/// A platform as Python sees it: a frozen, hashable value.
#[pyclass(name = "Platform", module = "imagelookup.platforms", frozen, eq, hash)]
pub struct PyPlatform {
    pub inner: Platform,
    /// `normalize(self)`, kept after the first call when it is another value (a normalized
    /// platform is its own normal form and keeps nothing, so no reference cycle forms).
    normalized: OnceLock<Py<PyPlatform>>,
}

impl PyPlatform {
    pub fn new_value(inner: Platform) -> Self {
        Self { inner, normalized: OnceLock::new() }
    }
}

impl Clone for PyPlatform {
    fn clone(&self) -> Self {
        Self::new_value(self.inner.clone())
    }
}

/// Equality and hashing are by value; the cached normal form is not part of the value.
impl PartialEq for PyPlatform {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for PyPlatform {}

impl Hash for PyPlatform {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }
}

fn optional_str(mapping: &Bound<'_, PyAny>, key: &str) -> PyResult<String> {
    let Some(value) = field(mapping, key)? else {
        return Ok(String::new());
    };
    if value.is_none() {
        return Ok(String::new());
    }
    value.extract::<Text<'_>>().map(Text::into_owned).map_err(|_| {
        PyTypeError::new_err(format!(
            "platform field {key:?} must be a str, not {}",
            value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

fn interned<'py>(py: Python<'py>, key: &str) -> Bound<'py, PyString> {
    let key = match key {
        "os" => pyo3::intern!(py, "os"),
        "architecture" => pyo3::intern!(py, "architecture"),
        "variant" => pyo3::intern!(py, "variant"),
        "os.version" => pyo3::intern!(py, "os.version"),
        _ => pyo3::intern!(py, "os.features"),
    };
    key.clone()
}

fn field<'py>(mapping: &Bound<'py, PyAny>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(d) = mapping.cast::<PyDict>() {
        return d.get_item(interned(mapping.py(), key));
    }
    let value = mapping.call_method1("get", (key,))?;
    Ok((!value.is_none()).then_some(value))
}

fn is_mapping(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.is_instance_of::<PyDict>() || obj.hasattr("keys")? && obj.hasattr("get")?)
}

fn platform_from_mapping(mapping: &Bound<'_, PyAny>) -> PyResult<Platform> {
    if !is_mapping(mapping)? {
        return Err(PyTypeError::new_err(format!(
            "expected an OCI platform mapping, not {}",
            mapping.get_type().name()?
        )));
    }
    let features = field(mapping, "os.features")?
        .unwrap_or_else(|| mapping.py().None().into_bound(mapping.py()));
    let os_features = if features.is_none() {
        Vec::new()
    } else if features.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("platform field \"os.features\" must be a list of str"));
    } else {
        features.extract::<Texts>().map(|t| t.0).map_err(|_| {
            PyTypeError::new_err("platform field \"os.features\" must be a list of str")
        })?
    };
    Ok(Platform {
        os: optional_str(mapping, "os")?,
        architecture: optional_str(mapping, "architecture")?,
        variant: optional_str(mapping, "variant")?,
        os_version: optional_str(mapping, "os.version")?,
        os_features,
    })
}

/// Reads a `Platform`, a specifier `str` (parsed) or an OCI mapping.
pub fn extract_platform(obj: &Bound<'_, PyAny>) -> PyResult<Platform> {
    if let Ok(p) = obj.cast::<PyPlatform>() {
        return Ok(p.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(platform::parse(&Text::of(s))?);
    }
    if is_mapping(obj)? {
        return platform_from_mapping(obj);
    }
    Err(PyTypeError::new_err(format!(
        "expected a Platform, a platform specifier str or an OCI platform mapping, not {}",
        obj.get_type().name()?
    )))
}

/// Builds a Python `Platform`.
pub fn platform_to_py(py: Python<'_>, p: Platform) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyPlatform::new_value(p))?.into_any())
}

fn new_py_platform(py: Python<'_>, p: Platform) -> PyResult<Py<PyPlatform>> {
    Py::new(py, PyPlatform::new_value(p))
}

fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_str()?.to_owned())
}

/// What `Platform.__reduce__` returns: the class and the constructor arguments.
type Reduced<'py> = (Bound<'py, PyType>, (String, String, String, String, Bound<'py, PyTuple>));

#[pymethods]
impl PyPlatform {
    #[new]
    #[pyo3(
        signature = (os, architecture, variant = Text::from(""), os_version = Text::from(""), os_features = Texts::default()),
        text_signature = "(os, architecture, variant='', os_version='', os_features=())"
    )]
    fn new(
        os: Text<'_>,
        architecture: Text<'_>,
        variant: Text<'_>,
        os_version: Text<'_>,
        os_features: Texts,
    ) -> Self {
        Self::new_value(Platform {
            os: os.into_owned(),
            architecture: architecture.into_owned(),
            variant: variant.into_owned(),
            os_version: os_version.into_owned(),
            os_features: os_features.0,
        })
    }

    /// The platform from its OCI JSON form.
    #[classmethod]
    fn from_oci(_cls: &Bound<'_, PyType>, mapping: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self::new_value(platform_from_mapping(mapping)?))
    }

    /// The OCI JSON form; empty optional fields are left out.
    fn to_oci<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let p = &self.inner;
        d.set_item("architecture", &p.architecture)?;
        d.set_item("os", &p.os)?;
        if !p.os_version.is_empty() {
            d.set_item("os.version", &p.os_version)?;
        }
        if !p.os_features.is_empty() {
            d.set_item("os.features", PyList::new(py, &p.os_features)?)?;
        }
        if !p.variant.is_empty() {
            d.set_item("variant", &p.variant)?;
        }
        Ok(d)
    }

    #[getter]
    fn os(&self) -> &str {
        &self.inner.os
    }

    #[getter]
    fn architecture(&self) -> &str {
        &self.inner.architecture
    }

    #[getter]
    fn variant(&self) -> &str {
        &self.inner.variant
    }

    #[getter]
    fn os_version(&self) -> &str {
        &self.inner.os_version
    }

    #[getter]
    fn os_features<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.inner.os_features)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.inner;
        let mut out =
            format!("Platform({}, {}", py_repr(py, &p.os)?, py_repr(py, &p.architecture)?);
        if !p.variant.is_empty() {
            out.push_str(&format!(", variant={}", py_repr(py, &p.variant)?));
        }
        if !p.os_version.is_empty() {
            out.push_str(&format!(", os_version={}", py_repr(py, &p.os_version)?));
        }
        if !p.os_features.is_empty() {
            let tuple = PyTuple::new(py, &p.os_features)?;
            out.push_str(&format!(", os_features={}", tuple.repr()?.to_str()?));
        }
        out.push(')');
        Ok(out)
    }

    fn __str__(&self) -> String {
        platform::format_all(&self.inner)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let py = slf.py();
        let p = &slf.get().inner;
        Ok((
            slf.get_type(),
            (
                p.os.clone(),
                p.architecture.clone(),
                p.variant.clone(),
                p.os_version.clone(),
                PyTuple::new(py, &p.os_features)?,
            ),
        ))
    }
}

/// A platform matcher as Python sees it. Other binding modules (manifests) take this type
/// to receive a matcher chosen in Python.
#[pyclass(name = "Matcher", module = "imagelookup.platforms", frozen)]
pub struct PyMatcher {
    pub matcher: SharedMatcher,
}

fn wrap(matcher: SharedMatcher) -> PyMatcher {
    PyMatcher { matcher }
}

#[pymethods]
impl PyMatcher {
    /// True when the candidate is acceptable.
    #[pyo3(name = "match")]
    fn match_(&self, candidate: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(p) = candidate.cast::<PyPlatform>() {
            return Ok(self.matcher.matches(&p.get().inner));
        }
        if let Ok(d) = candidate.cast_exact::<PyDict>() {
            if let Some(found) = self.match_plain_dict(d)? {
                return Ok(found);
            }
        }
        Ok(self.matcher.matches(&extract_platform(candidate)?))
    }

    /// True when `a` is preferred to `b`.
    fn less(&self, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.matcher.less(&extract_platform(a)?, &extract_platform(b)?))
    }

    /// The candidates, best first (stable); the objects given are returned.
    fn sort<'py>(&self, candidates: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = candidates.py();
        let items = self.sorted(candidates)?;
        PyList::new(py, items.into_iter().map(|(obj, _)| obj))
    }

    /// The best matching candidate, or `None` when none matches.
    fn best<'py>(&self, candidates: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let items = self.sorted(candidates)?;
        Ok(items.into_iter().find(|(_, p)| self.matcher.matches(p)).map(|(obj, _)| obj))
    }

    fn __repr__(&self) -> String {
        format!("<Matcher {:?}>", self.matcher)
    }
}

thread_local! {
    /// The candidate a plain dict is copied into for matching, reused so that matching a
    /// dict allocates nothing.
    static CANDIDATE: RefCell<Platform> = RefCell::new(Platform::default());
}

impl PyMatcher {
    /// `match` for an exact dict without `os.features` and with exact `str` values, read
    /// without allocating; `None` when the dict needs the general path.
    fn match_plain_dict(&self, d: &Bound<'_, PyDict>) -> PyResult<Option<bool>> {
        const KEYS: [&str; 5] = ["os", "architecture", "variant", "os.version", "os.features"];
        let py = d.py();
        // One pass over the items (a candidate dict holds a few): keys written as literals
        // are the interned key objects, so most are recognised by identity.
        let keys = KEYS.map(|k| interned(py, k));
        let mut fields: [Option<Bound<'_, PyAny>>; 5] = [None, None, None, None, None];
        for (k, v) in d.iter() {
            let slot = match keys.iter().position(|i| i.as_ptr() == k.as_ptr()) {
                Some(i) => i,
                None => match k.cast_exact::<PyString>() {
                    Ok(k) => match KEYS.iter().position(|n| k.to_str().is_ok_and(|k| k == *n)) {
                        Some(i) => i,
                        None => continue,
                    },
                    // A key of another type could compare equal to one of ours.
                    Err(_) => return Ok(None),
                },
            };
            fields[slot] = Some(v);
        }
        match &fields[4] {
            None => {}
            Some(f) if f.is_none() => {}
            Some(f) if f.cast_exact::<PyList>().is_ok_and(|l| l.is_empty()) => {}
            Some(_) => return Ok(None),
        }
        let mut text = [""; 4];
        for (slot, field) in text.iter_mut().zip(&fields) {
            match field {
                None => {}
                Some(v) if v.is_none() => {}
                Some(v) => match v.cast_exact::<PyString>().map(|s| s.to_str()) {
                    Ok(Ok(s)) => *slot = s,
                    _ => return Ok(None),
                },
            }
        }
        // No Python code runs from here on, so the borrow cannot be re-entered.
        Ok(CANDIDATE.with(|c| {
            let mut guard = c.try_borrow_mut().ok()?;
            let c = &mut *guard;
            for (dst, src) in [&mut c.os, &mut c.architecture, &mut c.variant, &mut c.os_version]
                .into_iter()
                .zip(text)
            {
                dst.clear();
                dst.push_str(src);
            }
            c.os_features.clear();
            Some(self.matcher.matches(c))
        }))
    }

    fn sorted<'py>(
        &self,
        candidates: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<(Bound<'py, PyAny>, Platform)>> {
        let mut items = Vec::new();
        for obj in candidates.try_iter()? {
            let obj = obj?;
            let p = extract_platform(&obj)?;
            items.push((obj, p));
        }
        let m = &self.matcher;
        Ok(matcher::stable_sort_by_less(items, &|a, b| m.less(&a.1, &b.1)))
    }
}

fn host_from(p: &Platform) -> Host {
    Host { os: p.os.clone(), architecture: p.architecture.clone(), variant: p.variant.clone() }
}

/// Parses a platform specifier; one-part forms are completed from `host` (default: this
/// machine).
#[pyfunction]
#[pyo3(signature = (spec, *, host = None))]
fn parse(
    py: Python<'_>,
    spec: &Bound<'_, PyString>,
    host: Option<PyRef<'_, PyPlatform>>,
) -> PyResult<Py<PyPlatform>> {
    if let Some(h) = host {
        return new_py_platform(py, platform::parse_with(&Text::of(spec), &host_from(&h.inner))?);
    }
    // Callers ask with the same few specifiers again and again; the values are immutable
    // and the host never changes, so a repeated specifier returns the value parsed before.
    let cacheable = spec.is_exact_instance_of::<PyString>();
    let cache = PARSED.get_or_init(py, || PyDict::new(py).unbind()).bind(py);
    if cacheable {
        if let Some(hit) = cache.get_item(spec)? {
            if let Ok(p) = hit.cast_into::<PyPlatform>() {
                return Ok(p.unbind());
            }
        }
    }
    let parsed = new_py_platform(py, platform::parse(&Text::of(spec))?)?;
    if cacheable {
        if cache.len() >= PARSED_CACHE_SIZE {
            cache.clear();
        }
        cache.set_item(spec, &parsed)?;
    }
    Ok(parsed)
}

/// Specifier -> `Platform` for [`parse`] with the host default; emptied when full.
static PARSED: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
const PARSED_CACHE_SIZE: usize = 256;

#[pyfunction(name = "format")]
fn py_format(platform: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(platform::format(&extract_platform(platform)?))
}

#[pyfunction]
fn format_all(platform: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(platform::format_all(&extract_platform(platform)?))
}

#[pyfunction]
fn normalize(py: Python<'_>, platform: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    if let Ok(p) = platform.cast::<PyPlatform>() {
        let me = p.get();
        if let Some(n) = me.normalized.get() {
            return Ok(n.clone_ref(py).into_any());
        }
        if platform::is_normalized(&me.inner) {
            return Ok(p.clone().into_any().unbind());
        }
        let n = new_py_platform(py, platform::normalize(&me.inner))?;
        // Set after building (never while building: that could run Python code); a racing
        // thread's equal value may win, which is fine.
        let _ = me.normalized.set(n.clone_ref(py));
        return Ok(n.into_any());
    }
    platform_to_py(py, platform::normalize(&extract_platform(platform)?))
}

#[pyfunction]
fn only(platform: &Bound<'_, PyAny>) -> PyResult<PyMatcher> {
    Ok(wrap(matcher::only(&extract_platform(platform)?)))
}

#[pyfunction]
fn only_strict(platform: &Bound<'_, PyAny>) -> PyResult<PyMatcher> {
    Ok(wrap(matcher::only_strict(&extract_platform(platform)?)))
}

#[pyfunction]
#[pyo3(signature = (platform, *, host_os = None))]
fn new_matcher(platform: &Bound<'_, PyAny>, host_os: Option<Text<'_>>) -> PyResult<PyMatcher> {
    let p = extract_platform(platform)?;
    Ok(wrap(match host_os {
        Some(os) => matcher::new_matcher_on(&p, &os),
        None => matcher::new_matcher(&p),
    }))
}

fn extract_all(platforms: &Bound<'_, PyTuple>) -> PyResult<Vec<Platform>> {
    platforms.iter().map(|p| extract_platform(&p)).collect()
}

#[pyfunction]
#[pyo3(signature = (*platforms))]
fn ordered(platforms: &Bound<'_, PyTuple>) -> PyResult<PyMatcher> {
    Ok(wrap(matcher::ordered(extract_all(platforms)?)))
}

#[pyfunction]
#[pyo3(signature = (*platforms))]
fn any_of(platforms: &Bound<'_, PyTuple>) -> PyResult<PyMatcher> {
    Ok(wrap(matcher::any(extract_all(platforms)?)))
}

#[pyfunction]
fn only_os(platform: &Bound<'_, PyAny>) -> PyResult<PyMatcher> {
    Ok(wrap(matcher::only_os(&extract_platform(platform)?)))
}

#[pyfunction]
fn only_with_fallback(platform: &Bound<'_, PyAny>) -> PyResult<PyMatcher> {
    Ok(wrap(matcher::only_with_fallback(&extract_platform(platform)?)))
}

#[pyfunction]
fn default_spec(py: Python<'_>) -> PyResult<Py<PyPlatform>> {
    new_py_platform(py, host::host().default_spec())
}

#[pyfunction(name = "default")]
#[pyo3(signature = (*, host = None))]
fn default_matcher(host: Option<PyRef<'_, PyPlatform>>) -> PyMatcher {
    wrap(match host {
        Some(h) => matcher::default_matcher_for(&host_from(&h.inner)),
        None => matcher::default_matcher(),
    })
}

#[pyfunction]
#[pyo3(signature = (os, machine, cpuinfo = None))]
fn default_spec_for(
    py: Python<'_>,
    os: Text<'_>,
    machine: Text<'_>,
    cpuinfo: Option<Text<'_>>,
) -> PyResult<Py<PyPlatform>> {
    new_py_platform(py, host::default_spec_for(&os, &machine, cpuinfo.as_deref()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPlatform>()?;
    m.add_class::<PyMatcher>()?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(py_format, m)?)?;
    m.add_function(wrap_pyfunction!(format_all, m)?)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(only, m)?)?;
    m.add_function(wrap_pyfunction!(only_strict, m)?)?;
    m.add_function(wrap_pyfunction!(new_matcher, m)?)?;
    m.add_function(wrap_pyfunction!(ordered, m)?)?;
    m.add_function(wrap_pyfunction!(any_of, m)?)?;
    m.add_function(wrap_pyfunction!(only_os, m)?)?;
    m.add_function(wrap_pyfunction!(only_with_fallback, m)?)?;
    m.add_function(wrap_pyfunction!(default_spec, m)?)?;
    m.add_function(wrap_pyfunction!(default_matcher, m)?)?;
    m.add_function(wrap_pyfunction!(default_spec_for, m)?)?;
    m.add("ALL", wrap(matcher::all()))?;
    Ok(())
}
