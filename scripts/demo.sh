#!/usr/bin/env bash
# The main job: build Ember, generate TPC-H SF 0.1 (once), run the 22
# queries, check them against the reference answers and print the timings.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin ember
./target/release/ember bench tpch --sf "${SF:-0.1}" --runs "${RUNS:-1}" "$@"
