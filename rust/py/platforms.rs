//! Bindings for `imagelookup.platforms`: the `Platform` value and the matchers.
//!
//! TODO(platforms helper).

use crate::matcher::SharedMatcher;
use pyo3::prelude::*;

/// A platform matcher as Python sees it. Other binding modules (manifests) take this type
/// to receive a matcher chosen in Python.
#[pyclass(name = "Matcher", module = "imagelookup.platforms", frozen)]
#[allow(dead_code)] // read by the platforms and manifests bindings once they land
pub struct PyMatcher {
    pub matcher: SharedMatcher,
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMatcher>()?;
    Ok(())
}
