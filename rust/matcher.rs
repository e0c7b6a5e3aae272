//! Platform matchers and comparers — containerd `platforms` v1.0.x rules, plus moby's
//! fallback matcher.
//!
//! A matcher answers "can this candidate run here?" ([`Matcher::matches`]) and, among
//! candidates, "is `a` preferred to `b`?" ([`Matcher::less`]). Every candidate is normalised
//! (see [`crate::platform`]) before it is compared; wanted platforms are normalised once, when
//! the matcher is built.
//!
//! # The matchers
//!
//! * [`new_matcher`]`(p)`: equal OS, architecture and variant after normalisation; the
//!   candidate's `os.features` must be a subset of `p`'s. When `p.os` is literally `windows`
//!   the `os.version` rule below applies and a candidate's `win32k` feature is ignored; on a
//!   Windows host that matcher also sorts by `os.version` (larger string first).
//! * [`ordered`]`(ps)`: matches if any element's `new_matcher` does; prefers the candidate
//!   matched by the earlier element; between two candidates matched by the same element, the
//!   one with more `os.features`. When neither matches and either has features, the comparison
//!   is repeated with features dropped.
//! * [`any`]`(ps)`: matches like `ordered`; prefers a matching candidate to a non-matching one
//!   and, when both match, the one with more features (same feature-dropping retry).
//! * [`all`]: matches everything, prefers nothing.
//! * [`only_strict`]`(p)`: `ordered([normalize(p)])`.
//! * [`only`]`(p)`: `ordered` over the compatibility ladder of `normalize(p)`:
//!   - `amd64/vN` (N parsed as Go's `strconv.Atoi` after dropping one leading `v`, N > 1):
//!     itself, `vN-1` … `v2`, plain `amd64` (v1), then `386`. Other amd64: itself, then `386`.
//!   - `arm/vN`, N > 5: itself, `vN-1` … `v5`. Other arm: only itself.
//!   - `arm64` (empty variant read as `v8`): from the table — `v8.N` → v8.N … v8.1, v8;
//!     `v9.N` → v9.N … v9, then v8.min(N+5, 9) … v8 — then `arm` v8, v7, v6, v5. A variant
//!     outside the table (`v10`, `v8.10`, `v9.x.y`) gives an empty ladder: nothing matches,
//!     not even the platform itself.
//!   - anything else: only itself.
//!
//!   Every rung keeps the wanted OS, `os.version` and features. Ladders are never
//!   materialised from numbers in the input: a numeric stretch is one rung range, matched by
//!   arithmetic, so `amd64/v999999999999` costs what `amd64/v3` costs.
//! * [`only_os`]`(p)`: same normalised OS, compatible `os.version`, features a subset; prefers
//!   candidates that match, then the exact platform over other architectures.
//! * [`only_with_fallback`]`(p)` (moby `OnlyPlatformWithFallback`): `only(p)`, or else a
//!   candidate with an empty (raw) variant whose normalised OS and architecture equal
//!   `normalize(p)`'s. Sorting is `only(p)`'s.
//! * [`default_matcher_for`]`(host)`: `only(host spec)`; on darwin `ordered(host spec,
//!   linux/<arch>)`; on windows the `os.version`-sorting `new_matcher(host spec)`.
//!
//! # Windows `os.version`
//!
//! Versions are read as `major.minor.build[.rest]` (at least two dots; major and minor 8-bit,
//! build 16-bit decimal); anything else reads as 0.0.0. A wanted 0.0.0 or an empty candidate
//! version matches. Otherwise major and minor must be equal; a wanted build below 20348 needs
//! the exact build; from 20348 on, the candidate build must lie between the latest LTSC build
//! (20348 Server 2022, 26100 Server 2025) not above the wanted build and the wanted build.
//!
//! # Where containerd 1.6/1.7 (Docker 24) differed
//!
//! * No `os.features` matching, no `OnlyOS`, and no feature tie-break in `less`.
//! * arm64: 1.6/1.7 put `arm64/<variant>` then the arm ladder of the same variant (so
//!   `arm64/v9` also took `arm/v9` and `arm64/v8.2` matched only itself), with no v8.x/v9.x
//!   table.
//! * Windows `os.version` applied only on a Windows host: 1.6 compared the host's
//!   `major.minor.build` as a string prefix and refused Linux candidates; 1.7 compared the
//!   first three components of the wanted version as a prefix.

use crate::host::{self, Host};
use crate::platform::{normalize, normalize_arch, normalize_os, Platform};
use std::borrow::Cow;
use std::sync::Arc;

/// Decides whether a candidate platform is acceptable and, among acceptable candidates,
/// which is preferred. Implementations are immutable and shared across threads.
pub trait Matcher: Send + Sync + std::fmt::Debug {
    /// True when `candidate` is acceptable.
    fn matches(&self, candidate: &Platform) -> bool;

