"""Inference Endpoints (protocol §8): the official client 0.36.2 against the hub's simulated Endpoints API.

Quirk of 0.36.2: an `InferenceEndpoint` object builds its own `HfApi()` and keeps only the `token=` given to
the call that returned it (not the token of the `HfApi` that made the call), so calls whose objects are used
afterwards pass `token=` explicitly.

The client hard-codes its Endpoints base (`constants.INFERENCE_ENDPOINTS_ENDPOINT`, read at call time), so
each test points it at `{hub}/api/inference-endpoints/v2`. The hub runs with its default delays (pending
200 ms, initializing 300 ms, updating 200 ms). The last test checks that the Rust `hf` binary and the Python
client see each other's endpoints (skipped when the binary was not built).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from huggingface_hub import constants
from huggingface_hub.errors import HfHubHTTPError, InferenceEndpointError, InferenceEndpointTimeoutError

from conftest import ALICE, ALICE_WRITE, ENDPOINT, ORG

ENDPOINTS_BASE = f"{ENDPOINT}/api/inference-endpoints/v2"
HARDWARE = dict(
    token=ALICE_WRITE,
    framework="pytorch",
    accelerator="cpu",
    instance_size="x2",
    instance_type="intel-icl",
    region="us-east-1",
    vendor="aws",
)


@pytest.fixture(autouse=True)
def endpoints_base(monkeypatch):
    monkeypatch.setattr(constants, "INFERENCE_ENDPOINTS_ENDPOINT", ENDPOINTS_BASE)


@pytest.fixture
def model(make_repo) -> str:
    """A model repo of alice with one file (an endpoint needs an existing repository)."""
    return make_repo()


def ep_name(unique: str) -> str:
    # Endpoint names: lowercase letters, digits and '-', at most 32 characters.
    return unique[-24:].strip("-") or "ep"


def test_create_wait_update_pause_resume_scale_delete(api, model, unique):
    name = ep_name(unique)
    endpoint = api.create_inference_endpoint(
        name,
        repository=model,
        task="text-generation",
        min_replica=0,
        max_replica=2,
        scale_to_zero_timeout=15,
        env={"MODE": "fast"},
        secrets={"KEY": "s3cret"},
        type="public",
        domain="ep.example.com",
        path="/models/x",
        cache_http_responses=True,
        tags=["demo"],
        custom_image={"url": "ghcr.io/x/y:1", "health_route": "/health"},
        **HARDWARE,
    )
    assert endpoint.name == name
    assert endpoint.namespace == ALICE  # whoami
    assert endpoint.repository == model
    assert endpoint.status == "pending"
    assert endpoint.url is None
    assert len(endpoint.revision) == 40
    assert endpoint.raw["model"]["image"] == {"custom": {"url": "ghcr.io/x/y:1", "health_route": "/health"}}
    assert endpoint.raw["route"] == {"domain": "ep.example.com", "path": "/models/x"}
    assert "secrets" not in endpoint.raw["model"]
    assert endpoint.created_at.tzinfo is not None

    endpoint.wait(timeout=30, refresh_every=0.05)
    assert endpoint.status == "running"
    assert endpoint.url.startswith(ENDPOINT)

    endpoint.update(max_replica=3, instance_size="x4")
    assert endpoint.status == "updating"
    assert endpoint.raw["compute"]["instanceSize"] == "x4"
    assert endpoint.raw["compute"]["scaling"] == {"minReplica": 0, "maxReplica": 3, "scaleToZeroTimeout": 15}
    endpoint.wait(timeout=30, refresh_every=0.05)

    endpoint.pause()
    assert endpoint.status == "paused" and endpoint.url is None
    endpoint.resume()
    assert endpoint.status == "pending"
    endpoint.wait(timeout=30, refresh_every=0.05)
    # Already running: the client turns the API's 400 into a fetch, or raises with running_ok=False.
    assert api.resume_inference_endpoint(name).status == "running"
    with pytest.raises(HfHubHTTPError) as error:
        api.resume_inference_endpoint(name, running_ok=False)
    assert error.value.response.status_code == 400
    assert "already running" in error.value.response.text

    endpoint.scale_to_zero()
    assert endpoint.status == "scaledToZero"
    assert name in {e.name for e in api.list_inference_endpoints()}
    assert api.get_inference_endpoint(name).status == "scaledToZero"

    endpoint.delete()
    assert name not in {e.name for e in api.list_inference_endpoints()}
    with pytest.raises(HfHubHTTPError) as error:
        api.get_inference_endpoint(name)
    assert error.value.response.status_code == 404


def test_wait_raises_on_failure_and_on_timeout(api, model, unique):
    ghost = api.create_inference_endpoint(ep_name(unique) + "-g", repository=f"{ALICE}/missing-repo", **HARDWARE)
    assert ghost.status == "failed"
    with pytest.raises(InferenceEndpointError):
        ghost.wait(timeout=30, refresh_every=0.05)
    slow = api.create_inference_endpoint(ep_name(unique) + "-s", repository=model, **HARDWARE)
    with pytest.raises(InferenceEndpointTimeoutError):
        slow.wait(timeout=0.01, refresh_every=0.05)
    ghost.delete()
    slow.delete()


def test_namespaces_permissions_and_bad_specs(api, bob_api, alice_read_api, model, unique, monkeypatch):
    # Quirk of 0.36.2: `namespace="*"` lists the user's own endpoints through the module-level function,
    # without the call's token: only the implicit token reaches that request.
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", False)
    monkeypatch.setenv("HF_TOKEN", ALICE_WRITE)
    name = ep_name(unique)
    in_org = api.create_inference_endpoint(name, repository=model, namespace=ORG, **HARDWARE)
    assert in_org.namespace == ORG
    mine = api.create_inference_endpoint(name, repository=model, **HARDWARE)
    everything = api.list_inference_endpoints(namespace="*")
    assert {(e.namespace, e.name) for e in everything} >= {(ALICE, name), (ORG, name)}
    assert [e.name for e in api.list_inference_endpoints(namespace=ORG)] == [name]

    # Names are unique per namespace.
    with pytest.raises(HfHubHTTPError) as error:
        api.create_inference_endpoint(name, repository=model, **HARDWARE)
    assert error.value.response.status_code == 409
    # Only members see; only write tokens change.
    with pytest.raises(HfHubHTTPError) as error:
        bob_api.list_inference_endpoints(namespace=ORG)
    assert error.value.response.status_code == 403
    assert alice_read_api.get_inference_endpoint(name).name == name
    with pytest.raises(HfHubHTTPError) as error:
        alice_read_api.pause_inference_endpoint(name)
    assert error.value.response.status_code == 403
    # Bad specs answer 400 with a message.
    for kwargs, message in [
        (dict(HARDWARE, accelerator="tpu-9000"), "unknown accelerator"),
        (dict(HARDWARE, min_replica=3, max_replica=1), "must not exceed maxReplica"),
    ]:
        with pytest.raises(HfHubHTTPError) as error:
            api.create_inference_endpoint(name + "-x", repository=model, **kwargs)
        assert error.value.response.status_code == 400
        assert message in error.value.response.text
    with pytest.raises(HfHubHTTPError) as error:
        api.create_inference_endpoint(name + "-y", repository="", **HARDWARE)
    assert "model.repository is required" in error.value.response.text

    in_org.delete()
    mine.delete()


def hf_binary() -> Path:
    explicit = os.environ.get("HF_CLI_BINARY")
    if explicit:
        return Path(explicit)
    return Path(__file__).resolve().parents[2] / "target" / "debug" / "hf"


def run_hf(*args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HF_ENDPOINT": ENDPOINT,
        "HF_INFERENCE_ENDPOINTS_ENDPOINT": ENDPOINTS_BASE,
        "HF_HOME": os.environ["HF_HOME"],
        "HF_TOKEN": ALICE_WRITE,
    }
    return subprocess.run([str(hf_binary()), *args], env=env, capture_output=True, text=True, timeout=120)


def test_rust_and_python_see_each_others_endpoints(api, model, unique):
    if not hf_binary().is_file():
        pytest.skip("the hf binary is not built (cargo build -p hf-cli --bin hf)")
    name = ep_name(unique)
    # Rust deploys and waits; Python sees it running.
    out = run_hf(
        "endpoints", "deploy", name + "-r", "--repo", model, "--framework", "pytorch", "--accelerator", "cpu",
        "--instance-size", "x2", "--instance-type", "intel-icl", "--region", "us-east-1", "--vendor", "aws",
        "--wait", "--refresh-every", "0.05", "--timeout", "30",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"]["state"] == "running"
    assert api.get_inference_endpoint(name + "-r").status == "running"
    # Python creates and pauses; Rust lists and describes it.
    api.create_inference_endpoint(name + "-p", repository=model, **HARDWARE).pause()
    out = run_hf("endpoints", "ls", "--format", "json")
    assert out.returncode == 0, out.stderr
    states = {e["name"]: e["status"]["state"] for e in json.loads(out.stdout)}
    assert states[name + "-p"] == "paused" and states[name + "-r"] == "running"
    out = run_hf("endpoints", "delete", name + "-r", "--yes")
    assert out.returncode == 0, out.stderr
    api.delete_inference_endpoint(name + "-p")
    left = {e.name for e in api.list_inference_endpoints()}
    assert not left & {name + "-p", name + "-r"}
