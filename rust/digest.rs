//! Content digests with the rules of go-digest v1.0.0 (the version Docker and
//! distribution/reference use).
//!
//! A digest is `algorithm ":" encoded`. Three algorithms are known, each with lowercase hex
//! of an exact length:
//!
//! | algorithm | hex characters |
//! |-----------|----------------|
//! | `sha256`  | 64             |
//! | `sha384`  | 96             |
//! | `sha512`  | 128            |
//!
//! Validation, in order (the order decides which error a bad digest gets):
//!
//! 1. The first `:` must exist, not be the first character and not be the last:
//!    otherwise `invalid checksum digest format`.
//! 2. An algorithm that is not one of the three: if the whole string matches go-digest's
//!    general shape (`[a-z0-9]+([.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`) the error is
//!    `unsupported digest algorithm`, otherwise `invalid checksum digest format`.
//! 3. A known algorithm with the wrong number of characters: `invalid checksum digest
//!    length` (checked before the characters, so `sha256:xyz` is a length error).
//! 4. Anything but `[a-f0-9]` in the encoded part (uppercase included):
//!    `invalid checksum digest format`.
//!
//! Later go-digest releases fold the length error into the format error and add more
//! algorithms; Docker 24 through 28 use v1.0.0, which is what this module follows.

use crate::error::{Error, ReferenceErrorKind, Result};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

const MSG_FORMAT: &str = "invalid checksum digest format";
const MSG_LENGTH: &str = "invalid checksum digest length";
const MSG_UNSUPPORTED: &str = "unsupported digest algorithm";

/// A digest algorithm go-digest v1.0.0 can compute and validate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    /// The algorithm named exactly `name` (lowercase), if it is one of the three.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Bytes of the raw hash.
    pub fn size(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Characters of the hex encoding.
    pub fn hex_len(self) -> usize {
        self.size() * 2
    }
}

/// Why a string is not a valid digest (go-digest's three errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    Format,
    Length,
    Unsupported,
}

impl Invalid {
    pub fn into_error(self) -> Error {
        match self {
            Self::Format => Error::reference(ReferenceErrorKind::DigestInvalidFormat, MSG_FORMAT),
            Self::Length => Error::reference(ReferenceErrorKind::DigestInvalidLength, MSG_LENGTH),
            Self::Unsupported => {
                Error::reference(ReferenceErrorKind::DigestUnsupported, MSG_UNSUPPORTED)
            }
        }
    }
}

/// The outcome of checking a string against go-digest's rules, keeping the parts that the
/// ID index needs even when the string is not a valid digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked<'a> {
    /// A valid digest.
    Valid { algorithm: Algorithm, encoded: &'a str },
    /// A known algorithm whose encoded part has the wrong length.
    WrongLength { algorithm: Algorithm, encoded: &'a str },
    /// Well shaped, but not one of the three algorithms.
    Unsupported { algorithm: &'a str, encoded: &'a str },
    /// Not a digest at all.
    Malformed,
}

/// Checks `s` with go-digest v1.0.0's `Digest.Validate` rules, step by step.
pub fn check(s: &str) -> Checked<'_> {
    let Some(colon) = s.find(':') else {
        return Checked::Malformed;
    };
    if colon == 0 || colon + 1 == s.len() {
        return Checked::Malformed;
    }
    let (name, encoded) = (&s[..colon], &s[colon + 1..]);
    let Some(algorithm) = Algorithm::from_name(name) else {
        return if matches_general_shape(s.as_bytes()) {
            Checked::Unsupported { algorithm: name, encoded }
        } else {
            Checked::Malformed
        };
    };
    if encoded.len() != algorithm.hex_len() {
        return Checked::WrongLength { algorithm, encoded };
    }
    if !is_lower_hex(encoded.as_bytes()) {
        return Checked::Malformed;
    }
    Checked::Valid { algorithm, encoded }
}

/// go-digest `Parse`: the algorithm and encoded part of a valid digest, or its error.
pub fn parse(s: &str) -> Result<(Algorithm, &str)> {
    match check(s) {
        Checked::Valid { algorithm, encoded } => Ok((algorithm, encoded)),
        Checked::WrongLength { .. } => Err(Invalid::Length.into_error()),
        Checked::Unsupported { .. } => Err(Invalid::Unsupported.into_error()),
        Checked::Malformed => Err(Invalid::Format.into_error()),
    }
}

/// True when `s` is a valid digest.
pub fn is_valid(s: &str) -> bool {
    matches!(check(s), Checked::Valid { .. })
}

/// True for a non-empty run of `[0-9a-f]`.
pub fn is_lower_hex(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(|&c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// go-digest's general digest shape, anchored:
/// `[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`.
fn matches_general_shape(s: &[u8]) -> bool {
    let lower_alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < s.len() && lower_alnum(s[i]) {
            i += 1;
        }
        if i == start || i == s.len() {
            return false;
        }
        match s[i] {
            b'.' | b'+' | b'_' | b'-' => i += 1,
            b':' => break,
            _ => return false,
        }
    }
    let encoded = &s[i + 1..];
    !encoded.is_empty()
        && encoded.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'=' || c == b'_' || c == b'-')
}

