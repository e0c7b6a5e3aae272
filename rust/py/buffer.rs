//! Reading `bytes`, `bytearray`, `memoryview` (any C-contiguous buffer).
//!
//! PyO3's `PyBuffer` is not available for the abi3-py310 target (the buffer protocol joined
//! the limited API in 3.11), so this declares the two stable-ABI functions itself. Both
//! have been exported by every CPython 3 and `Py_buffer`'s layout below is the one the
//! limited API fixed in 3.11, unchanged since 3.0. Non-contiguous buffers are refused by
//! Python with `BufferError`; `str` and other non-buffers with `TypeError`.
//!
//! A `bytes` object (exactly) is read in place without an export: it is immutable, and holding a
//! reference keeps its memory, so values read from it may borrow it ([`Bytes::source`]).
//! Another read-only export (a `memoryview` of `bytes`, an `mmap` opened for reading) is read
//! in place. A writable one (`bytearray`, a memoryview of one, a writable `mmap`, arrays) is
//! copied once into a new `bytes` object, while attached, and released at once: an export only
//! stops the exporter from resizing, not from being written in place (by Python code between
//! two reads, or by another thread, e.g. `socket.recv_into`, with or without the GIL), and the
//! readers here hand out `&[u8]` and `&str` that must not change under them. The one exception
//! is a writable buffer longer than the caller's limit ([`Bytes::get_within`]): it stays in
//! place uncopied, since the core refuses such input by its length before reading a byte.
//!
//! What remains: memory exported read-only can still be changed by its owner (a read-only
//! view of a `bytearray`, a file that another process writes while we map it). That is the
//! price of reading those without a copy, as every zero-copy reader of mapped files pays it.

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::ffi::{c_char, c_int, c_void};
use std::ptr;

#[repr(C)]
struct RawBuffer {
    buf: *mut c_void,
    obj: *mut ffi::PyObject,
    len: ffi::Py_ssize_t,
    itemsize: ffi::Py_ssize_t,
    readonly: c_int,
    ndim: c_int,
    format: *mut c_char,
    shape: *mut ffi::Py_ssize_t,
    strides: *mut ffi::Py_ssize_t,
    suboffsets: *mut ffi::Py_ssize_t,
    internal: *mut c_void,
}

extern "C" {
    fn PyObject_GetBuffer(obj: *mut ffi::PyObject, view: *mut RawBuffer, flags: c_int) -> c_int;
    fn PyBuffer_Release(view: *mut RawBuffer);
}

/// `PyBUF_SIMPLE`: a contiguous run of bytes, nothing else asked for.
const PYBUF_SIMPLE: c_int = 0;

/// One acquired export, released exactly once when dropped.
struct Export {
    raw: Box<RawBuffer>,
}

impl Export {
    fn get(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut raw = Box::new(RawBuffer {
            buf: ptr::null_mut(),
            obj: ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: ptr::null_mut(),
            shape: ptr::null_mut(),
            strides: ptr::null_mut(),
            suboffsets: ptr::null_mut(),
            internal: ptr::null_mut(),
        });
        // SAFETY: attached to the interpreter (`obj` is bound), `obj` is a live object and
        // `raw` a writable Py_buffer; on failure nothing was exported and nothing is released.
        let rc = unsafe { PyObject_GetBuffer(obj.as_ptr(), &mut *raw, PYBUF_SIMPLE) };
        if rc != 0 {
            return Err(PyErr::take(obj.py())
                .unwrap_or_else(|| PyTypeError::new_err("a bytes-like object is required")));
        }
        Ok(Self { raw })
    }

    fn as_slice(&self) -> &[u8] {
        let len = usize::try_from(self.raw.len).unwrap_or(0);
        if len == 0 || self.raw.buf.is_null() {
            return &[];
        }
        // SAFETY: a PyBUF_SIMPLE export is `len` contiguous bytes at `buf`, valid until the
        // release in `Drop`, which cannot run while this borrow of `self` lives.
        unsafe { std::slice::from_raw_parts(self.raw.buf.cast::<u8>(), len) }
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        // SAFETY: releases what `get` exported; `Export` is not `Clone` and this runs once.
        Python::attach(|_| unsafe { PyBuffer_Release(&mut *self.raw) });
    }
}

// SAFETY: the exported memory stays valid until the release, and the release re-attaches to
// the interpreter in `Drop`, on whichever thread drops it. (Which exports may be read with
// the interpreter detached is decided in `Bytes::get_within`.)
unsafe impl Send for Export {}
unsafe impl Sync for Export {}

/// The bytes of a buffer object, safe to read with the interpreter detached.
pub struct Bytes(Held);

enum Held {
    /// A `bytes` object (the caller's, or a copy of a writable buffer), read in place; the
    /// pointer and length are its contents, fixed for the object's life.
    Immutable { source: Py<PyBytes>, ptr: *const u8, len: usize },
    /// Another read-only export, or a writable one longer than the caller's limit (only its
    /// length is looked at).
    InPlace(Export),
}

impl Bytes {
    /// The bytes of `obj`: in place when `bytes` or exported read-only, else a copy.
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        Self::get_within(obj, usize::MAX)
    }

    /// Like [`Bytes::get`] for a reader that refuses input longer than `limit` before reading
    /// any of it: a writable buffer over the limit is not copied.
    pub fn get_within(obj: &Bound<'_, PyAny>, limit: usize) -> PyResult<Self> {
        // Exactly `bytes`: a subclass may carry a `__dict__` (a descriptor that borrows from
        // it could then form a cycle the collector cannot see) and its own `__buffer__`.
        if let Ok(bytes) = obj.cast_exact::<PyBytes>() {
            return Ok(Self::immutable(bytes.clone()));
        }
        let export = Export::get(obj)?;
        let slice = export.as_slice();
        if export.raw.readonly != 0 || slice.len() > limit {
            Ok(Self(Held::InPlace(export)))
        } else {
            Ok(Self::immutable(PyBytes::new(obj.py(), slice)))
        }
    }

    fn immutable(source: Bound<'_, PyBytes>) -> Self {
        let slice = source.as_bytes();
        let (ptr, len) = (slice.as_ptr(), slice.len());
        Self(Held::Immutable { source: source.unbind(), ptr, len })
    }

    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            // SAFETY: the contents of the `bytes` object `source`, which `self` keeps alive
            // and which never change.
            Held::Immutable { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
            Held::InPlace(export) => export.as_slice(),
        }
    }

    /// The `bytes` object [`Bytes::as_slice`] reads, when there is one: what is read from the
    /// slice may borrow it for as long as it holds a reference to this object.
    pub fn source(&self) -> Option<&Py<PyBytes>> {
        match &self.0 {
            Held::Immutable { source, .. } => Some(source),
            Held::InPlace(_) => None,
        }
    }
}
