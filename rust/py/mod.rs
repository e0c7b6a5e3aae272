//! The Python binding layer: `imagelookup._core`. Only this module imports pyo3.

use pyo3::prelude::*;

mod args;
mod buffer;
mod digest;
mod error;
mod manifests;
mod platforms;
mod reference;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    platforms::register(m)?;
    reference::register(m)?;
    digest::register(m)?;
    manifests::register(m)?;
    Ok(())
}