    /// [`Matcher::matches`] on a borrowed candidate (a manifest entry being read), with the
    /// same answer. The default builds a [`Platform`]; the matchers of this module answer
    /// without copying.
    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        self.matches(&candidate.to_platform())
    }

    /// [`Matcher::matches_ref`] for a candidate without `os.version` and `os.features` whose
    /// (os, architecture, variant) the caller recognised as `common` while reading it, with
    /// the same answer. The default ignores the hint; `only`'s matcher answers from it alone.
    fn matches_common(&self, candidate: &PlatformRef<'_>, _common: Common) -> bool {
        self.matches_ref(candidate)
    }

    /// True when `a` is preferred to `b`. Matchers without a preference never prefer.
    fn less(&self, _a: &Platform, _b: &Platform) -> bool {
        false
    }
}

/// A matcher shared between the binding layer and worker threads.
pub type SharedMatcher = Arc<dyn Matcher>;

/// A candidate platform's fields, borrowed from a [`Platform`] or from a manifest entry.
#[derive(Clone, Copy, Debug)]
pub struct PlatformRef<'a> {
    pub os: &'a str,
    pub architecture: &'a str,
    pub variant: &'a str,
    pub os_version: &'a str,
    pub os_features: Features<'a>,
}

/// The `os.features` of a [`PlatformRef`], as the owner keeps them.
#[derive(Clone, Copy, Debug)]
pub enum Features<'a> {
    Strings(&'a [String]),
    Cows(&'a [Cow<'a, str>]),
}

impl<'a> Features<'a> {
    pub const NONE: Features<'static> = Features::Strings(&[]);

    pub fn len(&self) -> usize {
        match self {
            Features::Strings(f) => f.len(),
            Features::Cows(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        match *self {
            Features::Strings(f) => f.get(i).map(String::as_str),
            Features::Cows(f) => f.get(i).map(|c| &**c),
        }
    }

    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

impl<'a> From<&'a Platform> for PlatformRef<'a> {
    fn from(p: &'a Platform) -> Self {
        PlatformRef {
            os: &p.os,
            architecture: &p.architecture,
            variant: &p.variant,
            os_version: &p.os_version,
            os_features: Features::Strings(&p.os_features),
        }
    }
}

impl PlatformRef<'_> {
    /// The owned platform with these fields.
    pub fn to_platform(&self) -> Platform {
        Platform {
            os: self.os.to_owned(),
            architecture: self.architecture.to_owned(),
            variant: self.variant.to_owned(),
            os_version: self.os_version.to_owned(),
            os_features: self.os_features.iter().map(str::to_owned).collect(),
        }
    }

    /// Overwrites `p` with these fields, reusing its allocations.
    pub fn fill(&self, p: &mut Platform) {
        fn set(dst: &mut String, src: &str) {
            dst.clear();
            dst.push_str(src);
        }
        set(&mut p.os, self.os);
        set(&mut p.architecture, self.architecture);
        set(&mut p.variant, self.variant);
        set(&mut p.os_version, self.os_version);
        p.os_features.clear();
        p.os_features.extend(self.os_features.iter().map(str::to_owned));
    }
}

/// A candidate's normalised OS, architecture and variant, borrowed where no change was needed.
struct View<'a> {
    os: Cow<'a, str>,
    arch: Cow<'a, str>,
    variant: Cow<'a, str>,
    raw: PlatformRef<'a>,
}

fn view<'a>(c: impl Into<PlatformRef<'a>>) -> View<'a> {
    let c = c.into();
    let (arch, variant) = normalize_arch(c.architecture, c.variant);
    View { os: normalize_os(c.os, &host::host().os), arch, variant, raw: c }
}

/// [`view`], or `None` without normalising the architecture when the normalised OS is not
/// `os` (such a candidate is refused by every matcher that requires `os`). `os` must be
/// normalised.
fn view_with_os<'a>(c: impl Into<PlatformRef<'a>>, os: &str) -> Option<View<'a>> {
    let c = c.into();
    // A normalised OS is its own normal form: written exactly so, it needs no lowering.
    let normalized =
        if c.os == os { Cow::Borrowed(c.os) } else { normalize_os(c.os, &host::host().os) };
    if *normalized != *os {
        return None;
    }
    let (arch, variant) = normalize_arch(c.architecture, c.variant);
    Some(View { os: normalized, arch, variant, raw: c })
}

/// A Windows version as upstream reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowsVersion {
    pub major: u8,
    pub minor: u8,
    pub build: u16,
}

/// Windows Server 2022 (ltsc2022), the first build with a stable container ABI.
pub const WS2022_BUILD: u16 = 20348;
/// The LTSC releases whose images later hosts run, ascending.
pub const LTSC_BUILDS: [u16; 2] = [WS2022_BUILD, 26100];

/// Parses a decimal like Go's `strconv.ParseUint(s, 10, bits)`.
fn parse_uint(s: &str, max: u64) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok().filter(|&v| v <= max)
}

/// `major.minor.build[...]`, or 0.0.0 when it does not read.
pub fn windows_version(v: &str) -> WindowsVersion {
    if v.bytes().filter(|&b| b == b'.').count() < 2 {
        return WindowsVersion::default();
    }
    let mut parts = v.splitn(4, '.');
    let (major, minor, build) = (parts.next(), parts.next(), parts.next());
    let read = || -> Option<WindowsVersion> {
        Some(WindowsVersion {
            major: parse_uint(major?, u8::MAX.into())? as u8,
            minor: parse_uint(minor?, u8::MAX.into())? as u8,
            build: parse_uint(build?, u16::MAX.into())? as u16,
        })
    };
    read().unwrap_or_default()
}

