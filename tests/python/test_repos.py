"""Repositories: create/delete/move, info, settings, listings, users and permissions."""

import pytest
from huggingface_hub import DatasetInfo, ModelInfo, SpaceInfo, hf_hub_download
from huggingface_hub.utils import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils._pagination import paginate
from requests import HTTPError

from conftest import ALICE, ALICE_READ, ALICE_WRITE, BOB, BOB_WRITE, ENDPOINT, HEX40, ORG, git_blob_sha1, sha256

INFO_CLASS = {"model": ModelInfo, "dataset": DatasetInfo, "space": SpaceInfo}
REPO_TYPES = ["model", "dataset", "space"]


def status_of(excinfo) -> int:
    return excinfo.value.response.status_code


@pytest.mark.parametrize("repo_type", REPO_TYPES)
def test_create_info_and_delete_each_type(api, make_repo, repo_type):
    repo_id = make_repo(repo_type=repo_type)

    info = api.repo_info(repo_id, repo_type=repo_type)
    assert isinstance(info, INFO_CLASS[repo_type])
    assert info.id == repo_id
    assert info.author == ALICE
    assert HEX40.match(info.sha)
    assert info.private is False
    # A new Space also gets a README.md (issue 15).
    expected = [".gitattributes", "README.md"] if repo_type == "space" else [".gitattributes"]
    assert [s.rfilename for s in info.siblings] == expected
    if repo_type == "space":
        assert info.sdk == "gradio"

    # A new repo holds one commit by its creator with the default .gitattributes (issue 15).
    commits = api.list_repo_commits(repo_id, repo_type=repo_type)
    assert [c.title for c in commits] == ["initial commit"]
    assert commits[0].commit_id == info.sha
    assert commits[0].authors == [ALICE]

    api.delete_repo(repo_id, repo_type=repo_type)
    assert api.repo_exists(repo_id, repo_type=repo_type) is False
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info(repo_id, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo(repo_id, repo_type=repo_type)
    api.delete_repo(repo_id, repo_type=repo_type, missing_ok=True)


@pytest.mark.parametrize("repo_type", REPO_TYPES)
def test_create_repo_url(api, make_repo, repo_type):
    repo_id = make_repo(repo_type=repo_type)
    sdk = "static" if repo_type == "space" else None
    url = api.create_repo(repo_id, repo_type=repo_type, exist_ok=True, space_sdk=sdk)
    assert url.endpoint == ENDPOINT
    assert url.repo_id == repo_id
    assert url.namespace == ALICE
    assert url.repo_type == repo_type
    prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[repo_type]
    assert str(url) == f"{ENDPOINT}/{prefix}{repo_id}"


def test_create_repo_exist_ok(api, repo):
    api.upload_file(path_or_fileobj=b"kept", path_in_repo="kept.txt", repo_id=repo)
    head = api.model_info(repo).sha

    with pytest.raises(HfHubHTTPError) as excinfo:
        api.create_repo(repo)
    assert status_of(excinfo) == 409

    # exist_ok reads the url from the 409 body and leaves the repo untouched.
    url = api.create_repo(repo, exist_ok=True)
    assert url.repo_id == repo
    assert api.model_info(repo).sha == head
    assert "kept.txt" in api.list_repo_files(repo)


def test_same_name_different_types_are_different_repos(api, make_repo):
    model = make_repo(repo_type="model")
    dataset = make_repo(repo_type="dataset")
    assert model == dataset
    api.upload_file(path_or_fileobj=b"m", path_in_repo="only-model.txt", repo_id=model)
    assert "only-model.txt" in api.list_repo_files(model)
    assert "only-model.txt" not in api.list_repo_files(dataset, repo_type="dataset")


@pytest.mark.parametrize("repo_type", REPO_TYPES)
def test_move_repo(api, make_repo, unique, cache_dir, repo_type):
    old = make_repo(repo_type=repo_type)
    api.upload_file(path_or_fileobj=b"moved content", path_in_repo="f.txt", repo_id=old, repo_type=repo_type)
    sha = api.repo_info(old, repo_type=repo_type).sha

    new = f"{ORG}/{unique}-renamed"
    make_repo.created.append((new, repo_type))
    api.move_repo(from_id=old, to_id=new, repo_type=repo_type)

    info = api.repo_info(new, repo_type=repo_type)
    assert info.id == new
    assert info.sha == sha
    # A Space also holds the README.md it got at creation (issue 15).
    readme = ["README.md"] if repo_type == "space" else []
    assert api.list_repo_files(new, repo_type=repo_type) == [".gitattributes", *readme, "f.txt"]
    # The old name keeps working for downloads through a relative redirect (protocol §2.3).
    path = hf_hub_download(old, "f.txt", repo_type=repo_type, token=ALICE_WRITE, cache_dir=cache_dir, endpoint=ENDPOINT)
    with open(path, "rb") as f:
        assert f.read() == b"moved content"


def test_move_repo_to_existing_name_fails(api, make_repo):
    a = make_repo(suffix="a")
    b = make_repo(suffix="b")
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.move_repo(from_id=a, to_id=b)
    assert status_of(excinfo) == 409
    assert api.repo_exists(a) and api.repo_exists(b)


def test_move_missing_repo(api, unique):
    with pytest.raises(RepositoryNotFoundError):
        api.move_repo(from_id=f"{ALICE}/{unique}", to_id=f"{ALICE}/{unique}-2")


def test_repo_info_files_metadata(api, repo):
    small = b"hello world\n"
    lfs = b"\x00\x01binary weights"
    api.upload_file(path_or_fileobj=small, path_in_repo="a.txt", repo_id=repo)
    api.upload_file(path_or_fileobj=lfs, path_in_repo="w.bin", repo_id=repo)

    plain = api.model_info(repo)
    by_name = {s.rfilename: s for s in plain.siblings}
    assert set(by_name) == {".gitattributes", "a.txt", "w.bin"}
    assert by_name["a.txt"].size is None and by_name["a.txt"].blob_id is None

    info = api.model_info(repo, files_metadata=True)
    by_name = {s.rfilename: s for s in info.siblings}
    assert by_name["a.txt"].size == len(small)
    assert by_name["a.txt"].blob_id == git_blob_sha1(small)
    assert by_name["a.txt"].lfs is None
    w = by_name["w.bin"]
    assert w.size == len(lfs)
    assert w.lfs is not None
    assert w.lfs.sha256 == sha256(lfs)
    assert w.lfs.size == len(lfs)
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256(lfs)}\nsize {len(lfs)}\n".encode()
    assert w.lfs.pointer_size == len(pointer)
    assert w.blob_id == git_blob_sha1(pointer)


