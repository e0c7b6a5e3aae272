//! Platform values: parse, format, normalize (containerd `platforms` v1.0 rules).
//!
//! TODO(platforms helper): the module doc is the spec — syntax, alias table, differences
//! from containerd 1.6/1.7.

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