/// Can a host (or wanted platform) at `host` run a container image built for `ctr`?
pub fn windows_compatible(host: WindowsVersion, ctr: WindowsVersion) -> bool {
    if host.major != ctr.major || host.minor != ctr.minor {
        return false;
    }
    if host.build < WS2022_BUILD {
        return host.build == ctr.build;
    }
    let ltsc = LTSC_BUILDS.iter().rev().copied().find(|&b| host.build >= b).unwrap_or(0);
    ctr.build >= ltsc && ctr.build <= host.build
}

/// Whether a candidate `os.version` suits a wanted Windows version.
pub fn windows_version_matches(wanted: WindowsVersion, candidate: &str) -> bool {
    if wanted == WindowsVersion::default() || candidate.is_empty() {
        return true;
    }
    windows_compatible(wanted, windows_version(candidate))
}

/// What every rung of one wanted platform shares: OS, `os.version` rule, features.
#[derive(Clone, Debug)]
struct Identity {
    os: String,
    windows: Option<WindowsVersion>,
    features: Vec<String>,
    strip_win32k: bool,
}

impl Identity {
    /// `raw_os` decides the Windows rules (upstream looks at the un-normalised OS).
    fn new(normalized: &Platform, raw_os: &str, strip_win32k: bool) -> Self {
        let windows = raw_os == "windows";
        Self {
            os: normalized.os.clone(),
            windows: windows.then(|| windows_version(&normalized.os_version)),
            features: normalized.os_features.clone(),
            strip_win32k: windows && strip_win32k,
        }
    }

    fn accepts(&self, c: &View<'_>, ignore_features: bool) -> bool {
        if *c.os != *self.os {
            return false;
        }
        if let Some(wanted) = self.windows {
            if !windows_version_matches(wanted, c.raw.os_version) {
                return false;
            }
        }
        ignore_features
            || c.raw.os_features.iter().all(|f| {
                (self.strip_win32k && f == "win32k")
                    || self.features.binary_search_by(|x| x.as_str().cmp(f)).is_ok()
            })
    }
}

/// `NewMatcher` without the Windows-host sorting.
#[derive(Clone, Debug)]
struct PlatformMatcher {
    id: Identity,
    arch: String,
    variant: String,
}

impl PlatformMatcher {
    fn new(p: &Platform) -> Self {
        let n = normalize(p);
        Self { id: Identity::new(&n, &p.os, true), arch: n.architecture, variant: n.variant }
    }

    fn accepts(&self, c: &View<'_>, ignore_features: bool) -> bool {
        *c.arch == *self.arch && *c.variant == *self.variant && self.id.accepts(c, ignore_features)
    }
}

impl Matcher for PlatformMatcher {
    fn matches(&self, candidate: &Platform) -> bool {
        self.matches_ref(&candidate.into())
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        self.accepts(&view(*candidate), false)
    }
}

/// The rank-based `less` of `Ordered`: earlier rung first, then more features.
fn ordered_less(rank: impl Fn(&Platform, bool) -> Option<u64>, a: &Platform, b: &Platform) -> bool {
    match (rank(a, false), rank(b, false)) {
        (Some(x), Some(y)) if x != y => x < y,
        (Some(_), Some(_)) => a.os_features.len() > b.os_features.len(),
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => {
            if a.os_features.is_empty() && b.os_features.is_empty() {
                return false;
            }
            matches!((rank(a, true), rank(b, true)), (Some(x), Some(y)) if x < y)
                || matches!((rank(a, true), rank(b, true)), (Some(_), None))
        }
    }
}

/// `Ordered(ps...)`.
#[derive(Debug)]
struct Ordered {
    matchers: Vec<PlatformMatcher>,
}

impl Ordered {
    fn rank(&self, c: &Platform, ignore_features: bool) -> Option<u64> {
        let v = view(c);
        self.matchers.iter().position(|m| m.accepts(&v, ignore_features)).map(|i| i as u64)
    }
}

impl Matcher for Ordered {
    fn matches(&self, candidate: &Platform) -> bool {
        self.matches_ref(&candidate.into())
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        let v = view(*candidate);
        self.matchers.iter().any(|m| m.accepts(&v, false))
    }

    fn less(&self, a: &Platform, b: &Platform) -> bool {
        ordered_less(|p, ignore| self.rank(p, ignore), a, b)
    }
}

/// `Any(ps...)`.
#[derive(Debug)]
struct AnyOf {
    matchers: Vec<PlatformMatcher>,
}

impl AnyOf {
    fn hit<'a>(&self, c: impl Into<PlatformRef<'a>>, ignore_features: bool) -> bool {
        let v = view(c);
        self.matchers.iter().any(|m| m.accepts(&v, ignore_features))
    }
}

impl Matcher for AnyOf {
    fn matches(&self, candidate: &Platform) -> bool {
        self.hit(candidate, false)
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        self.hit(*candidate, false)
    }

    fn less(&self, a: &Platform, b: &Platform) -> bool {
        let (am, bm) = (self.hit(a, false), self.hit(b, false));
        if am && bm {
            return a.os_features.len() > b.os_features.len();
        }
        let has_features = !a.os_features.is_empty() || !b.os_features.is_empty();
        if !(am || bm) && has_features {
            return self.hit(a, true) && !self.hit(b, true);
        }
        am && !bm
    }
}

