"""Bad values stay local and bounded: one bad price or limit costs one field of one model,
never its provider; parsing and generate's sources stay within the run's deadline."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import time

import httpx
import pytest
from conftest import body, write_config

from llmsync.catalogues.http import Deadline
from llmsync.catalogues.model import CatalogModel
from llmsync.errors import CatalogError
from llmsync.prices import MAX_LIMIT, BadLimit, BadPrice, parse_limit, parse_price

CONFIG = """\
model_list:
  - model_name: claude-sonnet
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5
      input_cost_per_token: 3.0e-06
      output_cost_per_token: 1.4e-05
      cache_read_input_token_cost: 3.0e-07
      cache_creation_input_token_cost: 3.75e-06
    model_info:
      max_input_tokens: 1000000
      max_output_tokens: 64000

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
    model_info:
      max_input_tokens: 100000
      max_output_tokens: 16384

  - model_name: llama
    litellm_params:
      model: openrouter/meta-llama/llama-3.3-70b-instruct
      input_cost_per_token: 1.3e-07
      output_cost_per_token: 3.9e-07
    model_info:
      max_input_tokens: 131072
"""


NOVITA = """
  - model_name: deepseek-v3
    litellm_params:
      model: novita/deepseek/deepseek-v3-0324
      input_cost_per_token: 0.00000033
      output_cost_per_token: 0.00000114
"""


def _openrouter(**changes: dict) -> dict:
    """The recorded OpenRouter body with some items' fields replaced (dotted keys)."""
    models = copy.deepcopy(body("openrouter_models.json"))
    for item in models["data"]:
        for key, value in changes.get(item["id"], {}).items():
            where = item
            *path, last = key.split(".")
            for step in path:
                where = where[step]
            where[last] = value
    return models


def _raw(data: dict) -> httpx.Response:
    """Served as Python writes it: ``Infinity`` and ``NaN`` included (httpx's json= refuses)."""
    return httpx.Response(200, content=json.dumps(data).encode())


HOSTILE = {
    "anthropic/claude-sonnet-4.5": {
        "pricing.prompt": "1e999999999",  # decimal.Overflow, not InvalidOperation
        "context_length": float("inf"),  # JSON Infinity: int() raises OverflowError
        "top_provider.max_completion_tokens": "\u00b2",  # "²".isdigit() is True; int() fails
    },
    "meta-llama/llama-3.3-70b-instruct": {"context_length": 10**40},
}


def test_bad_prices_and_limits_hold_one_field_and_the_provider_still_runs(
    workdir, catalogs, llmsync
):
    config = write_config(workdir, CONFIG)
    catalogs.serve(openrouter_models=_raw(_openrouter(**HOSTILE)))
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 1, run.output  # held back: a person decides
    assert "openrouter failed" not in run.output
    out = " ".join(run.output.split())
    assert "│ openrouter │ 4 │ 1 │" in out.replace("  ", " ")  # checked, one removal
    # Everything else of the provider is applied as usual.
    assert "-  - model_name: claude-2" in run.stdout
    assert "+      input_cost_per_token: 1.5e-07" in run.stdout  # gpt-4o-mini repriced
    assert "+      max_input_tokens: 128000" in run.stdout
    assert "+      output_cost_per_token: 1.5e-05" in run.stdout  # sonnet's good price
    # Each bad value is held with its reason, and none of them is in the diff.
    assert "input_cost_per_token: catalogue price '1e999999999'" in out
    assert "max_input_tokens: catalogue limit inf is not finite" in out
    assert "max_output_tokens: catalogue limit '\\xb2' is not a plain whole number" in out
    assert "max_input_tokens: catalogue limit 1e+40 is above 100,000,000 tokens" in out
    assert "+      max_input_tokens: 1" not in run.stdout.replace("128000", "")
    assert config.read_text() == CONFIG


