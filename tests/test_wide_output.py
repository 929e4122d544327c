"""Tables off a terminal (a pipe, a CI log, a PR body) print at their content's width: a long
model id, a long provider name, a price or a count is never broken across lines or cut. On a
terminal they still fit its width."""

from __future__ import annotations

import json
import time

import pytest
from conftest import write_config

# 120 characters, hyphens only: no place a table could break it but a fold
LONG_ID = (
    "vendor/"
    + "-".join(["a-model-id-long-enough-to-break-any-terminal"] * 2)
    + "-instruct-2026-preview01"
)
OTHER_ID = "vendor/short-model"
LONG_PROVIDER = "a_provider_whose_name_alone_is_longer_than_half_a_terminal"
OTHER_PROVIDER = "second_provider_with_a_rather_long_name_too"
URL = "https://catalogue.example.com/api/v1/a/long/path/to/the/models/listing/of/this/provider"
OTHER_URL = "https://other.example.com/v1/models"

REGISTRY = f"""
replace: true  # the whole registry: only these two providers
defaults: {{retries: 0, backoff: 0}}
providers:
  {LONG_PROVIDER}:
    kind: models_list
    catalogs: [{{url: "{URL}"}}]
    match: [{{prefix: longprov/}}]
    prices:
      fields: {{input_cost_per_token: pricing.prompt, output_cost_per_token: pricing.completion}}
    limits: {{max_input_tokens: context_length}}
  {OTHER_PROVIDER}:
    kind: models_list
    catalogs: [{{url: "{OTHER_URL}"}}]
    match: [{{prefix: otherprov/}}]
    prices:
      fields: {{input_cost_per_token: pricing.prompt, output_cost_per_token: pricing.completion}}
    limits: {{max_input_tokens: context_length}}
"""


def listing(*ids: str) -> dict:
    return {
        "data": [
            {
                "id": model_id,
                "pricing": {"prompt": "0.00000125", "completion": "0.00001"},
                "context_length": 1048576,
            }
            for model_id in ids
        ]
    }


@pytest.fixture
def wide(workdir, httpx_mock, monkeypatch):
    """A registry of two long-named providers, both serving the 120-character id, and a config
    whose entries are priced differently (so cleanup reprices them)."""
    monkeypatch.delenv("COLUMNS", raising=False)  # the width is the content's, not 80
    (workdir / "providers.yaml").write_text(REGISTRY)
    httpx_mock.add_response(url=URL, json=listing(LONG_ID, OTHER_ID), is_optional=True,
                            is_reusable=True)  # fmt: skip
    httpx_mock.add_response(url=OTHER_URL, json=listing(LONG_ID), is_optional=True,
                            is_reusable=True)  # fmt: skip
    write_config(
        workdir,
        f"""
        model_list:
          - model_name: long
            litellm_params:
              model: longprov/{LONG_ID}
              input_cost_per_token: 1.0e-06
          - model_name: other
            litellm_params:
              model: otherprov/{LONG_ID}
              input_cost_per_token: 1.0e-06
        """,
    )
    return workdir


