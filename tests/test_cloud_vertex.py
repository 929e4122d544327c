"""Google Vertex AI (kind vertex_ai): the price books plus the publishers' live model lists.

Credentials are real: a service-account JSON file with an RSA key made at test time
(``cryptography``). google-auth signs a JWT with it and exchanges it at the file's
``token_uri``; llmsync sends that exchange through its own google-auth transport over httpx,
so httpx_mock answers it here, after checking the JWT's signature against the public key (a
request signed wrongly gets no token). The publisher listings answer only that token (401/403
otherwise). No request may leave for a metadata server: gcloud's config is an empty folder,
``NO_GCE_CHECK`` is set, and every attempt to reach ``metadata.google.internal`` or
169.254.169.254 (httpx or a raw socket) is recorded and refused; each test asserts there were
none. Fixtures: tests/fixtures/cloud/vertex/INDEX.md.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import yaml
from conftest import FIXTURES, write_config

from llmsync.catalogues.cloud import google_auth, vertex
from llmsync.catalogues.cloud.vertex import Target, parse_model

HERE = FIXTURES / "cloud" / "vertex"
PROJECT = "llmsync-demo-7"
TOKEN = "ya29.c.TEST-ACCESS-TOKEN-9f8e7d6c5b4a39281706"
KEY_ID = "5f1d0c9b8a7e6d5c4b3a29181716151413121110"
TOKEN_URI = "https://oauth2.googleapis.com/token"
API = "https://aiplatform.googleapis.com/v1beta1/publishers"
PAGE2 = "Cg5nZW1pbmktMi4wLWZsYXNo/+="
METADATA = ("metadata.google.internal", "169.254.169.254", "metadata")


def load(name: str) -> Any:
    return json.loads((HERE / name).read_text())


@pytest.fixture(scope="module")
def rsa_key() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class Google:
    """The token endpoint and the Model Garden API; what was asked is recorded."""

    def __init__(self, public_key: str) -> None:
        self.public_key = public_key
        self.refuse_token = False
        self.listing_status = 200
        self.by_name: dict[str, httpx.Response] = {}
        self.requests: list[httpx.Request] = []

    def token(self, request: httpx.Request) -> httpx.Response:
        import google.auth.jwt

        self.requests.append(request)
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if self.refuse_token or form.get("grant_type") != (
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ):
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": "no"})
        try:
            claims = google.auth.jwt.decode(
                form["assertion"], certs=self.public_key, audience=TOKEN_URI
            )
        except Exception:
            return httpx.Response(400, json={"error": "invalid_grant"})
        assert "https://www.googleapis.com/auth/cloud-platform" in claims["scope"]
        return httpx.Response(
            200, json={"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}
        )

    def api(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        if request.headers.get("x-goog-user-project") != PROJECT:
            return httpx.Response(403, json={"error": {"code": 403, "status": "PERMISSION_DENIED"}})
        if self.listing_status != 200:
            return httpx.Response(self.listing_status, json={"error": {"code": 403}})
        path, query = request.url.path, dict(request.url.params)
        match = re.fullmatch(r"/v1beta1/publishers/([^/]+)/models", path)
        if match:
            if query.get("pageSize") != "100":
                return httpx.Response(400, json={"error": {"message": "no pageSize"}})
            publisher = match.group(1)
            if publisher == "google":
                token = query.get("pageToken")
                if token is None:
                    return httpx.Response(200, json=load("google_page1.json"))
                if token == PAGE2:
                    return httpx.Response(200, json=load("google_page2.json"))
                return httpx.Response(400, json={"error": {"message": "bad pageToken"}})
            if publisher in ("anthropic", "openai"):
                return httpx.Response(200, json=load(f"{publisher}.json"))
            return httpx.Response(200, json={"publisherModels": []})
        answer = self.by_name.get(path.removeprefix("/v1beta1/publishers/"))
        if answer is not None:
            return answer
        return httpx.Response(404, json=load("not_found.json"))

    def asked(self) -> list[str]:
        return [str(r.url) for r in self.requests if r.url.host == "aiplatform.googleapis.com"]


@pytest.fixture
def no_metadata(monkeypatch, httpx_mock):
    """Every attempt to reach a metadata server (a socket, a name lookup, an httpx request)
    is recorded and refused; the test asserts the list stays empty."""
    attempts: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).lower() in METADATA:
            attempts.append(f"lookup {host}")
            raise socket.gaierror("refused by the test")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and str(address[0]) in METADATA:
            attempts.append(f"connect {address[0]}")
            raise OSError("refused by the test")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)

    def check() -> list[str]:
        sent = [
            str(r.url) for r in httpx_mock.get_requests() if (r.url.host or "").lower() in METADATA
        ]
        return attempts + sent

    return check


@pytest.fixture
def gcp(workdir: Path, catalogs, httpx_mock, monkeypatch, rsa_key, no_metadata):
    """No Google settings of the machine's own; a service-account file in tmp; Google served."""
    for var in (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "VERTEXAI_CREDENTIALS",
        "VERTEXAI_PROJECT",
        "VERTEXAI_LOCATION",
        "VERTEX_LOCATION",
        "GOOGLE_CLOUD_PROJECT",
        "GCLOUD_PROJECT",
        "K_SERVICE",
        "CLOUD_RUN_JOB",
        "FUNCTION_TARGET",
        "GAE_ENV",
    ):
        monkeypatch.delenv(var, raising=False)
    (workdir / "gcloud").mkdir()
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(workdir / "gcloud"))  # no gcloud login
    monkeypatch.setenv("NO_GCE_CHECK", "true")  # google-auth compares with "true" exactly
    monkeypatch.setenv("GCE_METADATA_HOST", "metadata.invalid")
    monkeypatch.setenv("GCE_METADATA_IP", "192.0.2.1")
    import google.auth.compute_engine._metadata as metadata

    monkeypatch.setattr(metadata, "_NO_GCE_CHECK", True)  # read once, at its import
    monkeypatch.setattr(google_auth, "_on_google_cloud", lambda: False)  # whatever machine this is
    data = yaml.safe_load((workdir / "providers.yaml").read_text())
    assert data["providers"]["vertex_ai"]["kind"] == "vertex_ai"  # the shipped registry's
    private, public = rsa_key
    key_file = workdir / "sa.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": KEY_ID,
                "private_key": private,
                "client_email": f"llmsync-test@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "101234567890123456789",
                "token_uri": TOKEN_URI,
            }
        )
    )
    google = Google(public)
    google.key_file = key_file  # type: ignore[attr-defined]
    google.private = private  # type: ignore[attr-defined]
    httpx_mock.add_callback(google.token, url=TOKEN_URI, is_optional=True, is_reusable=True)
    httpx_mock.add_callback(
        google.api,
        url=re.compile(r"https://aiplatform\.googleapis\.com/.*"),
        is_optional=True,
        is_reusable=True,
    )
    catalogs.serve(cost_map=load("cost_map.json"), models_dev=load("models_dev.json"))
    yield google
    assert no_metadata() == []


