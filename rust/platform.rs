//! Platform values: parse, format, normalize — containerd `platforms` v1.0.x rules.
//!
//! # Specifier syntax
//!
//! A specifier is one, two or three `/`-separated parts:
//!
//! ```text
//! <os>[(<os options>)] | <arch> | <os>[(<os options>)]/<arch>[/<variant>]
//! os options:  [<os.version>] ( "+" <os.feature> )*
//! ```
//!
//! * The first part must match `^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$`.
//!   The version and each feature are %-decoded (URL path unescaping) only when they contain a
//!   `%`; a bad escape such as `%zz` is an error.
//! * Every later part must match `^[A-Za-z0-9_.-]+$`. The specifier is split into at most four
//!   parts, so `a/b/c/d/e` fails on the invalid component `d/e`; exactly four valid parts fail
//!   with "cannot parse platform specifier". A `*` anywhere is refused first.
//! * One part: a known operating system (Go's list: aix android darwin dragonfly freebsd hurd
//!   illumos ios js linux nacl netbsd openbsd plan9 solaris windows zos, after normalisation)
//!   takes the host architecture, and the host CPU variant only when the host is `arm` and its
//!   variant is not `v7`. Otherwise the part is normalised as an architecture; it must then be a
//!   known architecture (386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips
//!   mipsle mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64
//!   wasm) and takes the host OS. `arm`/`v7` is reported with an empty variant.
//! * Two parts: OS and architecture, any values; `arm`/`v7` is reported with an empty variant
//!   (so `linux/armhf` gives `linux/arm` but `linux/armel` gives `linux/arm/v6`).
//! * Three parts: the variant is normalised with the architecture; `arm64` with an empty
//!   normalised variant is reported as `v8` (so `linux/arm64/v8` keeps `v8`).
//!
//! # Normalisation
//!
//! Lower-casing is Go's `strings.ToLower` (simple per-character mapping, so `İ` becomes `i`).
//! The OS: empty becomes the host OS, `macos` becomes `darwin`. Architecture and variant:
//!
//! | architecture in               | out     | variant                                            |
//! |-------------------------------|---------|----------------------------------------------------|
//! | `i386`                        | `386`   | cleared                                            |
//! | `x86_64`, `x86-64`, `amd64`   | `amd64` | `v1` becomes empty                                 |
//! | `aarch64`, `arm64`            | `arm64` | `8`, `v8`, `v8.0` become empty; `9`, `9.0`, `v9.0` become `v9` |
//! | `armhf`                       | `arm`   | forced to `v7`                                     |
//! | `armel`                       | `arm`   | forced to `v6`                                     |
//! | `arm`                         | `arm`   | empty or `7` become `v7`; `5`, `6`, `8` gain a `v` |
//! | anything else                 | as is   | kept                                               |
//!
//! OS features are sorted (byte order) and de-duplicated; `os.version` is never touched.
//!
//! # Formatting
//!
//! [`format`] joins the non-empty os, architecture and variant with `/` and cleans the result
//! the way Go's `path.Join` does (so `..` and `//` inside fields collapse); an empty OS is the
//! literal `unknown`. [`format_all`] also writes `(version+feature…)` after the OS, with `%`,
//! `+`, `(`, `)` and `/` %-escaped, features sorted, empty and duplicate features skipped.
//!
//! # Where containerd 1.6/1.7 (Docker 24) differed
//!
//! * 1.6 refused `os(version)`; 1.7 and platforms v0.2 accepted `os(version)` but no features
//!   and no `%`-escapes; neither allowed `.` in the architecture or variant (so
//!   `linux/arm64/v8.2` was an error) and both split on every `/` (so a five-part specifier
//!   failed as "cannot parse" rather than as an invalid component). Their first-part error
//!   text was `"…" is an invalid component of "…": platform specifier component must match
//!   "^[A-Za-z0-9_-]+$"`.
//! * 1.6/1.7 normalisation kept arm64 `v8.0`, `9`, `9.0` as given and did not touch features.
//! * `FormatAll` did not exist in 1.6; 1.7 wrote `os(version)` without escaping or features.
//!
//! Where a decoded `%`-escape yields bytes that are not UTF-8 (Go keeps raw bytes in its
//! string), we replace them with U+FFFD: Rust and Python strings cannot hold them.

use crate::error::{Error, Result};
use crate::host::{self, Host};
use std::borrow::Cow;

/// An OCI platform: what an image is built for, or what a host can run.
///
/// Field names follow the OCI image spec; `os_version` and `os_features` are its
/// `os.version` and `os.features`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: String,
    pub os_version: String,
    pub os_features: Vec<String>,
}