/// `All`.
#[derive(Debug)]
struct Everything;

impl Matcher for Everything {
    fn matches(&self, _candidate: &Platform) -> bool {
        true
    }

    fn matches_ref(&self, _candidate: &PlatformRef<'_>) -> bool {
        true
    }
}

/// One rung (or a numeric stretch of rungs) of an `Only` ladder; values are normalised.
#[derive(Clone, Debug)]
enum Rung {
    Exact {
        arch: &'static str,
        variant: String,
    },
    /// `v{hi}`, `v{hi-1}` … `v{lo}` of one architecture, in that order.
    Range {
        arch: &'static str,
        hi: u64,
        lo: u64,
    },
}

impl Rung {
    fn size(&self) -> u64 {
        match self {
            Rung::Exact { .. } => 1,
            Rung::Range { hi, lo, .. } => hi - lo + 1,
        }
    }

    /// The position of the candidate inside this rung, if it is on it.
    fn position(&self, c: &View<'_>) -> Option<u64> {
        match self {
            Rung::Exact { arch, variant } => {
                (*c.arch == **arch && *c.variant == **variant).then_some(0)
            }
            Rung::Range { arch, hi, lo } => {
                if *c.arch != **arch {
                    return None;
                }
                let digits = c.variant.strip_prefix('v')?;
                if digits.starts_with('0') {
                    return None;
                }
                let k = parse_uint(digits, u64::MAX)?;
                (*lo..=*hi).contains(&k).then(|| hi - k)
            }
        }
    }
}

/// Go's `strconv.Atoi`: optional sign, ASCII decimal digits, 64-bit range.
fn go_atoi(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude: u64 = digits.parse().ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn static_arch(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "amd64" => "amd64",
        "arm" => "arm",
        "arm64" => "arm64",
        "386" => "386",
        _ => return None,
    })
}

/// The arm64 table: for a variant, its (major, highest minor) runs, highest first.
fn arm64_runs(variant: &str) -> Option<[(u8, u8); 2]> {
    let rest = variant.strip_prefix('v')?;
    let (major, minor) = match rest.split_once('.') {
        Some((major, minor)) => (major, minor),
        None => (rest, "0"),
    };
    let minor = match minor.as_bytes() {
        [d] if d.is_ascii_digit() => d - b'0',
        _ => return None,
    };
    match major {
        "8" => Some([(8, minor), (0, 0)]),
        "9" => Some([(9, minor), (8, (minor + 5).min(9))]),
        _ => None,
    }
}

fn arm_ladder_rungs(variant: &str, rungs: &mut Vec<Rung>) {
    rungs.push(Rung::Exact { arch: "arm", variant: variant.to_owned() });
    if let Some(n) = go_atoi(variant.strip_prefix('v').unwrap_or(variant)) {
        if n > 5 {
            rungs.push(Rung::Range { arch: "arm", hi: (n - 1) as u64, lo: 5 });
        }
    }
}

/// The compatibility ladder of a normalised platform (`platformVector`), as rungs.
fn ladder(n: &Platform) -> Vec<Rung> {
    let mut rungs = Vec::new();
    match n.architecture.as_str() {
        "amd64" => {
            rungs.push(Rung::Exact { arch: "amd64", variant: n.variant.clone() });
            let level = go_atoi(n.variant.strip_prefix('v').unwrap_or(&n.variant));
            if let Some(level) = level.filter(|&l| l > 1) {
                if level > 2 {
                    rungs.push(Rung::Range { arch: "amd64", hi: (level - 1) as u64, lo: 2 });
                }
                rungs.push(Rung::Exact { arch: "amd64", variant: String::new() });
            }
            rungs.push(Rung::Exact { arch: "386", variant: String::new() });
        }
        "arm" => arm_ladder_rungs(&n.variant, &mut rungs),
        "arm64" => {
            let variant = if n.variant.is_empty() { "v8" } else { n.variant.as_str() };
            let Some(runs) = arm64_runs(variant) else {
                return rungs;
            };
            for (major, top) in runs.into_iter().filter(|&(major, _)| major != 0) {
                for minor in (0..=top).rev() {
                    let raw =
                        if minor == 0 { format!("v{major}") } else { format!("v{major}.{minor}") };
                    let (_, v) = normalize_arch("arm64", &raw);
                    rungs.push(Rung::Exact { arch: "arm64", variant: v.into_owned() });
                }
            }
            for v in ["v8", "v7", "v6", "v5"] {
                rungs.push(Rung::Exact { arch: "arm", variant: v.to_owned() });
            }
        }
        _ => {}
    }
    rungs
}

/// The OSes of [`common_slot`].
pub(crate) const COMMON_OS: [&str; 3] = ["linux", "windows", "unknown"];
/// The architectures and variants of [`common_slot`].
pub(crate) const COMMON_ARCH: [(&str, &str); 13] = [
    ("amd64", ""),
    ("arm64", ""),
    ("arm64", "v8"),
    ("arm", "v7"),
    ("arm", "v6"),
    ("arm", "v5"),
    ("arm", "v8"),
    ("386", ""),
    ("ppc64le", ""),
    ("s390x", ""),
    ("riscv64", ""),
    ("mips64le", ""),
    ("unknown", ""),
];

