"""Uploads: upload_file (regular, LFS by pattern, LFS by size), upload_folder, create_commit, PRs."""

import os

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationCopy, CommitOperationDelete, hf_hub_download
from huggingface_hub.utils import EntryNotFoundError, HfHubHTTPError, RevisionNotFoundError

from conftest import ALICE_WRITE, BOB_WRITE, ENDPOINT, HEX40, git_blob_sha1, sha256

LFS_BATCH = r"\.git/info/lfs/objects/batch$"


def download(repo_id, filename, cache_dir, **kwargs) -> bytes:
    path = hf_hub_download(repo_id, filename, token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT, **kwargs)
    with open(path, "rb") as f:
        return f.read()


def lfs_puts(http_log):
    """Upload PUTs (basic transfer or multipart parts): the ones that carry file bytes."""
    return [e for e in http_log.exchanges if e.method == "PUT"]


def test_upload_file_small(api, repo, cache_dir, http_log):
    content = b"just a small text file\n"
    info = api.upload_file(path_or_fileobj=content, path_in_repo="docs/hello.txt", repo_id=repo)

    assert HEX40.match(info.oid)
    assert info.commit_url == f"{ENDPOINT}/{repo}/commit/{info.oid}"
    assert info.pr_url is None
    assert info.repo_url.repo_id == repo
    assert api.model_info(repo).sha == info.oid

    commits = api.list_repo_commits(repo)
    assert commits[0].commit_id == info.oid
    assert commits[0].title == "Upload docs/hello.txt with huggingface_hub"
    assert commits[0].authors == ["alice"]
    assert len(commits) == 2

    [entry] = api.get_paths_info(repo, ["docs/hello.txt"])
    assert entry.size == len(content)
    assert entry.blob_id == git_blob_sha1(content)
    assert entry.lfs is None
    # A regular file goes in the commit body: no LFS batch.
    assert http_log.matching("POST", LFS_BATCH) == []
    assert download(repo, "docs/hello.txt", cache_dir) == content


def test_upload_file_from_path_with_description(api, repo, tmp_path, cache_dir):
    local = tmp_path / "config.json"
    local.write_bytes(b'{"hidden_size": 8}')
    info = api.upload_file(
        path_or_fileobj=str(local),
        path_in_repo="config.json",
        repo_id=repo,
        commit_message="Add config",
        commit_description="First line\n\nSecond paragraph",
    )
    [commit, _initial] = api.list_repo_commits(repo)
    assert commit.commit_id == info.oid
    assert commit.title == "Add config"
    assert commit.message == "First line\n\nSecond paragraph"
    assert download(repo, "config.json", cache_dir) == b'{"hidden_size": 8}'


def test_upload_file_lfs_by_gitattributes(api, repo, cache_dir, http_log):
    # An 11-byte .bin: LFS because the default .gitattributes tracks *.bin (protocol §6.10).
    content = b"lfs content"
    info = api.upload_file(path_or_fileobj=content, path_in_repo="lfs_file.bin", repo_id=repo)

    [batch] = http_log.matching("POST", LFS_BATCH)
    assert batch.status == 200
    assert batch.url == f"{ENDPOINT}/{repo}.git/info/lfs/objects/batch"
    [put] = lfs_puts(http_log)
    # The upload URL authorises itself: the client sends no token there (protocol §6.4).
    assert "authorization" not in put.request_headers
    assert 200 <= put.status < 300

    [entry] = api.get_paths_info(repo, ["lfs_file.bin"])
    assert entry.size == len(content)
    assert entry.lfs is not None
    assert entry.lfs.sha256 == sha256(content)
    assert entry.lfs.size == len(content)
    assert download(repo, "lfs_file.bin", cache_dir, revision=info.oid) == content

    # Same bytes again under another name: the server already has the object, so the batch
    # answer carries no upload action and nothing is PUT (protocol §6.3, §6.8).
    http_log.clear()
    api.upload_file(path_or_fileobj=content, path_in_repo="copy_of_lfs_file.bin", repo_id=repo)
    assert len(http_log.matching("POST", LFS_BATCH)) == 1
    assert lfs_puts(http_log) == []
    [entry] = api.get_paths_info(repo, ["copy_of_lfs_file.bin"])
    assert entry.lfs.sha256 == sha256(content)
    assert download(repo, "copy_of_lfs_file.bin", cache_dir) == content


