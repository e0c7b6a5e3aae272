//! The image-ID prefix index that moby's image store searches (Docker 24: go-digest's
//! `digestset` behind `image.Store.Search`).
//!
//! The index holds full digests (`sha256:<64 hex>`, also sha384 and sha512) and answers
//! `search(term)`:
//!
//! 1. An empty index finds nothing.
//! 2. The term is read with go-digest's rules ([`crate::digest::check`]): a valid digest,
//!    or a known algorithm with a short encoded part (`sha256:3f5a`), is a prefix within
//!    that algorithm; an unsupported algorithm matches nothing; anything else (no `:`, bad
//!    characters) is taken whole as a bare hex prefix across all algorithms. `3f5a` and
//!    `sha256:3f5a` therefore both work, and the empty term is a prefix of everything.
//! 3. An entry whose encoded part equals the prefix wins outright.
//! 4. Otherwise exactly one entry starting with the prefix is the answer; none is
//!    "No such image: <term>"; two or more is an ambiguous prefix naming the term.
//!
//! Uppercase hex never matches (IDs are lowercase). When the index mixes algorithms, a
//! match of another algorithm can sort between two matches of the wanted one; go-digest
//! v1.0.0 then stopped early and reported not found, current go-digest scans the whole run
//! and reports the ambiguity. We follow current go-digest; moby only stores sha256 IDs,
//! where both agree.
//!
//! Storage is one ordered B-tree of raw hash bytes per algorithm (32, 48 or 64 bytes a
//! key): a million sha256 IDs take about 50 MB, a search is two tree descents (well under
//! a microsecond of work), and adding or removing one ID is logarithmic.

use crate::digest::{self, Algorithm, Checked};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// One ID, decoded: its algorithm and raw hash bytes (only `algorithm.size()` are used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageId {
    algorithm: Algorithm,
    bytes: [u8; 64],
}

impl ImageId {
    /// Parses a full digest string; go-digest's errors for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        let (algorithm, encoded) = digest::parse(s)?;
        let mut bytes = [0u8; 64];
        let ok = digest::decode_lower_hex(encoded.as_bytes(), &mut bytes[..algorithm.size()]);
        debug_assert!(ok, "a valid digest is lowercase hex");
        Ok(Self { algorithm, bytes })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn raw(&self) -> &[u8] {
        &self.bytes[..self.algorithm.size()]
    }
}

impl std::fmt::Display for ImageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_id(self.algorithm, self.raw()))
    }
}

