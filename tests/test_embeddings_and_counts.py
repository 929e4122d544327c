"""Embedding models keep honest prices, a listing that says nothing is not guessed at, and the
JSON summary counts what the table counts (on DeepInfra's real listing body)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import write_config

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-payloads"
DEEPINFRA = REAL / "deepinfra__multichat.json"


def test_a_paid_embedding_never_gets_the_free_marker(workdir, catalogs, llmsync):
    config = write_config(workdir, "model_list: []\n")
    catalogs.serve()
    run = llmsync("add-model", "-p", "openrouter", "openai/text-embedding-3-small", "--no-cache")
    assert run.exit_code == 0, run.output
    (entry,) = yaml.safe_load(config.read_text())["model_list"]
    assert entry["model_info"]["mode"] == "embedding"
    assert entry["litellm_params"]["input_cost_per_token"] == 2e-08
    assert "output_cost_per_token" not in entry["litellm_params"]  # not 1.0e-09, "free"


@pytest.mark.skipif(not DEEPINFRA.is_file(), reason="../shared/real-payloads is absent")
def test_a_listing_that_says_nothing_falls_back_to_the_books_then_to_a_person(
    workdir, catalogs, llmsync
):
    body = json.loads(DEEPINFRA.read_text())
    silent = [m["id"] for m in body["data"] if m.get("metadata") is None]
    assert "BAAI/bge-m3" in silent and "black-forest-labs/FLUX-1-dev" in silent
    book = {  # the cost map knows one of them (as an embedding); the other, nobody
        "deepinfra/BAAI/bge-m3": {
            "litellm_provider": "deepinfra",
            "mode": "embedding",
            "input_cost_per_token": 1e-08,
            "output_cost_per_token": 0.0,
            "max_input_tokens": 8192,
        }
    }
    catalogs.serve(deepinfra=body, cost_map=book)
    config = write_config(workdir, "model_list: []\n")
    run = llmsync(
        "add-model", "-p", "deepinfra", "BAAI/bge-m3", "black-forest-labs/FLUX-1-dev", "--no-cache"
    )
    assert run.exit_code == 0, run.output
    (entry,) = yaml.safe_load(config.read_text())["model_list"]
    assert entry["litellm_params"]["model"] == "deepinfra/BAAI/bge-m3"
    assert entry["model_info"]["mode"] == "embedding"
    assert entry["litellm_params"]["input_cost_per_token"] == 1e-08
    assert "output_cost_per_token" not in entry["litellm_params"]
    assert "black-forest-labs/FLUX-1-dev: its listing and the price books say nothing" in (
        run.stderr
    )


def test_the_json_summary_counts_entries_like_the_table(workdir, catalogs, llmsync):
    config = write_config(
        workdir,
        "model_list:\n"
        "  - model_name: a\n    litellm_params:\n      model: cerebras/gpt-oss-120b\n"
        "      input_cost_per_token: 1.0e-06\n      output_cost_per_token: 1.0e-06\n",
    )
    catalogs.serve()
    run = llmsync("cleanup", "-p", "cerebras", "--dry-run", "--format", "json", "--no-cache")
    summary = json.loads(run.stdout)["summary"]
    assert summary["repriced"] == 1 and summary["repriced_fields"] == 2  # one entry, two prices
    table = llmsync("cleanup", "-p", "cerebras", "--dry-run", "--no-cache").stdout
    row = next(line for line in table.splitlines() if line.startswith("│ cerebras"))
    assert [c.strip() for c in row.strip("│").split("│")][3] == "1"  # the repriced column
    assert config.read_text().count("1.0e-06") == 2
