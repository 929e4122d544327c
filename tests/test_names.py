"""Provider names as users spell them: LiteLLM's prefixes, case, `-`/`_`/`.`, did-you-mean."""

from __future__ import annotations

import pytest
from conftest import write_config

from llmsync.errors import RegistryError
from llmsync.registry import EXTRA_ALIASES, Registry, normalise


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(None)


def _prefixes(registry: Registry) -> dict[str, set[str]]:
    """Every match-rule prefix (without its slash) of the registry -> the providers using it."""
    users: dict[str, set[str]] = {}
    for name, provider in registry.providers.items():
        for rule in provider.spec.match:
            if rule.prefix:
                users.setdefault(rule.prefix.rstrip("/"), set()).add(name)
    return users


def test_every_unambiguous_prefix_selects_its_provider(registry):
    served = {p.rstrip("/") for kind in registry.server_kinds.values() for p in kind.prefixes}
    checked = 0
    for prefix, users in _prefixes(registry).items():
        if len(users) > 1 or prefix in served:
            continue
        (owner,) = users
        for spelling in (prefix, prefix + "/", prefix.upper(), prefix.replace("_", "-")):
            assert registry.select([spelling]) == [owner], spelling
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("nvidia_nim", "nvidia"),
        ("nvidia-nim", "nvidia"),
        ("vercel_ai_gateway", "vercel"),
        ("nano-gpt", "nano_gpt"),
        ("Nano-GPT", "nano_gpt"),
        ("nanogpt", "nano_gpt"),
        ("together", "together_ai"),
        ("together-ai", "together_ai"),
        ("cohere_chat", "cohere"),
        ("fireworks", "fireworks_ai"),
        ("vertex", "vertex_ai"),
        ("Vertex-AI", "vertex_ai"),
        ("amazon-bedrock", "bedrock"),
        ("OpenRouter", "openrouter"),
        ("opencode.zen", "opencode_zen"),
        ("openai", "openai"),
        ("anthropic", "anthropic"),
    ],
)
def test_spellings(registry, spelling, name):
    assert registry.resolve(spelling) == name


def test_extra_aliases_name_real_providers(registry):
    assert set(EXTRA_ALIASES.values()) <= set(registry.providers)
    assert not set(map(normalise, EXTRA_ALIASES)) & set(map(normalise, registry.providers))


def test_a_shared_prefix_is_no_gateways_alias(registry):
    aliases = registry.aliases()
    # openai/ and anthropic/ are used by several gateways (with an api_base): they are the names
    # of the direct providers, never an alias of a gateway
    assert "openai" not in aliases and "anthropic" not in aliases
    assert registry.select(["openai"]) == ["openai"]
    assert registry.select(["anthropic"]) == ["anthropic"]
    # ollama/ and ollama_chat/ are the self-hosted server kind's too: not Ollama Cloud's alias
    assert "ollama" not in aliases and "ollama_chat" not in aliases
    with pytest.raises(RegistryError, match=r"'ollama_chat' is ambiguous: .*ollama_cloud"):
        registry.resolve("ollama_chat")


def test_repeats_and_aliases_keep_registry_order(registry):
    assert registry.select(["together", "nvidia_nim", "nvidia", "together_ai"]) == [
        "nvidia",
        "together_ai",
    ]
    assert registry.select(["ALL"]) == list(registry.providers)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "openruoter",
            "unknown provider 'openruoter' — did you mean 'openrouter'? "
            "(llmsync providers lists them)",
        ),
        ("nvidia_nimm", "did you mean 'nvidia'?"),
        ("togther", "did you mean 'together_ai'?"),
        ("zzzz", "unknown provider 'zzzz' (llmsync providers lists them)"),
    ],
)
def test_unknown_names_suggest_the_closest(registry, typed, message):
    with pytest.raises(RegistryError) as error:
        registry.select([typed])
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_cli_takes_aliases_and_refuses_typos_with_exit_2(workdir, llmsync, catalogs):
    catalogs.serve()
    write_config(workdir, "model_list: []\n")
    run = llmsync("cleanup", "-p", "nvidia_nim", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.output
    run = llmsync("cleanup", "-p", "openruoter", "--dry-run")
    assert run.exit_code == 2
    assert run.stderr == (
        "llmsync: error: unknown provider 'openruoter' — did you mean 'openrouter'? "
        "(llmsync providers lists them)\n"
    )
