"""Discussions and pull requests, likes and gated access requests (issue 10) with the official client.

The `hf` binary of this project (target/debug/hf, or $HF_CLI_BIN) checks that Rust and Python see each
other's discussions and that `hf download` honours gating; those tests are skipped when it is not built.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests
from conftest import ALICE_WRITE, BOB_WRITE, ENDPOINT
from huggingface_hub import CommitOperationAdd, hf_hub_download
from huggingface_hub.community import DiscussionComment, DiscussionCommit, DiscussionStatusChange
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

HF_BIN = Path(os.environ.get("HF_CLI_BIN", Path(__file__).resolve().parents[2] / "target" / "debug" / "hf"))
needs_hf = pytest.mark.skipif(not HF_BIN.is_file(), reason=f"the hf binary is not built ({HF_BIN})")


def hf(*args, token=ALICE_WRITE, home=None, check=True):
    """Runs the Rust `hf` binary against the hub; returns the completed process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=ENDPOINT, HF_TOKEN=token, HF_HOME=str(home or Path(os.environ["HF_HOME"]) / "rs"))
    out = subprocess.run([str(HF_BIN), *args], env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert out.returncode == 0, f"hf {' '.join(args)} failed:\n{out.stderr}"
    return out


def test_create_pr_commit_is_a_readable_pull_request(api, bob_api, repo):
    api.upload_file(path_or_fileobj=b"one\ntwo\n", path_in_repo="a.txt", repo_id=repo)
    info = bob_api.create_commit(
        repo,
        operations=[CommitOperationAdd(path_in_repo="a.txt", path_or_fileobj=b"one\nTWO\n")],
        commit_message="Shout",
        create_pr=True,
    )
    pr = api.get_discussion_details(repo, info.pr_num)
    assert pr.is_pull_request and pr.status == "open" and pr.author == "bob"
    assert pr.git_reference == info.pr_revision
    assert pr.target_branch == "refs/heads/main"
    assert pr.conflicting_files == []
    assert pr.merge_commit_oid is None
    assert "-two\n+TWO\n" in pr.diff
    assert any(isinstance(e, DiscussionCommit) and e.oid == info.oid for e in pr.events)
    assert pr.url == f"{ENDPOINT}/{repo}/discussions/{info.pr_num}"


def test_discussions_comments_status_rename(api, bob_api, anon_api, repo):
    d = bob_api.create_discussion(repo, title="Question", description="How?")
    assert (d.num, d.title, d.author, d.status, d.is_pull_request) == (1, "Question", "bob", "open", False)
    [first] = d.events
    assert isinstance(first, DiscussionComment) and first.content == "How?"

    c = api.comment_discussion(repo, d.num, "Like **this**")
    assert c.author == "alice" and c.content == "Like **this**" and "this" in c.rendered
    edited = bob_api.edit_discussion_comment(repo, d.num, first.id, "How exactly?")
    assert edited.edited and edited.content == "How exactly?" and edited.number_of_edits == 1
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.edit_discussion_comment(repo, d.num, c.id, "mine")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.hide_discussion_comment(repo, d.num, c.id)
    assert err.value.response.status_code == 403
    assert api.hide_discussion_comment(repo, d.num, first.id).hidden

    title = bob_api.rename_discussion(repo, d.num, "Usage")
    assert (title.old_title, title.new_title) == ("Question", "Usage")
    closed = bob_api.change_discussion_status(repo, d.num, "closed", comment="Solved")
    assert isinstance(closed, DiscussionStatusChange) and closed.new_status == "closed"
    reopened = api.change_discussion_status(repo, d.num, "open")
    assert reopened.new_status == "open"

    mine = api.create_discussion(repo, title="Roadmap")
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.rename_discussion(repo, mine.num, "Hijack")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        anon_api.comment_discussion(repo, mine.num, "anonymous")
    assert err.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError) as err:
        api.comment_discussion(repo, 99, "nobody home")
    assert err.value.response.status_code == 404
    with pytest.raises(HfHubHTTPError) as err:
        api.comment_discussion(repo, mine.num, "   ")
    assert err.value.response.status_code == 400

    details = api.get_discussion_details(repo, d.num)
    assert [e.type for e in details.events] == [
        "comment",
        "comment",
        "title-change",
        "comment",
        "status-change",
        "status-change",
    ]
    assert [x.num for x in api.get_repo_discussions(repo)] == [2, 1]
    assert [x.num for x in api.get_repo_discussions(repo, author="bob")] == [1]
    assert list(api.get_repo_discussions(repo, discussion_type="pull_request")) == []


