//! OCI image indexes, Docker manifest lists and image manifests: bounded reading and
//! platform selection.
//!
//! # What is read
//! [`parse_index`] and [`parse_manifest`] decode the bytes exactly as moby's Go code gets them
//! from `json.Unmarshal` into the image-spec structs (`ocispec.Index`, `ocispec.Manifest`,
//! `ocispec.Descriptor`, `ocispec.Platform`). The JSON level (syntax, strings, key folding,
//! numbers, depth) is described in [`crate::json`]; at the struct level:
//!
//! - Keys name fields case-insensitively (`"MediaType"`, `"manif\u0065sts"`, `"ſize"`); for a
//!   repeated field the last value wins, and a repeated object is **merged** into the first
//!   (`"platform":{"os":"linux"},"platform":{"architecture":"arm"}` gives linux/arm).
//! - A repeated array is decoded element by element into the list it replaces, as Go reuses a
//!   slice's backing array: element *i* merges into the old element *i*, and an element that a
//!   shorter array cut off comes back, with its old fields, when a later array reaches it
//!   again. `[]` and `null` empty the list for good. [`List`] models this.
//! - `null` leaves strings and integers as they were, and empties lists, maps and the
//!   `platform`/`subject` pointers. A top-level `null` is an empty index.
//! - Fields that are not decoded may hold any valid JSON. A decoded field with the wrong JSON
//!   type fails the whole document: `schemaVersion` and `size` must be integer literals that fit
//!   in 64 bits (`1.0`, `1E3` fail), strings must be strings, `annotations` an object of
//!   strings, `urls` and `os.features` arrays of strings, `data` standard padded base64 (or an
//!   array of integers 0–255, as Go accepts for `[]byte`).
//! - Digests are not validated here (Go does not either); media types are kept verbatim.
//!
//! # Media types and selection
//! An entry is an image manifest when its media type is the OCI image manifest or the Docker
//! schema 2 manifest, an index when it is the OCI index or the Docker manifest list (a nested
//! index), and anything else is kept but never selected. [`select`] returns, in document order,
//! the image-manifest entries whose platform the matcher accepts (moby's
//! `manifestMatchesPlatform`); an entry without a platform never matches (Docker 24 crashes on
//! one). [`best`] returns the single entry a runtime pulls: the matcher's most preferred
//! platform, the first in document order among equally preferred ones.
//!
//! Attestation manifests (BuildKit's provenance and SBOM entries) are recognised by the
//! platform `unknown/unknown` or the annotation
//! `vnd.docker.reference.type: attestation-manifest`; the image they describe is named by the
//! annotation `vnd.docker.reference.digest`.
//!
//! # Bounds
//! Input longer than `limit` bytes is refused with [`Error::LimitExceeded`] before a byte is
//! read; everything else is read by the non-recursive [`crate::json::Reader`], and any failure
//! is an [`Error::InvalidManifest`] with the byte offset and the reason.

use crate::error::{Error, Result};
use crate::json::{decode_base64, decode_string_body, ExactKey, Key, Kind, Quick, Reader};
use crate::matcher::{Common, Features, Matcher, PlatformRef, COMMON_ARCH, COMMON_OS};
use crate::platform::Platform;
use std::borrow::Cow;
use std::ops::Deref;

/// `application/vnd.oci.image.index.v1+json`
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// `application/vnd.oci.image.manifest.v1+json`
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// `application/vnd.oci.image.config.v1+json`
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// `application/vnd.docker.distribution.manifest.list.v2+json`
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// `application/vnd.docker.distribution.manifest.v2+json`
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// `application/vnd.docker.container.image.v1+json`
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";

/// The annotation BuildKit sets to `attestation-manifest` on attestation entries.
pub const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
/// The annotation naming the image manifest an attestation describes.
pub const REFERENCE_DIGEST_ANNOTATION: &str = "vnd.docker.reference.digest";
/// The value of [`REFERENCE_TYPE_ANNOTATION`] on attestation entries.
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";

/// The default bound on a document, as moby's manifest-list check reads at most 1e6 bytes.
pub const DEFAULT_LIMIT: usize = 1_000_000;

/// What a descriptor's media type says it points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// An image manifest (OCI or Docker schema 2): selectable.
    Manifest,
    /// An index or manifest list (OCI or Docker): a nested index.
    Index,
    /// Anything else (configs, layers, artifacts, unknown types).
    Other,
}

impl MediaKind {
    pub fn of(media_type: &str) -> Self {
        match media_type {
            OCI_MANIFEST | DOCKER_MANIFEST => Self::Manifest,
            OCI_INDEX | DOCKER_MANIFEST_LIST => Self::Index,
            _ => Self::Other,
        }
    }
}

/// A Go slice as `encoding/json` fills it: a backing store that is never shrunk by a later,
/// shorter array (only `[]` and `null` drop it) and the visible length.
#[derive(Clone, Debug, Default)]
pub struct List<T> {
    items: Vec<T>,
    len: usize,
}

impl<T> List<T> {
    pub fn new(items: Vec<T>) -> Self {
        let len = items.len();
        Self { items, len }
    }

    fn clear(&mut self) {
        self.items.clear();
        self.len = 0;
    }

    fn slot(&mut self, i: usize) -> &mut T
    where
        T: Default,
    {
        if i >= self.items.len() {
            self.items.push(T::default());
        }
        let last = self.items.len() - 1;
        &mut self.items[i.min(last)]
    }

    fn map<U>(self, f: impl FnMut(T) -> U) -> List<U> {
        List { items: self.items.into_iter().map(f).collect(), len: self.len }
    }

    /// The visible elements, by value.
    pub fn into_vec(mut self) -> Vec<T> {
        self.items.truncate(self.len);
        self.items
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items[..self.len.min(self.items.len())]
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// The platform of an index entry, as written (not normalized).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlatformSpec<'a> {
    pub architecture: Cow<'a, str>,
    pub os: Cow<'a, str>,
    pub os_version: Cow<'a, str>,
    pub os_features: List<Cow<'a, str>>,
    pub variant: Cow<'a, str>,
}

impl PlatformSpec<'static> {
    /// The entry platform that writes `p` as it is.
    pub fn from_platform(p: Platform) -> Self {
        PlatformSpec {
            architecture: Cow::Owned(p.architecture),
            os: Cow::Owned(p.os),
            os_version: Cow::Owned(p.os_version),
            os_features: List::new(p.os_features.into_iter().map(Cow::Owned).collect()),
            variant: Cow::Owned(p.variant),
        }
    }
}

impl PlatformSpec<'_> {
    /// The platform value, as written in the entry.
    pub fn to_platform(&self) -> Platform {
        let mut p = Platform::default();
        self.fill(&mut p, true);
        p
    }

    /// Overwrites `p` with this platform, reusing its allocations. Without `full`, only
    /// os, architecture and variant are copied (moby's manifest-list check).
    pub fn fill(&self, p: &mut Platform, full: bool) {
        fn set(dst: &mut String, src: &str) {
            dst.clear();
            dst.push_str(src);
        }
        set(&mut p.os, &self.os);
        set(&mut p.architecture, &self.architecture);
        set(&mut p.variant, &self.variant);
        p.os_version.clear();
        p.os_features.clear();
        if full {
            p.os_version.push_str(&self.os_version);
            p.os_features.extend(self.os_features.iter().map(|f| f.to_string()));
        }
    }

    fn into_owned(self) -> PlatformSpec<'static> {
        PlatformSpec {
            architecture: owned_common(self.architecture),
            os: owned_common(self.os),
            os_version: owned_common(self.os_version),
            os_features: self.os_features.map(owned),
            variant: owned_common(self.variant),
        }
    }
}

fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// Like [`owned`], but the values that fill most descriptors (media types, platform words)
/// become `'static` borrows instead of allocations.
fn owned_common(s: Cow<'_, str>) -> Cow<'static, str> {
    let common = match &*s {
        "" => "",
        OCI_MANIFEST => OCI_MANIFEST,
        DOCKER_MANIFEST => DOCKER_MANIFEST,
        OCI_INDEX => OCI_INDEX,
        DOCKER_MANIFEST_LIST => DOCKER_MANIFEST_LIST,
        OCI_CONFIG => OCI_CONFIG,
        DOCKER_CONFIG => DOCKER_CONFIG,
        "linux" => "linux",
        "windows" => "windows",
        "unknown" => "unknown",
        "amd64" => "amd64",
        "arm64" => "arm64",
        "arm" => "arm",
        "386" => "386",
        "ppc64le" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "mips64le" => "mips64le",
        "v5" => "v5",
        "v6" => "v6",
        "v7" => "v7",
        "v8" => "v8",
        _ => return owned(s),
    };
    Cow::Borrowed(common)
}

/// A descriptor's or document's annotations, kept as the validated JSON object text and
/// decoded on demand. The two BuildKit reference annotations are decoded while reading.
#[derive(Clone, Debug, Default)]
pub struct Annotations<'a> {
    /// Zero or more JSON objects, back to back: a repeated `annotations` key merges maps.
    raw: Cow<'a, [u8]>,
    reference_type: Option<Cow<'a, str>>,
    reference_digest: Option<Cow<'a, str>>,
}

impl<'a> Annotations<'a> {
    /// Every key/value pair in document order; a later pair overrides an earlier one with
    /// the same key (as in a Go map or a Python dict built in this order).
    pub fn iter(&self) -> AnnotationIter<'_> {
        AnnotationIter { reader: Reader::new(&self.raw), in_object: false, first: false }
    }

    /// The value of `key` (the last one written), if present.
    pub fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            REFERENCE_TYPE_ANNOTATION => self.reference_type.as_deref().map(Cow::Borrowed),
            REFERENCE_DIGEST_ANNOTATION => self.reference_digest.as_deref().map(Cow::Borrowed),
            _ => self.iter().filter(|(k, _)| k == key).last().map(|(_, v)| v),
        }
    }

    /// The pairs with later duplicates applied: one entry per key, in first-seen order.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (k, v) in self.iter() {
            match index.get(k.as_ref()) {
                Some(&i) => out[i].1 = v.into_owned(),
                None => {
                    index.insert(k.to_string(), out.len());
                    out.push((k.into_owned(), v.into_owned()));
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Annotations holding `pairs` (a later pair overrides an earlier one with its key).
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Annotations<'static> {
        let mut raw = Vec::from(*b"{");
        let mut out = Annotations::default();
        for (i, (k, v)) in pairs.into_iter().enumerate() {
            let (k, v) = (k.as_ref(), v.as_ref());
            if i > 0 {
                raw.push(b',');
            }
            write_json_string(&mut raw, k);
            raw.push(b':');
            write_json_string(&mut raw, v);
            match k {
                REFERENCE_TYPE_ANNOTATION => out.reference_type = Some(owned(v.into())),
                REFERENCE_DIGEST_ANNOTATION => out.reference_digest = Some(owned(v.into())),
                _ => {}
            }
        }
        raw.push(b'}');
        out.raw = Cow::Owned(raw);
        out
    }

    fn into_owned(self) -> Annotations<'static> {
        Annotations {
            raw: Cow::Owned(self.raw.into_owned()),
            reference_type: self.reference_type.map(owned),
            reference_digest: self.reference_digest.map(owned),
        }
    }
}

impl PartialEq for Annotations<'_> {
    fn eq(&self, other: &Self) -> bool {
        let mut a = self.to_vec();
        let mut b = other.to_vec();
        a.sort();
        b.sort();
        a == b
    }
}

/// Appends `s` as a JSON string literal.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Iterator over [`Annotations`]; stops at the end of the text.
pub struct AnnotationIter<'r> {
    reader: Reader<'r>,
    in_object: bool,
    first: bool,
}

impl<'r> Iterator for AnnotationIter<'r> {
    type Item = (Cow<'r, str>, Cow<'r, str>);

    fn next(&mut self) -> Option<Self::Item> {
        // The text was validated when it was read, so errors cannot happen; if one did, the
        // iteration simply ends.
        loop {
            if !self.in_object {
                if self.reader.peek_kind().is_err() {
                    return None;
                }
                self.reader.enter_object().ok()?;
                self.in_object = true;
                self.first = true;
            }
            match self.reader.next_key(&mut self.first).ok()? {
                None => self.in_object = false,
                Some(key) => {
                    let value = match self.reader.peek_kind().ok()? {
                        Kind::Null => {
                            self.reader.read_null().ok()?;
                            Cow::Borrowed("")
                        }
                        _ => self.reader.read_string().ok()?,
                    };
                    return Some((key.decode(), value));
                }
            }
        }
    }
}

/// An OCI content descriptor: an entry of an index, a manifest's config or layer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Descriptor<'a> {
    pub media_type: Cow<'a, str>,
    pub digest: Cow<'a, str>,
    pub size: i64,
    pub urls: List<Cow<'a, str>>,
    pub annotations: Annotations<'a>,
    /// Embedded content (`data`, base64 in JSON); `None` when absent or `null`.
    pub data: Option<List<u8>>,
    pub platform: Option<PlatformSpec<'a>>,
    pub artifact_type: Cow<'a, str>,
}

