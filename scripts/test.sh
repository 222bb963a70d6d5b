#!/usr/bin/env bash
# The whole test suite, from a fresh clone: unit tests, the sqllogictest
# files, TPC-H at SF 0.01 against the reference answers, the Spark
# golden-file allow-list, the CLI, and the PySpark Connect tests (pytest
# against `ember server`, with the pyspark-client package installed into
# .venv by scripts/python-env.sh). Debug builds (dependencies at -O2).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is required (https://rustup.rs)" >&2
    exit 1
fi
# A test run builds once from a clean tree: incremental caches (over 1 GiB)
# would only cost disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# the default members: the pyo3 crate (python/) is built by maturin below
cargo build --all-targets
status=0
cargo test --no-fail-fast || status=$?
python="$(bash scripts/python-env.sh)"
bash scripts/python-module.sh --dev || status=$?
"$python" -m pytest -q tests/python || status=$?
du -sh "${CARGO_TARGET_DIR:-target}" >&2 || true
exit $status
