"""Machine output is always a document: on every real-world corpus config, every `--format json`
and `--format sarif` output parses as JSON (redaction works on the data, before serialisation,
so no secret-looking value can break the document)."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS

CORPUS2 = CORPUS.parent / "corpus2-public"
FILES = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []
FILES += (
    sorted(p for p in CORPUS2.rglob("*") if p.suffix in (".yaml", ".yml"))
    if CORPUS2.is_dir()
    else []
)

COMMANDS = [
    ("validate", "--format", "json"),
    ("validate", "--format", "json", "--online", "--strict"),
    ("validate", "--format", "sarif"),
    ("validate", "--format", "sarif", "--online", "--strict"),
    ("cleanup", "--provider", "all", "--dry-run", "--format", "json"),
    ("cleanup", "--provider", "all", "--dry-run", "--format", "json", "--add-new"),
]


@pytest.mark.skipif(not FILES, reason=f"corpus not found at {CORPUS}")
# Self-hosted servers and endpoints without a recorded body answer like a dead host.
@pytest.mark.httpx_mock(assert_all_requests_were_expected=False)
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_json_and_sarif_output_on_the_corpus_parses(path, workdir, catalogs, llmsync):
    catalogs.serve()
    (workdir / "config.yaml").write_bytes(path.read_bytes())
    for command in COMMANDS:
        run = llmsync(*command)
        assert "internal error" not in run.stderr, (command, run.stderr)
        try:
            document = json.loads(run.stdout)
        except ValueError as exc:
            raise AssertionError(
                f"{path.name}: {command}: not JSON ({exc}):\n{run.stdout}"
            ) from None
        assert isinstance(document, dict), (command, run.stdout)
        assert "<redacted>host" not in run.stdout  # no common word is taken for a secret
