//! Image references with the grammar and behaviour of distribution/reference v0.6 (the
//! current `github.com/distribution/reference`).
//!
//! # Grammar
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [ domain "/" ] path
//! domain           := host [ ":" port ]
//! host             := domain-name | "[" ipv6 "]"
//! domain-name      := label ( "." label )*
//! label            := [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! ipv6             := [a-fA-F0-9:]+              (no zone, no embedded IPv4)
//! port             := [0-9]+
//! path             := component ( "/" component )*
//! component        := alnum ( separator alnum )*
//! alnum            := [a-z0-9]+
//! separator        := "." | "_" | "__" | "-"+
//! tag              := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest           := algorithm ":" [0-9a-fA-F]{32,}
//! algorithm        := part ( [-_+.] part )*
//! part             := [A-Za-z] [A-Za-z0-9]*
//! identifier       := [a-f0-9]{64}
//! ```
//!
//! Upstream writes this as one regular expression; here it is a hand-written matcher that
//! reads the string once. The decomposition is unique: `@` can only start the digest, the
//! tag is whatever follows the first `:` after the last `/`, and the domain is the text
//! before the first `/` when that text is a valid domain and the rest a valid path (so
//! `foo/bar` has domain `foo`: it is normalization, not parsing, that decides docker.io).
//! Uppercase is allowed in the domain, the tag and the digest, never in the path.
//!
//! # Parsing (`parse`, upstream `Parse`)
//!
//! 1. The empty string: `repository name must have at least one component`.
//! 2. No match: if lower-casing the input (Go's `strings.ToLower`) changes it and the
//!    result matches, `repository name must be lowercase`; otherwise `invalid reference
//!    format`.
//! 3. A path longer than 255 characters: `repository name must not be more than 255
//!    characters` (the domain does not count).
//! 4. A digest is then validated by go-digest (see [`crate::digest`]), whose errors pass
//!    through unchanged.
//!
//! # Normalization (`parse_normalized_named`, upstream `ParseNormalizedNamed`)
//!
//! 1. 64 lowercase hex characters: `invalid repository name (<s>), cannot specify 64-byte
//!    hexadecimal strings`.
//! 2. The text before the first `/` is the domain when it is `localhost`, contains `.` or
//!    `:`, or contains an uppercase letter; `index.docker.io` becomes `docker.io`; anything
//!    else (or no `/` at all) means the domain is `docker.io` and the whole input is the
//!    path. On `docker.io` a path of one component gets `library/` in front.
//! 3. The path up to the first `:` must not change under lower-casing: `invalid reference
//!    format: repository name (<path>) must be lowercase`.
//! 4. Then `parse` of `domain/rest`.
//!
//! `parse_any` (upstream `ParseAnyReference`) turns 64 lowercase hex characters into the
//! digest-only reference `sha256:<hex>`, keeps a valid digest as a digest-only reference, and
//! otherwise normalizes. `parse_named` normalizes and then insists that the input was
//! already canonical (`repository name must be canonical`). `parse_docker_ref` normalizes,
//! drops the tag when there is also a digest and adds `latest` when there is neither.
//!
//! The familiar form drops the `docker.io` domain and, on docker.io, a `library/` first
//! component when exactly one component follows it. `with_tag` checks the tag rule
//! (`invalid tag format`), `with_digest` only the grammar's digest rule (`invalid digest
//! format`; uppercase hex and any length of 32 or more pass), `with_name` the name rule.
//!
//! # Where docker/distribution v2.8 (Docker 24) differs
//!
//! - No bracketed IPv6 domains: `[::1]:5000/foo` is an invalid reference format.
//! - The 255-character limit counts the whole name (domain, `/` and path), not the path.
//! - Normalization takes the first component as a domain only for `.`, `:` or exactly
//!   `localhost`; an uppercase first component (`LocalHost/foo`, `Foo/bar`) stays in the
//!   path and fails the lowercase check.
//! - The lowercase error of normalization does not name the path: `invalid reference
//!   format: repository name must be lowercase`.
//! - `WithName("")` reports `repository name must have at least one component`.

use crate::digest;
use crate::error::{Error, ReferenceErrorKind, Result};
use std::fmt;

