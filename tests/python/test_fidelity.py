"""Issue 15: places where hf-local-hub answered differently from the Hub (items 2, 3, 7-15).

Each test drives the official client the way a user of the Hub would and checks the Hub's behaviour.
"""

import math
import warnings
from datetime import datetime
from typing import get_args

import pytest
import requests
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    RepoCard,
    hf_hub_download,
)
from huggingface_hub import repocard as repocard_module
from huggingface_hub.hf_api import (
    ExpandDatasetProperty_T,
    ExpandModelProperty_T,
    ExpandSpaceProperty_T,
)
from huggingface_hub.utils import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    RevisionNotFoundError,
)

from conftest import ALICE, ENDPOINT, ORG, sha256


def status_of(excinfo) -> int:
    return excinfo.value.response.status_code


# ---------------------------------------------------------------------------------------------
# Item 2: list_lfs_files / permanently_delete_lfs_files
# ---------------------------------------------------------------------------------------------


def test_list_and_permanently_delete_lfs_files(api, alice_read_api, bob_api, repo, cache_dir, http_log):
    weights = b"w" * 3000
    other = b"o" * 2000
    api.upload_file(path_or_fileobj=weights, path_in_repo="ckpt/weights.bin", repo_id=repo)
    api.upload_file(path_or_fileobj=other, path_in_repo="other.bin", repo_id=repo)
    api.upload_file(path_or_fileobj=b"regular", path_in_repo="notes.txt", repo_id=repo)

    files = sorted(alice_read_api.list_lfs_files(repo), key=lambda f: f.filename)
    assert [(f.filename, f.file_oid, f.size) for f in files] == [
        ("ckpt/weights.bin", sha256(weights), 3000),
        ("other.bin", sha256(other), 2000),
    ]
    assert all(isinstance(f.pushed_at, datetime) for f in files)
    assert all(f.oid for f in files)

    # Deleting needs write access to the repo.
    with pytest.raises(HfHubHTTPError) as e:
        alice_read_api.permanently_delete_lfs_files(repo, files[:1])
    assert status_of(e) == 403
    with pytest.raises(HfHubHTTPError) as e:
        bob_api.permanently_delete_lfs_files(repo, files[:1])
    assert status_of(e) == 403

    api.permanently_delete_lfs_files(repo, [f for f in files if f.filename.startswith("ckpt/")])
    assert [f.filename for f in api.list_lfs_files(repo)] == ["other.bin"]
    # History rewritten: the pointer is gone.
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo, "ckpt/weights.bin", cache_dir=cache_dir)
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "notes.txt", "other.bin"]

    # The bytes are gone too: uploading the same content again transfers it again.
    http_log.clear()
    api.upload_file(path_or_fileobj=weights, path_in_repo="again.bin", repo_id=repo)
    assert http_log.matching("PUT", r"/_hub-lfs/"), "the deleted object had to be uploaded again"
    assert hf_hub_download(repo, "again.bin", cache_dir=cache_dir)


# ---------------------------------------------------------------------------------------------
# Item 3: full names
# ---------------------------------------------------------------------------------------------


def test_whoami_reports_full_names(api, bob_api):
    me = api.whoami()
    assert me["name"] == ALICE
    assert me["fullname"] == "Alice Liddell"  # --profiles
    orgs = {o["name"]: o["fullname"] for o in me["orgs"]}
    assert orgs == {ORG: "ACME Corp"}
    # --user bob:TOKEN:Bob Builder
    assert bob_api.whoami()["fullname"] == "Bob Builder"


# ---------------------------------------------------------------------------------------------
# Items 7 and 8: what a new repo holds
# ---------------------------------------------------------------------------------------------


def test_new_space_has_a_readme_with_its_sdk(api, make_repo, cache_dir):
    space = make_repo(repo_type="space", space_sdk="docker")
    assert sorted(api.list_repo_files(space, repo_type="space")) == [".gitattributes", "README.md"]
    card = RepoCard.load(space, repo_type="space")
    assert card.data.sdk == "docker"
    assert api.space_info(space).card_data.sdk == "docker"
    # One commit: the README.md is part of the initial commit.
    assert len(api.list_repo_commits(space, repo_type="space")) == 1


