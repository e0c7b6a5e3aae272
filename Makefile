# One entry point for every check. `.ci/run` calls these same targets; README names two.
#   make demo    set up everything and run the main job on the embedded example layout
#   make test    build the release wheel, install it into .venv, run the whole pytest suite
#   make check   cargo test, clippy -D warnings, rustfmt, ruff, mypy --strict, mypy.stubtest
#   make bench   the benchmarks in benches/ (pytest-benchmark), with their plain-Python baselines
#   make dev     a quick debug build into .venv for hacking (not what the tests use)
#   make fuzz    every cargo-fuzz target for FUZZ_SECONDS (default 60) each; fails on a finding
#   make aarch64-test  the core's tests built for aarch64 and run under qemu-user (the portable
#                paths the x86_64 build replaces with SSE2); needs the rustup target
#                aarch64-unknown-linux-gnu and Debian's gcc-aarch64-linux-gnu and qemu-user

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.deps-installed

.PHONY: demo test check bench dev wheel venv cargo-test clippy fmt-check ruff typecheck stubtest fuzz clean aarch64-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "maturin>=1.7,<2" orjson "urllib3>=2,<3" pytest hypothesis \
		pytest-benchmark pytest-timeout docker-image-py cryptography mypy ruff
	touch $(STAMP)

venv: $(STAMP)

# The tests run against the package as users get it: a release wheel, installed.
SOURCES := Cargo.toml Cargo.lock pyproject.toml README.md $(shell find rust python -type f -not -name '*.pyc')
WHEEL_STAMP := dist/.installed

$(WHEEL_STAMP): $(STAMP) $(SOURCES)
	rm -rf dist
	$(BIN)/maturin build --release --quiet --out dist
	$(BIN)/pip install --quiet --no-deps --force-reinstall dist/imagelookup-*.whl
	touch $(WHEEL_STAMP)

wheel: $(WHEEL_STAMP)

demo: wheel
	$(BIN)/imagelookup platform
	$(BIN)/imagelookup platform linux/arm64 armhf "windows(10.0.20348)/amd64"
	$(BIN)/imagelookup resolve demo:1.0 --platform linux/arm64 --store examples/oci-layout

test: wheel
	$(BIN)/pytest -q tests

check: cargo-test clippy fmt-check ruff typecheck stubtest

cargo-test:
	cargo test --quiet

clippy:
	cargo clippy --quiet --all-targets -- -D warnings
	cargo clippy --quiet --all-targets --features python -- -D warnings

fmt-check:
	cargo fmt --check

ruff: $(STAMP)
	$(BIN)/ruff check python tests benches
	$(BIN)/ruff format --check python tests benches

# The Python layer, typed against the hand-written _core.pyi (strict = true in pyproject.toml).
typecheck: $(STAMP)
	$(BIN)/mypy --strict python/imagelookup

stubtest: wheel
	cd /tmp && $(CURDIR)/$(BIN)/python -m mypy.stubtest imagelookup._core \
		--allowlist $(CURDIR)/python/stubtest-allowlist.txt

bench: wheel
	$(BIN)/pytest -q benches --benchmark-only --benchmark-columns=median,ops,rounds \
		--benchmark-sort=name

fuzz:
	fuzz/run.sh

aarch64-test:
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
		cargo test --release --quiet --target aarch64-unknown-linux-gnu

dev: $(STAMP)
	rm -f $(WHEEL_STAMP)
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/maturin develop --quiet

clean:
	rm -rf dist target $(VENV)
