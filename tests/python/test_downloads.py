"""Downloads: hf_hub_download, snapshot_download, the cache layout, error classes, safetensors."""

import json
import os
import struct
from pathlib import Path

import pytest
from huggingface_hub import (
    CommitOperationAdd,
    HfFileSystem,
    get_hf_file_metadata,
    hf_hub_download,
    hf_hub_url,
    snapshot_download,
    try_to_load_from_cache,
)
from huggingface_hub.file_download import _CACHED_NO_EXIST
from huggingface_hub.utils import EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

from conftest import ALICE, ALICE_WRITE, ENDPOINT, git_blob_sha1, sha256


def fetch(repo_id, filename, cache_dir, **kwargs) -> str:
    return hf_hub_download(repo_id, filename, token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT, **kwargs)


def content(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def storage(cache_dir, repo_id, repo_type="model") -> Path:
    return Path(cache_dir) / f"{repo_type}s--{repo_id.replace('/', '--')}"


def test_download_by_branch_tag_and_sha(api, repo, cache_dir, http_log):
    v1 = api.upload_file(path_or_fileobj=b"version 1", path_in_repo="f.txt", repo_id=repo).oid
    api.create_tag(repo, tag="v1")
    api.create_branch(repo, branch="stable")
    v2 = api.upload_file(path_or_fileobj=b"version 2!", path_in_repo="f.txt", repo_id=repo).oid

    main = fetch(repo, "f.txt", cache_dir)
    assert content(main) == b"version 2!"
    assert content(fetch(repo, "f.txt", cache_dir, revision="main")) == b"version 2!"
    assert content(fetch(repo, "f.txt", cache_dir, revision="v1")) == b"version 1"
    assert content(fetch(repo, "f.txt", cache_dir, revision="stable")) == b"version 1"
    assert content(fetch(repo, "f.txt", cache_dir, revision=v1)) == b"version 1"
    assert content(fetch(repo, "f.txt", cache_dir, revision=v2)) == b"version 2!"

    # Cache layout (protocol §5.2): refs name commits, snapshots link to blobs named by the ETag.
    root = storage(cache_dir, repo)
    assert (root / "refs" / "main").read_text() == v2
    assert (root / "refs" / "v1").read_text() == v1
    assert (root / "refs" / "stable").read_text() == v1
    assert Path(main) == root / "snapshots" / v2 / "f.txt"
    assert Path(os.path.realpath(main)) == (root / "blobs" / git_blob_sha1(b"version 2!")).resolve()
    assert (root / "blobs" / git_blob_sha1(b"version 1")).is_file()

    # A cached commit id is served without any request.
    http_log.clear()
    assert content(fetch(repo, "f.txt", cache_dir, revision=v1)) == b"version 1"
    assert http_log.exchanges == []


def test_file_metadata_regular_and_lfs(api, repo):
    text = b"regular file\n"
    weights = os.urandom(4096)
    head = api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="r.txt", path_or_fileobj=text),
            CommitOperationAdd(path_in_repo="w.bin", path_or_fileobj=weights),
        ],
        commit_message="files",
    ).oid

    regular = get_hf_file_metadata(hf_hub_url(repo, "r.txt", endpoint=ENDPOINT), token=ALICE_WRITE)
    assert regular.commit_hash == head
    assert regular.etag == git_blob_sha1(text)
    assert regular.size == len(text)

    url = hf_hub_url(repo, "w.bin", endpoint=ENDPOINT)
    lfs = get_hf_file_metadata(url, token=ALICE_WRITE)
    assert lfs.commit_hash == head
    assert lfs.etag == sha256(weights)
    assert lfs.size == len(weights)
    # hf-local-hub (issue 3) redirects LFS content to its CDN-like path, as the Hub does.
    assert lfs.location != url
    assert lfs.location.startswith(f"{ENDPOINT}/")


def test_download_lfs_and_subfolder(api, repo, cache_dir):
    weights = os.urandom(200_000)
    api.upload_file(path_or_fileobj=weights, path_in_repo="models/v1/weights.bin", repo_id=repo)
    path = fetch(repo, "weights.bin", cache_dir, subfolder="models/v1")
    assert content(path) == weights
    # LFS blobs are stored under their sha256.
    assert Path(os.path.realpath(path)).name == sha256(weights)
    assert Path(path).parts[-3:] == ("models", "v1", "weights.bin")


def test_download_special_characters(api, repo, cache_dir):
    name = "dir with space/f+ü=1%.txt"
    api.upload_file(path_or_fileobj=b"odd name", path_in_repo=name, repo_id=repo)
    assert name in api.list_repo_files(repo)
    assert content(fetch(repo, name, cache_dir)) == b"odd name"


