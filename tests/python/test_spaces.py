"""Spaces (issue 12): the simulated runtime, hardware, sleep time, storage, secrets, variables,
duplication and permissions, driven by the official client; and the `hf` binary reading what
Python set (and the other way round).

The server runs with its default build delay (one second): waits poll the runtime.
"""

import json
import os
import subprocess
import time
import warnings
from pathlib import Path

import pytest
import requests
from huggingface_hub import SpaceStage
from huggingface_hub.utils import BadRequestError, HfHubHTTPError, RepositoryNotFoundError

from conftest import ALICE, ALICE_WRITE, BOB, ENDPOINT

HF_BIN = Path(os.environ.get("HF_CLI_BIN", Path(__file__).resolve().parents[2] / "target/debug/hf"))


def wait_for(api, repo_id, stage="RUNNING", timeout=20.0):
    """Polls the runtime until `stage`; fails naming the last stage."""
    deadline = time.monotonic() + timeout
    while True:
        runtime = api.get_space_runtime(repo_id)
        if runtime.stage == stage:
            return runtime
        assert time.monotonic() < deadline, f"{repo_id} stuck in {runtime.stage}"
        time.sleep(0.05)


def status_of(excinfo) -> int:
    return excinfo.value.response.status_code


def test_runtime_stages_hardware_and_storage(api, make_repo):
    space = make_repo(repo_type="space")
    first = api.get_space_runtime(space)
    assert first.stage in (SpaceStage.BUILDING, SpaceStage.RUNNING)
    assert first.requested_hardware == "cpu-basic"
    running = wait_for(api, space)
    assert running.hardware == "cpu-basic"
    assert running.sleep_time == 172800
    assert running.raw["domains"][0]["stage"] == "READY"

    runtime = api.request_space_hardware(space, "t4-small", sleep_time=3600)
    assert runtime.stage == SpaceStage.BUILDING
    assert runtime.hardware == "cpu-basic"
    assert runtime.requested_hardware == "t4-small"
    assert runtime.sleep_time == 3600
    assert wait_for(api, space).hardware == "t4-small"

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # t4-small: no cpu-basic warning
        assert api.set_space_sleep_time(space, -1).sleep_time == -1

    assert api.pause_space(space).stage == SpaceStage.PAUSED
    assert api.get_space_runtime(space).stage == SpaceStage.PAUSED
    assert api.restart_space(space, factory_reboot=True).stage == SpaceStage.BUILDING
    wait_for(api, space)

    assert api.request_space_storage(space, "small").storage == "small"
    assert api.delete_space_storage(space).storage is None

    # A commit rebuilds the Space; space_info embeds the runtime.
    api.upload_file(path_or_fileobj=b"print(1)", path_in_repo="app.py", repo_id=space, repo_type="space")
    assert api.get_space_runtime(space).stage == SpaceStage.BUILDING
    info = api.space_info(space)
    assert info.runtime.requested_hardware == "t4-small"


def test_unknown_sdk_is_a_runtime_error(api, make_repo):
    space = make_repo(repo_type="space")
    readme = b"---\nsdk: cobol\n---\n"
    api.upload_file(path_or_fileobj=readme, path_in_repo="README.md", repo_id=space, repo_type="space")
    runtime = wait_for(api, space, stage="RUNTIME_ERROR")
    assert "cobol" in runtime.raw["errorMessage"]


def test_create_options_are_the_runtime(api, make_repo):
    space = make_repo(
        repo_type="space",
        space_hardware="a10g-small",
        space_storage="medium",
        space_sleep_time=600,
        space_variables=[{"key": "MODE", "value": "fast", "description": "speed"}],
    )
    runtime = api.get_space_runtime(space)
    assert runtime.requested_hardware == "a10g-small"
    assert runtime.storage == "medium"
    assert runtime.sleep_time == 600
    variables = api.get_space_variables(space)
    assert variables["MODE"].value == "fast"
    assert variables["MODE"].description == "speed"


def test_variables_and_secrets(api, anon_api, make_repo):
    space = make_repo(repo_type="space")
    variables = api.add_space_variable(space, "MODEL_ID", "gpt2", description="the model")
    assert variables["MODEL_ID"].value == "gpt2"
    assert variables["MODEL_ID"].description == "the model"
    assert variables["MODEL_ID"].updated_at is not None
    api.add_space_variable(space, "OTHER", "1")
    left = api.delete_space_variable(space, "OTHER")
    assert list(left) == ["MODEL_ID"]
    # Variables are readable by whoever reads the Space.
    assert anon_api.get_space_variables(space)["MODEL_ID"].value == "gpt2"
    # A change restarts the Space.
    assert api.get_space_runtime(space).stage == SpaceStage.BUILDING

    api.add_space_secret(space, "API_KEY", "s3cret-value", description="the key")
    api.add_space_secret(space, "GONE", "x")
    api.delete_space_secret(space, "GONE")
    api.delete_space_secret(space, "NEVER_SET")  # a missing key is no error
    headers = {"authorization": f"Bearer {ALICE_WRITE}"}
    listed = requests.get(f"{ENDPOINT}/api/spaces/{space}/secrets", headers=headers)
    listed.raise_for_status()
    assert list(listed.json()) == ["API_KEY"]
    assert "s3cret-value" not in listed.text
    assert listed.json()["API_KEY"]["description"] == "the key"


