"""AWS Bedrock: signed listings per region and credential set, mapped entries, lifecycle, no leaks.

Every Bedrock endpoint is served by an httpx_mock callback that recomputes the SigV4 signature
with botocore from the request it received and the known test keys (403 otherwise), so a
request signed wrongly, for the wrong region or service, or not at all, fails the test.
"""

from __future__ import annotations

import hmac
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, PRICEBOOKS, write_config

from llmsync.catalogues.cloud.bedrock import parse_model

HERE = FIXTURES / "cloud" / "bedrock"
KEY = "AKIAEXAMPLETESTKEY01"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789"
BEARER = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLXRva2Vu"
S35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"
H3 = "anthropic.claude-3-haiku-20240307-v1:0"
S45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
L3 = "meta.llama3-70b-instruct-v1:0"
T2 = "amazon.titan-embed-text-v2:0"
PAGE2_TOKEN = "eyJwYWdlIjoyfQ+/="


def load(name: str) -> Any:
    return json.loads((HERE / name).read_text())


@dataclass
class Stub:
    """The Bedrock control plane: signed listings per region; what was asked is recorded."""

    key: str = KEY
    secret: str = SECRET
    token: str | None = None
    bearer: str | None = None
    host: str | None = None  # an endpoint override: every region answers here
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.host, str(request.url), dict(request.headers)))
        region = self._region(request)
        if region is None:
            return httpx.Response(404, json={"message": "no such host"})
        if not self._authorised(request, region):
            return httpx.Response(
                403,
                json={
                    "message": "The request signature we calculated does not match the signature you provided."
                },
            )
        path, query = request.url.path, dict(request.url.params)
        if path == "/foundation-models" and not query:
            return httpx.Response(200, json=load(f"{region}_foundation_models.json"))
        if path == "/inference-profiles" and query.get("maxResults") == "1000":
            if region == "eu-west-1":
                return httpx.Response(200, json=load("eu-west-1_inference_profiles.json"))
            token = query.get("nextToken")
            if token is None:
                return httpx.Response(200, json=load("us-east-1_inference_profiles_page1.json"))
            if token == PAGE2_TOKEN:
                return httpx.Response(200, json=load("us-east-1_inference_profiles_page2.json"))
        return httpx.Response(400, json={"message": f"unexpected {request.url}"})

    def _region(self, request: httpx.Request) -> str | None:
        host = request.url.host
        if self.host is not None:
            match = re.search(
                r"Credential=[^/]+/\d{8}/([^/]+)/", request.headers.get("authorization", "")
            )
            return match.group(1) if host == self.host and match else None
        match = re.fullmatch(r"bedrock\.([a-z0-9-]+)\.amazonaws\.com", host)
        return match.group(1) if match and request.url.scheme == "https" else None

    def _authorised(self, request: httpx.Request, region: str) -> bool:
        auth = request.headers.get("authorization", "")
        if self.bearer is not None:
            return auth == f"Bearer {self.bearer}" and "x-amz-date" not in request.headers
        return sigv4_ok(request, region, self.key, self.secret, self.token)

    def asked(self, host: str | None = None) -> list[str]:
        return [url for h, url, _ in self.requests if host is None or h == host]