def test_download_resumes_with_range(api, repo, cache_dir, http_log):
    weights = os.urandom(300_000)
    api.upload_file(path_or_fileobj=weights, path_in_repo="w.bin", repo_id=repo)
    # A previous, interrupted download left the first 100 000 bytes (protocol §4.3, §4.4).
    blobs = storage(cache_dir, repo) / "blobs"
    blobs.mkdir(parents=True)
    (blobs / f"{sha256(weights)}.incomplete").write_bytes(weights[:100_000])

    http_log.clear()
    assert content(fetch(repo, "w.bin", cache_dir)) == weights
    gets = [e for e in http_log.exchanges if e.method == "GET"]
    ranged = [e for e in gets if e.request_headers.get("Range") == "bytes=100000-"]
    assert ranged, [(e.url, e.request_headers.get("Range"), e.status) for e in gets]
    assert ranged[-1].status == 206
    assert ranged[-1].response_headers.get("Content-Range") == f"bytes 100000-299999/{len(weights)}"


def test_download_to_local_dir(api, repo, tmp_path):
    api.upload_file(path_or_fileobj=b"local dir copy", path_in_repo="sub/f.txt", repo_id=repo)
    local = tmp_path / "out"
    path = hf_hub_download(repo, "sub/f.txt", token=ALICE_WRITE, local_dir=str(local), endpoint=ENDPOINT)
    assert Path(path) == local / "sub" / "f.txt"
    assert content(path) == b"local dir copy"


def test_snapshot_download_with_patterns(api, repo, cache_dir, tmp_path):
    files = {
        "config.json": b"{}",
        "model.bin": b"\x00weights",
        "notes/readme.txt": b"notes",
        "notes/skip.txt": b"skipped",
        "other.md": b"# other",
    }
    head = api.create_commit(
        repo,
        operations=[CommitOperationAdd(path_in_repo=p, path_or_fileobj=d) for p, d in files.items()],
        commit_message="files",
    ).oid

    folder = snapshot_download(
        repo,
        token=ALICE_WRITE,
        cache_dir=cache_dir,
        endpoint=ENDPOINT,
        allow_patterns=["*.json", "*.bin", "notes/*"],
        ignore_patterns=["*skip*"],
    )
    assert Path(folder) == storage(cache_dir, repo) / "snapshots" / head
    got = {str(p.relative_to(folder)): p.read_bytes() for p in Path(folder).rglob("*") if p.is_file()}
    assert got == {k: files[k] for k in ("config.json", "model.bin", "notes/readme.txt")}

    everything = snapshot_download(repo, token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT)
    got = {str(p.relative_to(everything)) for p in Path(everything).rglob("*") if p.is_file()}
    assert got == {".gitattributes", *files}


def test_snapshot_download_revision_and_types(api, make_repo, cache_dir):
    dataset = make_repo(repo_type="dataset")
    first = api.upload_file(path_or_fileobj=b"1", path_in_repo="one.csv", repo_id=dataset, repo_type="dataset").oid
    api.create_tag(dataset, tag="v1", repo_type="dataset")
    api.upload_file(path_or_fileobj=b"2", path_in_repo="two.csv", repo_id=dataset, repo_type="dataset")
    folder = snapshot_download(
        dataset, repo_type="dataset", revision="v1", token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT
    )
    assert Path(folder).name == first
    assert sorted(p.name for p in Path(folder).iterdir()) == [".gitattributes", "one.csv"]
    assert (storage(cache_dir, dataset, "dataset") / "refs" / "v1").read_text() == first


def test_error_classes(api, repo, unique, cache_dir):
    head = api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo).oid

    with pytest.raises(RepositoryNotFoundError):
        fetch(f"{ALICE}/{unique}-missing", "x.txt", cache_dir)
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_files(f"{ALICE}/{unique}-missing")
    with pytest.raises(RepositoryNotFoundError):
        snapshot_download(f"{ALICE}/{unique}-missing", token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT)

    with pytest.raises(RevisionNotFoundError):
        fetch(repo, "x.txt", cache_dir, revision="no-such-branch")
    with pytest.raises(RevisionNotFoundError):
        fetch(repo, "x.txt", cache_dir, revision="0" * 40)
    with pytest.raises(RevisionNotFoundError):
        snapshot_download(repo, revision="no-such-branch", token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT)

    with pytest.raises(EntryNotFoundError):
        fetch(repo, "missing.txt", cache_dir)
    with pytest.raises(EntryNotFoundError):
        fetch(repo, "deep/missing.txt", cache_dir)
    # The miss is cached against the commit the server named in X-Repo-Commit (protocol §5.4).
    root = storage(cache_dir, repo)
    assert (root / ".no_exist" / head / "missing.txt").is_file()
    assert (root / ".no_exist" / head / "deep" / "missing.txt").is_file()
    assert (root / "refs" / "main").read_text() == head
    assert try_to_load_from_cache(repo, "missing.txt", cache_dir=cache_dir) is _CACHED_NO_EXIST
    # A file that exists is not marked.
    assert try_to_load_from_cache(repo, "x.txt", cache_dir=cache_dir) is None


