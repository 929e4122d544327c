"""add-model end to end: entries written from catalogue data, in sorted position."""

from __future__ import annotations

import httpx
import pytest
import yaml
from conftest import diff_u, write_config

BASE = """\
model_list:
  - model_name: claude-sonnet
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 3.0e-06
      output_cost_per_token: 1.5e-05

  - model_name: zeta
    litellm_params:
      model: openrouter/deepseek/deepseek-chat-v3.1
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 2.0e-07
      output_cost_per_token: 8.0e-07

general_settings: {}
"""


@pytest.fixture
def config(workdir):
    return write_config(workdir, BASE)


def test_adds_entries_with_prices_mode_and_limits_in_sorted_position(config, catalogs, llmsync):
    catalogs.serve()
    run = llmsync(
        "add-model",
        "--provider",
        "openrouter",
        "openai/gpt-4o-mini",
        "openai/text-embedding-3-small",
    )
    assert run.exit_code == 0, run.output
    assert config.read_text() == BASE.replace(
        "  - model_name: zeta\n",
        """\
  - model_name: openai-gpt-4o-mini
    litellm_params:
      model: openrouter/openai/gpt-4o-mini
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 1.5e-07
      output_cost_per_token: 6.0e-07
      cache_read_input_token_cost: 7.5e-08
    model_info:
      max_input_tokens: 128000
      max_output_tokens: 16384

  - model_name: openai-text-embedding-3-small
    litellm_params:
      model: openrouter/openai/text-embedding-3-small
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 2.0e-08
    model_info:
      mode: embedding
      max_input_tokens: 8192

  - model_name: zeta
""",
    )


def test_custom_model_name_joins_the_existing_group(config, catalogs, llmsync):
    catalogs.serve()
    run = llmsync(
        "add-model", "-p", "vercel", "anthropic/claude-sonnet-4.5", "--model-name", "claude-sonnet"
    )
    assert run.exit_code == 0, run.output
    entries = yaml.safe_load(config.read_text())["model_list"]
    assert [(e["model_name"], e["litellm_params"]["model"]) for e in entries] == [
        ("claude-sonnet", "openrouter/anthropic/claude-sonnet-4.5"),
        ("claude-sonnet", "vercel_ai_gateway/anthropic/claude-sonnet-4.5"),
        ("zeta", "openrouter/deepseek/deepseek-chat-v3.1"),
    ]
    assert entries[1]["litellm_params"]["cache_creation_input_token_cost"] == 3.75e-06


def test_free_twin_comes_along_under_the_same_name(config, catalogs, llmsync):
    catalogs.serve()
    assert (
        llmsync("add-model", "-p", "openrouter", "meta-llama/llama-3.3-70b-instruct").exit_code == 0
    )
    entries = yaml.safe_load(config.read_text())["model_list"]
    twins = [e for e in entries if e["model_name"] == "meta-llama-llama-3.3-70b-instruct"]
    assert [e["litellm_params"]["model"] for e in twins] == [
        "openrouter/meta-llama/llama-3.3-70b-instruct",
        "openrouter/meta-llama/llama-3.3-70b-instruct:free",
    ]
    assert twins[1]["litellm_params"]["input_cost_per_token"] == 1e-09


def test_requesty_entry_uses_openai_prefix_and_api_base(config, catalogs, llmsync):
    catalogs.serve()
    assert llmsync("add-model", "-p", "requesty", "openai/gpt-4o-mini").exit_code == 0
    names = [e["model_name"] for e in yaml.safe_load(config.read_text())["model_list"]]
    assert names == ["claude-sonnet", "requesty-openai-gpt-4o-mini", "zeta"]
    entry = yaml.safe_load(config.read_text())["model_list"][1]
    assert entry["litellm_params"]["model"] == "openai/openai/gpt-4o-mini"
    assert entry["litellm_params"]["api_base"] == "https://router.requesty.ai/v1"
    assert (
        "cache_creation_input_token_cost" not in entry["litellm_params"]
    )  # caching_price 0: no charge, no line
    assert entry["litellm_params"]["cache_read_input_token_cost"] == 7.5e-08


def test_poe_per_request_bot_is_added_without_costs_and_said_so(config, catalogs, llmsync):
    catalogs.serve()
    run = llmsync("add-model", "-p", "poe", "community/roleplay-bot:v2")
    assert run.exit_code == 0, run.output
    entry = next(
        e
        for e in yaml.safe_load(config.read_text())["model_list"]
        if "roleplay" in e["litellm_params"]["model"]
    )
    assert entry == {
        "model_name": "poe-community-roleplay-bot-v2",
        "litellm_params": {
            "model": "poe/community/roleplay-bot:v2",
            "api_key": "os.environ/POE_API_KEY",
        },
    }
    assert "no per-token price" in run.stderr


def test_dry_run_adds_nothing_and_shows_only_added_lines(config, catalogs, llmsync):
    catalogs.serve()
    before = config.read_text()
    run = llmsync("add-model", "-p", "nvidia", "nvidia/nv-embedqa-e5-v5", "--dry-run")
    assert run.exit_code == 0, run.output
    assert config.read_text() == before
    diff_lines = [
        line
        for line in run.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff_lines and all(line.startswith("+") for line in diff_lines)
    assert "+      model: nvidia_nim/nvidia/nv-embedqa-e5-v5" in run.stdout
    real = llmsync("add-model", "-p", "nvidia", "nvidia/nv-embedqa-e5-v5")
    assert real.exit_code == 0
    assert diff_u(before, config.read_text(), "config.yaml") in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-p", "openrouter", "anthropic/claude-sonnet-4.5"],
            "anthropic/claude-sonnet-4.5 is already in the config",
        ),
        (
            ["-p", "openrouter", "anthropic/claude-sonet-4.5"],
            "did you mean: anthropic/claude-sonnet-4.5",
        ),
        (
            ["-p", "openrouter", "a/b", "c/d", "--model-name", "x"],
            "--model-name needs exactly one model id",
        ),
        (["-p", "nope", "a/b"], "unknown provider 'nope'"),
        (["-p", "all", "a/b"], "needs one provider"),
    ],
)
def test_refusals_exit_2_and_leave_the_file_alone(config, catalogs, llmsync, args, message):
    catalogs.serve()
    before = config.read_bytes()
    run = llmsync("add-model", *args)
    assert run.exit_code == 2, run.output
    assert message in run.stderr
    assert config.read_bytes() == before


def test_unreachable_catalogue_adds_nothing(config, catalogs, llmsync):
    catalogs.serve(poe=httpx.ConnectError("no route"))
    before = config.read_bytes()
    run = llmsync("add-model", "-p", "poe", "claude-sonnet-4.5")
    assert run.exit_code == 1
    assert "poe: catalogue unavailable" in run.stderr
    assert config.read_bytes() == before
