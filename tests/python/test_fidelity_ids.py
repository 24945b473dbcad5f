"""Ids and paths as the Hub has them (issue 15 items 1, 4, 5, 6).

run-conformance.sh seeds two canonical repos (ids without namespace, as only an admin makes them):
the model `gpt2` and the dataset `squad`.
"""

import os

import pytest
from huggingface_hub import HfFileSystem, hf_hub_download
from huggingface_hub.utils import HfHubHTTPError, RepositoryNotFoundError

from conftest import ALICE, ENDPOINT, HEX40

MISSING = "no-such-canonical-repo"


# --- 1. One-segment (canonical) repo ids ---------------------------------------------------------


def test_seeded_canonical_repos_work_on_every_route(api, anon_api, cache_dir):
    info = anon_api.repo_info("gpt2")
    assert info.id == "gpt2"
    assert HEX40.match(info.sha)
    assert anon_api.repo_info("squad", repo_type="dataset").id == "squad"
    assert anon_api.repo_info("gpt2", revision="main").sha == info.sha

    assert api.repo_exists("gpt2")
    assert api.repo_exists("squad", repo_type="dataset")
    assert api.revision_exists("gpt2", "main")
    assert api.file_exists("gpt2", ".gitattributes")
    assert api.file_exists("squad", ".gitattributes", repo_type="dataset")
    assert not api.file_exists("gpt2", "missing.txt")
    assert not api.revision_exists("gpt2", "no-such-branch")

    assert [b.name for b in api.list_repo_refs("gpt2").branches] == ["main"]
    assert [c.commit_id for c in api.list_repo_commits("gpt2")] == [info.sha]
    assert api.list_repo_files("gpt2") == [".gitattributes"]
    assert [e.path for e in api.list_repo_tree("squad", repo_type="dataset")] == [".gitattributes"]
    assert [e.path for e in api.get_paths_info("gpt2", [".gitattributes"])] == [".gitattributes"]
    assert api.get_repo_discussions("gpt2") is not None
    assert list(api.get_repo_discussions("gpt2")) == []
    api.unlike("gpt2")

    path = hf_hub_download("gpt2", ".gitattributes", cache_dir=cache_dir)
    assert os.path.join(cache_dir, "models--gpt2", "snapshots", info.sha) in path
    path = hf_hub_download("squad", ".gitattributes", repo_type="dataset", cache_dir=cache_dir)
    assert os.path.join(cache_dir, "datasets--squad") in path
    assert HfFileSystem(endpoint=ENDPOINT, token=False).ls("gpt2", detail=False) == ["gpt2/.gitattributes"]


def test_nobody_writes_or_creates_canonical_repos(api, unique):
    with pytest.raises(HfHubHTTPError) as e:
        api.create_branch("gpt2", branch="mine")
    assert e.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as e:
        api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="gpt2")
    assert e.value.response.status_code == 403
    # A bare name given to create_repo lands in the caller's namespace, as on the Hub.
    url = api.create_repo(unique)
    try:
        assert url.repo_id == f"{ALICE}/{unique}"
        assert not api.repo_exists(unique)
    finally:
        api.delete_repo(f"{ALICE}/{unique}")