/// The position of (os, architecture, variant) among the byte-exact triples registries write
/// most (`COMMON_OS` × `COMMON_ARCH`: 39 slots), if it is one of them.
#[inline]
fn common_slot(os: &str, architecture: &str, variant: &str) -> Option<u32> {
    let os = match os {
        "linux" => 0,
        "windows" => 1,
        "unknown" => 2,
        _ => return None,
    };
    let arch = match (architecture, variant) {
        ("amd64", "") => 0,
        ("arm64", "") => 1,
        ("arm64", "v8") => 2,
        ("arm", "v7") => 3,
        ("arm", "v6") => 4,
        ("arm", "v5") => 5,
        ("arm", "v8") => 6,
        ("386", "") => 7,
        ("ppc64le", "") => 8,
        ("s390x", "") => 9,
        ("riscv64", "") => 10,
        ("mips64le", "") => 11,
        ("unknown", "") => 12,
        _ => return None,
    };
    Some(os * COMMON_ARCH.len() as u32 + arch)
}

/// One of the (os, architecture, variant) triples registries write most, byte for byte: the
/// pair of positions in `COMMON_OS` and `COMMON_ARCH`. A reader that recognises the words while
/// reading them hands this to [`Matcher::matches_common`] so that matching compares no strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Common(u8);

impl Common {
    /// The triple's slot, when it is a common one.
    pub fn of(os: &str, architecture: &str, variant: &str) -> Option<Common> {
        common_slot(os, architecture, variant).map(|slot| Common(slot as u8))
    }

    /// `COMMON_OS[os]` with `COMMON_ARCH[arch]`.
    pub(crate) fn at(os: usize, arch: usize) -> Option<Common> {
        (os < COMMON_OS.len() && arch < COMMON_ARCH.len())
            .then(|| Common((os * COMMON_ARCH.len() + arch) as u8))
    }
}

/// `Only(p)`.
#[derive(Debug)]
struct Only {
    id: Identity,
    rungs: Vec<Rung>,
    /// For architectures without a ladder: the platform itself.
    own: Option<(String, String)>,
    /// Bit [`common_slot`] set when the general path ([`Only::rank`]) accepts that triple
    /// with no `os.version` and no `os.features`: worked out once, so that matching the
    /// common candidates is a lookup instead of lowering and normalising their fields.
    common: u64,
}

impl Only {
    fn new(p: &Platform) -> Self {
        let n = normalize(p);
        let id = Identity::new(&n, &n.os, true);
        let mut only = if static_arch(&n.architecture).is_some() && n.architecture != "386" {
            Self { id, rungs: ladder(&n), own: None, common: 0 }
        } else {
            Self { id, rungs: Vec::new(), own: Some((n.architecture, n.variant)), common: 0 }
        };
        for os in COMMON_OS {
            for (architecture, variant) in COMMON_ARCH {
                let c = PlatformRef {
                    os,
                    architecture,
                    variant,
                    os_version: "",
                    os_features: Features::NONE,
                };
                if let Some(slot) = common_slot(os, architecture, variant) {
                    if only.rank(c, false).is_some() {
                        only.common |= 1 << slot;
                    }
                }
            }
        }
        only
    }

    /// [`Matcher::matches_ref`]: a lookup for a common triple without `os.version` and
    /// `os.features`, else the general path.
    #[inline]
    fn accepts(&self, c: &PlatformRef<'_>) -> bool {
        if c.os_version.is_empty() && c.os_features.is_empty() {
            if let Some(slot) = common_slot(c.os, c.architecture, c.variant) {
                return self.common >> slot & 1 == 1;
            }
        }
        self.rank(*c, false).is_some()
    }

    fn rank<'a>(&self, c: impl Into<PlatformRef<'a>>, ignore_features: bool) -> Option<u64> {
        let v = view_with_os(c, &self.id.os)?;
        if !self.id.accepts(&v, ignore_features) {
            return None;
        }
        if let Some((arch, variant)) = &self.own {
            return (*v.arch == **arch && *v.variant == **variant).then_some(0);
        }
        let mut offset = 0u64;
        for rung in &self.rungs {
            if let Some(pos) = rung.position(&v) {
                return Some(offset.saturating_add(pos));
            }
            offset = offset.saturating_add(rung.size());
        }
        None
    }
}

impl Matcher for Only {
    fn matches(&self, candidate: &Platform) -> bool {
        self.accepts(&candidate.into())
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        self.accepts(candidate)
    }

    fn matches_common(&self, candidate: &PlatformRef<'_>, common: Common) -> bool {
        debug_assert_eq!(
            Common::of(candidate.os, candidate.architecture, candidate.variant),
            Some(common)
        );
        if candidate.os_version.is_empty() && candidate.os_features.is_empty() {
            self.common >> common.0 & 1 == 1
        } else {
            self.accepts(candidate)
        }
    }

    fn less(&self, a: &Platform, b: &Platform) -> bool {
        ordered_less(|p, ignore| self.rank(p, ignore), a, b)
    }
}