def test_listing_pages(api, repo):
    for i in range(52):
        api.create_discussion(repo, title=f"D{i}")
    nums = [d.num for d in api.get_repo_discussions(repo, discussion_status="open")]
    assert nums == list(range(52, 0, -1))


def test_private_repo_is_invisible(api, bob_api, make_repo):
    repo = make_repo(private=True)
    api.create_discussion(repo, title="Internal")
    with pytest.raises(RepositoryNotFoundError):
        bob_api.comment_discussion(repo, 1, "peek")
    with pytest.raises(RepositoryNotFoundError):
        list(bob_api.get_repo_discussions(repo))


def test_pull_request_merge_and_rules(api, bob_api, repo):
    api.upload_file(path_or_fileobj=b"b\n", path_in_repo="b.txt", repo_id=repo)
    pr = bob_api.create_pull_request(repo, title="Add c")
    assert pr.status == "draft" and pr.git_reference == f"refs/pr/{pr.num}"
    bob_api.upload_file(path_or_fileobj=b"c\n", path_in_repo="c.txt", repo_id=repo, revision=pr.git_reference)

    with pytest.raises(HfHubHTTPError) as err:
        bob_api.merge_pull_request(repo, pr.num)
    assert err.value.response.status_code == 403
    api.merge_pull_request(repo, pr.num, comment="Thanks")
    merged = api.get_discussion_details(repo, pr.num)
    assert merged.status == "merged" and merged.merge_commit_oid == api.model_info(repo).sha
    assert "c.txt" in api.list_repo_files(repo)
    with pytest.raises(HfHubHTTPError) as err:
        api.merge_pull_request(repo, pr.num)
    assert err.value.response.status_code == 400
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.upload_file(path_or_fileobj=b"late", path_in_repo="late.txt", repo_id=repo, revision=pr.git_reference)
    assert err.value.response.status_code == 400

    # Conflicting change on main: a clear 409 naming the file.
    conflict = api.upload_file(path_or_fileobj=b"pr\n", path_in_repo="b.txt", repo_id=repo, create_pr=True)
    api.upload_file(path_or_fileobj=b"main\n", path_in_repo="b.txt", repo_id=repo)
    assert api.get_discussion_details(repo, conflict.pr_num).conflicting_files == ["b.txt"]
    with pytest.raises(HfHubHTTPError) as err:
        api.merge_pull_request(repo, conflict.pr_num)
    assert err.value.response.status_code == 409 and "b.txt" in str(err.value)
    api.change_discussion_status(repo, conflict.pr_num, "closed")
    with pytest.raises(HfHubHTTPError) as err:
        api.merge_pull_request(repo, conflict.pr_num)
    assert err.value.response.status_code == 400


def test_likes(api, bob_api, repo):
    for token in (ALICE_WRITE, BOB_WRITE):
        # 0.36 has no like(): the Hub's route, as the web page calls it.
        r = requests.post(f"{ENDPOINT}/api/models/{repo}/like", headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 200
    assert api.model_info(repo).likes == 2
    assert sorted(u.username for u in api.list_repo_likers(repo)) == ["alice", "bob"]
    likes = api.list_liked_repos("bob")
    assert likes.user == "bob" and likes.total == 1 and likes.models == [repo]
    bob_api.unlike(repo)
    assert api.model_info(repo).likes == 1
    assert bob_api.list_liked_repos().total == 0


def test_access_requests_and_gated_downloads(api, bob_api, repo, cache_dir, tmp_path):
    api.upload_file(path_or_fileobj=b"secret", path_in_repo="w.txt", repo_id=repo)
    api.update_repo_settings(repo, gated="manual")
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "w.txt", cache_dir=cache_dir, token=BOB_WRITE)

    r = requests.post(f"{ENDPOINT}/{repo}/ask-access", data={"company": "ACME"}, headers={"authorization": f"Bearer {BOB_WRITE}"})
    assert r.status_code == 200 and r.json()["status"] == "pending"
    [pending] = api.list_pending_access_requests(repo)
    assert pending.username == "bob" and pending.status == "pending" and pending.fields == {"company": "ACME"}
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.list_pending_access_requests(repo)
    assert err.value.response.status_code == 403
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "w.txt", cache_dir=cache_dir, token=BOB_WRITE)

    api.accept_access_request(repo, "bob")
    assert [a.username for a in api.list_accepted_access_requests(repo)] == ["bob"]
    path = hf_hub_download(repo, "w.txt", cache_dir=cache_dir, token=BOB_WRITE)
    assert Path(path).read_bytes() == b"secret"

    api.reject_access_request(repo, "bob", rejection_reason="No")
    assert [a.username for a in api.list_rejected_access_requests(repo)] == ["bob"]
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "w.txt", cache_dir=str(tmp_path / "c2"), token=BOB_WRITE)
    api.cancel_access_request(repo, "bob")
    assert [a.username for a in api.list_pending_access_requests(repo)] == ["bob"]
    with pytest.raises(HfHubHTTPError):
        api.cancel_access_request(repo, "bob")
    api.grant_access(repo, "bob")
    with pytest.raises(HfHubHTTPError) as err:
        api.grant_access(repo, "bob")
    assert err.value.response.status_code == 409
    with pytest.raises(HfHubHTTPError) as err:
        api.grant_access(repo, "nobody")
    assert err.value.response.status_code == 404


