"""Reports as people and CI read them: text, JSON, GitHub annotations, SARIF."""

from __future__ import annotations

import json

from llmsync.lint.core import RULES, Report

FORMATS = ("text", "json", "github", "sarif")
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(report: Report, output_format: str, strict: bool) -> str:
    if output_format == "json":
        return json.dumps(report.as_json(strict), indent=2)
    if output_format == "github":
        return github(report)
    if output_format == "sarif":
        return json.dumps(sarif(report), indent=2)
    return report.as_text()


def github(report: Report) -> str:
    """Workflow commands, one per finding, as ruff and actionlint print them."""
    lines = []
    for f in sorted(report.findings):
        message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(
            f"::{_GITHUB_LEVEL[f.severity]} file={_prop(f.file)},line={f.line},col={f.column},"
            f"title={f.code} {f.rule.name}::{message}"
        )
    return "\n".join(lines)


def _prop(value: str) -> str:
    return value.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")


def sarif(report: Report) -> dict:
    """SARIF 2.1.0, for code scanning."""
    used = sorted({f.code for f in report.findings})
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "llmsync",
                        "informationUri": "https://github.com/",
                        "rules": [
                            {
                                "id": code,
                                "name": RULES[code].name,
                                "shortDescription": {"text": RULES[code].doc},
                                "defaultConfiguration": {
                                    "level": _SARIF_LEVEL[RULES[code].severity]
                                },
                            }
                            for code in used
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": f.code,
                        "level": _SARIF_LEVEL[f.severity],
                        "message": {"text": f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.file},
                                    "region": {"startLine": f.line, "startColumn": f.column},
                                }
                            }
                        ],
                    }
                    for f in sorted(report.findings)
                ],
            }
        ],
    }


def rules_table() -> str:
    """The README's table of codes, from the rules' own declarations."""
    lines = ["| code | name | severity | what |", "|---|---|---|---|"]
    for code in sorted(RULES, key=lambda c: (c[1:], c)):
        r = RULES[code]
        lines.append(f"| `{r.code}` | {r.name} | {r.severity} | {r.doc} |")
    return "\n".join(lines)
