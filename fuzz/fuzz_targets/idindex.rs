//! The image-ID prefix index against a plain model: a sorted list of ID strings searched
//! by scanning with `starts_with`.
//!
//! The input is a sequence of operations. IDs are drawn from a small space (a few varying
//! leading hex digits, the rest fixed) so that prefixes collide, ambiguities and exact
//! matches happen, and removals hit present IDs.
//!
//! Invariants: after every operation the index holds exactly the model's IDs, in the
//! model's order; `insert`, `remove` and `contains` report what the model says; `search`
//! gives the same ID or the same error as moby's rules applied to the model.
#![no_main]

use _core::digest::{self, Algorithm, Checked};
use _core::idindex::{IdIndex, ImageId};
use _core::Error;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Id {
    algorithm: u8,
    /// The leading hex digits; the rest of the ID is a fixed filler.
    head: [u8; 3],
    filler: bool,
}

impl Id {
    fn algorithm(&self) -> Algorithm {
        [Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512][usize::from(self.algorithm % 3)]
    }

    fn to_digest(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let algorithm = self.algorithm();
        let mut hex: String = self.head.iter().map(|&b| HEX[usize::from(b % 16)] as char).collect();
        let fill = if self.filler { 'f' } else { '0' };
        hex.extend(std::iter::repeat_n(fill, algorithm.hex_len() - hex.len()));
        format!("{}:{hex}", algorithm.name())
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(Id),
    Remove(Id),
    Extend(Vec<Id>),
    Contains(Id),
    /// A prefix of the `pick`-th ID in the model, `len` characters of its encoded part,
    /// with or without its algorithm.
    SearchPrefix {
        pick: u16,
        len: u8,
        qualified: bool,
    },
    /// Any term at all.
    Search(String),
}

/// moby's rules (see `rust/idindex.rs`) over the model.
fn model_search(model: &[String], term: &str) -> Result<String, Error> {
    let not_found = || Error::NotFound { message: format!("No such image: {term}") };
    if model.is_empty() {
        return Err(not_found());
    }
    let (algorithm, prefix) = match digest::check(term) {
        Checked::Valid { algorithm, encoded } | Checked::WrongLength { algorithm, encoded } => {
            (Some(algorithm.name()), encoded)
        }
        Checked::Unsupported { .. } => return Err(not_found()),
        Checked::Malformed => (None, term),
    };
    let mut hits = model.iter().filter(|id| {
        let (alg, encoded) = id.split_once(':').unwrap();
        algorithm.is_none_or(|a| a == alg) && encoded.starts_with(prefix)
    });
    let candidates: Vec<&String> = hits.by_ref().collect();
    if let Some(exact) = candidates.iter().find(|id| id.split_once(':').unwrap().1 == prefix) {
        return Ok((*exact).clone());
    }
    match candidates.as_slice() {
        [] => Err(not_found()),
        [one] => Ok((*one).clone()),
        _ => Err(Error::AmbiguousPrefix { prefix: term.to_owned() }),
    }
}

/// digestset's order: by encoded part, then algorithm (a shorter encoded part that is a
/// prefix of a longer one first).
fn sort_model(model: &mut [String]) {
    model.sort_by(|a, b| {
        let (aa, ae) = a.split_once(':').unwrap();
        let (ba, be) = b.split_once(':').unwrap();
        (ae, aa).cmp(&(be, ba))
    });
}

fuzz_target!(|ops: Vec<Op>| {
    let mut index = IdIndex::new();
    let mut model: Vec<String> = Vec::new();
    for op in ops.iter().take(64) {
        match op {
            Op::Insert(id) => {
                let d = id.to_digest();
                let new = !model.contains(&d);
                assert_eq!(index.insert(&ImageId::parse(&d).unwrap()), new);
                if new {
                    model.push(d);
                }
            }
            Op::Remove(id) => {
                let d = id.to_digest();
                let present = model.contains(&d);
                assert_eq!(index.remove(&ImageId::parse(&d).unwrap()), present);
                model.retain(|m| *m != d);
            }
            Op::Extend(ids) => {
                let before = model.len();
                for id in ids {
                    let d = id.to_digest();
                    if !model.contains(&d) {
                        model.push(d);
                    }
                }
                let added =
                    index.extend(ids.iter().map(|id| ImageId::parse(&id.to_digest()).unwrap()));
                assert_eq!(added, model.len() - before);
            }
            Op::Contains(id) => {
                let d = id.to_digest();
                assert_eq!(index.contains(&ImageId::parse(&d).unwrap()), model.contains(&d));
            }
            Op::SearchPrefix { pick, len, qualified } => {
                if model.is_empty() {
                    continue;
                }
                let id = &model[usize::from(*pick) % model.len()];
                let (alg, encoded) = id.split_once(':').unwrap();
                let prefix = &encoded[..usize::from(*len).min(encoded.len())];
                let term = if *qualified { format!("{alg}:{prefix}") } else { prefix.to_owned() };
                assert_eq!(index.search(&term), model_search(&model, &term), "term {term:?}");
            }
            Op::Search(term) => {
                assert_eq!(index.search(term), model_search(&model, term), "term {term:?}");
            }
        }
        sort_model(&mut model);
        assert_eq!(index.len(), model.len());
        assert_eq!(index.ids(), model);
    }
});
