"""Logins and resumable uploads shared between the official client and `hf`.

`hf` is the binary of this repo (HF_BINARY, default target/debug/hf: build it with
`cargo build -p hf-cli --bin hf`). Both clients use the same token files under a test HF_HOME and
the same upload state under LOCAL_PATH/.cache/huggingface/.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from huggingface_hub import constants, get_token, login, logout
from huggingface_hub._local_folder import get_local_upload_paths, read_upload_metadata
from huggingface_hub._upload_large_folder import _commit, _compute_sha256, _get_upload_mode, _preupload_lfs
from huggingface_hub.utils import get_stored_tokens

from conftest import ALICE_READ, ALICE_WRITE, ENDPOINT

ROOT = Path(__file__).resolve().parents[2]
HF = os.environ.get("HF_BINARY", str(ROOT / "target" / "debug" / "hf"))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private HF_HOME for both clients (Python's paths are read from constants at call time)."""
    home = tmp_path / "hf-home"
    home.mkdir()
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(home / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(home / "stored_tokens"))
    return home


def hf(*args, home=None, check=True, token=None):
    if not Path(HF).is_file():
        pytest.fail(f"{HF} is missing: cargo build -p hf-cli --bin hf (or set HF_BINARY)")
    env = {"PATH": os.environ.get("PATH", ""), "HF_ENDPOINT": ENDPOINT, "NO_PROXY": "127.0.0.1"}
    if home is not None:
        env["HF_HOME"] = str(home)
    if token is not None:
        env["HF_TOKEN"] = token
    out = subprocess.run([HF, *args], env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def test_hf_login_is_seen_by_python_and_the_reverse(home):
    hf("auth", "login", "--token", ALICE_WRITE, home=home)
    assert get_token() == ALICE_WRITE
    assert list(get_stored_tokens().values()) == [ALICE_WRITE]

    login(token=ALICE_READ)
    assert hf("auth", "token", home=home).stdout.strip() == ALICE_READ
    listed = hf("auth", "list", home=home).stdout
    assert ALICE_READ not in listed and ALICE_WRITE not in listed
    assert len([line for line in listed.splitlines() if line.startswith("*")]) == 1

    hf("auth", "logout", home=home)
    assert get_token() is None and get_stored_tokens() == {}
    login(token=ALICE_WRITE)
    logout()
    assert hf("auth", "token", home=home, check=False).returncode == 1


def test_hf_refuses_a_bad_token_before_saving(home):
    out = hf("auth", "login", "--token", "hf_nobody", home=home, check=False)
    assert out.returncode == 1 and "hf_nobody" not in out.stderr + out.stdout
    assert not (home / "token").exists() and not (home / "stored_tokens").exists()
    assert get_token() is None


def fill(root: Path, n: int) -> dict:
    files = {}
    for i in range(n):
        files[f"d{i % 5}/f{i}.txt"] = f"small file {i}\n".encode()
    for k in range(2):
        files[f"w{k}.bin"] = bytes((i * 31 + k) % 256 | 0x80 for i in range(150_000))
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    return files


def check_repo(api, repo_id: str, files: dict, tmp: Path):
    """Every file is there, and a few read back byte for byte."""
    assert sorted(f for f in api.list_repo_files(repo_id) if f != ".gitattributes") == sorted(files)
    for rel in ["d0/f0.txt", "d4/f99.txt", "w0.bin", "w1.bin"]:
        path = api.hf_hub_download(repo_id, rel, cache_dir=str(tmp / "dl"))
        assert Path(path).read_bytes() == files[rel]


def test_python_started_upload_resumed_by_hf(api, repo, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    files = fill(folder, 120)
    # Python does every step for all files and commits half of them, then "stops".
    items = []
    for rel in sorted(files):
        paths = get_local_upload_paths(folder, rel)
        items.append((paths, read_upload_metadata(folder, rel)))
    for item in items:
        _compute_sha256(item)
    for start in range(0, len(items), 100):
        _get_upload_mode(items[start : start + 100], api=api, repo_id=repo, repo_type="model", revision="main")
    for item in items:
        if item[1].upload_mode == "lfs":
            _preupload_lfs([item], api=api, repo_id=repo, repo_type="model", revision="main")
    done = items[: len(items) // 2]
    _commit(done, api=api, repo_id=repo, repo_type="model", revision="main")
    before = {p.path_in_repo: p.metadata_path.read_text() for p, _ in done}

    hf("upload-large-folder", repo, str(folder), "--no-report", token=ALICE_WRITE)
    # Files Python had committed were left alone (their state was not even rewritten); the rest
    # are committed now.
    for p, _ in done:
        assert p.metadata_path.read_text() == before[p.path_in_repo]
    for p, _ in items:
        assert read_upload_metadata(folder, p.path_in_repo).is_committed
    check_repo(api, repo, files, tmp_path)


def test_hf_started_upload_resumed_by_python(api, repo, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    files = fill(folder, 600)
    env = {"PATH": os.environ.get("PATH", ""), "HF_ENDPOINT": ENDPOINT, "HF_TOKEN": ALICE_WRITE}
    proc = subprocess.Popen(
        [HF, "upload-large-folder", repo, str(folder), "--no-report", "--num-workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = folder / ".cache" / "huggingface" / "upload"
    deadline = time.time() + 120
    # Killed (SIGKILL) as soon as it saved a first committed file.
    while time.time() < deadline and proc.poll() is None:
        if any(p.read_text().endswith("\n1\n") for p in state.rglob("*.metadata") if p.is_file()):
            break
        time.sleep(0.02)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    committed = sum(read_upload_metadata(folder, rel).is_committed for rel in files)
    assert committed >= 1

    api.upload_large_folder(
        repo_id=repo, folder_path=str(folder), repo_type="model", num_workers=2, print_report=False
    )
    check_repo(api, repo, files, tmp_path)
