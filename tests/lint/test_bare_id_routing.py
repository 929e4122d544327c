"""E024 (and E015 for an unknown `prefix/`) agree with LiteLLM's own ``get_llm_provider`` on
every model id without a provider prefix: the corpus configs' ids, LiteLLM's own model lists and
cost map, and ids LiteLLM does not know yet (its fallback generalizations route a future
``claude-*`` to anthropic). LiteLLM 1.106.2 answers from its own environment
(``$LLMSYNC_LITELLM_PYTHON``), asked once per module."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES
from oracle import oracle_python

from llmsync.document import env_reference
from llmsync.lint import Validator, known_providers
from llmsync.lint.core import value_node
from llmsync.lint.entries import _custom_providers

CORPUS_FILES = [
    *sorted(CORPUS.glob("*.yaml")),
    *sorted((CORPUS.parent / "corpus2-public").glob("**/*.yaml")),
    *sorted((FIXTURES / "corpus3").glob("*.yaml")),
]

FUTURE = [
    "claude-sonnet-4-20250514",  # the issue's: no longer a cost-map key, routed by a rule
    "claude-opus-4-1-20250805",
    "claude-opus-4-20250514",
    "claude-3-7-sonnet-latest",
    "us.anthropic.claude-opus-9-v1:0",
    "ft:gpt-4o-mini:acme::x1",
    "claude-sonnet-9-20290101",
    "claude-opus-5",
    "claude-haiku-5-1",
    "claude-haiku-5.1-20290101",
    "Claude-Sonnet-9",  # the rules ignore case
    "claude-9",
    "claude-sonnet-9-20290101-extra",
    "claude-3-opus-20240229",
    "us.anthropic.claude-sonnet-9-20290101-v1:0",
    "eu.anthropic.claude-opus-7-v1:0",
    "anthropic.claude-future-v9",
    "global.anthropic.claude-haiku-9",
    "us.anthropic.claude-" + "x" * 60 + ":0",  # replicate's branch takes it; the regexes still run
    "gpt-7",
    "gpt-5.9-mini",
    "gpt-image-3",
    "gpt-image-9-mini",
    "ft:gpt-4o:my-org::abc123",
    "ft:gpt-3.5-turbo-0125:org::x",
    "ft:gpt-9:org::x",
    "o9-mini",
    "o5",
    "chatgpt-9o-latest",
    "text-embedding-9-large",
    "dall-e-9",
    "gemini-9-pro",
    "gemini-3.5-flash",
    "gemini-9.0-flash-lite",
    "mistral-large-9",
    "command-r9",
    "llama-9-70b",
    "deepseek-chat-v9",
    "grok-9",
    "amazon_nova_pro_2",
    "amazon_nova-" + "x" * 60 + ":abc",  # replicate's branch takes it first: no provider
    "amazon.nova-pro-v9:0",
    "veo-9.0-generate-001",
    "*",
    "my-model",
    "o1-preview",
    "chat-bison",
    "some-owner/some-model:" + "a" * 64,  # replicate's name:version
    "some-owner/some-model:" + "a" * 63,
    "meta-llama/Llama-9-8b",
    "low/1024-x-1024/gpt-image-1",
    "ultra/1024-x-1024/gpt-image-9",
]

ORACLE = r"""
import contextlib, json, sys
from importlib.metadata import version
import litellm

litellm.suppress_debug_info = True
asked = json.load(sys.stdin)
providers = set(asked["providers"])
own = {k for k in litellm.model_cost if isinstance(k, str)}
for name in dir(litellm):
    value = getattr(litellm, name)
    if name.endswith("_models") and isinstance(value, (set, frozenset, list, tuple, dict)):
        own |= {m for m in value if isinstance(m, str)}
# only ids without a provider prefix: a prefixed github_copilot/ or chatgpt/ id starts an OAuth
# device flow
own = {m for m in own if "/" not in m or m.split("/", 1)[0] not in providers}
verdicts = {}
with contextlib.redirect_stdout(sys.stderr):  # LiteLLM prints its provider list on a miss
    for model in sorted(own | set(asked["ids"])):
        try:
            litellm.get_llm_provider(model)
        except Exception:
            verdicts[model] = False
        else:
            verdicts[model] = True