impl Platform {
    /// A platform from its three matching fields (no version, no features).
    pub fn new(os: &str, architecture: &str, variant: &str) -> Self {
        Self {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.to_owned(),
            ..Self::default()
        }
    }
}

const OS_PART_PATTERN: &str =
    r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$";
const PART_PATTERN: &str = "^[A-Za-z0-9_.-]+$";

/// True for an operating system Go knows (the value must be normalised).
pub fn is_known_os(os: &str) -> bool {
    matches!(
        os,
        "aix"
            | "android"
            | "darwin"
            | "dragonfly"
            | "freebsd"
            | "hurd"
            | "illumos"
            | "ios"
            | "js"
            | "linux"
            | "nacl"
            | "netbsd"
            | "openbsd"
            | "plan9"
            | "solaris"
            | "windows"
            | "zos"
    )
}

/// True for an architecture Go knows (the value must be normalised).
pub fn is_known_arch(arch: &str) -> bool {
    matches!(
        arch,
        "386"
            | "amd64"
            | "amd64p32"
            | "arm"
            | "armbe"
            | "arm64"
            | "arm64be"
            | "ppc64"
            | "ppc64le"
            | "loong64"
            | "mips"
            | "mipsle"
            | "mips64"
            | "mips64le"
            | "mips64p32"
            | "mips64p32le"
            | "ppc"
            | "riscv"
            | "riscv64"
            | "s390"
            | "s390x"
            | "sparc"
            | "sparc64"
            | "wasm"
    )
}

/// Go's `strings.ToLower`. Borrows when the input is already lower-case ASCII.
pub fn go_lower(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    if bytes.iter().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return Cow::Borrowed(s);
    }
    if s.is_ascii() {
        return Cow::Owned(s.to_ascii_lowercase());
    }
    // Go maps each rune through its simple lower-case mapping; Rust's `to_lowercase` is the
    // full mapping, which differs only where it yields several characters (U+0130), whose
    // first character is the simple mapping.
    Cow::Owned(s.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect())
}

/// Normalises an OS name; `host_os` stands in for an empty one.
pub fn normalize_os<'a>(os: &'a str, host_os: &'a str) -> Cow<'a, str> {
    if os.is_empty() {
        return Cow::Borrowed(host_os);
    }
    let lowered = go_lower(os);
    if lowered == "macos" {
        Cow::Borrowed("darwin")
    } else {
        lowered
    }
}

/// Normalises an architecture and its variant together (the table in the module doc).
pub fn normalize_arch<'a>(arch: &'a str, variant: &'a str) -> (Cow<'a, str>, Cow<'a, str>) {
    let arch = go_lower(arch);
    let variant = go_lower(variant);
    let b = |s: &'static str| Cow::Borrowed(s);
    match &*arch {
        "i386" => (b("386"), b("")),
        "x86_64" | "x86-64" | "amd64" => {
            let v = if variant == "v1" { b("") } else { variant };
            (b("amd64"), v)
        }
        "aarch64" | "arm64" => {
            let v = match &*variant {
                "8" | "v8" | "v8.0" => b(""),
                "9" | "9.0" | "v9.0" => b("v9"),
                _ => variant,
            };
            (b("arm64"), v)
        }
        "armhf" => (b("arm"), b("v7")),
        "armel" => (b("arm"), b("v6")),
        "arm" => {
            let v = match &*variant {
                "" | "7" => b("v7"),
                "5" => b("v5"),
                "6" => b("v6"),
                "8" => b("v8"),
                _ => variant,
            };
            (b("arm"), v)
        }
        _ => (arch, variant),
    }
}

/// Sorted, de-duplicated features (byte order, as Go's `slices.Sort`).
pub fn normalize_features(features: &[String]) -> Vec<String> {
    let mut out = features.to_vec();
    out.sort();
    out.dedup();
    out
}

/// `Normalize` with an explicit host OS (used for an empty OS).
pub fn normalize_with(p: &Platform, host_os: &str) -> Platform {
    let (arch, variant) = normalize_arch(&p.architecture, &p.variant);
    Platform {
        os: normalize_os(&p.os, host_os).into_owned(),
        architecture: arch.into_owned(),
        variant: variant.into_owned(),
        os_version: p.os_version.clone(),
        os_features: normalize_features(&p.os_features),
    }
}