/// Longest path (remote name) upstream accepts.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// Longest tag the grammar accepts.
pub const TAG_LENGTH_MAX: usize = 128;
/// The domain of Docker Hub in canonical names.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The legacy Docker Hub domain that normalization rewrites to [`DEFAULT_DOMAIN`].
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// The namespace of official images on Docker Hub.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag a bare name gets.
pub const DEFAULT_TAG: &str = "latest";

const MSG_INVALID_FORMAT: &str = "invalid reference format";
const MSG_NAME_EMPTY: &str = "repository name must have at least one component";
const MSG_UPPERCASE: &str = "repository name must be lowercase";
const MSG_TOO_LONG: &str = "repository name must not be more than 255 characters";
const MSG_NOT_CANONICAL: &str = "repository name must be canonical";
const MSG_INVALID_TAG: &str = "invalid tag format";
const MSG_INVALID_DIGEST: &str = "invalid digest format";

fn err(kind: ReferenceErrorKind, message: &str) -> Error {
    Error::reference(kind, message)
}

/// A parsed reference: a name with an optional tag and digest, or a digest alone.
///
/// The full string is stored once; the parts are ranges of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    full: Box<str>,
    /// Bytes of the domain (0: no domain).
    domain_len: usize,
    /// Bytes of the name, domain included (0: a digest-only reference).
    name_len: usize,
    /// Bytes of the tag (0: no tag).
    tag_len: usize,
    has_digest: bool,
}

impl Reference {
    /// The full string: `name[:tag][@digest]`, or the digest alone.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// True for a reference that is only a digest (no name).
    pub fn is_digest_only(&self) -> bool {
        self.name_len == 0
    }

    /// The full name (`docker.io/library/ubuntu`), or `None` for a digest-only reference.
    pub fn name(&self) -> Option<&str> {
        (self.name_len > 0).then(|| &self.full[..self.name_len])
    }

    /// The domain, empty when the name has none; `None` for a digest-only reference.
    pub fn domain(&self) -> Option<&str> {
        (self.name_len > 0).then(|| &self.full[..self.domain_len])
    }

    /// The path (remote name); `None` for a digest-only reference.
    pub fn path(&self) -> Option<&str> {
        if self.name_len == 0 {
            return None;
        }
        let start = if self.domain_len > 0 { self.domain_len + 1 } else { 0 };
        Some(&self.full[start..self.name_len])
    }

    pub fn tag(&self) -> Option<&str> {
        (self.tag_len > 0).then(|| &self.full[self.name_len + 1..self.name_len + 1 + self.tag_len])
    }

    pub fn digest(&self) -> Option<&str> {
        if !self.has_digest {
            return None;
        }
        if self.name_len == 0 {
            return Some(&self.full);
        }
        let start = self.name_len + if self.tag_len > 0 { self.tag_len + 1 } else { 0 } + 1;
        Some(&self.full[start..])
    }

    /// Builds a named reference from parts that are already known to be valid.
    fn assemble(domain: &str, path: &str, tag: Option<&str>, digest: Option<&str>) -> Self {
        let mut full = String::with_capacity(
            domain.len()
                + 1
                + path.len()
                + tag.map_or(0, |t| t.len() + 1)
                + digest.map_or(0, |d| d.len() + 1),
        );
        if !domain.is_empty() {
            full.push_str(domain);
            full.push('/');
        }
        full.push_str(path);
        let name_len = full.len();
        if let Some(tag) = tag {
            full.push(':');
            full.push_str(tag);
        }
        if let Some(digest) = digest {
            full.push('@');
            full.push_str(digest);
        }
        Self {
            full: full.into_boxed_str(),
            domain_len: domain.len(),
            name_len,
            tag_len: tag.map_or(0, str::len),
            has_digest: digest.is_some(),
        }
    }

    /// A digest-only reference; `digest` must already be validated by the caller.
    fn digest_only(digest: String) -> Self {
        Self {
            full: digest.into_boxed_str(),
            domain_len: 0,
            name_len: 0,
            tag_len: 0,
            has_digest: true,
        }
    }

    fn require_name(&self) -> Result<(&str, &str)> {
        match (self.domain(), self.path()) {
            (Some(domain), Some(path)) => Ok((domain, path)),
            _ => Err(err(ReferenceErrorKind::NameEmpty, MSG_NAME_EMPTY)),
        }
    }