print(json.dumps({"version": version("litellm"), "own": sorted(own), "verdicts": verdicts}))
"""


def bare(model: str, custom: set[str] = frozenset()) -> bool:
    """An id E024/E015 judge by routing: no `/`, or a first segment that is no provider (of
    LiteLLM's, or of the config's ``custom_provider_map``)."""
    return env_reference(model) is None and (
        "/" not in model or model.split("/", 1)[0] not in PROVIDERS | custom
    )


PROVIDERS = known_providers()


@pytest.fixture(scope="module")
def corpus_ids() -> dict[Path, list[tuple[str, str, int]]]:
    """Per corpus file: (file name in findings, model, line) of each entry with a bare id."""
    found: dict[Path, list[tuple[str, str, int]]] = {}
    cwd = os.getcwd()
    try:
        for path in CORPUS_FILES:
            os.chdir(path.parent)
            validator = Validator({})
            validator.run(Path(path.name))
            found[path] = []
            custom = _custom_providers(validator.ctx)
            for doc, entry in validator.ctx.entries:
                params = value_node(entry.node, "litellm_params")
                model = value_node(params, "model")
                data = entry.data if isinstance(entry.data, dict) else {}
                litellm_params = data.get("litellm_params")
                if model is None or not isinstance(litellm_params, dict):
                    continue
                if "custom_llm_provider" in litellm_params:
                    continue
                text = litellm_params.get("model")
                if isinstance(text, str) and text and bare(text, custom):
                    found[path].append((doc.name, text, model.start_mark.line + 1))
    finally:
        os.chdir(cwd)
    return found


@pytest.fixture(scope="module")
def litellm_says(corpus_ids) -> dict:
    asked = sorted({m for ids in corpus_ids.values() for _, m, _ in ids} | set(FUTURE))
    done = subprocess.run(
        [str(oracle_python()), "-I", "-c", ORACLE],  # -I: llmsync/lint/secrets.py is not `secrets`
        input=json.dumps({"ids": asked, "providers": sorted(PROVIDERS)}),
        capture_output=True,
        text=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        timeout=300,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["version"] == "1.106.2"
    return answer


def llmsync_refuses(models: list[str], tmp_path: Path) -> set[str]:
    """The ids validate reports E024/E015 for, each in an entry of one config."""
    lines, at = ["model_list:"], {}
    for i, model in enumerate(models):
        lines += [
            f"  - model_name: m{i}",
            "    litellm_params:",
            f"      model: {json.dumps(model)}",
        ]
        at[len(lines)] = model
    config = tmp_path / "ids.yaml"
    config.write_text("\n".join(lines) + "\n")
    report = Validator({}, select=["E015", "E024"]).run(config)
    return {at[f.line] for f in report.findings}


def compare(models: list[str], verdicts: dict[str, bool], tmp_path: Path) -> list[str]:
    refused = llmsync_refuses(models, tmp_path)
    return [
        f"{m!r}: LiteLLM {'routes' if verdicts[m] else 'refuses'} it, llmsync "
        f"{'refuses' if m in refused else 'accepts'} it"
        for m in models
        if verdicts[m] == (m in refused)
    ]


def test_litellm_own_ids_and_future_ids_are_judged_as_litellm_does(litellm_says, tmp_path):
    verdicts = litellm_says["verdicts"]
    own = sorted(m for m in litellm_says["own"] if m and bare(m))
    future = sorted({m for m in FUTURE if bare(m)})
    disagreements = compare(own, verdicts, tmp_path) + compare(future, verdicts, tmp_path)
    routed = sum(verdicts[m] for m in own)
    print(
        f"\nLiteLLM's own bare ids: {len(own)} ({routed} routed, {len(own) - routed} not); "
        f"future ids: {len(future)} ({sum(verdicts[m] for m in future)} routed); "
        f"disagreements: {len(disagreements)}"
    )
    assert not disagreements, "\n".join(disagreements[:40])
    assert verdicts["claude-sonnet-4-20250514"] and verdicts["claude-sonnet-9-20290101"]
    assert not verdicts["gpt-7"]  # the rules are no blanket pass


@pytest.mark.skipif(not CORPUS_FILES, reason=f"corpus not found at {CORPUS}")
def test_corpus_bare_ids_get_e024_exactly_when_litellm_cannot_route_them(
    corpus_ids, litellm_says, monkeypatch
):
    verdicts = litellm_says["verdicts"]
    compared = false_errors = missed = refused = 0
    problems = []
    for path, ids in corpus_ids.items():
        monkeypatch.chdir(path.parent)
        report = Validator({}, select=["E015", "E024"]).run(Path(path.name))
        flagged = {(f.file, f.line) for f in report.findings}
        for name, model, line in ids:
            compared += 1
            has = (name, line) in flagged
            refused += not verdicts[model]
            if has and verdicts[model]:
                false_errors += 1
                problems.append(f"{path.name}:{line}: {model!r} flagged, LiteLLM routes it")
            elif not has and not verdicts[model]:
                missed += 1
                problems.append(f"{path.name}:{line}: {model!r} not flagged, LiteLLM refuses it")
    print(
        f"\ncorpus: {len(CORPUS_FILES)} files, {compared} bare ids compared "
        f"({refused} LiteLLM refuses); E024/E015 where LiteLLM routes: {false_errors}; "
        f"missing where it refuses: {missed}"
    )
    assert compared
    assert not problems, "\n".join(problems)


def test_the_issue_ids_are_no_e024_and_unknown_ones_still_are(tmp_path):
    """No LiteLLM needed: the shipped data files alone decide."""
    models = [
        "claude-sonnet-4-20250514",  # the issue's three false errors
        "claude-opus-4-20250514",
        "claude-3-7-sonnet-latest",
        "claude-sonnet-9-20290101",  # a future release, by the cost map's generalization rule
        "us.anthropic.claude-opus-9-v1:0",
        "ft:gpt-4o-mini:acme::x1",
        "gpt-7",
        "o1-preview",
        "meta-llama/Llama-9-8b",
    ]
    refused = llmsync_refuses(models, tmp_path)
    assert refused == {"claude-3-7-sonnet-latest", "gpt-7", "o1-preview", "meta-llama/Llama-9-8b"}


def test_the_routing_data_is_generated_from_the_pinned_litellm():
    from importlib import resources

    for name in ("litellm_bare_ids.txt", "litellm_bare_rules.txt"):
        text = resources.files("llmsync").joinpath("data", name).read_text("utf-8")
        assert text.startswith(
            "# Generated by tools/litellm_data.py from litellm==1.106.2; do not edit.\n"
        )
