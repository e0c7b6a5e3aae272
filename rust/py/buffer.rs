//! Reading `bytes`, `bytearray`, `memoryview` (any C-contiguous buffer) without copying.
//!
//! PyO3's `PyBuffer` is not available for the abi3-py310 target (the buffer protocol joined
//! the limited API in 3.11), so this declares the two stable-ABI functions itself. Both
//! have been exported by every CPython 3 and `Py_buffer`'s layout below is the one the
//! limited API fixed in 3.11, unchanged since 3.0. Non-contiguous buffers are refused by
//! Python with `BufferError`; `str` and other non-buffers with `TypeError`.

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
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

/// A borrowed, exported buffer. While it lives, the exporter cannot resize or free the
/// memory (a `bytearray` refuses to resize while exported).
pub struct Bytes {
    raw: Box<RawBuffer>,
}

// SAFETY: the view only points at memory that stays valid until release; releasing
// re-attaches to the interpreter in `Drop`.
unsafe impl Send for Bytes {}
unsafe impl Sync for Bytes {}

impl Bytes {
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
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
        // SAFETY: `obj` is a live object and `raw` a writable Py_buffer.
        let rc = unsafe { PyObject_GetBuffer(obj.as_ptr(), &mut *raw, PYBUF_SIMPLE) };
        if rc != 0 {
            return Err(PyErr::take(obj.py())
                .unwrap_or_else(|| PyTypeError::new_err("a bytes-like object is required")));
        }
        Ok(Self { raw })
    }

    pub fn as_slice(&self) -> &[u8] {
        let len = usize::try_from(self.raw.len).unwrap_or(0);
        if len == 0 || self.raw.buf.is_null() {
            return &[];
        }
        // SAFETY: a PyBUF_SIMPLE export is `len` contiguous bytes at `buf` until release.
        unsafe { std::slice::from_raw_parts(self.raw.buf.cast::<u8>(), len) }
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        // SAFETY: releasing exactly once what `get` exported, attached to the interpreter.
        Python::attach(|_| unsafe { PyBuffer_Release(&mut *self.raw) });
    }
}