def test_the_json_report_lists_bad_limits_as_held_back_fields(workdir, catalogs, llmsync):
    write_config(workdir, CONFIG)
    catalogs.serve(openrouter_models=_raw(_openrouter(**HOSTILE)))
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run", "--format", "json")
    assert run.exit_code == 1, run.output
    report = json.loads(run.stdout)
    assert [p["status"] for p in report["providers"]] == ["ok"]
    held = {(h["model_name"], h["field"]): h for h in report["held_back"]}
    assert held[("llama", "model_info.max_input_tokens")]["old"] == 131072
    assert held[("llama", "model_info.max_input_tokens")]["new"] is None
    assert "above 100,000,000 tokens" in held[("llama", "model_info.max_input_tokens")]["reason"]
    assert ("claude-sonnet", "model_info.max_output_tokens") in held
    assert ("claude-sonnet", "litellm_params.input_cost_per_token") in held
    assert report["summary"]["removed"] == 1


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity", "inf", "-inf", " nan "])
def test_non_finite_price_words_are_refused_not_unknown(word):
    with pytest.raises(BadPrice, match="not finite"):
        parse_price(word)


def test_a_nan_price_in_a_catalogue_is_held_back(workdir, catalogs, llmsync):
    config = write_config(workdir, CONFIG)
    catalogs.serve(
        openrouter_models=_openrouter(**{"openai/gpt-4o-mini": {"pricing.prompt": "NaN"}})
    )
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 1, run.output
    assert "input_cost_per_token: catalogue price 'NaN' is not finite" in " ".join(
        run.output.split()
    )
    assert "1.5e-07" not in run.stdout
    assert config.read_text() == CONFIG


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (131072, 131072),
        (2000000.0, 2000000),  # LiteLLM's cost map writes some limits as floats
        ("131072", 131072),  # Cloudflare: strings
        (" 8192 ", 8192),
        (MAX_LIMIT, MAX_LIMIT),
        (None, None),
        ("", None),
        ("n/a", None),
        ([4096], None),
        ({"tokens": 4096}, None),
    ],
)
def test_limits_parse_to_whole_token_counts(raw, expected):
    assert parse_limit(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (10**40, "above 100,000,000 tokens"),
        (MAX_LIMIT + 1, "above 100,000,000 tokens"),
        ("1" * 5000, "above 100,000,000 tokens"),  # no int() of 5000 digits
        (0, "not positive"),
        (-1, "not positive"),
        ("-5", "not a plain whole number"),
        (1000.5, "not a whole number"),
        ("4096.0", "not a plain whole number"),
        ("\u00b2", "not a plain whole number"),
        ("\u0661\u0662", "not a plain whole number"),
        (True, "not a number"),
        (False, "not a number"),
        (float("inf"), "not finite"),
        (float("-inf"), "not finite"),
        (float("nan"), "not finite"),
        ("Infinity", "not finite"),
        ("NaN", "not finite"),
        (1e300, "above 100,000,000 tokens"),
    ],
)
def test_bad_limits_are_refused_with_a_reason(raw, why):
    with pytest.raises(BadLimit, match=why):
        parse_limit(raw)


def test_add_model_adds_the_entry_without_a_bad_limit_and_says_so(workdir, catalogs, llmsync):
    config = write_config(workdir, "model_list: []\n")
    models = _openrouter(**{"openai/gpt-4o-mini": {"context_length": 10**40}})
    catalogs.serve(openrouter_models=models)
    run = llmsync("add-model", "-p", "openrouter", "openai/gpt-4o-mini")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert "model: openrouter/openai/gpt-4o-mini" in text
    assert "max_output_tokens: 16384" in text and "max_input_tokens" not in text
    assert "max_input_tokens: catalogue limit 1e+40 is above" in " ".join(run.stderr.split())


def test_a_bad_cost_map_limit_is_not_written(workdir, catalogs, llmsync):
    from llmsync.catalogues import pricebooks
    from llmsync.registry import Registry

    registry = Registry.load(workdir / "providers.yaml")
    provider = registry.providers["anthropic"]
    model = CatalogModel(id="claude-x")
    catalog = pricebooks.Catalog("anthropic", {"claude-x": model})
    cost_map = {"claude-x": {"max_input_tokens": float("inf"), "max_output_tokens": 8192}}
    enriched = pricebooks.enrich(catalog, provider, {"cost_map": cost_map}, registry.pricebooks)
    got = enriched.models["claude-x"]
    assert got.limits == {"max_output_tokens": 8192}
    assert got.rejected["max_input_tokens"] == "max_input_tokens: cost map limit inf is not finite"