def test_upload_file_lfs_by_size(api, repo, tmp_path, cache_dir, http_log):
    # Over 10 MB with an extension no LFS rule matches: LFS because of its size.
    content = os.urandom(1024) * 11_000  # 11_264_000 bytes
    local = tmp_path / "big.dat"
    local.write_bytes(content)
    api.upload_file(path_or_fileobj=str(local), path_in_repo="big.dat", repo_id=repo)

    assert len(http_log.matching("POST", LFS_BATCH)) == 1
    assert len(lfs_puts(http_log)) >= 1
    [entry] = api.get_paths_info(repo, ["big.dat"])
    assert entry.size == len(content)
    assert entry.lfs is not None and entry.lfs.sha256 == sha256(content)
    assert sha256(download(repo, "big.dat", cache_dir)) == sha256(content)


def test_upload_binary_sample_small_text_extension(api, repo, cache_dir):
    # A small file with an untracked extension stays a regular file.
    content = b"plain,csv\n1,2\n"
    api.upload_file(path_or_fileobj=content, path_in_repo="table.csv", repo_id=repo)
    [entry] = api.get_paths_info(repo, ["table.csv"])
    assert entry.lfs is None
    assert entry.blob_id == git_blob_sha1(content)


def test_upload_folder_with_patterns(api, repo, tmp_path, cache_dir):
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    files = {
        "a.txt": b"a",
        "b.json": b'{"b": 1}',
        "sub/c.txt": b"c",
        "sub/d.bin": b"\x00d-weights",
        "skip.log": b"log line",
        ".git/config": b"[core]",
    }
    for rel, data in files.items():
        (folder / rel).write_bytes(data)

    info = api.upload_folder(
        repo_id=repo,
        folder_path=str(folder),
        path_in_repo="data",
        allow_patterns=["*.txt", "*.json", "*.bin"],
        ignore_patterns=["sub/c.txt"],
    )
    assert HEX40.match(info.oid)
    assert api.list_repo_commits(repo)[0].title == "Upload folder using huggingface_hub"
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "data/a.txt", "data/b.json", "data/sub/d.bin"]
    assert download(repo, "data/sub/d.bin", cache_dir) == files["sub/d.bin"]
    [d] = api.get_paths_info(repo, ["data/sub/d.bin"])
    assert d.lfs is not None and d.lfs.sha256 == sha256(files["sub/d.bin"])

    # Second upload: replace a.txt, drop every remote *.json under data/, add e.txt.
    (folder / "a.txt").write_bytes(b"a v2")
    (folder / "e.txt").write_bytes(b"e")
    (folder / "b.json").unlink()
    api.upload_folder(
        repo_id=repo,
        folder_path=str(folder),
        path_in_repo="data",
        allow_patterns=["a.txt", "e.txt"],
        delete_patterns=["*.json"],
    )
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "data/a.txt", "data/e.txt", "data/sub/d.bin"]
    assert download(repo, "data/a.txt", cache_dir) == b"a v2"

    # At the root, delete_patterns="*" removes every file but .gitattributes and what is re-added.
    api.upload_folder(repo_id=repo, folder_path=str(folder / "sub"), allow_patterns="*.bin", delete_patterns="*")
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "d.bin"]
    assert download(repo, "d.bin", cache_dir) == files["sub/d.bin"]


def test_upload_folder_to_root_and_noop(api, repo, tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "x.txt").write_bytes(b"x")
    first = api.upload_folder(repo_id=repo, folder_path=str(folder))
    # Same content again: the preupload answer gives the current oid, so no commit is made.
    again = api.upload_folder(repo_id=repo, folder_path=str(folder))
    assert again.oid == first.oid
    assert len(api.list_repo_commits(repo)) == 2


