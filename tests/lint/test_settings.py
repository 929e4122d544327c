"""lint.settings: router_settings the proxy refuses or ignores."""

import pytest
from lint_helpers import cases, codes, golden


@pytest.mark.parametrize("name", cases("settings"))
def test_golden(name, monkeypatch):
    golden("settings", name, monkeypatch)


def test_health_checks_belong_in_general_settings(monkeypatch):
    report = golden("settings", "router_health_check.yaml", monkeypatch)
    assert codes(report) == ["E034"] and "general_settings" in report.findings[0].message


def test_unknown_router_keys_say_what_was_meant(monkeypatch):
    report = golden("settings", "router_unknown_key.yaml", monkeypatch)
    assert codes(report) == ["W035", "W035"]
    assert "did you mean num_retries?" in report.findings[0].message
