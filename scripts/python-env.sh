#!/usr/bin/env bash
# Creates the project's Python environment (.venv at the repository root) if
# missing and installs scripts/python-requirements.txt into it. Idempotent: a
# stamp of the requirements file skips pip when nothing changed.
# Prints the venv's python path as the last line of stdout; progress goes to
# stderr so callers can read the path with `$(scripts/python-env.sh)`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="$venv/bin/python"
requirements="$root/scripts/python-requirements.txt"
stamp="$venv/.ember-requirements"

if [ ! -x "$python" ]; then
    echo "creating $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv" >&2
fi

if ! cmp -s "$requirements" "$stamp"; then
    echo "installing $(grep -cv '^#' "$requirements") packages into $venv" >&2
    "$python" -m pip install --quiet --disable-pip-version-check --no-cache-dir -r "$requirements" >&2
    cp "$requirements" "$stamp"
fi

echo "$python"