def test_create_commit_add_delete_copy(api, repo, cache_dir):
    weights = b"\x00\x01\x02 weights"
    api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="a.txt", path_or_fileobj=b"a"),
            CommitOperationAdd(path_in_repo="b.txt", path_or_fileobj=b"b"),
            CommitOperationAdd(path_in_repo="w.bin", path_or_fileobj=weights),
            CommitOperationAdd(path_in_repo="folder/x.txt", path_or_fileobj=b"x"),
            CommitOperationAdd(path_in_repo="folder/deep/y.txt", path_or_fileobj=b"y"),
        ],
        commit_message="Setup",
    )
    info = api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="new.txt", path_or_fileobj=b"new"),
            CommitOperationAdd(path_in_repo="b.txt", path_or_fileobj=b"b v2"),
            CommitOperationDelete(path_in_repo="a.txt"),
            CommitOperationDelete(path_in_repo="folder/"),
            CommitOperationCopy(src_path_in_repo="w.bin", path_in_repo="copies/w.bin"),
            CommitOperationCopy(src_path_in_repo="b.txt", path_in_repo="copies/b.txt"),
        ],
        commit_message="Add, delete and copy",
        commit_description="several operations",
    )
    assert api.list_repo_commits(repo)[0].title == "Add, delete and copy"
    assert sorted(api.list_repo_files(repo)) == [
        ".gitattributes",
        "b.txt",
        "copies/b.txt",
        "copies/w.bin",
        "new.txt",
        "w.bin",
    ]
    # Copies read the source at the parent revision: b.txt's old content.
    assert download(repo, "copies/b.txt", cache_dir, revision=info.oid) == b"b"
    assert download(repo, "b.txt", cache_dir, revision=info.oid) == b"b v2"
    assert download(repo, "copies/w.bin", cache_dir, revision=info.oid) == weights
    [copy] = api.get_paths_info(repo, ["copies/w.bin"])
    assert copy.lfs is not None and copy.lfs.sha256 == sha256(weights) and copy.size == len(weights)

    # Copy from an older revision.
    api.create_commit(
        repo,
        operations=[CommitOperationCopy(src_path_in_repo="b.txt", path_in_repo="old_b.txt", src_revision=info.oid)],
        commit_message="copy from old revision",
    )
    assert download(repo, "old_b.txt", cache_dir) == b"b v2"


def test_create_commit_delete_missing_file(api, repo):
    head = api.model_info(repo).sha
    with pytest.raises(EntryNotFoundError):
        api.create_commit(repo, operations=[CommitOperationDelete(path_in_repo="nope.txt")], commit_message="x")
    with pytest.raises(EntryNotFoundError):
        api.create_commit(repo, operations=[CommitOperationCopy("nope.bin", "dst.bin")], commit_message="x")
    assert api.model_info(repo).sha == head


def test_create_commit_to_branch(api, repo, cache_dir):
    api.create_branch(repo, branch="dev")
    info = api.upload_file(path_or_fileobj=b"dev only", path_in_repo="dev.txt", repo_id=repo, revision="dev")
    assert api.list_repo_files(repo, revision="dev") == [".gitattributes", "dev.txt"]
    assert api.list_repo_files(repo) == [".gitattributes"]
    assert api.model_info(repo, revision="dev").sha == info.oid
    assert download(repo, "dev.txt", cache_dir, revision="dev") == b"dev only"


def test_create_pr(api, repo, cache_dir):
    main_head = api.model_info(repo).sha
    pr = api.upload_file(path_or_fileobj=b"proposal", path_in_repo="pr.txt", repo_id=repo, create_pr=True)

    assert pr.pr_url is not None
    assert pr.pr_url.startswith(f"{ENDPOINT}/{repo}/discussions/")
    assert pr.pr_revision == f"refs/pr/{pr.pr_num}"
    assert pr.pr_num >= 1
    # main is untouched.
    assert api.model_info(repo).sha == main_head
    assert api.list_repo_files(repo) == [".gitattributes"]
    assert api.list_repo_files(repo, revision=pr.pr_revision) == [".gitattributes", "pr.txt"]

    refs = api.list_repo_refs(repo, include_pull_requests=True)
    [pr_ref] = refs.pull_requests
    assert pr_ref.ref == pr.pr_revision
    assert pr_ref.name == str(pr.pr_num)
    assert pr_ref.target_commit == pr.oid
    assert api.list_repo_refs(repo).pull_requests is None

    # Commit on top of the PR.
    more = api.upload_file(path_or_fileobj=b"more", path_in_repo="more.txt", repo_id=repo, revision=pr.pr_revision)
    assert more.pr_url is None
    commits = api.list_repo_commits(repo, revision=pr.pr_revision)
    assert [c.commit_id for c in commits[:2]] == [more.oid, pr.oid]
    assert download(repo, "more.txt", cache_dir, revision=pr.pr_revision) == b"more"
    # The cache names the PR ref with nested folders (protocol §5.2).
    ref_file = os.path.join(cache_dir, f"models--{repo.replace('/', '--')}", "refs", "refs", "pr", str(pr.pr_num))
    with open(ref_file) as f:
        assert f.read() == more.oid
    assert api.model_info(repo, revision=pr.pr_revision).sha == more.oid

    # A second PR gets the next number.
    pr2 = api.create_commit(
        repo,
        operations=[CommitOperationAdd(path_in_repo="w.bin", path_or_fileobj=b"\x00pr weights")],
        commit_message="PR with LFS",
        create_pr=True,
    )
    assert pr2.pr_num == pr.pr_num + 1
    assert download(repo, "w.bin", cache_dir, revision=pr2.pr_revision) == b"\x00pr weights"
    assert len(api.list_repo_refs(repo, include_pull_requests=True).pull_requests) == 2


