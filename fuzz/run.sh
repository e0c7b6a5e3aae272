#!/usr/bin/env bash
# Fuzz every parser of the Rust core for a bounded time; any crash, failed invariant,
# hang (one input over FUZZ_TIMEOUT seconds) or memory blow-up fails the run.
#
#   fuzz/run.sh                  every target, FUZZ_SECONDS each (default 60)
#   FUZZ_SECONDS=600 fuzz/run.sh reference platform
#
# Needs cargo-fuzz (installed from crates.io when missing) and libFuzzer's -Z flags, which
# the stable toolchain accepts with RUSTC_BOOTSTRAP=1: no nightly is needed.
#
# Corpora: fuzz/corpus/<target> (not committed) starts from seeds written by make_seeds.py
# out of the Python tests' inputs and keeps what the fuzzer finds between runs;
# fuzz/seeds/<target> (committed) holds regression inputs of past findings. A crashing
# input is saved under fuzz/artifacts/<target>/; replay it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run -a <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
RSS_LIMIT_MB="${FUZZ_RSS_LIMIT_MB:-2048}"
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${targets[*]} (address sanitizer, debug assertions)"
# -a: overflow checks and debug assertions on, so silent wrap-arounds count as findings.
cargo fuzz build -a

python3 make_seeds.py corpus >/dev/null
mkdir -p artifacts/logs

failed=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "seeds/$target"
    log="artifacts/logs/$target.log"
    echo "== $target: ${SECONDS_PER_TARGET}s"
    if cargo fuzz run -a "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT" \
        -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^Done ' "$log" | tail -2 | sed 's/^/   /'
    else
        failed+=("$target")
        echo "!! $target failed; the end of $log:" >&2
        tail -n 60 "$log" >&2
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "== fuzzing clean: ${targets[*]}"