/// `NewMatcher` on a Windows host for a Windows platform: sorts by `os.version`.
#[derive(Debug)]
struct WindowsComparer {
    inner: PlatformMatcher,
}

impl Matcher for WindowsComparer {
    fn matches(&self, candidate: &Platform) -> bool {
        self.inner.matches(candidate)
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        self.inner.matches_ref(candidate)
    }

    fn less(&self, a: &Platform, b: &Platform) -> bool {
        let (am, bm) = (self.matches(a), self.matches(b));
        if am && bm {
            return a.os_version > b.os_version;
        }
        am && !bm
    }
}

/// moby's `onlyFallbackMatcher`.
#[derive(Debug)]
struct OnlyWithFallback {
    only: Only,
    os: String,
    arch: String,
}

impl Matcher for OnlyWithFallback {
    fn matches(&self, candidate: &Platform) -> bool {
        self.matches_ref(&candidate.into())
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        if self.only.matches_ref(candidate) {
            return true;
        }
        if !candidate.variant.is_empty() {
            return false;
        }
        let v = view(*candidate);
        *v.os == *self.os && *v.arch == *self.arch
    }

    fn less(&self, a: &Platform, b: &Platform) -> bool {
        self.only.less(a, b)
    }
}

/// `OnlyOS(p)`.
#[derive(Debug)]
struct OnlyOs {
    id: Identity,
    exact: PlatformMatcher,
}

impl OnlyOs {
    fn hit<'a>(&self, c: impl Into<PlatformRef<'a>>) -> bool {
        self.id.accepts(&view(c), false)
    }
}

impl Matcher for OnlyOs {
    fn matches(&self, candidate: &Platform) -> bool {
        self.hit(candidate)
    }

    fn matches_ref(&self, candidate: &PlatformRef<'_>) -> bool {
        self.hit(*candidate)
    }

    fn less(&self, a: &Platform, b: &Platform) -> bool {
        let (am, bm) = (self.hit(a), self.hit(b));
        if am && !bm {
            return true;
        }
        if !am || !bm {
            return false;
        }
        let rank = |p: &Platform, ignore: bool| self.exact.accepts(&view(p), ignore).then_some(0);
        ordered_less(rank, a, b)
    }
}

/// `NewMatcher(p)` as it behaves on a host whose OS is `host_os`.
pub fn new_matcher_on(p: &Platform, host_os: &str) -> SharedMatcher {
    let inner = PlatformMatcher::new(p);
    if host_os == "windows" && p.os == "windows" {
        Arc::new(WindowsComparer { inner })
    } else {
        Arc::new(inner)
    }
}

/// `NewMatcher(p)` on this host.
pub fn new_matcher(p: &Platform) -> SharedMatcher {
    new_matcher_on(p, &host::host().os)
}

/// `Ordered(ps...)`.
pub fn ordered(ps: Vec<Platform>) -> SharedMatcher {
    Arc::new(Ordered { matchers: ps.iter().map(PlatformMatcher::new).collect() })
}

/// `Any(ps...)`.
pub fn any(ps: Vec<Platform>) -> SharedMatcher {
    Arc::new(AnyOf { matchers: ps.iter().map(PlatformMatcher::new).collect() })
}

/// `All`.
pub fn all() -> SharedMatcher {
    Arc::new(Everything)
}

/// `Only(p)`.
pub fn only(p: &Platform) -> SharedMatcher {
    Arc::new(Only::new(p))
}

/// `OnlyStrict(p)`.
pub fn only_strict(p: &Platform) -> SharedMatcher {
    ordered(vec![normalize(p)])
}

/// `OnlyOS(p)`.
pub fn only_os(p: &Platform) -> SharedMatcher {
    let n = normalize(p);
    Arc::new(OnlyOs { id: Identity::new(&n, &n.os, false), exact: PlatformMatcher::new(&n) })
}

/// moby's `OnlyPlatformWithFallback(p)`.
pub fn only_with_fallback(p: &Platform) -> SharedMatcher {
    let n = normalize(p);
    Arc::new(OnlyWithFallback { only: Only::new(p), os: n.os, arch: n.architecture })
}

/// `Default()` for the given host.
pub fn default_matcher_for(host: &Host) -> SharedMatcher {
    let spec = host.default_spec();
    match host.os.as_str() {
        "darwin" => {
            let linux = Platform::new("linux", &host.architecture, "");
            ordered(vec![spec, linux])
        }
        "windows" => Arc::new(WindowsComparer { inner: PlatformMatcher::new(&spec) }),
        _ => only(&spec),
    }
}

/// `Default()` on this host.
pub fn default_matcher() -> SharedMatcher {
    default_matcher_for(host::host())
}

