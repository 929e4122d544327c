"""validate: golden text and JSON reports over broken configs and the corpus; exit codes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, FIXTURES, write_config

from llmsync.lint import RULES, Validator

BROKEN = FIXTURES / "broken"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("LLMSYNC_UPDATE_GOLDEN") == "1"
ENVIRON = {"LLMSYNC_TEST_KEY": "set"}  # everything else counts as unset: reports stay stable

BROKEN_FILES = sorted(p.name for p in BROKEN.glob("*.yaml") if p.name != "include_models.yaml")
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []


def report_for(folder: Path, name: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(folder)  # reports name files as given: keep them relative
    return Validator(ENVIRON).run(Path(name))


def check_golden(kind: str, name: str, text: str) -> None:
    golden = GOLDEN / kind / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), (
        f"no golden file {golden}; run with LLMSYNC_UPDATE_GOLDEN=1 and review it"
    )
    assert text == golden.read_text()


def check_report(kind: str, folder: Path, name: str, monkeypatch) -> None:
    report = report_for(folder, name, monkeypatch)
    stem = name.removesuffix(".yaml")
    check_golden(kind, f"{stem}.txt", report.as_text() + "\n")
    check_golden(kind, f"{stem}.json", json.dumps(report.as_json(strict=False), indent=2) + "\n")


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_broken_configs_golden(name, monkeypatch):
    check_report("broken", BROKEN, name, monkeypatch)


@pytest.mark.parametrize(
    "name",
    CORPUS_FILES
    or [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))],
)
def test_corpus_golden(name, monkeypatch):
    check_report("corpus", CORPUS, name, monkeypatch)


def codes_of(name: str, monkeypatch) -> list[str]:
    return [f.code for f in sorted(report_for(BROKEN, name, monkeypatch).findings)]


def test_each_broken_file_finds_what_it_was_written_for(monkeypatch):
    assert codes_of("indent_mistake.yaml", monkeypatch) == ["E013", "W041"]
    types = codes_of("types.yaml", monkeypatch)
    for code in ("E012", "E014", "E016", "W017", "E018", "W019", "E013", "E011"):
        assert code in types, code
    assert sorted(set(codes_of("references.yaml", monkeypatch))) == ["E030", "E031", "E033"]
    codes = codes_of("secrets.yaml", monkeypatch)
    assert codes.count("E040") == 1 and "E044" in codes and "E043" in codes
    assert "W041" in codes_of("secrets.yaml", monkeypatch)
    assert codes_of("yaml11.yaml", monkeypatch).count("W021") == 3
    assert codes_of("syntax.yaml", monkeypatch) == ["E001"]
    assert sorted(set(codes_of("duplicates.yaml", monkeypatch))) == ["E015", "W032", "W041"]
    assert (
        codes_of("duplicates.yaml", monkeypatch).count("W032") == 1
    )  # key rotation is not a duplicate
    assert codes_of("include_main.yaml", monkeypatch) == ["E050", "W017"]
    assert codes_of("clean.yaml", monkeypatch) == []


def test_secret_values_are_never_printed(monkeypatch):
    report = report_for(BROKEN, "secrets.yaml", monkeypatch)
    text = report.as_text() + json.dumps(report.as_json(False))
    assert "sk-live" not in text and "sk-1234" not in text


def test_the_readme_rules_table_is_the_generated_one(llmsync):
    from llmsync.lint.output import rules_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    table = readme[readme.index(start) + len(start) : readme.index(end)].strip()
    assert table == rules_table(), "regenerate it: llmsync validate --list-rules"
    listed = llmsync("validate", "--list-rules")
    assert listed.exit_code == 0 and listed.stdout.strip() == rules_table()
    assert len(RULES) >= 30 and all(r.doc and r.group for r in RULES.values())


@pytest.mark.parametrize(
    ("name", "args", "key_set", "code"),
    [
        ("clean.yaml", [], True, 0),
        ("clean.yaml", [], False, 0),  # only a warning: the key is unset
        ("clean.yaml", ["--strict"], False, 1),
        ("secrets.yaml", [], True, 1),
        ("yaml11.yaml", [], True, 1),  # model_name: yes is a boolean to LiteLLM
        ("syntax.yaml", [], True, 1),
        ("absent.yaml", [], True, 2),
        ("clean.yaml", ["--format", "xml"], True, 2),
    ],
)
def test_exit_codes(tmp_path, monkeypatch, llmsync, name, args, key_set, code):
    for path in BROKEN.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMSYNC_TEST_KEY", "set")
    if not key_set:
        monkeypatch.delenv("LLMSYNC_TEST_KEY")
    run = llmsync("validate", "--config", name, *args)
    assert run.exit_code == code, run.output


def test_json_output_schema(tmp_path, monkeypatch, llmsync):
    shutil.copy(BROKEN / "types.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    run = llmsync("validate", "--config", "types.yaml", "--format", "json")
    data = json.loads(run.stdout)
    assert set(data) == {"version", "ok", "files", "summary", "findings"}
    assert data["version"] == 1 and data["ok"] is False and data["files"] == ["types.yaml"]
    first = data["findings"][0]
    assert set(first) == {"code", "name", "severity", "file", "line", "column", "message"}
    assert data["summary"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])


@pytest.mark.judge_process  # through LLMSYNC_LITELLM_PYTHON, as a user would run it
def test_strict_builds_litellms_router(workdir, llmsync):
    write_config(
        workdir,
        """
        model_list:
          - model_name: a
            litellm_params:
              model: requesty/openai/gpt-4o
          - model_name: b
            litellm_params:
              model: openai/gpt-4o
              api_base: http://127.0.0.1:9/v1
        """,
    )
    run = llmsync("validate", "--strict")
    assert run.exit_code == 1
    assert "E070 LiteLLM's Router rejects this entry: BadRequestError" in run.stdout
    assert run.stdout.count("E070") == 1


def test_online_checks_catalogues(workdir, catalogs, llmsync):
    write_config(
        workdir,
        """
        model_list:
          - model_name: mini
            litellm_params:
              model: openrouter/openai/gpt-4o-mini
          - model_name: gone
            litellm_params:
              model: openrouter/anthropic/claude-2
          - model_name: poe
            litellm_params:
              model: poe/claude-sonnet-4.5
        """,
    )
    catalogs.serve(poe=httpx.Response(503))
    run = llmsync("validate", "--online")
    assert run.exit_code == 1, run.output
    assert "E060 anthropic/claude-2 is no longer in the openrouter catalogue" in run.stdout
    assert "W061 poe catalogue unavailable" in run.stdout
    assert "gpt-4o-mini" not in run.stdout


@pytest.mark.judge_process
def test_strict_without_litellm_says_how_to_add_it(workdir, llmsync, monkeypatch):
    import sys

    write_config(
        workdir, "model_list:\n  - model_name: a\n    litellm_params:\n      model: gpt-4o\n"
    )
    monkeypatch.delenv("LLMSYNC_LITELLM_PYTHON")
    monkeypatch.setitem(sys.modules, "litellm", None)  # not importable, wherever tests run
    run = llmsync("validate", "--strict")
    assert run.exit_code == 2
    assert "pip install 'llmsync-cli[litellm]'" in run.stderr
    assert "LLMSYNC_LITELLM_PYTHON" in run.stderr
    monkeypatch.setenv("LLMSYNC_LITELLM_PYTHON", str(workdir / "no-such-python"))
    run = llmsync("validate", "--strict")
    assert run.exit_code == 2 and "cannot run it" in run.stderr