/// True when [`normalize`] would return `p` unchanged (checked without allocating).
pub fn is_normalized(p: &Platform) -> bool {
    if p.os.is_empty() || !matches!(normalize_os(&p.os, ""), Cow::Borrowed(os) if os == p.os) {
        return false;
    }
    let (arch, variant) = normalize_arch(&p.architecture, &p.variant);
    arch == p.architecture && variant == p.variant && p.os_features.windows(2).all(|w| w[0] < w[1])
}

/// `Normalize`: the canonical form of `p` (an empty OS becomes the host's).
pub fn normalize(p: &Platform) -> Platform {
    normalize_with(p, &host::host().os)
}

fn invalid(message: String) -> Error {
    Error::invalid_platform(message)
}

/// The parts of a first component that matched [`OS_PART_PATTERN`].
struct OsPart<'a> {
    name: &'a str,
    version: &'a str,
    /// The `+feat+feat` tail without its leading `+`, or empty.
    features: &'a str,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_option_byte(b: u8) -> bool {
    is_name_byte(b) || b == b'.' || b == b'%'
}

fn match_os_part(part: &str) -> Option<OsPart<'_>> {
    let bytes = part.as_bytes();
    let name_len = bytes.iter().take_while(|&&b| is_name_byte(b)).count();
    if name_len == 0 {
        return None;
    }
    let name = &part[..name_len];
    let rest = &part[name_len..];
    if rest.is_empty() {
        return Some(OsPart { name, version: "", features: "" });
    }
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    if !inner.bytes().all(|b| is_option_byte(b) || b == b'+') {
        return None;
    }
    let (version, features) = match inner.find('+') {
        Some(i) => (&inner[..i], &inner[i + 1..]),
        None => (inner, ""),
    };
    if inner.contains('+') && features.split('+').any(str::is_empty) {
        return None;
    }
    Some(OsPart { name, version, features })
}

fn is_valid_part(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| is_name_byte(b) || b == b'.')
}

fn unhex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Go's `url.PathUnescape`, applied only when the value holds a `%`. The error is Go's
/// `invalid URL escape "%zz"` text.
fn decode_os_option(v: &str) -> std::result::Result<Cow<'_, str>, String> {
    if !v.contains('%') {
        return Ok(Cow::Borrowed(v));
    }
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let pair = bytes
                .get(i + 1)
                .copied()
                .and_then(unhex)
                .zip(bytes.get(i + 2).copied().and_then(unhex));
            match pair {
                Some((hi, lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                None => {
                    let end = (i + 3).min(bytes.len());
                    let escape = String::from_utf8_lossy(&bytes[i..end]);
                    return Err(format!("invalid URL escape {}", go_quote(&escape)));
                }
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(Cow::Owned(String::from_utf8_lossy(&out).into_owned()))
}

/// `Parse` with the host given explicitly (what one-part specifiers are completed from).
pub fn parse_with(spec: &str, host: &Host) -> Result<Platform> {
    if spec.contains('*') {
        return Err(invalid(format!(
            "{}: wildcards not yet supported: invalid argument",
            go_quote(spec)
        )));
    }
    let mut parts: [&str; 4] = [""; 4];
    let mut count = 0;
    for part in spec.splitn(4, '/') {
        parts[count] = part;
        count += 1;
    }
    let parts = &parts[..count];
    let mut p = Platform::default();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(os_part) = match_os_part(part) else {
                return Err(invalid(format!(
                    "{} is an invalid OS component of {}: OSAndVersion specifier component must match {}: invalid argument",
                    go_quote(part),
                    go_quote(spec),
                    go_quote(OS_PART_PATTERN)
                )));
            };
            p.os = normalize_os(os_part.name, &host.os).into_owned();
            p.os_version = decode_os_option(os_part.version)
                .map_err(|e| {
                    invalid(format!(
                        "{} has an invalid OS version {}: {e}",
                        go_quote(spec),
                        go_quote(os_part.version)
                    ))
                })?
                .into_owned();
            if !os_part.features.is_empty() {
                for raw in os_part.features.split('+') {
                    let feature = decode_os_option(raw).map_err(|e| {
                        invalid(format!(
                            "{} has invalid OS features: invalid os feature {}: {e}",
                            go_quote(spec),
                            go_quote(raw)
                        ))
                    })?;
                    if !feature.is_empty() {
                        p.os_features.push(feature.into_owned());
                    }
                }
            }
        } else if !is_valid_part(part) {
            return Err(invalid(format!(
                "{} is an invalid component of {}: platform specifier component must match {}: invalid argument",
                go_quote(part),
                go_quote(spec),
                go_quote(PART_PATTERN)
            )));
        }
    }
    match parts.len() {
        1 => {
            if is_known_os(&p.os) {
                p.architecture = host.architecture.clone();
                if p.architecture == "arm" && host.variant != "v7" {
                    p.variant = host.variant.clone();
                }
                return Ok(p);
            }
            let (arch, variant) = normalize_arch(parts[0], "");
            if arch == "arm" && variant == "v7" {
                p.variant = String::new();
            } else {
                p.variant = variant.into_owned();
            }
            if is_known_arch(&arch) {
                p.architecture = arch.into_owned();
                p.os = host.os.clone();
                return Ok(p);
            }
            Err(invalid(format!(
                "{}: unknown operating system or architecture: invalid argument",
                go_quote(spec)
            )))
        }
        2 => {
            let (arch, variant) = normalize_arch(parts[1], "");
            if !(arch == "arm" && variant == "v7") {
                p.variant = variant.into_owned();
            }
            p.architecture = arch.into_owned();
            Ok(p)
        }
        3 => {
            let (arch, variant) = normalize_arch(parts[1], parts[2]);
            p.variant = if arch == "arm64" && variant.is_empty() {
                "v8".to_owned()
            } else {
                variant.into_owned()
            };
            p.architecture = arch.into_owned();
            Ok(p)
        }
        _ => Err(invalid(format!(
            "{}: cannot parse platform specifier: invalid argument",
            go_quote(spec)
        ))),
    }
}