def test_parent_commit(api, repo):
    first = api.upload_file(path_or_fileobj=b"1", path_in_repo="1.txt", repo_id=repo).oid
    second = api.upload_file(path_or_fileobj=b"2", path_in_repo="2.txt", repo_id=repo).oid

    with pytest.raises(HfHubHTTPError) as excinfo:
        api.upload_file(path_or_fileobj=b"3", path_in_repo="3.txt", repo_id=repo, parent_commit=first)
    assert excinfo.value.response.status_code in (409, 412)
    assert api.model_info(repo).sha == second
    assert "3.txt" not in api.list_repo_files(repo)

    third = api.upload_file(path_or_fileobj=b"3", path_in_repo="3.txt", repo_id=repo, parent_commit=second).oid
    assert api.list_repo_commits(repo)[0].commit_id == third


def test_commit_to_tag_is_refused(api, repo):
    api.create_tag(repo, tag="v1")
    with pytest.raises(HfHubHTTPError):
        api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo, revision="v1")
    assert api.list_repo_files(repo, revision="v1") == [".gitattributes"]


def test_dataset_and_space_uploads(api, make_repo, cache_dir):
    dataset = make_repo(repo_type="dataset")
    space = make_repo(repo_type="space")
    api.upload_file(
        path_or_fileobj=b"\x00parquet", path_in_repo="data/train.parquet", repo_id=dataset, repo_type="dataset"
    )
    api.upload_file(path_or_fileobj=b"import gradio\n", path_in_repo="app.py", repo_id=space, repo_type="space")
    [p] = api.get_paths_info(dataset, ["data/train.parquet"], repo_type="dataset")
    assert p.lfs is not None
    assert download(dataset, "data/train.parquet", cache_dir, repo_type="dataset") == b"\x00parquet"
    assert download(space, "app.py", cache_dir, repo_type="space") == b"import gradio\n"


def test_upload_readme_validates_metadata(api, repo, cache_dir, http_log):
    # README.md additions go through POST /api/validate-yaml first (protocol §6.6 step 2).
    readme = b"---\nlicense: mit\nlanguage: en\n---\n# A model\n"
    api.upload_file(path_or_fileobj=readme, path_in_repo="README.md", repo_id=repo)
    [check] = http_log.matching("POST", r"/api/validate-yaml$")
    assert check.status == 200
    assert download(repo, "README.md", cache_dir) == readme
    card = api.model_info(repo).card_data
    assert card is not None and card["license"] == "mit"


def test_delete_wrappers(api, repo):
    api.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo=p, path_or_fileobj=p.encode())
            for p in ["keep.txt", "one.txt", "logs/a.log", "logs/b.log", "dir/x.txt", "dir/sub/y.bin"]
        ],
        commit_message="setup",
    )
    api.delete_file("one.txt", repo_id=repo)
    assert api.list_repo_commits(repo)[0].title == "Delete one.txt with huggingface_hub"
    api.delete_folder("dir", repo_id=repo)
    api.delete_files(repo_id=repo, delete_patterns=["*.log"])
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "keep.txt"]
    with pytest.raises(EntryNotFoundError):
        api.delete_file("one.txt", repo_id=repo)


def test_upload_multipart_lfs(api, repo, tmp_path, cache_dir, http_log):
    # Big enough for hf-local-hub's multipart transfer (10 MiB parts, issue 15): two part PUTs + completion.
    chunk = os.urandom(1 << 20)
    size = 15 * (1 << 20) + 7
    local = tmp_path / "huge.safetensors"
    with open(local, "wb") as f:
        f.writelines(chunk for _ in range(15))
        f.write(b"tail!!!")
    digest = sha256(local.read_bytes())

    api.upload_file(path_or_fileobj=str(local), path_in_repo="huge.safetensors", repo_id=repo)
    puts = lfs_puts(http_log)
    assert len(puts) == 2, [(p.url, p.status) for p in puts]
    assert all(p.response_headers.get("ETag") for p in puts)
    # Pre-signed URLs: no token travels with the bytes.
    assert all("authorization" not in p.request_headers for p in puts)

    [entry] = api.get_paths_info(repo, ["huge.safetensors"])
    assert entry.size == size
    assert entry.lfs.sha256 == digest
    path = hf_hub_download(repo, "huge.safetensors", token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT)
    assert os.path.getsize(path) == size
    with open(path, "rb") as f:
        assert sha256(f.read()) == digest


