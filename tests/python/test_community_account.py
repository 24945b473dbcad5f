"""Collections, webhooks (with real delivery), users and organizations, papers: the official
client against hf-local-hub.

run-conformance.sh seeds the papers of fixtures/papers.json, the profiles of
fixtures/profiles.json and `bob follows alice`.
"""

import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from huggingface_hub import CommitOperationAdd
from huggingface_hub.utils import HfHubHTTPError

from conftest import ALICE, BOB, ORG


# ---------------------------------------------------------------------------------------------
# Collections
# ---------------------------------------------------------------------------------------------


def test_collection_flow(api, bob_api, anon_api, repo, unique):
    c = api.create_collection(title=f"Picks {unique}", description="Shortlist")
    assert c.slug.startswith(f"{ALICE}/picks-")
    assert c.owner["name"] == ALICE
    assert c.position == 0
    assert c.items == []
    assert c.description == "Shortlist"

    c = api.add_collection_item(c.slug, item_id=repo, item_type="model", note="first")
    c = api.add_collection_item(c.slug, item_id="2311.12983", item_type="paper")
    assert [i.item_id for i in c.items] == [repo, "2311.12983"]
    assert c.items[0].note == "first"
    assert [i.position for i in c.items] == [0, 1]
    # exists_ok swallows the 409; a missing item is a 404.
    api.add_collection_item(c.slug, item_id=repo, item_type="model", exists_ok=True)
    with pytest.raises(HfHubHTTPError) as err:
        api.add_collection_item(c.slug, item_id=repo, item_type="model")
    assert err.value.response.status_code == 409
    with pytest.raises(HfHubHTTPError) as err:
        api.add_collection_item(c.slug, item_id=f"{ALICE}/missing-{unique}", item_type="model")
    assert err.value.response.status_code == 404

    paper = c.items[1].item_object_id
    api.update_collection_item(c.slug, paper, note="read first", position=0)
    c = api.get_collection(c.slug)
    assert [i.item_id for i in c.items] == ["2311.12983", repo]
    assert c.items[0].note == "read first"

    nested = api.create_collection(title=f"Nested {unique}")
    c = api.add_collection_item(c.slug, item_id=nested.slug, item_type="collection")
    assert c.items[-1].item_id == nested.slug

    c = api.update_collection_metadata(c.slug, title=f"Best {unique}", theme="green", private=True)
    assert c.slug.startswith(f"{ALICE}/best-")
    assert c.theme == "green" and c.private
    # Private: bob and anonymous callers get a 404; bob cannot change it either.
    for other in (bob_api, anon_api):
        with pytest.raises(HfHubHTTPError) as err:
            other.get_collection(c.slug)
        assert err.value.response.status_code == 404
    api.update_collection_metadata(c.slug, private=False)
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.update_collection_metadata(c.slug, title="stolen")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        bob_api.delete_collection(c.slug)
    assert err.value.response.status_code == 403

    listed = list(api.list_collections(owner=ALICE, item=f"models/{repo}", limit=5))
    assert [x.slug for x in listed] == [c.slug]
    assert listed[0].position == 0  # numbered by the client

    api.delete_collection_item(c.slug, paper)
    api.delete_collection_item(c.slug, paper, missing_ok=True)
    api.delete_collection(c.slug)
    api.delete_collection(c.slug, missing_ok=True)
    api.delete_collection(nested.slug)
    with pytest.raises(HfHubHTTPError) as err:
        api.get_collection(c.slug)
    assert err.value.response.status_code == 404


def test_create_collection_exists_ok(api, unique):
    first = api.create_collection(title=f"Dup {unique}", namespace=ORG)
    assert first.owner["type"] == "org"
    again = api.create_collection(title=f"Dup {unique}", namespace=ORG, exists_ok=True)
    assert again.slug == first.slug
    with pytest.raises(HfHubHTTPError) as err:
        api.create_collection(title=f"Dup {unique}", namespace=ORG)
    assert err.value.response.status_code == 409
    api.delete_collection(first.slug)


