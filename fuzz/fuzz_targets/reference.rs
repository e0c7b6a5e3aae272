//! References: every parsing entry point and helper.
//!
//! The input is UTF-8 text: the first line is the reference, the second a tag and the third
//! a digest for `with_tag` / `with_digest`.
//!
//! Invariants: errors are `InvalidReference`; `parse` keeps the string as given and parses
//! its own output back to the same value; a normalised name is canonical (`parse_named`
//! accepts it), normalising it again changes nothing, and its familiar string normalises
//! back to it (except where upstream's familiar form is itself ambiguous, see
//! `familiar_is_ambiguous`); `parse_any` agrees with `parse_normalized_named` on names;
//! `parse_docker_ref` gives exactly one of tag and digest.
#![no_main]

use _core::digest;
use _core::reference::{
    self, digest_reference, parse, parse_any, parse_docker_ref, parse_named,
    parse_normalized_named, with_name, Reference,
};
use _core::{Error, Result};
use libfuzzer_sys::fuzz_target;

fn ok_or_reference_error(r: Result<Reference>) -> Option<Reference> {
    match r {
        Ok(r) => Some(r),
        Err(Error::InvalidReference { message, .. }) => {
            assert!(!message.is_empty());
            None
        }
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
}

/// True when `r`'s familiar name starts with a component that normalisation reads as a
/// domain (`docker.io/foo.bar/x` is familiar `foo.bar/x`, domain `foo.bar`): upstream's
/// `FamiliarString` does the same, so those do not round-trip there either.
fn familiar_is_ambiguous(r: &Reference) -> bool {
    let Some(name) = r.familiar_name() else {
        return false;
    };
    if r.domain() != Some(reference::DEFAULT_DOMAIN) {
        return false;
    }
    match name.split_once('/') {
        Some((first, _)) => {
            first == "localhost"
                || first.contains(['.', ':'])
                || first.chars().any(char::is_uppercase)
        }
        None => false,
    }
}

fn check_value(r: &Reference) {
    if r.is_digest_only() {
        // Its string is a digest, which `parse` reads as a name and tag, as upstream.
        assert!(r.name().is_none() && r.tag().is_none() && r.digest() == Some(r.as_str()));
        return;
    }
    let again = parse(r.as_str()).unwrap_or_else(|e| panic!("{:?} reparses: {e}", r.as_str()));
    assert_eq!(&again, r);
    let name = r.name().expect("a named reference has a name");
    assert_eq!(with_name(name).expect("its name is a valid name").as_str(), name);
    let (domain, path) = (r.domain().unwrap(), r.path().unwrap());
    assert!(path.len() <= reference::NAME_TOTAL_LENGTH_MAX);
    let rebuilt = if domain.is_empty() { path.to_owned() } else { format!("{domain}/{path}") };
    assert_eq!(rebuilt, name);
    if let Some(tag) = r.tag() {
        assert!(tag.len() <= reference::TAG_LENGTH_MAX);
    }
    if let Some(d) = r.digest() {
        assert!(digest::is_valid(d), "{d:?} passed go-digest");
    }
    let trimmed = r.trim_named().expect("a named reference trims");
    assert_eq!(trimmed.as_str(), name);
    let latest = r.tag_name_only();
    if r.tag().is_none() && r.digest().is_none() {
        assert_eq!(latest.tag(), Some(reference::DEFAULT_TAG));
    } else {
        assert_eq!(&latest, r);
    }
    let _ = r.familiar_string();
}

fn check_normalized(s: &str, r: &Reference) {
    check_value(r);
    assert!(!r.is_digest_only());
    assert_eq!(parse_named(r.as_str()).as_ref(), Ok(r), "normalised is canonical");
    assert_eq!(parse_normalized_named(r.as_str()).as_ref(), Ok(r), "idempotent");
    if !familiar_is_ambiguous(r) {
        let familiar = r.familiar_string();
        assert_eq!(parse_normalized_named(&familiar).as_ref(), Ok(r), "familiar {familiar:?}");
    }
    if let Ok(named) = parse_named(s) {
        assert_eq!(&named, r);
        assert_eq!(named.as_str(), s);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let s = lines.next().unwrap_or("");
    let tag = lines.next().unwrap_or("latest");
    let dig = lines.next().unwrap_or("");

    let parsed = ok_or_reference_error(parse(s));
    if let Some(r) = &parsed {
        assert_eq!(r.as_str(), s, "parse keeps the string");
        check_value(r);
    }
    let normalized = ok_or_reference_error(parse_normalized_named(s));
    if let Some(r) = &normalized {
        check_normalized(s, r);
    }
    if let Some(r) = ok_or_reference_error(parse_any(s)) {
        check_value(&r);
        if r.is_digest_only() {
            assert!(digest::is_valid(r.as_str()));
        } else {
            assert_eq!(Some(&r), normalized.as_ref(), "parse_any of a name normalises");
        }
    }
    if let Some(r) = ok_or_reference_error(parse_named(s)) {
        assert_eq!(r.as_str(), s);
    }
    if let Some(r) = ok_or_reference_error(parse_docker_ref(s)) {
        check_value(&r);
        assert!(r.tag().is_some() != r.digest().is_some(), "tag xor digest: {r}");
        assert_eq!(parse_docker_ref(r.as_str()).as_ref(), Ok(&r), "idempotent");
    }
    if let Some(r) = ok_or_reference_error(with_name(s)) {
        assert_eq!(r.as_str(), s);
        assert!(r.tag().is_none() && r.digest().is_none());
    }
    if let Some(r) = ok_or_reference_error(digest_reference(s)) {
        assert!(r.is_digest_only());
    }
    for base in parsed.iter().chain(normalized.iter()) {
        if let Some(t) = ok_or_reference_error(base.with_tag(tag)) {
            assert_eq!(t.tag(), Some(tag));
            assert_eq!(t.digest(), base.digest());
            check_value(&t);
        }
        if let Some(d) = ok_or_reference_error(base.with_digest(dig)) {
            // The grammar's digest rule only: go-digest may still refuse it on parse.
            assert_eq!(d.digest(), Some(dig));
            assert_eq!(d.tag(), base.tag());
            assert_eq!(d.name(), base.name());
        }
    }
});
