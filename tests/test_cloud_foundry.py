"""Azure AI Foundry (kind azure_ai) end to end: the price books, plus each serverless
endpoint's ``/info`` (report only: nothing is ever removed on it).

The endpoints are served by httpx_mock callbacks that answer 401 unless the ``Authorization``
header carries the endpoint's key; the bodies are shaped as the reference's §4 example
(tests/fixtures/cloud/foundry/INDEX.md says what each holds).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import FIXTURES, write_config

FOUNDRY = FIXTURES / "cloud" / "foundry"
INFO = "/info?api-version=2024-04-01-preview"
PHI3 = "https://phi3-mini-qzrxy.eastus2.models.ai.azure.com"  # legacy serverless
PHI4 = "https://phi4-mini-ep.eastus2.inference.ml.azure.com"  # managed compute
GONE = "https://deleted-ep.westus3.models.ai.azure.com"
RESOURCE = "https://my-foundry.services.ai.azure.com"
KEY = "fdrykey-7c1e9a3b5d7f9b1d3f5a7c9e1b3d5f7a"
OTHER_KEY = "fdrykey-OTHER-0a2c4e6f8b1d3f5a7c9e1b3d5f7a"
KEY_VARIABLES = ("AZURE_AI_API_KEY", "AZURE_AI_API_BASE", "PHI_KEY", "UNSET_KEY", "WRONG_KEY")


def fixture(name: str) -> dict:
    return json.loads((FOUNDRY / name).read_text())


@pytest.fixture
def foundry(workdir: Path, catalogs, httpx_mock, monkeypatch):
    """The shipped registry's azure_ai block; the books served; endpoint keys in variables."""
    data = yaml.safe_load((workdir / "providers.yaml").read_text())
    assert data["providers"]["azure_ai"]["kind"] == "azure_ai"
    for var in KEY_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PHI_KEY", KEY)
    monkeypatch.setenv("WRONG_KEY", OTHER_KEY)
    catalogs.serve(cost_map=fixture("cost_map.json"), models_dev={})
    return Endpoints(httpx_mock)


class Endpoints:
    def __init__(self, httpx_mock) -> None:
        self.httpx_mock = httpx_mock

    def serve(self, base: str, answer: dict | httpx.Response, key: str = KEY) -> None:
        def respond(request: httpx.Request) -> httpx.Response:
            if request.headers.get("Authorization") != f"Bearer {key}":
                return httpx.Response(401, json={"error": {"code": "401", "message": "denied"}})
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(200, json=answer)

        self.httpx_mock.add_callback(respond, url=base + INFO, is_optional=True, is_reusable=True)

    def requests(self) -> list[httpx.Request]:
        return [r for r in self.httpx_mock.get_requests() if "azure.com" in str(r.url)]


def entry(name: str, model: str, base: str | None, extra: str = "") -> str:
    text = f"  - model_name: {name}\n    litellm_params:\n      model: azure_ai/{model}\n"
    if base is not None:
        text += f"      api_base: {base}\n"
    return text + extra


KEYED = "      api_key: os.environ/PHI_KEY\n"
PRICED = "      input_cost_per_token: 1.0e-07\n      output_cost_per_token: 4.0e-07\n"
BOOKS_PRICE = "      input_cost_per_token: 7.5e-08\n      output_cost_per_token: 3.0e-07\n"


def cleanup(llmsync, *more: str):
    run = llmsync("cleanup", "-p", "azure_ai", "--no-cache", "--format", "json", *more)
    assert KEY not in run.output and OTHER_KEY not in run.output  # never a key, in any case
    return run, json.loads(run.stdout)


def ours(data: dict) -> list[str]:
    return [n for n in data["notes"] if n.startswith("azure_ai:")]


