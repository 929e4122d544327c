"""lint.core and lint.output: suppression, selection, formats, the rules table."""

import json

import pytest
from lint_helpers import LINT, cases, codes, golden, lint


@pytest.mark.parametrize("name", cases("core"))
def test_golden(name, monkeypatch):
    golden("core", name, monkeypatch)


def test_inline_ignores_silence_only_what_they_name(monkeypatch):
    report = golden("core", "suppressed.yaml", monkeypatch)
    assert codes(report) == ["W017"]  # E040 and E015 silenced, W017 named no code of its own


def test_select_and_ignore_take_codes_and_prefixes(monkeypatch):
    assert set(codes(lint("secrets", "real_keys.yaml", monkeypatch, select=["W"]))) == set()
    assert codes(lint("numbers", "limits.yaml", monkeypatch, ignore=["E01"])) == []
    assert codes(lint("numbers", "limits.yaml", monkeypatch, select=["E018"])) == ["E018", "E018"]


def test_github_and_sarif_formats(llmsync, monkeypatch):
    monkeypatch.chdir(LINT / "numbers")
    github = llmsync("validate", "--config", "limits.yaml", "--format", "github")
    assert github.exit_code == 1
    lines = github.stdout.strip().splitlines()
    assert lines[0].startswith(
        "::error file=limits.yaml,line=5,col=12,title=E018 limit-not-integer::"
    )
    sarif = json.loads(llmsync("validate", "--config", "limits.yaml", "--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and run["tool"]["driver"]["rules"][0]["id"] == "E018"
    first = run["results"][0]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 12,
    }


def test_a_clean_config_is_clean(monkeypatch):
    report = golden("core", "clean.yaml", monkeypatch)
    assert report.findings == [] and report.exit_code(strict=True) == 0
