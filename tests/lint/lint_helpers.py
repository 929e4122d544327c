"""Shared by tests/lint: run the validator on a small config and compare with its golden."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from test_validate import check_golden

from llmsync.lint import Validator
from llmsync.lint.core import Report

LINT = FIXTURES / "lint"
# The environment every golden is made in: only these variables are "set".
ENVIRON = {
    "LLMSYNC_TEST_KEY": "set",
    "GOOD_MODEL": "openai/gpt-4o",
    "BAD_MODEL": "requesty/x",
}


def cases(group: str) -> list[str]:
    return sorted(p.name for p in (LINT / group).glob("*.yaml"))


def lint(group: str, name: str, monkeypatch: pytest.MonkeyPatch, **options) -> Report:
    monkeypatch.chdir(LINT / group)
    return Validator(ENVIRON, **options).run(Path(name))


def golden(group: str, name: str, monkeypatch: pytest.MonkeyPatch) -> Report:
    report = lint(group, name, monkeypatch)
    check_golden(f"lint/{group}", name.removesuffix(".yaml") + ".txt", report.as_text() + "\n")
    return report


def codes(report: Report) -> list[str]:
    return [f.code for f in sorted(report.findings)]
