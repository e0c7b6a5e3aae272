//! The host platform: what `platforms.default_spec()` answers and what one-part specifiers and
//! empty OS fields are completed from.
//!
//! Everything here is a pure function of its inputs — a Go-style OS name, the `uname` machine
//! string and the text of `/proc/cpuinfo` — except [`host`], which reads the real machine once
//! and caches the answer.
//!
//! # CPU variant (containerd `cpuVariant`, asked only on `arm` and `arm64`)
//!
//! * linux: the value of the first `/proc/cpuinfo` line whose key (trimmed, case-insensitive)
//!   is `Cpu architecture`. Without one, the machine: `aarch64` gives `8`; `armvN…` gives `N`
//!   for N in 3..8; any other `armv?…` gives `unknown`; anything else (including strings too
//!   short to hold `armv?`, where Go would index out of range) is an error. On `arm`, a value
//!   of `7` whose `model name` starts with `armv6-compatible` is `6` (early Raspberry Pis).
//!   The value then maps (case-insensitively): `8`/`aarch64` → `v8`; `7`, `7m`, `?(12)`…`?(17)`
//!   → `v7`; `6`, `6tej` → `v6`; `5`, `5t`, `5te`, `5tej` → `v5`; `4`, `4t` → `v4`; `3` → `v3`;
//!   anything else → `unknown`.
//! * windows and darwin: `arm64` → `v8`, `arm` → `v7`; freebsd: `arm64` → `v8`, else `unknown`.
//! * any other OS, and every error (unreadable cpuinfo, bad machine), gives an empty variant,
//!   as upstream logs the error and carries on.
//!
//! The default spec is `os/arch[/variant]` with that variant. Upstream's Windows default also
//! carries the host `os.version` (from `RtlGetNtVersionNumbers`) and the `win32k` feature; this
//! crate has no Windows API access and leaves them empty on a Windows host.

use crate::platform::Platform;
use std::sync::OnceLock;

/// The facts about a machine that platform defaults depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Host {
    /// Go's `GOOS` name (`linux`, `darwin`, `windows` …).
    pub os: String,
    /// Go's `GOARCH` name (`amd64`, `arm64`, `arm` …).
    pub architecture: String,
    /// The CPU variant (`v8`, `v7` …), empty where upstream leaves it empty.
    pub variant: String,
}

impl Host {
    /// The host's default platform (`DefaultSpec`).
    pub fn default_spec(&self) -> Platform {
        Platform::new(&self.os, &self.architecture, &self.variant)
    }
}

/// Go's name for one of Rust's `std::env::consts::OS` values.
pub fn go_os(rust_os: &str) -> &str {
    match rust_os {
        "macos" => "darwin",
        other => other,
    }
}

/// Go's name for one of Rust's `std::env::consts::ARCH` values; `little_endian` picks the
/// `le` flavour where Go has one.
pub fn go_arch(rust_arch: &str, little_endian: bool) -> &str {
    match (rust_arch, little_endian) {
        ("x86_64", _) => "amd64",
        ("x86", _) => "386",
        ("aarch64", true) => "arm64",
        ("aarch64", false) => "arm64be",
        ("arm", true) => "arm",
        ("arm", false) => "armbe",
        ("powerpc64", true) => "ppc64le",
        ("powerpc64", false) => "ppc64",
        ("powerpc", _) => "ppc",
        ("loongarch64", _) => "loong64",
        ("mips", true) => "mipsle",
        ("mips", false) => "mips",
        ("mips64", true) => "mips64le",
        ("mips64", false) => "mips64",
        ("wasm32", _) => "wasm",
        (other, _) => other,
    }
}

/// Go's architecture name for a `uname -m` machine string.
pub fn machine_to_arch(machine: &str) -> String {
    let m = machine.trim().to_ascii_lowercase();
    let arch = match m.as_str() {
        "x86_64" | "amd64" | "x86-64" => "amd64",
        "i386" | "i486" | "i586" | "i686" | "x86" | "i86pc" => "386",
        "aarch64" | "arm64" => "arm64",
        "aarch64_be" | "arm64be" => "arm64be",
        "ppc64le" => "ppc64le",
        "ppc64" => "ppc64",
        "ppc" | "ppcle" => "ppc",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loongarch64" | "loong64" => "loong64",
        "mips" => "mips",
        "mipsel" | "mipsle" => "mipsle",
        "mips64" => "mips64",
        "mips64el" | "mips64le" => "mips64le",
        "sparc64" => "sparc64",
        other if other.starts_with("arm") => "arm",
        other => return other.to_owned(),
    };
    arch.to_owned()
}

/// containerd's `getCPUInfo`: the trimmed value of the first `key: value` line whose key
/// equals `pattern` case-insensitively (only the text up to a second `:` is the value).
pub fn cpuinfo_field<'a>(cpuinfo: &'a str, pattern: &str) -> Option<&'a str> {
    for line in cpuinfo.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut fields = line.split(':');
        let (Some(key), Some(value)) = (fields.next(), fields.next()) else {
            continue;
        };
        if key.trim().to_lowercase() == pattern.to_lowercase() {
            return Some(value.trim());
        }
    }
    None
}

