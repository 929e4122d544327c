"""Each shipped provider's catalogue payload becomes the right Catalog (units, free, embeddings)."""

import pytest
from conftest import body

from llmsync.errors import CatalogError
from llmsync.registry import Registry


@pytest.fixture(scope="module")
def registry():
    return Registry.load(None)  # the built-in registry


def parse(registry, provider, *names):
    p = registry.providers[provider]
    return p.parse(
        [(source, [body(name)]) for source, name in zip(p.sources(), names, strict=True)]
    )


def test_openrouter_strings_cache_limits_free_twins_and_embeddings(registry):
    cat = parse(registry, "openrouter", "openrouter_models.json", "openrouter_embeddings.json")
    sonnet = cat.get("anthropic/claude-sonnet-4.5")
    assert dict(sonnet.costs) == {
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
    }
    assert dict(sonnet.limits) == {"max_input_tokens": 1000000, "max_output_tokens": 64000}
    assert sonnet.mode == "chat"
    free = cat.get("meta-llama/llama-3.3-70b-instruct:free")
    assert free.costs["input_cost_per_token"] == free.costs["output_cost_per_token"] == 0
    assert "max_output_tokens" not in free.limits  # null in the payload
    assert dict(cat.get("openrouter/auto").costs) == {}  # "-1" = variable, unknown
    embed = cat.get("openai/text-embedding-3-small")
    assert embed.mode == "embedding" and embed.costs["input_cost_per_token"] == 2e-08
    assert registry.providers["openrouter"].config_costs(free) == {
        "input_cost_per_token": 1e-09,
        "output_cost_per_token": 1e-09,
    }


def test_requesty_numbers_strings_nulls_and_api_embedding(registry):
    cat = parse(registry, "requesty", "requesty.json")
    mini = cat.get("openai/gpt-4o-mini")
    assert mini.costs["input_cost_per_token"] == 1.5e-07
    assert mini.costs["cache_read_input_token_cost"] == 7.5e-08
    assert mini.limits == {"max_input_tokens": 128000, "max_output_tokens": 16384}
    assert cat.get("alibaba/qwen3.7-max").costs["output_cost_per_token"] == 7.5e-06  # a string
    assert dict(cat.get("smart/task").costs) == {}  # nulls are unknown, not 0
    assert cat.get("openai/text-embedding-3-large").mode == "embedding"


def test_novita_integer_units_of_a_ten_thousandth_dollar_per_million(registry):
    cat = parse(registry, "novita", "novita.json")
    assert cat.get("deepseek/deepseek-v3-0324").costs == {
        "input_cost_per_token": 2.8e-07,
        "output_cost_per_token": 1.14e-06,
    }
    assert repr(cat.get("gryphe/mythomax-l2-13b").costs["input_cost_per_token"]) == "2.69e-07"
    assert cat.get("baai/bge-m3").mode == "embedding"
    assert cat.get("deepseek/deepseek-v3-0324").limits == {
        "max_input_tokens": 163840,
        "max_output_tokens": 163840,
    }


def test_nano_gpt_per_million_and_separate_embedding_list(registry):
    cat = parse(registry, "nano_gpt", "nanogpt_models.json", "nanogpt_embeddings.json")
    assert cat.get("qwen/qwen3-coder").costs == {
        "input_cost_per_token": 2e-07,
        "output_cost_per_token": 8e-07,
    }
    assert cat.get("deepseek/deepseek-v3.2:thinking").limits == {
        "max_output_tokens": 32768
    }  # context null
    assert cat.get("BAAI/bge-m3").mode == "embedding"
    assert dict(cat.get("BAAI/bge-m3").costs) == {}  # the embedding list carries no prices


def test_vercel_type_embedding_zero_prices_and_image_models(registry):
    cat = parse(registry, "vercel", "vercel.json")
    assert cat.get("alibaba/qwen3.7-max").costs["cache_creation_input_token_cost"] == 1.5625e-06
    titan = cat.get("amazon/titan-embed-text-v2:0")
    assert titan.mode == "embedding" and dict(titan.costs) == {"input_cost_per_token": 2e-08}
    assert dict(cat.get("google/gemma-3-27b").costs) == {
        "input_cost_per_token": 0,
        "output_cost_per_token": 0,
    }
    assert dict(cat.get("google/imagen-4.0-generate").costs) == {}


def test_poe_null_pricing_and_request_priced_bots_are_unknown(registry):
    cat = parse(registry, "poe", "poe.json")
    assert cat.get("claude-sonnet-4.5").costs["input_cost_per_token"] == 2.6e-06
    assert "cache_read_input_token_cost" not in cat.get("gpt-4o-mini").costs  # null key
    assert dict(cat.get("assistant").costs) == {}  # pricing: null
    assert dict(cat.get("community/roleplay-bot:v2").costs) == {}  # per-request only


def test_nvidia_has_no_prices_so_everything_is_free(registry):
    cat = parse(registry, "nvidia", "nvidia.json")
    llama = cat.get("meta/llama-3.3-70b-instruct")
    assert dict(llama.costs) == {"input_cost_per_token": 0, "output_cost_per_token": 0}
    assert registry.providers["nvidia"].config_costs(llama) == {
        "input_cost_per_token": 1e-09,
        "output_cost_per_token": 1e-09,
    }
    assert cat.get("nvidia/nv-embedqa-e5-v5").mode == "embedding"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"data": []}, "empty model list"),
        ({"models": [{"id": "x"}]}, "no 'data' list"),
        ([{"id": "x"}], "no 'data' list"),
        ({"data": [{"id": "x"}, {"name": "no id"}]}, "without a string 'id'"),
        ({"data": "oops"}, "no 'data' list"),
    ],
)
def test_malformed_or_empty_catalogues_are_errors(registry, payload, message):
    p = registry.providers["requesty"]
    with pytest.raises(CatalogError, match=message):
        p.parse([(p.sources()[0], [payload])])


@pytest.mark.parametrize(
    ("provider", "model", "api_base", "expected"),
    [
        ("openrouter", "openrouter/a/b:free", None, "a/b:free"),
        ("requesty", "openai/openai/gpt-4o", "https://router.requesty.ai/v1", "openai/gpt-4o"),
        ("requesty", "openai/openai/gpt-4o", "os.environ/REQUESTY_API_BASE", "openai/gpt-4o"),
        ("requesty", "openai/openai/gpt-4o", None, None),
        ("requesty", "openai/gpt-4o", "https://api.openai.com/v1", None),
        ("nano_gpt", "nano-gpt/qwen/qwen3-coder", None, "qwen/qwen3-coder"),
        ("nano_gpt", "openai/qwen/qwen3-coder", "https://nano-gpt.com/api/v1", "qwen/qwen3-coder"),
        ("poe", "poe/claude-sonnet-4.5", None, "claude-sonnet-4.5"),
        ("poe", "openai/claude-sonnet-4.5", "https://api.poe.com/v1", "claude-sonnet-4.5"),
        ("nvidia", "nvidia_nim/meta/llama-3.3-70b-instruct", None, "meta/llama-3.3-70b-instruct"),
        (
            "vercel",
            "vercel_ai_gateway/anthropic/claude-sonnet-4.5",
            None,
            "anthropic/claude-sonnet-4.5",
        ),
        ("novita", "novita/", None, None),
    ],
)
def test_entries_are_recognised_by_prefix_or_api_base(
    registry, provider, model, api_base, expected
):
    assert registry.providers[provider].recognise(model, api_base) == expected