impl Descriptor<'_> {
    pub fn kind(&self) -> MediaKind {
        MediaKind::of(&self.media_type)
    }

    /// An OCI image manifest or Docker schema 2 manifest: what selection considers.
    pub fn is_manifest(&self) -> bool {
        self.kind() == MediaKind::Manifest
    }

    /// An index or manifest list nested in an index.
    pub fn is_index(&self) -> bool {
        self.kind() == MediaKind::Index
    }

    /// An attestation manifest: platform `unknown/unknown`, or the BuildKit annotation
    /// `vnd.docker.reference.type: attestation-manifest`.
    pub fn is_attestation(&self) -> bool {
        self.annotations.reference_type.as_deref() == Some(ATTESTATION_MANIFEST)
            || self
                .platform
                .as_ref()
                .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
    }

    /// The digest of the image manifest this entry describes (`vnd.docker.reference.digest`).
    pub fn reference_digest(&self) -> Option<&str> {
        self.annotations.reference_digest.as_deref()
    }

    pub fn into_owned(self) -> Descriptor<'static> {
        Descriptor {
            media_type: owned_common(self.media_type),
            digest: owned(self.digest),
            size: self.size,
            urls: self.urls.map(owned),
            annotations: self.annotations.into_owned(),
            data: self.data,
            platform: self.platform.map(PlatformSpec::into_owned),
            artifact_type: owned_common(self.artifact_type),
        }
    }
}

/// An OCI image index or Docker manifest list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index<'a> {
    pub schema_version: i64,
    pub media_type: Cow<'a, str>,
    pub artifact_type: Cow<'a, str>,
    pub manifests: List<Descriptor<'a>>,
    pub subject: Option<Box<Descriptor<'a>>>,
    pub annotations: Annotations<'a>,
}

/// An OCI image manifest or Docker schema 2 manifest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest<'a> {
    pub schema_version: i64,
    pub media_type: Cow<'a, str>,
    pub artifact_type: Cow<'a, str>,
    pub config: Descriptor<'a>,
    pub layers: List<Descriptor<'a>>,
    pub subject: Option<Box<Descriptor<'a>>>,
    pub annotations: Annotations<'a>,
}

impl Index<'_> {
    pub fn into_owned(self) -> Index<'static> {
        Index {
            schema_version: self.schema_version,
            media_type: owned(self.media_type),
            artifact_type: owned(self.artifact_type),
            manifests: self.manifests.map(Descriptor::into_owned),
            subject: self.subject.map(|s| Box::new(s.into_owned())),
            annotations: self.annotations.into_owned(),
        }
    }
}

impl Manifest<'_> {
    pub fn into_owned(self) -> Manifest<'static> {
        Manifest {
            schema_version: self.schema_version,
            media_type: owned(self.media_type),
            artifact_type: owned(self.artifact_type),
            config: self.config.into_owned(),
            layers: self.layers.map(Descriptor::into_owned),
            subject: self.subject.map(|s| Box::new(s.into_owned())),
            annotations: self.annotations.into_owned(),
        }
    }
}

fn check_limit(data: &[u8], limit: usize) -> Result<()> {
    if data.len() > limit {
        return Err(Error::LimitExceeded { limit, size: data.len() });
    }
    Ok(())
}

/// Reads an index or manifest list of at most `limit` bytes.
pub fn parse_index(data: &[u8], limit: usize) -> Result<Index<'_>> {
    check_limit(data, limit)?;
    let mut r = Reader::new(data);
    let mut index = Index::default();
    if top_level(&mut r, "ocispec.Index")? {
        index_fields(&mut r, &mut index)?;
    }
    r.finish()?;
    Ok(index)
}

/// Reads an image manifest of at most `limit` bytes.
pub fn parse_manifest(data: &[u8], limit: usize) -> Result<Manifest<'_>> {
    check_limit(data, limit)?;
    let mut r = Reader::new(data);
    let mut manifest = Manifest::default();
    if top_level(&mut r, "ocispec.Manifest")? {
        manifest_fields(&mut r, &mut manifest)?;
    }
    r.finish()?;
    Ok(manifest)
}

/// The config digest of an image manifest (what moby compares with the image ID).
pub fn config_digest(data: &[u8], limit: usize) -> Result<String> {
    Ok(parse_manifest(data, limit)?.config.digest.into_owned())
}

/// Which platform fields of an entry the matcher sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlatformFields {
    /// Everything the entry says, `os.version` and `os.features` included (containerd's
    /// resolver).
    #[default]
    Full,
    /// Only os, architecture and variant, as moby's `manifestMatchesPlatform` builds them.
    MobyCheck,
}

/// The image-manifest entries whose platform `matcher` accepts, in document order.
pub fn select<'i, 'a>(
    index: &'i Index<'a>,
    matcher: &dyn Matcher,
    fields: PlatformFields,
) -> Vec<&'i Descriptor<'a>> {
    let full = fields == PlatformFields::Full;
    let mut candidate = Platform::default();
    index
        .manifests
        .iter()
        .filter(|d| {
            d.is_manifest()
                && d.platform.as_ref().is_some_and(|p| {
                    p.fill(&mut candidate, full);
                    matcher.matches(&candidate)
                })
        })
        .collect()
}

/// Like [`select`], but consumes the index and returns the selected entries as owned values
/// (no copy of the entries that are not selected).
pub fn select_owned(
    index: Index<'_>,
    matcher: &dyn Matcher,
    fields: PlatformFields,
) -> Vec<Descriptor<'static>> {
    let keep: Vec<bool> = {
        let chosen = select(&index, matcher, fields);
        let mut next = chosen.iter().peekable();
        index
            .manifests
            .iter()
            .map(|d| match next.peek() {
                Some(&&c) if std::ptr::eq(c, d) => {
                    next.next();
                    true
                }
                _ => false,
            })
            .collect()
    };
    index
        .manifests
        .into_vec()
        .into_iter()
        .zip(keep)
        .filter_map(|(d, keep)| keep.then(|| d.into_owned()))
        .collect()
}

/// The entry a runtime pulls: among the selected entries, the one the matcher prefers most
/// (`less`), the first in document order among equally preferred ones.
pub fn best<'i, 'a>(
    index: &'i Index<'a>,
    matcher: &dyn Matcher,
    fields: PlatformFields,
) -> Option<&'i Descriptor<'a>> {
    let full = fields == PlatformFields::Full;
    let mut chosen: Option<(&'i Descriptor<'a>, Platform)> = None;
    let mut candidate = Platform::default();
    for d in index.manifests.iter() {
        let Some(p) = d.platform.as_ref().filter(|_| d.is_manifest()) else {
            continue;
        };
        p.fill(&mut candidate, full);
        if !matcher.matches(&candidate) {
            continue;
        }
        match &mut chosen {
            Some((_, best)) if !matcher.less(&candidate, best) => {}
            _ => chosen = Some((d, std::mem::take(&mut candidate))),
        }
    }
    chosen.map(|(d, _)| d)
}

/// [`select_owned`]`(parse_index(data, limit)?, …)` in one pass, without materialising the
/// entries it does not return. Every entry is read (so the whole document is validated and
/// type-checked exactly as [`parse_index`] does, with the same first error), but only its media
/// type and platform are kept ([`EntryHead`]); an entry the matcher accepts is then decoded
/// in full from where it starts. The selected entries borrow from `data`.
///
/// A document that repeats the `manifests` key (in any spelling) needs Go's slice-reuse rules
/// across the repeats ([`List`]); it is read a second time through [`parse_index`].
pub fn select_bytes<'a>(
    data: &'a [u8],
    limit: usize,
    matcher: &dyn Matcher,
    fields: PlatformFields,
) -> Result<Vec<Descriptor<'a>>> {
    let mut picked = Vec::new();
    select_bytes_into(data, limit, matcher, fields, &mut picked)?;
    Ok(picked)
}

/// [`select_bytes`], appending the selected entries to `out` (left as it was on an error):
/// many documents' selections can share one allocation.
pub fn select_bytes_into<'a>(
    data: &'a [u8],
    limit: usize,
    matcher: &dyn Matcher,
    fields: PlatformFields,
    out: &mut Vec<Descriptor<'a>>,
) -> Result<()> {
    let start = out.len();
    let one_pass = for_each_head(data, limit, fields, |candidate, at| {
        if candidate.is_some_and(|c| c.accepted_by(matcher)) {
            if out.capacity() == 0 {
                // Two descriptors (~700 bytes) stay below the allocator's large requests,
                // which are slower; most lists select one or two entries, some none.
                out.reserve_exact(2);
            }
            out.push(at.decode()?);
        }
        Ok(())
    });
    match one_pass {
        Ok(true) => Ok(()),
        Ok(false) => {
            out.truncate(start);
            let index = parse_index(data, limit)?;
            out.extend(select(&index, matcher, fields).into_iter().cloned());
            Ok(())
        }
        Err(err) => {
            out.truncate(start);
            Err(err)
        }
    }
}

/// [`best`]`(&parse_index(data, limit)?, …)` in one pass, like [`select_bytes`].
pub fn best_bytes<'a>(
    data: &'a [u8],
    limit: usize,
    matcher: &dyn Matcher,
    fields: PlatformFields,
) -> Result<Option<Descriptor<'a>>> {
    // The chosen entry and its platform, and the platform being compared (two buffers that
    // swap, so that candidates reuse their allocations).
    let mut chosen: Option<Descriptor<'a>> = None;
    let (mut best_platform, mut candidate) = (Platform::default(), Platform::default());
    let one_pass = for_each_head(data, limit, fields, |found, at| {
        let Some(c) = found.filter(|c| c.accepted_by(matcher)) else {
            return Ok(());
        };
        c.platform.fill(&mut candidate);
        if chosen.is_none() || matcher.less(&candidate, &best_platform) {
            chosen = Some(at.decode()?);
            std::mem::swap(&mut best_platform, &mut candidate);
        }
        Ok(())
    })?;
    if one_pass {
        return Ok(chosen);
    }
    let index = parse_index(data, limit)?;
    Ok(best(&index, matcher, fields).cloned())
}

/// What selection needs of an index entry: its media type and platform, decoded exactly as
/// [`Descriptor`] decodes them. The entry's other fields are validated and type-checked the
/// same way, but not kept.
#[derive(Debug, Default)]
struct EntryHead<'a> {
    media_type: Cow<'a, str>,
    platform: Option<PlatformSpec<'a>>,
}

impl EntryHead<'_> {
    /// The platform the matcher sees, for an image-manifest entry that has one.
    #[inline]
    fn candidate(&self, full: bool) -> Option<Candidate<'_>> {
        if MediaKind::of(&self.media_type) != MediaKind::Manifest {
            return None;
        }
        let p = self.platform.as_ref()?;
        let platform = PlatformRef {
            os: &p.os,
            architecture: &p.architecture,
            variant: &p.variant,
            os_version: if full { &p.os_version } else { "" },
            os_features: if full { Features::Cows(&p.os_features) } else { Features::NONE },
        };
        Some(Candidate { platform, common: None })
    }
}

/// The platform of an entry that selection considers, as the matcher sees it, and its
/// [`Common`] triple when the reader recognised it.
#[derive(Clone, Copy, Debug)]
struct Candidate<'p> {
    platform: PlatformRef<'p>,
    common: Option<Common>,
}

impl Candidate<'_> {
    #[inline(always)]
    fn accepted_by(&self, matcher: &dyn Matcher) -> bool {
        match self.common {
            Some(common) => matcher.matches_common(&self.platform, common),
            None => matcher.matches_ref(&self.platform),
        }
    }
}

/// An entry of the first `manifests` array, to decode in full when chosen: what
/// [`quick_entry`] read, or where the entry starts.
#[derive(Clone, Copy, Debug)]
enum EntryAt<'a, 'e> {
    Quick(&'e QuickEntry<'a>),
    At { data: &'a [u8], pos: usize, depth: usize },
}

impl<'a> EntryAt<'a, '_> {
    /// The entry as [`parse_index`] decodes it (a fresh descriptor, as Go decodes the first
    /// array into a fresh slice).
    fn decode(self) -> Result<Descriptor<'a>> {
        let (data, pos, depth) = match self {
            EntryAt::Quick(e) => return Ok(e.descriptor()),
            EntryAt::At { data, pos, depth } => (data, pos, depth),
        };
        let mut r = Reader::resume(data, pos, depth);
        let mut d = Descriptor::default();
        descriptor(&mut r, &mut d, "manifests")?;
        Ok(d)
    }
}

/// What [`for_each_head`] hands over for each entry: the platform the matcher sees, for an
/// image-manifest entry that has one, and where the entry starts.
trait VisitEntry<'a>: FnMut(Option<Candidate<'_>>, EntryAt<'a, '_>) -> Result<()> {}
impl<'a, F: FnMut(Option<Candidate<'_>>, EntryAt<'a, '_>) -> Result<()>> VisitEntry<'a> for F {}

