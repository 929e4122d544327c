"""Direct providers end to end: paging, auth, ids, units, lifecycle, keys, partial listings.

Every listing is served from a fixture shaped like the provider's documented response
(tests/fixtures/providers/direct/INDEX.md lists what each holds).
"""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import CLOUDFLARE_ACCOUNT, write_config
from fixtures.endpoints import DIRECT

# provider -> (an entry's litellm_params.model present in the listing, extra params, its auth
# header name, the same provider's id that is not listed)
CASES = {
    "openai": ("gpt-4o", {}, "Authorization", "gpt-3.5-turbo-0301"),
    "anthropic": ("anthropic/claude-sonnet-4-5-20250929", {}, "x-api-key", "claude-2.1"),
    "gemini": ("gemini/gemini-2.5-pro", {}, "x-goog-api-key", "gemini/gemini-1.0-pro"),
    "groq": ("groq/llama-3.3-70b-versatile", {}, "Authorization", "groq/mixtral-8x7b-32768"),
    "mistral": ("mistral/mistral-large-latest", {}, "Authorization", "mistral/open-mixtral-8x7b"),
    "cerebras": ("cerebras/gpt-oss-120b", {}, None, "cerebras/llama3.1-70b"),
    "xai": ("xai/grok-4.3-latest", {}, "Authorization", "xai/grok-beta"),  # an alias
    "deepseek": ("deepseek/deepseek-chat", {}, "Authorization", "deepseek/deepseek-coder"),
    "fireworks_ai": ("fireworks_ai/gpt-oss-120b", {}, "Authorization", "fireworks_ai/mixtral-8x7b"),
    "together_ai": (
        "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        {},
        "Authorization",
        "together_ai/togethercomputer/old-7b",
    ),
    "cohere": ("cohere/command-a-03-2025", {}, "Authorization", "cohere/command-light"),
    "github": ("github/gpt-4o", {}, "Authorization", None),  # partial: never removes
    "cloudflare": (
        "cloudflare/@cf/meta/llama-3.3-70b-instruct-fp8-fast",
        {},
        "Authorization",
        "cloudflare/@cf/meta/llama-2-7b-chat-int8",
    ),
    "deepinfra": (
        "deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        {},
        None,
        "deepinfra/old/model",
    ),
    "sambanova": ("sambanova/Meta-Llama-3.3-70B-Instruct", {}, "Authorization", "sambanova/x-1"),
    "perplexity": ("perplexity/sonar", {}, None, None),  # partial: never removes
    "moonshot": ("moonshot/kimi-k2.5", {}, "Authorization", "moonshot/kimi-k1"),
    "dashscope": ("dashscope/qwen-plus", {}, "Authorization", "dashscope/qwen-old"),
    "zai": (
        "anthropic/glm-4.6",
        {"api_base": "https://api.z.ai/api/anthropic"},
        "Authorization",
        "zai/glm-3-turbo",
    ),
    "elevenlabs": ("elevenlabs/eleven_multilingual_v2", {}, "xi-api-key", None),  # partial
}
KEY_HEADER_VALUE = {
    "x-api-key": "test-anthropic_api_key",
    "x-goog-api-key": "test-gemini_api_key",
    "xi-api-key": "test-elevenlabs_api_key",  # the key alone, no scheme
}


def entry(name: str, model: str, params: dict, price: bool = True) -> str:
    lines = [f"  - model_name: {name}", "    litellm_params:", f"      model: {model}"]
    lines += [f"      {k}: {v}" for k, v in params.items()]
    if price:
        lines += ["      input_cost_per_token: 9.0e-07", "      output_cost_per_token: 9.0e-07"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("provider", list(CASES))
def test_listing_every_page_with_its_auth_keeps_listed_and_removes_retired(
    provider, workdir, catalogs, httpx_mock, llmsync
):
    model, params, auth, gone = CASES[provider]
    text = "model_list:\n" + entry("a-listed", model, params, price=False)
    if gone:
        text += entry("b-gone", gone, params, price=False)
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "-p", provider, "--no-cache")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    assert "a-listed" in written
    if gone:
        assert "b-gone" not in written  # the retired model is removed
    url = next(u for u in DIRECT if provider_of(u) == provider)
    pages = DIRECT[url]
    asked = [r for r in httpx_mock.get_requests() if _same_listing(str(r.url), url)]
    assert len(asked) == len(pages)  # every page, once
    for request in asked:
        if auth is None:
            continue
        header = request.headers[auth]
        expected = KEY_HEADER_VALUE.get(auth.lower(), f"Bearer test-{_key_var(provider)}")
        assert header == expected
    assert request.headers.get("accept")