@pytest.mark.parametrize("repo_type", REPO_TYPES)
def test_repo_info_expand(api, make_repo, repo_type):
    repo_id = make_repo(repo_type=repo_type)
    full = api.repo_info(repo_id, repo_type=repo_type)
    info = api.repo_info(repo_id, repo_type=repo_type, expand=["sha", "private", "createdAt"])
    assert info.id == repo_id
    assert info.sha == full.sha
    assert info.private is False
    assert info.created_at is not None
    # Only _id, id and the expanded properties come back.
    assert info.siblings is None
    assert info.last_modified is None
    assert info.author is None


def test_repo_info_by_revision(api, repo):
    first = api.upload_file(path_or_fileobj=b"1", path_in_repo="one.txt", repo_id=repo).oid
    second = api.upload_file(path_or_fileobj=b"2", path_in_repo="two.txt", repo_id=repo).oid
    assert first != second

    old = api.model_info(repo, revision=first)
    assert old.sha == first
    assert sorted(s.rfilename for s in old.siblings) == [".gitattributes", "one.txt"]
    assert api.model_info(repo).sha == second
    assert api.model_info(repo, revision="main").sha == second
    with pytest.raises(RevisionNotFoundError):
        api.model_info(repo, revision="no-such-branch")


def test_dataset_and_space_info(api, make_repo):
    dataset = make_repo(repo_type="dataset")
    space = make_repo(repo_type="space", space_sdk="docker")
    api.upload_file(path_or_fileobj=b"a,b\n1,2\n", path_in_repo="data/train.csv", repo_id=dataset, repo_type="dataset")
    d = api.dataset_info(dataset, files_metadata=True)
    assert isinstance(d, DatasetInfo)
    assert {s.rfilename: s.size for s in d.siblings}["data/train.csv"] == 8
    s = api.space_info(space)
    assert isinstance(s, SpaceInfo)
    assert s.sdk == "docker"
    # A dataset id is not a model id.
    with pytest.raises(RepositoryNotFoundError):
        api.model_info(dataset)


