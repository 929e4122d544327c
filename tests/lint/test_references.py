"""lint.references: names that must resolve; deployments LiteLLM would hold twice."""

import pytest
from lint_helpers import cases, codes, golden


@pytest.mark.parametrize("name", cases("references"))
def test_golden(name, monkeypatch):
    golden("references", name, monkeypatch)


def test_only_identical_deployments_are_duplicates(monkeypatch):
    report = golden("references", "duplicates.yaml", monkeypatch)
    assert codes(report) == ["W032"]  # region and tags make separate deployments
    assert report.findings[0].line == 10


def test_wildcard_model_names_resolve(monkeypatch):
    report = golden("references", "fallbacks_unknown.yaml", monkeypatch)
    assert sorted(f.message.split(" names ")[1].split(",")[0] for f in report.findings) == [
        "'b'",
        "'missing'",
    ]
