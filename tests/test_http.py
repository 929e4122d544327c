"""The shared HTTP layer: credentials stay with their host, bodies are capped."""

from __future__ import annotations

import httpx
import pytest
from conftest import write_config
from json_stub import json_server

REGISTRY = """\
defaults: {backoff: 0, retries: 1, max_response_bytes: 4096}
providers:
  acme:
    catalogs: [{url: "https://api.acme.test/v1/models"}]
    api_key_env: ACME_KEY
    auth_header: X-Api-Key
    auth_scheme: ""
    match: [{prefix: "openai/", api_base: "api.acme.test"}]
"""
CONFIG = """\
model_list:
  - model_name: a
    litellm_params:
      model: openai/a
      api_base: https://api.acme.test/v1
  - model_name: b
    litellm_params:
      model: openai/b
      api_base: https://api.acme.test/v1
  - model_name: c
    litellm_params:
      model: openai/c
      api_base: https://api.acme.test/v1
"""
CATALOGUE = {"data": [{"id": "a"}, {"id": "c"}]}  # b retired
MODELS = "https://api.acme.test/v1/models"


@pytest.fixture
def acme(workdir, monkeypatch):
    (workdir / "providers.yaml").write_text(REGISTRY)
    return write_config(workdir, CONFIG)


def test_a_keyed_request_is_not_redirected_to_another_host(acme, httpx_mock, llmsync, monkeypatch):
    monkeypatch.setenv("ACME_KEY", "acme-secret-key-123")
    httpx_mock.add_response(
        url=MODELS, status_code=302, headers={"Location": "https://evil.test/models"}
    )
    run = llmsync("cleanup", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "redirected to another host (https://evil.test)" in run.stdout
    assert [str(r.url) for r in httpx_mock.get_requests()] == [MODELS]  # evil.test never asked
    assert acme.read_text() == CONFIG


def test_redirects_within_the_host_or_without_a_key_are_followed(
    acme, httpx_mock, llmsync, monkeypatch
):
    monkeypatch.setenv("ACME_KEY", "acme-secret-key-123")
    httpx_mock.add_response(url=MODELS, status_code=301, headers={"Location": "/v2/models"})
    httpx_mock.add_response(url="https://api.acme.test/v2/models", json=CATALOGUE)
    run = llmsync("cleanup", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "openai/b" not in acme.read_text()
    second = httpx_mock.get_requests()[-1]
    assert second.headers["X-Api-Key"] == "acme-secret-key-123"

    monkeypatch.delenv("ACME_KEY")
    write_config(acme.parent, CONFIG)
    httpx_mock.add_response(
        url=MODELS, status_code=302, headers={"Location": "https://cdn.acme-mirror.test/m.json"}
    )
    httpx_mock.add_response(url="https://cdn.acme-mirror.test/m.json", json=CATALOGUE)
    run = llmsync("cleanup", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "openai/b" not in acme.read_text()
    assert "X-Api-Key" not in httpx_mock.get_requests()[-1].headers


def test_an_oversized_answer_is_refused_and_removes_nothing(acme, httpx_mock, llmsync):
    huge = {"data": [{"id": "a"}, {"id": "c"}], "padding": "x" * 10_000}
    httpx_mock.add_response(url=MODELS, json=huge, is_reusable=True)
    run = llmsync("cleanup", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "response larger than 4,096 bytes" in run.stdout
    assert acme.read_text() == CONFIG


def test_a_redirect_loop_ends(acme, httpx_mock, llmsync):
    httpx_mock.add_response(
        url=MODELS, status_code=302, headers={"Location": MODELS}, is_reusable=True
    )
    run = llmsync("cleanup", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "more than 5 redirects" in run.stdout


def test_urls_in_messages_have_no_userinfo(acme, httpx_mock, llmsync):
    registry = acme.parent / "providers.yaml"
    registry.write_text(REGISTRY.replace("https://api.acme", "https://bob:pw-in-url-77@api.acme"))
    httpx_mock.add_exception(
        httpx.ConnectError("refused"),
        url="https://bob:pw-in-url-77@api.acme.test/v1/models",
        is_reusable=True,
    )
    run = llmsync("cleanup", "--no-cache", "--format", "json")
    assert run.exit_code == 1
    assert "pw-in-url-77" not in run.output and "bob" not in run.output
    assert "https://api.acme.test/v1/models: network error" in run.output


def _self_signed(folder):
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl") or pytest.skip("needs the openssl command")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_https_trusts_what_httpx_trusts_and_a_bad_bundle_fails_in_one_line(
    workdir, monkeypatch, llmsync
):
    import json

    cert, key = _self_signed(workdir)
    body = json.dumps(CATALOGUE).encode()
    with json_server(lambda path: body, tls=(cert, key)) as (base, _):
        (workdir / "providers.yaml").write_text(
            REGISTRY.replace("https://api.acme.test", base).replace("api.acme.test", "127.0.0.1")
        )
        config = write_config(workdir, CONFIG.replace("https://api.acme.test", base))
        before = config.read_text()
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        run = llmsync("cleanup", "--no-cache")  # a self-signed certificate: not trusted
        assert run.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in run.stdout, run.output
        assert config.read_text() == before

        (workdir / "garbage.pem").write_text("not a certificate\n")
        monkeypatch.setenv("SSL_CERT_FILE", str(workdir / "garbage.pem"))
        run = llmsync("cleanup", "--no-cache")
        assert run.exit_code == 1, run.output
        assert f"acme failed: cannot set up TLS: SSL_CERT_FILE {workdir / 'garbage.pem'}: " in (
            run.stdout
        )
        assert config.read_text() == before

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted now, as httpx would trust it
        run = llmsync("cleanup", "--no-cache")
        assert run.exit_code == 0, run.output
        assert "openai/b" not in config.read_text() and "openai/c" in config.read_text()


def test_the_tls_context_is_built_once_per_trust_setting(monkeypatch):
    import ssl

    import certifi

    from llmsync.catalogues import tls

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    tls.warm()
    first = tls.context()
    assert tls.context() is first
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert tls.context() is not first


def test_a_run_that_ends_while_the_tls_context_is_being_built_exits_cleanly():
    """Exiting while the building thread is inside OpenSSL crashed the interpreter (exit 139,
    seen in a cache-served run that had started it): the exit now waits for the thread."""
    import subprocess
    import sys

    for delay in (0.003, 0.005, 0.008, 0.012) * 3:
        code = f"from llmsync.catalogues import tls; import time; tls.warm(); time.sleep({delay})"
        run = subprocess.run([sys.executable, "-c", code], capture_output=True)
        assert run.returncode == 0, (delay, run.returncode, run.stderr[-300:])


def test_the_proxy_the_environment_names_is_used(workdir, monkeypatch, llmsync):
    """HTTP_PROXY is honoured (as httpx honours it): the catalogue of a host this machine
    cannot resolve is asked through a 127.0.0.1 proxy, which answers for it."""
    import json

    body = json.dumps(CATALOGUE).encode()
    with json_server(lambda path: body) as (proxy, asked):
        (workdir / "providers.yaml").write_text(REGISTRY.replace("https://", "http://"))
        config = write_config(workdir, CONFIG.replace("https://", "http://"))
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy)
        run = llmsync("cleanup", "--no-cache")
        assert run.exit_code == 0, run.output
        assert asked == ["http://api.acme.test/v1/models"]  # a proxy is sent the whole URL
        assert "openai/b" not in config.read_text() and "openai/c" in config.read_text()
