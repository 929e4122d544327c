"""Whole listings or none: a listing that says there is more is read to the end, or its
provider fails and removes nothing. Served from OpenRouter's real captured body
(../shared/real-payloads/openrouter__unified-llm-pricing.json: 414 models, ``total_count``,
``links.next``), split into pages the way its ``links`` envelope allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_config

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-payloads"
BODY = REAL / "openrouter__unified-llm-pricing.json"
URL = "https://openrouter.ai/api/v1/models"
pytestmark = pytest.mark.skipif(not BODY.is_file(), reason=f"{BODY} is not beside this checkout")


def pages(size: int = 150) -> list[dict]:
    real = json.loads(BODY.read_text())
    models = real["data"]
    chunks = [models[i : i + size] for i in range(0, len(models), size)]
    out = []
    for n, chunk in enumerate(chunks, 1):
        following = f"/api/v1/models?page={n + 1}" if n < len(chunks) else None
        out.append(
            {"data": chunk, "total_count": real["total_count"], "links": {"next": following}}
        )
    return out


def config_for(models: list[dict]) -> str:
    """One entry for the first model of page 1 and the last model of the last page, priced as
    the listing says (so nothing is repriced), plus one retired model."""
    first, last = models[0], models[-1]
    lines = ["model_list:"]
    for n, model in enumerate((first, last)):
        lines += [
            f"  - model_name: m{n}",
            "    litellm_params:",
            f"      model: openrouter/{model['id']}",
        ]
    lines += [
        "  - model_name: retired",
        "    litellm_params:",
        "      model: openrouter/vendor/retired-model-0",
    ]
    return "\n".join(lines) + "\n"


def test_every_page_is_read_and_a_model_on_a_later_page_stays(
    workdir, catalogs, httpx_mock, llmsync
):
    served = pages()
    assert len(served) == 3
    catalogs.serve(openrouter_models=served[0])
    for n, body in enumerate(served[1:], 2):
        httpx_mock.add_response(url=f"{URL}?page={n}", json=body)
    write_config(workdir, config_for([served[0]["data"][0], served[-1]["data"][-1]]))
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run", "--format", "json")
    data = json.loads(run.stdout)
    removed = [c["model"] for c in data["changes"]["removed"]]
    assert removed == ["openrouter/vendor/retired-model-0"]  # the later page's model stays
    asked = [
        str(r.url) for r in httpx_mock.get_requests() if "openrouter.ai/api/v1/models" in str(r.url)
    ]
    assert asked == [URL, f"{URL}?page=2", f"{URL}?page=3"]
    assert data["providers"][0]["status"] == "ok"


def test_a_listing_that_stops_short_of_its_total_removes_nothing(workdir, catalogs, llmsync):
    first = pages()[0]
    first["links"]["next"] = None  # says 414 models, gives 150 and no way on
    catalogs.serve(openrouter_models=first)
    write_config(workdir, config_for([first["data"][0], {"id": "openai/gpt-4"}]))
    before = (workdir / "config.yaml").read_text()
    run = llmsync("cleanup", "-p", "openrouter")
    assert run.exit_code == 1, run.output
    assert "the listing says it has 414 models and 150 were read" in run.stdout
    assert (workdir / "config.yaml").read_text() == before


def test_has_more_on_an_unpaged_listing_fails_the_provider(workdir, catalogs, llmsync):
    body = pages(size=500)[0]
    body.pop("total_count")
    body["has_more"] = True
    catalogs.serve(openrouter_models=body)
    write_config(workdir, config_for([body["data"][0], body["data"][-1]]))
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 1
    assert "the listing says there is more (has_more)" in run.stdout
    assert "-  - model_name: retired" not in run.stdout  # a failed provider removes nothing
