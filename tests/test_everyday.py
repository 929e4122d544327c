"""Everyday operator work (issue 13): regressions for the defects found by trying llmsync."""

from __future__ import annotations

import pytest
import yaml
from conftest import write_config
from test_generate import HAND_WRITTEN, REGISTRY, serve_sources


@pytest.fixture
def lab(workdir, monkeypatch):
    monkeypatch.setenv("UPSTREAM_KEY", "k-upstream")
    (workdir / "providers.yaml").write_text(
        REGISTRY.replace(
            'routes:\n  patterns: {"qwen3-8b": [team-gateway, gpu-box]}\n',
            'routes:\n  patterns: {"qwen3-8b": [team-gateway, gpu-box]}\n'
            "  aliases: {fast: qwen3-8b}\n"
            "  fallbacks: {qwen3-8b: [openrouter-llama-3.3-70b]}\n",
        )
    )
    return workdir


def test_generate_with_a_hand_written_fallbacks_list_as_the_last_router_key(
    lab, httpx_mock, llmsync
):
    config = write_config(
        lab,
        HAND_WRITTEN
        + "router_settings:\n  num_retries: 2\n  fallbacks:\n    - openrouter-llama-3.3-70b: [openrouter-llama-3.3-70b]\n",
    )
    serve_sources(httpx_mock)
    run = llmsync("generate")
    assert run.exit_code == 0, run.output
    data = yaml.safe_load(config.read_text())
    fallbacks = data["router_settings"]["fallbacks"]
    assert {"openrouter-llama-3.3-70b": ["openrouter-llama-3.3-70b"]} in fallbacks
    assert {"qwen3-8b": ["openrouter-llama-3.3-70b"]} in fallbacks
    assert data["router_settings"]["model_group_alias"] == {"fast": "qwen3-8b"}


def test_routes_to_a_model_that_left_its_source_are_removed_and_said(lab, httpx_mock, llmsync):
    import json

    from test_generate import SOURCES

    config = write_config(lab, HAND_WRITTEN)
    serve_sources(httpx_mock)
    assert llmsync("generate").exit_code == 0
    assert "fast: qwen3-8b  # llmsync" in config.read_text()
    httpx_mock.reset()
    tags = json.loads((SOURCES / "ollama_tags.json").read_text())
    tags["models"] = [m for m in tags["models"] if m["name"] != "qwen3:8b"]
    serve_sources(
        httpx_mock,
        **{"http://gpu-box:11434/api/tags": tags, "http://10.0.0.9:11434/api/tags": tags},
    )
    run = llmsync("generate")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert "ollama_chat/qwen3:8b" not in text
    routes = yaml.safe_load(text).get("router_settings") or {}
    assert "fast: qwen3-8b" not in text and "fast" not in (routes.get("model_group_alias") or {})
    assert "still names 'qwen3-8b'" not in run.stderr  # llmsync's own routes: removed, not reported
    assert "alias 'fast' not written: 'qwen3-8b' has no deployment now" in run.stderr


NO_NEWLINE = "model_list:\n  - model_name: b\n    litellm_params:\n      model: openrouter/x/b\n  - model_name: a\n    litellm_params:\n      model: openrouter/x/a"


def test_sort_keeps_a_missing_final_newline_missing(workdir, llmsync):
    config = write_config(workdir, NO_NEWLINE)
    assert llmsync("sort").exit_code == 0
    text = config.read_text()
    assert not text.endswith("\n") and text.index("model_name: a") < text.index("model_name: b")


def test_add_model_keeps_a_missing_final_newline_missing(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: openrouter/openai/gpt-4o-mini",
    )
    catalogs.serve()
    run = llmsync("add-model", "-p", "openrouter", "deepseek/deepseek-chat-v3.1")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert not text.endswith("\n") and "openrouter/deepseek/deepseek-chat-v3.1" in text