def test_a_matching_endpoint_is_checked_once_and_says_nothing(foundry, workdir, llmsync):
    text = "model_list:\n"
    text += entry("phi3", "phi3-mini", PHI3 + "/", KEYED)
    text += entry("phi3-alias", "Phi3_Mini", PHI3 + "/v1", KEYED)  # same endpoint, any spelling
    text += entry("phi4", "Phi-4-mini-instruct", PHI4, KEYED + PRICED)
    config = write_config(workdir, text)
    foundry.serve(PHI3, fixture("info.json"))
    foundry.serve(PHI4, {**fixture("info.json"), "model_name": "Phi-4-mini-instruct"})
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    # no note at all: the endpoints confirm their models (phi3-mini is not in the books and
    # is not reported missing from them either)
    assert ours(data) == [], data["notes"]
    # the books still price the entries: Phi-4-mini-instruct at 7.5e-08 / 3e-07
    assert config.read_text() == text.replace(PRICED, BOOKS_PRICE)
    asked = sorted(str(r.url) for r in foundry.requests())
    assert asked == [PHI3 + INFO, PHI4 + INFO]  # once per endpoint, at its root
    assert {r.headers["Authorization"] for r in foundry.requests()} == {f"Bearer {KEY}"}
    assert all("api-key" not in r.headers for r in foundry.requests())
    assert {p["name"]: p["status"] for p in data["providers"]} == {"azure_ai": "ok"}


def test_an_endpoint_serving_another_model_is_noted_and_kept(foundry, workdir, llmsync):
    text = "model_list:\n" + entry("phi", "Phi-4", PHI3, KEYED + PRICED)
    config = write_config(workdir, text)
    foundry.serve(PHI3, fixture("info.json"))
    run, data = cleanup(llmsync, "--dry-run")
    assert run.exit_code == 0, run.output
    notes = ours(data)
    assert len(notes) == 1, notes
    assert "phi3-mini" in notes[0] and "Phi-4" in notes[0] and PHI3 in notes[0]
    assert data["changes"]["removed"] == []
    assert config.read_text() == text
    assert len(foundry.requests()) == 1


def test_an_endpoint_answering_404_is_noted_and_kept(foundry, workdir, llmsync):
    text = "model_list:\n" + entry("gone", "Phi-4-mini-instruct", GONE, KEYED + BOOKS_PRICE)
    config = write_config(workdir, text)
    foundry.serve(GONE, httpx.Response(404, json={"error": {"code": "NotFound"}}))
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    notes = ours(data)
    assert len(notes) == 1, notes
    assert "endpoint answers 404: the deployment may be deleted" in notes[0]
    assert "gone (azure_ai/Phi-4-mini-instruct)" in notes[0]
    assert data["changes"]["removed"] == []
    assert config.read_text() == text


def test_a_refused_key_fails_the_provider_and_changes_nothing(foundry, workdir, llmsync):
    keyed = "      api_key: os.environ/WRONG_KEY\n"
    text = "model_list:\n" + entry("phi4", "Phi-4-mini-instruct", PHI4, keyed + PRICED)
    config = write_config(workdir, text)
    foundry.serve(PHI4, fixture("info.json"))  # answers 401 to any key but KEY
    run, data = cleanup(llmsync)
    assert run.exit_code == 1
    assert config.read_text() == text  # not even the books' prices
    [provider] = data["providers"]
    assert provider["status"] == "failed"
    assert "HTTP 401" in provider["error"] and "WRONG_KEY" in provider["error"]
    assert "\n" not in provider["error"]
    # the same in the text output, and still no key
    run = llmsync("cleanup", "-p", "azure_ai", "--no-cache")
    assert run.exit_code == 1
    assert "azure_ai failed:" in run.stdout and "WRONG_KEY" in run.stdout
    assert OTHER_KEY not in run.output and KEY not in run.output
    assert config.read_text() == text