@needs_hf
def test_hf_download_of_a_gated_repo(api, repo, tmp_path):
    api.upload_file(path_or_fileobj=b"gated bytes", path_in_repo="w.txt", repo_id=repo)
    api.update_repo_settings(repo, gated="manual")
    home = tmp_path / "rs-home"
    refused = hf("download", repo, "w.txt", "--quiet", token=BOB_WRITE, home=home, check=False)
    assert refused.returncode != 0 and "gated" in refused.stderr.lower()
    api.grant_access(repo, "bob")
    path = hf("download", repo, "w.txt", "--quiet", token=BOB_WRITE, home=home).stdout.strip().splitlines()[-1]
    assert Path(path).read_bytes() == b"gated bytes"


@needs_hf
def test_rust_and_python_see_each_others_discussions(api, bob_api, repo, tmp_path):
    api.upload_file(path_or_fileobj=b"x\n", path_in_repo="x.txt", repo_id=repo)
    # Rust opens a pull request and comments; Python reads them.
    created = hf("discussions", "create", repo, "--title", "From Rust", "--body", "Rust body", "--pr", token=BOB_WRITE)
    assert "Created pull request #1" in created.stdout
    hf("discussions", "comment", repo, "1", "--body", "Rust comment", token=BOB_WRITE)
    details = api.get_discussion_details(repo, 1)
    assert details.title == "From Rust" and details.author == "bob" and details.status == "draft"
    assert [e.content for e in details.events if isinstance(e, DiscussionComment)] == ["Rust body", "Rust comment"]

    # Python opens a discussion and commits to the PR; Rust lists, reads, renames, merges.
    api.create_discussion(repo, title="From Python", description="Python body")
    bob_api.upload_file(path_or_fileobj=b"y\n", path_in_repo="y.txt", repo_id=repo, revision="refs/pr/1")
    listed = json.loads(hf("discussions", "list", repo, "--status", "all", "--format", "json").stdout)
    assert [(d["num"], d["title"]) for d in listed] == [(2, "From Python"), (1, "From Rust")]
    info = json.loads(hf("discussions", "info", repo, "2", "--format", "json").stdout)
    assert info["events"][0]["content"] == "Python body"
    assert "+y" in hf("discussions", "diff", repo, "1").stdout
    hf("discussions", "rename", repo, "2", "Renamed by Rust")
    hf("discussions", "close", repo, "2", "--comment", "Done", "--yes")
    refused = hf("discussions", "merge", repo, "1", "--yes", token=BOB_WRITE, check=False)
    assert refused.returncode != 0 and "maintainer" in refused.stderr
    hf("discussions", "merge", repo, "1", "--yes")
    assert api.get_discussion_details(repo, 1).status == "merged"
    d2 = api.get_discussion_details(repo, 2)
    assert d2.title == "Renamed by Rust" and d2.status == "closed"
    assert "y.txt" in api.list_repo_files(repo)
    missing = hf("discussions", "info", repo, "9", check=False)
    assert missing.returncode != 0 and "hf discussions list" in missing.stderr
