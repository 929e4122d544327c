"""Self-hosted servers named in the config (Ollama, vLLM, llama.cpp, any /models) are asked
for their models; what a server no longer has is reported, never removed by default."""

from __future__ import annotations

import json

import httpx
from conftest import CORPUS, FIXTURES, write_config

SOURCES = FIXTURES / "sources"
CONFIG = """\
model_list:
  - model_name: qwen3-8b
    litellm_params:
      model: ollama_chat/qwen3:8b
      api_base: http://gpu-box:11434
  - model_name: old-llama
    litellm_params:
      model: ollama/llama2
      api_base: http://gpu-box:11434
  - model_name: qwen-32b
    litellm_params:
      model: hosted_vllm/Qwen/Qwen3-32B
      api_base: http://vllm:8000/v1
      api_key: os.environ/VLLM_KEY
  - model_name: lab
    litellm_params:
      model: openai/some-model
      api_base: os.environ/LAB_API_BASE
"""


def load(name: str) -> dict:
    return json.loads((SOURCES / name).read_text())


def test_servers_are_asked_with_the_entry_key_and_missing_models_reported(
    workdir, httpx_mock, llmsync, monkeypatch
):
    monkeypatch.setenv("VLLM_KEY", "vllm-key-123456")
    monkeypatch.delenv("LAB_API_BASE", raising=False)
    config = write_config(workdir, CONFIG)
    httpx_mock.add_response(url="http://gpu-box:11434/api/tags", json=load("ollama_tags.json"))
    httpx_mock.add_response(url="http://vllm:8000/v1/models", json=load("vllm_models.json"))
    run = llmsync("cleanup", "--format", "json", "--no-cache")
    assert run.exit_code == 0, run.output
    assert config.read_text() == CONFIG  # report only
    report = json.loads(run.stdout)
    servers = {p["name"]: p for p in report["providers"] if p["kind"] == "server"}
    assert servers["ollama http://gpu-box:11434"]["status"] == "ok"
    assert servers["ollama http://gpu-box:11434"]["entries"] == 2
    assert servers["openai os.environ/LAB_API_BASE"]["status"] == "skipped"
    assert "LAB_API_BASE is not set" in servers["openai os.environ/LAB_API_BASE"]["skipped"]
    assert any("no longer serves llama2" in n for n in report["notes"])
    assert not any("qwen3:8b" in n or "Qwen3-32B" in n for n in report["notes"])
    (vllm,) = httpx_mock.get_requests(url="http://vllm:8000/v1/models")
    assert vllm.headers["Authorization"] == "Bearer vllm-key-123456"


def test_removal_is_opt_in_per_kind_and_an_unreachable_server_keeps_everything(
    workdir, httpx_mock, llmsync
):
    registry = workdir / "providers.yaml"
    registry.write_text(
        registry.read_text().replace(
            "    prefixes: [ollama/, ollama_chat/]\n    remove_missing: false",
            "    prefixes: [ollama/, ollama_chat/]\n    remove_missing: true",
        )
    )
    config = write_config(workdir, CONFIG)
    httpx_mock.add_response(url="http://gpu-box:11434/api/tags", json=load("ollama_tags.json"))
    httpx_mock.add_exception(httpx.ConnectError("refused"), url="http://vllm:8000/v1/models")
    run = llmsync("cleanup", "--no-cache", "--force")
    assert run.exit_code == 0, run.output  # under --provider all, unreachable is skipped
    text = config.read_text()
    assert "old-llama" not in text and "qwen3-8b" in text
    assert "hosted_vllm/Qwen/Qwen3-32B" in text
    assert "openai http://vllm:8000/v1 skipped: not reachable from here" in run.stdout


def test_most_corpus_entries_are_recognised(workdir, catalogs, httpx_mock, llmsync, capsys):
    """Issue 9's measure: the share of real configs' entries llmsync checks (providers and
    servers), from `cleanup --provider all --dry-run --format json`, catalogues stubbed."""
    import pytest
    import yaml

    files = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"corpus not found at {CORPUS}")
    catalogs.serve()
    httpx_mock.add_response(status_code=503, is_optional=True, is_reusable=True)  # servers
    seen = total = 0
    for path in files:
        entries = len(yaml.safe_load(path.read_text()).get("model_list") or [])
        run = llmsync(
            "cleanup", "--config", str(path), "--dry-run", "--format", "json", "--no-cache"
        )
        assert run.exit_code in (0, 1), run.output
        report = json.loads(run.stdout)
        seen += sum(p["entries"] for p in report["providers"])
        total += entries
    share = seen / total
    with capsys.disabled():
        print(f"\ncorpus coverage: {seen} of {total} entries recognised ({share:.0%})")
    assert share >= 0.8


