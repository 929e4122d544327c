"""cleanup end to end: catalogues served by pytest-httpx, assertions on the written YAML."""

from __future__ import annotations

import copy
import json

import httpx
import pytest
from conftest import body, diff_u, write_config

TEAM = """\
# Team gateway: edited by people and by llmsync.
model_list:
  # Claude via OpenRouter
  - model_name: claude-sonnet
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 3.0e-06
      output_cost_per_token: 1.5e-05
      cache_read_input_token_cost: 3.0e-07
    model_info:
      max_input_tokens: 1000000
      max_output_tokens: 64000

  # Retired upstream: cleanup drops this comment with the entry.
  - model_name: claude-2
    litellm_params:
      model: openrouter/anthropic/claude-2
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 8.0e-06
      output_cost_per_token: 2.4e-05

  - model_name: gpt-4o-mini
    litellm_params:
      model: openrouter/openai/gpt-4o-mini
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 1.2e-07   # negotiated?
      output_cost_per_token: 6.0e-07
      cache_read_input_token_cost: 7.5e-08
    model_info:
      max_input_tokens: 100000

  - model_name: llama-3.3-70b
    litellm_params:
      model: openrouter/meta-llama/llama-3.3-70b-instruct:free
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 1.0e-09
      output_cost_per_token: 1.0e-09

  - model_name: embed-small
    litellm_params:
      model: openrouter/openai/text-embedding-3-small
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 2.0e-08
      output_cost_per_token: 0
    model_info:
      mode: embedding

  - model_name: deepseek-v3
    litellm_params:
      model: novita/deepseek/deepseek-v3-0324
      api_key: os.environ/NOVITA_API_KEY
      input_cost_per_token: 0.00000033
      output_cost_per_token: 0.00000114

router_settings:
  fallbacks: [{"claude-sonnet": ["gpt-4o-mini"]}]
litellm_settings:
  drop_params: True
"""

CLAUDE2 = """\
  # Retired upstream: cleanup drops this comment with the entry.
  - model_name: claude-2
    litellm_params:
      model: openrouter/anthropic/claude-2
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 8.0e-06
      output_cost_per_token: 2.4e-05

"""

OPENROUTER_AFTER = (
    TEAM.replace(CLAUDE2, "")
    .replace(
        "      cache_read_input_token_cost: 3.0e-07\n",
        "      cache_read_input_token_cost: 3.0e-07\n      cache_creation_input_token_cost: 3.75e-06\n",
    )
    .replace(
        "input_cost_per_token: 1.2e-07   # negotiated?",
        "input_cost_per_token: 1.5e-07   # negotiated?",
    )
    .replace("      max_input_tokens: 100000\n", "      max_input_tokens: 128000\n")
)


def mini_config(input_cost: str) -> str:
    """One gpt-4o-mini entry whose other prices match the recorded catalogue."""
    return (
        "model_list:\n  - model_name: mini\n    litellm_params:\n      model: openrouter/openai/gpt-4o-mini\n"
        f"      input_cost_per_token: {input_cost}\n      output_cost_per_token: 6.0e-07\n"
        "      cache_read_input_token_cost: 7.5e-08\n"
    )


@pytest.fixture
def team(workdir):
    return write_config(workdir, TEAM)


def test_openrouter_cleanup_removes_reprices_and_touches_nothing_else(team, catalogs, llmsync):
    catalogs.serve()
    run = llmsync("cleanup", "--provider", "openrouter")
    assert run.exit_code == 0, run.output
    assert team.read_text() == OPENROUTER_AFTER
    assert "Wrote config.yaml (4 change(s))" in run.stdout
    assert "+25.0%" in run.stdout  # 1.2e-07 → 1.5e-07