def test_a_missing_key_says_what_to_set_and_the_books_still_apply(foundry, workdir, llmsync):
    text = "model_list:\n"
    text += entry("phi4", "Phi-4-mini-instruct", PHI4, "      api_key: os.environ/UNSET_KEY\n")
    text += entry("phi3", "phi3-mini", PHI3)  # no api_key, and AZURE_AI_API_KEY unset
    config = write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    [provider] = data["providers"]
    assert provider["status"] == "ok"  # the books are public: prices and dates still come
    lines = [n for n in data["notes"] if "/info was not checked" in n]
    assert len(lines) == 2, data["notes"]
    assert any("UNSET_KEY is not set: set it to check 1 entry" in n for n in lines)
    assert any("AZURE_AI_API_KEY is not set" in n for n in lines)
    assert foundry.requests() == []
    assert config.read_text() == text
    run = llmsync("cleanup", "-p", "azure_ai", "--no-cache")
    assert "its /info was not checked" in run.output and "set it to check 1 entry" in run.output


def test_the_environments_key_and_base_are_used_like_litellm(
    foundry, workdir, llmsync, monkeypatch
):
    monkeypatch.setenv("AZURE_AI_API_KEY", KEY)
    monkeypatch.setenv("AZURE_AI_API_BASE", PHI3)
    write_config(workdir, "model_list:\n" + entry("phi3", "phi3-mini", None))
    foundry.serve(PHI3, fixture("info.json"))
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    assert ours(data) == []
    [request] = foundry.requests()
    assert str(request.url) == PHI3 + INFO
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_foundry_resource_entries_get_one_note_and_no_request(foundry, workdir, llmsync):
    text = "model_list:\n"
    text += entry("phi", "Phi-4-mini-instruct", RESOURCE, KEYED + PRICED)
    text += entry("r1", "deepseek-r1", RESOURCE + "/models", KEYED)
    text += entry("mini", "Phi-4", "https://legacy.openai.azure.com")
    config = write_config(workdir, text)
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    notes = ours(data)
    assert len(notes) == 1, notes  # once per provider, not per entry
    assert "Entra login" in notes[0] and "price books alone" in notes[0]
    assert foundry.requests() == []  # no /info on a resource host
    assert config.read_text() == text.replace(PRICED, BOOKS_PRICE)  # the books apply
    assert data["changes"]["removed"] == []


def test_an_endpoint_that_does_not_answer_is_noted_and_the_books_apply(foundry, workdir, llmsync):
    text = "model_list:\n" + entry("phi4", "Phi-4-mini-instruct", PHI4, KEYED + PRICED)
    config = write_config(workdir, text)
    foundry.serve(PHI4, httpx.Response(503))
    run, data = cleanup(llmsync)
    assert run.exit_code == 0, run.output
    notes = ours(data)
    assert len(notes) == 1 and "HTTP 503" in notes[0], notes
    assert config.read_text() == text.replace(PRICED, BOOKS_PRICE)
    assert len(foundry.requests()) == 3  # the registry's retries (2 in tests)


def test_a_literal_key_is_used_and_never_shown(foundry, workdir, llmsync):
    keyed = f"      api_key: {OTHER_KEY}\n"
    text = "model_list:\n" + entry("phi3", "phi3-mini", PHI3, keyed)
    write_config(workdir, text)
    foundry.serve(PHI3, fixture("info.json"))  # wants KEY: the literal is refused
    run, data = cleanup(llmsync, "--verbose")  # asserts neither key is in the output
    assert run.exit_code == 1
    assert "api_key in the config" in data["providers"][0]["error"]
    [request] = foundry.requests()
    assert request.headers["Authorization"] == f"Bearer {OTHER_KEY}"


def test_an_answer_is_cached_and_read_offline(foundry, workdir, llmsync):
    text = "model_list:\n" + entry("phi3", "phi3-mini", PHI3, KEYED)
    write_config(workdir, text)
    foundry.serve(PHI3, fixture("info.json"))
    for more in ((), (), ("--offline",)):
        run = llmsync("cleanup", "-p", "azure_ai", "--format", "json", *more)
        assert run.exit_code == 0, run.output
        assert ours(json.loads(run.stdout)) == []
    assert len(foundry.requests()) == 1
    cached = "".join(p.read_text() for p in (workdir / ".cache").rglob("*.json"))
    assert "phi3-mini" in cached and KEY not in cached
