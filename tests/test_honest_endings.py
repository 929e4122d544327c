"""Messages never read like success when something was not done: failed providers on the last
line, "nothing could be read" apart from "nothing matched", a group that lost a member."""

from __future__ import annotations

import json

import httpx
from conftest import write_config

TWO = """\
model_list:
  - model_name: a
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5
  - model_name: b
    litellm_params:
      model: cerebras/gpt-oss-120b
"""


def test_the_last_line_counts_the_providers_that_failed(workdir, catalogs, llmsync):
    config = write_config(workdir, TWO)
    down = httpx.ConnectError("down")
    catalogs.serve(openrouter_models=down, openrouter_embeddings=down, cerebras=down)
    run = llmsync("cleanup", "-p", "openrouter", "-p", "cerebras", "--no-cache")
    assert run.exit_code == 1, run.output
    last = run.stdout.strip().splitlines()[-1]
    assert (
        last == "config.yaml: no changes; 2 of 2 provider(s) failed (nothing of theirs was changed)"
    )
    assert config.read_text() == TWO


def test_find_tells_nothing_readable_from_nothing_matched(workdir, catalogs, llmsync):
    write_config(workdir, TWO)
    catalogs.serve(cerebras=httpx.Response(500))
    run = llmsync("find", "gpt-oss-120b", "-p", "cerebras", "--no-cache")
    assert run.exit_code == 1
    assert run.stdout == ""
    assert "no catalogue could be read (1 failed or skipped" in run.stderr
    assert "nothing was searched" in run.stderr
    as_json = json.loads(llmsync("find", "x", "-p", "cerebras", "--format", "json").stdout)
    assert as_json["searched"] == [] and "cerebras" in as_json["unavailable"]

    run = llmsync("find", "no-such-model-anywhere", "-p", "sambanova", "--no-cache")
    assert run.exit_code == 1
    assert "no catalogue of the 1 read has a model like 'no-such-model-anywhere'" in run.stdout


def test_a_group_that_lost_a_named_member_is_not_written_unless_allowed(workdir, catalogs, llmsync):
    config = write_config(workdir, "model_list: []\n")
    catalogs.serve(together=httpx.Response(503))
    args = ("add-model", "--group", "gpt-oss", "-p", "cerebras", "-p", "together_ai")
    run = llmsync(*args, "gpt-oss-120b", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "lost member together_ai: " in run.stderr and "HTTP 503" in run.stderr
    assert "nothing was added (--allow-partial adds the others)" in run.stderr
    assert config.read_text() == "model_list: []\n"

    run = llmsync(*args, "gpt-oss-120b", "--no-cache", "--allow-partial")
    assert run.exit_code == 0, run.output
    assert "lost member together_ai" in run.stderr
    assert "model: cerebras/gpt-oss-120b" in config.read_text()
    assert "together_ai" not in config.read_text()

    run = llmsync("add-model", "--group", "glm", "-p", "cerebras", "glm-9-nonexistent")
    assert run.exit_code == 2  # no provider has it at all: refused, as before


def test_small_usage_errors_are_usage_errors(workdir, llmsync, monkeypatch):
    import json as _json

    write_config(workdir, TWO)
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-test-master-key-123")
    run = llmsync("push", "--proxy", "localhost:4000")
    assert run.exit_code == 2 and "--proxy must be an http(s) URL" in run.stderr
    run = llmsync("push", "--proxy", "admin:hunter22@localhost:4000")
    assert run.exit_code == 2 and "hunter22" not in run.output
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    run = llmsync("push")
    assert run.exit_code == 2 and "LITELLM_PROXY_URL" in run.stderr
    run = llmsync("validate", "--select", "E999")
    assert run.exit_code == 2 and "no rule code starts with 'E999'" in run.stderr
    assert llmsync("validate", "--select", "E04").exit_code in (0, 1)  # a real prefix
    rules = _json.loads(llmsync("validate", "--list-rules", "--format", "json").stdout)
    assert rules["version"] == 1
    assert {"code": "E070", "name": "router-rejects-entry", "severity": "error"}.items() <= next(
        r for r in rules["rules"] if r["code"] == "E070"
    ).items()


def test_generate_without_sources_says_so(workdir, llmsync):
    config = write_config(workdir, TWO)
    run = llmsync("generate")
    assert run.exit_code == 2
    assert "no sources to generate from: declare model servers under `sources:`" in run.stderr
    assert "no changes" not in run.output and config.read_text() == TWO
