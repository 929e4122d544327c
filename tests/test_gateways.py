"""Gateways the peer's scripts cover (issue 18, item 5): Kilo, OpenCode Go, OpenCode Zen and
Ollama's hosted catalogue, as registry data claimed by api_base.

Bodies: tests/fixtures/providers/gateways/ (INDEX.md says what each is shaped from). OpenCode's
listings carry ids only; their prices come from models.dev, served here as the shared
models.dev fixture plus the real `opencode` / `opencode-go` entries.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from conftest import CORPUS, FIXTURES, body, direct, write_config

from llmsync.registry import Registry

GATEWAYS = FIXTURES / "providers" / "gateways"
PEER = CORPUS / "05-jnraptor-litellm-config-manager.yaml"
# The gateway block of providers.yaml starts at this comment and runs to the end of the file.
MARKER = "  # --- gateways the scripts llmsync replaces also cover\n"
KEYS = {
    "kilo": "KILO_API_KEY",
    "opencode_go": "OPENCODE_API_KEY",
    "opencode_zen": "OPENCODE_API_KEY",
    "ollama_cloud": "OLLAMA_API_KEY",
}
LISTINGS = {
    "kilo": "https://api.kilo.ai/api/gateway/models",
    "opencode_go": "https://opencode.ai/zen/go/v1/models",
    "opencode_zen": "https://opencode.ai/zen/v1/models",
    "ollama_cloud": "https://ollama.com/api/tags",
}
# Where entries point at each gateway (how the peer's config and others spell it).
GATEWAY_BASES = ("api.kilo.ai", "opencode.ai/zen", "://ollama.com")


@pytest.fixture(scope="module")
def registry():
    return Registry.load(None)  # the built-in registry


def models_dev() -> dict[str, Any]:
    """The shared models.dev fixture plus the real OpenCode providers."""
    book = direct("models_dev.json")
    book.update(json.loads((GATEWAYS / "models_dev_opencode.json").read_text()))
    return book


def serve(catalogs, httpx_mock, **overrides: Any) -> None:
    catalogs.serve(models_dev=models_dev(), **overrides)
    # a self-hosted server an entry names (http://ollama:11434) is down
    httpx_mock.add_response(
        url=re.compile(r"^http://"), status_code=503, is_optional=True, is_reusable=True
    )


def cleanup_json(llmsync, *args: str) -> dict[str, Any]:
    run = llmsync("cleanup", "--no-cache", "--format", "json", *args)
    assert run.exit_code in (0, 1), run.output
    return json.loads(run.stdout)


def report_of(report: dict[str, Any], name: str) -> dict[str, Any]:
    found = [p for p in report["providers"] if p["name"] == name]
    assert found, [(p["name"], p["kind"]) for p in report["providers"] if p["entries"]]
    return found[0]


def entry(name: str, model: str, api_base: str, key: str, costs=(), info: str = "") -> str:
    lines = [
        f"  - model_name: {name}",
        "    litellm_params:",
        f"      model: {model}",
        f"      api_base: {api_base}",
        f"      api_key: os.environ/{key}",
    ]
    if costs:
        lines += [
            f"      input_cost_per_token: {costs[0]}",
            f"      output_cost_per_token: {costs[1]}",
        ]
    return "\n".join(lines) + "\n" + info


def litellm_params(text: str) -> dict[str, dict[str, Any]]:
    """model -> litellm_params (and model_info under "_info") of a written config."""
    out = {}
    for item in yaml.safe_load(text)["model_list"]:
        params = dict(item["litellm_params"])
        params["_info"] = item.get("model_info") or {}
        out[params["model"]] = params
    return out


# --------------------------------------------------------------------------- recognising


@pytest.mark.parametrize(
    ("model", "api_base", "expected"),
    [
        ("openai/anthropic/claude-opus-4.6", "https://api.kilo.ai/api/gateway", "kilo"),
        ("openai/z-ai/glm-5:free", "https://api.kilo.ai/api/openrouter/", "kilo"),
        ("openai/z-ai/glm-5", "os.environ/KILO_API_BASE", "kilo"),
        ("openai/glm-5", "https://opencode.ai/zen/go/v1", "opencode_go"),
        ("anthropic/minimax-m2.5", "https://opencode.ai/zen/go", "opencode_go"),
        ("anthropic/minimax-m2.7", "https://opencode.ai/zen/go/v1/messages", "opencode_go"),
        ("openai/kimi-k2.5", "https://opencode.ai/zen/v1", "opencode_zen"),
        ("anthropic/claude-sonnet-4-6", "https://opencode.ai/zen", "opencode_zen"),
        ("ollama_chat/qwen3.5:397b", "https://ollama.com", "ollama_cloud"),
        ("ollama/glm-5", "https://ollama.com/", "ollama_cloud"),
        ("openai/gpt-oss:120b", "https://ollama.com/v1", "ollama_cloud"),
    ],
)
def test_entries_pointing_at_a_gateway_are_claimed_by_it(registry, model, api_base, expected):
    owner = registry.owner(model, api_base)
    assert owner is not None and owner[0] == expected, owner
    assert owner[1] == model.split("/", 1)[1]  # the rest of the model string is the listed id


@pytest.mark.parametrize(
    ("gateway_entry", "look_alike"),
    [
        # a local Ollama stays a self-hosted server
        (("ollama_chat/glm-5", "https://ollama.com"), ("ollama_chat/glm-5", "http://ollama:11434")),
        (("ollama/glm-5", "https://ollama.com"), ("ollama/glm-5", "http://localhost:11434")),
        # openai/ without an api_base is OpenAI itself
        (
            ("openai/anthropic/claude-opus-4.6", "https://api.kilo.ai/api/gateway"),
            ("openai/anthropic/claude-opus-4.6", None),
        ),
        # OpenCode Go's api_base contains Zen's: each keeps its own
        (
            ("openai/glm-5", "https://opencode.ai/zen/v1"),
            ("openai/glm-5", "https://opencode.ai/zen/go/v1"),
        ),
        (
            ("openai/glm-5", "https://opencode.ai/zen/go/v1"),
            ("openai/glm-5", "https://opencode.ai/zen/v1"),
        ),
    ],
)
def test_look_alikes_are_not_taken_for_the_gateway(registry, gateway_entry, look_alike):
    owner = registry.owner(*gateway_entry)
    assert owner is not None and owner[0] in KEYS, owner
    other = registry.owner(*look_alike)
    assert other is None or other[0] != owner[0], (owner, other)


# --------------------------------------------------------------------------- reading listings


def parse(registry, provider: str, name: str):
    p = registry.providers[provider]
    return p.parse([(p.sources()[0], [body(name)])])


def test_kilo_listing_reads_like_openrouter(registry):
    cat = parse(registry, "kilo", "gateways/kilo.json")
    opus = cat.get("anthropic/claude-opus-4.6")
    assert dict(opus.costs) == {
        "input_cost_per_token": 5e-06,
        "output_cost_per_token": 2.5e-05,
        "cache_read_input_token_cost": 5e-07,
        "cache_creation_input_token_cost": 6.25e-06,
    }
    assert dict(opus.limits) == {"max_input_tokens": 1000000, "max_output_tokens": 128000}
    free = cat.get("z-ai/glm-5:free")
    assert registry.providers["kilo"].config_costs(free) == {
        "input_cost_per_token": 1e-09,
        "output_cost_per_token": 1e-09,
    }
    assert cat.get("qwen/qwen3.7-max").deprecation == "2026-09-30"  # expiration_date
    assert cat.get("z-ai/glm-5").deprecation is None


def test_opencode_listings_are_ids_only(registry):
    for provider, name in (
        ("opencode_go", "opencode_go.json"),
        ("opencode_zen", "opencode_zen.json"),
    ):
        cat = parse(registry, provider, f"gateways/{name}")
        assert "glm-5" in cat.models and "kimi-k2.5" in cat.models
        assert all(not m.costs and not m.limits for m in cat.models.values())


def test_ollama_cloud_listing_is_keyed_by_name_and_free(registry):
    cat = parse(registry, "ollama_cloud", "gateways/ollama_cloud.json")
    assert set(cat.models) >= {"qwen3.5:397b", "glm-5", "nemotron-3-super"}
    glm = cat.get("glm-5")
    assert registry.providers["ollama_cloud"].config_costs(glm) == {
        "input_cost_per_token": 1e-09,
        "output_cost_per_token": 1e-09,
    }


# --------------------------------------------------------------------------- cleanup


def test_kilo_entries_are_repriced_and_a_delisted_model_removed(
    workdir, catalogs, httpx_mock, llmsync
):
    base, key = "https://api.kilo.ai/api/gateway", "KILO_API_KEY"
    config = write_config(
        workdir,
        "model_list:\n"
        + entry(
            "kimi",
            "openai/moonshotai/kimi-k2.5",
            base,
            key,
            ("3.827e-07", "1.72e-06"),
            "    model_info:\n      max_input_tokens: 131072\n",
        )
        + entry("opus", "openai/anthropic/claude-opus-4.6", base, key, ("5.0e-06", "2.5e-05"))
        + entry("glm", "openai/z-ai/glm-5", base, key, ("7.2e-07", "2.3e-06"))
        + entry("gone", "openai/acme/retired-model", base, key, ("1.0e-06", "2.0e-06")),
    )
    serve(catalogs, httpx_mock)
    report = cleanup_json(llmsync, "--config", str(config), "--dry-run")
    kilo = report_of(report, "kilo")
    assert (kilo["kind"], kilo["entries"], kilo["status"]) == ("provider", 4, "ok"), kilo
    run = llmsync("cleanup", "--config", str(config), "--no-cache")
    assert run.exit_code == 0, run.output
    after = litellm_params(config.read_text())
    assert "openai/acme/retired-model" not in after  # 1 of 4: within the removal guard
    kimi = after["openai/moonshotai/kimi-k2.5"]
    assert (kimi["input_cost_per_token"], kimi["output_cost_per_token"]) == (4.5e-07, 2.2e-06)
    assert kimi["_info"]["max_input_tokens"] == 262144  # a limit the person wrote, kept true
    opus = after["openai/anthropic/claude-opus-4.6"]
    assert opus["cache_read_input_token_cost"] == 5e-07  # the listing's cache price
    assert after["openai/z-ai/glm-5"]["input_cost_per_token"] == 7.2e-07  # already true


@pytest.mark.parametrize(
    ("provider", "base", "anthropic_base", "priced", "anthropic_model", "gone"),
    [
        (
            "opencode_go",
            "https://opencode.ai/zen/go/v1",
            "https://opencode.ai/zen/go",
            ("openai/glm-5", (1e-06, 3.2e-06, 2e-07)),
            ("anthropic/minimax-m2.7", (3e-07, 1.2e-06)),
            "openai/glm-4.6",
        ),
        (
            "opencode_zen",
            "https://opencode.ai/zen/v1",
            "https://opencode.ai/zen",
            ("openai/kimi-k2.5", (6e-07, 3e-06, 8e-08)),
            ("anthropic/claude-sonnet-4-6", (3e-06, 1.5e-05)),
            "openai/grok-code",
        ),
    ],
)
def test_opencode_entries_are_priced_from_models_dev_and_a_delisted_model_removed(
    provider,
    base,
    anthropic_base,
    priced,
    anthropic_model,
    gone,
    workdir,
    catalogs,
    httpx_mock,
    llmsync,
):
    key = "OPENCODE_API_KEY"
    model, (inp, out, cache) = priced
    config = write_config(
        workdir,
        "model_list:\n"
        + entry("a", model, base, key, (f"{inp * 0.8:.3e}", f"{out * 0.8:.3e}"))
        + entry(
            "b",
            anthropic_model[0],
            anthropic_base,
            key,
            tuple(f"{c:.2e}" for c in anthropic_model[1]),
        )
        + entry("c", "openai/qwen3.6-plus", base, key)
        + entry("d", gone, base, key, ("1.0e-06", "2.0e-06")),
    )
    serve(catalogs, httpx_mock)
    report = cleanup_json(llmsync, "--config", str(config), "--dry-run")
    mine = report_of(report, provider)
    assert (mine["kind"], mine["entries"], mine["status"]) == ("provider", 4, "ok"), mine
    run = llmsync("cleanup", "--config", str(config), "--no-cache")
    assert run.exit_code == 0, run.output
    after = litellm_params(config.read_text())
    assert gone not in after
    repriced = after[model]
    assert (
        repriced["input_cost_per_token"],
        repriced["output_cost_per_token"],
        repriced["cache_read_input_token_cost"],
    ) == (inp, out, cache)
    kept = after[anthropic_model[0]]
    assert (kept["input_cost_per_token"], kept["output_cost_per_token"]) == anthropic_model[1]
    assert "input_cost_per_token" not in after["openai/qwen3.6-plus"]  # no prices: left to LiteLLM


def test_ollama_cloud_entries_are_free_and_a_delisted_model_removed(
    workdir, catalogs, httpx_mock, llmsync
):
    base, key = "https://ollama.com", "OLLAMA_API_KEY"
    config = write_config(
        workdir,
        "model_list:\n"
        + entry("glm", "ollama_chat/glm-5", base, key, ("1.0e-09", "1.0e-09"))
        + entry("qwen", "ollama_chat/qwen3.5:397b", base, key, ("4.0e-07", "2.4e-06"))
        + entry("kimi", "ollama_chat/kimi-k2.5", base, key)
        + entry("gone", "ollama_chat/llama3.1:405b", base, key, ("1.0e-09", "1.0e-09")),
    )
    serve(catalogs, httpx_mock)
    report = cleanup_json(llmsync, "--config", str(config), "--dry-run")
    mine = report_of(report, "ollama_cloud")
    assert (mine["kind"], mine["entries"], mine["status"]) == ("provider", 4, "ok"), mine
    # the paid price of a model the hosted catalogue serves without one is a free<->paid move
    held = [h for h in report["held_back"] if "qwen3.5:397b" in json.dumps(h)]
    assert held and "free" in json.dumps(held), report["held_back"]
    run = llmsync("cleanup", "--config", str(config), "--no-cache")
    assert run.exit_code == 1, run.output  # held back for a person: exit 1
    after = litellm_params(config.read_text())
    assert "ollama_chat/llama3.1:405b" not in after
    assert after["ollama_chat/glm-5"]["input_cost_per_token"] == 1e-09
    assert after["ollama_chat/qwen3.5:397b"]["input_cost_per_token"] == 4e-07  # held, not written


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize("provider", sorted(KEYS))
def test_listings_are_public_the_key_is_sent_when_set(
    provider, workdir, catalogs, httpx_mock, llmsync, monkeypatch
):
    """Every gateway answers its listing without a key, so a missing key is no skip and no
    failure: the listing is read anonymously. A set key is sent as a Bearer token."""
    registry = Registry.load(None)
    spec = registry.providers[provider].spec
    key = KEYS[provider]
    assert spec.api_key_env == key and not spec.key_required
    base = {
        "kilo": ("openai/z-ai/glm-5", "https://api.kilo.ai/api/gateway"),
        "opencode_go": ("openai/glm-5", "https://opencode.ai/zen/go/v1"),
        "opencode_zen": ("openai/glm-5", "https://opencode.ai/zen/v1"),
        "ollama_cloud": ("ollama_chat/glm-5", "https://ollama.com"),
    }[provider]
    config = write_config(workdir, "model_list:\n" + entry("m", *base, key))
    serve(catalogs, httpx_mock)
    sent = []
    for value in (None, "sk-test-123"):
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
        report = cleanup_json(llmsync, "--config", str(config), "--dry-run", "-p", provider)
        mine = report_of(report, provider)
        assert mine["skipped"] is None and mine["error"] is None, mine
        asked = [r for r in httpx_mock.get_requests() if str(r.url) == LISTINGS[provider]]
        sent.append(asked[-1].headers.get("authorization"))
    assert sent == [None, "Bearer sk-test-123"]


def test_a_registry_that_requires_the_key_skips_without_it(
    workdir, catalogs, httpx_mock, llmsync, monkeypatch
):
    """Should ollama.com start refusing anonymous listings (UNCONFIRMED either way), a
    providers.local.yaml line makes the key required: without it, one skipped line, exit 0."""
    (workdir / "providers.local.yaml").write_text(
        "providers:\n  ollama_cloud:\n    key_required: true\n"
    )
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    config = write_config(
        workdir,
        "model_list:\n"
        + entry(
            "glm",
            "ollama_chat/glm-5",
            "https://ollama.com",
            "OLLAMA_API_KEY",
            ("1.0e-09", "1.0e-09"),
        ),
    )
    serve(catalogs, httpx_mock)
    run = llmsync("cleanup", "--config", str(config), "--no-cache", "-p", "ollama_cloud")
    assert run.exit_code == 0, run.output
    assert "OLLAMA_API_KEY is not set: set it to check 1 entry" in run.output
    assert not [r for r in httpx_mock.get_requests() if str(r.url) == LISTINGS["ollama_cloud"]]


# --------------------------------------------------------------------------- the peer's config


def hosted_and_servers(report: dict[str, Any]) -> tuple[int, dict[str, int]]:
    hosted = sum(p["entries"] for p in report["providers"] if p["kind"] == "provider")
    servers = {p["name"]: p["entries"] for p in report["providers"] if p["kind"] == "server"}
    return hosted, servers


def test_the_peers_config_is_recognised(workdir, catalogs, httpx_mock, llmsync, capsys):
    """Issue 18's measure on jnraptor/litellm-config-manager's own config: entries a hosted
    provider claims (so they are repriced and removed from a listing), before and after the
    gateway block, every catalogue served."""
    if not PEER.is_file():
        pytest.skip(f"corpus not found at {PEER}")
    data = yaml.safe_load(PEER.read_text())
    pointing = [
        e
        for e in data["model_list"]
        if any(b in str(e["litellm_params"].get("api_base", "")) for b in GATEWAY_BASES)
    ]
    serve(catalogs, httpx_mock)
    args = ("--config", str(PEER), "--provider", "all", "--dry-run")
    after = cleanup_json(llmsync, *args)
    shipped = (workdir / "providers.yaml").read_text()
    assert MARKER in shipped
    # the registry before the gateway block, alone (not merged over the shipped one)
    (workdir / "providers.yaml").write_text("replace: true\n" + shipped.split(MARKER)[0])
    before = cleanup_json(llmsync, *args)
    (hosted_before, servers_before), (hosted_after, servers_after) = map(
        hosted_and_servers, (before, after)
    )
    numbers = (
        f"peer config: {hosted_before} -> {hosted_after} of {len(data['model_list'])} entries "
        f"claimed by a hosted provider; {len(pointing)} point at a gateway; servers before "
        f"{servers_before}, after {servers_after}"
    )
    with capsys.disabled():
        print(f"\n{numbers}")
    assert hosted_after - hosted_before >= len(pointing) > 0, numbers  # + cloud platforms
    claimed = {p["name"]: p["entries"] for p in after["providers"] if p["name"] in KEYS}
    assert sum(claimed.values()) == len(pointing), (claimed, numbers)
    assert not [s for s in servers_after if any(b in s for b in GATEWAY_BASES)], numbers
    # entries with a prefix no server kind covers (anthropic/ on OpenCode Go) were not even
    # checked as a server's before
    server_prefixes = (
        "ollama/",
        "ollama_chat/",
        "hosted_vllm/",
        "lm_studio/",
        "llamafile/",
        "openai/",
    )
    unseen = [e for e in pointing if not e["litellm_params"]["model"].startswith(server_prefixes)]
    seen_before = hosted_before + sum(servers_before.values())
    seen_after = hosted_after + sum(servers_after.values())
    assert seen_after - seen_before >= len(unseen) > 0, numbers
