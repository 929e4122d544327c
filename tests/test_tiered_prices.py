"""Long-context tiers (`*_above_200k_tokens`) are written and kept true like any price, from the
listing (OpenRouter's `pricing.overrides`, real body) or the books (models.dev's
`context_over_200k`, LiteLLM's own field names in the cost map)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from conftest import write_config

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-payloads"
OPENROUTER = REAL / "openrouter__unified-llm-pricing.json"
pytestmark = pytest.mark.skipif(not OPENROUTER.is_file(), reason="../shared/real-payloads absent")

CONFIG = """\
model_list:
  - model_name: gemini-pro
    litellm_params:
      model: openrouter/google/gemini-2.5-pro
      input_cost_per_token: 1.25e-06
      output_cost_per_token: 1.0e-05
      input_cost_per_token_above_200k_tokens: 9.9e-06 # a hand-written tier, now wrong
"""


def served(catalogs, body=None):
    catalogs.serve(openrouter_models=body or json.loads(OPENROUTER.read_text()))


def test_listing_tiers_are_added_and_kept_true(workdir, catalogs, llmsync):
    served(catalogs)
    config = write_config(workdir, CONFIG)
    run = llmsync("cleanup", "-p", "openrouter", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    params = yaml.safe_load(config.read_text())["model_list"][0]["litellm_params"]
    assert params["input_cost_per_token_above_200k_tokens"] == 2.5e-06  # repriced in place
    assert params["output_cost_per_token_above_200k_tokens"] == 1.5e-05  # added beside
    assert params["cache_read_input_token_cost_above_200k_tokens"] == 2.5e-07
    text = config.read_text()
    assert (
        "      input_cost_per_token_above_200k_tokens: 2.5e-06 # a hand-written tier, now wrong\n"
        in text
    )
    rows = json.loads(run.stdout)["changes"]["repriced"]
    assert {r["source"].split()[0] for r in rows} == {"listing"}
    again = llmsync("cleanup", "-p", "openrouter", "--no-cache")
    assert "no changes" in again.stdout  # true now: nothing moves


def test_a_tier_the_listing_stopped_reporting_is_dropped(workdir, catalogs, llmsync):
    body = json.loads(OPENROUTER.read_text())
    gemini = next(m for m in body["data"] if m["id"] == "google/gemini-2.5-pro")
    flat = copy.deepcopy(body)
    next(m for m in flat["data"] if m["id"] == gemini["id"])["pricing"].pop("overrides")
    served(catalogs, flat)
    config = write_config(workdir, CONFIG)
    run = llmsync("cleanup", "-p", "openrouter", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "above_200k" not in config.read_text()
    assert "dropped" in run.stdout + run.stderr


def test_book_tiers_come_from_models_dev_context_over_200k(workdir, catalogs, llmsync):
    models_dev = REAL / "models-dev__symfony-models-dev.json"
    catalogs.serve(models_dev=json.loads(models_dev.read_text()))
    config = write_config(
        workdir,
        "model_list:\n  - model_name: g\n    litellm_params:\n      model: gemini/gemini-2.5-pro\n"
        "      input_cost_per_token: 1.25e-06\n      output_cost_per_token: 1.0e-05\n",
    )
    run = llmsync("cleanup", "-p", "gemini", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    params = yaml.safe_load(config.read_text())["model_list"][0]["litellm_params"]
    assert params["input_cost_per_token_above_200k_tokens"] == 2.5e-06
    assert params["output_cost_per_token_above_200k_tokens"] == 1.5e-05
    sources = {r["source"].split()[0] for r in json.loads(run.stdout)["changes"]["repriced"]}
    assert sources == {"models.dev"}
