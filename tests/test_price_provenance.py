"""Every price change says where it came from; where the two books disagree and the listing
does not settle it, the change is held back with both values, or --prefer decides. On real
captured bodies: DeepSeek's listing, models.dev and LiteLLM's cost map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_config

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-payloads"
BODIES = {
    "deepseek": REAL / "deepseek__nodejs-llm-function-calls.json",
    "models_dev": REAL / "models-dev__symfony-models-dev.json",
    "cost_map": REAL / "litellm-cost-map__llm-api-price.json",
    "cerebras": None,
}
pytestmark = pytest.mark.skipif(
    not all(p.is_file() for p in BODIES.values() if p), reason="../shared/real-payloads is absent"
)
CONFIG = """\
model_list:
  - model_name: deepseek
    litellm_params:
      model: deepseek/deepseek-chat
      input_cost_per_token: 5.0e-07
      output_cost_per_token: 5.0e-07
  - model_name: oss
    litellm_params:
      model: cerebras/gpt-oss-120b
      input_cost_per_token: 1.0e-06
      output_cost_per_token: 1.0e-06
"""


@pytest.fixture
def served(workdir, catalogs, monkeypatch):
    monkeypatch.setattr("llmsync.catalogues.cache._day", lambda _timestamp: "2026-12-01")
    catalogs.serve(**{k: json.loads(p.read_text()) for k, p in BODIES.items() if p})
    return write_config(workdir, CONFIG)


def test_disagreeing_books_hold_the_change_back_with_both_values(served, llmsync):
    run = llmsync("cleanup", "-p", "deepseek", "-p", "cerebras", "--format", "json", "--no-cache")
    assert run.exit_code == 1, run.output  # a person decides
    data = json.loads(run.stdout)
    held = {h["field"]: h for h in data["held_back"]}
    reason = held["litellm_params.input_cost_per_token"]["reason"]
    assert "models.dev says 0.14, LiteLLM's cost map 0.28 per 1M tokens" in reason
    assert "--prefer models.dev|costmap decides" in reason
    assert (
        "models.dev says 0.28, LiteLLM's cost map 0.42"
        in (held["litellm_params.output_cost_per_token"]["reason"])
    )
    repriced = {(r["model_name"], r["field"]): r for r in data["changes"]["repriced"]}
    # the listing's own prices are not in dispute: applied, and said to come from it
    oss = repriced[("oss", "litellm_params.input_cost_per_token")]
    assert oss["source"] == "listing 2026-12-01" and oss["new"] == 3.5e-07
    assert served.read_text().count("5.0e-07") == 2  # nothing of DeepSeek written


@pytest.mark.parametrize(
    ("prefer", "values", "source"),
    [
        ("costmap", (2.8e-07, 4.2e-07), "cost map 2026-12-01 (preferred)"),
        ("models.dev", (1.4e-07, 2.8e-07), "models.dev 2026-12-01 (preferred)"),
    ],
)
def test_prefer_decides_and_the_source_says_so(served, llmsync, prefer, values, source):
    args = ("cleanup", "-p", "deepseek", "--prefer", prefer, "--dry-run", "--no-cache")
    run = llmsync(*args, "--format", "json")
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    rows = {r["field"]: r for r in data["changes"]["repriced"]}
    assert rows["litellm_params.input_cost_per_token"]["new"] == values[0]
    assert rows["litellm_params.output_cost_per_token"]["new"] == values[1]
    assert {r["source"] for r in rows.values()} == {source}
    text = llmsync(*args)
    assert source in text.stdout  # the Repriced table's source column


def test_a_bad_prefer_is_a_usage_error(served, llmsync):
    run = llmsync("cleanup", "-p", "deepseek", "--prefer", "cheapest")
    assert run.exit_code == 2 and "--prefer must be models.dev or costmap" in run.stderr