/// `Parse`: a specifier into a platform, one-part forms completed from the host.
pub fn parse(spec: &str) -> Result<Platform> {
    parse_with(spec, host::host())
}

/// Go's `path.Clean` of an already `/`-joined path.
fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for element in path.split('/') {
        match element {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|last| *last != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `path.Join`: non-empty elements joined by `/`, then cleaned.
fn path_join(elements: &[&str]) -> String {
    let joined = elements.iter().filter(|e| !e.is_empty()).copied().collect::<Vec<_>>().join("/");
    if joined.is_empty() {
        return String::new();
    }
    let needs_clean = joined.starts_with("./")
        || joined.starts_with("../")
        || joined.ends_with("/.")
        || joined.ends_with("/..")
        || joined.ends_with('/')
        || joined.contains("//")
        || joined.contains("/./")
        || joined.contains("/../")
        || joined == "."
        || joined == "..";
    if needs_clean {
        clean_path(&joined)
    } else {
        joined
    }
}

/// `Format`: `os/arch[/variant]`, or `unknown` without an OS. Not normalised.
pub fn format(p: &Platform) -> String {
    if p.os.is_empty() {
        return "unknown".to_owned();
    }
    path_join(&[&p.os, &p.architecture, &p.variant])
}

fn encode_os_option(v: &str, out: &mut String) {
    for c in v.chars() {
        match c {
            '%' => out.push_str("%25"),
            '+' => out.push_str("%2B"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '/' => out.push_str("%2F"),
            other => out.push(other),
        }
    }
}

/// `FormatAll`: like [`format`] with `(os.version+feature…)` after the OS.
pub fn format_all(p: &Platform) -> String {
    if p.os.is_empty() {
        return "unknown".to_owned();
    }
    if p.os_version.is_empty() && p.os_features.is_empty() {
        return format(p);
    }
    let mut version = String::new();
    encode_os_option(&p.os_version, &mut version);
    let mut features: Vec<&str> = p.os_features.iter().map(String::as_str).collect();
    features.sort_unstable();
    features.dedup();
    let mut encoded = String::new();
    for f in features.into_iter().filter(|f| !f.is_empty()) {
        if !encoded.is_empty() {
            encoded.push('+');
        }
        encode_os_option(f, &mut encoded);
    }
    let mut head = p.os.clone();
    if !version.is_empty() || !encoded.is_empty() {
        head.push('(');
        head.push_str(&version);
        if !encoded.is_empty() {
            head.push('+');
            head.push_str(&encoded);
        }
        head.push(')');
    }
    path_join(&[&head, &p.architecture, &p.variant])
}

/// Whether Go's `unicode.IsPrint` holds, without Unicode tables: control, format, separator
/// (other than U+0020), private-use and non-character code points are not printable.
/// Unassigned code points are treated as printable (Go escapes them); only error messages
/// for such input differ.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        | 0xFDD0..=0xFDEF)
        && (u & 0xFFFE) != 0xFFFE
}

/// Go's `strconv.Quote` (`%q`), used in upstream's error messages.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_go_printable(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amd64_host() -> Host {
        Host { os: "linux".into(), architecture: "amd64".into(), variant: String::new() }
    }

    fn p(os: &str, arch: &str, variant: &str) -> Platform {
        Platform::new(os, arch, variant)
    }

    #[test]
    fn parses_every_form() {
        let h = amd64_host();
        assert_eq!(parse_with("linux/arm64", &h).unwrap(), p("linux", "arm64", ""));
        assert_eq!(parse_with("linux/arm64/v8", &h).unwrap(), p("linux", "arm64", "v8"));
        assert_eq!(parse_with("linux/armhf", &h).unwrap(), p("linux", "arm", ""));
        assert_eq!(parse_with("linux/armel", &h).unwrap(), p("linux", "arm", "v6"));
        assert_eq!(parse_with("Aarch64", &h).unwrap(), p("linux", "arm64", ""));
        assert_eq!(parse_with("macOS", &h).unwrap(), p("darwin", "amd64", ""));
        assert_eq!(parse_with("linux/arm64/v8.2", &h).unwrap(), p("linux", "arm64", "v8.2"));
        let w = parse_with("windows(10.0.17763%2Bbuild.42+win32k)", &h).unwrap();
        assert_eq!(w.os_version, "10.0.17763+build.42");
        assert_eq!(w.os_features, vec!["win32k".to_owned()]);
    }

    #[test]
    fn one_word_os_on_an_arm_host_takes_the_cpu_variant_unless_v7() {
        let v6 = Host { os: "linux".into(), architecture: "arm".into(), variant: "v6".into() };
        assert_eq!(parse_with("linux", &v6).unwrap(), p("linux", "arm", "v6"));
        let v7 = Host { variant: "v7".into(), ..v6 };
        assert_eq!(parse_with("linux", &v7).unwrap(), p("linux", "arm", ""));
    }

    #[test]
    fn errors_carry_upstream_text() {
        let h = amd64_host();
        let msg = |s: &str| parse_with(s, &h).unwrap_err().to_string();
        assert_eq!(msg("linux/*"), "\"linux/*\": wildcards not yet supported: invalid argument");
        assert_eq!(
            msg("linux/arm/"),
            "\"\" is an invalid component of \"linux/arm/\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument"
        );
        assert_eq!(
            msg("linux/arm/foo/bar"),
            "\"linux/arm/foo/bar\": cannot parse platform specifier: invalid argument"
        );
        assert_eq!(
            msg("x86"),
            "\"x86\": unknown operating system or architecture: invalid argument"
        );
        assert_eq!(
            msg(""),
            "\"\" is an invalid OS component of \"\": OSAndVersion specifier component must match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$\": invalid argument"
        );
        assert_eq!(
            msg("windows(%zz)"),
            "\"windows(%zz)\" has an invalid OS version \"%zz\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            msg("linux(+a%2)"),
            "\"linux(+a%2)\" has invalid OS features: invalid os feature \"a%2\": invalid URL escape \"%2\""
        );
    }

    #[test]
    fn normalizes_the_table() {
        let n = |a: &str, v: &str| {
            let (a, v) = normalize_arch(a, v);
            (a.into_owned(), v.into_owned())
        };
        assert_eq!(n("i386", "v2"), ("386".into(), "".into()));
        assert_eq!(n("X86_64", "V1"), ("amd64".into(), "".into()));
        assert_eq!(n("aarch64", "v8.0"), ("arm64".into(), "".into()));
        assert_eq!(n("arm64", "9.0"), ("arm64".into(), "v9".into()));
        assert_eq!(n("armhf", "v5"), ("arm".into(), "v7".into()));
        assert_eq!(n("arm", "4"), ("arm".into(), "4".into()));
        assert_eq!(go_lower("İ"), "i");
        assert!(matches!(go_lower("linux"), Cow::Borrowed(_)));
    }

    #[test]
    fn formats_like_path_join() {
        assert_eq!(format(&p("", "amd64", "")), "unknown");
        assert_eq!(format(&p("linux", "../x", "")), "x");
        assert_eq!(format(&p("linux", "a//b", "")), "linux/a/b");
        let mut w = p("linux", "amd64", "");
        w.os_features = vec!["".into(), "gpu".into(), "".into(), "simd".into()];
        assert_eq!(format_all(&w), "linux(+gpu+simd)/amd64");
        w.os_features = vec!["".into()];
        assert_eq!(format_all(&w), "linux/amd64");
        let v = Platform { os_version: "1.0(beta)".into(), ..p("windows", "amd64", "") };
        assert_eq!(format_all(&v), "windows(1.0%28beta%29)/amd64");
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é\u{200b}"), "\"a\\\"b\\\\c\\n\\x01é\\u200b\"");
    }
}