def entry(name: str, model: str, extra: str = "") -> str:
    return f"  - model_name: {name}\n    litellm_params:\n      model: vertex_ai/{model}\n{extra}"


PRICED = "      input_cost_per_token: 1.0e-06\n      output_cost_per_token: 1.0e-05\n"


def signed_in(monkeypatch, google: Google) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google.key_file))  # type: ignore[attr-defined]


def cleanup(llmsync, *more: str) -> tuple[Any, dict]:
    run = llmsync(
        "cleanup", "-p", "vertex_ai", "--no-cache", "--dry-run", "--format", "json", *more
    )
    return run, json.loads(run.stdout) if run.stdout.strip().startswith("{") else {}


# --------------------------------------------------------------------------- mapping


@pytest.mark.parametrize(
    ("model_id", "target"),
    [
        ("gemini-2.5-pro", Target("google", "gemini-2.5-pro")),
        ("claude-sonnet-4-5@20250929", Target("anthropic", "claude-sonnet-4-5", "20250929")),
        ("claude-opus-4@default", Target("anthropic", "claude-opus-4", "default")),
        ("openai/gpt-oss-120b-maas", Target("openai", "gpt-oss-120b-maas")),
        (
            "meta/llama-4-maverick-17b-128e-instruct-maas",
            Target("meta", "llama-4-maverick-17b-128e-instruct-maas"),
        ),
        ("mistral-large@2411-001", Target("mistralai", "mistral-large", "2411-001")),
        ("codestral@2405", Target("mistralai", "codestral", "2405")),
        ("jamba-1.5-large@001", Target("ai21", "jamba-1.5-large", "001")),
        ("deepseek-ai/deepseek-r1-0528-maas", Target("deepseek-ai", "deepseek-r1-0528-maas")),
        ("1234567890123456789", Target(None, "1234567890123456789")),
        ("openai/987654321", Target(None, "openai/987654321")),
        ("gemini/555", Target(None, "gemini/555")),
    ],
)
def test_entries_map_to_publisher_models(model_id, target):
    assert parse_model(model_id) == target