/// A running hash for one algorithm, for content that arrives in chunks.
#[derive(Clone, Debug)]
pub enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Self::Sha256(Sha256::new()),
            Algorithm::Sha384 => Self::Sha384(Sha384::new()),
            Algorithm::Sha512 => Self::Sha512(Sha512::new()),
        }
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Sha256(_) => Algorithm::Sha256,
            Self::Sha384(_) => Algorithm::Sha384,
            Self::Sha512(_) => Algorithm::Sha512,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// The lowercase hex of the hash so far; the hasher can keep going.
    pub fn hex(&self) -> String {
        match self {
            Self::Sha256(h) => to_hex(&h.clone().finalize()),
            Self::Sha384(h) => to_hex(&h.clone().finalize()),
            Self::Sha512(h) => to_hex(&h.clone().finalize()),
        }
    }

    /// The digest string (`algorithm:hex`) of the content so far.
    pub fn digest(&self) -> String {
        format!("{}:{}", self.algorithm().name(), self.hex())
    }
}

/// The digest string of `data` with `algorithm`.
pub fn compute(algorithm: Algorithm, data: &[u8]) -> String {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(data);
    hasher.digest()
}

/// The digest of `data` with the algorithm named `name` (go-digest's names).
pub fn compute_named(name: &str, data: &[u8]) -> Result<String> {
    let algorithm = algorithm_named(name)?;
    Ok(compute(algorithm, data))
}

/// The algorithm named `name`, or go-digest's "unsupported digest algorithm".
pub fn algorithm_named(name: &str) -> Result<Algorithm> {
    Algorithm::from_name(name).ok_or_else(|| Invalid::Unsupported.into_error())
}

/// Checks that `data` hashes to `expected`, a digest validated first.
pub fn verify(data: &[u8], expected: &str) -> Result<()> {
    let (algorithm, _) = parse(expected)?;
    let actual = compute(algorithm, data);
    check_equal(expected, actual)
}

/// `Ok` when the computed digest `actual` equals `expected`, else a mismatch error.
pub fn check_equal(expected: &str, actual: String) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(Error::DigestMismatch { expected: expected.to_owned(), actual })
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

/// Decodes lowercase hex into `out` (which must be exactly half as long); false on any
/// other character.
pub fn decode_lower_hex(hex: &[u8], out: &mut [u8]) -> bool {
    if hex.len() != out.len() * 2 {
        return false;
    }
    for (pair, byte) in hex.chunks_exact(2).zip(out.iter_mut()) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => *byte = (hi << 4) | lo,
            _ => return false,
        }
    }
    true
}

/// The value of one lowercase hex digit.
pub fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256_EMPTY: &str =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn kind(s: &str) -> Option<ReferenceErrorKind> {
        match parse(s) {
            Ok(_) => None,
            Err(Error::InvalidReference { kind, .. }) => Some(kind),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn go_digest_table() {
        use ReferenceErrorKind::*;
        let hex384 = "d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d";
        let cases: Vec<(String, Option<ReferenceErrorKind>)> = vec![
            (
                "sha256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b".into(),
                None,
            ),
            (format!("sha384:{hex384}"), None),
            ("".into(), Some(DigestInvalidFormat)),
            ("     ".into(), Some(DigestInvalidFormat)),
            ("sha256:".into(), Some(DigestInvalidFormat)),
            (format!("sha256:{}", " ".repeat(64)), Some(DigestInvalidFormat)),
            (":".into(), Some(DigestInvalidFormat)),
            ("d41d8cd98f00b204e9800998ecf8427e".into(), Some(DigestInvalidFormat)),
            ("sha256:d41d8cd98f00b204e9800m98ecf8427e".into(), Some(DigestInvalidLength)),
            ("sha256:abcdef0123456789".into(), Some(DigestInvalidLength)),
            (format!("sha512:{}", "abcdef0123456789".repeat(4)), Some(DigestInvalidLength)),
            ("foo:d41d8cd98f00b204e9800998ecf8427e".into(), Some(DigestUnsupported)),
            (format!("sha384__foo+bar:{hex384}"), Some(DigestInvalidFormat)),
            (format!("sha384.foo+bar:{hex384}"), Some(DigestUnsupported)),
            (format!("sha384_foo+bar:{hex384}"), Some(DigestUnsupported)),
            (
                "sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564".into(),
                Some(DigestUnsupported),
            ),
            (
                "sha256:E58FCF7418D4390DEC8E8FB69D88C06EC07039D651FEDD3AA72AF9972E7D046B".into(),
                Some(DigestInvalidFormat),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(kind(&input), expected, "{input:?}");
        }
    }

    #[test]
    fn compute_and_verify() {
        assert_eq!(compute(Algorithm::Sha256, b""), SHA256_EMPTY);
        assert!(verify(b"", SHA256_EMPTY).is_ok());
        assert!(matches!(verify(b"x", SHA256_EMPTY), Err(Error::DigestMismatch { .. })));
        let d = compute(Algorithm::Sha512, b"abc");
        assert!(is_valid(&d));
        assert_eq!(compute_named("sha384", b"abc").unwrap().len(), 7 + 96);
        assert!(compute_named("md5", b"").is_err());
    }

    #[test]
    fn hasher_streams() {
        let mut h = Hasher::new(Algorithm::Sha256);
        h.update(b"hello ");
        let partial = h.digest();
        h.update(b"world");
        assert_ne!(partial, h.digest());
        assert_eq!(h.digest(), compute(Algorithm::Sha256, b"hello world"));
    }

    #[test]
    fn hex_decoding() {
        let mut out = [0u8; 2];
        assert!(decode_lower_hex(b"0aff", &mut out));
        assert_eq!(out, [0x0a, 0xff]);
        assert!(!decode_lower_hex(b"0AFF", &mut out));
        assert!(!decode_lower_hex(b"0af", &mut out));
    }
}
