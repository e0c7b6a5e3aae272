//! The one error type of the core.
//!
//! Every fallible function of the pure core returns [`Error`]. The binding layer maps each
//! variant onto one class of `imagelookup.errors` (see `py/error.rs`); nothing else in the
//! crate knows about Python. Messages are upstream's text, so they are built here once and
//! carried as strings; the `kind` fields let callers branch without matching on text.

use std::fmt;

/// What went wrong with a reference or digest, named after upstream's sentinel errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceErrorKind {
    /// `invalid reference format`
    InvalidFormat,
    /// `repository name must have at least one component`
    NameEmpty,
    /// `repository name must be lowercase`
    NameContainsUppercase,
    /// `repository name must not be more than 255 characters`
    NameTooLong,
    /// `repository name must be canonical`
    NameNotCanonical,
    /// `invalid repository name (...), cannot specify 64-byte hexadecimal strings`
    HexName,
    /// `invalid tag format`
    InvalidTag,
    /// `invalid digest format` (the reference grammar's digest rule)
    InvalidDigestFormat,
    /// go-digest: `invalid checksum digest format`
    DigestInvalidFormat,
    /// go-digest: `invalid checksum digest length`
    DigestInvalidLength,
    /// go-digest: `unsupported digest algorithm`
    DigestUnsupported,
}

impl ReferenceErrorKind {
    /// The stable snake_case name exposed to Python as `InvalidParameter.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidFormat => "invalid_format",
            Self::NameEmpty => "name_empty",
            Self::NameContainsUppercase => "name_contains_uppercase",
            Self::NameTooLong => "name_too_long",
            Self::NameNotCanonical => "name_not_canonical",
            Self::HexName => "hex_name",
            Self::InvalidTag => "invalid_tag",
            Self::InvalidDigestFormat => "invalid_digest_format",
            Self::DigestInvalidFormat => "digest_invalid_format",
            Self::DigestInvalidLength => "digest_invalid_length",
            Self::DigestUnsupported => "digest_unsupported",
        }
    }

    /// True for the go-digest errors, which Python raises as `InvalidDigest`.
    pub fn is_digest(self) -> bool {
        matches!(
            self,
            Self::DigestInvalidFormat | Self::DigestInvalidLength | Self::DigestUnsupported
        )
    }
}

/// The core's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A platform specifier or platform value upstream rejects; `message` is upstream's text.
    InvalidPlatform { message: String },
    /// A reference or digest upstream rejects.
    InvalidReference { kind: ReferenceErrorKind, message: String },
    /// Bytes did not hash to the digest they were claimed to have.
    DigestMismatch { expected: String, actual: String },
    /// An ID prefix search found nothing.
    NotFound { message: String },
    /// An ID prefix search matched more than one ID.
    AmbiguousPrefix { prefix: String },
    /// A manifest or index is not what it claims to be: `offset` is the byte position where
    /// reading stopped, `reason` says why.
    InvalidManifest { offset: usize, reason: String },
    /// The input is longer than the caller's bound; nothing past `limit` was read.
    LimitExceeded { limit: usize, size: usize },
    /// An argument outside its range (a negative limit, a size beyond 64 bits).
    InvalidArgument { message: String },
}

impl Error {
    pub fn invalid_platform(message: impl Into<String>) -> Self {
        Self::InvalidPlatform { message: message.into() }
    }

    pub fn reference(kind: ReferenceErrorKind, message: impl Into<String>) -> Self {
        Self::InvalidReference { kind, message: message.into() }
    }

    pub fn invalid_manifest(offset: usize, reason: impl Into<String>) -> Self {
        Self::InvalidManifest { offset, reason: reason.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPlatform { message } => f.write_str(message),
            Self::InvalidReference { message, .. } => f.write_str(message),
            Self::DigestMismatch { expected, actual } => {
                write!(f, "digest mismatch: expected {expected}, got {actual}")
            }
            Self::NotFound { message } => f.write_str(message),
            Self::AmbiguousPrefix { prefix } => {
                write!(f, "ambiguous digest string: more than one image ID starts with {prefix:?}")
            }
            Self::InvalidManifest { offset, reason } => {
                write!(f, "invalid manifest at byte {offset}: {reason}")
            }
            Self::LimitExceeded { limit, size } => {
                write!(f, "input of {size} bytes exceeds the limit of {limit} bytes")
            }
            Self::InvalidArgument { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