@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
def test_missing_canonical_repos_are_not_found(api, anon_api, cache_dir, repo_type):
    for client in (api, anon_api):
        assert client.repo_exists(MISSING, repo_type=repo_type) is False
        assert client.file_exists(MISSING, "file.txt", repo_type=repo_type) is False
        assert client.revision_exists(MISSING, "main", repo_type=repo_type) is False
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info(MISSING, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info(MISSING, repo_type=repo_type, revision="main")
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_commits(MISSING, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_refs(MISSING, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_files(MISSING, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        api.unlike(MISSING, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(MISSING, "file.txt", repo_type=repo_type, cache_dir=cache_dir, token=False)


# --- 5. Case-insensitive repo ids -----------------------------------------------------------------


def test_repo_ids_are_case_insensitive(api, make_repo, cache_dir):
    repo_id = make_repo(suffix="MiXed")
    api.upload_file(path_or_fileobj=b"hello", path_in_repo="f.txt", repo_id=repo_id)
    for spelling in (repo_id, repo_id.lower(), repo_id.upper()):
        assert api.repo_info(spelling).id == repo_id, spelling
        assert api.repo_exists(spelling), spelling
        assert api.file_exists(spelling, "f.txt"), spelling
        path = hf_hub_download(spelling, "f.txt", cache_dir=cache_dir)
        with open(path, "rb") as f:
            assert f.read() == b"hello"
    assert repo_id in [m.id for m in api.list_models(author=ALICE)]
    # Another spelling of an existing id is a conflict (exist_ok answers with the existing repo).
    with pytest.raises(HfHubHTTPError) as e:
        api.create_repo(repo_id.lower())
    assert e.value.response.status_code == 409
    api.create_repo(repo_id.upper(), exist_ok=True)
    assert api.repo_info(repo_id.upper()).id == repo_id


# --- 4. Folders before files in tree listings -----------------------------------------------------


def test_tree_lists_folders_before_files(api, repo):
    for path in ["a.txt", "b/x.txt", "b/c/y.txt", "z/w.txt"]:
        api.upload_file(path_or_fileobj=path.encode(), path_in_repo=path, repo_id=repo)
    top = [(type(e).__name__, e.path) for e in api.list_repo_tree(repo)]
    assert top == [("RepoFolder", "b"), ("RepoFolder", "z"), ("RepoFile", ".gitattributes"), ("RepoFile", "a.txt")]
    deep = [e.path for e in api.list_repo_tree(repo, path_in_repo="b")]
    assert deep == ["b/c", "b/x.txt"]
    # Recursive: every folder first, then every file, each group in path order ("trees first").
    everything = [e.path for e in api.list_repo_tree(repo, recursive=True)]
    assert everything == ["b", "b/c", "z", ".gitattributes", "a.txt", "b/c/y.txt", "b/x.txt", "z/w.txt"]

    fs = HfFileSystem(endpoint=ENDPOINT, token=api.token)
    assert fs.ls(repo, detail=False) == [f"{repo}/{p}" for p in ["b", "z", ".gitattributes", "a.txt"]]
    assert fs.ls(f"{repo}/b", detail=False) == [f"{repo}/b/c", f"{repo}/b/x.txt"]
    files = [".gitattributes", "a.txt", "b/c/y.txt", "b/x.txt", "z/w.txt"]
    fresh = HfFileSystem(endpoint=ENDPOINT, token=api.token)
    assert fresh.find(repo) == [f"{repo}/{p}" for p in files]
    assert fresh.find(repo, withdirs=True) == sorted([repo] + [f"{repo}/{p}" for p in files + ["b", "b/c", "z"]])
    # The listing cached by find() answers ls() in the same order as the server.
    assert fresh.ls(repo, detail=False) == fs.ls(repo, detail=False)
    assert fresh.find(repo, maxdepth=1) == [f"{repo}/.gitattributes", f"{repo}/a.txt"]


# --- 6. Backslashes in paths ----------------------------------------------------------------------


def test_backslash_is_an_ordinary_path_character(api, repo, cache_dir, tmp_path):
    odd = "folder/..\\..\\..\\file"
    api.upload_file(path_or_fileobj=b"odd", path_in_repo=odd, repo_id=repo)
    api.upload_file(path_or_fileobj=b"bs", path_in_repo="a\\b.txt", repo_id=repo)
    assert sorted(api.list_repo_files(repo)) == sorted([".gitattributes", odd, "a\\b.txt"])
    assert [e.path for e in api.list_repo_tree(repo, path_in_repo="folder")] == [odd]
    assert api.file_exists(repo, odd)
    # On POSIX the client writes the name as is, inside the cache and inside local_dir.
    path = hf_hub_download(repo, odd, cache_dir=cache_dir)
    assert os.path.realpath(path).startswith(os.path.realpath(cache_dir))
    with open(path, "rb") as f:
        assert f.read() == b"odd"
    local = tmp_path / "local"
    path = hf_hub_download(repo, "a\\b.txt", local_dir=local, cache_dir=cache_dir)
    assert os.path.dirname(path) == str(local)
    with open(path, "rb") as f:
        assert f.read() == b"bs"

    # A path starting with `..\` is refused by the Hub with a 422.
    with pytest.raises(HfHubHTTPError) as e:
        api.upload_file(path_or_fileobj=b"evil", path_in_repo="..\\evil", repo_id=repo)
    assert e.value.response.status_code == 422
    assert "..\\" in e.value.response.json()["error"]