def provider_of(url: str) -> str:
    from llmsync.registry import Registry

    registry = Registry.load(None)
    return next(n for n, p in registry.providers.items() if p.spec.catalogs[0].url == url)


def _same_listing(requested: str, template: str) -> bool:
    real = template.replace("${CLOUDFLARE_ACCOUNT_ID}", CLOUDFLARE_ACCOUNT)
    return requested.split("?")[0] == real.split("?")[0]


def _key_var(provider: str) -> str:
    from llmsync.registry import Registry

    return Registry.load(None).providers[provider].spec.api_key_env.lower()


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # prices in the listing, in four units
        ("cerebras/gpt-oss-120b", ("3.5e-07", "7.5e-07")),  # USD/token strings
        ("xai/grok-4.3", ("1.25e-06", "2.5e-06")),  # US cents per 100M tokens
        ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", ("8.8e-07", "8.8e-07")),  # per 1M
        ("cloudflare/@cf/meta/llama-3.3-70b-instruct-fp8-fast", ("2.9e-07", "2.25e-06")),
        ("deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo", ("1.0e-07", "3.2e-07")),
        ("sambanova/Meta-Llama-3.3-70B-Instruct", ("6.0e-07", "1.2e-06")),
        # no prices in the listing: models.dev first, then LiteLLM's cost map
        ("gpt-4o", ("2.5e-06", "1.0e-05")),  # models.dev openai
        ("gemini/gemini-2.0-flash", ("1.0e-07", "4.0e-07")),  # models.dev google
        ("groq/llama-3.3-70b-versatile", ("5.9e-07", "7.9e-07")),  # models.dev groq
        ("fireworks_ai/gpt-oss-120b", ("1.5e-07", "6.0e-07")),  # cost map only
    ],
)
def test_prices_come_from_the_best_source_in_its_unit(model, expected, workdir, catalogs, llmsync):
    config = write_config(workdir, "model_list:\n" + entry("m", model, {}))
    catalogs.serve()
    run = llmsync("cleanup", "--no-cache", "--max-price-factor", "1000")
    assert run.exit_code in (0, 1), run.output
    text = config.read_text()
    assert f"input_cost_per_token: {expected[0]}\n" in text, run.output
    assert f"output_cost_per_token: {expected[1]}\n" in text


def test_entries_without_prices_get_none_and_unknown_models_are_named(workdir, catalogs, llmsync):
    text = "model_list:\n" + entry("a", "gpt-4o", {}, price=False)
    text += entry("b", "gpt-4.1", {}, price=False)  # models.dev has it, the cost map does not
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "openai", "--no-cache")
    assert run.exit_code == 0, run.output
    assert config.read_text() == text
    assert "does not know gpt-4.1" in run.stderr and "spend is tracked as 0" in run.stderr
    assert "does not know gpt-4o " not in run.stderr


RETIRING = [
    ("mistral/mistral-small-2501", "2026-01-31", "mistral-small-latest"),  # deprecation date
    ("groq/moonshotai/kimi-k2-instruct", "deprecated", None),  # active: false
    ("cerebras/llama3.1-8b", "deprecated", None),  # deprecated: true
    ("fireworks_ai/accounts/fireworks/models/gpt-oss-120b", "2026-11-07", None),  # {y, m, d}
    ("cohere/command-r-plus-04-2024", "deprecated", None),  # is_deprecated
    ("cloudflare/@cf/mistral/mistral-7b-instruct-v0.1", "2026-05-30", None),  # property list
    ("gemini/gemini-2.0-flash", "2026-06-01", None),  # cost map deprecation_date, past
    ("anthropic/claude-3-5-haiku-20241022", "deprecated", None),  # models.dev status
]