def test_update_repo_settings(api, bob_api, repo):
    assert api.model_info(repo).private is False
    assert bob_api.model_info(repo).id == repo

    api.update_repo_settings(repo, private=True)
    assert api.model_info(repo).private is True
    with pytest.raises(RepositoryNotFoundError):
        bob_api.model_info(repo)

    api.update_repo_settings(repo, private=False)
    assert bob_api.model_info(repo).private is False

    api.update_repo_settings(repo, gated="auto")
    assert api.model_info(repo).gated == "auto"
    api.update_repo_settings(repo, gated="manual")
    assert api.model_info(repo).gated == "manual"
    api.update_repo_settings(repo, gated=False)
    assert api.model_info(repo).gated is False


def test_update_settings_needs_write_access(bob_api, alice_read_api, repo):
    with pytest.raises(HfHubHTTPError) as excinfo:
        bob_api.update_repo_settings(repo, private=True)
    assert status_of(excinfo) == 403
    with pytest.raises(HfHubHTTPError) as excinfo:
        alice_read_api.update_repo_settings(repo, private=True)
    assert status_of(excinfo) == 403


def test_whoami(api, alice_read_api, bob_api, anon_api):
    me = api.whoami()
    assert me["name"] == ALICE
    assert me["type"] == "user"
    assert me["auth"]["accessToken"]["role"] == "write"
    assert ORG in [o["name"] for o in me.get("orgs", [])]

    read = alice_read_api.whoami()
    assert read["name"] == ALICE
    assert read["auth"]["accessToken"]["role"] == "read"

    bob = bob_api.whoami()
    assert bob["name"] == BOB
    assert ORG not in [o["name"] for o in bob.get("orgs", [])]

    with pytest.raises(HTTPError) as excinfo:
        anon_api.whoami(token="hf_not_a_real_token")
    assert status_of(excinfo) == 401


def test_private_repo_invisible_to_others(api, bob_api, anon_api, make_repo, cache_dir):
    repo = make_repo(private=True)
    api.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id=repo)
    assert api.model_info(repo).private is True

    for other in (bob_api, anon_api):
        with pytest.raises(RepositoryNotFoundError):
            other.model_info(repo)
        with pytest.raises(RepositoryNotFoundError):
            other.list_repo_files(repo)
        with pytest.raises(RepositoryNotFoundError):
            other.auth_check(repo)
        assert other.repo_exists(repo) is False
        assert other.file_exists(repo, "s.txt") is False
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(repo, "s.txt", token=BOB_WRITE, cache_dir=cache_dir)
    # Not listed either.
    assert repo not in [m.id for m in bob_api.list_models(author=ALICE)]
    assert repo in [m.id for m in api.list_models(author=ALICE)]


def test_org_repos(api, bob_api, make_repo, unique):
    repo = make_repo(namespace=ORG, private=True)
    info = api.model_info(repo)
    assert info.id == repo and info.private is True
    api.upload_file(path_or_fileobj=b"org file", path_in_repo="o.txt", repo_id=repo)
    with pytest.raises(RepositoryNotFoundError):
        bob_api.model_info(repo)
    # bob is not a member of acme: no repo creation there.
    with pytest.raises(HfHubHTTPError) as excinfo:
        bob_api.create_repo(f"{ORG}/{unique}-bob")
    assert status_of(excinfo) == 403
    # Nor in alice's namespace.
    with pytest.raises(HfHubHTTPError) as excinfo:
        bob_api.create_repo(f"{ALICE}/{unique}-bob")
    assert status_of(excinfo) == 403


def test_read_token_cannot_write(api, alice_read_api, repo, unique):
    # Reading works with a read token, private repos included.
    api.update_repo_settings(repo, private=True)
    assert alice_read_api.model_info(repo).id == repo

    with pytest.raises(HfHubHTTPError) as excinfo:
        alice_read_api.create_repo(f"{ALICE}/{unique}-ro")
    assert status_of(excinfo) == 403
    with pytest.raises(HfHubHTTPError) as excinfo:
        alice_read_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo)
    assert status_of(excinfo) == 403
    with pytest.raises(HfHubHTTPError) as excinfo:
        alice_read_api.create_branch(repo, branch="dev")
    assert status_of(excinfo) == 403
    with pytest.raises(HfHubHTTPError) as excinfo:
        alice_read_api.delete_repo(repo)
    assert status_of(excinfo) == 403
    assert api.list_repo_files(repo) == [".gitattributes"]
    assert [r.name for r in api.list_repo_refs(repo).branches] == ["main"]


