//! Platform matchers and comparers (containerd `platforms` v1.0 rules).
//!
//! TODO(platforms helper): only, only_strict, ordered, any, all, only_os, moby's fallback.

use crate::platform::Platform;
use std::sync::Arc;

/// Decides whether a candidate platform is acceptable and, among acceptable candidates,
/// which is preferred. Implementations are immutable and shared across threads.
pub trait Matcher: Send + Sync + std::fmt::Debug {
    /// True when `candidate` is acceptable.
    fn matches(&self, candidate: &Platform) -> bool;

    /// True when `a` is preferred to `b`. Matchers without a preference never prefer.
    fn less(&self, _a: &Platform, _b: &Platform) -> bool {
        false
    }
}

/// A matcher shared between the binding layer and worker threads.
pub type SharedMatcher = Arc<dyn Matcher>;