/// containerd's `getCPUVariantFromArch`: the ARM version number from a machine string.
pub fn cpu_variant_from_machine(machine: &str) -> Option<&'static str> {
    let m = machine.to_lowercase();
    if m == "aarch64" {
        return Some("8");
    }
    let b = m.as_bytes();
    if b.len() < 5 || &b[..4] != b"armv" {
        return None;
    }
    Some(match b[4] {
        b'8' => "8",
        b'7' => "7",
        b'6' => "6",
        b'5' => "5",
        b'4' => "4",
        b'3' => "3",
        _ => "unknown",
    })
}

fn arm_variant_name(value: &str) -> &'static str {
    match value.to_lowercase().as_str() {
        "8" | "aarch64" => "v8",
        "7" | "7m" | "?(12)" | "?(13)" | "?(14)" | "?(15)" | "?(16)" | "?(17)" => "v7",
        "6" | "6tej" => "v6",
        "5" | "5t" | "5te" | "5tej" => "v5",
        "4" | "4t" => "v4",
        "3" => "v3",
        _ => "unknown",
    }
}

/// containerd's `cpuVariant` as a pure function. `cpuinfo` is `None` when `/proc/cpuinfo`
/// could not be read.
pub fn cpu_variant_for(os: &str, arch: &str, machine: &str, cpuinfo: Option<&str>) -> String {
    if arch != "arm" && arch != "arm64" {
        return String::new();
    }
    match os {
        "linux" | "android" => {
            let Some(text) = cpuinfo else {
                return String::new();
            };
            let mut value = match cpuinfo_field(text, "Cpu architecture") {
                Some(v) => v.to_owned(),
                None => match cpu_variant_from_machine(machine) {
                    Some(v) => v.to_owned(),
                    None => return String::new(),
                },
            };
            if arch == "arm" && value == "7" {
                let model = cpuinfo_field(text, "model name").unwrap_or("");
                if model.to_lowercase().starts_with("armv6-compatible") {
                    value = "6".to_owned();
                }
            }
            arm_variant_name(&value).to_owned()
        }
        "windows" | "darwin" => match arch {
            "arm64" => "v8".to_owned(),
            _ => "v7".to_owned(),
        },
        "freebsd" => match arch {
            "arm64" => "v8".to_owned(),
            _ => "unknown".to_owned(),
        },
        _ => String::new(),
    }
}

/// The host for a Go OS name, a machine string and cpuinfo text (pure).
pub fn host_for(os: &str, machine: &str, cpuinfo: Option<&str>) -> Host {
    let architecture = machine_to_arch(machine);
    let variant = cpu_variant_for(os, &architecture, machine, cpuinfo);
    Host { os: os.to_owned(), architecture, variant }
}

/// `DefaultSpec` for the given inputs (pure).
pub fn default_spec_for(os: &str, machine: &str, cpuinfo: Option<&str>) -> Platform {
    host_for(os, machine, cpuinfo).default_spec()
}

fn read_host() -> Host {
    let os = go_os(std::env::consts::OS).to_owned();
    let architecture = go_arch(std::env::consts::ARCH, cfg!(target_endian = "little")).to_owned();
    let machine = std::fs::read_to_string("/proc/sys/kernel/arch")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| std::env::consts::ARCH.to_owned());
    let variant = if architecture == "arm" || architecture == "arm64" {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok();
        cpu_variant_for(&os, &architecture, &machine, cpuinfo.as_deref())
    } else {
        String::new()
    };
    Host { os, architecture, variant }
}

/// The real host, read once (the OS and architecture this library was built for, the CPU
/// variant from `/proc/cpuinfo`).
pub fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(read_host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_variant_from_machine_rows() {
        for (input, want) in [
            ("aarch64", Some("8")),
            ("Armv8", Some("8")),
            ("armv7", Some("7")),
            ("armv6", Some("6")),
            ("armv5", Some("5")),
            ("armv4", Some("4")),
            ("armv3", Some("3")),
            ("armv9", Some("unknown")),
            ("armxxxx", None),
            ("armv", None),
            ("arm", None),
        ] {
            assert_eq!(cpu_variant_from_machine(input), want, "{input}");
        }
    }

    #[test]
    fn cpuinfo_decides_before_machine() {
        let pi = "processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nCPU architecture: 7\n";
        assert_eq!(cpu_variant_for("linux", "arm", "armv6l", Some(pi)), "v6");
        assert_eq!(cpu_variant_for("linux", "arm64", "aarch64", Some(pi)), "v7");
        assert_eq!(cpu_variant_for("linux", "arm64", "aarch64", Some("")), "v8");
        assert_eq!(cpu_variant_for("linux", "arm64", "aarch64", None), "");
        assert_eq!(cpu_variant_for("linux", "amd64", "x86_64", Some(pi)), "");
        assert_eq!(cpu_variant_for("darwin", "arm64", "arm64", None), "v8");
        assert_eq!(cpu_variant_for("plan9", "arm", "armv7l", None), "");
    }

    #[test]
    fn default_spec_for_machines() {
        assert_eq!(default_spec_for("linux", "x86_64", None), Platform::new("linux", "amd64", ""));
        assert_eq!(
            default_spec_for("linux", "armv7l", Some("")),
            Platform::new("linux", "arm", "v7")
        );
        assert_eq!(go_arch("aarch64", true), "arm64");
        assert_eq!(go_os("macos"), "darwin");
    }
}