def test_add_model_to_a_flow_style_model_list(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        "model_list: [{model_name: a, litellm_params: {model: openrouter/openai/gpt-4o-mini}}]\n"
        "router_settings: {num_retries: 2}\n",
    )
    catalogs.serve()
    run = llmsync("add-model", "-p", "openrouter", "deepseek/deepseek-chat-v3.1")
    assert run.exit_code == 0, run.output
    data = yaml.safe_load(config.read_text())
    assert [e["model_name"] for e in data["model_list"]] == ["a", "deepseek-deepseek-chat-v3.1"]
    assert config.read_text().startswith("model_list: [{model_name: a,")
    assert data["router_settings"] == {"num_retries": 2}


ROUTED = """\
model_list:
  # Claude, the main model
  - model_name: claude
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5

  - model_name: mini
    litellm_params:
      model: openrouter/openai/gpt-4o-mini

  - model_name: mini
    litellm_params:
      model: vercel_ai_gateway/openai/gpt-4o-mini

router_settings:
  model_group_alias:
    smart: claude
  fallbacks:
    - {"mini": ["claude"]}
    - {"claude": ["mini"]}
"""


def test_remove_model_by_name_takes_its_comments_and_refuses_dangling_routes(workdir, llmsync):
    config = write_config(workdir, ROUTED)
    refused = llmsync("remove-model", "claude")
    assert refused.exit_code == 2
    assert "would leave routes pointing at nothing" in refused.stderr
    assert "--prune-routes" in refused.stderr and config.read_text() == ROUTED

    run = llmsync("remove-model", "claude", "--prune-routes")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert "claude" not in text and "# Claude, the main model" not in text
    data = yaml.safe_load(text)
    assert data["router_settings"] is None  # each route named claude (or only claude)
    assert text.startswith("model_list:\n  - model_name: mini\n")
    assert [e["model_name"] for e in data["model_list"]] == ["mini", "mini"]


def test_remove_model_force_keeps_routes_and_by_model_id(workdir, llmsync):
    config = write_config(workdir, ROUTED)
    run = llmsync("remove-model", "--model", "vercel_ai_gateway/openai/gpt-4o-mini")
    assert run.exit_code == 0, run.output  # mini still has a deployment: nothing dangles
    assert "vercel_ai_gateway" not in config.read_text()
    forced = llmsync("remove-model", "claude", "--force")
    assert forced.exit_code == 0, forced.output
    assert "smart: claude" in config.read_text()
    assert "still names 'claude'" in forced.stderr


def test_remove_model_unknown_name_suggests(workdir, llmsync):
    write_config(workdir, ROUTED)
    run = llmsync("remove-model", "claud")
    assert run.exit_code == 2 and "did you mean: claude?" in run.stderr


def test_fill_limits_and_stale_cache_prices(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        """
        model_list:
          - model_name: claude
            litellm_params:
              model: openrouter/anthropic/claude-sonnet-4.5
              input_cost_per_token: 3.0e-06
              output_cost_per_token: 1.5e-05
              cache_read_input_token_cost: 3.0e-07
              cache_creation_input_token_cost: 3.75e-06
          - model_name: mini
            litellm_params:
              model: openrouter/openai/gpt-4o-mini
              input_cost_per_token: 1.5e-07
              output_cost_per_token: 6.0e-07
              cache_read_input_token_cost: 7.5e-08
              cache_creation_input_token_cost: 1.0e-07   # the catalogue reports none
            model_info:
              mode: chat
        """,
    )
    catalogs.serve()
    plain = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert "max_input_tokens" not in plain.stdout  # limits are only kept true, not added
    run = llmsync("cleanup", "-p", "openrouter", "--fill-limits")
    assert run.exit_code == 0, run.output
    data = yaml.safe_load(config.read_text())
    claude, mini = data["model_list"]
    assert claude["model_info"] == {"max_input_tokens": 1000000, "max_output_tokens": 64000}
    assert mini["model_info"] == {
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 16384,
    }
    assert "cache_creation_input_token_cost" not in mini["litellm_params"]  # removed, not 0
    assert claude["litellm_params"]["cache_creation_input_token_cost"] == 3.75e-06
    assert (
        "dropped  mini (openrouter/openai/gpt-4o-mini): litellm_params.cache_creation_input_token_cost"
        in run.stdout
    )


