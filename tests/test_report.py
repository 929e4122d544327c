"""Reports for the weekly pull request: golden Markdown and JSON, identical on identical data."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest
from conftest import write_config
from test_validate import check_golden

CONFIG = """\
model_list:
  - model_name: claude-2
    litellm_params:
      model: openrouter/anthropic/claude-2
      input_cost_per_token: 8.0e-06
      output_cost_per_token: 2.4e-05
  - model_name: deepseek-v3
    litellm_params:
      model: novita/deepseek/deepseek-v3-0324
      input_cost_per_token: 2.0e-08
      output_cost_per_token: 1.14e-06
  - model_name: free-llama
    litellm_params:
      model: openrouter/meta-llama/llama-3.3-70b-instruct
      input_cost_per_token: 1.0e-09
      output_cost_per_token: 1.0e-09
  - model_name: gpt-4o-mini
    litellm_params:
      model: openrouter/openai/gpt-4o-mini
      input_cost_per_token: 1.2e-07
      output_cost_per_token: 6.0e-07
      cache_read_input_token_cost: 7.5e-08
  - model_name: poe-claude
    litellm_params:
      model: poe/claude-sonnet-4.5
"""


@pytest.fixture(autouse=True)
def fetched_on_a_fixed_day(monkeypatch):
    """Reports name the date each catalogue was fetched: fixed here, so goldens stay true."""
    monkeypatch.setattr("llmsync.catalogues.cache._day", lambda _timestamp: "2026-12-01")


def scenario(workdir, catalogs, llmsync, *args):
    registry = (workdir / "providers.yaml").read_text()
    registry = registry.replace(
        "      include: []        # e.g.", "      include: [deepseek/*]  # e.g.", 1
    )
    (workdir / "providers.yaml").write_text(registry)
    write_config(workdir, CONFIG)
    catalogs.serve(poe=httpx.Response(503))
    return llmsync("cleanup", "--report", "report.md", *args)


def test_weekly_report_golden_and_stable(workdir, catalogs, llmsync):
    run = scenario(workdir, catalogs, llmsync, "--add-new", "--format", "json")
    assert run.exit_code == 1  # held back + a failed provider: a person decides
    data = json.loads(run.stdout)
    assert data["summary"] == {
        "added": 1,
        "repriced": 1,
        "repriced_fields": 1,
        "removed": 1,
        "held_back": 3,
        "failed_providers": 1,
    }
    assert {h["reason"] for h in data["held_back"]} == {
        "moves by more than 10x",
        "crosses zero (free ↔ paid)",
    }
    markdown = (workdir / "report.md").read_text()
    check_golden("report", "weekly.md", markdown)
    check_golden("report", "weekly.json", run.stdout)

    shutil.copy(workdir / "report.md", workdir / "first.md")
    again = scenario(workdir, catalogs, llmsync, "--add-new", "--format", "json")
    assert again.stdout == run.stdout
    assert (workdir / "report.md").read_text() == (workdir / "first.md").read_text()


def test_held_back_changes_are_not_written(workdir, catalogs, llmsync):
    run = scenario(workdir, catalogs, llmsync)
    assert run.exit_code == 1
    text = (workdir / "config.yaml").read_text()
    assert "input_cost_per_token: 2.0e-08" in text  # 14x move held
    assert (
        "model: openrouter/meta-llama/llama-3.3-70b-instruct\n      input_cost_per_token: 1.0e-09"
        in text
    )  # free -> paid held
    assert "input_cost_per_token: 1.5e-07" in text  # an ordinary repricing applied
    assert "held     deepseek-v3 (novita/deepseek/deepseek-v3-0324)" in run.stdout
    assert llmsync("cleanup", "--max-price-factor", "20", "-p", "novita").exit_code == 0
    assert "input_cost_per_token: 2.8e-07" in (workdir / "config.yaml").read_text()