/// Stable merge sort by a `less` that may not be a strict weak order: never panics, and for
/// a proper order gives what Go's `sort.SliceStable` gives.
pub fn stable_sort_by_less<T>(items: Vec<T>, less: &dyn Fn(&T, &T) -> bool) -> Vec<T> {
    if items.len() <= 1 {
        return items;
    }
    let mut items = items;
    let right = items.split_off(items.len() / 2);
    let left = stable_sort_by_less(items, less);
    let right = stable_sort_by_less(right, less);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => {
                if less(r, l) {
                    out.extend(right.next());
                } else {
                    out.extend(left.next());
                }
            }
            (Some(_), None) => {
                out.extend(left);
                break;
            }
            (None, _) => {
                out.extend(right);
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::parse_with;

    fn host() -> Host {
        Host { os: "linux".into(), architecture: "amd64".into(), variant: String::new() }
    }

    fn pp(s: &str) -> Platform {
        parse_with(s, &host()).unwrap()
    }

    #[test]
    fn common_slots_are_exact_and_distinct() {
        let mut seen = 0u64;
        for os in COMMON_OS {
            for (arch, variant) in COMMON_ARCH {
                let slot = common_slot(os, arch, variant).unwrap();
                assert_eq!(seen >> slot & 1, 0, "{os}/{arch}/{variant}");
                seen |= 1 << slot;
            }
        }
        assert_eq!(seen.count_ones(), 39);
        for (i, os) in COMMON_OS.into_iter().enumerate() {
            for (j, (arch, variant)) in COMMON_ARCH.into_iter().enumerate() {
                assert_eq!(Common::at(i, j), Common::of(os, arch, variant));
            }
        }
        assert_eq!(Common::at(3, 0), None);
        assert_eq!(Common::at(0, 13), None);
        let near = [
            ("Linux", "amd64", ""),
            ("linux ", "amd64", ""),
            ("linu", "amd64", ""),
            ("linux", "amd6", ""),
            ("linux", "amd64", "v1"),
            ("linux", "arm", ""),
            ("linux", "arm64", "v88"),
            ("linux", "arm\0", "v7"),
            ("linux", "x86_64", ""),
            ("windows", "arm", "v9"),
            ("linux", "mips64lex", ""),
        ];
        for (os, arch, variant) in near {
            assert_eq!(common_slot(os, arch, variant), None, "{os}/{arch}/{variant}");
        }
    }

    fn check(m: &SharedMatcher, yes: &[&str], no: &[&str]) {
        for s in yes {
            assert!(m.matches(&pp(s)), "should match {s}: {m:?}");
        }
        for s in no {
            assert!(!m.matches(&pp(s)), "should not match {s}: {m:?}");
        }
    }

    /// The lookup of common triples in `Only` answers as the general path does, for wanted
    /// platforms of every kind and candidates inside and outside the table.
    #[test]
    fn only_common_lookup_agrees_with_general_path() {
        let mut wanted = Vec::new();
        for os in ["linux", "windows", "windows(10.0.20348)", "unknown", "freebsd", "Linux"] {
            for arch in [
                "amd64",
                "amd64/v1",
                "amd64/v2",
                "amd64/v3",
                "386",
                "arm",
                "arm/v5",
                "arm/v6",
                "arm/v7",
                "arm/v8",
                "arm/v07",
                "arm64",
                "arm64/v8",
                "arm64/v8.2",
                "arm64/v9",
                "arm64/v10",
                "aarch64",
                "x86_64",
                "armhf",
                "ppc64le",
                "s390x",
                "riscv64",
                "mips64le",
                "unknown",
            ] {
                wanted.push(pp(&format!("{os}/{arch}")));
            }
        }
        let oses = ["linux", "windows", "unknown", "Linux", "LINUX", "", "darwin", "linux "];
        let arches = [
            "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le", "unknown",
            "x86_64", "aarch64", "ARM64", "i386", "armhf", "armel", "",
        ];
        let variants = ["", "v8", "v7", "v6", "v5", "v1", "v2", "v3", "8", "V7", "v07", "v8.0"];
        let mut common_seen = 0;
        for p in &wanted {
            let m = Only::new(p);
            for os in oses {
                for arch in arches {
                    for variant in variants {
                        for os_version in ["", "10.0.20348"] {
                            let c = PlatformRef {
                                os,
                                architecture: arch,
                                variant,
                                os_version,
                                os_features: Features::NONE,
                            };
                            if os_version.is_empty() && common_slot(os, arch, variant).is_some() {
                                common_seen += 1;
                            }
                            let general = m.rank(c, false).is_some();
                            assert_eq!(m.accepts(&c), general, "{p:?} {c:?}");
                            assert_eq!(m.matches(&c.to_platform()), general, "{p:?} {c:?}");
                        }
                    }
                }
            }
        }
        // Every slot is reached for every wanted platform.
        assert_eq!(common_seen, wanted.len() * COMMON_OS.len() * COMMON_ARCH.len());
        // Features always take the general path.
        let m = Only::new(&pp("windows/amd64"));
        let features = ["win32k".to_string()];
        let c = PlatformRef {
            os: "windows",
            architecture: "amd64",
            variant: "",
            os_version: "",
            os_features: Features::Strings(&features),
        };
        assert_eq!(m.accepts(&c), m.rank(c, false).is_some());
    }

    #[test]
    fn only_ladders() {
        check(
            &only(&pp("linux/amd64/v2")),
            &["linux/amd64", "linux/amd64/v1", "linux/amd64/v2", "linux/386"],
            &["linux/amd64/v3", "linux/amd64/v4", "linux/arm/v7", "windows/amd64"],
        );
        check(
            &only(&pp("linux/arm64/v9")),
            &["linux/arm", "linux/arm/v5", "linux/arm64", "linux/arm64/v8.5", "linux/arm64/v9.0"],
            &["linux/arm64/v8.6", "linux/arm/v4", "windows/arm"],
        );
        check(&only(&pp("linux/arm64/v10")), &[], &["linux/arm64/v10", "linux/arm64"]);
        check(&only(&pp("linux/arm/v5")), &["linux/arm/v5"], &["linux/arm", "linux/arm/v6"]);
    }

    #[test]
    fn huge_levels_cost_nothing() {
        let m = only(&Platform::new("linux", "amd64", "v9223372036854775807"));
        assert!(m.matches(&Platform::new("linux", "amd64", "v9223372036854775806")));
        assert!(m.matches(&Platform::new("linux", "amd64", "v2")));
        assert!(!m.matches(&Platform::new("linux", "amd64", "v02")));
        assert!(m.matches(&Platform::new("linux", "386", "")));
        let a = Platform::new("linux", "amd64", "v3");
        let b = Platform::new("linux", "amd64", "v2");
        assert!(m.less(&a, &b) && !m.less(&b, &a));
        let arm = only(&Platform::new("linux", "arm", "v+07"));
        assert!(arm.matches(&Platform::new("linux", "arm", "v6")));
        assert!(!arm.matches(&Platform::new("linux", "arm", "v7")));
    }

    #[test]
    fn windows_versions() {
        let v = |s: &str| windows_version(s);
        assert_eq!(v("10.0.17763.1"), WindowsVersion { major: 10, minor: 0, build: 17763 });
        assert_eq!(v("10.0"), WindowsVersion::default());
        assert_eq!(v("256.0.1"), WindowsVersion::default());
        let b = |n| WindowsVersion { major: 10, minor: 0, build: n };
        assert!(windows_compatible(b(17763), b(17763)));
        assert!(!windows_compatible(b(17763), b(20348)));
        assert!(!windows_compatible(b(20348), b(17763)));
        assert!(windows_compatible(b(22621), b(20348)));
        assert!(!windows_compatible(b(26100), b(20348)));
        assert!(windows_compatible(b(26200), b(26100)));
    }

    #[test]
    fn fallback_accepts_variantless_candidates() {
        let m = only_with_fallback(&pp("linux/arm/v6"));
        assert!(m.matches(&Platform::new("linux", "arm", "")));
        assert!(!m.matches(&Platform::new("linux", "arm", "v7")));
        let m = only_with_fallback(&pp("linux/amd64"));
        assert!(!m.matches(&pp("linux/amd64/v2")));
        assert!(m.matches(&pp("linux/386")));
    }

    #[test]
    fn borrowed_candidates_match_like_owned_ones() {
        let wanted = ["linux/amd64", "linux/arm/v7", "linux/arm64", "windows(10.0.20348)/amd64"];
        let mut matchers: Vec<SharedMatcher> = vec![all()];
        for w in wanted {
            let p = pp(w);
            matchers.extend([
                only(&p),
                only_strict(&p),
                only_os(&p),
                only_with_fallback(&p),
                new_matcher_on(&p, "linux"),
                new_matcher_on(&p, "windows"),
                ordered(vec![p.clone(), pp("linux/386")]),
                any(vec![p.clone(), pp("linux/386")]),
            ]);
        }
        let mut candidates: Vec<Platform> = [
            "linux/amd64",
            "linux/amd64/v3",
            "linux/386",
            "linux/arm",
            "linux/arm/v6",
            "linux/arm64/v8",
            "windows/amd64",
        ]
        .iter()
        .map(|s| pp(s))
        .collect();
        candidates.extend([
            Platform::new("", "AMD64", ""),
            Platform::new("Linux", "aarch64", "8"),
            Platform::new("unknown", "unknown", ""),
            Platform::new("macos", "x86_64", ""),
            Platform { os_version: "10.0.20348.1".into(), ..Platform::new("windows", "amd64", "") },
            Platform { os_version: "10.0.17763.1".into(), ..Platform::new("windows", "amd64", "") },
            Platform {
                os_features: vec!["win32k".into()],
                ..Platform::new("windows", "amd64", "")
            },
            Platform { os_features: vec!["x".into()], ..Platform::new("linux", "amd64", "") },
        ]);
        for m in &matchers {
            for c in &candidates {
                let cows: Vec<Cow<'_, str>> =
                    c.os_features.iter().map(|f| Cow::from(f.as_str())).collect();
                let borrowed = PlatformRef { os_features: Features::Cows(&cows), ..c.into() };
                assert_eq!(m.matches_ref(&borrowed), m.matches(c), "{m:?} {c:?}");
                assert_eq!(m.matches_ref(&c.into()), m.matches(c), "{m:?} {c:?}");
                assert_eq!(borrowed.to_platform(), *c);
            }
        }
    }

    #[test]
    fn stable_sort_keeps_ties_in_order() {
        let out = stable_sort_by_less(vec![3, 1, 2, 1, 3], &|a: &i32, b: &i32| a < b);
        assert_eq!(out, vec![1, 1, 2, 3, 3]);
        let weird = stable_sort_by_less(vec![1, 2, 3, 4], &|_: &i32, _: &i32| true);
        assert_eq!(weird.len(), 4);
    }
}
