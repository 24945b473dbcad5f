#!/usr/bin/env bash
# Runs the official Python client (huggingface_hub, pinned in requirements.txt) against hf-local-hub.
#
#   tests/python/run-conformance.sh [HUB_BINARY] [PYTEST_ARGS...]
#
# Without HUB_BINARY (or when the first argument starts with "-") it builds
# target/debug/hf-local-hub first. Remaining arguments go to pytest (e.g. -k upload -x).
# HF_LOCAL_HUB_ARGS adds server flags (split on spaces), e.g. HF_LOCAL_HUB_ARGS="--fault flip=0"
# to check that the suite notices a misbehaving server.
# The server gets a fresh temporary data dir and the client a fresh HF_HOME; both are removed at
# exit, and the server is stopped. The exit status is pytest's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ $# -ge 1 && "$1" != -* ]]; then
    hub="$1"
    shift
else
    echo "run-conformance: building hf-local-hub" >&2
    (cd "$root" && cargo build --package hf-local-hub --bin hf-local-hub)
    hub="$root/target/debug/hf-local-hub"
fi
if [[ ! -x "$hub" ]]; then
    echo "run-conformance: $hub is not an executable" >&2
    exit 2
fi

venv="$("$here/setup-venv.sh")"

work="$(mktemp -d "${TMPDIR:-/tmp}/hf-conformance.XXXXXX")"
server_pid=""
pytest_pid=""
status=1

cleanup() {
    if [[ -n "$pytest_pid" ]] && kill -0 "$pytest_pid" 2>/dev/null; then
        kill -TERM "$pytest_pid" 2>/dev/null || true
        wait "$pytest_pid" 2>/dev/null || true
    fi
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        # A graceful stop finishes in-flight writes; give it 5 s, then insist. (Polling with
        # kill -0 would not work: the exited child stays a zombie until waited for.)
        (sleep 5 && kill -KILL "$server_pid" 2>/dev/null) >/dev/null 2>&1 &
        local killer=$!
        wait "$server_pid" 2>/dev/null || true
        kill "$killer" 2>/dev/null || true
    fi
    if [[ "$status" -ne 0 && -s "$work/server.log" ]]; then
        echo "run-conformance: last lines of the server log:" >&2
        tail -n 40 "$work/server.log" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r -a extra_args <<<"${HF_LOCAL_HUB_ARGS:-}"
# Users and tokens: tests/python/conftest.py relies on exactly these. The canonical repos (ids
# without namespace, which only an admin creates) are those test_fidelity_ids.py reads.
"$hub" \
    --addr 127.0.0.1:0 \
    --data-dir "$work/data" \
    --user alice:hf_alice_write \
    --read-token alice:hf_alice_read \
    --user "bob:hf_bob_write:Bob Builder" \
    --org acme:alice \
    --papers "$here/fixtures/papers.json" \
    --profiles "$here/fixtures/profiles.json" \
    --follow bob:alice \
    --canonical-repo gpt2 \
    --canonical-repo datasets/squad \
    ${extra_args[@]+"${extra_args[@]}"} \
    >"$work/server.out" 2>"$work/server.log" &
server_pid=$!

# The first stdout line announces the address once the socket accepts connections.
endpoint=""
for _ in $(seq 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run-conformance: hf-local-hub exited before listening:" >&2
        cat "$work/server.out" "$work/server.log" >&2
        exit 1
    fi
    # Only a complete (newline-terminated) first line counts: a partial one could cut the port.
    line=""
    if [[ "$(wc -l <"$work/server.out")" -ge 1 ]]; then
        line="$(head -n 1 "$work/server.out")"
    fi
    if [[ "$line" =~ ^hf-local-hub\ listening\ on\ (http://[^[:space:]]+)$ ]]; then
        endpoint="${BASH_REMATCH[1]}"
        break
    fi
    sleep 0.1
done
if [[ -z "$endpoint" ]]; then
    echo "run-conformance: no 'hf-local-hub listening on http://HOST:PORT' line within 30 s" >&2
    exit 1
fi
echo "run-conformance: hf-local-hub at $endpoint (pid $server_pid)" >&2

# A clean client environment: no stored or ambient token, no Xet, no telemetry, no proxy.
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_HUB_OFFLINE TRANSFORMERS_OFFLINE HF_HUB_ENABLE_HF_TRANSFER
unset HUGGINGFACE_CO_STAGING HF_HUB_ETAG_TIMEOUT HF_HUB_DOWNLOAD_TIMEOUT
export HF_ENDPOINT="$endpoint"
export HF_HOME="$work/hf-home"
export HF_HUB_CACHE="$work/hf-home/hub"
export HF_TOKEN_PATH="$work/hf-home/token"
export HF_HUB_DISABLE_TELEMETRY=1
export HF_HUB_DISABLE_XET=1
export HF_HUB_DISABLE_PROGRESS_BARS=1
export HF_HUB_DISABLE_IMPLICIT_TOKEN=1
export NO_PROXY="127.0.0.1,localhost"
export no_proxy="$NO_PROXY"
export PYTHONDONTWRITEBYTECODE=1

# In the background so that a signal to this script runs the trap at once (bash defers traps
# while a foreground command runs); `wait` returns early on a trapped signal.
(cd "$here" && exec "$venv/bin/python" -m pytest "$@") &
pytest_pid=$!
set +e
wait "$pytest_pid"
status=$?
set -e
pytest_pid=""
exit "$status"