def table(text: str, title: str) -> tuple[list[str], list[list[str]]]:
    """The header cells and the body rows (cells stripped) of the box table under ``title``;
    a cell that wrapped would show as an extra line here."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    top, rule, bottom = (
        next(i for i in range(start, len(lines)) if lines[i].startswith(mark))
        for mark in ("┏", "┡", "└")
    )
    assert rule - top == 2, f"the header wrapped:\n{text}"
    width = len(lines[top])
    assert all(len(line) == width for line in lines[top : bottom + 1]), text

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line[1:-1].replace("┃", "│").split("│")]

    return cells(lines[top + 1]), [cells(line) for line in lines[rule + 1 : bottom]]


def test_find_prints_long_ids_and_provider_names_whole(wide, llmsync):
    run = llmsync("find", "a-model-id-long-enough")
    assert run.exit_code == 0, run.output
    header, rows = table(run.stdout, "Models like")
    assert header == ["provider", "id", "match", "input", "output", "cache read", "context",
                      "retiring", "in config"]  # fmt: skip
    assert len(LONG_ID) == 120
    assert sorted((r[0], r[1], r[6], r[8]) for r in rows) == [
        (LONG_PROVIDER, LONG_ID, "1,048,576", "yes"),
        (OTHER_PROVIDER, LONG_ID, "1,048,576", "yes"),
    ]
    assert [r[3:5] for r in rows] == [["1.25", "10"]] * 2
    as_json = json.loads(llmsync("find", "a-model-id-long-enough", "--format", "json").stdout)
    assert {r["id"] for r in as_json["results"]} == {LONG_ID}


def test_cleanup_summary_and_repriced_tables_keep_ids_whole(wide, llmsync):
    run = llmsync("cleanup", "--dry-run")
    assert run.exit_code == 0, run.output
    header, rows = table(run.stdout, "Providers")
    assert header == ["provider", "entries", "removed", "repriced", "added", "status"]
    assert sorted(rows) == [
        [LONG_PROVIDER, "1", "0", "1", "0", "ok"],
        [OTHER_PROVIDER, "1", "0", "1", "0", "ok"],
    ]
    header, rows = table(run.stdout, "Repriced")
    assert header == ["model", "field", "old → new", "Δ%", "source"]
    day = time.strftime("%Y-%m-%d", time.gmtime())  # fetched in this run
    assert sorted(row[:4] for row in rows) == [
        [f"longprov/{LONG_ID}", "input", "1.0e-06 → 1.25e-06", "+25.0%"],
        [f"longprov/{LONG_ID}", "output", "(none) → 1.0e-05", ""],
        [f"otherprov/{LONG_ID}", "input", "1.0e-06 → 1.25e-06", "+25.0%"],
        [f"otherprov/{LONG_ID}", "output", "(none) → 1.0e-05", ""],
    ]
    assert {row[4] for row in rows} == {f"listing {day}"}


def test_an_exported_columns_does_not_narrow_a_pipe(wide, llmsync, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # as some CI images export it
    run = llmsync("cleanup", "--dry-run")
    _, rows = table(run.stdout, "Repriced")
    assert len(rows) == 4 and f"otherprov/{LONG_ID}" in run.stdout.splitlines()[-3]


def test_providers_listing_keeps_names_and_urls_whole(wide, llmsync):
    run = llmsync("providers")
    assert run.exit_code == 0, run.output
    header, rows = table(run.stdout, "Providers")
    assert header == ["provider", "recognised by", "catalogue", "key"]
    assert rows == [
        [LONG_PROVIDER, "longprov/", URL, "-"],
        [OTHER_PROVIDER, "otherprov/", OTHER_URL, "-"],
    ]
    data = json.loads(llmsync("providers", "--format", "json").stdout)
    assert data["version"] == 1 and data["sources"] == []
    assert data["providers"] == [
        {
            "name": LONG_PROVIDER,
            "recognised_by": [{"prefix": "longprov/", "api_base": None}],
            "catalogues": [URL],
            "key": None,
        },
        {
            "name": OTHER_PROVIDER,
            "recognised_by": [{"prefix": "otherprov/", "api_base": None}],
            "catalogues": [OTHER_URL],
            "key": None,
        },
    ]


def test_providers_json_says_whether_a_key_is_set_never_its_value(workdir, llmsync, monkeypatch):
    monkeypatch.setenv("POE_API_KEY", "poe-secret-value")
    monkeypatch.delenv("NOVITA_API_KEY", raising=False)
    run = llmsync("providers", "--format", "json")
    assert run.exit_code == 0, run.output
    keys = {p["name"]: p["key"] for p in json.loads(run.stdout)["providers"]}
    assert keys["poe"] == {"env": "POE_API_KEY", "set": True}
    assert keys["novita"] == {"env": "NOVITA_API_KEY", "set": False}
    assert "poe-secret-value" not in run.stdout
    assert llmsync("providers", "--format", "xml").exit_code != 0


def test_on_a_terminal_tables_still_fit_its_width(wide, llmsync, monkeypatch):
    import llmsync.render as render

    # stdout is a 60-column terminal (stderr stays a pipe: no live progress display)
    monkeypatch.setattr(render, "on_terminal", lambda stream: not getattr(stream, "_stderr", True))
    monkeypatch.setenv("COLUMNS", "60")
    for args, title in ((("find", "a-model-id-long-enough"), "Models like"),
                        (("cleanup", "--dry-run"), "Repriced"),
                        (("providers",), "Providers")):  # fmt: skip
        run = llmsync(*args)
        assert run.exit_code == 0, run.output
        boxed = [line for line in run.stdout.splitlines() if line[:1] and line[0] in "┏┃┡│└"]
        assert boxed and all(len(line) <= 60 for line in boxed), (args, run.stdout)
        assert title in run.stdout
        # the long id folds: every piece of it is there, in order
        if args[0] != "providers":
            column = "".join(
                line.split("│")[1 if args[0] == "cleanup" else 2].strip()
                for line in boxed
                if line.startswith("│")
            )
            assert LONG_ID in column, run.stdout


def test_a_wide_enough_terminal_folds_only_ids_and_names(wide, llmsync, monkeypatch):
    import llmsync.render as render

    monkeypatch.setattr(render, "on_terminal", lambda stream: not getattr(stream, "_stderr", True))
    monkeypatch.setenv("COLUMNS", "120")
    for args, title, first_whole in ((("find", "a-model-id-long-enough"), "Models like", 2),
                                     (("cleanup", "--dry-run"), "Repriced", 1)):  # fmt: skip
        text = llmsync(*args).stdout
        lines = text.splitlines()
        top = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
        bottom = next(i for i in range(top, len(lines)) if lines[i].startswith("└"))
        assert all(len(line) <= 120 for line in lines[top : bottom + 1]), text
        assert lines[top + 2].startswith("┡"), text  # the header stays on one line
        body = [line[1:-1].split("│") for line in lines[top + 3 : bottom]]
        assert len(body) > 4, text  # the ids did fold...
        starts = [row for row in body if row[first_whole].strip()]
        assert len(starts) in (2, 4), text  # ...but each other cell is on its row's first line
        whole = {cell.strip() for row in starts for cell in row[first_whole:]}
        assert whole >= {"1.25", "10", "1,048,576", "yes"} or whole >= {
            "input",
            "1.0e-06 → 1.25e-06",
            "+25.0%",
        }, text


def test_generate_has_a_json_format_too(workdir, httpx_mock, llmsync, monkeypatch):
    """generate prints the Providers table in text; --format json gives the plan as data and
    keeps stdout pure (as cleanup does)."""
    from test_generate import HAND_WRITTEN, serve_sources
    from test_generate import REGISTRY as SOURCES_REGISTRY

    monkeypatch.setenv("UPSTREAM_KEY", "k-upstream")
    (workdir / "providers.yaml").write_text(SOURCES_REGISTRY)
    config = write_config(workdir, HAND_WRITTEN)
    serve_sources(httpx_mock)
    run = llmsync("generate", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert {p["name"] for p in data["providers"]} >= {"gpu-box", "vllm", "upstream"}
    assert "Dry run" in run.stderr and config.read_text() == HAND_WRITTEN.lstrip("\n")
    check = llmsync("generate", "--check", "--format", "json")
    assert check.exit_code == 1 and json.loads(check.stdout)["providers"]
    assert llmsync("generate", "--format", "xml").exit_code != 0