def test_gitignore_rules_skip_files(api, repo, tmp_path):
    # preupload answers shouldIgnore from the root .gitignore being committed (sent as gitIgnore)
    # or, failing that, from the one in the repo (protocol §6.2).
    first = tmp_path / "first"
    first.mkdir()
    (first / ".gitignore").write_bytes(b"*.tmp\n")
    (first / "scratch.tmp").write_bytes(b"ignored")
    (first / "a.txt").write_bytes(b"a")
    api.upload_folder(repo_id=repo, folder_path=str(first))
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", ".gitignore", "a.txt"]

    second = tmp_path / "second"
    (second / "sub").mkdir(parents=True)
    (second / "sub" / "debug.tmp").write_bytes(b"ignored too")
    (second / "b.txt").write_bytes(b"b")
    (second / "c.tmp.txt").write_bytes(b"kept")
    api.upload_folder(repo_id=repo, folder_path=str(second))
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", ".gitignore", "a.txt", "b.txt", "c.tmp.txt"]


def test_commit_to_missing_branch(api, repo):
    with pytest.raises(RevisionNotFoundError):
        api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo, revision="no-such-branch")
    assert api.list_repo_files(repo) == [".gitattributes"]


def test_upload_readme_with_invalid_metadata_is_refused(api, repo, http_log):
    readme = b"---\nlicense: [mit\n---\n# Broken front matter\n"
    with pytest.raises(ValueError, match="Invalid metadata in README.md"):
        api.upload_file(path_or_fileobj=readme, path_in_repo="README.md", repo_id=repo)
    [check] = http_log.matching("POST", r"/api/validate-yaml$")
    assert check.status == 400
    assert api.list_repo_files(repo) == [".gitattributes"]


def test_path_limits(api, repo, cache_dir, http_log):
    """Issue 16 item 8: 1024 bytes, 255 per name, 64 levels; refused at preupload with a 400."""
    seg = "s" * 255
    at_limit = f"{seg}/{seg}/{seg}/{seg[1:]}/"
    at_limit += "f" * (1024 - len(at_limit))
    for bad in [at_limit + "x", "/".join(["d"] * 65), "/".join(["a"] * 50_000)]:
        http_log.clear()
        with pytest.raises(HfHubHTTPError) as err:
            api.upload_file(path_or_fileobj=b"x", path_in_repo=bad, repo_id=repo)
        assert err.value.response.status_code == 400
        assert "allowed" in str(err.value)
        # Refused at preupload: no commit was sent.
        assert http_log.matching("POST", r"/commit/") == []
    api.upload_file(path_or_fileobj=b"at the limit", path_in_repo=at_limit, repo_id=repo)
    assert download(repo, at_limit, cache_dir) == b"at the limit"


def test_lfs_object_of_another_repo_needs_its_bytes(api, bob_api, make_repo, unique):
    """Issue 16 item 3: the sha256 of alice's private LFS file does not let bob use the object."""
    from huggingface_hub.lfs import UploadInfo, post_lfs_batch_info

    secret = os.urandom(4096)
    private = make_repo(private=True)
    api.upload_file(path_or_fileobj=secret, path_in_repo="w.bin", repo_id=private)
    [entry] = api.get_paths_info(private, ["w.bin"])
    assert entry.lfs is not None and entry.lfs.sha256 == sha256(secret)
    mine = bob_api.create_repo(f"bob/{unique}-mine").repo_id
    try:
        info = UploadInfo(sha256=bytes.fromhex(sha256(secret)), size=len(secret), sample=secret[:512])
        # The batch of bob's repo asks for the bytes (it answered "already there" before).
        actions, errors, _ = post_lfs_batch_info(
            upload_infos=[info], token=BOB_WRITE, repo_type="model", repo_id=mine, endpoint=ENDPOINT
        )
        assert errors == []
        assert "upload" in actions[0].get("actions", {}), actions
        # A commit claiming the object without uploading it is refused.
        forged = CommitOperationAdd(path_in_repo="stolen.bin", path_or_fileobj=b"placeholder")
        forged.upload_info = info
        forged._upload_mode = "lfs"
        forged._is_uploaded = True
        with pytest.raises(HfHubHTTPError) as refused:
            bob_api.create_commit(mine, [forged], commit_message="borrow")
        assert refused.value.response.status_code == 400
        assert not bob_api.file_exists(mine, "stolen.bin")
        # With the bytes, the official client uploads them and the commit lands.
        bob_api.upload_file(path_or_fileobj=secret, path_in_repo="mine.bin", repo_id=mine)
        [own] = bob_api.get_paths_info(mine, ["mine.bin"])
        assert own.lfs is not None and own.lfs.sha256 == sha256(secret)
    finally:
        bob_api.delete_repo(mine, missing_ok=True)