/// Reads an index as [`parse_index`] does, handing each entry of `manifests` (read on its
/// own, see [`EntryHead`] and [`quick_entry`]) to `visit` instead of keeping it. False when
/// `manifests` is repeated: the entries visited are then not the ones Go would decode (the
/// caller must decode the whole index).
fn for_each_head<'a>(
    data: &'a [u8],
    limit: usize,
    fields: PlatformFields,
    mut visit: impl VisitEntry<'a>,
) -> Result<bool> {
    check_limit(data, limit)?;
    let mut r = Reader::new(data);
    let mut rest = Index::default();
    let mut seen = false;
    let mut repeated = false;
    if top_level(&mut r, "ocispec.Index")? {
        r.enter_object()?;
        let mut first = !plain_index_head(data, &mut r);
        while let Some(key) = r.next_key(&mut first)? {
            match index_field(&key) {
                Some(0) => int(&mut r, &mut rest.schema_version, "schemaVersion")?,
                Some(1) => string(&mut r, &mut rest.media_type, "mediaType")?,
                Some(2) => string(&mut r, &mut rest.artifact_type, "artifactType")?,
                Some(3) if !seen => {
                    seen = true;
                    heads(data, &mut r, fields == PlatformFields::Full, &mut visit)?;
                }
                Some(3) => {
                    repeated = true;
                    descriptors(&mut r, &mut rest.manifests, "manifests")?;
                }
                Some(4) => subject(&mut r, &mut rest.subject)?,
                Some(5) => annotations(&mut r, &mut rest.annotations)?,
                _ => r.skip_value()?,
            }
        }
    }
    r.finish()?;
    Ok(!repeated)
}

/// Just inside the index object: the members registries write before `manifests`,
/// `"schemaVersion":2,"mediaType":"…"`, read in place when written that way, and the reader
/// moved past them. True when at least `schemaVersion` was read. Neither value matters to
/// selection (a repeated `manifests` has the whole index decoded again), and what [`Quick`]
/// reads, the reader reads the same way without error.
#[inline(always)]
fn plain_index_head(data: &[u8], r: &mut Reader<'_>) -> bool {
    const SCHEMA_VERSION: ExactKey = ExactKey::new("schemaVersion");
    const MEDIA_TYPE_MEMBER: ExactKey = ExactKey::member("mediaType", "\"");
    let mut q = Quick::new(data, r.pos());
    if !q.exact_key(&SCHEMA_VERSION) || q.int().is_none() {
        return false;
    }
    r.skip_to(q.pos());
    if q.byte_at(0) == Some(b',')
        && q.exact_key(&MEDIA_TYPE_MEMBER)
        && (known_media_type(&mut q).is_some() || q.string_rest().is_some())
    {
        r.skip_to(q.pos());
    }
    true
}

/// The first `manifests` array, entry by entry.
fn heads<'a>(
    data: &'a [u8],
    r: &mut Reader<'a>,
    full: bool,
    visit: &mut impl VisitEntry<'a>,
) -> Result<()> {
    match r.peek_kind()? {
        Kind::Array => {}
        Kind::Null => return r.read_null(),
        k => return Err(r.type_error(k, "manifests", "[]ocispec.Descriptor")),
    }
    r.enter_array()?;
    let mut first = true;
    let mut head = EntryHead::default();
    let mut quick = QuickEntry::default();
    let mut q = Quick::new(data, r.pos());
    while r.next_element(&mut first)? {
        q.seek(r.pos());
        if quick_entry(&mut q, data, &mut quick).is_some() {
            r.skip_to(q.pos());
            visit(quick.candidate(full), EntryAt::Quick(&quick))?;
        } else {
            head.media_type = Cow::Borrowed("");
            head.platform = None;
            let at = EntryAt::At { data, pos: r.pos(), depth: r.depth() };
            entry_head(r, &mut head)?;
            visit(head.candidate(full), at)?;
        }
    }
    Ok(())
}

/// An entry in the plain shape registries write, as read by [`quick_entry`]: borrowed
/// slices of the input, decoded only when the entry is chosen.
#[derive(Clone, Copy, Debug, Default)]
struct QuickEntry<'a> {
    media_type: &'a str,
    /// `MediaKind::of(media_type)`, worked out while reading it.
    kind: Option<MediaKind>,
    /// `[os, architecture, variant, os.version]`
    platform: Option<[&'a str; 4]>,
    /// The platform's triple, when [`compact_platform`] recognised it as a common one.
    common: Option<Common>,
    digest: &'a [u8],
    /// The digest is ASCII (so valid UTF-8 as it is).
    digest_is_ascii: bool,
    size: i64,
    artifact_type: &'a [u8],
    /// The annotations object's text, and the two BuildKit reference values in it.
    annotations: Option<&'a [u8]>,
    reference_type: Option<&'a [u8]>,
    reference_digest: Option<&'a [u8]>,
}

impl<'a> QuickEntry<'a> {
    fn candidate(&self, full: bool) -> Option<Candidate<'a>> {
        let kind = self.kind.unwrap_or_else(|| MediaKind::of(self.media_type));
        if kind != MediaKind::Manifest {
            return None;
        }
        let [os, architecture, variant, os_version] = self.platform?;
        // Without `os.features` (which sends an entry to `entry_head`), the full and the
        // moby view differ only in `os.version`.
        let os_version = if full { os_version } else { "" };
        let platform =
            PlatformRef { os, architecture, variant, os_version, os_features: Features::NONE };
        Some(Candidate { platform, common: self.common })
    }

    /// The descriptor [`descriptor`] decodes from the same bytes.
    fn descriptor(&self) -> Descriptor<'a> {
        let text = |raw: &'a [u8]| decode_string_body(raw, false);
        let digest = if self.digest_is_ascii {
            // SAFETY: ASCII is UTF-8.
            Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(self.digest) })
        } else {
            text(self.digest)
        };
        let platform = self.platform.map(|[os, architecture, variant, os_version]| PlatformSpec {
            architecture: Cow::Borrowed(architecture),
            os: Cow::Borrowed(os),
            os_version: Cow::Borrowed(os_version),
            os_features: List::default(),
            variant: Cow::Borrowed(variant),
        });
        let annotations = match self.annotations {
            Some(raw) => Annotations {
                raw: Cow::Borrowed(raw),
                reference_type: self.reference_type.map(text),
                reference_digest: self.reference_digest.map(text),
            },
            None => Annotations::default(),
        };
        Descriptor {
            media_type: Cow::Borrowed(self.media_type),
            digest,
            size: self.size,
            urls: List::default(),
            annotations,
            data: None,
            platform,
            artifact_type: text(self.artifact_type),
        }
    }
}

/// Reads the entry at `pos` when it has the plain shape registries write, and returns where
/// it ends and what it holds; `None` for anything else, which [`entry_head`] then reads.
/// Compactly written entries take [`compact_entry`]; the others (and any entry it declines)
/// [`spaced_entry`], which reads the same shape with whitespace anywhere.
/// The entry is read into `e`, which holds it on `Some` and anything on `None`.
#[inline(always)]
fn quick_entry<'a>(q: &mut Quick<'a>, data: &'a [u8], e: &mut QuickEntry<'a>) -> Option<()> {
    let start = q.pos();
    if compact_entry(q, data, e).is_some() {
        return Some(());
    }
    q.seek(start);
    spaced_entry(q, data, e)
}

/// [`spaced_entry`] for an entry written as registries write it: no whitespace around keys
/// or between members, every key a
/// descriptor field (`artifactType`, `annotations`, `digest`, `mediaType`, `platform`, `size`)
/// or a platform field spelled exactly. Each member is one compare of the byte before it,
/// its key, colon and opening byte against a template ([`ExactKey::member`]), and each string
/// one scan of its own bytes. What it reads, [`spaced_entry`] reads the same way from the same bytes;
/// `None` (with `q` anywhere) for anything else, which [`spaced_entry`] then reads.
#[inline(always)]
fn compact_entry<'a>(q: &mut Quick<'a>, data: &'a [u8], e: &mut QuickEntry<'a>) -> Option<()> {
    const MEDIA_TYPE_MEMBER: ExactKey = ExactKey::member("mediaType", "\"");
    const DIGEST_MEMBER: ExactKey = ExactKey::member("digest", "\"");
    const SIZE_MEMBER: ExactKey = ExactKey::member("size", "");
    const PLATFORM_MEMBER: ExactKey = ExactKey::member("platform", "");
    const ANNOTATIONS_MEMBER: ExactKey = ExactKey::member("annotations", "");
    const ARTIFACT_TYPE_MEMBER: ExactKey = ExactKey::member("artifactType", "");
    if q.byte_at(0)? != b'{' {
        return None;
    }
    *e = QuickEntry::default();
    let mut seen = 0u8;
    loop {
        // At the `{` or `,` before a member.
        let field = match q.byte_at(2)? {
            b'm' if q.exact_key(&MEDIA_TYPE_MEMBER) => {
                (e.media_type, e.kind) = match known_media_type(q) {
                    Some(known) => known,
                    None => media_type_of(q.string_rest()?)?,
                };
                MEDIA_TYPE
            }
            b'd' if q.exact_key(&DIGEST_MEMBER) => {
                let (digest, high) = q.text_rest()?;
                (e.digest, e.digest_is_ascii) = (digest, !high);
                DIGEST
            }
            b's' if q.exact_key(&SIZE_MEMBER) => {
                e.size = q.int()?;
                SIZE
            }
            b'p' if q.exact_key(&PLATFORM_MEMBER) => {
                let (platform, common) = compact_platform(q)?;
                (e.platform, e.common) = (Some(platform), common);
                PLATFORM
            }
            b'a' if q.exact_key(&ANNOTATIONS_MEMBER) => {
                let start = q.pos();
                compact_annotations(q, e)?;
                e.annotations = Some(&data[start..q.pos()]);
                ANNOTATIONS
            }
            b'a' if q.exact_key(&ARTIFACT_TYPE_MEMBER) => {
                if q.byte_at(0)? != b'"' {
                    return None;
                }
                q.advance(1);
                e.artifact_type = q.string_rest()?;
                ARTIFACT_TYPE
            }
            _ => return None,
        };
        if seen & field != 0 {
            return None;
        }
        seen |= field;
        match q.byte_at(0)? {
            b',' => {}
            b'}' => {
                q.advance(1);
                return Some(());
            }
            _ => return None,
        }
    }
}

/// After the opening quote, one of the four media types [`media_type_of`] knows, matched in
/// place (no string scan), and its kind; `None`, with nothing consumed, for anything else.
#[inline(always)]
fn known_media_type(q: &mut Quick<'_>) -> Option<(&'static str, Option<MediaKind>)> {
    for (known, kind) in [
        (OCI_MANIFEST, MediaKind::Manifest),
        (DOCKER_MANIFEST, MediaKind::Manifest),
        (OCI_INDEX, MediaKind::Index),
        (DOCKER_MANIFEST_LIST, MediaKind::Index),
    ] {
        if q.known_string_rest(known) {
            return Some((known, Some(kind)));
        }
    }
    None
}

/// [`quick_platform`] for a compactly written platform object with at least one member, and
/// its [`Common`] triple when every word of it is one of the [`KnownWord`]s and there is no
/// `os.version` (or an empty one).
#[inline(always)]
fn compact_platform<'a>(q: &mut Quick<'a>) -> Option<([&'a str; 4], Option<Common>)> {
    const MEMBERS: [ExactKey; 4] = [
        ExactKey::member("os", ""),
        ExactKey::member("architecture", ""),
        ExactKey::member("variant", ""),
        ExactKey::member("os.version", ""),
    ];
    if q.byte_at(0)? != b'{' {
        return None;
    }
    let mut p = [""; 4];
    // Positions in OS_WORDS and ARCH_WORDS, and in ARCH_PAIRS' rows (0 for no variant).
    let (mut os, mut arch, mut variant) = (None, None, Some(0));
    loop {
        // At the `{` or `,` before a member.
        let slot = match (q.byte_at(2)?, q.byte_at(4)?) {
            (b'o', b'"') => 0,
            (b'a', _) => 1,
            (b'v', _) => 2,
            (b'o', _) => 3,
            _ => return None,
        };
        if !q.exact_key(&MEMBERS[slot]) {
            return None;
        }
        match slot {
            0 => (p[0], os) = word_or_ascii(q, &OS_WORDS)?,
            1 => (p[1], arch) = word_or_ascii(q, &ARCH_WORDS)?,
            2 => {
                let (text, known) = word_or_ascii(q, &VARIANT_WORDS)?;
                (p[2], variant) = (text, known.map(|i| i + 1));
            }
            _ => p[3] = q.ascii()?,
        }
        match q.byte_at(0)? {
            b',' => {}
            b'}' => {
                q.advance(1);
                let common = match (os, arch, variant) {
                    (Some(os), Some(arch), Some(variant)) if p[3].is_empty() => {
                        Common::at(os, usize::from(ARCH_PAIRS[arch][variant]))
                    }
                    _ => None,
                };
                return Some((p, common));
            }
            _ => return None,
        }
    }
}

/// At the opening quote of a string: one of `words`, matched in place (its text and
/// position), else any ASCII string without escapes (and no position).
#[inline(always)]
fn word_or_ascii<'a>(q: &mut Quick<'a>, words: &[KnownWord]) -> Option<(&'a str, Option<usize>)> {
    if q.byte_at(0)? == b'"' {
        if let Some(w) = q.word_at(1) {
            if let Some(i) = words.iter().position(|k| w & k.mask == k.bytes) {
                q.advance(words[i].text.len() + 2);
                return Some((words[i].text, Some(i)));
            }
        }
    }
    Some((q.ascii()?, None))
}