# --------------------------------------------------------------------------- duplicate ids


def test_duplicate_catalogue_ids_are_noted_once_per_provider(workdir, catalogs, llmsync):
    write_config(workdir, CONFIG)
    models = _openrouter()
    mini = next(m for m in models["data"] if m["id"] == "openai/gpt-4o-mini")
    twin = {**copy.deepcopy(mini), "pricing": {**mini["pricing"], "prompt": "0.000009"}}
    models["data"] += [twin, copy.deepcopy(mini)]
    catalogs.serve(openrouter_models=models)
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run", "--format", "json")
    report = json.loads(run.stdout)
    notes = [n for n in report["notes"] if "the catalogue lists" in n]
    assert notes == [
        "openrouter: the catalogue lists openai/gpt-4o-mini 3 times, not all alike; "
        "the first listing is used"
    ]
    assert report["changes"]["repriced"][0]["new"] != 9e-06  # the first listing's price
    text = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert text.stderr.count("lists openai/gpt-4o-mini 3 times") == 1


def test_identical_repeats_are_not_noise(workdir, catalogs, llmsync):
    write_config(workdir, CONFIG)
    models = _openrouter()
    models["data"].append(copy.deepcopy(models["data"][1]))
    catalogs.serve(openrouter_models=models)
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 0, run.output
    assert "the catalogue lists" not in run.output


# --------------------------------------------------------------------------- time


def test_parsing_a_catalogue_stops_at_the_deadline(workdir, catalogs, llmsync, monkeypatch):
    """A catalogue whose parsing outlasts the deadline fails like a fetch that times out."""
    from llmsync.catalogues import hosted

    config = write_config(workdir, CONFIG + NOVITA)
    models = _openrouter()
    template = models["data"][1]
    models["data"] += [{**template, "id": f"vendor/m{i}"} for i in range(2500)]
    catalogs.serve(openrouter_models=models)
    real = hosted.Provider._model

    def slow(self, item, source):
        time.sleep(0.002)  # a 60 MB catalogue in miniature: 5 s to parse
        return real(self, item, source)

    monkeypatch.setattr(hosted.Provider, "_model", slow)
    run = llmsync("cleanup", "-p", "openrouter", "-p", "novita", "--dry-run", "--timeout", "1")
    assert run.exit_code == 1, run.output
    assert "openrouter failed: ran out of time: the run's deadline is 1s (--timeout)" in run.stdout
    assert "-  - model_name: claude-2" not in run.stdout  # a failed provider removes nothing
    assert "+      input_cost_per_token: 0.00000028" in run.stdout  # the others finish
    assert config.read_text() == CONFIG + NOVITA


def test_an_expired_deadline_fails_the_parse():
    from llmsync.registry import Registry

    provider = Registry.load(None).providers["openrouter"]
    source = provider.spec.catalogs[0]
    deadline = Deadline(0.01)
    time.sleep(0.02)
    with pytest.raises(CatalogError, match=r"ran out of time: the run's deadline is 0\.01s"):
        provider.parse([(source, [body("openrouter_models.json")])], deadline)
    assert provider.parse([(source, [body("openrouter_models.json")])], Deadline(60)).models


def test_a_deeply_nested_answer_fails_with_one_clear_line(workdir, catalogs, llmsync):
    write_config(workdir, CONFIG)
    deep = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    catalogs.serve(openrouter_models=httpx.Response(200, content=deep))
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 1
    line = next(x for x in run.stdout.splitlines() if "openrouter failed" in x)
    assert "response is nested deeper than" in line and "RecursionError" not in run.output


def test_a_huge_integer_is_one_bad_value_not_a_broken_answer(workdir, catalogs, llmsync):
    config = write_config(workdir, CONFIG)
    models = json.dumps(_openrouter()).replace(
        '"context_length": 131072', '"context_length": ' + "9" * 5000, 1
    )
    catalogs.serve(openrouter_models=httpx.Response(200, content=models.encode()))
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 1, run.output
    assert "openrouter failed" not in run.output
    assert "-  - model_name: claude-2" in run.stdout
    assert "max_input_tokens: catalogue limit" in run.stdout
    assert config.read_text() == CONFIG


