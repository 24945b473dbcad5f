"""Cache interop between the `hf` binary (Rust) and the official Python client.

Usage: interop.py HUB_BINARY HF_BINARY   (run with the venv's python; see run-interop.sh)

Starts hf-local-hub, publishes a repo with the Python client (a regular file, a nested one, an LFS
file matched by .gitattributes), then checks both directions, for the cache and for local_dir mode:
  Python downloads -> `hf download` offline finds every file (the endpoint then points at a closed port);
  `hf download` -> Python hf_hub_download / snapshot_download(local_files_only=True) find every file and
  scan_cache_dir() reports the same repo, revision, files and sizes as `hf cache scan`, with no warnings;
  local_dir: each side reuses the other's files without downloading them again.
Uploads, both ways: `hf upload` (a folder with a multipart LFS file, a single file, tags and branches) ->
Python lists the files, commits and refs and downloads every file byte for byte; Python uploads -> `hf ls`
and `hf tag list` report them.
Prints `N passed, N failed` last; exits non-zero on any failure.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

HUB, HF = sys.argv[1], sys.argv[2]
TOKEN = "hf_interop_write"
FILES = {
    "config.json": b'{"model_type": "interop"}\n',
    "nested/dir/notes.txt": b"hello from python\n" * 10,
    "weights.bin": bytes(range(256)) * 4096,  # 1 MiB, LFS by the default .gitattributes
}

work = Path(tempfile.mkdtemp(prefix="hf-interop-"))
server = subprocess.Popen(
    # 1 MiB parts: the larger uploads below go through multipart transfers.
    [HUB, "--addr", "127.0.0.1:0", "--data-dir", str(work / "data"), "--user", f"interop:{TOKEN}",
     "--multipart-chunk-size", str(1 << 20)],
    stdout=subprocess.PIPE,
    text=True,
)
first = server.stdout.readline().strip()
ENDPOINT = first.removeprefix("hf-local-hub listening on ")
assert ENDPOINT.startswith("http://127.0.0.1:"), first
DEAD = "http://127.0.0.1:9"  # nothing listens there: any request would fail loudly

# huggingface_hub reads these at import time.
os.environ.update(
    HF_ENDPOINT=ENDPOINT,
    HF_HOME=str(work / "py-home"),
    HF_HUB_DISABLE_XET="1",
    HF_HUB_DISABLE_TELEMETRY="1",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
)
for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE"):
    os.environ.pop(var, None)

import huggingface_hub  # noqa: E402
from huggingface_hub import HfApi, hf_hub_download, scan_cache_dir, snapshot_download  # noqa: E402

api = HfApi(endpoint=ENDPOINT, token=TOKEN)
REPO = "interop/model"
source = work / "source"
for name, data in FILES.items():
    (source / name).parent.mkdir(parents=True, exist_ok=True)
    (source / name).write_bytes(data)
api.create_repo(REPO)
api.upload_folder(repo_id=REPO, folder_path=str(source))
COMMIT = api.model_info(REPO).sha
ALL = sorted(set(FILES) | {".gitattributes"})


def hf_output(*args, cache=None, offline=False, endpoint=None):
    """Runs the `hf` binary with its own HF_HOME; returns its standard output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=endpoint or ENDPOINT, HF_TOKEN=TOKEN, HF_HOME=str(work / "rs-home"))
    if cache:
        env["HF_HUB_CACHE"] = str(cache)
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    out = subprocess.run([HF, *args], env=env, capture_output=True, text=True)
    assert out.returncode == 0, f"hf {' '.join(args)} failed:\n{out.stderr}"
    return out.stdout


def hf(*args, **kwargs):
    """`hf download ...`; returns the path it prints last."""
    lines = hf_output(*args, "--quiet", **kwargs).strip().splitlines()
    assert lines, f"hf {' '.join(args)} printed nothing"
    return lines[-1]


def check_files(folder: Path, names):
    for name in names:
        path = folder / name
        want = FILES.get(name)
        assert path.is_file(), f"{path} missing"
        if want is not None:
            assert path.read_bytes() == want, f"{path}: content differs"