def test_permissions(api, bob_api, alice_read_api, anon_api, make_repo):
    public = make_repo(repo_type="space", suffix="pub")
    private = make_repo(repo_type="space", suffix="priv", private=True)
    for reader in (bob_api, anon_api, alice_read_api):
        reader.get_space_runtime(public)
    with pytest.raises(HfHubHTTPError) as e:
        bob_api.pause_space(public)
    assert status_of(e) == 403
    with pytest.raises(HfHubHTTPError) as e:
        alice_read_api.add_space_variable(public, "A", "1")
    assert status_of(e) == 403
    with pytest.raises(HfHubHTTPError):
        anon_api.restart_space(public)
    with pytest.raises(RepositoryNotFoundError):
        bob_api.get_space_runtime(private)
    with pytest.raises(RepositoryNotFoundError):
        bob_api.duplicate_space(private)
    assert api.get_space_runtime(private).requested_hardware == "cpu-basic"


def test_bad_input(api, make_repo):
    space = make_repo(repo_type="space")
    with pytest.raises(BadRequestError, match="Invalid hardware flavor"):
        api.request_space_hardware(space, "quantum-9000")
    with pytest.raises(BadRequestError, match="sleep time"):
        api.set_space_sleep_time(space, -5)
    with pytest.raises(BadRequestError, match="Invalid key"):
        api.add_space_secret(space, "1BAD", "v")
    with pytest.raises(BadRequestError, match="Invalid key"):
        api.add_space_variable(space, "has-dash", "v")
    with pytest.raises(BadRequestError, match="storage tier"):
        api.request_space_storage(space, "huge")
    assert api.get_space_variables(space) == {}


def test_duplicate(api, bob_api, make_repo, unique):
    src = make_repo(repo_type="space")
    api.upload_file(path_or_fileobj=b"print('hi')", path_in_repo="app.py", repo_id=src, repo_type="space")
    api.add_space_variable(src, "MODE", "demo")
    api.add_space_secret(src, "TOKEN", "alice-only")

    target = f"{ALICE}/{unique}-copy"
    make_repo.created.append((target, "space"))
    url = api.duplicate_space(
        src,
        to_id=target,
        private=True,
        hardware="cpu-upgrade",
        storage="large",
        sleep_time=300,
        variables=[{"key": "EXTRA", "value": "1"}],
    )
    assert url.repo_id == target
    assert url.repo_type == "space"
    runtime = api.get_space_runtime(target)
    assert runtime.requested_hardware == "cpu-upgrade"
    assert runtime.storage == "large"
    assert runtime.sleep_time == 300
    assert {k: v.value for k, v in api.get_space_variables(target).items()} == {"MODE": "demo", "EXTRA": "1"}
    assert api.space_info(target).private is True
    # The source Space got a README.md at creation (issue 15); the copy has it too.
    assert [s.rfilename for s in api.space_info(target).siblings] == [".gitattributes", "README.md", "app.py"]
    with pytest.raises(HfHubHTTPError) as e:
        api.duplicate_space(src, to_id=target)
    assert status_of(e) == 409
    assert api.duplicate_space(src, to_id=target, exist_ok=True).repo_id == target

    # Bob's copy lands in his namespace (whoami) under the source's name.
    bob_url = bob_api.duplicate_space(src)
    assert bob_url.repo_id == f"{BOB}/{src.split('/')[1]}"
    bob_api.delete_repo(bob_url.repo_id, repo_type="space")


def hf(*args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HF_ENDPOINT": ENDPOINT,
        "HF_TOKEN": ALICE_WRITE,
        "HF_HOME": os.environ["HF_HOME"],
    }
    out = subprocess.run([str(HF_BIN), *args], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out


@pytest.mark.skipif(not HF_BIN.exists(), reason=f"build the hf binary first ({HF_BIN})")
def test_rust_and_python_read_each_others_settings(api, make_repo):
    space = make_repo(repo_type="space")
    # Python sets, Rust reads.
    api.add_space_variable(space, "FROM_PYTHON", "py", description="set by python")
    api.request_space_hardware(space, "cpu-upgrade")
    listed = json.loads(hf("spaces", "variables", "ls", space, "--format", "json").stdout)
    assert listed == [
        {"key": "FROM_PYTHON", "value": "py", "description": "set by python", "updatedAt": listed[0]["updatedAt"]}
    ]
    info = json.loads(hf("spaces", "info", space, "--format", "json").stdout)
    assert info["runtime"]["hardware"]["requested"] == "cpu-upgrade"
    # Rust sets, Python reads.
    hf("spaces", "variables", "add", space, "-e", "FROM_RUST=rs")
    hf("spaces", "settings", space, "--hardware", "t4-medium", "--sleep-time", "900")
    hf("spaces", "wait", space, "--timeout", "20s")
    runtime = api.get_space_runtime(space)
    assert runtime.stage == SpaceStage.RUNNING
    assert runtime.hardware == "t4-medium"
    assert runtime.sleep_time == 900
    assert api.get_space_variables(space)["FROM_RUST"].value == "rs"
