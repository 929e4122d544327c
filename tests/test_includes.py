"""Writers follow ``include:`` like LiteLLM: entries in included files are edited in place."""

from __future__ import annotations

import httpx
import pytest
from conftest import body, write_config

ROOT = """\
include:
  - models/openrouter.yaml   # the team keeps hosted models apart
model_list:
  - model_name: deepseek-v3
    litellm_params:
      model: novita/deepseek/deepseek-v3-0324
      api_key: os.environ/NOVITA_API_KEY
      input_cost_per_token: 0.00000033
      output_cost_per_token: 0.00000114
"""
INCLUDED = """\
model_list:
  # Retired upstream.
  - model_name: claude-2
    litellm_params:
      model: openrouter/anthropic/claude-2
      input_cost_per_token: 8.0e-06
      output_cost_per_token: 2.4e-05
  - model_name: gpt-4o-mini
    litellm_params:
      model: openrouter/openai/gpt-4o-mini
      input_cost_per_token: 1.2e-07
      output_cost_per_token: 6.0e-07
      cache_read_input_token_cost: 7.5e-08
  - model_name: claude-sonnet
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5
      input_cost_per_token: 3.0e-06
      output_cost_per_token: 1.5e-05
      cache_read_input_token_cost: 3.0e-07
      cache_creation_input_token_cost: 3.75e-06
"""
INCLUDED_AFTER = INCLUDED.replace(
    """  # Retired upstream.
  - model_name: claude-2
    litellm_params:
      model: openrouter/anthropic/claude-2
      input_cost_per_token: 8.0e-06
      output_cost_per_token: 2.4e-05
""",
    "",
).replace("input_cost_per_token: 1.2e-07", "input_cost_per_token: 1.5e-07")


@pytest.fixture
def split(workdir):
    (workdir / "models").mkdir()
    write_config(workdir / "models", INCLUDED, "openrouter.yaml")
    return write_config(workdir, ROOT)


def test_cleanup_edits_entries_where_they_live(split, catalogs, llmsync):
    catalogs.serve()
    preview = llmsync("cleanup", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "--- a/models/openrouter.yaml" in preview.stdout
    assert "│ openrouter │       3 │       1 │" in preview.stdout  # seen, not "no entries"
    run = llmsync("cleanup")
    assert run.exit_code == 0, run.output
    assert (split.parent / "models" / "openrouter.yaml").read_text() == INCLUDED_AFTER
    assert split.read_text() == ROOT.replace("0.00000033", "0.00000028")
    assert "Wrote config.yaml, models/openrouter.yaml" in run.stdout


def test_add_model_sees_entries_of_included_files(split, catalogs, llmsync):
    catalogs.serve()
    run = llmsync("add-model", "-p", "openrouter", "openai/gpt-4o-mini")
    assert run.exit_code == 2
    assert "openai/gpt-4o-mini is already in the config" in run.stderr
    assert split.read_text() == ROOT


def test_an_edit_of_an_included_file_during_the_run_stops_every_write(
    split, httpx_mock, catalogs, llmsync
):
    included = split.parent / "models" / "openrouter.yaml"

    def edit_then_answer(request: httpx.Request) -> httpx.Response:
        included.write_text(INCLUDED + "# edited meanwhile\n")
        return httpx.Response(200, json=body("openrouter_models.json"))

    httpx_mock.add_callback(edit_then_answer, url="https://openrouter.ai/api/v1/models")
    catalogs.serve()
    run = llmsync("cleanup", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "models/openrouter.yaml changed on disk" in run.stderr
    assert split.read_text() == ROOT  # not even the root file's own change
    assert included.read_text() == INCLUDED + "# edited meanwhile\n"


def test_a_missing_included_file_is_exit_2(workdir, llmsync):
    config = write_config(workdir, ROOT)
    run = llmsync("cleanup", "--dry-run")
    assert run.exit_code == 2
    assert "config.yaml:2:5: included file not found: models/openrouter.yaml" in run.stderr
    assert config.read_text() == ROOT