@pytest.mark.parametrize("namespace", [ALICE, ORG])
def test_initial_commit_is_authored_by_the_creator(api, make_repo, namespace):
    repo = make_repo(namespace=namespace)
    commits = api.list_repo_commits(repo)
    assert [c.title for c in commits] == ["initial commit"]
    assert commits[0].authors == [ALICE]


# ---------------------------------------------------------------------------------------------
# Item 9: validate-yaml
# ---------------------------------------------------------------------------------------------


def test_commit_with_invalid_card_schema_is_refused(api, repo):
    readme = b"---\nmodel-index: foo\n---\n# Model\n"
    with pytest.raises(ValueError, match="Invalid metadata in README.md") as e:
        api.upload_file(path_or_fileobj=readme, path_in_repo="README.md", repo_id=repo)
    assert "model-index" in str(e.value)
    assert "README.md" not in api.list_repo_files(repo)


def test_commit_with_card_without_metadata_warns(api, repo):
    with pytest.warns(UserWarning, match="Empty or missing yaml metadata"):
        api.upload_file(path_or_fileobj=b"# Just a title\n", path_in_repo="README.md", repo_id=repo)
    assert "README.md" in api.list_repo_files(repo)


@pytest.fixture
def validate_against_local_hub(monkeypatch):
    """RepoCard.validate() posts to https://huggingface.co whatever HF_ENDPOINT says: send it here."""
    real = repocard_module.get_session

    class Redirect:
        def __init__(self, session):
            self.session = session

        def post(self, url, *args, **kwargs):
            assert url == "https://huggingface.co/api/validate-yaml"
            return self.session.post(f"{ENDPOINT}/api/validate-yaml", *args, **kwargs)

    monkeypatch.setattr(repocard_module, "get_session", lambda: Redirect(real()))


def test_repocard_validate_form_body(validate_against_local_hub):
    RepoCard("---\nlicense: mit\ntags: [a]\n---\n# Card\n").validate(repo_type="model")
    RepoCard("---\nsdk: gradio\ncolorFrom: blue\n---\n").validate(repo_type="space")
    with pytest.raises(ValueError, match="model-index"):
        RepoCard("---\nmodel-index: foo\n---\n").validate(repo_type="model")
    with pytest.raises(ValueError, match="task_categories"):
        RepoCard("---\ntask_categories: 3\n---\n").validate(repo_type="dataset")