def test_find_one_model_across_providers(workdir, catalogs, llmsync, monkeypatch):
    import json

    monkeypatch.setenv("COLUMNS", "200")
    write_config(
        workdir,
        "model_list:\n  - model_name: x\n    litellm_params:\n      model: groq/openai/gpt-oss-120b\n",
    )
    catalogs.serve()
    run = llmsync("find", "gpt-oss-120b", "--format", "json")
    assert run.exit_code == 0, run.output
    rows = json.loads(run.stdout)["results"]
    found = {(r["provider"], r["id"]): r for r in rows}
    assert found[("cerebras", "gpt-oss-120b")]["match"] == "exact"
    assert found[("groq", "openai/gpt-oss-120b")]["match"] == "vendor"
    assert found[("groq", "openai/gpt-oss-120b")]["in_config"] is True
    assert found[("fireworks_ai", "accounts/fireworks/models/gpt-oss-120b")]["match"] == "vendor"
    assert found[("cloudflare", "@cf/openai/gpt-oss-120b")]["input_per_1m"] == 0.35
    assert ("groq", "openai/gpt-oss-20b") not in found
    tiers = [r["match"] for r in rows]
    assert tiers == sorted(
        tiers, key=["exact", "vendor", "normalised", "suffix", "substring"].index
    )
    cheap = llmsync("find", "gpt-oss-120b", "--max-price", "0.2", "--format", "json")
    cheap_rows = json.loads(cheap.stdout)["results"]
    assert cheap_rows and all(r["input_per_1m"] <= 0.2 for r in cheap_rows)
    assert "cerebras" not in {r["provider"] for r in cheap_rows}  # 0.35 per 1M
    table = llmsync("find", "gpt-oss-120b", "-p", "cerebras", "-p", "sambanova")
    assert "cerebras" in table.stdout and "0.35" in table.stdout and "131,072" in table.stdout


def test_add_model_group_across_three_providers(workdir, catalogs, llmsync):
    config = write_config(
        workdir, "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/gpt-4o\n"
    )
    catalogs.serve()
    run = llmsync(
        "add-model", "--group", "gpt-oss", "-p", "cerebras", "-p", "together_ai", "-p", "sambanova",
        "gpt-oss-120b",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    entries = yaml.safe_load(config.read_text())["model_list"]
    group = {e["litellm_params"]["model"]: e for e in entries if e["model_name"] == "gpt-oss"}
    assert set(group) == {
        "cerebras/gpt-oss-120b",
        "together_ai/openai/gpt-oss-120b",
        "sambanova/gpt-oss-120b",
    }
    assert group["cerebras/gpt-oss-120b"]["litellm_params"]["input_cost_per_token"] == 3.5e-07
    assert (
        group["together_ai/openai/gpt-oss-120b"]["litellm_params"]["output_cost_per_token"] == 6e-07
    )
    assert group["cerebras/gpt-oss-120b"]["model_info"]["max_input_tokens"] == 131072


def test_add_model_group_refuses_an_ambiguous_query(workdir, catalogs, llmsync):
    config = write_config(workdir, "model_list: []\n")
    catalogs.serve()
    run = llmsync("add-model", "--group", "oss", "-p", "groq", "gpt-oss")
    assert run.exit_code == 2
    assert (
        "ambiguous" in run.stderr
        and "openai/gpt-oss-120b" in run.stderr
        and "openai/gpt-oss-20b" in run.stderr
    )
    assert config.read_text() == "model_list: []\n"