def test_dry_run_shows_exactly_what_the_real_run_writes_and_second_run_is_a_no_op(
    team, catalogs, llmsync
):
    catalogs.serve()
    before = team.read_bytes()
    preview = llmsync("cleanup", "--provider", "all", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert team.read_bytes() == before
    assert "Dry run: config.yaml left unchanged" in preview.stdout

    real = llmsync("cleanup", "--provider", "all")
    assert real.exit_code == 0, real.output
    written = diff_u(before.decode(), team.read_text(), "config.yaml")
    assert written and written in preview.stdout

    again = llmsync("cleanup", "--provider", "all")
    assert again.exit_code == 0
    assert "config.yaml: no changes" in again.stdout
    assert diff_u(team.read_text(), team.read_text(), "x") == ""


def test_all_providers_keep_each_value_style(team, catalogs, llmsync):
    catalogs.serve()
    assert llmsync("cleanup").exit_code == 0
    text = team.read_text()
    assert (
        "      input_cost_per_token: 0.00000028\n" in text
    )  # novita 2800 units; decimal style kept
    assert "      output_cost_per_token: 0.00000114\n" in text  # unchanged
    assert "      output_cost_per_token: 0\n" in text  # free embedding output: 0 stays 0


@pytest.mark.parametrize(
    ("url", "response", "reason"),
    [
        (
            "openrouter_models",
            httpx.Response(500, text="upstream error"),
            "HTTP 500 after 3 attempts",
        ),
        ("openrouter_models", httpx.ReadTimeout("slow"), "timed out"),
        ("openrouter_models", httpx.ConnectError("refused"), "network error"),
        ("openrouter_models", httpx.Response(200, text="<html>maintenance</html>"), "not JSON"),
        ("openrouter_models", {"models": []}, "unexpected shape"),
        ("openrouter_models", {"data": []}, "empty model list"),
        (
            "openrouter_models",
            httpx.Response(401, json={"error": "no key"}),
            "HTTP 401 (is OPENROUTER_API_KEY set?)",
        ),
        ("openrouter_embeddings", httpx.Response(503), "embeddings/models: HTTP 503"),
    ],
)
def test_a_failing_provider_changes_nothing_and_others_still_run(
    team, catalogs, llmsync, url, response, reason
):
    catalogs.serve(**{url: response})
    run = llmsync("cleanup", "-p", "openrouter", "-p", "novita")
    assert run.exit_code == 1, run.output
    assert "openrouter failed: " in run.stdout and reason in run.stdout
    text = team.read_text()
    assert (
        "openrouter/anthropic/claude-2" in text and "1.2e-07" in text
    )  # nothing of openrouter's touched
    assert "input_cost_per_token: 0.00000028" in text  # novita still cleaned up


def test_retries_honour_retry_after(team, httpx_mock, catalogs, llmsync):
    httpx_mock.add_response(
        url="https://api.novita.ai/openai/v1/models", status_code=429, headers={"Retry-After": "0"}
    )
    catalogs.serve()
    run = llmsync("cleanup", "-p", "novita")
    assert run.exit_code == 0, run.output
    assert "input_cost_per_token: 0.00000028" in team.read_text()
    assert len(httpx_mock.get_requests(url="https://api.novita.ai/openai/v1/models")) == 2


def test_mass_removal_is_held_until_forced(team, catalogs, llmsync):
    models = body("openrouter_models.json")
    models["data"] = [m for m in models["data"] if m["id"] == "openai/gpt-4o-mini"]
    embeddings = {
        "data": [
            m
            for m in body("openrouter_embeddings.json")["data"]
            if m["id"] != "openai/text-embedding-3-small"
        ]
    }
    catalogs.serve(openrouter_models=models, openrouter_embeddings=embeddings)
    held = llmsync("cleanup", "-p", "openrouter")
    assert held.exit_code == 1
    assert "would remove 4 of 5 entries" in held.stdout and "--force" in held.stdout
    text = team.read_text()
    assert text.count("model_name:") == 6
    assert "input_cost_per_token: 1.5e-07" in text  # repricing of listed models still applied

    forced = llmsync("cleanup", "-p", "openrouter", "--force")
    assert forced.exit_code == 0, forced.output
    assert (
        "router_settings.fallbacks still names 'claude-sonnet', whose last deployment is removed"
        in forced.stderr
    )
    assert [line.strip() for line in team.read_text().splitlines() if "model_name:" in line] == [
        "- model_name: gpt-4o-mini",
        "- model_name: deepseek-v3",
    ]


def test_protected_models_are_never_removed(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        """
        model_list:
          - model_name: auto
            litellm_params:
              model: openrouter/openrouter/auto
          - model_name: mini
            litellm_params:
              model: openrouter/openai/gpt-4o-mini
              input_cost_per_token: 1.5e-07
              output_cost_per_token: 6.0e-07
              cache_read_input_token_cost: 7.5e-08
        """,
    )
    models = body("openrouter_models.json")
    models["data"] = [m for m in models["data"] if m["id"] != "openrouter/auto"]
    catalogs.serve(openrouter_models=models)
    before = config.read_text()
    run = llmsync("cleanup", "-p", "openrouter")
    assert run.exit_code == 0, run.output
    assert config.read_text() == before
    assert "kept protected openrouter/auto" in run.stderr


def test_free_twin_removed_alone_when_only_it_retires(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        """
        model_list:
          - model_name: llama
            litellm_params:
              model: openrouter/meta-llama/llama-3.3-70b-instruct
              input_cost_per_token: 1.3e-07
              output_cost_per_token: 3.9e-07
          - model_name: llama
            litellm_params:
              model: openrouter/meta-llama/llama-3.3-70b-instruct:free
              input_cost_per_token: 1.0e-09
              output_cost_per_token: 1.0e-09
          - model_name: mini
            litellm_params:
              model: openrouter/openai/gpt-4o-mini
        """,
    )
    models = body("openrouter_models.json")
    models["data"] = [m for m in models["data"] if not m["id"].endswith(":free")]
    catalogs.serve(openrouter_models=models)
    assert llmsync("cleanup", "-p", "openrouter").exit_code == 0
    text = config.read_text()
    assert ":free" not in text
    assert "model: openrouter/meta-llama/llama-3.3-70b-instruct\n" in text


@pytest.mark.parametrize(
    ("rtol", "changed"),
    [("0.3", False), ("0.2", True), ("0", True)],
)
def test_relative_tolerance(workdir, catalogs, llmsync, rtol, changed):
    config = write_config(workdir, mini_config("1.2e-07"))
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter", "--rtol", rtol).exit_code == 0
    assert ("input_cost_per_token: 1.5e-07" in config.read_text()) is changed


def test_default_tolerance_ignores_float_noise_but_rtol_zero_does_not(workdir, catalogs, llmsync):
    config = write_config(workdir, mini_config("1.5000000001e-07"))
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter").exit_code == 0
    assert "1.5000000001e-07" in config.read_text()
    assert llmsync("cleanup", "-p", "openrouter", "--rtol", "0").exit_code == 0
    assert "input_cost_per_token: 1.5e-07\n" in config.read_text()


def test_prices_shared_through_an_anchor_are_reported_not_edited(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        """
        x-prices: &mini-prices
          input_cost_per_token: 1.0e-07
          output_cost_per_token: 6.0e-07
          cache_read_input_token_cost: 7.5e-08
        model_list:
          - model_name: mini
            litellm_params:
              <<: *mini-prices
              model: openrouter/openai/gpt-4o-mini
        """,
    )
    before = config.read_text()
    catalogs.serve()
    run = llmsync("cleanup", "-p", "openrouter")
    assert run.exit_code == 0, run.output
    assert config.read_text() == before
    assert "YAML anchor" in run.stderr


def test_string_price_that_pyyaml_misreads_is_rewritten_as_a_float(workdir, catalogs, llmsync):
    config = write_config(workdir, mini_config("2e-07"))
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter").exit_code == 0
    assert "input_cost_per_token: 1.5e-07\n" in config.read_text()


def test_backup_and_file_mode(team, catalogs, llmsync):
    team.chmod(0o600)
    before = team.read_text()
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter", "--backup").exit_code == 0
    assert (team.parent / "config.yaml.bak").read_text() == before
    assert team.stat().st_mode & 0o777 == 0o600


def test_nothing_is_fetched_for_providers_without_entries(workdir, httpx_mock, llmsync):
    write_config(
        workdir,
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: madeup_ai/model-x\n",
    )
    run = llmsync("cleanup")
    assert run.exit_code == 0, run.output
    assert httpx_mock.get_requests() == []
    assert "no changes" in run.stdout


def test_a_keyed_provider_without_its_key_is_skipped_not_failed(
    workdir, httpx_mock, llmsync, monkeypatch
):
    monkeypatch.delenv("OPENAI_API_KEY")
    config = write_config(
        workdir, "model_list:\n  - model_name: a\n    litellm_params:\n      model: gpt-4o\n"
    )
    run = llmsync("cleanup", "--format", "json")
    assert run.exit_code == 0, run.output
    assert httpx_mock.get_requests() == []
    report = json.loads(run.stdout)
    (openai,) = [p for p in report["providers"] if p["name"] == "openai"]
    assert openai["status"] == "skipped" and openai["entries"] == 1
    assert openai["skipped"] == "OPENAI_API_KEY is not set: set it to check 1 entry"
    assert config.read_text().count("gpt-4o") == 1


def test_bad_input_exits_2_without_touching_the_file(workdir, llmsync):
    config = write_config(
        workdir, "model_list:\n  - model_name: a\n    litellm_params:\n    model: x\n   oops: [\n"
    )
    before = config.read_bytes()
    run = llmsync("cleanup")
    assert run.exit_code == 2
    assert (
        "config.yaml:" in run.stderr
        and "invalid YAML" in run.stderr
        and "Traceback" not in run.output
    )
    assert config.read_bytes() == before
    unknown = llmsync("cleanup", "-p", "nope")
    assert unknown.exit_code == 2 and "unknown provider 'nope'" in unknown.stderr
    missing = llmsync("cleanup", "--config", "absent.yaml")
    assert missing.exit_code == 2 and "absent.yaml: no such file" in missing.stderr
    assert llmsync("cleanup", "--rtol", "-1").exit_code == 2


def test_reports_do_not_mutate_fixture_bodies():
    # Guard for the tests above: body() returns fresh copies.
    a = body("openrouter_models.json")
    b = copy.deepcopy(a)
    a["data"].clear()
    assert body("openrouter_models.json") == b


@pytest.mark.parametrize(
    ("environment", "sent"), [(None, "Bearer from-dotenv"), ("from-env", "Bearer from-env")]
)
def test_api_keys_come_from_dotenv_and_the_environment_wins(
    workdir, httpx_mock, catalogs, llmsync, monkeypatch, environment, sent
):
    monkeypatch.setenv("NOVITA_API_KEY", "placeholder")  # so teardown restores the original state
    if environment:
        monkeypatch.setenv("NOVITA_API_KEY", environment)
    else:
        monkeypatch.delenv("NOVITA_API_KEY")
    (workdir / ".env").write_text("NOVITA_API_KEY=from-dotenv\n")
    write_config(
        workdir,
        "model_list:\n  - model_name: d\n    litellm_params:\n      model: novita/deepseek/deepseek-v3-0324\n",
    )
    catalogs.serve()
    assert llmsync("cleanup", "-p", "novita", "--dry-run").exit_code == 0
    (request,) = httpx_mock.get_requests(url="https://api.novita.ai/openai/v1/models")
    assert request.headers["Authorization"] == sent


def test_a_held_price_holds_the_models_other_prices_too(workdir, catalogs, llmsync):
    """Free -> paid is held for a person; the cache price that arrives with it must not be
    written alone (the entry would be half free, half priced)."""
    body = {
        "data": [
            {
                "id": "vendor/was-free",
                "context_length": 8192,
                "pricing": {
                    "prompt": "0.0000002",
                    "completion": "0.0000008",
                    "input_cache_read": "0.00000005",
                },
            }
        ]
    }
    catalogs.serve(openrouter_models=body)
    text = (
        "model_list:\n  - model_name: a\n    litellm_params:\n"
        "      model: openrouter/vendor/was-free\n"
        "      input_cost_per_token: 1.0e-09\n      output_cost_per_token: 1.0e-09\n"
    )
    config = write_config(workdir, text)
    run = llmsync("cleanup", "-p", "openrouter", "--format", "json")
    assert run.exit_code == 1, run.output
    data = json.loads(run.stdout)
    held = {h["field"]: h["reason"] for h in data["held_back"]}
    assert held["litellm_params.input_cost_per_token"] == "crosses zero (free ↔ paid)"
    assert held["litellm_params.cache_read_input_token_cost"] == (
        "held with input_cost_per_token: crosses zero (free ↔ paid)"
    )
    assert data["changes"]["repriced"] == []
    assert config.read_text() == text
