#!/usr/bin/env bash
# Creates (or reuses) the virtual environment of the Python conformance suite and prints its path.
#
#   tests/python/setup-venv.sh            -> venv at <repo>/target/py-venv
#   HF_PY_VENV=/some/dir setup-venv.sh    -> venv there
#   PYTHON=python3.12 setup-venv.sh       -> another interpreter (default: python3)
#
# Idempotent: a stamp file in the venv records the hash of requirements.txt and the interpreter
# version; when both match, nothing is installed. Only PyPI is needed. Installer output goes to
# stderr so that stdout is exactly the venv path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${HF_PY_VENV:-$root/target/py-venv}"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup-venv: '$python' not found; install Python 3.9+ or set PYTHON" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
    echo "setup-venv: $("$python" --version 2>&1) is too old; huggingface_hub 0.36 needs 3.9+" >&2
    exit 1
fi

# The stamp covers the pins and the interpreter: a new Python needs a new venv.
wanted="$("$python" - "$requirements" <<'PY'
import hashlib, sys
with open(sys.argv[1], "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
print(f"{digest} python-{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}")
PY
)"
stamp="$venv/.requirements.stamp"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "$venv"
    exit 0
fi

# A venv made by another interpreter version is rebuilt rather than patched. Only a folder that
# is a venv (has pyvenv.cfg) is ever removed or reused.
if [[ -f "$stamp" && -f "$venv/pyvenv.cfg" && "$(cut -d' ' -f2 "$stamp")" != "$(cut -d' ' -f2 <<<"$wanted")" ]]; then
    echo "setup-venv: interpreter changed, rebuilding $venv" >&2
    rm -rf "$venv"
fi
if [[ -e "$venv" && ! -f "$venv/pyvenv.cfg" && -n "$(ls -A "$venv" 2>/dev/null)" ]]; then
    echo "setup-venv: $venv exists and is not a virtual environment; refusing to touch it" >&2
    exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup-venv: creating $venv with $("$python" --version 2>&1)" >&2
    "$python" -m venv "$venv" >&2
fi
echo "setup-venv: installing $requirements" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
# Written last: an interrupted install leaves no stamp and is redone next time.
printf '%s\n' "$wanted" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
echo "$venv"