def python_cache_to_rust():
    cache = work / "cache-py"
    folder = Path(snapshot_download(REPO, cache_dir=cache, token=TOKEN))
    check_files(folder, FILES)
    # Offline, with the endpoint on a closed port: everything must come from the cache.
    path = hf("download", REPO, cache=cache, offline=True, endpoint=DEAD)
    assert Path(path) == folder, (path, folder)
    check_files(Path(path), FILES)
    one = hf("download", REPO, "nested/dir/notes.txt", cache=cache, offline=True, endpoint=DEAD)
    assert Path(one).read_bytes() == FILES["nested/dir/notes.txt"]
    pinned = hf("download", REPO, "weights.bin", "--revision", COMMIT, cache=cache, offline=True, endpoint=DEAD)
    assert Path(pinned).read_bytes() == FILES["weights.bin"]


def rust_cache_to_python():
    cache = work / "cache-rs"
    folder = Path(hf("download", REPO, cache=cache))
    check_files(folder, ALL)
    for name in ALL:
        path = hf_hub_download(REPO, name, cache_dir=cache, local_files_only=True)
        assert Path(path) == folder / name, (path, folder / name)
    for revision in ("main", COMMIT):
        snap = snapshot_download(REPO, cache_dir=cache, revision=revision, local_files_only=True)
        assert Path(snap) == folder
    info = scan_cache_dir(cache)
    assert not info.warnings, f"Python reports warnings on our cache: {info.warnings}"
    ours = json.loads(hf_output("cache", "scan", "--format", "json", cache=cache))
    assert len(info.repos) == 1 and len(ours["repos"]) == 1
    (py_repo,), rs_repo = tuple(info.repos), ours["repos"][0]
    assert py_repo.repo_id == rs_repo["repo_id"] == REPO
    assert py_repo.size_on_disk == rs_repo["size_on_disk"], (py_repo.size_on_disk, rs_repo["size_on_disk"])
    assert py_repo.nb_files == rs_repo["nb_files"] == len(ALL)
    (py_rev,) = tuple(py_repo.revisions)
    assert py_rev.commit_hash == rs_repo["revisions"][0]["commit_hash"] == COMMIT
    assert set(py_rev.refs) == {"main"}
    assert sorted(f.file_name for f in py_rev.files) == sorted(Path(n).name for n in ALL)


def python_local_dir_to_rust():
    local = work / "local-py"
    snapshot_download(REPO, local_dir=local, token=TOKEN)
    stamps = {n: (local / n).stat().st_mtime_ns for n in FILES}
    # Online: the metadata Python wrote tells us every file is current; nothing is rewritten.
    path = hf("download", REPO, "--local-dir", str(local), cache=work / "unused-rs")
    assert Path(path).resolve() == local.resolve(), (path, local)
    check_files(local, FILES)
    for name, stamp in stamps.items():
        assert (local / name).stat().st_mtime_ns == stamp, f"{name} was downloaded again"
    offline = hf("download", REPO, "config.json", "--local-dir", str(local), offline=True, endpoint=DEAD)
    assert Path(offline).read_bytes() == FILES["config.json"]


