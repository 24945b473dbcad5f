"""Fixtures of the conformance suite: clients for each test user, fresh repos, a request log.

The server is started by run-conformance.sh with these users (keep both files in sync):
alice (write token + read token), bob (write token), and the organization acme whose member is alice.
"""

import hashlib
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

import pytest
import requests
from huggingface_hub import HfApi, configure_http_backend
from huggingface_hub.utils._http import _default_backend_factory
from requests.structures import CaseInsensitiveDict

ENDPOINT = os.environ.get("HF_ENDPOINT", "").rstrip("/")

ALICE = "alice"
ALICE_WRITE = "hf_alice_write"
ALICE_READ = "hf_alice_read"
BOB = "bob"
BOB_WRITE = "hf_bob_write"
ORG = "acme"


def pytest_configure(config):
    # huggingface_hub reads HF_ENDPOINT at import: a missing one would silently target huggingface.co
    # (and the methods that ignore endpoint= would). This runs before any test, so before any request.
    if not ENDPOINT.startswith("http://127.0.0.1:"):
        raise pytest.UsageError(
            "HF_ENDPOINT must point at a local hf-local-hub (http://127.0.0.1:PORT); "
            "run tests/python/run-conformance.sh instead of pytest directly"
        )
    if os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"):
        raise pytest.UsageError("unset HF_TOKEN / HUGGING_FACE_HUB_TOKEN: tests pass tokens explicitly")


def git_blob_sha1(data: bytes) -> str:
    """The id git (and the Hub) gives a regular file: sha1 over "blob {len}\\0" + content."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


HEX40 = re.compile(r"^[0-9a-f]{40}$")


@pytest.fixture
def api() -> HfApi:
    """alice with her write token."""
    return HfApi(endpoint=ENDPOINT, token=ALICE_WRITE)


@pytest.fixture
def alice_read_api() -> HfApi:
    """alice with her read-only token."""
    return HfApi(endpoint=ENDPOINT, token=ALICE_READ)


@pytest.fixture
def bob_api() -> HfApi:
    return HfApi(endpoint=ENDPOINT, token=BOB_WRITE)


@pytest.fixture
def anon_api() -> HfApi:
    return HfApi(endpoint=ENDPOINT, token=False)


@pytest.fixture
def unique(request) -> str:
    """A repo-name-safe string unique to this test run: test name + random suffix."""
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    return f"{base[:60].strip('-')}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_repo(api, unique) -> Callable[..., str]:
    """Creates repos owned by alice (or an org) and deletes them after the test."""
    created: list[tuple] = []

    def make(
        repo_type: str = "model",
        suffix: str = "",
        namespace: str = ALICE,
        private: Optional[bool] = None,
        **kwargs,
    ) -> str:
        repo_id = f"{namespace}/{unique}{'-' + suffix if suffix else ''}"
        if repo_type == "space":
            kwargs.setdefault("space_sdk", "gradio")
        url = api.create_repo(repo_id, repo_type=repo_type, private=private, **kwargs)
        assert url.repo_id == repo_id
        created.append((repo_id, repo_type))
        return repo_id

    make.created = created  # tests that move a repo register the new name here
    yield make
    for repo_id, repo_type in created:
        try:
            api.delete_repo(repo_id, repo_type=repo_type, missing_ok=True)
        except Exception as err:  # noqa: BLE001 - cleanup must not hide the test's own result
            print(f"cleanup of {repo_type} {repo_id} failed: {err}")


@pytest.fixture
def repo(make_repo) -> str:
    """A fresh model repo of alice."""
    return make_repo()


@pytest.fixture
def cache_dir(tmp_path) -> str:
    """A download cache private to the test (HF_HUB_CACHE is shared by the run)."""
    path = tmp_path / "hub-cache"
    path.mkdir()
    return str(path)


@dataclass
class Exchange:
    method: str
    url: str
    status: int
    request_headers: CaseInsensitiveDict
    response_headers: CaseInsensitiveDict


@dataclass
class HttpLog:
    """Every request the client sent through its sessions while the fixture was active."""

    exchanges: list[Exchange] = field(default_factory=list)

    def matching(self, method: str, pattern: str) -> list[Exchange]:
        rx = re.compile(pattern)
        return [e for e in self.exchanges if e.method == method and rx.search(e.url)]

    def clear(self) -> None:
        self.exchanges.clear()


@pytest.fixture
def http_log():
    """Records the client's HTTP exchanges (huggingface_hub's session factory hook)."""
    log = HttpLog()

    def record(response: requests.Response, *args, **kwargs):
        # requests calls the hook once per response, redirect hops included.
        log.exchanges.append(
            Exchange(
                method=response.request.method,
                url=response.request.url,
                status=response.status_code,
                request_headers=CaseInsensitiveDict(response.request.headers),
                response_headers=CaseInsensitiveDict(response.headers),
            )
        )

    def factory() -> requests.Session:
        session = _default_backend_factory()
        session.hooks["response"].append(record)
        return session

    configure_http_backend(backend_factory=factory)
    yield log
    configure_http_backend(backend_factory=_default_backend_factory)
