//! Digests: validation (go-digest's rules), computing, verifying, chunked hashing.
//!
//! The input's first line (when UTF-8) is a digest string; the bytes after it are content.
//!
//! Invariants: `check`, `parse` and `is_valid` agree; errors are go-digest's three kinds;
//! a valid digest has a known algorithm and lowercase hex of that algorithm's length;
//! a computed digest is valid and verifies its content, and hashing in two chunks gives the
//! same digest; `verify` succeeds exactly when the digest is the content's; the ID type
//! reads exactly the valid digests and prints them back unchanged.
#![no_main]

use _core::digest::{self, Algorithm, Checked, Hasher};
use _core::idindex::ImageId;
use _core::Error;
use libfuzzer_sys::fuzz_target;

const ALGORITHMS: [Algorithm; 3] = [Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512];

fn check_string(s: &str) {
    let checked = digest::check(s);
    let parsed = digest::parse(s);
    assert_eq!(digest::is_valid(s), parsed.is_ok());
    match (&checked, &parsed) {
        (Checked::Valid { algorithm, encoded }, Ok((a, e))) => {
            assert_eq!((algorithm, encoded), (a, e));
            assert_eq!(encoded.len(), algorithm.hex_len());
            assert!(digest::is_lower_hex(encoded.as_bytes()));
            assert_eq!(format!("{}:{encoded}", algorithm.name()), s);
            let id = ImageId::parse(s).expect("a valid digest is an ID");
            assert_eq!(id.to_string(), s);
            assert!(_core::reference::digest_reference(s).is_ok(), "grammar accepts {s:?}");
        }
        (Checked::Valid { .. }, Err(e)) => panic!("valid {s:?} failed to parse: {e}"),
        (_, Ok(_)) => panic!("{s:?} parsed although check said {checked:?}"),
        (_, Err(Error::InvalidReference { kind, .. })) => {
            assert!(kind.is_digest(), "{kind:?}");
            assert!(ImageId::parse(s).is_err());
        }
        (_, Err(other)) => panic!("unexpected error kind: {other:?}"),
    }
    if let Checked::WrongLength { algorithm, encoded } = checked {
        assert_ne!(encoded.len(), algorithm.hex_len());
    }
    let _ = digest::algorithm_named(s);
}

fn check_content(s: &str, content: &[u8]) {
    let split = content.first().map_or(0, |&b| usize::from(b) % (content.len() + 1));
    for algorithm in ALGORITHMS {
        let d = digest::compute(algorithm, content);
        assert!(digest::is_valid(&d), "{d}");
        assert_eq!(digest::verify(content, &d), Ok(()));
        let mut h = Hasher::new(algorithm);
        h.update(&content[..split]);
        h.update(&content[split..]);
        assert_eq!(h.digest(), d, "chunked hashing agrees");
        assert_eq!(digest::compute_named(algorithm.name(), content).as_deref(), Ok(d.as_str()));
    }
    match digest::verify(content, s) {
        Ok(()) => {
            let (algorithm, _) = digest::parse(s).expect("verified means valid");
            assert_eq!(digest::compute(algorithm, content), s);
        }
        Err(Error::DigestMismatch { expected, actual }) => {
            assert_eq!(expected, s);
            assert_ne!(actual, s);
            assert!(digest::is_valid(&actual));
        }
        Err(Error::InvalidReference { kind, .. }) => {
            assert!(kind.is_digest());
            assert!(!digest::is_valid(s));
        }
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let (head, content) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let Ok(s) = std::str::from_utf8(head) else {
        return;
    };
    check_string(s);
    check_content(s, content);
});
