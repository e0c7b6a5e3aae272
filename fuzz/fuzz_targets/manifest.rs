//! Index and manifest reading (the bounded JSON reader underneath) and platform selection.
//!
//! The input is the document itself; its first byte also picks the limit, so the limit is
//! sometimes below, at or above the document's length.
//!
//! Invariants: reading never panics and its only errors are `InvalidManifest` (with an
//! offset inside the input) and `LimitExceeded` (exactly when the input is longer than the
//! limit, which is then the only thing checked); reading is deterministic and the owned
//! copy equals the borrowed one; `select` keeps document order and returns only
//! image-manifest entries with a platform the matcher accepts (with `all`, exactly those
//! entries); `best` is one of the selected entries and none of them is preferred to it;
//! `select_owned` agrees with `select`; `config_digest` agrees with `parse_manifest`; the
//! one-pass readers `select_bytes` and `best_bytes` (with their quick path for plain entries
//! and `only`'s lookup of common platforms) give what `select` and `best` give on the decoded
//! index, and the same error when decoding fails.
#![no_main]

use _core::manifest::{
    best, best_bytes, config_digest, parse_index, parse_manifest, select, select_bytes,
    select_owned, Descriptor, PlatformFields,
};
use _core::matcher::{self, SharedMatcher};
use _core::platform::Platform;
use _core::Error;
use libfuzzer_sys::fuzz_target;

fn limit_for(data: &[u8]) -> usize {
    match data.first().map(|b| b % 4) {
        Some(0) => data.len().saturating_sub(1),
        Some(1) => data.len(),
        _ => 1_000_000,
    }
}

fn check_error(e: &Error, data: &[u8], limit: usize) {
    match e {
        Error::InvalidManifest { offset, reason } => {
            assert!(data.len() <= limit, "read past a limit that should have refused");
            assert!(*offset <= data.len(), "offset {offset} past {} bytes", data.len());
            assert!(!reason.is_empty());
        }
        Error::LimitExceeded { limit: l, size } => {
            assert_eq!((*l, *size), (limit, data.len()));
            assert!(data.len() > limit);
        }
        other => panic!("unexpected error kind: {other:?}"),
    }
}

fn position(all: &[Descriptor<'_>], d: &Descriptor<'_>) -> usize {
    all.iter().position(|x| std::ptr::eq(x, d)).expect("selected from the index")
}

fuzz_target!(|data: &[u8]| {
    let limit = limit_for(data);
    let index = parse_index(data, limit);
    assert_eq!(index, parse_index(data, limit), "deterministic");
    if data.len() <= limit {
        // The bound decides nothing else: a larger limit reads the same.
        assert_eq!(index, parse_index(data, usize::MAX));
    }
    match &index {
        Err(e) => {
            check_error(e, data, limit);
            let m = matcher::only(&Platform::new("linux", "amd64", ""));
            for fields in [PlatformFields::Full, PlatformFields::MobyCheck] {
                let one_pass = select_bytes(data, limit, m.as_ref(), fields);
                assert_eq!(one_pass.as_ref().err(), Some(e), "select_bytes fails the same way");
                let one_pass = best_bytes(data, limit, m.as_ref(), fields);
                assert_eq!(one_pass.as_ref().err(), Some(e), "best_bytes fails the same way");
            }
        }
        Ok(index) => {
            assert_eq!(&index.clone().into_owned(), index);
            let platforms: Vec<Platform> = index
                .manifests
                .iter()
                .filter_map(|d| d.platform.as_ref().map(|p| p.to_platform()))
                .take(2)
                .collect();
            let mut matchers: Vec<SharedMatcher> = vec![
                matcher::all(),
                matcher::only(&Platform::new("linux", "amd64", "")),
                matcher::only(&Platform::new("linux", "arm", "v7")),
                matcher::only_with_fallback(&Platform::new("linux", "arm64", "")),
            ];
            matchers.extend(platforms.iter().map(matcher::only));
            for (i, m) in matchers.iter().enumerate() {
                for fields in [PlatformFields::Full, PlatformFields::MobyCheck] {
                    let chosen = select(index, m.as_ref(), fields);
                    let places: Vec<usize> =
                        chosen.iter().map(|d| position(&index.manifests, d)).collect();
                    assert!(places.windows(2).all(|w| w[0] < w[1]), "document order");
                    for d in &chosen {
                        assert!(d.is_manifest() && d.platform.is_some());
                    }
                    if i == 0 {
                        let expected = index
                            .manifests
                            .iter()
                            .filter(|d| d.is_manifest() && d.platform.is_some())
                            .count();
                        assert_eq!(chosen.len(), expected, "`all` selects every manifest");
                    }
                    let top = best(index, m.as_ref(), fields);
                    assert_eq!(top.is_some(), !chosen.is_empty());
                    if let Some(top) = top {
                        assert!(chosen.iter().any(|d| std::ptr::eq(*d, top)));
                        let full = fields == PlatformFields::Full;
                        let plat = |d: &Descriptor<'_>| {
                            let mut p = Platform::default();
                            d.platform.as_ref().unwrap().fill(&mut p, full);
                            p
                        };
                        let tp = plat(top);
                        // The fallback matcher's hits are outside `only`'s order; the
                        // others order their matches strictly and weakly.
                        if i != 3 {
                            assert!(chosen.iter().all(|d| !m.less(&plat(d), &tp)), "best");
                        }
                    }
                    let owned = select_owned(index.clone(), m.as_ref(), fields);
                    let cloned: Vec<Descriptor<'static>> =
                        chosen.iter().map(|d| (*d).clone().into_owned()).collect();
                    assert_eq!(owned, cloned, "select_owned agrees with select");
                    let one_pass = select_bytes(data, limit, m.as_ref(), fields)
                        .expect("select_bytes reads what parse_index reads");
                    let chosen: Vec<Descriptor<'_>> = chosen.into_iter().cloned().collect();
                    assert_eq!(one_pass, chosen, "select_bytes agrees with select");
                    let one_pass = best_bytes(data, limit, m.as_ref(), fields)
                        .expect("best_bytes reads what parse_index reads");
                    assert_eq!(one_pass.as_ref(), top, "best_bytes agrees with best");
                }
            }
        }
    }
    let manifest = parse_manifest(data, limit);
    match &manifest {
        Err(e) => check_error(e, data, limit),
        Ok(m) => {
            assert_eq!(&m.clone().into_owned(), m);
            assert_eq!(config_digest(data, limit).as_deref(), Ok(&*m.config.digest));
        }
    }
});
