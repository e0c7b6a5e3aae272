//! Platform specifiers, normalisation, formatting and every matcher.
//!
//! The input is UTF-8 text of up to eight lines. Each line is parsed as a specifier (with a
//! host picked from the input's length) and also taken apart on `|` into raw platform fields
//! (`os|arch|variant|os.version|feature|feature…`), the way the Python API lets callers
//! build any `Platform`. The first platform is the wanted one, all of them are candidates.
//! The whole text is also read as `/proc/cpuinfo`.
//!
//! Invariants: parse errors are `InvalidPlatform`; normalisation is idempotent; a
//! normalised parse result formats and parses back to itself (where `format` promises it);
//! every matcher accepts its own normalised platform (arm64 variants outside containerd's
//! table excepted, as upstream); sorting keeps every candidate, and the matchers that have a
//! preference put matches first.
#![no_main]

use _core::host::{default_spec_for, Host};
use _core::matcher::{self, SharedMatcher};
use _core::platform::{format, format_all, is_normalized, normalize_with, parse_with, Platform};
use _core::Error;
use libfuzzer_sys::fuzz_target;

fn hosts() -> [Host; 4] {
    let h = |os: &str, architecture: &str, variant: &str| Host {
        os: os.into(),
        architecture: architecture.into(),
        variant: variant.into(),
    };
    [
        h("linux", "amd64", ""),
        h("linux", "arm", "v6"),
        h("windows", "amd64", ""),
        h("darwin", "arm64", "v8"),
    ]
}

/// The arm64 variants (normalised) that have a ladder, so `only(p)` accepts `p`.
fn arm64_in_table(variant: &str) -> bool {
    if variant.is_empty() || variant == "v9" {
        return true;
    }
    matches!(variant.strip_prefix("v8.").or_else(|| variant.strip_prefix("v9.")),
        Some(d) if d.len() == 1 && (b'1'..=b'9').contains(&d.as_bytes()[0]))
}

/// Raw fields, unvalidated, as `Platform(os, arch, variant, version, features)` takes them.
fn raw_platform(line: &str) -> Platform {
    let mut fields = line.split('|');
    let mut next = || fields.next().unwrap_or("").to_owned();
    let (os, architecture, variant, os_version) = (next(), next(), next(), next());
    let os_features = line.split('|').skip(4).map(str::to_owned).collect();
    Platform { os, architecture, variant, os_version, os_features }
}

/// True when `format` keeps every field (Go's `path.Join` collapses `.`/`..` elements).
fn formats_cleanly(p: &Platform) -> bool {
    let plain = |s: &str| s != "." && s != "..";
    plain(&p.architecture) && plain(&p.variant)
}

/// True when `format_all`'s escaping yields a specifier that parses back.
fn option_chars_round_trip(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-%+()/".contains(&b))
}

fn check_parsed(p: &Platform, host: &Host) {
    assert!(!p.os.is_empty() && !p.architecture.is_empty(), "{p:?}");
    let n = normalize_with(p, &host.os);
    assert_eq!(normalize_with(&n, &host.os), n, "normalize is idempotent");
    assert!(is_normalized(&n), "{n:?} reads as normalised");
    let _ = format(p);
    let _ = format_all(p);
    if formats_cleanly(&n) {
        let spec = format(&n);
        let back = parse_with(&spec, host).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        let back = normalize_with(&back, &host.os);
        assert_eq!(
            (&back.os, &back.architecture, &back.variant),
            (&n.os, &n.architecture, &n.variant),
            "format {spec:?} parses back"
        );
        if option_chars_round_trip(&n.os_version)
            && n.os_features.iter().all(|f| option_chars_round_trip(f))
        {
            let spec = format_all(&n);
            let back = parse_with(&spec, host).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
            assert_eq!(back.os_version, n.os_version, "format_all {spec:?}");
            let mut features = back.os_features.clone();
            features.sort();
            features.dedup();
            assert_eq!(features, n.os_features, "format_all {spec:?}");
        }
    }
    check_accepts_itself(&n, &host.os);
}

fn check_accepts_itself(n: &Platform, host_os: &str) {
    assert!(matcher::only_strict(n).matches(n), "only_strict accepts {n:?}");
    assert!(matcher::new_matcher_on(n, host_os).matches(n), "new_matcher accepts {n:?}");
    assert!(matcher::only_os(n).matches(n), "only_os accepts {n:?}");
    if n.architecture != "arm64" || arm64_in_table(&n.variant) {
        assert!(matcher::only(n).matches(n), "only accepts {n:?}");
        assert!(matcher::only_with_fallback(n).matches(n), "fallback accepts {n:?}");
    }
}

fn check_sort(m: &SharedMatcher, candidates: &[Platform], matches_first: bool) {
    for a in candidates {
        let _ = m.matches(a);
        for b in candidates {
            let _ = m.less(a, b);
        }
    }
    let sorted = matcher::stable_sort_by_less(candidates.to_vec(), &|a, b| m.less(a, b));
    let (mut x, mut y) = (sorted.clone(), candidates.to_vec());
    x.sort();
    y.sort();
    assert_eq!(x, y, "sorting keeps every candidate");
    if matches_first {
        let flags: Vec<bool> = sorted.iter().map(|c| m.matches(c)).collect();
        assert!(flags.windows(2).all(|w| w[0] || !w[1]), "matches first: {flags:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let hosts = hosts();
    let host = &hosts[text.len() % hosts.len()];
    let mut platforms = Vec::new();
    for line in text.split('\n').take(8) {
        match parse_with(line, host) {
            Ok(p) => {
                check_parsed(&p, host);
                platforms.push(p);
            }
            Err(Error::InvalidPlatform { message }) => assert!(!message.is_empty()),
            Err(other) => panic!("unexpected error kind: {other:?}"),
        }
        let raw = raw_platform(line);
        let n = normalize_with(&raw, &host.os);
        assert_eq!(normalize_with(&n, &host.os), n, "normalize is idempotent");
        let _ = (format(&raw), format_all(&raw));
        let _ = matcher::windows_version(&raw.os_version);
        platforms.push(raw);
    }
    let Some(wanted) = platforms.first().cloned() else {
        return;
    };
    let comparers: [SharedMatcher; 5] = [
        matcher::only(&wanted),
        matcher::only_strict(&wanted),
        matcher::only_os(&wanted),
        matcher::ordered(platforms.clone()),
        matcher::any(platforms.clone()),
    ];
    for m in &comparers {
        check_sort(m, &platforms, true);
    }
    // `NewMatcher` has no preference (except on a Windows host, for Windows), and the
    // fallback matcher sorts by `only`'s preference, which does not see its fallback hits.
    let windows_comparer = host.os == "windows" && wanted.os == "windows";
    check_sort(&matcher::new_matcher_on(&wanted, &host.os), &platforms, windows_comparer);
    check_sort(&matcher::only_with_fallback(&wanted), &platforms, false);
    check_sort(&matcher::default_matcher_for(host), &platforms, true);
    assert!(platforms.iter().all(|p| matcher::all().matches(p)));

    for machine in ["x86_64", "aarch64", "armv7l", "armv6l", "arm64"] {
        let p = default_spec_for("linux", machine, Some(text));
        assert!(!p.architecture.is_empty());
    }
});