def rust_uploads_to_python():
    repo = "interop/from-rust"
    source = work / "upload-rs"
    files = {
        "config.json": b'{"from": "rust"}\n',
        "deep/nested/readme.txt": "héllo\n".encode() * 100,
        "weights/model.bin": bytes(range(251)) * 10_000,  # 2.4 MiB: LFS, multipart in 1 MiB parts
        "empty.txt": b"",
    }
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    (source / ".git").mkdir()
    (source / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
    hf_output("upload", repo, str(source), "--commit-message", "First upload", "--quiet")
    single = work / "single.bin"
    single.write_bytes(bytes(range(256)) * 64)
    hf_output("upload", repo, str(single), "extra/single.bin", "--quiet")
    files["extra/single.bin"] = single.read_bytes()
    hf_output("tag", "create", repo, "v1", "-m", "first release")
    hf_output("branch", "create", repo, "dev")
    hf_output("upload", repo, str(single), "dev-only.bin", "--revision", "dev", "--quiet")

    listed = set(api.list_repo_files(repo))
    assert listed == set(files) | {".gitattributes"}, listed
    for name, data in files.items():
        path = hf_hub_download(repo, name, cache_dir=work / "py-reads", token=TOKEN)
        assert Path(path).read_bytes() == data, f"{name}: Python read other bytes than Rust uploaded"
    lfs = {f.path: f for f in api.list_repo_tree(repo, recursive=True) if getattr(f, "lfs", None)}
    assert "weights/model.bin" in lfs and lfs["weights/model.bin"].size == len(files["weights/model.bin"]), lfs
    titles = [c.title for c in api.list_repo_commits(repo)]
    assert titles[:2] == ["Upload extra/single.bin with hf-api", "First upload"], titles
    refs = api.list_repo_refs(repo)
    head = api.model_info(repo).sha
    assert {t.name: t.target_commit for t in refs.tags} == {"v1": head}, refs.tags
    branches = {b.name: b.target_commit for b in refs.branches}
    assert set(branches) == {"main", "dev"} and branches["main"] == head, branches
    assert api.file_exists(repo, "dev-only.bin", revision="dev")
    assert not api.file_exists(repo, "dev-only.bin")
    hf_output("upload", repo, str(source), "--delete", "*.txt", "--include", "*.json", "--quiet")
    assert set(api.list_repo_files(repo)) == {".gitattributes", "config.json", "weights/model.bin", "extra/single.bin"}


def python_uploads_to_rust():
    repo = "interop/from-python"
    api.create_repo(repo)
    api.upload_file(repo_id=repo, path_or_fileobj=FILES["weights.bin"] * 2, path_in_repo="w/big.bin")
    api.upload_file(repo_id=repo, path_or_fileobj=b"hi\n", path_in_repo="hi.txt")
    api.create_tag(repo, tag="v2", tag_message="py")
    entries = json.loads(hf_output("ls", repo, "-R", "--format", "json"))
    sizes = {e["path"]: e.get("size") for e in entries if e["type"] == "file"}
    assert sizes == {".gitattributes": sizes.get(".gitattributes"), "w/big.bin": 2 * len(FILES["weights.bin"]), "hi.txt": 3}, sizes
    tags = json.loads(hf_output("tag", "list", repo, "--format", "json"))
    assert [t["name"] for t in tags] == ["v2"] and tags[0]["targetCommit"] == api.model_info(repo).sha, tags
    path = hf("download", repo, "w/big.bin", cache=work / "rs-reads")
    assert Path(path).read_bytes() == FILES["weights.bin"] * 2


def rust_local_dir_to_python():
    local = work / "local-rs"
    hf("download", REPO, "--local-dir", str(local), cache=work / "unused-rs2")
    check_files(local, FILES)
    stamps = {n: (local / n).stat().st_mtime_ns for n in FILES}
    for name in FILES:
        # Online: Python reads our metadata files and keeps our copies.
        path = hf_hub_download(REPO, name, local_dir=local, token=TOKEN)
        assert Path(path).resolve() == (local / name).resolve()
        assert (local / name).stat().st_mtime_ns == stamps[name], f"Python downloaded {name} again"
        path = hf_hub_download(REPO, name, local_dir=local, local_files_only=True)
        assert Path(path).read_bytes() == FILES[name]


passed = failed = 0
try:
    for check in (
        python_cache_to_rust,
        rust_cache_to_python,
        python_local_dir_to_rust,
        rust_local_dir_to_python,
        rust_uploads_to_python,
        python_uploads_to_rust,
    ):
        try:
            check()
            passed += 1
            print(f"PASS {check.__name__} (huggingface_hub {huggingface_hub.__version__})")
        except Exception:  # report every failing direction, not only the first
            failed += 1
            print(f"FAIL {check.__name__} (huggingface_hub {huggingface_hub.__version__})")
            traceback.print_exc()
finally:
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(work, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
