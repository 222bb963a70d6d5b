#!/usr/bin/env bash
# Creates the project's Python environment (.venv at the repository root) if
# missing and installs what the harnesses need (DuckDB as the reference engine,
# pyarrow). Idempotent: packages already present are not reinstalled.
# Prints the venv's python path as the last line of stdout; progress goes to
# stderr so callers can read the path with `$(scripts/python-env.sh)`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="$venv/bin/python"
packages=(duckdb pyarrow)

if [ ! -x "$python" ]; then
    echo "creating $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv" >&2
fi

missing=()
for p in "${packages[@]}"; do
    if ! "$python" -c "import $p" >/dev/null 2>&1; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} into $venv" >&2
    "$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2
fi

echo "$python"