def test_importing_the_module_and_loading_the_registry_loads_no_google(tmp_path):
    code = (
        "import sys; import llmsync.catalogues.cloud.vertex; "
        "from llmsync.registry import Registry; r = Registry.load(None); "
        "assert type(r.providers['vertex_ai']).__name__ == 'VertexAI'; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'google'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --------------------------------------------------------------------------- cleanup


def test_happy_path_lists_publishers_in_use_and_reprices_from_the_books(
    gcp, workdir, monkeypatch, llmsync
):
    signed_in(monkeypatch, gcp)
    text = "model_list:\n" + entry("gemini-pro", "gemini-2.5-pro", PRICED)
    text += entry("sonnet", "claude-sonnet-4-5@20250929", PRICED)
    config = write_config(workdir, text)
    run = llmsync("cleanup", "-p", "vertex_ai", "--no-cache")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    # models.dev google-vertex: gemini-2.5-pro 1.25/10 per 1M; claude-sonnet-4-5@... 3/15
    assert "input_cost_per_token: 1.25e-06" in written
    assert "input_cost_per_token: 3.0e-06" in written and "1.5e-05" in written
    assert "vertex_ai/gemini-2.5-pro" in written and "claude-sonnet-4-5@20250929" in written
    asked = gcp.asked()
    assert sorted(u.split("?")[0] for u in asked) == [
        f"{API}/anthropic/models",
        f"{API}/google/models",
        f"{API}/google/models",  # two pages
    ]
    assert all("pageSize=100" in u for u in asked)
    api = [r for r in gcp.requests if r.url.host == "aiplatform.googleapis.com"]
    assert {r.headers["authorization"] for r in api} == {f"Bearer {TOKEN}"}
    assert {r.headers["x-goog-user-project"] for r in api} == {PROJECT}
    assert [r.url.host for r in gcp.requests].count("oauth2.googleapis.com") == 1


def test_paging_a_model_on_page_two_stays(gcp, workdir, monkeypatch, llmsync):
    signed_in(monkeypatch, gcp)
    text = "model_list:\n" + entry("flash", "gemini-2.5-flash") + entry("pro", "gemini-2.5-pro")
    write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert data["changes"]["removed"] == []
    assert any(
        f"pageToken={PAGE2.replace('/', '%2F').replace('+', '%2B').replace('=', '%3D')}" in u
        for u in gcp.asked()
    )
    assert not any("/models/gemini-2.5-flash" in u for u in gcp.asked())  # listed: no GET


def test_a_preview_missing_from_the_list_but_answering_by_name_stays(
    gcp, workdir, monkeypatch, llmsync
):
    signed_in(monkeypatch, gcp)
    gcp.by_name["google/models/gemini-3-pro-preview"] = httpx.Response(
        200, json=load("preview_model.json")
    )
    text = "model_list:\n" + entry("pro", "gemini-2.5-pro") + entry("next", "gemini-3-pro-preview")
    write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert data["changes"]["removed"] == []
    assert f"{API}/google/models/gemini-3-pro-preview" in gcp.asked()


def test_a_model_missing_and_answering_404_is_removed_naming_it(gcp, workdir, monkeypatch, llmsync):
    signed_in(monkeypatch, gcp)
    text = "model_list:\n" + entry("pro", "gemini-2.5-pro") + entry("old", "gemini-1.5-pro-002")
    config = write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    removed = data["changes"]["removed"]
    assert [r["model_name"] for r in removed] == ["old"], removed
    assert "gemini-1.5-pro-002" in json.dumps(removed[0])
    assert "404" in json.dumps(removed[0])
    assert any("gemini-1.5-pro-002" in n and "answered 404" in n for n in data["notes"])
    assert f"{API}/google/models/gemini-1.5-pro-002" in gcp.asked()
    run = llmsync("cleanup", "-p", "vertex_ai", "--no-cache")
    assert run.exit_code == 0, run.output
    assert config.read_text() == "model_list:\n" + entry("pro", "gemini-2.5-pro")


def test_a_versioned_partner_model_answering_404_is_asked_again_without_its_version(
    gcp, workdir, monkeypatch, llmsync
):
    signed_in(monkeypatch, gcp)
    gcp.by_name["anthropic/models/claude-opus-4"] = httpx.Response(200, json={"name": "x"})
    text = (
        "model_list:\n" + entry("pro", "gemini-2.5-pro") + entry("opus", "claude-opus-4@20250514")
    )
    write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert data["changes"]["removed"] == []
    asked = gcp.asked()
    assert f"{API}/anthropic/models/claude-opus-4@20250514" in asked
    assert f"{API}/anthropic/models/claude-opus-4" in asked


def test_an_error_asking_by_name_keeps_the_entry_with_a_note(gcp, workdir, monkeypatch, llmsync):
    signed_in(monkeypatch, gcp)
    gcp.by_name["google/models/gemini-x"] = httpx.Response(403, json={"error": {"code": 403}})
    text = "model_list:\n" + entry("pro", "gemini-2.5-pro") + entry("x", "gemini-x")
    write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert data["changes"]["removed"] == []
    assert any("gemini-x" in n and "HTTP 403; kept" in n for n in data["notes"])


def test_without_credentials_the_books_still_apply_with_one_line(gcp, workdir, llmsync):
    text = (
        "model_list:\n"
        + entry("pro", "gemini-2.5-pro", PRICED)
        + entry("old", "gemini-1.5-pro-002")
    )
    text += entry("gone", "gemini-0-nowhere")
    write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert data["changes"]["removed"] == []
    repriced = {(c["model_name"], c["field"]): c["new"] for c in data["changes"]["repriced"]}
    assert repriced[("pro", "litellm_params.input_cost_per_token")] == 1.25e-06
    lines = [n for n in data["notes"] if "live model listing was not checked" in n]
    assert len(lines) == 1, data["notes"]
    assert "no Google credentials found" in lines[0]
    for hint in (
        "pip install 'llmsync-cli[cloud]'",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "gcloud auth application-default login",
        "VERTEXAI_PROJECT",
    ):
        assert hint in lines[0]
    assert any(
        "gemini-0-nowhere is not in its listing (price books only" in n for n in data["notes"]
    )
    assert gcp.requests == []  # neither a token nor a listing was asked for


def test_without_google_auth_the_books_still_apply_with_one_line(
    gcp, workdir, monkeypatch, llmsync
):
    signed_in(monkeypatch, gcp)
    real = vertex.missing_library
    monkeypatch.setattr(vertex, "missing_library", lambda m, p: real("no_such_google_auth", p))
    write_config(workdir, "model_list:\n" + entry("pro", "gemini-2.5-pro", PRICED))
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    lines = [n for n in data["notes"] if "live model listing was not checked" in n]
    assert (
        len(lines) == 1
        and "google-auth is not installed: pip install 'llmsync-cli[cloud]'" in lines[0]
    )
    assert data["changes"]["repriced"]
    assert gcp.requests == []


def test_without_a_project_the_books_still_apply_with_one_line(gcp, workdir, monkeypatch, llmsync):
    info = json.loads(gcp.key_file.read_text())
    del info["project_id"]
    gcp.key_file.write_text(json.dumps(info))
    signed_in(monkeypatch, gcp)
    write_config(workdir, "model_list:\n" + entry("pro", "gemini-2.5-pro"))
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert any("no Google Cloud project" in n and "VERTEXAI_PROJECT" in n for n in data["notes"]), (
        data["notes"],
        data["providers"],
    )
    assert gcp.asked() == []


def test_a_refused_token_fails_the_provider_and_removes_nothing(gcp, workdir, monkeypatch, llmsync):
    signed_in(monkeypatch, gcp)
    gcp.listing_status = 403
    text = (
        "model_list:\n"
        + entry("pro", "gemini-2.5-pro", PRICED)
        + entry("old", "gemini-1.5-pro-002")
    )
    config = write_config(workdir, text)
    run = llmsync("cleanup", "-p", "vertex_ai", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "vertex_ai failed" in run.stdout and "HTTP 403" in run.stdout
    assert config.read_text() == text


def test_a_token_google_will_not_issue_fails_the_provider(gcp, workdir, monkeypatch, llmsync):
    signed_in(monkeypatch, gcp)
    gcp.refuse_token = True
    text = "model_list:\n" + entry("pro", "gemini-2.5-pro", PRICED)
    config = write_config(workdir, text)
    run = llmsync("cleanup", "-p", "vertex_ai", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "Google refused the GOOGLE_APPLICATION_CREDENTIALS credentials" in run.stdout
    assert config.read_text() == text and gcp.asked() == []


@pytest.mark.parametrize("how", ["adc_file", "entry_json", "env_path"])
def test_no_credential_reaches_any_output(gcp, workdir, monkeypatch, llmsync, how):
    key_text = gcp.key_file.read_text()
    extra = PRICED
    if how == "adc_file":
        signed_in(monkeypatch, gcp)
    elif how == "env_path":
        monkeypatch.setenv("VERTEXAI_CREDENTIALS", str(gcp.key_file))
    else:
        monkeypatch.setenv("MY_VERTEX_KEY", key_text)
        extra += "      vertex_credentials: os.environ/MY_VERTEX_KEY\n"
    text = (
        "model_list:\n" + entry("pro", "gemini-2.5-pro", extra) + entry("old", "gemini-1.5-pro-002")
    )
    config = write_config(workdir, text)
    report = workdir / "report.md"
    outputs = []
    for args in (["--format", "json"], ["--report", str(report), "-v"], ["-n", "-v"]):
        run = llmsync("cleanup", "-p", "vertex_ai", *args)  # with the cache
        assert run.exit_code == 0, run.output
        outputs += [run.stdout, run.stderr]
    cache = [p.read_text() for p in (workdir / ".cache").rglob("*") if p.is_file()]
    assert cache, "the listings were cached"
    everything = "\n".join([*outputs, report.read_text(), config.read_text(), *cache])
    private = gcp.private
    body = "".join(private.splitlines()[1:-1])
    for secret in (TOKEN, KEY_ID, body[:40], body[-40:], "PRIVATE KEY", str(gcp.key_file)):
        assert secret not in everything
    assert "gemini-1.5-pro-002" in everything  # the run did check something