/// A platform word registries write, with the quote that closes it: at most 7 bytes, so that
/// one 8-byte load after the opening quote compares it (`bytes` under `mask`). The bytes under
/// the mask are never zero, so the zeros [`Quick::word_at`] puts past the end never match.
#[derive(Clone, Copy, Debug)]
struct KnownWord {
    text: &'static str,
    bytes: u64,
    mask: u64,
}

impl KnownWord {
    const fn new(text: &'static str) -> Self {
        let b = text.as_bytes();
        assert!(b.len() <= 7);
        let mut bytes = 0u64;
        let mut i = 0;
        while i < b.len() {
            assert!(b[i] >= 0x20 && b[i] < 0x80 && b[i] != b'"' && b[i] != b'\\');
            bytes |= (b[i] as u64) << (8 * i);
            i += 1;
        }
        bytes |= (b'"' as u64) << (8 * i);
        let mask = u64::MAX >> (8 * (7 - b.len()));
        Self { text, bytes, mask }
    }
}

/// The words of `COMMON_OS`, in its order (commonest first, as it happens).
const OS_WORDS: [KnownWord; 3] =
    [KnownWord::new(COMMON_OS[0]), KnownWord::new(COMMON_OS[1]), KnownWord::new(COMMON_OS[2])];
/// The architectures of `COMMON_ARCH` that fit a [`KnownWord`], commonest first.
const ARCH_WORDS: [KnownWord; 8] = [
    KnownWord::new("amd64"),
    KnownWord::new("arm64"),
    KnownWord::new("arm"),
    KnownWord::new("386"),
    KnownWord::new("ppc64le"),
    KnownWord::new("s390x"),
    KnownWord::new("riscv64"),
    KnownWord::new("unknown"),
];
/// The variants of `COMMON_ARCH`.
const VARIANT_WORDS: [KnownWord; 4] =
    [KnownWord::new("v8"), KnownWord::new("v7"), KnownWord::new("v6"), KnownWord::new("v5")];

/// `ARCH_PAIRS[a][v]`: the position in `COMMON_ARCH` of `ARCH_WORDS[a]` with no variant
/// (`v == 0`) or with `VARIANT_WORDS[v - 1]`; `u8::MAX` when the pair is not there.
const ARCH_PAIRS: [[u8; 5]; 8] = arch_pairs();

const fn arch_pairs() -> [[u8; 5]; 8] {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let mut table = [[u8::MAX; 5]; 8];
    let mut k = 0;
    while k < COMMON_ARCH.len() {
        let (arch, variant) = COMMON_ARCH[k];
        let mut a = 0;
        while a < ARCH_WORDS.len() {
            if same(ARCH_WORDS[a].text, arch) {
                let mut v = 0;
                while v < 5 {
                    let word = if v == 0 { "" } else { VARIANT_WORDS[v - 1].text };
                    if same(word, variant) {
                        table[a][v] = k as u8;
                    }
                    v += 1;
                }
            }
            a += 1;
        }
        k += 1;
    }
    table
}

/// [`quick_annotations`] for a compactly written annotations object.
#[inline(always)]
fn compact_annotations<'a>(q: &mut Quick<'a>, e: &mut QuickEntry<'a>) -> Option<()> {
    if q.byte_at(0)? != b'{' {
        return None;
    }
    if q.byte_at(1)? == b'}' {
        q.advance(2);
        return Some(());
    }
    loop {
        // At the `{` or `,` before a member.
        if q.byte_at(1)? != b'"' {
            return None;
        }
        q.advance(2);
        let name = q.string_rest()?;
        if q.byte_at(0)? != b':' || q.byte_at(1)? != b'"' {
            return None;
        }
        q.advance(2);
        let value = q.string_rest()?;
        if name == REFERENCE_TYPE_ANNOTATION.as_bytes() {
            e.reference_type = Some(value);
        } else if name == REFERENCE_DIGEST_ANNOTATION.as_bytes() {
            e.reference_digest = Some(value);
        }
        match q.byte_at(0)? {
            b',' => {}
            b'}' => {
                q.advance(1);
                return Some(());
            }
            _ => return None,
        }
    }
}

/// The general quick reader behind [`quick_entry`]: the plain shape, with whitespace allowed
/// wherever JSON allows it.
/// Plain means: an object whose keys are the descriptor fields spelled exactly, each at most
/// once (or other keys with string values), strings without escapes (and ASCII for the media
/// type and the platform), `size` an integer literal, `annotations` an object of strings,
/// `platform` an object of its four string fields, and no `urls` or `data`. Within that
/// shape, Go's decoder and [`descriptor`] read exactly this, and the entry is valid.
fn spaced_entry<'a>(q: &mut Quick<'a>, data: &'a [u8], e: &mut QuickEntry<'a>) -> Option<()> {
    *e = QuickEntry::default();
    q.eat(b'{')?;
    if q.eat(b'}').is_some() {
        return Some(());
    }
    let mut seen = 0u8;
    loop {
        let field = match exact_descriptor_key(q) {
            Some(field) => field,
            None => descriptor_key(q)?,
        };
        match field {
            MEDIA_TYPE => (e.media_type, e.kind) = media_type_of(q.string()?)?,
            DIGEST => {
                let (digest, high) = q.text()?;
                (e.digest, e.digest_is_ascii) = (digest, !high);
            }
            SIZE => e.size = q.int()?,
            PLATFORM => e.platform = Some(quick_platform(q)?),
            ANNOTATIONS => {
                q.peek()?;
                let start = q.pos();
                quick_annotations(q, e)?;
                e.annotations = Some(&data[start..q.pos()]);
            }
            ARTIFACT_TYPE => e.artifact_type = q.string()?,
            _ => {
                q.string()?;
            }
        }
        if seen & field != 0 {
            return None;
        }
        seen |= field;
        if !q.next_member()? {
            return Some(());
        }
    }
}

// The descriptor fields [`quick_entry`] reads, as bits of the set it has seen; `OTHER_KEY`
// is any other key (whose value must then be a string).
const MEDIA_TYPE: u8 = 1;
const DIGEST: u8 = 2;
const SIZE: u8 = 4;
const PLATFORM: u8 = 8;
const ANNOTATIONS: u8 = 16;
const ARTIFACT_TYPE: u8 = 32;
const OTHER_KEY: u8 = 0;

/// At a key spelled exactly as registries write it (`"mediaType":` …, no whitespace before
/// it): the field, key and colon consumed. `None`, with nothing consumed, for anything else,
/// which [`descriptor_key`] then reads.
#[inline(always)]
fn exact_descriptor_key(q: &mut Quick<'_>) -> Option<u8> {
    const KEYS: [ExactKey; 6] = [
        ExactKey::new("mediaType"),
        ExactKey::new("digest"),
        ExactKey::new("size"),
        ExactKey::new("platform"),
        ExactKey::new("annotations"),
        ExactKey::new("artifactType"),
    ];
    let (key, field) = match q.byte_at(1)? {
        b'm' => (&KEYS[0], MEDIA_TYPE),
        b'd' => (&KEYS[1], DIGEST),
        b's' => (&KEYS[2], SIZE),
        b'p' => (&KEYS[3], PLATFORM),
        b'a' => match q.byte_at(2)? {
            b'n' => (&KEYS[4], ANNOTATIONS),
            _ => (&KEYS[5], ARTIFACT_TYPE),
        },
        _ => return None,
    };
    q.exact_key(key).then_some(field)
}

/// After whitespace, any key of a plain entry and its colon: a field spelled exactly, or
/// [`OTHER_KEY`] for an ASCII key that no field takes. `None` for a key Go would fold onto a
/// field (`"MediaType"`, `"ſize"`), `urls`, `data`, or anything not plain.
#[inline(never)]
fn descriptor_key(q: &mut Quick<'_>) -> Option<u8> {
    let name = q.key()?;
    Some(match name {
        b"mediaType" => MEDIA_TYPE,
        b"digest" => DIGEST,
        b"size" => SIZE,
        b"platform" => PLATFORM,
        b"annotations" => ANNOTATIONS,
        b"artifactType" => ARTIFACT_TYPE,
        _ if !name.is_ascii()
            || DESCRIPTOR_FIELDS.iter().any(|f| f.as_bytes().eq_ignore_ascii_case(name)) =>
        {
            return None
        }
        _ => OTHER_KEY,
    })
}

/// A media type and its kind: the four that selection tells apart without a byte-by-byte
/// ASCII check (the kind of any other is worked out when asked).
#[inline(always)]
fn media_type_of(raw: &[u8]) -> Option<(&str, Option<MediaKind>)> {
    for (known, kind) in [
        (OCI_MANIFEST, MediaKind::Manifest),
        (DOCKER_MANIFEST, MediaKind::Manifest),
        (OCI_INDEX, MediaKind::Index),
        (DOCKER_MANIFEST_LIST, MediaKind::Index),
    ] {
        if raw == known.as_bytes() {
            return Some((known, Some(kind)));
        }
    }
    let text = std::str::from_utf8(raw).ok().filter(|s| s.is_ascii())?;
    Some((text, None))
}

/// A platform object: [os, architecture, variant, os.version].
#[inline(always)]
fn quick_platform<'a>(q: &mut Quick<'a>) -> Option<[&'a str; 4]> {
    const KEYS: [ExactKey; 4] = [
        ExactKey::new("os"),
        ExactKey::new("architecture"),
        ExactKey::new("variant"),
        ExactKey::new("os.version"),
    ];
    let mut p = [""; 4];
    q.eat(b'{')?;
    if q.eat(b'}').is_some() {
        return Some(p);
    }
    loop {
        let exact = match (q.byte_at(1)?, q.byte_at(3)?) {
            (b'o', b'"') => 0,
            (b'a', _) => 1,
            (b'v', _) => 2,
            (b'o', _) => 3,
            _ => 4,
        };
        let slot = if KEYS.get(exact).is_some_and(|key| q.exact_key(key)) {
            exact
        } else {
            match q.key()? {
                b"os" => 0,
                b"architecture" => 1,
                b"variant" => 2,
                b"os.version" => 3,
                _ => return None,
            }
        };
        p[slot] = q.ascii()?;
        if !q.next_member()? {
            return Some(p);
        }
    }
}

/// An annotations object whose values are all strings; notes the BuildKit reference values.
#[inline(always)]
fn quick_annotations<'a>(q: &mut Quick<'a>, e: &mut QuickEntry<'a>) -> Option<()> {
    let mut key = q.first_key()?;
    while let Some(name) = key {
        let value = q.string()?;
        if name == REFERENCE_TYPE_ANNOTATION.as_bytes() {
            e.reference_type = Some(value);
        } else if name == REFERENCE_DIGEST_ANNOTATION.as_bytes() {
            e.reference_digest = Some(value);
        }
        key = q.next_key()?;
    }
    Some(())
}

/// [`descriptor`] for an index entry, keeping only its [`EntryHead`]: the same reads in the
/// same order (so the same errors at the same offsets), without building the rest.
fn entry_head<'a>(r: &mut Reader<'a>, head: &mut EntryHead<'a>) -> Result<()> {
    match r.peek_kind()? {
        Kind::Object => {}
        Kind::Null => return r.read_null(),
        k => return Err(r.type_error(k, "manifests", "ocispec.Descriptor")),
    }
    r.enter_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        match descriptor_field(&key) {
            Some(0) => string(r, &mut head.media_type, "mediaType")?,
            Some(1) => check_string(r, "digest")?,
            Some(2) => check_int(r, "size")?,
            Some(3) => platform(r, &mut head.platform)?,
            Some(4) => check_annotations(r)?,
            Some(5) => check_strings(r, "urls")?,
            Some(6) => data(r, &mut None)?,
            Some(7) => check_string(r, "artifactType")?,
            _ => r.skip_value()?,
        }
    }
    Ok(())
}

/// [`string`] without keeping the value.
#[inline]
fn check_string(r: &mut Reader<'_>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::String => r.skip_string_here(),
        Kind::Null => r.read_null(),
        k => Err(r.type_error(k, field, "string")),
    }
}

/// [`int`] without keeping the value.
#[inline]
fn check_int(r: &mut Reader<'_>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::Number => r.read_i64(field).map(|_| ()),
        Kind::Null => r.read_null(),
        k => Err(r.type_error(k, field, "int64")),
    }
}

/// [`strings`] without keeping the values.
fn check_strings(r: &mut Reader<'_>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::Array => {}
        Kind::Null => return r.read_null(),
        k => return Err(r.type_error(k, field, "[]string")),
    }
    r.enter_array()?;
    let mut first = true;
    while r.next_element(&mut first)? {
        check_string(r, field)?;
    }
    Ok(())
}

/// [`annotations`] without keeping them.
fn check_annotations(r: &mut Reader<'_>) -> Result<()> {
    match r.peek_kind()? {
        Kind::Object => {}
        Kind::Null => return r.read_null(),
        k => return Err(r.type_error(k, "annotations", "map[string]string")),
    }
    r.enter_object()?;
    let mut first = true;
    while r.next_key(&mut first)?.is_some() {
        match r.peek_kind()? {
            Kind::String => r.skip_string_here()?,
            Kind::Null => r.read_null()?,
            k => return Err(r.type_error(k, "annotations", "string")),
        }
    }
    Ok(())
}

