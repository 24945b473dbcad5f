#!/usr/bin/env bash
# Cache interop between `hf` and the official Python client, 0.36 and the newest release.
#
#   tests/interop/run-interop.sh HUB_BINARY HF_BINARY
#
# Each client version gets its own virtual environment under target/ (created once, reused while
# its requirements file is unchanged). Exit status: non-zero if any direction fails for any version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
hub="${1:?usage: run-interop.sh HUB_BINARY HF_BINARY}"
hf="${2:?usage: run-interop.sh HUB_BINARY HF_BINARY}"

venv_for() {
    local requirements="$1" venv="$2"
    local wanted
    wanted="$(sha256sum "$requirements" | cut -d' ' -f1) $(python3 --version 2>&1)"
    if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.stamp" 2>/dev/null)" != "$wanted" ]]; then
        echo "run-interop: installing $(basename "$requirements") into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
        printf '%s\n' "$wanted" >"$venv/.stamp"
    fi
}

status=0
for version in 0.36 latest; do
    venv="$root/target/interop-venv-$version"
    venv_for "$here/requirements-$version.txt" "$venv"
    echo "== cache interop with huggingface_hub $version" >&2
    "$venv/bin/python" "$here/interop.py" "$hub" "$hf" || status=1
done
exit "$status"