def test_other_user_cannot_write(bob_api, api, repo):
    with pytest.raises(HfHubHTTPError) as excinfo:
        bob_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo)
    assert status_of(excinfo) == 403
    with pytest.raises(HfHubHTTPError) as excinfo:
        bob_api.delete_repo(repo)
    assert status_of(excinfo) == 403
    assert api.repo_exists(repo)


def test_auth_check(api, alice_read_api, bob_api, make_repo, unique):
    public = make_repo(suffix="pub")
    private = make_repo(suffix="priv", private=True)
    api.auth_check(public)
    api.auth_check(private)
    alice_read_api.auth_check(private)
    bob_api.auth_check(public)
    with pytest.raises(RepositoryNotFoundError):
        bob_api.auth_check(private)
    with pytest.raises(RepositoryNotFoundError):
        api.auth_check(f"{ALICE}/{unique}-missing")


def test_existence_checks(api, repo, unique):
    sha = api.upload_file(path_or_fileobj=b"x", path_in_repo="dir/x.txt", repo_id=repo).oid
    api.create_branch(repo, branch="dev")

    assert api.repo_exists(repo) is True
    assert api.repo_exists(f"{ALICE}/{unique}-missing") is False
    assert api.repo_exists(repo, repo_type="dataset") is False

    assert api.revision_exists(repo, "main") is True
    assert api.revision_exists(repo, "dev") is True
    assert api.revision_exists(repo, sha) is True
    assert api.revision_exists(repo, "nope") is False
    assert api.revision_exists(f"{ALICE}/{unique}-missing", "main") is False

    assert api.file_exists(repo, "dir/x.txt") is True
    assert api.file_exists(repo, "dir/x.txt", revision=sha) is True
    assert api.file_exists(repo, "dir/y.txt") is False
    assert api.file_exists(repo, "dir/x.txt", revision="nope") is False
    assert api.file_exists(f"{ALICE}/{unique}-missing", "dir/x.txt") is False


def test_list_models_and_datasets(api, bob_api, make_repo, unique):
    models = {make_repo(suffix=f"m{i}") for i in range(3)}
    dataset = make_repo(repo_type="dataset", suffix="d0")
    private = make_repo(suffix="hidden", private=True)
    api.upload_file(path_or_fileobj=b"w", path_in_repo="w.bin", repo_id=min(models))

    found = {m.id for m in api.list_models(search=unique)}
    assert found == models | {private}
    assert {m.id for m in bob_api.list_models(search=unique)} == models
    assert {m.id for m in api.list_models(search=unique, author=ALICE)} == models | {private}
    assert list(api.list_models(search=unique, author=BOB)) == []
    assert {d.id for d in api.list_datasets(search=unique)} == {dataset}
    assert {d.id for d in api.list_datasets(author=ALICE, search=unique)} == {dataset}

    limited = list(api.list_models(search=unique, limit=2))
    assert len(limited) == 2

    newest_first = list(api.list_models(search=unique, sort="created_at", direction=-1))
    dates = [m.created_at for m in newest_first]
    assert None not in dates
    assert dates == sorted(dates, reverse=True)

    # full=True includes the file list.
    full = {m.id: m for m in api.list_models(search=unique, full=True)}
    assert sorted(s.rfilename for s in full[min(models)].siblings) == [".gitattributes", "w.bin"]
    # expand= returns the requested properties.
    expanded = {m.id: m for m in api.list_models(search=unique, expand=["sha", "private"])}
    assert expanded[private].private is True
    assert expanded[min(models)].sha == api.model_info(min(models)).sha


def test_list_spaces(api, make_repo, unique):
    space = make_repo(repo_type="space")
    assert {s.id for s in api.list_spaces(search=unique)} == {space}
    assert list(api.list_models(search=unique)) == []


