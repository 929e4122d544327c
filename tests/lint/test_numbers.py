"""lint.numbers: costs and limits are numbers to PyYAML."""

import pytest
from lint_helpers import cases, codes, golden


@pytest.mark.parametrize("name", cases("numbers"))
def test_golden(name, monkeypatch):
    golden("numbers", name, monkeypatch)


def test_strings_that_look_like_numbers_get_the_fix(monkeypatch):
    report = golden("numbers", "cost_strings.yaml", monkeypatch)
    assert codes(report) == ["W017", "W017"]
    assert "write 3.0e-06" in report.findings[0].message