def safetensors_bytes(tensors: dict, metadata: dict) -> bytes:
    """A valid safetensors file: u64 header length, JSON header (space padded), zeroed data."""
    header = {"__metadata__": metadata}
    offset = 0
    itemsize = {"F32": 4, "F16": 2, "I64": 8, "U8": 1}
    for name, (dtype, shape) in tensors.items():
        n = itemsize[dtype]
        for dim in shape:
            n *= dim
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"\x00" * offset


def test_get_safetensors_metadata_single_file(api, repo):
    data = safetensors_bytes({"w": ("F32", [2, 3]), "b": ("I64", [3]), "s": ("U8", [])}, {"format": "pt"})
    api.upload_file(path_or_fileobj=data, path_in_repo="model.safetensors", repo_id=repo)
    [entry] = api.get_paths_info(repo, ["model.safetensors"])
    assert entry.lfs is not None

    meta = api.get_safetensors_metadata(repo)
    assert meta.sharded is False
    assert meta.weight_map == {"w": "model.safetensors", "b": "model.safetensors", "s": "model.safetensors"}
    assert meta.parameter_count == {"F32": 6, "I64": 3, "U8": 1}
    file_meta = meta.files_metadata["model.safetensors"]
    assert file_meta.metadata == {"format": "pt"}
    assert file_meta.tensors["w"].shape == [2, 3]
    assert file_meta.tensors["b"].data_offsets == (24, 48)


def test_get_safetensors_metadata_big_header_and_shards(api, repo, http_log):
    # A header over 100 000 bytes needs the second, ranged request (protocol §3.9).
    big = {"format": "pt", "padding": "x" * 150_000}
    shard1 = safetensors_bytes({"w": ("F16", [4, 4])}, big)
    shard2 = safetensors_bytes({"b": ("F32", [4])}, {"format": "pt"})
    index = {
        "metadata": {"total_size": 48},
        "weight_map": {"w": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"},
    }
    api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="model-00001-of-00002.safetensors", path_or_fileobj=shard1),
            CommitOperationAdd(path_in_repo="model-00002-of-00002.safetensors", path_or_fileobj=shard2),
            CommitOperationAdd(path_in_repo="model.safetensors.index.json", path_or_fileobj=json.dumps(index).encode()),
        ],
        commit_message="sharded",
    )
    http_log.clear()
    meta = api.get_safetensors_metadata(repo)
    assert meta.sharded is True
    assert meta.metadata == {"total_size": 48}
    assert meta.weight_map == index["weight_map"]
    assert meta.parameter_count == {"F16": 16, "F32": 4}
    assert meta.files_metadata["model-00001-of-00002.safetensors"].metadata == big
    header_len = struct.unpack("<Q", shard1[:8])[0]
    ranges = [e.request_headers.get("Range") for e in http_log.exchanges if e.method == "GET"]
    assert f"bytes=8-{header_len + 7}" in ranges, ranges


def test_snapshot_download_to_local_dir(api, repo, tmp_path):
    api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="a/b.txt", path_or_fileobj=b"b"),
            CommitOperationAdd(path_in_repo="c.bin", path_or_fileobj=b"\x00c"),
        ],
        commit_message="files",
    )
    out = tmp_path / "snapshot"
    folder = snapshot_download(repo, token=ALICE_WRITE, local_dir=str(out), endpoint=ENDPOINT)
    assert Path(folder) == out.resolve()
    assert (out / "a" / "b.txt").read_bytes() == b"b"
    assert (out / "c.bin").read_bytes() == b"\x00c"
    assert (out / ".gitattributes").is_file()


def test_hf_file_system_reads_ranges(api, repo, http_log):
    # HfFileSystem lists with the tree API and reads byte ranges of /resolve (regular and LFS).
    text = ("".join(f"line {i:05d}\n" for i in range(1000))).encode()
    weights = os.urandom(50_000)
    api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="dir/text.txt", path_or_fileobj=text),
            CommitOperationAdd(path_in_repo="dir/w.bin", path_or_fileobj=weights),
        ],
        commit_message="files",
    )
    fs = HfFileSystem(endpoint=ENDPOINT, token=ALICE_WRITE, skip_instance_cache=True)
    assert sorted(fs.ls(f"{repo}/dir", detail=False)) == [f"{repo}/dir/text.txt", f"{repo}/dir/w.bin"]
    assert fs.info(f"{repo}/dir/w.bin")["size"] == len(weights)

    http_log.clear()
    assert fs.cat_file(f"{repo}/dir/text.txt", start=1100, end=1122) == text[1100:1122]
    assert fs.cat_file(f"{repo}/dir/w.bin", start=40_000, end=40_100) == weights[40_000:40_100]
    # LFS content answers a redirect first; what finally serves bytes must honour the range.
    ranged = [
        e
        for e in http_log.exchanges
        if e.method == "GET" and "Range" in e.request_headers and not 300 <= e.status < 400
    ]
    assert len(ranged) == 2, [(e.method, e.url.split("?")[0], e.status) for e in http_log.exchanges]
    assert [e.status for e in ranged] == [206, 206]
    assert all(e.response_headers.get("Content-Range", "").startswith("bytes ") for e in ranged)
