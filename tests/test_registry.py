"""providers.yaml: the shipped registry, user registries, and a provider added with YAML only."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from conftest import write_config
from fixtures.endpoints import DIRECT, ENDPOINTS

from llmsync.errors import RegistryError
from llmsync.registry import Registry

ROOT = Path(__file__).resolve().parents[1]


def test_top_level_registry_is_the_shipped_one():
    shipped = resources.files("llmsync").joinpath("data", "providers.yaml").read_text("utf-8")
    assert (ROOT / "providers.yaml").read_text() == shipped


def test_every_catalogue_url_has_a_recorded_fixture():
    registry = Registry.load(None)
    # Platforms that fetch themselves template their URLs per region / resource: their own
    # tests serve them (tests/test_cloud_*.py, tests/test_price_book_platforms.py).
    listed = [p for p in registry.providers.values() if not p.fetches_itself]
    urls = {s.url for p in listed for s in p.sources()}
    assert urls == set(ENDPOINTS) | set(DIRECT)
    assert list(registry.providers)[:7] == [
        "openrouter",
        "requesty",
        "novita",
        "nano_gpt",
        "vercel",
        "poe",
        "nvidia",
    ]
    # direct providers carry LiteLLM's own provider names
    litellm = {
        line.strip()
        for line in (ROOT / "llmsync" / "data" / "litellm_providers.txt").read_text().splitlines()
    }
    gateways = {"kilo", "opencode_go", "opencode_zen", "ollama_cloud"}  # reached via openai/
    assert set(list(registry.providers)[7:]) - gateways <= litellm


ACME = """\
defaults:
  retries: 0
providers:
  acme:
    kind: models_list
    catalogs:
      - url: https://models.acme.example/catalog
    list_key: models
    id_key: slug
    api_key_env: ACME_KEY
    auth_header: X-Api-Key
    auth_scheme: ""
    match:
      - prefix: openai/
        api_base: acme.example
    prices:
      fields:
        input_cost_per_token: cost.in_per_1k
        output_cost_per_token: cost.out_per_1k
      scale: 0.001
    limits:
      max_input_tokens: window
    protected: [acme/router]
"""


def test_a_new_provider_needs_only_yaml(workdir, httpx_mock, llmsync, monkeypatch):
    (workdir / "acme.yaml").write_text(ACME)
    monkeypatch.setenv("ACME_KEY", "k-123")
    config = write_config(
        workdir,
        """
        model_list:
          - model_name: big
            litellm_params:
              model: openai/acme/big
              api_base: https://api.acme.example/v1
              input_cost_per_token: 1.0e-06
              output_cost_per_token: 2.0e-06
            model_info:
              max_input_tokens: 4096
          - model_name: gone
            litellm_params:
              model: openai/acme/old
              api_base: https://api.acme.example/v1
          - model_name: router
            litellm_params:
              model: openai/acme/router
              api_base: https://api.acme.example/v1
          - model_name: elsewhere
            litellm_params:
              model: openai/acme/old
              api_base: https://api.openai.com/v1
        """,
    )
    httpx_mock.add_response(
        url="https://models.acme.example/catalog",
        match_headers={"X-Api-Key": "k-123"},
        json={
            "models": [
                {
                    "slug": "acme/big",
                    "cost": {"in_per_1k": "0.0012", "out_per_1k": 0.002},
                    "window": 8192,
                },
                {"slug": "acme/small", "cost": {}},
            ]
        },
    )
    run = llmsync("cleanup", "--providers", "acme.yaml", "-p", "acme")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert "input_cost_per_token: 1.2e-06\n" in text and "output_cost_per_token: 2.0e-06\n" in text
    assert "max_input_tokens: 8192\n" in text
    assert "model_name: gone" not in text
    assert "model_name: router" in text  # protected
    assert "model_name: elsewhere" in text  # another api_base: not acme's


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "providers:\n  x:\n    kind: magic\n    catalogs: [{url: u}]\n    match: [{prefix: x/}]\n",
            "unknown kind 'magic'",
        ),
        ("providers:\n  x:\n    catalogs: []\n    match: [{prefix: x/}]\n", "providers.x.catalogs"),
        (
            "providers:\n  x:\n    catalogs: [{url: u}]\n    match: [{prefix: x/}]\n    typo: 1\n",
            "providers.x.typo",
        ),
        ("providers: [\n", "invalid YAML"),
        ("defualts: {}\n", "defualts: Extra inputs are not permitted"),
        (
            "sources:\n  a: {$extend: b, type: ollama, base_url: u}\n  b: {$extend: a}\n",
            r"\$extend cycle: a -> b -> a",
        ),
        ("sources:\n  a: {$extend: nope}\n", "unknown source 'nope'"),
        ("sources:\n  a: {type: lmstudio, base_url: u}\n", "sources.a.type"),
    ],
)
def test_bad_registries_are_one_line_errors(text, message):
    with pytest.raises(RegistryError, match=message):
        Registry.from_text(text, "p.yaml")


def test_bad_registry_on_the_command_line_exits_2(workdir, llmsync):
    (workdir / "providers.yaml").write_text(
        "providers:\n  x:\n    catalogs: [{url: u}]\n    match: [{prefix: x/}]\n    typo: 1\n"
    )
    write_config(workdir, "model_list: []\n")
    run = llmsync("cleanup")
    assert run.exit_code == 2
    assert "providers.yaml: providers.x.typo" in run.stderr


def test_sources_extend_and_local_overrides(tmp_path):
    (tmp_path / "providers.yaml").write_text(
        "sources:\n"
        "  gpu-box:\n    type: ollama\n    base_url: http://gpu-box:11434\n    include: ['qwen3*']\n"
        "  team-gateway:\n    $extend: gpu-box\n    base_url: http://10.0.0.9:11434\n"
        "routes:\n  aliases: {fast: qwen3-8b}\n"
    )
    (tmp_path / "providers.local.yaml").write_text(
        "sources:\n  gpu-box:\n    base_url: http://127.0.0.1:11434\n    api_key_env: OLLAMA_KEY\n"
    )
    registry = Registry.load(tmp_path / "providers.yaml")
    box, team = registry.sources["gpu-box"], registry.sources["team-gateway"]
    assert (box.base_url, box.api_key_env, box.include) == (
        "http://127.0.0.1:11434",
        "OLLAMA_KEY",
        ["qwen3*"],
    )
    # team-gateway inherits gpu-box as merged (local override included) and overrides base_url
    assert (team.type, team.base_url, team.include, team.api_key_env) == (
        "ollama",
        "http://10.0.0.9:11434",
        ["qwen3*"],
        "OLLAMA_KEY",
    )
    assert registry.routes.aliases == {"fast": "qwen3-8b"}
    # a providers.yaml for generate alone extends the shipped registry: every provider is kept
    assert list(registry.providers) == list(Registry.load(None).providers)
