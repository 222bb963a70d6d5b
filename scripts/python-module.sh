#!/usr/bin/env bash
# Builds the `ember` Python module (python/, pyo3 + maturin) and installs it
# into the project's Python environment (.venv, made by scripts/python-env.sh)
# the way the README documents it: `pip install ./python`.
#
#   scripts/python-module.sh          release build (the engine at full speed;
#                                     ~15 minutes on 2 cores the first time)
#   scripts/python-module.sh --dev    dev profile (dependencies at -O2): a much
#                                     quicker build, what the tests need
#
# Also installs maturin (so later builds need no download) and polars (the
# tests read results with it) into .venv if they are missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=release
case "${1:-}" in
    "") ;;
    --dev) profile=dev ;;
    -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "unknown argument: $1 (use --dev or nothing)" >&2
        exit 2
        ;;
esac

python="$(bash "$root/scripts/python-env.sh")"
# the maturin build hook runs `maturin` from PATH
export PATH="$(dirname "$python"):$PATH"
pip=("$python" -m pip --disable-pip-version-check --no-cache-dir)

missing=()
"$python" -c 'import maturin' 2>/dev/null || missing+=("maturin>=1.9.4,<2")
"$python" -c 'import polars' 2>/dev/null || missing+=("polars>=1")
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} into $(dirname "$(dirname "$python")")" >&2
    "${pip[@]}" install --quiet "${missing[@]}" >&2
fi

echo "building and installing ember ($profile profile)" >&2
# maturin is in the venv already: build without an isolated environment, so
# no download is needed; MATURIN_PEP517_ARGS passes the profile to maturin
if [ "$profile" = dev ]; then
    export MATURIN_PEP517_ARGS="--profile dev"
fi
"${pip[@]}" install --no-build-isolation --force-reinstall --no-deps "$root/python" >&2
"$python" -c 'import ember; print("ember", ember.__version__, "installed from", ember.__file__)'