def test_lifecycle_is_reported_and_written_on_request(workdir, catalogs, llmsync):
    text = "model_list:\n" + "".join(
        entry(f"m{i}", model, {}) + "    model_info:\n      mode: chat\n"
        for i, (model, _, _) in enumerate(RETIRING)
    )
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "--no-cache", "--format", "json", "--force")
    report = json.loads(run.stdout)
    got = {(r["model"], r["date"], r["replacement"]) for r in report["retiring"]}
    assert got >= set(RETIRING), got
    assert config.read_text() != text  # prices moved, nothing else yet

    run = llmsync("cleanup", "--no-cache", "--lifecycle", "--force")
    written = config.read_text()
    assert "      deprecation_date: '2026-01-31'\n" in written
    assert "      deprecation_date: '2026-11-07'\n" in written
    assert written.count("deprecation_date:") == 4  # only real dates are written
    assert "retiring mistral-small" not in written
    assert (
        "m0 (mistral/mistral-small-2501): retires 2026-01-31; replacement: mistral-small-latest"
        in run.stdout
    )


def test_a_rejected_key_is_a_failure_that_removes_nothing(workdir, catalogs, llmsync):
    text = "model_list:\n" + entry("a", "groq/llama-3.3-70b-versatile", {})
    text += entry("b", "groq/gone", {})
    config = write_config(workdir, text)
    catalogs.serve(
        groq=httpx.Response(401, json={"error": {"message": "Invalid API Key"}}),
    )
    run = llmsync("cleanup", "-p", "groq", "--no-cache")
    assert run.exit_code == 1
    assert (
        "groq failed: https://api.groq.com/openai/v1/models: HTTP 401 (is GROQ_API_KEY set?)"
        in run.stdout
    )
    assert config.read_text() == text


def test_an_entry_is_checked_with_the_key_it_names(
    workdir, catalogs, httpx_mock, llmsync, monkeypatch
):
    monkeypatch.setenv("GROQ_TEAM_B", "team-b-key-0001")
    text = "model_list:\n" + entry("a", "groq/llama-3.3-70b-versatile", {}, price=False)
    text += entry(
        "b", "groq/llama-3.1-8b-instant", {"api_key": "os.environ/GROQ_TEAM_B"}, price=False
    )
    write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "groq", "--no-cache", "--dry-run")
    assert run.exit_code == 0, run.output
    keys = {r.headers["Authorization"] for r in httpx_mock.get_requests() if "groq" in str(r.url)}
    assert keys == {"Bearer test-groq_api_key", "Bearer team-b-key-0001"}


def test_a_provider_that_never_answers_is_cut_off_by_the_run_deadline(
    workdir, catalogs, httpx_mock, llmsync
):
    import asyncio

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    httpx_mock.add_callback(never, url="https://api.groq.com/openai/v1/models", is_reusable=True)
    text = "model_list:\n" + entry("a", "groq/llama-3.3-70b-versatile", {})
    text += entry("b", "mistral/mistral-large-latest", {"input_cost_per_token": "1.0e-07"}, False)
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "--timeout", "1", "--no-cache")
    assert run.exit_code == 1, run.output
    assert "groq failed: ran out of time: the run's deadline is 1s (--timeout)" in run.stdout
    assert "input_cost_per_token: 5.0e-07" in config.read_text()  # mistral still cleaned up


def test_validate_online_warns_about_retiring_models(workdir, catalogs, llmsync):
    text = "model_list:\n" + entry("m", "mistral/mistral-small-2501", {}, price=False)
    text += entry("n", "mistral/mistral-large-latest", {}, price=False)
    write_config(workdir, text)
    catalogs.serve()
    run = llmsync("validate", "--online", "--no-cache")
    assert run.exit_code == 0, run.output  # a warning
    assert (
        "W063 mistral-small-2501 retires 2026-01-31 (mistral); replacement: mistral-small-latest"
        in run.stdout
    )
    assert run.stdout.count("W063") == 1


