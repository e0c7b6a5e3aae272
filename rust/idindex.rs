//! TODO: idindex