fn format_id(algorithm: Algorithm, raw: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(algorithm.name().len() + 1 + raw.len() * 2);
    out.push_str(algorithm.name());
    out.push(':');
    for &b in raw {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

/// A hex prefix as key bounds: the smallest and largest key that start with it.
fn prefix_bounds<const N: usize>(prefix: &[u8]) -> Option<([u8; N], [u8; N])> {
    if prefix.len() > N * 2 {
        return None;
    }
    let (mut lo, mut hi) = ([0u8; N], [0xffu8; N]);
    for (i, &c) in prefix.iter().enumerate() {
        let v = digest::nibble(c)?;
        let (byte, shift) = (i / 2, if i % 2 == 0 { 4 } else { 0 });
        let mask = 0x0f << shift;
        lo[byte] = (lo[byte] & !mask) | (v << shift);
        hi[byte] = (hi[byte] & !mask) | (v << shift);
    }
    Some((lo, hi))
}

/// The IDs of one algorithm, ordered by their bytes (the same order as their hex).
#[derive(Clone, Debug, Default)]
struct Table<const N: usize> {
    keys: BTreeSet<[u8; N]>,
}

impl<const N: usize> Table<N> {
    fn key(raw: &[u8]) -> [u8; N] {
        let mut k = [0u8; N];
        k.copy_from_slice(raw);
        k
    }

    /// Up to two keys starting with `prefix`, and whether one of them equals it.
    fn matches(&self, prefix: &[u8]) -> (Option<[u8; N]>, usize, bool) {
        let Some((lo, hi)) = prefix_bounds::<N>(prefix) else {
            return (None, 0, false);
        };
        if prefix.len() == N * 2 {
            let exact = self.keys.contains(&lo);
            return (exact.then_some(lo), usize::from(exact), exact);
        }
        let mut run = self.keys.range(lo..=hi);
        let first = run.next().copied();
        let count = usize::from(first.is_some()) + usize::from(run.next().is_some());
        (first, count, false)
    }
}

/// A set of image IDs searchable by prefix, with moby's rules.
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    sha256: Table<32>,
    sha384: Table<48>,
    sha512: Table<64>,
}

impl IdIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an index from many IDs at once (bulk-loads the trees).
    pub fn from_ids(ids: impl IntoIterator<Item = ImageId>) -> Self {
        let mut index = Self::new();
        index.extend(ids);
        index
    }

    pub fn len(&self) -> usize {
        self.sha256.keys.len() + self.sha384.keys.len() + self.sha512.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `id`; false when it was already there.
    pub fn insert(&mut self, id: &ImageId) -> bool {
        match id.algorithm {
            Algorithm::Sha256 => self.sha256.keys.insert(Table::key(id.raw())),
            Algorithm::Sha384 => self.sha384.keys.insert(Table::key(id.raw())),
            Algorithm::Sha512 => self.sha512.keys.insert(Table::key(id.raw())),
        }
    }

    /// Adds many IDs; returns how many were new.
    pub fn extend(&mut self, ids: impl IntoIterator<Item = ImageId>) -> usize {
        let before = self.len();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for id in ids {
            match id.algorithm {
                Algorithm::Sha256 => a.push(Table::<32>::key(id.raw())),
                Algorithm::Sha384 => b.push(Table::<48>::key(id.raw())),
                Algorithm::Sha512 => c.push(Table::<64>::key(id.raw())),
            }
        }
        merge(&mut self.sha256.keys, a);
        merge(&mut self.sha384.keys, b);
        merge(&mut self.sha512.keys, c);
        self.len() - before
    }

    /// Removes `id`; false when it was not there (upstream: a no-op).
    pub fn remove(&mut self, id: &ImageId) -> bool {
        match id.algorithm {
            Algorithm::Sha256 => self.sha256.keys.remove(&Table::<32>::key(id.raw())),
            Algorithm::Sha384 => self.sha384.keys.remove(&Table::<48>::key(id.raw())),
            Algorithm::Sha512 => self.sha512.keys.remove(&Table::<64>::key(id.raw())),
        }
    }

    pub fn contains(&self, id: &ImageId) -> bool {
        match id.algorithm {
            Algorithm::Sha256 => self.sha256.keys.contains(&Table::<32>::key(id.raw())),
            Algorithm::Sha384 => self.sha384.keys.contains(&Table::<48>::key(id.raw())),
            Algorithm::Sha512 => self.sha512.keys.contains(&Table::<64>::key(id.raw())),
        }
    }

    /// Every ID as a digest string, ordered by encoded value then algorithm (digestset's
    /// order).
    pub fn ids(&self) -> Vec<String> {
        let mut out: Vec<(Vec<u8>, Algorithm)> = Vec::with_capacity(self.len());
        out.extend(self.sha256.keys.iter().map(|k| (k.to_vec(), Algorithm::Sha256)));
        let single = self.sha384.keys.is_empty() && self.sha512.keys.is_empty();
        out.extend(self.sha384.keys.iter().map(|k| (k.to_vec(), Algorithm::Sha384)));
        out.extend(self.sha512.keys.iter().map(|k| (k.to_vec(), Algorithm::Sha512)));
        if !single {
            // Byte order equals hex order, and a shorter key that is a prefix of a longer
            // one sorts first, as its hex string does.
            out.sort();
        }
        out.into_iter().map(|(raw, alg)| format_id(alg, &raw)).collect()
    }

    /// moby's `Search`: the one ID that `term` names (see the module doc).
    pub fn search(&self, term: &str) -> Result<String> {
        let not_found = || Error::NotFound { message: format!("No such image: {term}") };
        if self.is_empty() {
            return Err(not_found());
        }
        let (only, prefix): (Option<Algorithm>, &str) = match digest::check(term) {
            Checked::Valid { algorithm, encoded } | Checked::WrongLength { algorithm, encoded } => {
                (Some(algorithm), encoded)
            }
            Checked::Unsupported { .. } => return Err(not_found()),
            Checked::Malformed => (None, term),
        };
        let prefix = prefix.as_bytes();
        let wants = |a: Algorithm| only.is_none_or(|o| o == a);

        let mut found: Option<String> = None;
        let mut count = 0usize;
        macro_rules! consult {
            ($table:expr, $alg:expr) => {
                if wants($alg) {
                    let (first, n, exact) = $table.matches(prefix);
                    if let (true, Some(key)) = (exact, first) {
                        return Ok(format_id($alg, &key));
                    }
                    if let Some(first) = first {
                        found.get_or_insert_with(|| format_id($alg, &first));
                    }
                    count += n;
                }
            };
        }
        consult!(self.sha256, Algorithm::Sha256);
        consult!(self.sha384, Algorithm::Sha384);
        consult!(self.sha512, Algorithm::Sha512);
        match (count, found) {
            (1, Some(id)) => Ok(id),
            (0, _) | (_, None) => Err(not_found()),
            _ => Err(Error::AmbiguousPrefix { prefix: term.to_owned() }),
        }
    }
}

fn merge<const N: usize>(keys: &mut BTreeSet<[u8; N]>, mut new: Vec<[u8; N]>) {
    if new.is_empty() {
        return;
    }
    if keys.is_empty() {
        new.sort_unstable();
        new.dedup();
        // Sorted input lets the tree bulk-load.
        *keys = new.into_iter().collect();
    } else {
        keys.extend(new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ImageId {
        ImageId::parse(s).unwrap()
    }

    fn sha(prefix: &str, fill: char, len: usize) -> String {
        let mut s = String::from(prefix);
        while s.len() < len {
            s.push(fill);
        }
        s
    }

    fn lookup_set() -> (IdIndex, Vec<String>) {
        let digests: Vec<String> =
            ["12345", "1234", "12346", "54321", "6543", "6432", "6542", "6532"]
                .iter()
                .map(|p| format!("sha256:{}", sha(p, '1', 64)))
                .collect();
        let index = IdIndex::from_ids(digests.iter().map(|d| id(d)));
        (index, digests)
    }

    #[test]
    fn digestset_lookup_table() {
        let (index, d) = lookup_set();
        assert_eq!(index.search("54").unwrap(), d[3]);
        assert!(matches!(index.search("1234"), Err(Error::AmbiguousPrefix { .. })));
        assert!(matches!(index.search("9876"), Err(Error::NotFound { .. })));
        assert!(matches!(index.search("sha256:1234"), Err(Error::AmbiguousPrefix { .. })));
        assert_eq!(index.search("sha256:12345").unwrap(), d[0]);
        assert_eq!(index.search("sha256:12346").unwrap(), d[2]);
        assert_eq!(index.search("12346").unwrap(), d[2]);
        assert_eq!(index.search("12345").unwrap(), d[0]);
        assert_eq!(index.search(&d[1]).unwrap(), d[1]);
        assert!(matches!(index.search(""), Err(Error::AmbiguousPrefix { .. })));
        assert!(matches!(index.search("sha512:1234"), Err(Error::NotFound { .. })));
        assert!(matches!(index.search("foo:1234"), Err(Error::NotFound { .. })));
        assert!(matches!(index.search("ABCD"), Err(Error::NotFound { .. })));
    }

    #[test]
    fn across_algorithms() {
        let a = format!("sha256:1234{}", "0".repeat(60));
        let c = format!("sha256:1234{}", "1".repeat(60));
        let b = format!("sha512:12340{}", "5".repeat(123));
        let index = IdIndex::from_ids([id(&a), id(&b), id(&c)]);
        assert!(matches!(index.search("sha256:1234"), Err(Error::AmbiguousPrefix { .. })));
        assert_eq!(index.search("sha512:12340").unwrap(), b);
        assert_eq!(index.ids(), vec![a.clone(), b.clone(), c.clone()]);
        // An exact sha256 value wins over a longer sha512 sharing it as a prefix.
        let long = format!("sha512:{}{}", &a[7..], "0".repeat(64));
        let index = IdIndex::from_ids([id(&a), id(&long)]);
        assert_eq!(index.search(&a[7..]).unwrap(), a);
    }

    #[test]
    fn add_remove() {
        let (mut index, d) = lookup_set();
        assert_eq!(index.len(), 8);
        assert!(!index.insert(&id(&d[0])));
        assert_eq!(index.len(), 8);
        assert!(index.insert(&id(&format!("sha384:{}", sha("12345", '1', 96)))));
        assert_eq!(index.len(), 9);
        assert!(index.remove(&id(&d[3])));
        assert!(!index.remove(&id(&d[3])));
        assert!(matches!(index.search("54"), Err(Error::NotFound { .. })));
        assert_eq!(index.extend([id(&d[3]), id(&d[3])]), 1);
        let single = IdIndex::from_ids([id(&d[0])]);
        assert_eq!(single.search("").unwrap(), d[0]);
        assert!(matches!(IdIndex::new().search(""), Err(Error::NotFound { .. })));
    }

    #[test]
    fn bounds_of_odd_prefixes() {
        let (lo, hi) = prefix_bounds::<2>(b"abc").unwrap();
        assert_eq!((lo, hi), ([0xab, 0xc0], [0xab, 0xcf]));
        assert!(prefix_bounds::<2>(b"abcde").is_none());
        assert!(prefix_bounds::<2>(b"ag").is_none());
    }
}