def sigv4_ok(request: httpx.Request, region: str, key: str, secret: str, token: str | None) -> bool:
    """Recompute the SigV4 signature of ``request`` with botocore and compare."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    match = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
        r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
        request.headers.get("authorization", ""),
    )
    if not match:
        return False
    key_id, day, scope_region, service, signed, signature = match.groups()
    if (key_id, scope_region, service) != (key, region, "bedrock"):
        return False
    if token is not None and request.headers.get("x-amz-security-token") != token:
        return False
    if "host" not in signed.split(";") or "x-amz-date" not in signed.split(";"):
        return False
    headers = {name: request.headers[name] for name in signed.split(";")}
    aws = AWSRequest(method=request.method, url=str(request.url), headers=headers)
    aws.context["timestamp"] = request.headers["x-amz-date"]
    if not aws.context["timestamp"].startswith(day):
        return False
    signer = SigV4Auth(Credentials(key, secret, token), "bedrock", region)
    expected = signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws)
    return hmac.compare_digest(expected, signature)


@pytest.fixture
def aws(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No AWS setting of the machine leaks in, and nothing may ask a metadata service."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    (workdir / "aws_config").write_text("")
    (workdir / "aws_credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(workdir / "aws_config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(workdir / "aws_credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    registry = workdir / "providers.yaml"
    assert "    kind: bedrock\n" in registry.read_text()  # the shipped registry declares it
    return workdir


def keys(monkeypatch: pytest.MonkeyPatch, secret: str = SECRET, token: str | None = None) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    if token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)


def serve(httpx_mock: Any, stub: Stub) -> None:
    books = {v: k for k, v in PRICEBOOKS.items()}
    for name in ("cost_map.json", "models_dev.json"):
        httpx_mock.add_response(
            url=books[name], json=load(name), is_optional=True, is_reusable=True
        )
    httpx_mock.add_callback(
        stub,
        url=re.compile(r"^https?://(bedrock\.[a-z0-9-]+\.amazonaws\.com|127\.0\.0\.1:\d+)/.*"),
        is_optional=True,
        is_reusable=True,
    )


def entry(name: str, model: str, extra: str = "", prices: bool = True) -> str:
    text = f"  - model_name: {name}\n    litellm_params:\n      model: {model}\n"
    if prices:
        text += "      input_cost_per_token: 1.0e-06\n      output_cost_per_token: 2.0e-06\n"
    return text + extra


STABLE = (
    entry("sonnet", f"bedrock/{S35}")
    + entry("sonnet-us", f"bedrock/converse/us.{S35}", prices=False)
    + entry("sonnet45", f"bedrock/converse/global.{S45}", prices=False)  # page 2 of profiles
    + entry("llama-east", f"bedrock/us-east-1/{L3}", prices=False)  # a region path
    + entry("titan", f"bedrock/{T2}", prices=False)
)


# --------------------------------------------------------------------------- tests


def test_importing_the_module_does_not_load_botocore():
    code = (
        "import sys, llmsync.cli, llmsync.catalogues.cloud.bedrock\n"
        "assert 'botocore' not in sys.modules, 'botocore imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("rest", "model_id", "region", "checked"),
    [
        (S35, S35, None, True),
        (f"converse/{S35}", S35, None, True),
        (f"invoke/us.{S35}", f"us.{S35}", None, True),
        (f"eu-west-1/{S35}", S35, "eu-west-1", True),
        (f"us-gov-west-1/converse/{L3}", f"converse/{L3}", "us-gov-west-1", True),
        (f"llama/{L3}", L3, None, True),
        (f"{S45}[1m]", S45, None, True),
        (
            f"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.{S35}",
            f"eu.{S35}",
            "eu-west-1",
            True,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123",
            None,
            "us-east-1",
            False,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1",
            None,
            "us-east-1",
            False,
        ),
    ],
)
def test_entries_map_to_listed_ids(rest, model_id, region, checked):
    target = parse_model(rest)
    assert (target.id if checked else None, target.region, target.checked) == (
        model_id,
        region,
        checked,
    )
    assert parse_model(f"mantle/{L3}") is None  # bedrock-mantle is another service


def test_happy_path_signs_reads_every_page_and_reprices(aws, httpx_mock, monkeypatch, llmsync):
    keys(monkeypatch)
    stub = Stub()
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE + entry("gone", "bedrock/anthropic.claude-v2:1")
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    assert "input_cost_per_token: 3.0e-06\n" in written  # from the cost map's bare id
    assert "output_cost_per_token: 1.5e-05\n" in written
    assert "anthropic.claude-v2:1" not in written  # not listed in us-east-1: removed
    assert "anthropic.claude-v2:1 is no longer in the bedrock catalogue (us-east-1)" in run.output
    for name in ("sonnet-us", "sonnet45", "llama-east", "titan"):
        assert f"model_name: {name}\n" in written
    host = "bedrock.us-east-1.amazonaws.com"
    assert stub.asked() == stub.asked(host)  # one region, one host
    assert sorted(stub.asked()) == sorted(
        [
            f"https://{host}/foundation-models",
            f"https://{host}/inference-profiles?maxResults=1000",
            f"https://{host}/inference-profiles?maxResults=1000&nextToken=eyJwYWdlIjoyfQ%2B%2F%3D",
        ]
    )  # once per region, both pages, however many entries


def test_paging_a_profile_on_page_two_stays(aws, httpx_mock, monkeypatch, llmsync):
    keys(monkeypatch)
    stub = Stub()
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache", "--force")  # no guard to hide behind
    assert run.exit_code == 0, run.output
    assert f"model: bedrock/converse/global.{S45}\n" in config.read_text()
    assert f"model: bedrock/converse/us.{S35}\n" in config.read_text()
    assert any("nextToken=" in url for url in stub.asked())


def test_a_legacy_model_is_reported_and_its_date_written_creating_model_info(
    aws, httpx_mock, monkeypatch, llmsync
):
    keys(monkeypatch)
    serve(httpx_mock, Stub())
    text = "model_list:\n" + STABLE + entry("haiku", f"bedrock/{H3}", prices=False)
    text += entry("haiku-us", f"bedrock/us.{H3}", prices=False)  # lifecycle of its base model
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    retiring = {(r["model"], r["date"]) for r in json.loads(run.stdout)["retiring"]}
    assert {(f"bedrock/{H3}", "2026-03-01"), (f"bedrock/us.{H3}", "2026-03-01")} <= retiring
    assert "deprecation_date" not in config.read_text()

    run = llmsync("cleanup", "-p", "bedrock", "--no-cache", "--lifecycle")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    block = written.split("model_name: haiku\n", 1)[1].split("  - model_name:", 1)[0]
    assert block.endswith("    model_info:\n      deprecation_date: '2026-03-01'\n"), block
    assert written.count("deprecation_date: '2026-03-01'") == 2


def test_a_model_not_offered_in_the_entry_region_is_removed_naming_the_region(
    aws, httpx_mock, monkeypatch, llmsync
):
    keys(monkeypatch)
    stub = Stub()
    serve(httpx_mock, stub)
    eu = "      aws_region_name: eu-west-1\n"
    text = "model_list:\n" + entry("llama-eu", f"bedrock/{L3}", eu)
    text += entry("sonnet-eu", f"bedrock/eu.{S35}", eu, prices=False)
    text += entry("titan-eu", f"bedrock/{T2}", eu, prices=False)
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "llama-eu" not in config.read_text()
    assert "sonnet-eu" in config.read_text() and "titan-eu" in config.read_text()
    assert f"{L3} is no longer in the bedrock catalogue (eu-west-1)" in run.output
    assert {h for h, _, _ in stub.requests} == {"bedrock.eu-west-1.amazonaws.com"}


def test_two_regions_two_listings_each_signed_for_its_region(aws, httpx_mock, monkeypatch, llmsync):
    keys(monkeypatch)
    stub = Stub()
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE
    text += entry("sonnet-eu", f"bedrock/{S35}", "      aws_region_name: os.environ/EU_REGION\n")
    monkeypatch.setenv("EU_REGION", "eu-west-1")
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "sonnet-eu" in config.read_text()
    east, west = "bedrock.us-east-1.amazonaws.com", "bedrock.eu-west-1.amazonaws.com"
    assert len(stub.asked(east)) == 3 and len(stub.asked(west)) == 2
    assert f"https://{west}/foundation-models" in stub.asked(west)
    for host, _, headers in stub.requests:
        region = host.split(".")[1]
        assert f"/{region}/bedrock/aws4_request" in headers["authorization"]


def test_missing_credentials_skip_with_one_line_and_change_nothing(
    aws, httpx_mock, monkeypatch, llmsync
):
    stub = Stub()
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE + entry("gone", "bedrock/anthropic.claude-v2:1")
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert config.read_text() == text
    assert (
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, "
        "or AWS_BEARER_TOKEN_BEDROCK"
    ) in " ".join(run.output.split())
    assert stub.requests == []


def test_without_botocore_bedrock_is_skipped_naming_the_install_command(
    aws, httpx_mock, monkeypatch, llmsync
):
    import importlib.util

    keys(monkeypatch)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "botocore" else real(name, *a)
    )
    stub = Stub()
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE + entry("gone", "bedrock/anthropic.claude-v2:1")
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "bedrock skipped: botocore is not installed: pip install 'llmsync-cli[cloud]'" in (
        " ".join(run.output.split())
    )
    assert "(6 entries wait for it)" in run.output  # STABLE holds five
    assert config.read_text() == text and stub.requests == []


def test_a_refused_signature_fails_the_provider_and_removes_nothing(
    aws, httpx_mock, monkeypatch, llmsync
):
    keys(monkeypatch, secret="not-the-secret-" + "x" * 25)
    stub = Stub()
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE + entry("gone", "bedrock/anthropic.claude-v2:1")
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 1, run.output
    assert config.read_text() == text
    assert "HTTP 403" in run.output
    assert stub.requests  # it was asked, and refused


def test_bearer_token_replaces_the_signature(aws, httpx_mock, monkeypatch, llmsync):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", BEARER)
    stub = Stub(bearer=BEARER)
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE + entry("gone", "bedrock/anthropic.claude-v2:1")
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "anthropic.claude-v2:1" not in config.read_text()
    assert len(stub.requests) == 3


def test_an_entry_api_key_is_a_bearer_token(aws, httpx_mock, monkeypatch, llmsync):
    monkeypatch.setenv("MY_BEDROCK_KEY", BEARER)
    stub = Stub(bearer=BEARER)
    serve(httpx_mock, stub)
    extra = "      api_key: os.environ/MY_BEDROCK_KEY\n"
    text = "model_list:\n" + entry("sonnet", f"bedrock/{S35}", extra)
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "input_cost_per_token: 3.0e-06\n" in config.read_text()


def test_profile_credentials_and_endpoint_override(aws, httpx_mock, monkeypatch, llmsync):
    (aws / "aws_credentials").write_text(
        f"[prod]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", "http://127.0.0.1:4599")
    stub = Stub(host="127.0.0.1")
    serve(httpx_mock, stub)
    extra = "      aws_profile_name: prod\n"
    text = "model_list:\n" + entry("sonnet", f"bedrock/{S35}", extra)
    config = write_config(aws, text)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "input_cost_per_token: 3.0e-06\n" in config.read_text()
    assert stub.asked()[0].startswith("http://127.0.0.1:4599/")
    assert all("/us-east-1/bedrock/" in h["authorization"] for _, _, h in stub.requests)


@pytest.mark.parametrize("mode", ["keys", "bearer"])
def test_no_credential_value_reaches_any_output(aws, httpx_mock, monkeypatch, llmsync, mode):
    if mode == "keys":
        keys(monkeypatch, token=SESSION)
        stub = Stub(token=SESSION)
    else:
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", BEARER)
        stub = Stub(bearer=BEARER)
    serve(httpx_mock, stub)
    text = "model_list:\n" + STABLE + entry("haiku", f"bedrock/{H3}")
    text += entry("gone", "bedrock/anthropic.claude-v2:1")
    config = write_config(aws, text)
    report = aws / "report.md"
    outputs = []
    for args in (["--format", "json"], ["--report", str(report), "-v"], ["-n", "-v"]):
        run = llmsync("cleanup", "-p", "bedrock", "--lifecycle", *args)
        assert run.exit_code == 0, run.output
        outputs.append(run.output)
    assert len(stub.requests) == 3  # the later runs were served from the cache
    cache = [p.read_text() for p in (aws / ".cache").rglob("*") if p.is_file()]
    assert cache and any("modelSummaries" in c for c in cache)
    everything = "\n".join([*outputs, report.read_text(), config.read_text(), *cache])
    for secret in (KEY, SECRET, SESSION, BEARER):
        assert secret not in everything
    # and the wrong secret's failure line names no credential either
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "bad" + SECRET)
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bad" + BEARER)
    run = llmsync("cleanup", "-p", "bedrock", "--no-cache", "--format", "json")
    assert run.exit_code == 1
    for secret in (KEY, SECRET, SESSION, BEARER):
        assert secret not in run.output