DEFAULT_BASE = """\
model_list:
  - model_name: llama
    litellm_params:
      model: ollama/qwen3:8b
  - model_name: gone
    litellm_params:
      model: ollama_chat/mistral-old
"""


def test_an_ollama_entry_without_api_base_is_checked_where_litellm_sends_it(
    workdir, httpx_mock, llmsync, monkeypatch
):
    """LiteLLM sends ollama/ without api_base to OLLAMA_API_BASE, else http://localhost:11434."""
    monkeypatch.delenv("OLLAMA_API_BASE", raising=False)
    write_config(workdir, DEFAULT_BASE)
    httpx_mock.add_response(url="http://localhost:11434/api/tags", json=load("ollama_tags.json"))
    run = llmsync("cleanup", "--format", "json", "--no-cache")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    servers = {p["name"]: p for p in report["providers"] if p["kind"] == "server"}
    assert servers["ollama http://localhost:11434"]["entries"] == 2
    assert any("no longer serves mistral-old" in n for n in report["notes"]), report["notes"]
    assert not any("qwen3" in n for n in report["notes"])

    monkeypatch.setenv("OLLAMA_API_BASE", "http://gpu-box:11434")
    httpx_mock.add_response(url="http://gpu-box:11434/api/tags", json=load("ollama_tags.json"))
    run = llmsync("cleanup", "--format", "json", "--no-cache")
    servers = {p["name"] for p in json.loads(run.stdout)["providers"] if p["kind"] == "server"}
    assert servers == {"ollama os.environ/OLLAMA_API_BASE"}
    assert len(httpx_mock.get_requests(url="http://gpu-box:11434/api/tags")) == 1


LAPTOP = """\
model_list:
  - model_name: local-llama
    litellm_params:
      model: ollama_chat/qwen3:8b
      api_base: http://localhost:11434
  - model_name: lab
    litellm_params:
      model: hosted_vllm/Qwen/Qwen3-32B
      api_base: http://vllm:8000/v1
"""


def test_a_server_the_runner_cannot_reach_is_skipped_under_all_and_fails_when_named(
    workdir, httpx_mock, llmsync
):
    config = write_config(workdir, LAPTOP)
    for _ in range(2):
        httpx_mock.add_exception(
            httpx.ConnectError("[Errno 111] Connection refused"),
            url="http://localhost:11434/api/tags",
        )
    httpx_mock.add_response(url="http://vllm:8000/v1/models", json=load("vllm_models.json"))
    run = llmsync("cleanup", "--provider", "all", "--no-cache")
    assert run.exit_code == 0, run.output
    assert config.read_text() == LAPTOP
    line = next(x for x in run.stdout.splitlines() if x.startswith("ollama http://localhost:11434"))
    assert "skipped: not reachable from here (network error" in line
    assert line.endswith("1 entry kept")

    run = llmsync("cleanup", "-p", "ollama", "--no-cache", "--format", "json")
    assert run.exit_code == 1, run.output  # asked for by name: a failure
    report = json.loads(run.stdout)
    assert [(p["name"], p["status"]) for p in report["providers"]] == [
        ("ollama http://localhost:11434", "failed")
    ]  # only the server named: no hosted provider, not the vLLM server
    assert config.read_text() == LAPTOP


def test_a_server_can_be_named_by_its_url_and_offline_contacts_none(workdir, httpx_mock, llmsync):
    write_config(workdir, LAPTOP)
    httpx_mock.add_response(url="http://vllm:8000/v1/models", json=load("vllm_models.json"))
    run = llmsync("cleanup", "-p", "http://vllm:8000/v1/", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    names = [p["name"] for p in json.loads(run.stdout)["providers"]]
    assert names == ["openai http://vllm:8000/v1"]

    before = len(httpx_mock.get_requests())
    run = llmsync("cleanup", "--provider", "all", "--offline", "--format", "json")
    assert run.exit_code == 0, run.output
    assert len(httpx_mock.get_requests()) == before  # nothing contacted, servers included
    servers = [p for p in json.loads(run.stdout)["providers"] if p["kind"] == "server"]
    assert {p["status"] for p in servers} == {"skipped"}
    assert all("--offline: not asked" in p["skipped"] for p in servers)