SOURCES_REGISTRY = """\
defaults: {backoff: 0, retries: 0, timeout: 20, deadline: 0.5}
sources:
  fast:
    type: openai
    base_url: http://fast:8000/v1
  stuck:
    type: openai
    base_url: http://stuck:8000/v1
"""

GENERATED = """\
model_list:
  # generated by llmsync from source stuck; edit providers.yaml, not this entry
  - model_name: kept
    litellm_params:
      model: openai/kept
      api_base: http://stuck:8000/v1
      input_cost_per_token: 1.0e-09
      output_cost_per_token: 1.0e-09
    model_info:
      llmsync_source: stuck
"""


def _stuck_server(httpx_mock) -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={"data": []})

    httpx_mock.add_response(
        url="http://fast:8000/v1/models", json={"data": [{"id": "fresh"}]}, is_reusable=True
    )
    httpx_mock.add_callback(never, url="http://stuck:8000/v1/models", is_optional=True)


def test_generate_sources_share_the_run_deadline(workdir, httpx_mock, llmsync):
    (workdir / "providers.yaml").write_text(SOURCES_REGISTRY)
    config = write_config(workdir, GENERATED)
    _stuck_server(httpx_mock)
    started = time.monotonic()
    run = llmsync("generate")
    assert time.monotonic() - started < 10  # the deadline (0.5 s), not the 20 s timeout
    assert run.exit_code == 1, run.output
    assert "stuck failed: ran out of time: the run's deadline is 0.5s" in run.stdout
    text = config.read_text()
    assert "model: openai/kept" in text  # the stuck source keeps its entries
    assert "model: openai/fresh" in text  # the other source is written


def test_discover_takes_an_explicit_deadline(httpx_mock):
    from llmsync.catalogues.servers import discover_all
    from llmsync.schema import Defaults, SourceSpec

    _stuck_server(httpx_mock)
    sources = {
        "fast": SourceSpec(type="openai", base_url="http://fast:8000/v1"),
        "stuck": SourceSpec(type="openai", base_url="http://stuck:8000/v1"),
    }
    started = time.monotonic()
    found = discover_all(sources, Defaults(timeout=20, retries=0), deadline=0.3)
    assert time.monotonic() - started < 10
    assert found["stuck"].error == "ran out of time: the run's deadline is 0.3s (--timeout)"
    assert [m.id for m in found["fast"].models] == ["fresh"]


def test_a_bad_server_limit_is_held_not_written(httpx_mock):
    from llmsync.catalogues.servers import discover_all
    from llmsync.schema import Defaults, SourceSpec

    httpx_mock.add_response(
        url="http://vllm:8000/v1/models",
        json={
            "data": [{"id": "big", "max_model_len": 10**40}, {"id": "ok", "max_model_len": 8192}]
        },
    )
    found = discover_all(
        {"vllm": SourceSpec(type="openai", base_url="http://vllm:8000/v1")}, Defaults()
    )
    big, ok = found["vllm"].models
    assert big.max_input_tokens is None
    assert big.rejected == {
        "max_input_tokens": "max_input_tokens: server limit 1e+40 is above 100,000,000 tokens"
    }
    assert ok.max_input_tokens == 8192 and not ok.rejected


# --------------------------------------------------------------------------- cache temp files


def test_stale_cache_temp_files_of_dead_runs_are_removed(workdir, catalogs, llmsync):
    write_config(workdir, CONFIG)
    cache = workdir / ".cache"
    cache.mkdir()
    dead = cache / ("0" * 64 + ".json.999999999.tmp")  # above any pid_max: never alive
    live = cache / ("1" * 64 + f".json.{os.getppid()}.tmp")
    other = cache / "notes.txt"
    for path in (dead, live, other):
        path.write_text("{")
    catalogs.serve()
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    assert run.exit_code == 0, run.output
    assert not dead.exists()
    assert live.exists() and other.exists()
    assert not list(cache.glob(f"*.{os.getpid()}.tmp"))  # our own were renamed into place