/// The field of `names` that `key` names: the exact spelling is looked up by length
/// (`slot`), anything else goes through Go's case-folding match ([`Key::field`]).
#[inline(always)]
fn field_by_length(key: &Key<'_>, names: &[&str], slot: impl Fn(&[u8]) -> usize) -> Option<usize> {
    let i = slot(key.raw());
    match names.get(i) {
        Some(name) if key.is_exactly(name) => Some(i),
        _ => key.field(names),
    }
}

#[inline]
fn index_field(key: &Key<'_>) -> Option<usize> {
    field_by_length(key, INDEX_FIELDS, |raw| match raw.len() {
        13 => 0,
        9 if raw[0] == b'm' && raw[1] == b'e' => 1,
        12 => 2,
        9 => 3,
        7 => 4,
        11 => 5,
        _ => usize::MAX,
    })
}

#[inline]
fn descriptor_field(key: &Key<'_>) -> Option<usize> {
    field_by_length(key, DESCRIPTOR_FIELDS, |raw| match raw.len() {
        9 => 0,
        6 => 1,
        4 => match raw[0] {
            b's' => 2,
            b'u' => 5,
            _ => 6,
        },
        8 => 3,
        11 => 4,
        12 => 7,
        _ => usize::MAX,
    })
}

#[inline]
fn platform_field(key: &Key<'_>) -> Option<usize> {
    field_by_length(key, PLATFORM_FIELDS, |raw| match raw.len() {
        12 => 0,
        2 => 1,
        7 => 2,
        10 => 3,
        11 => 4,
        _ => usize::MAX,
    })
}

// --- decoding into the structs -------------------------------------------------------------

/// Positioned at the document: true when it is an object to decode, false for `null`.
fn top_level(r: &mut Reader<'_>, go_type: &str) -> Result<bool> {
    match r.peek_kind()? {
        Kind::Object => Ok(true),
        Kind::Null => r.read_null().map(|_| false),
        k => Err(r.error(format!("cannot unmarshal {} into Go value of type {go_type}", k.name()))),
    }
}

const INDEX_FIELDS: &[&str] =
    &["schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"];

fn index_fields<'a>(r: &mut Reader<'a>, index: &mut Index<'a>) -> Result<()> {
    r.enter_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        match index_field(&key) {
            Some(0) => int(r, &mut index.schema_version, "schemaVersion")?,
            Some(1) => string(r, &mut index.media_type, "mediaType")?,
            Some(2) => string(r, &mut index.artifact_type, "artifactType")?,
            Some(3) => descriptors(r, &mut index.manifests, "manifests")?,
            Some(4) => subject(r, &mut index.subject)?,
            Some(5) => annotations(r, &mut index.annotations)?,
            _ => r.skip_value()?,
        }
    }
    Ok(())
}

const MANIFEST_FIELDS: &[&str] =
    &["schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"];

fn manifest_fields<'a>(r: &mut Reader<'a>, m: &mut Manifest<'a>) -> Result<()> {
    r.enter_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        match key.field(MANIFEST_FIELDS) {
            Some(0) => int(r, &mut m.schema_version, "schemaVersion")?,
            Some(1) => string(r, &mut m.media_type, "mediaType")?,
            Some(2) => string(r, &mut m.artifact_type, "artifactType")?,
            Some(3) => descriptor(r, &mut m.config, "config")?,
            Some(4) => descriptors(r, &mut m.layers, "layers")?,
            Some(5) => subject(r, &mut m.subject)?,
            Some(6) => annotations(r, &mut m.annotations)?,
            _ => r.skip_value()?,
        }
    }
    Ok(())
}

fn string<'a>(r: &mut Reader<'a>, slot: &mut Cow<'a, str>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::String => *slot = r.string_here()?,
        Kind::Null => r.read_null()?,
        k => return Err(r.type_error(k, field, "string")),
    }
    Ok(())
}

fn int(r: &mut Reader<'_>, slot: &mut i64, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::Number => *slot = r.read_i64(field)?,
        Kind::Null => r.read_null()?,
        k => return Err(r.type_error(k, field, "int64")),
    }
    Ok(())
}

fn strings<'a>(r: &mut Reader<'a>, list: &mut List<Cow<'a, str>>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::Array => {}
        Kind::Null => {
            list.clear();
            return r.read_null();
        }
        k => return Err(r.type_error(k, field, "[]string")),
    }
    r.enter_array()?;
    let mut first = true;
    let mut n = 0;
    while r.next_element(&mut first)? {
        string(r, list.slot(n), field)?;
        n += 1;
    }
    set_len(list, n);
    Ok(())
}

fn set_len<T>(list: &mut List<T>, n: usize) {
    if n == 0 {
        list.clear();
    } else {
        list.len = n;
    }
}

fn descriptors<'a>(r: &mut Reader<'a>, list: &mut List<Descriptor<'a>>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::Array => {}
        Kind::Null => {
            list.clear();
            return r.read_null();
        }
        k => return Err(r.type_error(k, field, "[]ocispec.Descriptor")),
    }
    if list.items.capacity() == 0 {
        list.items.reserve(16);
    }
    r.enter_array()?;
    let mut first = true;
    let mut n = 0;
    while r.next_element(&mut first)? {
        descriptor(r, list.slot(n), field)?;
        n += 1;
    }
    set_len(list, n);
    Ok(())
}

fn subject<'a>(r: &mut Reader<'a>, slot: &mut Option<Box<Descriptor<'a>>>) -> Result<()> {
    match r.peek_kind()? {
        Kind::Object => descriptor(r, slot.get_or_insert_with(Box::default), "subject"),
        Kind::Null => {
            *slot = None;
            r.read_null()
        }
        k => Err(r.type_error(k, "subject", "ocispec.Descriptor")),
    }
}

const DESCRIPTOR_FIELDS: &[&str] =
    &["mediaType", "digest", "size", "platform", "annotations", "urls", "data", "artifactType"];

fn descriptor<'a>(r: &mut Reader<'a>, d: &mut Descriptor<'a>, field: &str) -> Result<()> {
    match r.peek_kind()? {
        Kind::Object => {}
        Kind::Null => return r.read_null(),
        k => return Err(r.type_error(k, field, "ocispec.Descriptor")),
    }
    r.enter_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        match descriptor_field(&key) {
            Some(0) => string(r, &mut d.media_type, "mediaType")?,
            Some(1) => string(r, &mut d.digest, "digest")?,
            Some(2) => int(r, &mut d.size, "size")?,
            Some(3) => platform(r, &mut d.platform)?,
            Some(4) => annotations(r, &mut d.annotations)?,
            Some(5) => strings(r, &mut d.urls, "urls")?,
            Some(6) => data(r, &mut d.data)?,
            Some(7) => string(r, &mut d.artifact_type, "artifactType")?,
            _ => r.skip_value()?,
        }
    }
    Ok(())
}

const PLATFORM_FIELDS: &[&str] = &["architecture", "os", "variant", "os.version", "os.features"];

fn platform<'a>(r: &mut Reader<'a>, slot: &mut Option<PlatformSpec<'a>>) -> Result<()> {
    match r.peek_kind()? {
        Kind::Object => {}
        Kind::Null => {
            *slot = None;
            return r.read_null();
        }
        k => return Err(r.type_error(k, "platform", "ocispec.Platform")),
    }
    let p = slot.get_or_insert_with(PlatformSpec::default);
    r.enter_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        match platform_field(&key) {
            Some(0) => string(r, &mut p.architecture, "architecture")?,
            Some(1) => string(r, &mut p.os, "os")?,
            Some(2) => string(r, &mut p.variant, "variant")?,
            Some(3) => string(r, &mut p.os_version, "os.version")?,
            Some(4) => strings(r, &mut p.os_features, "os.features")?,
            _ => r.skip_value()?,
        }
    }
    Ok(())
}

fn annotations<'a>(r: &mut Reader<'a>, a: &mut Annotations<'a>) -> Result<()> {
    match r.peek_kind()? {
        Kind::Object => {}
        Kind::Null => {
            *a = Annotations::default();
            return r.read_null();
        }
        k => return Err(r.type_error(k, "annotations", "map[string]string")),
    }
    let start = r.pos();
    r.enter_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        let slot = if key.equals(REFERENCE_TYPE_ANNOTATION) {
            Some(&mut a.reference_type)
        } else if key.equals(REFERENCE_DIGEST_ANNOTATION) {
            Some(&mut a.reference_digest)
        } else {
            None
        };
        match (r.peek_kind()?, slot) {
            (Kind::String, Some(slot)) => *slot = Some(r.read_string()?),
            (Kind::String, None) => {
                r.read_raw_string()?;
            }
            (Kind::Null, slot) => {
                r.read_null()?;
                if let Some(slot) = slot {
                    *slot = Some(Cow::Borrowed(""));
                }
            }
            (k, _) => return Err(r.type_error(k, "annotations", "string")),
        }
    }
    let text = r.since(start);
    if a.raw.is_empty() {
        a.raw = Cow::Borrowed(text);
    } else {
        a.raw.to_mut().extend_from_slice(text);
    }
    Ok(())
}

