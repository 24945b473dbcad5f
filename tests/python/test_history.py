"""Files, refs and history: tree, paths-info, refs, commits, branches, tags, super-squash."""

import pytest
from huggingface_hub import CommitOperationAdd, hf_hub_download
from huggingface_hub.hf_api import RepoFile, RepoFolder
from huggingface_hub.utils import EntryNotFoundError, HfHubHTTPError, RevisionNotFoundError

from conftest import ALICE_WRITE, ENDPOINT, HEX40, git_blob_sha1, sha256

FILES = {
    "a.txt": b"top level",
    "sub/b.txt": b"in a folder",
    "sub/deep/c.bin": b"\x00lfs in a deeper folder",
}


def populate(api, repo, files=FILES, message="populate"):
    return api.create_commit(
        repo,
        operations=[CommitOperationAdd(path_in_repo=p, path_or_fileobj=d) for p, d in files.items()],
        commit_message=message,
    )


def read(repo_id, filename, cache_dir, **kwargs) -> bytes:
    path = hf_hub_download(repo_id, filename, token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT, **kwargs)
    with open(path, "rb") as f:
        return f.read()


def test_list_repo_files(api, repo):
    populate(api, repo)
    assert sorted(api.list_repo_files(repo)) == sorted([".gitattributes", *FILES])


def test_list_repo_tree(api, repo):
    commit = populate(api, repo).oid

    root = {e.path: e for e in api.list_repo_tree(repo)}
    assert set(root) == {".gitattributes", "a.txt", "sub"}
    assert isinstance(root["sub"], RepoFolder)
    assert HEX40.match(root["sub"].tree_id)
    a = root["a.txt"]
    assert isinstance(a, RepoFile)
    assert a.size == len(FILES["a.txt"]) and a.blob_id == git_blob_sha1(FILES["a.txt"]) and a.lfs is None
    assert a.last_commit is None

    recursive = {e.path: e for e in api.list_repo_tree(repo, recursive=True)}
    assert set(recursive) == {".gitattributes", "a.txt", "sub", "sub/b.txt", "sub/deep", "sub/deep/c.bin"}
    c = recursive["sub/deep/c.bin"]
    assert c.size == len(FILES["sub/deep/c.bin"])
    assert c.lfs is not None and c.lfs.sha256 == sha256(FILES["sub/deep/c.bin"])

    sub = {e.path: type(e) for e in api.list_repo_tree(repo, path_in_repo="sub")}
    assert sub == {"sub/b.txt": RepoFile, "sub/deep": RepoFolder}
    deep = [e.path for e in api.list_repo_tree(repo, path_in_repo="sub/deep")]
    assert deep == ["sub/deep/c.bin"]

    expanded = {e.path: e for e in api.list_repo_tree(repo, recursive=True, expand=True)}
    assert expanded["sub/b.txt"].last_commit.oid == commit
    assert expanded["sub/b.txt"].last_commit.title == "populate"
    assert expanded["sub/b.txt"].last_commit.date is not None
    assert expanded[".gitattributes"].last_commit.title == "initial commit"
    assert expanded["sub"].last_commit is not None

    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(repo, path_in_repo="missing"))
    with pytest.raises(RevisionNotFoundError):
        list(api.list_repo_tree(repo, revision="missing"))


def test_list_repo_tree_at_revision(api, repo):
    first = populate(api, repo).oid
    api.upload_file(path_or_fileobj=b"later", path_in_repo="later.txt", repo_id=repo)
    old = {e.path for e in api.list_repo_tree(repo, revision=first)}
    assert old == {".gitattributes", "a.txt", "sub"}
    now = {e.path for e in api.list_repo_tree(repo)}
    assert now == old | {"later.txt"}


def test_tree_pagination(api, repo, http_log):
    # More entries than the Hub's tree page (1000, and 50 with expand): the client must follow Link.
    files = {f"many/f{i:04d}.txt": f"{i}".encode() for i in range(1050)}
    populate(api, repo, files)

    http_log.clear()
    listed = [e.path for e in api.list_repo_tree(repo, path_in_repo="many")]
    assert sorted(listed) == sorted(files)
    assert len(set(listed)) == len(listed)
    pages = http_log.matching("GET", r"/tree/")
    assert len(pages) >= 2, "1050 entries came back in one page"
    for page in pages[:-1]:
        assert page.response_headers.get("Link", "").startswith(f"<{ENDPOINT}/"), page.response_headers

    http_log.clear()
    listed = [e.path for e in api.list_repo_tree(repo, recursive=True)]
    assert sorted(listed) == sorted([".gitattributes", "many", *files])

    http_log.clear()
    expanded = list(api.list_repo_tree(repo, path_in_repo="many", expand=True))
    assert len(expanded) == 1050
    assert all(e.last_commit is not None and e.last_commit.title == "populate" for e in expanded)
    assert len(http_log.matching("GET", r"/tree/")) >= 2


