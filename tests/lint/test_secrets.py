"""lint.secrets: credentials classified; values never printed."""

import json

import pytest
from lint_helpers import LINT, cases, codes, golden


@pytest.mark.parametrize("name", cases("secrets"))
def test_golden_and_no_value_printed(name, monkeypatch):
    report = golden("secrets", name, monkeypatch)
    text = report.as_text() + json.dumps(report.as_json(False))
    source = (LINT / "secrets" / name).read_text()
    for line in source.splitlines():
        if "api_key:" in line or "master_key:" in line:
            value = line.split(":", 1)[1].split("#")[0].strip().strip('"')
            if not value.startswith("os.environ/") and len(value) > 3:
                assert value not in text, value


def test_every_placeholder_shape_is_information_not_an_error(monkeypatch):
    report = golden("secrets", "placeholders.yaml", monkeypatch)
    assert set(codes(report)) == {"I042"} and len(report.findings) == 13
    assert report.exit_code(strict=True) == 0


def test_real_looking_keys_are_errors(monkeypatch):
    assert codes(golden("secrets", "real_keys.yaml", monkeypatch)) == ["E040"] * 6


def test_keys_of_local_servers_are_placeholders(monkeypatch):
    assert codes(golden("secrets", "local_server_key.yaml", monkeypatch)) == ["I042", "I042"]


def test_interpolation_gets_the_fix(monkeypatch):
    report = golden("secrets", "interpolation.yaml", monkeypatch)
    assert codes(report) == ["E044"] * 3
    assert "write os.environ/OPENAI_API_KEY" in report.findings[0].message


def test_the_example_master_key_is_refused(monkeypatch):
    assert codes(golden("secrets", "master_key_weak.yaml", monkeypatch)) == ["E043"]


def test_other_literals_are_worth_a_look(monkeypatch):
    assert codes(golden("secrets", "literal_unknown.yaml", monkeypatch)) == ["W045"]