fn data(r: &mut Reader<'_>, slot: &mut Option<List<u8>>) -> Result<()> {
    match r.peek_kind()? {
        Kind::String => {
            let at = r.pos();
            let text = r.read_string()?;
            match decode_base64(text.as_bytes()) {
                Ok((mut bytes, capacity)) => {
                    // Go's backing array is DecodedLen bytes long, zero past the data; an
                    // array decoded into it later can expose those bytes.
                    let len = bytes.len();
                    bytes.resize(capacity.max(len), 0);
                    *slot = Some(List { items: bytes, len });
                }
                Err(offset) => {
                    return Err(Error::invalid_manifest(
                        at,
                        format!("illegal base64 data at input byte {offset} in field data"),
                    ))
                }
            }
        }
        Kind::Array => {
            let list = slot.get_or_insert_with(List::default);
            r.enter_array()?;
            let mut first = true;
            let mut n = 0;
            while r.next_element(&mut first)? {
                match r.peek_kind()? {
                    Kind::Number => *list.slot(n) = r.read_u8("data")?,
                    Kind::Null => {
                        list.slot(n);
                        r.read_null()?;
                    }
                    k => return Err(r.type_error(k, "data", "uint8")),
                }
                n += 1;
            }
            set_len(list, n);
        }
        Kind::Null => {
            *slot = None;
            r.read_null()?;
        }
        k => return Err(r.type_error(k, "data", "[]byte")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for containerd's `only` while testing the core alone: exact os/arch after
    /// defaulting an arm variant to v7, preferring the exact variant, accepting lower arm
    /// variants.
    #[derive(Debug)]
    struct ArmLadder {
        os: &'static str,
        arch: &'static str,
        variants: &'static [&'static str],
    }

    impl ArmLadder {
        fn rank(&self, p: &Platform) -> Option<usize> {
            if p.os != self.os || p.architecture != self.arch {
                return None;
            }
            let v = if p.architecture == "arm" && p.variant.is_empty() { "v7" } else { &p.variant };
            self.variants.iter().position(|w| *w == v)
        }
    }

    impl Matcher for ArmLadder {
        fn matches(&self, candidate: &Platform) -> bool {
            self.rank(candidate).is_some()
        }
        fn less(&self, a: &Platform, b: &Platform) -> bool {
            match (self.rank(a), self.rank(b)) {
                (Some(x), Some(y)) => x < y,
                (Some(_), None) => true,
                _ => false,
            }
        }
    }

    const AMD64: ArmLadder = ArmLadder { os: "linux", arch: "amd64", variants: &[""] };
    const ARM_V7: ArmLadder = ArmLadder { os: "linux", arch: "arm", variants: &["v7", "v6", "v5"] };

    fn entry(media_type: &str, digest: &str, platform: &str) -> String {
        format!(
            r#"{{"mediaType":"{media_type}","digest":"{digest}","size":1,"platform":{platform}}}"#
        )
    }

    fn index(entries: &[String]) -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        )
    }

    fn digests(doc: &str, m: &dyn Matcher) -> Vec<String> {
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        select(&idx, m, PlatformFields::Full).iter().map(|d| d.digest.to_string()).collect()
    }

    fn reason(doc: &[u8]) -> String {
        match parse_index(doc, DEFAULT_LIMIT) {
            Err(Error::InvalidManifest { reason, .. }) => reason,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(doc)),
        }
    }

    const LINUX_AMD64: &str = r#"{"os":"linux","architecture":"amd64"}"#;
    const LINUX_ARM_V6: &str = r#"{"os":"linux","architecture":"arm","variant":"v6"}"#;
    const LINUX_ARM_V7: &str = r#"{"os":"linux","architecture":"arm","variant":"v7"}"#;

    #[test]
    fn selects_image_manifests_in_document_order() {
        let doc = index(&[
            entry(OCI_MANIFEST, "a", LINUX_ARM_V6),
            entry(DOCKER_MANIFEST, "b", LINUX_AMD64),
            entry(OCI_INDEX, "c", LINUX_AMD64),
            entry("application/vnd.example+json", "d", LINUX_AMD64),
            entry(OCI_MANIFEST, "e", LINUX_ARM_V7),
            entry(OCI_MANIFEST, "f", "null"),
        ]);
        assert_eq!(digests(&doc, &AMD64), ["b"]);
        assert_eq!(digests(&doc, &ARM_V7), ["a", "e"]);
        let owned = select_owned(
            parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap(),
            &ARM_V7,
            PlatformFields::Full,
        );
        assert_eq!(owned.iter().map(|d| &*d.digest).collect::<Vec<_>>(), ["a", "e"]);
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!(best(&idx, &ARM_V7, PlatformFields::Full).unwrap().digest, "e");
        assert!(idx.manifests[2].is_index());
        assert_eq!(idx.manifests[3].kind(), MediaKind::Other);
        assert!(idx.manifests[5].platform.is_none());
    }

    /// The one-pass readers agree with decoding the whole index, errors included.
    fn one_pass_agrees(doc: &[u8], m: &dyn Matcher) {
        let full = parse_index(doc, DEFAULT_LIMIT);
        let fast = select_bytes(doc, DEFAULT_LIMIT, m, PlatformFields::Full);
        // Appending after another document's selection: that one is kept as it was.
        let before = index(&[entry(OCI_MANIFEST, "kept", LINUX_AMD64)]);
        let mut out =
            select_bytes(before.as_bytes(), DEFAULT_LIMIT, &AMD64, PlatformFields::Full).unwrap();
        let appended = select_bytes_into(doc, DEFAULT_LIMIT, m, PlatformFields::Full, &mut out);
        assert_eq!(out[0].digest, "kept");
        assert_eq!(appended.map(|()| out[1..].to_vec()), fast.clone());
        let best_fast = best_bytes(doc, DEFAULT_LIMIT, m, PlatformFields::Full);
        match full {
            Ok(idx) => {
                let want: Vec<Descriptor<'_>> =
                    select(&idx, m, PlatformFields::Full).into_iter().cloned().collect();
                assert_eq!(fast.unwrap(), want, "{}", String::from_utf8_lossy(doc));
                let want = best(&idx, m, PlatformFields::Full).cloned();
                assert_eq!(best_fast.unwrap(), want, "{}", String::from_utf8_lossy(doc));
            }
            Err(e) => {
                assert_eq!(fast.unwrap_err(), e);
                assert_eq!(best_fast.unwrap_err(), e);
            }
        }
    }

    #[test]
    fn one_pass_selection_matches_full_decode() {
        let docs = [
            index(&[
                entry(OCI_MANIFEST, "a", LINUX_ARM_V6),
                entry(DOCKER_MANIFEST, "b", LINUX_AMD64),
                entry(OCI_INDEX, "c", LINUX_AMD64),
                entry(OCI_MANIFEST, "e", LINUX_ARM_V7),
                entry(OCI_MANIFEST, "f", "null"),
            ]),
            // Repeated `manifests`: Go's slice reuse across the repeats.
            format!(
                r#"{{"manifests":[{},{}],"Manifests":[{{"digest":"z"}}],"manifests":[null,{{"size":5}}]}}"#,
                entry(OCI_MANIFEST, "a", LINUX_ARM_V7),
                entry(OCI_MANIFEST, "b", LINUX_AMD64)
            ),
            format!(
                r#"{{"manifests":[{}],"manifests":null}}"#,
                entry(OCI_MANIFEST, "a", LINUX_AMD64)
            ),
            format!(
                r#"{{"manifests":null,"manifests":[{}]}}"#,
                entry(OCI_MANIFEST, "a", LINUX_AMD64)
            ),
            // Merged duplicates inside an entry; folded keys.
            r#"{"MANIFESTS":[{"MediaType":"application/vnd.oci.image.manifest.v1+json",
                "digest":"a","Platform":{"os":"linux"},"platform":{"ARCHITECTURE":"amd64"}}]}"#
                .to_string(),
            "null".to_string(),
            r#"{"manifests":[null,{}]}"#.to_string(),
            // Errors after, inside and before the entries.
            format!(
                r#"{{"manifests":[{}],"schemaVersion":"2"}}"#,
                entry(OCI_MANIFEST, "a", LINUX_AMD64)
            ),
            format!(
                r#"{{"manifests":[{},{{"size":1.0}}]}}"#,
                entry(OCI_MANIFEST, "a", LINUX_AMD64)
            ),
            format!(
                r#"{{"manifests":[{}],"manifests":[{{"urls":[1]}}]}}"#,
                entry(OCI_MANIFEST, "a", LINUX_AMD64)
            ),
            r#"{"manifests":{}}"#.to_string(),
            "[]".to_string(),
        ];
        // The head registries write (read in place), and near misses of it.
        let l = entry(OCI_MANIFEST, "a", LINUX_AMD64);
        let heads = [
            format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2,"mediaType":"x/y","manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2,"mediaType":"a\u0062","manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2,"mediaType":7,"manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}"}}"#),
            format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}"x,"manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2 ,"mediaType":"{OCI_INDEX}","manifests":[{l}]}}"#),
            r#"{"schemaVersion":2}"#.to_string(),
            format!(r#"{{"schemaVersion":2,"manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2"manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":2.5,"manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":-,"manifests":[{l}]}}"#),
            format!(r#"{{"schemaVersion":99999999999999999999,"manifests":[{l}]}}"#),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{l}],"manifests":[]}}"#
            ),
        ];
        for doc in docs.iter().chain(&heads) {
            for m in [&AMD64, &ARM_V7] {
                one_pass_agrees(doc.as_bytes(), m);
                for cut in [1, doc.len() / 2, doc.len() - 1] {
                    one_pass_agrees(&doc.as_bytes()[..cut], m);
                }
            }
        }
        assert_eq!(
            select_bytes(b"{}  ", 3, &AMD64, PlatformFields::Full).unwrap_err(),
            Error::LimitExceeded { limit: 3, size: 4 }
        );
    }

    /// [`compact_platform`] reads the words written, and recognises a common triple exactly
    /// when [`Common::of`] does (and `os.version` is empty); near the end of the input, where
    /// its 8-byte look-ahead does not fit, it may only miss one.
    #[test]
    fn compact_platform_recognises_exactly_the_common_triples() {
        let cases = [
            (r#"{"architecture":"amd64","os":"linux"}"#, Some(["linux", "amd64", ""])),
            (r#"{"os":"linux","architecture":"arm","variant":"v7"}"#, Some(["linux", "arm", "v7"])),
            (
                r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#,
                Some(["linux", "arm64", "v8"]),
            ),
            (r#"{"architecture":"unknown","os":"unknown"}"#, Some(["unknown", "unknown", ""])),
            (
                r#"{"architecture":"amd64","os":"windows","os.version":""}"#,
                Some(["windows", "amd64", ""]),
            ),
            (r#"{"architecture":"amd64","os":"windows","os.version":"10.0.1"}"#, None),
            (r#"{"architecture":"arm","os":"linux","variant":""}"#, None),
            (r#"{"architecture":"arm","os":"linux"}"#, None),
            (r#"{"architecture":"arm","os":"linux","variant":"v9"}"#, None),
            (r#"{"architecture":"mips64le","os":"linux"}"#, None),
            (r#"{"architecture":"arm64x","os":"linux"}"#, None),
            (r#"{"architecture":"amd64","os":"linux","os":"linuxx"}"#, None),
            (
                r#"{"architecture":"amd64","os":"linuxx","os":"linux"}"#,
                Some(["linux", "amd64", ""]),
            ),
            (r#"{"variant":"v7","architecture":"arm","os":"Linux"}"#, None),
        ];
        for (text, want) in cases {
            // A real platform object is followed by at least `}]}`; closer to the end the
            // look-aheads do not fit, and the reader may decline (the spaced reader then reads
            // the entry) or read a word without recognising it.
            for tail in ["}]}", "}]", "}", ""] {
                let doc = format!("{text}{tail}");
                let mut q = Quick::new(doc.as_bytes(), 0);
                let Some((p, common)) = compact_platform(&mut q) else {
                    assert!(tail.len() < 3, "{doc}");
                    continue;
                };
                assert_eq!(q.pos(), text.len(), "{doc}");
                let index = format!(r#"{{"manifests":[{{"platform":{text}}}]}}"#);
                let full = parse_index(index.as_bytes(), DEFAULT_LIMIT).unwrap();
                let spec = full.manifests[0].platform.clone().unwrap();
                assert_eq!(
                    p,
                    [&*spec.os, &*spec.architecture, &*spec.variant, &*spec.os_version],
                    "{doc}"
                );
                let want = want.and_then(|[os, arch, variant]| Common::of(os, arch, variant));
                if tail.len() < 3 {
                    assert!(common == want || common.is_none(), "{doc}");
                } else {
                    assert_eq!(common, want, "{doc}");
                }
            }
        }
    }

    /// One entry read by one of the quick readers, into a fresh [`QuickEntry`] that holds
    /// something else to begin with (each reader must reset every field).
    fn read_entry<'a>(
        reader: fn(&mut Quick<'a>, &'a [u8], &mut QuickEntry<'a>) -> Option<()>,
        q: &mut Quick<'a>,
        doc: &'a [u8],
    ) -> Option<QuickEntry<'a>> {
        let mut e = QuickEntry {
            media_type: "x",
            kind: Some(MediaKind::Index),
            platform: Some(["a"; 4]),
            common: Common::of("linux", "amd64", ""),
            digest: b"d",
            digest_is_ascii: false,
            size: 7,
            artifact_type: b"t",
            annotations: Some(b"{}"),
            reference_type: Some(b"r"),
            reference_digest: Some(b"r"),
        };
        reader(q, doc, &mut e).map(|()| e)
    }

    /// Entries that take the quick reader ([`quick_entry`]) and entries it must hand to the
    /// full decoder: both give exactly what the full decode gives, errors included.
    #[test]
    fn quick_entries_match_full_decode() {
        let m = OCI_MANIFEST;
        let plain = [
            format!(
                r#"{{"mediaType":"{m}","digest":"sha256:a","size":1,"platform":{LINUX_AMD64}}}"#
            ),
            format!(
                r#"{{"mediaType":"{m}","size":-0,"digest":"dé<FF>","platform":{{"architecture":"arm","os":"linux","variant":"v7","os.version":"1"}},"annotations":{{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"sha256:<FE>","k":"v"}}}}"#
            ),
            format!(
                r#" {{ "mediaType" : "{m}" , "x" : "y" , "artifactType":"t😀", "size": 123456789012345678 , "platform" : {{ }} , "annotations":{{}} }} "#
            ),
            r#"{}"#.to_string(),
        ];
        let tricky = [
            format!(
                r#"{{"mediaType":"{m}","platform":{{"os":"linux","architecture":"amd64"}},"mediaType":"other"}}"#
            ),
            format!(r#"{{"MediaType":"{m}","platform":{LINUX_AMD64}}}"#),
            format!(r#"{{"mediaType":"{m}","digest":"a\"b","platform":{LINUX_AMD64}}}"#),
            format!(
                r#"{{"mediaType":"application\/vnd.oci.image.manifest.v1+json","platform":{LINUX_AMD64}}}"#
            ),
            format!(
                r#"{{"mediaType":"{m}","platform":{{"os":"linux"}},"platform":{{"architecture":"amd64"}}}}"#
            ),
            format!(
                r#"{{"mediaType":"{m}","platform":{{"os":"linux","architecture":"amd64","os.features":["win32k"]}}}}"#
            ),
            format!(r#"{{"mediaType":"{m}","platform":{{"os":"LİNUX","architecture":"amd64"}}}}"#),
            format!(r#"{{"mediaType":"{m}","platform":null,"platform":{LINUX_AMD64}}}"#),
            format!(
                r#"{{"mediaType":"{m}","platform":{LINUX_AMD64},"annotations":{{"a":"1"}},"annotations":{{"vnd.docker.reference.type":"attestation-manifest"}}}}"#
            ),
            format!(
                r#"{{"mediaType":"{m}","platform":{LINUX_AMD64},"annotations":{{"vnd.docker.reference.digest":null}}}}"#
            ),
            format!(r#"{{"mediaType":"{m}","platform":{LINUX_AMD64},"urls":["u"],"data":"YQ=="}}"#),
            format!(
                r#"{{"mediaType":"{m}","platform":{LINUX_AMD64},"ſize":3,"x":{{"y":[1]}},"n":1e999}}"#
            ),
            format!(r#"{{"mediaType":"{m}","size":1234567890123456789,"platform":{LINUX_AMD64}}}"#),
            format!(r#"{{"mediaType":"{m}","size":9223372036854775808,"platform":{LINUX_AMD64}}}"#),
            format!(r#"{{"mediaType":"{m}","size":1.0,"platform":{LINUX_AMD64}}}"#),
            format!(r#"{{"mediaType":"{m}","size":01,"platform":{LINUX_AMD64}}}"#),
            format!(r#"{{"mediaType":"{m}","digest":"a{}b","platform":{LINUX_AMD64}}}"#, '\u{1}'),
            format!(r#"{{"mediaType":"{m}","digest":"a","platform":{LINUX_AMD64},}}"#),
            format!(
                r#"{{"mediaType":"{m}","digest":"a","platform":{{"os":"linux","os":"windows"}}}}"#
            ),
            format!(r#"{{"mediaType":"{m}","size":null,"digest":null,"platform":{LINUX_AMD64}}}"#),
            format!(r#"{{"mediaType":1,"platform":{LINUX_AMD64}}}"#),
            format!(
                r#"{{"mediaType":"{m}","platform":{{"os":"linux","architecture":"amd64","x":"y"}}}}"#
            ),
        ];
        // Invalid UTF-8 cannot be written in a Rust string: <FF> and <FE> stand for the bytes.
        let bytes = |s: String| -> Vec<u8> {
            s.replace("<FF>", "\u{1}")
                .replace("<FE>", "\u{2}")
                .into_bytes()
                .into_iter()
                .map(|b| match b {
                    1 => 0xff,
                    2 => 0xfe,
                    b => b,
                })
                .collect()
        };
        let plain: Vec<Vec<u8>> = plain.into_iter().map(bytes).collect();
        let tricky: Vec<Vec<u8>> = tricky.into_iter().map(bytes).collect();
        let cat = |parts: &[&[u8]]| parts.concat();
        for (i, e) in plain.iter().enumerate() {
            let doc = cat(&[b"{\"manifests\":[", e, b"]}"]);
            if i < 2 {
                let mut q = Quick::new(&doc, 14);
                let compact = read_entry(compact_entry, &mut q, &doc);
                assert!(compact.is_some(), "entry {i} is written compactly");
            }
            let mut q = Quick::new(&doc, 14);
            let quick = read_entry(quick_entry, &mut q, &doc);
            assert!(quick.is_some(), "plain entry {i} should take the quick reader");
            let full = parse_index(&doc, DEFAULT_LIMIT).unwrap();
            assert_eq!(quick.unwrap().descriptor(), full.manifests[0], "entry {i}");
            let rest = &doc[q.pos()..];
            assert_eq!(rest.trim_ascii_start(), b"]}", "entry {i} ends where the entry ends");
        }
        let other = entry(OCI_MANIFEST, "z", LINUX_ARM_V7);
        for e in plain.iter().chain(&tricky) {
            for wrap in [
                cat(&[b"{\"manifests\":[", e, b"]}"]),
                cat(&[b"{\"manifests\":[", e, b",", e, b"],\"mediaType\":\"x\"}"]),
                cat(&[b"{\"manifests\":[", other.as_bytes(), b", ", e, b"]}"]),
            ] {
                for m in [&AMD64, &ARM_V7] {
                    one_pass_agrees(&wrap, m);
                    for cut in [wrap.len() / 3, wrap.len() - 2, wrap.len() - 1] {
                        one_pass_agrees(&wrap[..cut], m);
                    }
                }
                let moby = |doc: &[u8]| {
                    let idx = parse_index(doc, DEFAULT_LIMIT).map(|i| {
                        select(&i, &AMD64, PlatformFields::MobyCheck)
                            .into_iter()
                            .cloned()
                            .map(Descriptor::into_owned)
                            .collect::<Vec<_>>()
                    });
                    let fast = select_bytes(doc, DEFAULT_LIMIT, &AMD64, PlatformFields::MobyCheck)
                        .map(|v| v.into_iter().map(Descriptor::into_owned).collect::<Vec<_>>());
                    assert_eq!(idx, fast);
                };
                moby(&wrap);
            }
        }
    }

    /// Accepts every platform, preferring none: selection then returns every image-manifest
    /// entry with a platform, so each one's decoding is compared.
    #[derive(Debug)]
    struct Everything;

    impl Matcher for Everything {
        fn matches(&self, _: &Platform) -> bool {
            true
        }
        fn less(&self, _: &Platform, _: &Platform) -> bool {
            false
        }
    }

    /// A deterministic xorshift generator for the differential test. `wild` is redrawn for
    /// each entry: a plain entry keeps to the shape the quick reader takes (exact keys, strings
    /// without escapes, no nulls or wrong types), a wild one uses everything.
    struct Gen {
        state: u64,
        wild: bool,
    }

    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            (self.state % n as u64) as usize
        }
        fn one_in(&mut self, n: usize) -> bool {
            self.below(n) == 0
        }
        fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
            items[self.below(items.len())]
        }
        /// A value from `plain`, or when wild also from `extra` or of a wrong type.
        fn value(&mut self, plain: &[&str], extra: &[&str]) -> String {
            if !self.wild {
                return self.pick(plain).to_string();
            }
            if self.one_in(8) {
                return self.pick(WRONG_TYPES).to_string();
            }
            let i = self.below(plain.len() + extra.len());
            plain.get(i).unwrap_or_else(|| &extra[i - plain.len()]).to_string()
        }
    }

    /// Stands for the byte 0xFF (invalid UTF-8) in generated text.
    const BAD_BYTE: char = '\u{e000}';

    const WRONG_TYPES: &[&str] = &[
        "1",
        "-0",
        "1.0",
        "1E3",
        "1e999",
        "01",
        "true",
        "null",
        "[]",
        "{}",
        "[\"a\"]",
        "\"s\"",
        "{\"a\":1}",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "123456789012345678",
        "1234567890123456789",
        "[null]",
        "[1,2]",
        "-",
        "\"\\x\"",
    ];
    const PLAIN_STRINGS: &[&str] =
        &["\"sha256:a\"", "\"\"", "\"é😀\"", "\"x\u{e000}y\"", "\"sha256:\u{e000}\""];
    const ESCAPED_STRINGS: &[&str] = &[
        "\"a\\\"b\"",
        "\"a\\/b\"",
        "\"\\u00e9\"",
        "\"\\ud800\"",
        "\"\\ud83d\\ude00\"",
        "\"tab\\t\"",
        "null",
    ];

    /// A key as written: the field's own spelling, or when wild sometimes another case, an
    /// escape, or a non-ASCII letter that folds onto it.
    fn spell(g: &mut Gen, name: &str) -> String {
        let mut key = name.to_string();
        if g.wild && g.one_in(5) {
            let chars: Vec<char> = key.chars().collect();
            let i = g.below(chars.len());
            key = match g.below(4) {
                0 => key.to_uppercase(),
                1 => key.replacen('s', "ſ", 1).replacen('k', "\u{212a}", 1),
                2 => {
                    let mut c = chars;
                    c[i] = c[i].to_ascii_uppercase();
                    c.into_iter().collect()
                }
                _ => chars
                    .iter()
                    .enumerate()
                    .map(
                        |(j, c)| {
                            if j == i {
                                format!("\\u{:04x}", *c as u32)
                            } else {
                                c.to_string()
                            }
                        },
                    )
                    .collect(),
            };
        }
        format!("\"{key}\"")
    }

    /// An object of `members`, when wild with a duplicate or two members swapped.
    fn object(g: &mut Gen, mut members: Vec<String>) -> String {
        if g.wild && !members.is_empty() && g.one_in(4) {
            let dup = members[g.below(members.len())].clone();
            members.push(dup);
        }
        if members.len() > 1 && g.one_in(4) {
            let (a, b) = (g.below(members.len()), g.below(members.len()));
            members.swap(a, b);
        }
        let sep = if g.one_in(4) { " , " } else { "," };
        format!("{{{}}}", members.join(sep))
    }

    fn platform_json(g: &mut Gen) -> String {
        if g.wild && g.one_in(10) {
            return "null".to_string();
        }
        let fields: [(&str, &[&str], &[&str]); 5] = [
            (
                "os",
                &["\"linux\"", "\"windows\"", "\"Linux\"", "\"\""],
                &["\"LİNUX\"", "\"l\\u0069nux\""],
            ),
            ("architecture", &["\"amd64\"", "\"arm\"", "\"arm64\"", "\"AMD64\""], &[]),
            ("variant", &["\"v7\"", "\"v6\"", "\"\"", "\"v8\""], &[]),
            ("os.version", &["\"10.0.20348\"", "\"\""], &["\"1\\u002e0\""]),
            ("os.features", &[], &["[\"win32k\"]", "[]", "null", "[\"a\",\"b\"]"]),
        ];
        let mut members = Vec::new();
        for (name, plain, extra) in fields {
            let wanted = match name {
                "os" | "architecture" => !g.one_in(10),
                "os.features" => g.wild && g.one_in(4),
                _ => g.one_in(2),
            };
            if wanted {
                let v = if plain.is_empty() {
                    g.pick(extra).to_string()
                } else {
                    g.value(plain, extra)
                };
                members.push(format!("{}:{v}", spell(g, name)));
            }
        }
        if g.wild && g.one_in(10) {
            members.push(format!("\"x\":{}", g.value(PLAIN_STRINGS, ESCAPED_STRINGS)));
        }
        object(g, members)
    }

    fn annotations_json(g: &mut Gen) -> String {
        let keys = [
            REFERENCE_TYPE_ANNOTATION,
            REFERENCE_DIGEST_ANNOTATION,
            "k",
            "vnd.docker.reference.Type",
        ];
        let n = g.below(4);
        let members = (0..n)
            .map(|_| {
                let k = g.pick(&keys);
                let k = if g.wild && g.one_in(8) {
                    k.replacen('.', "\\u002e", 1)
                } else {
                    k.to_string()
                };
                let v = g.value(
                    &["\"attestation-manifest\"", "\"sha256:img\"", "\"v\""],
                    &["null", "\"\\u0061\""],
                );
                format!("\"{k}\":{v}")
            })
            .collect();
        object(g, members)
    }

    fn entry_json(g: &mut Gen) -> String {
        g.wild = g.one_in(2);
        if g.wild && g.one_in(30) {
            return g.pick(&["null", "1", "\"x\"", "[]"]).to_string();
        }
        // How often (in tenths) each member is present.
        let weights = [
            ("mediaType", 9),
            ("digest", 8),
            ("size", 8),
            ("platform", 9),
            ("annotations", 3),
            ("artifactType", 2),
            ("urls", 1),
            ("data", 1),
            ("x", 2),
        ];
        let mut members = Vec::new();
        for (name, weight) in weights {
            if g.below(10) >= weight || (!g.wild && matches!(name, "urls" | "data")) {
                continue;
            }
            let v = match name {
                "mediaType" => g.value(
                    &[
                        "\"application/vnd.oci.image.manifest.v1+json\"",
                        "\"application/vnd.docker.distribution.manifest.v2+json\"",
                        "\"application/vnd.oci.image.index.v1+json\"",
                        "\"application/x\"",
                    ],
                    &[
                        "\"application\\/vnd.oci.image.manifest.v1+json\"",
                        "\"application/x-é\"",
                        "\"\"",
                    ],
                ),
                "digest" | "artifactType" => g.value(PLAIN_STRINGS, ESCAPED_STRINGS),
                "size" => g.value(&["1", "-0", "123456789012345678", "0", "-5"], &[]),
                "platform" => platform_json(g),
                "annotations" => annotations_json(g),
                "urls" => g.value(&["[\"u\"]", "[]", "null"], &[]),
                "data" => g.value(&["\"YQ==\"", "\"YQ\"", "[1,2]", "null"], &[]),
                _ => g.value(PLAIN_STRINGS, WRONG_TYPES),
            };
            let key = match name {
                "x" if g.wild => g.pick(&["\"x\"", "\"é\"", "\"Extra\"", "\"sizes\""]).to_string(),
                "x" => "\"x\"".to_string(),
                _ => spell(g, name),
            };
            members.push(format!("{key}:{v}"));
        }
        object(g, members)
    }

    fn index_doc(g: &mut Gen) -> Vec<u8> {
        let n = g.below(5);
        let entries: Vec<String> = (0..n).map(|_| entry_json(g)).collect();
        g.wild = g.one_in(3);
        let mut members = vec![format!("{}:[{}]", spell(g, "manifests"), entries.join(","))];
        if g.one_in(3) {
            // As registries write the head, or close to it.
            let media_type =
                format!("{}:{}", spell(g, "mediaType"), g.value(PLAIN_STRINGS, ESCAPED_STRINGS));
            members.insert(0, media_type);
        }
        if g.one_in(2) {
            let versions = ["2", "-0", "18446744073709551616", "2.0", "1e3", "null", "\"2\"", "02"];
            let version = if g.one_in(2) { "2" } else { versions[g.below(versions.len())] };
            members.insert(0, format!("\"schemaVersion\":{version}"));
        }
        if g.one_in(6) {
            members.push(format!(
                "{}:{}",
                spell(g, "mediaType"),
                g.value(PLAIN_STRINGS, ESCAPED_STRINGS)
            ));
        }
        if g.wild && g.one_in(4) {
            let again = entry_json(g);
            members.push(format!("{}:[{again}]", spell(g, "manifests")));
        }
        let mut doc = object(g, members).replace(BAD_BYTE, "\u{1}").into_bytes();
        for b in doc.iter_mut() {
            if *b == 1 {
                *b = 0xff;
            }
        }
        if g.one_in(8) {
            doc.truncate(g.below(doc.len() + 1));
        } else if g.one_in(8) && !doc.is_empty() {
            let at = g.below(doc.len());
            let bytes = b"\"\\,:}] a0\x01{[";
            doc[at] = bytes[g.below(bytes.len())];
        }
        doc
    }

    /// The one-pass readers agree with the full decode on every generated document: same
    /// entries (decoded the same way), same best entry, or the same error at the same offset.
    #[test]
    fn quick_and_full_decoders_agree_on_generated_documents() {
        let mut g = Gen { state: 0x853c_49e6_748f_ea9b, wild: false };
        let mut outcomes = [0usize; 2];
        // `only` matchers too: their lookup of common candidates is checked against their
        // general path in `matcher`, and here through both readers.
        let only: Vec<_> =
            [("linux", "amd64", ""), ("linux", "arm", "v7"), ("windows", "amd64", "")]
                .iter()
                .map(|(os, arch, variant)| crate::matcher::only(&Platform::new(os, arch, variant)))
                .collect();
        for _ in 0..10_000 {
            let doc = index_doc(&mut g);
            let full = parse_index(&doc, DEFAULT_LIMIT);
            outcomes[usize::from(full.is_ok())] += 1;
            for fields in [PlatformFields::Full, PlatformFields::MobyCheck] {
                let fixed = [&Everything as &dyn Matcher, &AMD64, &ARM_V7];
                for m in fixed.into_iter().chain(only.iter().map(|m| &**m)) {
                    let shown = String::from_utf8_lossy(&doc);
                    let fast = select_bytes(&doc, DEFAULT_LIMIT, m, fields);
                    let best_fast = best_bytes(&doc, DEFAULT_LIMIT, m, fields);
                    match &full {
                        Ok(idx) => {
                            let want: Vec<_> =
                                select(idx, m, fields).into_iter().cloned().collect();
                            assert_eq!(fast.as_ref().ok(), Some(&want), "{shown}");
                            let want = best(idx, m, fields).cloned();
                            assert_eq!(best_fast.as_ref().ok(), Some(&want), "{shown}");
                        }
                        Err(e) => {
                            assert_eq!(fast.as_ref().err(), Some(e), "{shown}");
                            assert_eq!(best_fast.as_ref().err(), Some(e), "{shown}");
                        }
                    }
                }
            }
        }
        // The generator reaches both sides.
        assert!(outcomes[0] > 500 && outcomes[1] > 500, "{outcomes:?}");
    }

    /// The compact quick reader ([`compact_entry`]) against the general one
    /// ([`spaced_entry`]) at every `{` of the generated documents (entries, platforms,
    /// annotations, braces inside strings): where the compact reader reads an entry, the
    /// general one reads the same entry, field for field, and ends at the same byte.
    #[test]
    fn compact_and_spaced_quick_readers_agree() {
        let mut g = Gen { state: 0x2545_f491_4f6c_dd1d, wild: false };
        let mut read = [0usize; 2];
        let mut common_seen = 0;
        for _ in 0..10_000 {
            let doc = index_doc(&mut g);
            for at in (0..doc.len()).filter(|&i| doc[i] == b'{') {
                let mut q = Quick::new(&doc, at);
                let compact = read_entry(compact_entry, &mut q, &doc);
                let end = q.pos();
                let mut q = Quick::new(&doc, at);
                let spaced = read_entry(spaced_entry, &mut q, &doc);
                read[usize::from(compact.is_some())] += 1;
                let Some(mut compact) = compact else { continue };
                let shown = String::from_utf8_lossy(&doc[at..]);
                // Only the compact reader recognises common triples, and rightly.
                if let Some(common) = compact.common.take() {
                    let [os, arch, variant, os_version] = compact.platform.unwrap();
                    assert_eq!(Some(common), Common::of(os, arch, variant), "{shown}");
                    assert_eq!(os_version, "", "{shown}");
                    common_seen += 1;
                }
                let spaced = spaced.unwrap_or_else(|| panic!("only compact_entry reads {shown}"));
                assert_eq!(q.pos(), end, "{shown}");
                assert_eq!(format!("{compact:?}"), format!("{spaced:?}"), "{shown}");
                assert_eq!(compact.descriptor(), spaced.descriptor(), "{shown}");
            }
        }
        // Both sides are reached: entries it reads, and braces it leaves to the general reader.
        assert!(read[0] > 5_000 && read[1] > 2_000, "{read:?}");
        assert!(common_seen > 200, "{common_seen}");
    }

    #[test]
    fn best_keeps_document_order_among_equals() {
        let doc = index(&[
            entry(OCI_MANIFEST, "x", LINUX_ARM_V6),
            entry(OCI_MANIFEST, "y", LINUX_ARM_V7),
            entry(OCI_MANIFEST, "z", LINUX_ARM_V7),
        ]);
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!(best(&idx, &ARM_V7, PlatformFields::Full).unwrap().digest, "y");
        assert!(best(&idx, &AMD64, PlatformFields::Full).is_none());
    }

    #[test]
    fn keys_fold_and_duplicates_merge() {
        let doc = r#"{"MANIFESTS":[{"MediaType":"application/vnd.oci.image.manifest.v1+json",
            "digest":"a","Platform":{"os":"linux"},"platform":{"ARCHITECTURE":"amd64"},
            "ſize":3}]}"#;
        assert_eq!(digests(doc, &AMD64), ["a"]);
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!(idx.manifests[0].size, 3);
        // Last duplicate wins; null leaves a string unchanged.
        let doc = r#"{"manifests":[{"digest":"a","digest":"b","mediaType":"m","mediaType":null}]}"#;
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!((&*idx.manifests[0].digest, &*idx.manifests[0].media_type), ("b", "m"));
    }

    #[test]
    fn repeated_arrays_reuse_elements_like_go_slices() {
        let doc = r#"{"manifests":[{"digest":"a","size":1},{"digest":"b"}],
                      "manifests":[{"size":2}],
                      "manifests":[null,{"size":5}]}"#;
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        let got: Vec<_> = idx.manifests.iter().map(|d| (d.digest.to_string(), d.size)).collect();
        assert_eq!(got, [("a".to_string(), 2), ("b".to_string(), 5)]);
        let doc = r#"{"manifests":[{"digest":"a"}],"manifests":[],"manifests":[{"size":1}]}"#;
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!(idx.manifests[0].digest, "");
        let doc = r#"{"manifests":[{"urls":["u","v"]}],"manifests":[{"urls":[null]}]}"#;
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!(&*idx.manifests[0].urls, ["u"]);
    }

    #[test]
    fn nulls_and_empty_documents() {
        for doc in ["null", "{}", r#"{"manifests":null}"#, " \n{ } \t"] {
            assert!(parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap().manifests.is_empty());
        }
        let doc = r#"{"manifests":[{"platform":{"os":"linux"},"platform":null}]}"#;
        assert!(parse_index(doc.as_bytes(), 100).unwrap().manifests[0].platform.is_none());
    }

    #[test]
    fn wrong_types_fail_and_unknown_fields_do_not() {
        for (doc, expect) in [
            (r#"{"manifests":{}}"#, "cannot unmarshal object into field manifests"),
            (r#"{"manifests":[1]}"#, "cannot unmarshal number into field manifests"),
            (r#"{"manifests":[{"size":"1"}]}"#, "cannot unmarshal string into field size"),
            (r#"{"manifests":[{"size":1.0}]}"#, "cannot unmarshal number 1.0 into field size"),
            (r#"{"manifests":[{"size":1E3}]}"#, "cannot unmarshal number 1E3 into field size"),
            (r#"{"manifests":[{"digest":1}]}"#, "cannot unmarshal number into field digest"),
            (r#"{"manifests":[{"platform":"linux"}]}"#, "into field platform"),
            (r#"{"manifests":[{"platform":{"os.features":"x"}}]}"#, "into field os.features"),
            (r#"{"manifests":[{"annotations":{"a":1}}]}"#, "into field annotations"),
            (r#"{"manifests":[{"urls":[true]}]}"#, "into field urls"),
            (r#"{"manifests":[{"data":"YQ"}]}"#, "illegal base64 data"),
            (r#"{"schemaVersion":"2"}"#, "into field schemaVersion"),
            ("[]", "cannot unmarshal array into Go value of type ocispec.Index"),
            ("\"x\"", "cannot unmarshal string into Go value"),
        ] {
            assert!(reason(doc.as_bytes()).contains(expect), "{doc}: {}", reason(doc.as_bytes()));
        }
        let doc = r#"{"extra":[1e999,{"a":[null]}],"manifests":[{"x":{"y":true},"digest":"d"}]}"#;
        assert_eq!(parse_index(doc.as_bytes(), 1000).unwrap().manifests[0].digest, "d");
    }

    #[test]
    fn hostile_bytes() {
        assert_eq!(
            parse_index(b"{}   ", 4).unwrap_err(),
            Error::LimitExceeded { limit: 4, size: 5 }
        );
        assert!(reason(b"\xef\xbb\xbf{}").contains("invalid character"));
        assert!(reason(b"{} {}").contains("after top-level value"));
        assert!(reason(b"{\"manifests\":[").contains("unexpected end"));
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(9_999), "]".repeat(9_999));
        assert!(parse_index(deep.as_bytes(), usize::MAX).is_ok());
        let deeper = format!("{{\"x\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(reason(deeper.as_bytes()), "exceeded max depth");
        let doc =
            b"{\"manifests\":[{\"digest\":\"sha\xff\",\"platform\":{\"os\":\"linux\\ud800\"}}]}";
        let idx = parse_index(doc, 1000).unwrap();
        assert_eq!(idx.manifests[0].digest, "sha\u{fffd}");
        assert_eq!(idx.manifests[0].platform.as_ref().unwrap().os, "linux\u{fffd}");
        for cut in 0..doc.len() {
            assert!(parse_index(&doc[..cut], 1000).is_err());
        }
    }

    #[test]
    fn annotations_and_attestations() {
        let doc = r#"{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "digest":"att","platform":{"os":"unknown","architecture":"unknown"},
            "annotations":{"vnd.docker.reference.type":"attestation-manifest",
                           "vnd.docker.reference.digest":"sha256:img","k":"1"},
            "annotations":{"k":"2","n":null}}]}"#;
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        let d = &idx.manifests[0];
        assert!(d.is_attestation());
        assert_eq!(d.reference_digest(), Some("sha256:img"));
        assert_eq!(d.annotations.get("k").as_deref(), Some("2"));
        assert_eq!(
            d.annotations.to_vec(),
            [
                ("vnd.docker.reference.type".into(), "attestation-manifest".into()),
                ("vnd.docker.reference.digest".into(), "sha256:img".into()),
                ("k".into(), "2".into()),
                ("n".into(), String::new()),
            ]
        );
        let owned = d.clone().into_owned();
        assert_eq!(&owned, d);
        let doc = r#"{"manifests":[{"annotations":{"vnd.docker.reference.type":"x"},"annotations":null}]}"#;
        let idx = parse_index(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert!(!idx.manifests[0].is_attestation());
        assert!(idx.manifests[0].annotations.is_empty());
    }

    #[test]
    fn annotations_from_pairs_round_trip() {
        let a = Annotations::from_pairs([
            ("q\"\\\n", "v\u{1}é"),
            (REFERENCE_DIGEST_ANNOTATION, "sha256:x"),
            ("q\"\\\n", "w"),
        ]);
        assert_eq!(
            a.to_vec(),
            [
                ("q\"\\\n".to_string(), "w".to_string()),
                (REFERENCE_DIGEST_ANNOTATION.to_string(), "sha256:x".to_string())
            ]
        );
        assert_eq!(a.get(REFERENCE_DIGEST_ANNOTATION).as_deref(), Some("sha256:x"));
        assert!(Annotations::from_pairs(Vec::<(&str, &str)>::new()).is_empty());
    }

    #[test]
    fn data_field() {
        let one =
            |doc: &str| parse_index(doc.as_bytes(), 1000).map(|i| i.manifests[0].data.clone());
        assert_eq!(&*one(r#"{"manifests":[{"data":"YWJj"}]}"#).unwrap().unwrap(), b"abc");
        assert_eq!(&*one(r#"{"manifests":[{"data":[1,2]}]}"#).unwrap().unwrap(), [1, 2]);
        assert!(one(r#"{"manifests":[{"data":[256]}]}"#).is_err());
        assert!(one(r#"{"manifests":[{"data":[-1]}]}"#).is_err());
        // "YQ==" leaves a 3-byte backing array: a later array of nulls shows its zeros.
        let doc = r#"{"manifests":[{"data":"YQ==","data":[null,null]}]}"#;
        assert_eq!(&*one(doc).unwrap().unwrap(), [b'a', 0]);
        assert!(one(r#"{"manifests":[{"data":null}]}"#).unwrap().is_none());
    }

    #[test]
    fn manifests_and_config_digest() {
        let doc = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":7},
            "layers":[{"digest":"l1"},{"digest":"l2"}],"config":null}"#;
        let m = parse_manifest(doc.as_bytes(), DEFAULT_LIMIT).unwrap();
        assert_eq!(m.config.digest, "sha256:c");
        assert_eq!(m.layers.len(), 2);
        assert_eq!(config_digest(doc.as_bytes(), DEFAULT_LIMIT).unwrap(), "sha256:c");
        assert!(config_digest(br#"{"config":[]}"#, DEFAULT_LIMIT).is_err());
    }
}
