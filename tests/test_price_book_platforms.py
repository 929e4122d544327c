"""Vertex AI (without a Google login) and Azure AI Foundry, checked against the price books alone:
prices, limits and retirement dates from the real models.dev and LiteLLM cost-map bodies
(../shared/real-payloads); nothing is ever removed, and what could not be checked is said."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_config

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-payloads"
COST_MAP = REAL / "litellm-cost-map__llm-api-price.json"
MODELS_DEV = REAL / "models-dev__symfony-models-dev.json"
pytestmark = pytest.mark.skipif(
    not COST_MAP.is_file() or not MODELS_DEV.is_file(), reason="../shared/real-payloads is absent"
)

CONFIG = """\
model_list:
  - model_name: gemini-pro
    litellm_params:
      model: vertex_ai/gemini-2.5-pro
      vertex_project: os.environ/GOOGLE_CLOUD_PROJECT
      input_cost_per_token: 1.0e-06
      output_cost_per_token: 1.0e-05
  - model_name: old-flash
    litellm_params:
      model: vertex_ai/gemini-2.0-flash
  - model_name: someday
    litellm_params:
      model: vertex_ai/gemini-9-ultra-preview
  - model_name: phi
    litellm_params:
      model: azure_ai/Phi-4-mini-instruct
      api_base: https://example-resource.services.ai.azure.com
      input_cost_per_token: 7.5e-08
      output_cost_per_token: 3.0e-07
"""


@pytest.fixture(autouse=True)
def no_google_login(tmp_path, monkeypatch):
    """Vertex AI's live check needs Google credentials: none here (no ADC file, an empty
    gcloud folder, no metadata server), so it is checked against the books alone."""
    import llmsync.catalogues.cloud.google_auth as google_auth

    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_CREDENTIALS", "VERTEXAI_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "gcloud").mkdir(exist_ok=True)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    monkeypatch.setattr(google_auth, "_on_google_cloud", lambda: False)


@pytest.fixture
def books(workdir, catalogs):
    catalogs.serve(
        cost_map=json.loads(COST_MAP.read_text()), models_dev=json.loads(MODELS_DEV.read_text())
    )
    return write_config(workdir, CONFIG)


def test_prices_and_dates_come_from_the_books_and_nothing_is_removed(books, llmsync):
    run = llmsync("cleanup", "-p", "vertex_ai", "-p", "azure_ai", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    repriced = {(c["model_name"], c["field"]): c["new"] for c in data["changes"]["repriced"]}
    # gemini-2.5-pro: models.dev google-vertex says 1.25 per 1M input (the entry had 1.0)
    assert repriced[("gemini-pro", "litellm_params.input_cost_per_token")] == 1.25e-06
    assert ("phi", "litellm_params.input_cost_per_token") not in repriced  # already true
    assert data["changes"]["removed"] == []  # the books are not a listing: nothing goes
    retiring = {r["model"]: r["date"] for r in data["retiring"]}
    assert retiring == {"vertex_ai/gemini-2.0-flash": "2026-06-01"}
    assert any(
        "gemini-9-ultra-preview is not in its listing (price books only" in n for n in data["notes"]
    )
    # Vertex AI's live listing needs a Google login: one line says it was not checked
    lines = [n for n in data["notes"] if "live model listing was not checked" in n]
    assert len(lines) == 1 and lines[0].startswith("vertex_ai:"), data["notes"]
    providers = {p["name"]: p for p in data["providers"]}
    assert providers["vertex_ai"]["entries"] == 3 and providers["azure_ai"]["entries"] == 1


def test_lifecycle_writes_the_books_date(books, llmsync):
    run = llmsync("cleanup", "-p", "vertex_ai", "--lifecycle")
    assert run.exit_code == 0, run.output
    text = books.read_text()
    assert (
        "      model: vertex_ai/gemini-2.0-flash\n    model_info:\n      deprecation_date: '2026-06-01'\n"
        in text
        or (
            "      model: vertex_ai/gemini-2.0-flash\n    model_info:\n      deprecation_date: 2026-06-01\n"
            in text
        )
    )


def test_books_that_cannot_be_read_fail_the_platform_and_change_nothing(workdir, catalogs, llmsync):
    import httpx

    catalogs.serve(cost_map=httpx.Response(500), models_dev=httpx.Response(500))
    config = write_config(workdir, CONFIG)
    run = llmsync("cleanup", "-p", "vertex_ai")
    assert run.exit_code == 1
    assert (
        "vertex_ai failed: the price books (models.dev, LiteLLM's cost map) could not be read"
        in run.stdout
    )
    assert config.read_text() == CONFIG


def test_no_cloud_sdk_is_imported_by_loading_the_registry(tmp_path):
    code = (
        "import sys; from llmsync.registry import Registry; Registry.load(None); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'google', 'azure')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


SUBSCRIPTIONS = """\
model_list:
  - model_name: copilot-sonnet
    litellm_params:
      model: github_copilot/claude-sonnet-4.5
  - model_name: copilot-gone
    litellm_params:
      model: github_copilot/gpt-3-turbo-legacy
  - model_name: codex
    litellm_params:
      model: chatgpt/gpt-5.3-codex
  - model_name: codex-old
    litellm_params:
      model: chatgpt/gpt-4-codex-preview
"""


def test_subscription_logins_are_checked_against_the_books_and_never_removed(
    workdir, catalogs, llmsync
):
    """GitHub Copilot and ChatGPT (LiteLLM's own OAuth logins): the books name their models; an
    id the books lack is reported, not removed, and no request is sent to either service."""
    catalogs.serve(
        cost_map=json.loads(COST_MAP.read_text()), models_dev=json.loads(MODELS_DEV.read_text())
    )
    config = write_config(workdir, SUBSCRIPTIONS)
    run = llmsync("cleanup", "--format", "json", "--no-cache")
    assert run.exit_code == 0, run.output
    assert config.read_text() == SUBSCRIPTIONS
    data = json.loads(run.stdout)
    providers = {p["name"]: p for p in data["providers"]}
    assert providers["github_copilot"]["entries"] == 2 and providers["chatgpt"]["entries"] == 2
    assert providers["github_copilot"]["status"] == providers["chatgpt"]["status"] == "ok"
    missing = sorted(n for n in data["notes"] if "is not in its listing (price books only" in n)
    assert len(missing) == 2, data["notes"]
    assert "gpt-3-turbo-legacy" in missing[1] and "gpt-4-codex-preview" in missing[0]
    asked = {r.url.host for r in catalogs.httpx_mock.get_requests()}
    assert asked == {"models.dev", "raw.githubusercontent.com"}  # the books, nothing else