    /// The familiar domain and path: docker.io dropped, `library/x` shortened to `x`.
    fn familiar_parts(&self) -> Option<(&str, &str)> {
        let (domain, path) = (self.domain()?, self.path()?);
        if domain != DEFAULT_DOMAIN {
            return Some((domain, path));
        }
        match path.strip_prefix(OFFICIAL_REPO_PREFIX) {
            Some(rest) if !rest.contains('/') => Some(("", rest)),
            _ => Some(("", path)),
        }
    }

    /// The familiar name (`ubuntu`, `user/app`, `quay.io/x/y`); `None` when digest-only.
    pub fn familiar_name(&self) -> Option<String> {
        let (domain, path) = self.familiar_parts()?;
        Some(join_name(domain, path))
    }

    /// The familiar string: familiar name plus tag and digest; the digest when digest-only.
    pub fn familiar_string(&self) -> String {
        match self.familiar_parts() {
            None => self.full.to_string(),
            Some((domain, path)) => {
                let name_start = self.name_len;
                let mut out = join_name(domain, path);
                out.push_str(&self.full[name_start..]);
                out
            }
        }
    }

    /// Adds `latest` to a name without tag or digest; anything else is returned unchanged.
    pub fn tag_name_only(&self) -> Self {
        if self.name_len > 0 && self.tag_len == 0 && !self.has_digest {
            let (domain, path) = (self.domain().unwrap_or(""), self.path().unwrap_or(""));
            Self::assemble(domain, path, Some(DEFAULT_TAG), None)
        } else {
            self.clone()
        }
    }

    /// The same name with tag `tag`; a digest is kept.
    pub fn with_tag(&self, tag: &str) -> Result<Self> {
        if !is_tag(tag.as_bytes()) {
            return Err(err(ReferenceErrorKind::InvalidTag, MSG_INVALID_TAG));
        }
        let (domain, path) = self.require_name()?;
        Ok(Self::assemble(domain, path, Some(tag), self.digest()))
    }

    /// The same name with digest `digest` (checked against the grammar only); a tag is kept.
    pub fn with_digest(&self, digest: &str) -> Result<Self> {
        if !is_reference_digest(digest.as_bytes()) {
            return Err(err(ReferenceErrorKind::InvalidDigestFormat, MSG_INVALID_DIGEST));
        }
        let (domain, path) = self.require_name()?;
        Ok(Self::assemble(domain, path, self.tag(), Some(digest)))
    }