def test_get_paths_info(api, repo):
    commit = populate(api, repo).oid
    infos = api.get_paths_info(repo, ["sub/deep/c.bin", "missing.txt", "a.txt", "sub"])
    # Request order, missing paths skipped.
    assert [i.path for i in infos] == ["sub/deep/c.bin", "a.txt", "sub"]
    c, a, sub = infos
    assert isinstance(c, RepoFile) and c.lfs.sha256 == sha256(FILES["sub/deep/c.bin"])
    assert c.lfs.size == len(FILES["sub/deep/c.bin"])
    assert isinstance(a, RepoFile) and a.blob_id == git_blob_sha1(FILES["a.txt"])
    assert isinstance(sub, RepoFolder)
    assert a.last_commit is None

    [expanded] = api.get_paths_info(repo, "a.txt", expand=True)
    assert expanded.last_commit.oid == commit

    assert api.get_paths_info(repo, ["a.txt"], revision=api.list_repo_commits(repo)[-1].commit_id) == []
    with pytest.raises(RevisionNotFoundError):
        api.get_paths_info(repo, ["a.txt"], revision="missing")


def test_list_repo_refs(api, repo):
    head = populate(api, repo).oid
    api.create_branch(repo, branch="dev")
    api.create_tag(repo, tag="v1.0")

    refs = api.list_repo_refs(repo)
    branches = {b.name: b for b in refs.branches}
    assert set(branches) == {"main", "dev"}
    assert branches["main"].ref == "refs/heads/main"
    assert branches["main"].target_commit == head
    assert branches["dev"].target_commit == head
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [("v1.0", "refs/tags/v1.0", head)]
    assert refs.converts == []
    assert refs.pull_requests is None
    assert api.list_repo_refs(repo, include_pull_requests=True).pull_requests == []


def test_list_repo_commits(api, repo):
    initial = api.model_info(repo).sha
    one = api.upload_file(path_or_fileobj=b"1", path_in_repo="1.txt", repo_id=repo, commit_message="first").oid
    two = api.upload_file(
        path_or_fileobj=b"2",
        path_in_repo="2.txt",
        repo_id=repo,
        commit_message="second",
        commit_description="details of the second",
    ).oid

    commits = api.list_repo_commits(repo)
    assert [c.commit_id for c in commits] == [two, one, initial]
    assert [c.title for c in commits] == ["second", "first", "initial commit"]
    assert commits[0].message == "details of the second"
    assert commits[0].authors == ["alice"]
    assert commits[0].created_at >= commits[1].created_at >= commits[2].created_at
    assert commits[0].formatted_title is None

    formatted = api.list_repo_commits(repo, formatted=True)
    assert formatted[0].formatted_title is not None and "second" in formatted[0].formatted_title
    assert formatted[0].formatted_message is not None

    assert [c.commit_id for c in api.list_repo_commits(repo, revision=one)] == [one, initial]
    with pytest.raises(RevisionNotFoundError):
        api.list_repo_commits(repo, revision="missing")


def test_branches(api, repo, cache_dir):
    first = api.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo).oid
    second = api.upload_file(path_or_fileobj=b"v2", path_in_repo="f.txt", repo_id=repo).oid

    api.create_branch(repo, branch="from-main")
    api.create_branch(repo, branch="from-sha", revision=first)
    api.create_tag(repo, tag="t1", revision=first)
    api.create_branch(repo, branch="from-tag", revision="t1")
    branches = {b.name: b.target_commit for b in api.list_repo_refs(repo).branches}
    assert branches == {"main": second, "from-main": second, "from-sha": first, "from-tag": first}
    assert read(repo, "f.txt", cache_dir, revision="from-sha") == b"v1"

    with pytest.raises(HfHubHTTPError) as excinfo:
        api.create_branch(repo, branch="from-main")
    assert excinfo.value.response.status_code == 409
    api.create_branch(repo, branch="from-main", exist_ok=True)

    with pytest.raises(RevisionNotFoundError):
        api.create_branch(repo, branch="bad-start", revision="no-such-revision")

    # Branch names with a slash travel %2F-encoded.
    api.create_branch(repo, branch="feature/x")
    assert "feature/x" in {b.name for b in api.list_repo_refs(repo).branches}
    api.upload_file(path_or_fileobj=b"on feature", path_in_repo="f.txt", repo_id=repo, revision="feature/x")
    assert read(repo, "f.txt", cache_dir, revision="feature/x") == b"on feature"

    api.delete_branch(repo, branch="from-main")
    api.delete_branch(repo, branch="feature/x")
    assert {b.name for b in api.list_repo_refs(repo).branches} == {"main", "from-sha", "from-tag"}
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.delete_branch(repo, branch="from-main")
    assert excinfo.value.response.status_code == 404
    # The default branch cannot be deleted.
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.delete_branch(repo, branch="main")
    assert excinfo.value.response.status_code in (400, 403, 409)
    assert api.revision_exists(repo, "main")
    assert api.revision_exists(repo, "from-main") is False