def test_validate_yaml_answers_text_when_asked():
    r = requests.post(
        f"{ENDPOINT}/api/validate-yaml",
        {"repoType": "model", "content": "---\nmodel-index: foo\n---\n"},
        headers={"Accept": "text/plain"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert "model-index" in r.text


# ---------------------------------------------------------------------------------------------
# Item 10: multipart threshold and chunk size
# ---------------------------------------------------------------------------------------------


def lfs_parts(http_log) -> int:
    return len(http_log.matching("PUT", r"/_hub-lfs/part/"))


def test_an_18_mb_object_gets_a_multipart_upload(api, repo, cache_dir, http_log):
    data = bytes(range(256)) * (18_000_000 // 256)
    api.upload_file(path_or_fileobj=data, path_in_repo="big.bin", repo_id=repo)
    batch = http_log.matching("POST", r"/info/lfs/objects/batch")
    assert batch
    assert lfs_parts(http_log) == math.ceil(len(data) / (10 * 1024 * 1024))
    path = hf_hub_download(repo, "big.bin", cache_dir=cache_dir)
    with open(path, "rb") as f:
        assert f.read() == data


def test_lfsmultipartthresh_sets_the_repo_threshold(api, make_repo, cache_dir, http_log):
    api._lfsmultipartthresh = 6 * 10**6
    try:
        repo = make_repo()
    finally:
        api._lfsmultipartthresh = None
    data = b"x" * 18_000_000
    api.upload_file(path_or_fileobj=data, path_in_repo="big.bin", repo_id=repo)
    assert lfs_parts(http_log) == 3
    # Below the threshold: one basic PUT.
    http_log.clear()
    api.upload_file(path_or_fileobj=b"y" * 1_000_000, path_in_repo="small.bin", repo_id=repo)
    assert lfs_parts(http_log) == 0
    assert http_log.matching("PUT", r"/_hub-lfs/basic/")


# ---------------------------------------------------------------------------------------------
# Items 11, 12, 14: commits and refs
# ---------------------------------------------------------------------------------------------


def test_deleting_a_folder_named_without_trailing_slash(api, repo):
    api.create_commit(
        repo,
        [CommitOperationAdd(f"1/{n}.txt", b"x") for n in range(3)] + [CommitOperationAdd("keep.txt", b"k")],
        commit_message="files",
    )
    api.create_commit(repo, [CommitOperationDelete("1")], commit_message="delete folder 1")
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "keep.txt"]
    with pytest.raises(EntryNotFoundError):
        api.create_commit(repo, [CommitOperationDelete("nothing")], commit_message="nope")


def test_pull_request_against_a_commit_id_is_refused(api, repo):
    sha = api.repo_info(repo).sha
    with pytest.raises(RevisionNotFoundError):
        api.create_commit(
            repo, [CommitOperationAdd("a.txt", b"a")], commit_message="pr", revision=sha, create_pr=True
        )
    assert api.get_repo_discussions(repo) is not None
    assert list(api.get_repo_discussions(repo)) == []


def test_create_tag_checks_the_revision_first(api, repo):
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(repo, tag="not a valid tag", revision="no-such-branch")
    with pytest.raises(HfHubHTTPError) as e:
        api.create_tag(repo, tag="not a valid tag")
    assert status_of(e) == 400


# ---------------------------------------------------------------------------------------------
# Item 13: expand values
# ---------------------------------------------------------------------------------------------


def listed_values(message: str) -> set:
    listed = message.split("must be one of: ", 1)[1].split(" (got", 1)[0]
    return set(listed.split(", "))


@pytest.mark.parametrize(
    "repo_type,literal", [("model", ExpandModelProperty_T), ("dataset", ExpandDatasetProperty_T), ("space", ExpandSpaceProperty_T)]
)
def test_unknown_expand_is_a_400_listing_the_valid_values(api, make_repo, repo_type, literal):
    repo = make_repo(repo_type=repo_type)
    with pytest.raises(HfHubHTTPError) as e:
        api.repo_info(repo, repo_type=repo_type, expand=["nope"])
    assert status_of(e) == 400
    assert listed_values(e.value.server_message) == set(get_args(literal))
    lister = {"model": api.list_models, "dataset": api.list_datasets, "space": api.list_spaces}[repo_type]
    with pytest.raises(HfHubHTTPError) as e:
        list(lister(expand=["nope"], limit=1))
    assert status_of(e) == 400
    assert listed_values(e.value.server_message) == set(get_args(literal))
    # Every valid value is accepted.
    info = api.repo_info(repo, repo_type=repo_type, expand=list(get_args(literal)))
    assert info.id == repo


# ---------------------------------------------------------------------------------------------
# Item 15: error wording
# ---------------------------------------------------------------------------------------------


def test_error_wording(api, bob_api, make_repo, cache_dir):
    a = make_repo(suffix="a")
    b = make_repo(suffix="b")
    with pytest.raises(HfHubHTTPError) as e:
        api.move_repo(a, b)
    assert status_of(e) == 409
    assert f"A model repository called {b} already exists" in str(e.value)

    api.create_branch(a, branch="dev")
    with pytest.raises(HfHubHTTPError) as e:
        api.create_branch(a, branch="dev")
    assert status_of(e) == 409
    assert "Reference refs/heads/dev already exists" in str(e.value)

    with pytest.raises(HfHubHTTPError) as e:
        api.delete_branch(a, branch="main")
    assert status_of(e) == 403
    assert "Cannot delete refs/heads/main" in str(e.value)

    api.upload_file(path_or_fileobj=b"secret", path_in_repo="f.txt", repo_id=a)
    api.update_repo_settings(a, gated="manual")
    with pytest.raises(GatedRepoError) as e:
        hf_hub_download(a, "f.txt", cache_dir=cache_dir, token="hf_bob_write")
    assert status_of(e) == 403
    assert e.value.response.headers["X-Error-Code"] == "GatedRepo"
    assert f"Access to model {a} is restricted and you are not in the authorized list" in str(e.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(GatedRepoError) as e:
            hf_hub_download(a, "f.txt", cache_dir=cache_dir, token=False)
    assert status_of(e) == 401
    assert f"Access to model {a} is restricted" in str(e.value)
