"""lint.loading: files that do not load are findings of their own kind, at their position."""

import pytest
from lint_helpers import cases, codes, golden


@pytest.mark.parametrize("name", cases("loading"))
def test_golden(name, monkeypatch):
    golden("loading", name, monkeypatch)


@pytest.mark.parametrize(
    ("name", "code", "line"),
    [
        ("syntax_error.yaml", "E001", 5),
        ("top_level_list.yaml", "E002", 1),
        ("not_utf8.yaml", "E003", 1),
        ("model_list_scalar.yaml", "E010", 2),  # its own position, not 1:1
        ("include_missing.yaml", "E050", 2),
    ],
)
def test_each_failure_has_its_code_and_position(name, code, line, monkeypatch):
    report = golden("loading", name, monkeypatch)
    assert codes(report) == [code]
    assert report.findings[0].line == line
