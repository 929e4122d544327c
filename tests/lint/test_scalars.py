"""lint.scalars: YAML 1.1 surprises and keys written twice."""

import pytest
from lint_helpers import cases, codes, golden


@pytest.mark.parametrize("name", cases("scalars"))
def test_golden(name, monkeypatch):
    golden("scalars", name, monkeypatch)


def test_a_second_model_list_is_an_error_a_repeated_cost_a_warning(monkeypatch):
    assert codes(golden("scalars", "duplicate_model_list.yaml", monkeypatch)) == ["E022"]
    assert codes(golden("scalars", "duplicate_cost_key.yaml", monkeypatch)) == ["W023"]


def test_quoted_scalars_are_not_surprises(monkeypatch):
    report = golden("scalars", "yaml11.yaml", monkeypatch)
    assert codes(report) == ["W021", "W021"] and {f.line for f in report.findings} == {5, 6}