def test_listing_pagination_follows_link(api, make_repo, unique, http_log):
    repos = {make_repo(suffix=f"p{i}") for i in range(5)}
    http_log.clear()
    # The client's own pagination helper, as list_models uses it; limit=2 makes the pages small.
    items = list(
        paginate(
            f"{ENDPOINT}/api/models",
            params={"search": unique, "limit": 2},
            headers=api._build_hf_headers(),
        )
    )
    assert sorted(i["id"] for i in items) == sorted(repos)
    pages = http_log.matching("GET", r"/api/models\b")
    assert len(pages) == 3, [p.url for p in pages]
    for page in pages[:-1]:
        link = page.response_headers.get("Link", "")
        assert link.startswith(f"<{ENDPOINT}/api/models?"), link
        assert 'rel="next"' in link
    assert "Link" not in pages[-1].response_headers or 'rel="next"' not in pages[-1].response_headers["Link"]


def test_bad_token_is_rejected(anon_api, repo):
    with pytest.raises(HfHubHTTPError) as excinfo:
        anon_api.model_info(repo, token="hf_wrong")
    assert status_of(excinfo) == 401
    assert ALICE_READ not in str(excinfo.value)


def test_anonymous_reads_public_repo(api, anon_api, repo, cache_dir):
    api.upload_file(path_or_fileobj=b"public", path_in_repo="p.txt", repo_id=repo)
    assert anon_api.model_info(repo).id == repo
    assert anon_api.list_repo_files(repo) == [".gitattributes", "p.txt"]
    path = hf_hub_download(repo, "p.txt", token=False, cache_dir=cache_dir, endpoint=ENDPOINT)
    with open(path, "rb") as f:
        assert f.read() == b"public"
    with pytest.raises(HfHubHTTPError) as excinfo:
        anon_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo)
    assert status_of(excinfo) in (401, 403)
    with pytest.raises(HfHubHTTPError) as excinfo:
        anon_api.create_repo(f"{repo}-anon")
    assert status_of(excinfo) == 401


def test_error_wire_format(api, repo, unique, cache_dir, http_log):
    """Errors carry X-Error-Code, X-Error-Message and a JSON {"error": ...}; every answer an X-Request-Id."""
    api.upload_file(path_or_fileobj=b"\x00w", path_in_repo="w.bin", repo_id=repo)
    cases = [
        (RepositoryNotFoundError, "RepoNotFound", lambda: api.model_info(f"{ALICE}/{unique}-missing")),
        (RevisionNotFoundError, "RevisionNotFound", lambda: api.model_info(repo, revision="missing")),
        (EntryNotFoundError, "EntryNotFound", lambda: list(api.list_repo_tree(repo, path_in_repo="missing"))),
        (
            EntryNotFoundError,
            "EntryNotFound",
            lambda: hf_hub_download(repo, "missing.txt", token=ALICE_WRITE, cache_dir=cache_dir),
        ),
    ]
    for error_class, code, call in cases:
        with pytest.raises(error_class) as excinfo:
            call()
        response = excinfo.value.response
        assert response.headers.get("X-Error-Code") == code
        assert response.headers.get("X-Error-Message")
        assert response.headers.get("X-Request-Id")
        if response.request.method != "HEAD":
            assert isinstance(response.json().get("error"), (str, list))
    assert http_log.exchanges
    missing = [(e.method, e.url) for e in http_log.exchanges if not e.response_headers.get("X-Request-Id")]
    assert missing == []


def test_recreate_after_delete_starts_empty(api, repo):
    api.upload_file(path_or_fileobj=b"old", path_in_repo="old.txt", repo_id=repo)
    api.create_branch(repo, branch="dev")
    api.delete_repo(repo)
    api.create_repo(repo)
    assert api.list_repo_files(repo) == [".gitattributes"]
    assert len(api.list_repo_commits(repo)) == 1
    assert [b.name for b in api.list_repo_refs(repo).branches] == ["main"]


def test_missing_repo_operations(api, unique):
    missing = f"{ALICE}/{unique}-missing"
    with pytest.raises(RepositoryNotFoundError):
        api.update_repo_settings(missing, private=True)
    with pytest.raises(RepositoryNotFoundError):
        api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=missing)
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_refs(missing)
    with pytest.raises(RepositoryNotFoundError):
        api.create_branch(missing, branch="dev")