@pytest.mark.parametrize("provider", list(CASES))
def test_a_missing_key_skips_and_a_rejected_key_removes_nothing(
    provider, workdir, catalogs, httpx_mock, llmsync, monkeypatch
):
    from llmsync.registry import Registry

    spec = Registry.load(None).providers[provider].spec
    model, params, _, gone = CASES[provider]
    text = "model_list:\n" + entry("a", model, params, price=False)
    text += entry("b", gone or model, params, price=False)
    config = write_config(workdir, text)
    if spec.key_required:
        monkeypatch.delenv(spec.api_key_env)
        run = llmsync("cleanup", "-p", provider, "--no-cache")
        assert run.exit_code == 0, run.output
        assert (
            f"{provider} skipped: {spec.api_key_env} is not set: set it to check 2 entries"
            in run.stdout
        )
        assert httpx_mock.get_requests() == []
        assert config.read_text() == text
        monkeypatch.setenv(spec.api_key_env, "a-wrong-key")
    url = next(u for u in DIRECT if provider_of(u) == provider)
    first = url.replace("${CLOUDFLARE_ACCOUNT_ID}", CLOUDFLARE_ACCOUNT) + next(iter(DIRECT[url]))
    httpx_mock.add_response(url=first, status_code=401, json={"error": "invalid key"})
    catalogs.serve()  # everything else (price books) as usual
    run = llmsync("cleanup", "-p", provider, "--no-cache")
    assert run.exit_code == 1, run.output
    assert f"{provider} failed: " in run.stdout and "HTTP 401" in run.stdout
    assert config.read_text() == text


def test_a_partial_speech_listing_reports_what_it_lacks_and_sends_the_bare_key(
    workdir, catalogs, httpx_mock, llmsync
):
    """ElevenLabs: a bare JSON list keyed by model_id, the key in xi-api-key without a scheme;
    its listing may omit the transcription models, so a missing model is reported, not removed."""
    text = (
        "model_list:\n"
        + entry("tts", "elevenlabs/eleven_multilingual_v2", {}, price=False)
        + entry("stt", "elevenlabs/scribe_v1", {}, price=False)
    )
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "elevenlabs", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output
    assert config.read_text() == text
    data = json.loads(run.stdout)
    assert any("scribe_v1" in n for n in data["notes"]), data["notes"]
    (asked,) = httpx_mock.get_requests(url="https://api.elevenlabs.io/v1/models")
    assert asked.headers["xi-api-key"] == "test-elevenlabs_api_key"
    assert "authorization" not in asked.headers


def test_models_and_api_bases_written_as_environment_references_are_read_like_the_proxy(
    workdir, catalogs, llmsync, monkeypatch
):
    """model: os.environ/X is X's value; an anthropic/ entry whose api_base is
    os.environ/ZAI_API_BASE is Z.ai's (LiteLLM's own variable for it), set or not."""
    monkeypatch.setenv("CHAT_MODEL", "zai/glm-3-turbo")
    monkeypatch.delenv("SPARE_MODEL", raising=False)
    monkeypatch.delenv("ZAI_API_BASE", raising=False)
    text = (
        "model_list:\n"
        + entry("from-env", "os.environ/CHAT_MODEL", {}, price=False)
        + entry("glm", "anthropic/glm-4.6", {"api_base": "os.environ/ZAI_API_BASE"}, price=False)
        + entry("spare", "os.environ/SPARE_MODEL", {}, price=False)
    )
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "zai", "--no-cache", "--format", "json", "--dry-run")
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert {p["name"]: p["entries"] for p in data["providers"]}["zai"] == 2
    assert [r["model_name"] for r in data["changes"]["removed"]] == ["from-env"]  # glm-3 retired
    assert (
        "SPARE_MODEL is not set here: 1 entry with model: os.environ/SPARE_MODEL not checked"
        in data["notes"]
    )
    assert config.read_text() == text


def test_lifecycle_and_fill_limits_together_create_one_model_info(workdir, catalogs, llmsync):
    """An entry without model_info: --lifecycle creates it (as --fill-limits does), and both
    flags together give one model_info holding both, in the entry's own indentation."""
    text = "model_list:\n" + entry("g", "gemini/gemini-2.0-flash", {})
    config = write_config(workdir, text)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "gemini", "--no-cache", "--lifecycle", "--fill-limits")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    assert written.count("model_info:") == 1
    info = written.split("    model_info:\n", 1)[1]
    assert "      deprecation_date: '2026-06-01'\n" in info
    assert "      max_input_tokens: " in info