    /// The name alone, tag and digest removed.
    pub fn trim_named(&self) -> Result<Self> {
        let (domain, path) = self.require_name()?;
        Ok(Self::assemble(domain, path, None, None))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

fn join_name(domain: &str, path: &str) -> String {
    if domain.is_empty() {
        path.to_owned()
    } else {
        let mut out = String::with_capacity(domain.len() + 1 + path.len());
        out.push_str(domain);
        out.push('/');
        out.push_str(path);
        out
    }
}

// ---------------------------------------------------------------------------------------
// The grammar, one rule per function, each reading bytes once.

#[inline]
fn is_lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `component := [a-z0-9]+ ( ("." | "_" | "__" | "-"+) [a-z0-9]+ )*`
fn is_path_component(c: &[u8]) -> bool {
    let n = c.len();
    if n == 0 || !is_lower_alnum(c[0]) || !is_lower_alnum(c[n - 1]) {
        return false;
    }
    let mut i = 1;
    while i < n {
        match c[i] {
            x if is_lower_alnum(x) => i += 1,
            b'.' => i += 1,
            b'_' => i += if c.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while c.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        // Every separator must be followed by an alphanumeric character.
        if !is_lower_alnum(c[i - 1]) && !c.get(i).is_some_and(|&x| is_lower_alnum(x)) {
            return false;
        }
    }
    true
}

/// `path := component ("/" component)*`
fn is_path(p: &[u8]) -> bool {
    !p.is_empty() && p.split(|&c| c == b'/').all(is_path_component)
}

/// `label := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
fn is_domain_label(l: &[u8]) -> bool {
    match (l.first(), l.last()) {
        (Some(a), Some(z)) if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() => {
            l.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        }
        _ => false,
    }
}

fn is_port(p: &[u8]) -> bool {
    !p.is_empty() && p.iter().all(u8::is_ascii_digit)
}

/// `domain := (domain-name | "[" ipv6 "]") [":" port]`
fn is_domain(d: &[u8]) -> bool {
    if d.first() == Some(&b'[') {
        let Some(close) = d.iter().position(|&c| c == b']') else {
            return false;
        };
        let inner = &d[1..close];
        let after = &d[close + 1..];
        return !inner.is_empty()
            && inner.iter().all(|&c| c.is_ascii_hexdigit() || c == b':')
            && (after.is_empty() || (after[0] == b':' && is_port(&after[1..])));
    }
    let (host, port) = match d.iter().position(|&c| c == b':') {
        Some(i) => (&d[..i], Some(&d[i + 1..])),
        None => (d, None),
    };
    !host.is_empty() && host.split(|&c| c == b'.').all(is_domain_label) && port.is_none_or(is_port)
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `tag := [\w][\w.-]{0,127}`
fn is_tag(t: &[u8]) -> bool {
    !t.is_empty()
        && t.len() <= TAG_LENGTH_MAX
        && is_word(t[0])
        && t[1..].iter().all(|&c| is_word(c) || c == b'.' || c == b'-')
}

/// The grammar's digest rule (not go-digest's): `algorithm ":" [0-9a-fA-F]{32,}`.
fn is_reference_digest(d: &[u8]) -> bool {
    let Some(colon) = d.iter().position(|&c| c == b':') else {
        return false;
    };
    let (algorithm, hex) = (&d[..colon], &d[colon + 1..]);
    if hex.len() < 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    // part ([-_+.] part)*, part = [A-Za-z][A-Za-z0-9]*
    let mut expect_letter = true;
    for &c in algorithm {
        if expect_letter {
            if !c.is_ascii_alphabetic() {
                return false;
            }
            expect_letter = false;
        } else if matches!(c, b'-' | b'_' | b'+' | b'.') {
            expect_letter = true;
        } else if !c.is_ascii_alphanumeric() {
            return false;
        }
    }
    !expect_letter
}

/// `identifier := [a-f0-9]{64}`
pub fn is_identifier(s: &str) -> bool {
    s.len() == 64 && digest::is_lower_hex(s.as_bytes())
}

/// Where the parts of a reference string lie, when it matches the grammar.
#[derive(Clone, Copy, Debug)]
struct Split {
    domain_len: usize,
    name_len: usize,
    tag_len: usize,
    has_digest: bool,
}

/// Splits a name into domain length and checks it: the anchored name rule.
fn split_name(name: &[u8]) -> Option<usize> {
    if let Some(slash) = name.iter().position(|&c| c == b'/') {
        if is_domain(&name[..slash]) {
            return is_path(&name[slash + 1..]).then_some(slash);
        }
    }
    is_path(name).then_some(0)
}

/// Matches the whole reference grammar.
fn split_reference(s: &[u8]) -> Option<Split> {
    let (name_and_tag, digest) = match memchr::memchr(b'@', s) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    if let Some(d) = digest {
        if !is_reference_digest(d) {
            return None;
        }
    }
    let last_slash = memchr::memrchr(b'/', name_and_tag).map_or(0, |i| i + 1);
    let (name, tag) = match memchr::memchr(b':', &name_and_tag[last_slash..]) {
        Some(i) => {
            let colon = last_slash + i;
            (&name_and_tag[..colon], Some(&name_and_tag[colon + 1..]))
        }
        None => (name_and_tag, None),
    };
    if let Some(t) = tag {
        if !is_tag(t) {
            return None;
        }
    }
    let domain_len = split_name(name)?;
    Some(Split {
        domain_len,
        name_len: name.len(),
        tag_len: tag.map_or(0, <[u8]>::len),
        has_digest: digest.is_some(),
    })
}

/// Go's `strings.ToLower`, but only when the result could match the grammar (all ASCII);
/// `None` when some character lowers to non-ASCII text, which can never match.
fn go_lower_ascii(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            // The two non-ASCII letters whose simple lowercase mapping is ASCII.
            '\u{0130}' => out.push('i'),
            '\u{212A}' => out.push('k'),
            _ => return None,
        }
    }
    Some(out)
}

/// True when Go's `strings.ToLower` would change `s`.
fn go_lower_changes(s: &str) -> bool {
    s.chars().any(|c| {
        if c.is_ascii() {
            c.is_ascii_uppercase()
        } else {
            let mut lower = c.to_lowercase();
            !(lower.next() == Some(c) && lower.next().is_none())
        }
    })
}

// ---------------------------------------------------------------------------------------
// Parsing entry points.

/// Upstream `Parse`: the grammar, no normalization.
pub fn parse(s: &str) -> Result<Reference> {
    parse_owned(s.to_owned())
}

fn parse_owned(s: String) -> Result<Reference> {
    if s.is_empty() {
        return Err(err(ReferenceErrorKind::NameEmpty, MSG_NAME_EMPTY));
    }
    let Some(split) = split_reference(s.as_bytes()) else {
        return Err(no_match_error(&s));
    };
    let path_len =
        if split.domain_len > 0 { split.name_len - split.domain_len - 1 } else { split.name_len };
    if path_len > NAME_TOTAL_LENGTH_MAX {
        return Err(err(ReferenceErrorKind::NameTooLong, MSG_TOO_LONG));
    }
    if split.has_digest {
        let at = memchr::memchr(b'@', s.as_bytes()).unwrap_or(s.len());
        digest::parse(&s[at + 1..])?;
    }
    Ok(Reference {
        full: s.into_boxed_str(),
        domain_len: split.domain_len,
        name_len: split.name_len,
        tag_len: split.tag_len,
        has_digest: split.has_digest,
    })
}

#[cold]
fn no_match_error(s: &str) -> Error {
    if let Some(lower) = go_lower_ascii(s) {
        if lower != s && split_reference(lower.as_bytes()).is_some() {
            return err(ReferenceErrorKind::NameContainsUppercase, MSG_UPPERCASE);
        }
    }
    err(ReferenceErrorKind::InvalidFormat, MSG_INVALID_FORMAT)
}

/// Upstream `splitDockerDomain`: (domain, whether `library/` goes first, rest).
fn split_docker_domain(s: &str) -> (&str, bool, &str) {
    let Some(slash) = s.find('/') else {
        return (DEFAULT_DOMAIN, true, s);
    };
    let (maybe_domain, rest) = (&s[..slash], &s[slash + 1..]);
    let (domain, rest) = if maybe_domain == "localhost" {
        (maybe_domain, rest)
    } else if maybe_domain == LEGACY_DEFAULT_DOMAIN {
        (DEFAULT_DOMAIN, rest)
    } else if maybe_domain.contains(['.', ':']) || go_lower_changes(maybe_domain) {
        (maybe_domain, rest)
    } else {
        (DEFAULT_DOMAIN, s)
    };
    let library = domain == DEFAULT_DOMAIN && !rest.contains('/');
    (domain, library, rest)
}

/// Upstream `ParseNormalizedNamed`: a familiar or full name to its canonical reference.
pub fn parse_normalized_named(s: &str) -> Result<Reference> {
    if is_identifier(s) {
        return Err(err(
            ReferenceErrorKind::HexName,
            &format!("invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"),
        ));
    }
    let (domain, library, rest) = split_docker_domain(s);
    let prefix = if library { OFFICIAL_REPO_PREFIX } else { "" };
    let remote = rest.find(':').map_or(rest, |i| &rest[..i]);
    if go_lower_changes(remote) {
        return Err(err(
            ReferenceErrorKind::NameContainsUppercase,
            &format!(
                "invalid reference format: repository name ({prefix}{remote}) must be lowercase"
            ),
        ));
    }
    let mut full = String::with_capacity(domain.len() + 1 + prefix.len() + rest.len());
    full.push_str(domain);
    full.push('/');
    full.push_str(prefix);
    full.push_str(rest);
    parse_owned(full)
}

/// Upstream `ParseAnyReference`: an ID, a digest, or a familiar name.
pub fn parse_any(s: &str) -> Result<Reference> {
    if is_identifier(s) {
        let mut d = String::with_capacity(7 + 64);
        d.push_str("sha256:");
        d.push_str(s);
        return Ok(Reference::digest_only(d));
    }
    if digest::is_valid(s) {
        return Ok(Reference::digest_only(s.to_owned()));
    }
    parse_normalized_named(s)
}

/// Upstream `ParseNamed`: like [`parse_normalized_named`], but the input must be canonical.
pub fn parse_named(s: &str) -> Result<Reference> {
    let named = parse_normalized_named(s)?;
    if named.as_str() != s {
        return Err(err(ReferenceErrorKind::NameNotCanonical, MSG_NOT_CANONICAL));
    }
    Ok(named)
}

/// Upstream `ParseDockerRef`: normalized, digest wins over tag, a bare name gets `latest`.
pub fn parse_docker_ref(s: &str) -> Result<Reference> {
    let named = parse_normalized_named(s)?;
    if named.tag_len > 0 && named.has_digest {
        let (domain, path) = named.require_name()?;
        return Ok(Reference::assemble(domain, path, None, named.digest()));
    }
    Ok(named.tag_name_only())
}

/// Upstream `WithName`: a name (no tag, no digest) checked against the name rule.
pub fn with_name(name: &str) -> Result<Reference> {
    let Some(domain_len) = split_name(name.as_bytes()) else {
        return Err(err(ReferenceErrorKind::InvalidFormat, MSG_INVALID_FORMAT));
    };
    let path_len = if domain_len > 0 { name.len() - domain_len - 1 } else { name.len() };
    if path_len > NAME_TOTAL_LENGTH_MAX {
        return Err(err(ReferenceErrorKind::NameTooLong, MSG_TOO_LONG));
    }
    Ok(Reference {
        full: name.into(),
        domain_len,
        name_len: name.len(),
        tag_len: 0,
        has_digest: false,
    })
}

/// A digest-only reference from a digest string that matches the grammar's digest rule.
pub fn digest_reference(digest: &str) -> Result<Reference> {
    if !is_reference_digest(digest.as_bytes()) {
        return Err(err(ReferenceErrorKind::InvalidDigestFormat, MSG_INVALID_DIGEST));
    }
    Ok(Reference::digest_only(digest.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D256: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    fn kind(r: Result<Reference>) -> ReferenceErrorKind {
        match r {
            Err(Error::InvalidReference { kind, .. }) => kind,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn parse_parts() {
        let r = parse(&format!("test:5000/repo:tag@{D256}")).unwrap();
        assert_eq!(r.domain(), Some("test:5000"));
        assert_eq!(r.path(), Some("repo"));
        assert_eq!(r.name(), Some("test:5000/repo"));
        assert_eq!(r.tag(), Some("tag"));
        assert_eq!(r.digest(), Some(D256));

        let r = parse("test.com:5000").unwrap();
        assert_eq!((r.name(), r.tag(), r.domain()), (Some("test.com"), Some("5000"), Some("")));

        let r = parse("[2001:db8::1]:5000/repo").unwrap();
        assert_eq!(r.domain(), Some("[2001:db8::1]:5000"));
    }

    #[test]
    fn parse_errors() {
        use ReferenceErrorKind::*;
        assert_eq!(kind(parse("")), NameEmpty);
        assert_eq!(kind(parse(":justtag")), InvalidFormat);
        assert_eq!(kind(parse(&format!("@{D256}"))), InvalidFormat);
        assert_eq!(
            kind(parse("repo@sha256:ffffffffffffffffffffffffffffffffff")),
            DigestInvalidLength
        );
        assert_eq!(
            kind(parse(&format!("validname@invaliddigest:{}", "f".repeat(64)))),
            DigestUnsupported
        );
        assert_eq!(kind(parse("Uppercase:tag")), NameContainsUppercase);
        assert_eq!(kind(parse("test:5000/Uppercase/lowercase:tag")), NameContainsUppercase);
        assert_eq!(kind(parse(&format!("domain/{}:tag", "a".repeat(256)))), NameTooLong);
        assert_eq!(kind(parse("aa/asdf$$^/aa")), InvalidFormat);
        assert_eq!(kind(parse("[fe80::1%eth0]:5000/repo")), InvalidFormat);
        assert_eq!(kind(parse("\u{0130}")), NameContainsUppercase);
        assert!(parse(&format!("example.com/{}:tag", "a".repeat(255))).is_ok());
    }

    #[test]
    fn path_components() {
        for ok in ["a", "a.b", "a_b", "a__b", "a---b", "a-b.c_d__e", "0"] {
            assert!(is_path_component(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-a", "a-", "a..b", "a___b", "a_.b", "a-.b", "A", "a.", "_a"] {
            assert!(!is_path_component(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn domains() {
        for ok in [
            "test.com",
            "test.com:10304",
            "localhost:8080",
            "a",
            "Asdf.com",
            "[fd00:1:2::3]:75050",
            "[fd00123123123]:75050",
        ] {
            assert!(is_domain(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "test.com:http",
            "-ab.com",
            "ab-.com",
            "ab.-com",
            "[fd00:1:2::3]75050",
            "[fd00:1:2::3]::75050",
            "[fd00:1:2::3%eth0]:75050",
            "fd00:1:2::3:75050",
            "",
        ] {
            assert!(!is_domain(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn normalization() {
        let r = parse_normalized_named("ubuntu").unwrap();
        assert_eq!(r.as_str(), "docker.io/library/ubuntu");
        assert_eq!(r.familiar_string(), "ubuntu");
        let r = parse_normalized_named("index.docker.io/foo:1").unwrap();
        assert_eq!(r.as_str(), "docker.io/library/foo:1");
        let r = parse_normalized_named("Foo/bar").unwrap();
        assert_eq!((r.domain(), r.path()), (Some("Foo"), Some("bar")));
        let e = parse_normalized_named("foo/Bar").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid reference format: repository name (foo/Bar) must be lowercase"
        );
        let e = parse_normalized_named("Bar").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid reference format: repository name (library/Bar) must be lowercase"
        );
        assert_eq!(kind(parse_normalized_named(&"a".repeat(64))), ReferenceErrorKind::HexName);
        assert_eq!(kind(parse_named("foo")), ReferenceErrorKind::NameNotCanonical);
    }

    #[test]
    fn any_and_docker_ref() {
        let hex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
        let r = parse_any(hex).unwrap();
        assert!(r.is_digest_only());
        assert_eq!(r.digest(), Some(format!("sha256:{hex}").as_str()));
        assert_eq!(r.familiar_string(), format!("sha256:{hex}"));
        assert_eq!(r.tag_name_only(), r);
        let r = parse_docker_ref(&format!("gcr.io/library/busybox:latest@{D256}")).unwrap();
        assert_eq!(r.as_str(), format!("gcr.io/library/busybox@{D256}"));
        assert_eq!(
            parse_docker_ref("busybox").unwrap().as_str(),
            "docker.io/library/busybox:latest"
        );
    }

    #[test]
    fn helpers() {
        let named = with_name("test.com:8000/foo").unwrap();
        let canonical = named.with_digest("sha256:1234567890098765432112345667890098765").unwrap();
        let both = canonical.with_tag("TAG5").unwrap();
        assert_eq!(
            both.as_str(),
            "test.com:8000/foo:TAG5@sha256:1234567890098765432112345667890098765"
        );
        assert_eq!(both.trim_named().unwrap(), named);
        assert_eq!(kind(named.with_tag("-foo")), ReferenceErrorKind::InvalidTag);
        assert_eq!(kind(named.with_digest("foo")), ReferenceErrorKind::InvalidDigestFormat);
        assert_eq!(kind(with_name("")), ReferenceErrorKind::InvalidFormat);
        assert_eq!(
            kind(with_name(&format!("example.com/{}", "a".repeat(256)))),
            ReferenceErrorKind::NameTooLong
        );
        let library_nested = parse_normalized_named("library/foo/bar").unwrap();
        assert_eq!(library_nested.familiar_name().as_deref(), Some("library/foo/bar"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "@", ":", "/", "a@", "a:", "a/", "[", "[]", "[]/a", "a@b:c", "é", "a/b/@c:d", "::",
            "@@", "a:b:c",
        ] {
            let _ = parse(s);
            let _ = parse_any(s);
            let _ = parse_docker_ref(s);
        }
    }
}
