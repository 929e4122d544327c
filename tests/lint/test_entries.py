"""lint.entries: each deployment as LiteLLM's Router reads it."""

import pytest
from lint_helpers import cases, codes, golden


@pytest.mark.parametrize("name", cases("entries"))
def test_golden(name, monkeypatch):
    golden("entries", name, monkeypatch)


def test_bare_ids_are_judged_like_litellm_routes_them(monkeypatch):
    report = golden("entries", "bare_ids.yaml", monkeypatch)
    assert codes(report) == ["E024", "E024"]
    assert {f.line for f in report.findings} == {10, 13}  # o1-preview, claude-3-opus


def test_models_from_the_environment_are_resolved_first(monkeypatch):
    report = golden("entries", "model_from_env.yaml", monkeypatch)
    assert codes(report) == ["E015", "W041"]  # BAD_MODEL's prefix; the unset variable


def test_custom_providers_and_known_prefixes_pass(monkeypatch):
    report = golden("entries", "unknown_prefix.yaml", monkeypatch)
    assert codes(report) == ["E015"] and report.findings[0].line == 4