def test_tags(api, repo, cache_dir):
    first = api.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo).oid
    second = api.upload_file(path_or_fileobj=b"v2", path_in_repo="f.txt", repo_id=repo).oid

    api.create_tag(repo, tag="v1.0", revision=first, tag_message="first release")
    api.create_tag(repo, tag="latest")
    tags = {t.name: t.target_commit for t in api.list_repo_refs(repo).tags}
    assert tags == {"v1.0": first, "latest": second}
    assert read(repo, "f.txt", cache_dir, revision="v1.0") == b"v1"
    assert api.model_info(repo, revision="v1.0").sha == first

    with pytest.raises(HfHubHTTPError) as excinfo:
        api.create_tag(repo, tag="v1.0")
    assert excinfo.value.response.status_code == 409
    api.create_tag(repo, tag="v1.0", exist_ok=True)
    # exist_ok does not move the tag.
    assert {t.name: t.target_commit for t in api.list_repo_refs(repo).tags}["v1.0"] == first

    api.delete_tag(repo, tag="v1.0")
    assert {t.name for t in api.list_repo_refs(repo).tags} == {"latest"}
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.delete_tag(repo, tag="v1.0")
    assert excinfo.value.response.status_code == 404
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(repo, tag="v2", revision="no-such-revision")


def test_super_squash_history(api, repo, cache_dir):
    for i in range(3):
        api.upload_file(path_or_fileobj=f"v{i}".encode(), path_in_repo="f.txt", repo_id=repo)
    api.upload_file(path_or_fileobj=b"\x00w", path_in_repo="w.bin", repo_id=repo)
    files_before = sorted(api.list_repo_files(repo))
    assert len(api.list_repo_commits(repo)) == 5

    api.super_squash_history(repo, commit_message="squashed!")
    commits = api.list_repo_commits(repo)
    assert len(commits) == 1
    assert commits[0].title == "squashed!"
    assert api.model_info(repo).sha == commits[0].commit_id
    assert sorted(api.list_repo_files(repo)) == files_before
    assert read(repo, "f.txt", cache_dir) == b"v2"
    assert read(repo, "w.bin", cache_dir) == b"\x00w"

    # Default message, on another branch; main is not touched by it.
    api.create_branch(repo, branch="dev")
    api.upload_file(path_or_fileobj=b"dev", path_in_repo="dev.txt", repo_id=repo, revision="dev")
    api.super_squash_history(repo, branch="dev")
    dev = api.list_repo_commits(repo, revision="dev")
    assert len(dev) == 1
    assert dev[0].title == "Super-squash branch 'dev' using huggingface_hub"
    assert api.list_repo_commits(repo)[0].commit_id == commits[0].commit_id

    with pytest.raises(RevisionNotFoundError):
        api.super_squash_history(repo, branch="missing")


def test_list_repo_commits_pagination(api, repo, http_log):
    # More commits than one page of the Hub's history listing: the client follows Link.
    oids = [api.model_info(repo).sha]
    for i in range(55):
        info = api.create_commit(
            repo,
            operations=[CommitOperationAdd(path_in_repo="counter.txt", path_or_fileobj=str(i).encode())],
            commit_message=f"commit {i}",
        )
        oids.append(info.oid)
    http_log.clear()
    commits = api.list_repo_commits(repo)
    assert [c.commit_id for c in commits] == oids[::-1]
    assert [c.title for c in commits[:2]] == ["commit 54", "commit 53"]
    pages = http_log.matching("GET", r"/commits/")
    for page in pages[:-1]:
        assert page.response_headers.get("Link", "").startswith(f"<{ENDPOINT}/"), page.response_headers
