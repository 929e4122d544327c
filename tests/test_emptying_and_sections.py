"""Edits at the edges of a file: removing the last entry, a new router_settings section.

``model_list:`` with nothing under it loads as null (LiteLLM refuses it): removing the only entry
was exit 3 "did not verify". A new router_settings section written at the end of a file whose
model_list is last landed above the new entries (generate exit 3 on real configs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import CORPUS, write_config
from test_generate import REGISTRY, ROUTES, serve_sources

ONLY = """\
model_list:  # one model for now
  # the only one
  - model_name: a
    litellm_params:
      model: openrouter/vendor/retired-model

litellm_settings:
  drop_params: true
"""


@pytest.fixture
def lab(workdir, monkeypatch):
    """generate's sources (see test_generate) with routes declared."""
    monkeypatch.setenv("UPSTREAM_KEY", "k-upstream")
    routes = ROUTES.replace("openrouter-llama-3.3-70b", "qwen3-8b")
    (workdir / "providers.yaml").write_text(REGISTRY + routes)
    return workdir / "config.yaml"


def test_removing_the_only_entry_writes_an_empty_list(workdir, llmsync):
    config = write_config(workdir, ONLY)
    run = llmsync("remove-model", "a")
    assert run.exit_code == 0, run.output
    assert config.read_text() == (
        "model_list: []  # one model for now\n\nlitellm_settings:\n  drop_params: true\n"
    )
    assert yaml.safe_load(config.read_text())["model_list"] == []


def test_removing_every_entry_of_an_indentless_list(workdir, llmsync):
    config = write_config(
        workdir,
        "model_list:\n- model_name: a\n  litellm_params: {model: openai/gpt-4o}\n"
        "- model_name: b\n  litellm_params: {model: openai/gpt-4o-mini}\n",
    )
    preview = llmsync("remove-model", "a", "b", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "+model_list: []\n" in preview.stdout
    assert llmsync("remove-model", "a", "b").exit_code == 0
    assert config.read_text() == "model_list: []\n"


def test_cleanup_force_removing_the_only_entry(workdir, catalogs, llmsync):
    config = write_config(workdir, ONLY)
    catalogs.serve()
    held = llmsync("cleanup", "-p", "openrouter")
    assert held.exit_code == 1 and config.read_text() == ONLY  # the mass-removal guard
    run = llmsync("cleanup", "-p", "openrouter", "--force")
    assert run.exit_code == 0, run.output
    assert config.read_text().startswith("model_list: []  # one model for now\n")


def test_generate_on_a_config_whose_model_list_is_last(lab, httpx_mock, llmsync):
    lab.write_text(
        "model_list:\n  - model_name: hand\n    litellm_params:\n      model: openai/gpt-4o\n"
    )
    serve_sources(httpx_mock)
    run = llmsync("generate")
    assert run.exit_code == 0, run.output
    text = lab.read_text()
    data = yaml.safe_load(text)
    assert text.index("router_settings:") > text.rindex("model_name:")
    assert data["router_settings"]["model_group_alias"] == {"fast": "qwen3-8b"}
    assert {"qwen3-8b", "hand"} <= {e["model_name"] for e in data["model_list"]}


def corpus_without_router_settings() -> list[Path]:
    found = sorted(CORPUS.glob("*.yaml")) + sorted(
        (CORPUS.parent / "corpus2-public").glob("*.yaml")
    )
    return [p for p in found if "router_settings" not in (yaml.safe_load(p.read_text()) or {})]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("path", corpus_without_router_settings(), ids=lambda p: p.name)
def test_generate_with_routes_on_real_configs_without_router_settings(
    path, lab, httpx_mock, llmsync
):
    """A dry run (some of these real files hold errors of their own, which the oracle of a
    real write would flag): the edit must verify (exit 0), only add lines, and put the new
    section after every entry."""
    lab.write_text(path.read_text())
    serve_sources(httpx_mock)
    run = llmsync("generate", "--dry-run")
    assert run.exit_code == 0, run.output
    diff = run.stdout[: run.stdout.index("\nadded")]
    changed = [line for line in diff.splitlines()[2:] if line[:1] in "+-"]
    added = [line[1:] for line in changed if line[0] == "+"]
    removed = [line[1:] for line in changed if line[0] == "-"]
    # hand-written text stays: a last line without a newline is the only one re-written
    assert all(line in added for line in removed) and len(removed) <= 1
    assert "router_settings:" in added
    assert added.index("router_settings:") > max(
        i for i, line in enumerate(added) if line.lstrip().startswith("- model_name:")
    )
