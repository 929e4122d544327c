"""Azure OpenAI (kind azure_openai) end to end: per-resource listings, base models, dates.

Every listing is served by httpx_mock from fixtures shaped as the reference's §3.2 (a) and (b)
(tests/fixtures/cloud/azure/INDEX.md says what each holds); a callback answers 401 unless the
``api-key`` header carries the resource's key.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import FIXTURES, write_config

AZURE = FIXTURES / "cloud" / "azure"
ONE = "https://res-one.openai.azure.com"
TWO = "https://res-two.openai.azure.com"
KEY_ONE = "azkey-ONE-5f3c9a1e7b2d4c6e8a0f1b3d5c7e9a2b"
KEY_TWO = "azkey-TWO-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
MODELS = "/openai/models?api-version=2024-10-21"
DEPLOYMENTS = "/openai/deployments?api-version=2022-12-01"


def fixture(name: str) -> dict:
    return json.loads((AZURE / name).read_text())


@pytest.fixture
def az(workdir: Path, catalogs, httpx_mock, monkeypatch):
    """The workdir's registry with the azure block; the resources' listings served; keys set."""
    path = workdir / "providers.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["providers"]["azure"]["kind"] == "azure_openai"  # the shipped registry's
    for var in ("AZURE_OPENAI_API_KEY", "AZURE_AD_TOKEN", "AZURE_API_BASE", *ENTRA):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AZURE_API_KEY", KEY_ONE)
    monkeypatch.setenv("AZURE_KEY_TWO", KEY_TWO)
    return Served(catalogs, httpx_mock)


ENTRA = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")


class Served:
    def __init__(self, catalogs, httpx_mock) -> None:
        self.catalogs, self.httpx_mock = catalogs, httpx_mock

    def serve(self, deployments_one=None, deployments_two=None, bearer: str | None = None):
        keys = {ONE: KEY_ONE, TWO: KEY_TWO}
        answers = {
            ONE + MODELS: fixture("models.json"),
            TWO + MODELS: fixture("models.json"),
            ONE + DEPLOYMENTS: deployments_one or fixture("deployments.json"),
            TWO + DEPLOYMENTS: deployments_two or fixture("deployments_two.json"),
        }

        def answer(request: httpx.Request) -> httpx.Response:
            url = str(request.url)
            base = ONE if url.startswith(ONE) else TWO
            if bearer is not None:
                allowed = request.headers.get("Authorization") == f"Bearer {bearer}"
            else:
                allowed = request.headers.get("api-key") == keys[base]
            if not allowed:
                return httpx.Response(401, json={"error": {"code": "401", "message": "denied"}})
            found = answers[url]
            if isinstance(found, httpx.Response):
                return found
            return httpx.Response(200, json=found)

        for url in answers:
            self.httpx_mock.add_callback(answer, url=url, is_optional=True, is_reusable=True)
        self.catalogs.serve(cost_map=fixture("cost_map.json"))

    def requests(self) -> list[httpx.Request]:
        return [r for r in self.httpx_mock.get_requests() if ".openai.azure.com" in str(r.url)]


def entry(name: str, deployment: str, base: str = ONE, extra: str = "") -> str:
    return (
        f"  - model_name: {name}\n"
        f"    litellm_params:\n"
        f"      model: azure/{deployment}\n"
        f"      api_base: {base}/\n"
        f"      api_version: '2024-10-21'\n"
        f"{extra}"
    )


PRICED = "      input_cost_per_token: 1.0e-06\n      output_cost_per_token: 5.0e-06\n"


def test_an_entry_is_repriced_from_its_deployments_base_model(az, workdir, llmsync):
    config = write_config(workdir, "model_list:\n" + entry("fast", "chat-prod", extra=PRICED))
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    assert run.exit_code == 0, run.output
    # chat-prod runs gpt-4o-mini-2024-07-18 (deployments listing) -> azure/gpt-4o-mini-... prices
    assert config.read_text() == "model_list:\n" + entry(
        "fast",
        "chat-prod",
        extra="      input_cost_per_token: 1.65e-07\n      output_cost_per_token: 6.6e-07\n",
    )
    urls = sorted(str(r.url) for r in az.requests())
    assert urls == [ONE + DEPLOYMENTS, ONE + MODELS]  # the resource, normalised (no "//")
    assert {r.headers["api-key"] for r in az.requests()} == {KEY_ONE}


def test_a_retiring_model_is_reported_and_written_with_lifecycle(az, workdir, llmsync):
    text = "model_list:\n" + entry(
        "old", "my-4o", extra="      base_model: azure/gpt-4o-2024-05-13\n"
    )
    text += entry("turbo", "legacy")  # via the deployments listing: retired, still listed
    config = write_config(workdir, text)
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    got = {(r["model"], r["date"]) for r in json.loads(run.stdout)["retiring"]}
    assert {d for _, d in got} == {"2026-12-10", "2025-02-13"}, got
    assert config.read_text() == text

    run = llmsync("cleanup", "-p", "azure", "--no-cache", "--lifecycle")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    assert written == text.replace(
        "      base_model: azure/gpt-4o-2024-05-13\n",
        "      base_model: azure/gpt-4o-2024-05-13\n"
        "    model_info:\n      deprecation_date: '2026-12-10'\n",
    ).replace(
        "model: azure/legacy\n      api_base: https://res-one.openai.azure.com/\n"
        "      api_version: '2024-10-21'\n",
        "model: azure/legacy\n      api_base: https://res-one.openai.azure.com/\n"
        "      api_version: '2024-10-21'\n    model_info:\n      deprecation_date: '2025-02-13'\n",
    )
    assert written.count("deprecation_date") == 2


def test_a_deployment_the_resource_no_longer_has_is_reported_never_removed(az, workdir, llmsync):
    text = "model_list:\n" + entry("fast", "chat-prod", extra=PRICED)
    text += entry("gone", "gpt-4o-mini-2024-07-18", extra=PRICED)  # a model, no such deployment
    config = write_config(workdir, text)
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache", "--force")
    assert run.exit_code == 0, run.output
    out = " ".join(run.output.split())
    assert (
        "gone (azure/gpt-4o-mini-2024-07-18): deployment gpt-4o-mini-2024-07-18 is not among "
        f"the deployments of {ONE}; kept (report only)" in out
    )
    assert "fast (azure/chat-prod): deployment" not in out
    assert "  - model_name: gone\n" in config.read_text()  # kept (and repriced by its model)
    assert config.read_text().count("input_cost_per_token: 1.65e-07") == 2


def test_without_the_deployments_listing_nothing_is_said_of_deployments(az, workdir, llmsync):
    text = "model_list:\n" + entry("gone", "gpt-4o-mini-2024-07-18", extra=PRICED)
    text += entry("fast", "chat-prod", extra=PRICED)
    config = write_config(workdir, text)
    az.serve(deployments_one=httpx.Response(404, json={"error": {"code": "404"}}))
    run = llmsync("cleanup", "-p", "azure", "--no-cache", "--force")
    assert run.exit_code == 0, run.output
    assert "deployments of" not in run.output
    # chat-prod is neither a model nor mapped now: kept, said to be unchecked, not repriced
    assert "chat-prod is not in its listing" in " ".join(run.output.split())
    new = config.read_text()
    assert new.count("input_cost_per_token: 1.65e-07") == 1
    assert new.count("input_cost_per_token: 1.0e-06") == 1


def test_base_model_wins_over_the_deployments_listing_and_versions_are_joined(az, workdir, llmsync):
    text = "model_list:\n"
    # the listing says chat-prod runs gpt-4o-mini; model_info.base_model says gpt-4o-2024-08-06
    text += entry(
        "explicit",
        "chat-prod",
        extra=PRICED + "    model_info:\n      base_model: azure/eu/gpt-4o-2024-08-06\n",
    )
    text += entry("listed", "chat-prod", extra=PRICED)  # no base_model: the listing
    text += entry("ada", "embed")  # text-embedding-ada-002 -> text-embedding-ada-002-2
    # gpt-4o: three versions, three dates -> no date, a note; priced as azure/gpt-4o
    text += entry("bare", "my-4o", extra="      base_model: gpt-4o\n" + PRICED)
    text += entry("preview", "p", extra="      base_model: gpt-4-0125-preview\n")  # any case
    config = write_config(workdir, text)
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    dates = {r["model_name"]: r["date"] for r in report["retiring"]}
    assert dates == {
        "explicit": "2027-03-31",  # gpt-4o-2024-08-06, not the listing's gpt-4o-mini
        "listed": "2027-06-30",  # gpt-4o-mini-2024-07-18
        "ada": "2027-06-30",  # text-embedding-ada-002-2
        "preview": "2026-10-15",  # gpt-4-0125-Preview
    }  # "bare" (gpt-4o in 3 versions, 3 dates): no date rather than a wrong one
    notes = json.dumps(report)
    assert "gpt-4o is listed in 3 versions that retire on different dates" in notes

    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    new = config.read_text()
    explicit, listed, _, bare, _ = new.split("  - model_name: ")[1:]
    assert "input_cost_per_token: 2.5e-06" in explicit  # azure/gpt-4o-2024-08-06
    assert "input_cost_per_token: 1.65e-07" in listed  # azure/gpt-4o-mini-2024-07-18
    assert "input_cost_per_token: 2.5e-06" in bare  # azure/gpt-4o, no date
    assert "deprecation_date" not in new


def test_two_resources_are_two_listings_each_with_its_key(az, workdir, llmsync):
    text = "model_list:\n" + entry("one", "chat-prod", extra=PRICED)
    text += entry(
        "two", "chat-prod", base=TWO, extra=PRICED + "      api_key: os.environ/AZURE_KEY_TWO\n"
    )
    config = write_config(workdir, text)
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    assert run.exit_code == 0, run.output
    sent = sorted((str(r.url), r.headers["api-key"]) for r in az.requests())
    assert sent == sorted(
        [
            (ONE + MODELS, KEY_ONE),
            (ONE + DEPLOYMENTS, KEY_ONE),
            (TWO + MODELS, KEY_TWO),
            (TWO + DEPLOYMENTS, KEY_TWO),
        ]
    )
    one, two = config.read_text().split("  - model_name: ")[1:]
    assert "input_cost_per_token: 1.65e-07" in one  # chat-prod is gpt-4o-mini on res-one
    assert "input_cost_per_token: 2.5e-06" in two  # and gpt-4o-2024-08-06 on res-two


def test_missing_credentials_skip_with_one_line(az, workdir, llmsync, monkeypatch):
    monkeypatch.delenv("AZURE_API_KEY")
    text = "model_list:\n" + entry("a", "chat-prod", extra=PRICED) + entry("b", "legacy")
    text += (
        "  - model_name: c\n    litellm_params:\n      model: azure/chat-prod\n"
        "      api_key: os.environ/AZURE_KEY_TWO\n"
    )
    config = write_config(workdir, text)
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    assert run.exit_code == 0, run.output
    out = " ".join(run.output.split())
    # Two jobs skipped: the provider's line says both
    assert "azure skipped: " in out and "AZURE_API_BASE is not set: set it to check 1 entry" in out
    assert f"no Azure key for {ONE}" in out and "(2 entries wait for it)" in out
    assert "failed" not in out
    assert az.requests() == []
    assert config.read_text() == text

    for only in ("no api_base", "no key"):  # each skip line, alone
        single = text.split("  - model_name: ")
        body = "model_list:\n  - model_name: " + (single[3] if only == "no api_base" else single[1])
        write_config(workdir, body)
        run = llmsync("cleanup", "-p", "azure", "--no-cache")
        assert run.exit_code == 0, run.output
        line = " ".join(run.output.split())
        if only == "no api_base":
            assert "azure skipped: AZURE_API_BASE is not set: set it to check 1 entry" in line
        else:
            assert (
                f"azure skipped: no Azure key for {ONE}: set AZURE_API_KEY or "
                "AZURE_OPENAI_API_KEY, or azure_ad_token (AZURE_AD_TOKEN) (1 entry waits for it)"
                in line
            )
    assert az.requests() == []


def test_a_refused_key_fails_the_provider_and_changes_nothing(az, workdir, llmsync, monkeypatch):
    monkeypatch.setenv("AZURE_API_KEY", "azkey-WRONG-00000000000000000000000000")
    text = "model_list:\n" + entry("fast", "chat-prod", extra=PRICED)
    config = write_config(workdir, text)
    az.serve()
    run = llmsync("cleanup", "-p", "azure", "--no-cache", "--force")
    assert run.exit_code == 1, run.output
    assert (
        f"azure failed: {ONE}{MODELS}: HTTP 401 (is AZURE_API_KEY a valid credential for {ONE}?)"
        in " ".join(run.output.split())
    )
    assert config.read_text() == text


def test_no_key_value_reaches_any_output(az, workdir, llmsync, monkeypatch):
    text = "model_list:\n" + entry("fast", "chat-prod", extra=PRICED)
    text += entry("gone", "no-such-deployment", extra=PRICED)
    text += entry(
        "two", "chat-prod", base=TWO, extra=PRICED + "      api_key: os.environ/AZURE_KEY_TWO\n"
    )
    config = write_config(workdir, text)
    az.serve()
    report = workdir / "report.md"
    run1 = llmsync("cleanup", "-p", "azure", "--dry-run", "--format", "json")
    run2 = llmsync("cleanup", "-p", "azure", "--report", str(report), "--lifecycle")
    monkeypatch.setenv("AZURE_KEY_TWO", "azkey-WRONG-TWO-000000000000000000000")
    run3 = llmsync("cleanup", "-p", "azure", "--no-cache")  # a 401: the error message
    assert run3.exit_code == 1 and "HTTP 401" in run3.stdout
    cache = workdir / ".cache"
    cached = [p.read_text() for p in cache.rglob("*") if p.is_file()]
    assert len(cached) >= 4  # both resources' listings were cached
    everything = [run1.output, run2.output, run3.output, report.read_text(), *cached]
    everything.append(config.read_text())
    for text_out in everything:
        assert KEY_ONE not in text_out and KEY_TWO not in text_out
        assert "azkey-" not in text_out


def test_a_static_ad_token_is_sent_as_bearer(az, workdir, llmsync, monkeypatch):
    monkeypatch.delenv("AZURE_API_KEY")
    monkeypatch.setenv("AZURE_AD_TOKEN", "eyJ0eXAiOiJKV1QiLCJhbGciOi.token.value")
    config = write_config(workdir, "model_list:\n" + entry("fast", "chat-prod", extra=PRICED))
    az.serve(bearer="eyJ0eXAiOiJKV1QiLCJhbGciOi.token.value")
    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "input_cost_per_token: 1.65e-07" in config.read_text()
    assert all("api-key" not in r.headers for r in az.requests())


def test_entra_client_credentials_need_azure_identity(az, workdir, llmsync, monkeypatch):
    monkeypatch.delenv("AZURE_API_KEY")
    for var in ENTRA:
        monkeypatch.setenv(var, f"entra-{var.lower()}")
    text = "model_list:\n" + entry("fast", "chat-prod", extra=PRICED)
    config = write_config(workdir, text)
    az.serve(bearer="entra-issued-token")
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # not installed
    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "azure skipped: azure-identity is not installed: pip install 'llmsync-cli[cloud]'" in (
        " ".join(run.output.split())
    )
    assert az.requests() == [] and config.read_text() == text

    monkeypatch.delitem(sys.modules, "azure.identity")
    import azure.identity

    asked = []

    class Fake:
        def __init__(self, tenant, client, secret):
            asked.append((tenant, client, secret))

        def get_token(self, scope):
            asked.append(scope)
            return type("T", (), {"token": "entra-issued-token"})()

    monkeypatch.setattr(azure.identity, "ClientSecretCredential", Fake)
    run = llmsync("cleanup", "-p", "azure", "--no-cache")
    assert run.exit_code == 0, run.output
    assert asked == [
        ("entra-azure_tenant_id", "entra-azure_client_id", "entra-azure_client_secret"),
        "https://cognitiveservices.azure.com/.default",
    ]
    assert "input_cost_per_token: 1.65e-07" in config.read_text()


def test_azure_ai_entries_are_not_claimed(az, workdir):
    from llmsync.registry import Registry

    registry = Registry.load(workdir / "providers.yaml")
    azure_provider = registry.providers["azure"]
    assert azure_provider.recognise("azure/chat-prod", None) == "chat-prod"
    assert azure_provider.recognise("azure_ai/gpt-4o", "https://x.services.ai.azure.com") is None
    owner = registry.owner("azure_ai/gpt-4o", None)
    assert owner is None or owner[0] != "azure"


def test_importing_the_provider_does_not_load_azure_identity():
    code = (
        "import sys\n"
        "from llmsync.catalogues.cloud.azure import AzureOpenAI\n"
        "from llmsync.registry import Registry\n"
        "assert AzureOpenAI.fetches_itself\n"
        "assert 'azure.identity' not in sys.modules and 'azure' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith('azure'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_commands_without_an_entry_skip_it_and_ask_nothing(az, workdir, llmsync):
    write_config(workdir, "model_list:\n" + entry("fast", "chat-prod", extra=PRICED))
    az.serve()
    run = llmsync("validate", "--online", "--no-cache")
    assert run.exit_code == 0, run.output
    run = llmsync("find", "gpt-4o", "-p", "azure", "--no-cache", "--verbose")
    assert "only cleanup checks it" in " ".join(run.output.split())
    assert az.requests() == []