# ---------------------------------------------------------------------------------------------
# Webhooks
# ---------------------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on 127.0.0.1 recording (secret, payload) of each POST."""

    def __init__(self):
        self.events = queue.Queue()
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                events.put((self.headers.get("X-Webhook-Secret"), json.loads(body), time.monotonic()))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout=5.0):
        return self.events.get(timeout=timeout)

    def drain(self, wait):
        time.sleep(wait)
        out = []
        while not self.events.empty():
            out.append(self.events.get())
        return out

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_webhook_crud_and_permissions(api, bob_api, alice_read_api, anon_api):
    hook = api.create_webhook(
        url="https://example.com/hook",
        watched=[{"type": "user", "name": ALICE}, {"type": "org", "name": ORG}],
        domains=["repo", "discussion"],
        secret="s3cret",
    )
    assert not hook.disabled
    assert hook.secret == "s3cret"
    assert [(w.type, w.name) for w in hook.watched] == [("user", ALICE), ("org", ORG)]
    assert hook.id in [h.id for h in api.list_webhooks()]
    assert api.get_webhook(hook.id) == hook

    updated = api.update_webhook(hook.id, url="https://example.com/new", secret="rotated")
    assert updated.url == "https://example.com/new"
    assert updated.secret == "rotated"
    assert updated.watched == hook.watched  # not sent: kept
    assert api.disable_webhook(hook.id).disabled
    assert not api.enable_webhook(hook.id).disabled

    assert hook.id not in [h.id for h in bob_api.list_webhooks()]
    for call in (bob_api.get_webhook, bob_api.disable_webhook, bob_api.delete_webhook):
        with pytest.raises(HfHubHTTPError) as err:
            call(hook.id)
        assert err.value.response.status_code == 404
    with pytest.raises(HfHubHTTPError) as err:
        alice_read_api.create_webhook(url="https://e.com", watched=[{"type": "user", "name": ALICE}])
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        api.create_webhook(url="https://e.com", watched=[{"type": "planet", "name": "x"}])
    assert err.value.response.status_code == 400

    api.delete_webhook(hook.id)
    with pytest.raises(HfHubHTTPError) as err:
        api.get_webhook(hook.id)
    assert err.value.response.status_code == 404


def test_webhook_delivery(api, repo, receiver):
    hook = api.create_webhook(url=receiver.url, watched=[{"type": "model", "name": repo}], secret="s")
    start = time.monotonic()
    info = api.create_commit(
        repo, operations=[CommitOperationAdd("a.txt", b"a")], commit_message="add a"
    )
    secret, payload, at = receiver.next()
    print(f"webhook delivery latency (commit start to receipt): {(at - start) * 1000:.1f} ms")
    assert secret == "s"
    assert payload["event"] == {"action": "update", "scope": "repo.content"}
    assert payload["repo"]["name"] == repo
    assert payload["webhook"] == {"id": hook.id, "version": 3}
    assert payload["updatedRefs"][0]["ref"] == "refs/heads/main"
    assert payload["updatedRefs"][0]["newSha"] == info.oid

    api.create_tag(repo, tag="v1")
    _, payload, _ = receiver.next()
    assert payload["updatedRefs"] == [{"ref": "refs/tags/v1", "newSha": info.oid}]
    assert receiver.drain(0.2) == []

    api.disable_webhook(hook.id)
    api.create_commit(repo, operations=[CommitOperationAdd("b.txt", b"b")], commit_message="add b")
    assert receiver.drain(0.3) == []
    api.delete_webhook(hook.id)


# ---------------------------------------------------------------------------------------------
# Users and organizations
# ---------------------------------------------------------------------------------------------


def test_user_and_organization_overviews(bob_api):
    alice = bob_api.get_user_overview(ALICE)
    assert alice.username == ALICE
    assert alice.fullname == "Alice Liddell"
    assert alice.details == "Down the rabbit hole"
    assert alice.is_pro is True
    assert alice.num_followers >= 1
    assert alice.is_following is True

    org = bob_api.get_organization_overview(ORG)
    assert org.name == ORG
    assert org.fullname == "ACME Corp"
    assert org.num_users == 1

    assert [u.username for u in bob_api.list_user_followers(ALICE)] == [BOB]
    assert [u.username for u in bob_api.list_user_following(BOB)] == [ALICE]
    members = list(bob_api.list_organization_members(ORG))
    assert [m.username for m in members] == [ALICE]
    assert members[0].fullname == "Alice Liddell"

    with pytest.raises(HfHubHTTPError) as err:
        bob_api.get_user_overview("nobody-at-all")
    assert err.value.response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Papers
# ---------------------------------------------------------------------------------------------


def test_papers(anon_api, api):
    hits = list(anon_api.list_papers(query="llama"))
    assert [p.id for p in hits] == ["2407.21783"]
    hit = hits[0]
    assert hit.title == "The Llama 3 Herd of Models"
    assert hit.authors == ["Abhimanyu Dubey"]
    assert hit.upvotes == 105
    assert hit.comments == 4
    assert hit.submitted_by.username == "akhaliq"
    assert [p.id for p in anon_api.list_papers(query="REASONING")] == ["2311.12983"]
    assert len(list(anon_api.list_papers())) >= 2

    paper = api.paper_info("2311.12983")
    assert paper.title.startswith("GAIA")
    assert paper.summary.startswith("Real-world")
    with pytest.raises(HfHubHTTPError) as err:
        api.paper_info("0000.00000")
    assert err.value.response.status_code == 404
