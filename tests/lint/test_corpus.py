"""On the real-world corpus, every error validate reports is one LiteLLM agrees with: the
entry it points at is one LiteLLM 1.106.2's strict Router refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, litellm_verdicts

from llmsync.document import to_python
from llmsync.lint import Validator

CORPUS_FILES = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason=f"corpus not found at {CORPUS}")
def test_every_corpus_error_is_one_litellm_agrees_with(monkeypatch):
    errors = 0
    for path in CORPUS_FILES:
        monkeypatch.chdir(path.parent)
        validator = Validator({})
        report = validator.run(Path(path.name))
        for finding in report.findings:
            if finding.severity != "error":
                continue
            if finding.code == "E044":
                continue  # LiteLLM loads it and sends the ${...} text: it fails at request time
            errors += 1
            doc = validator.docs[0]
            entry = doc.entry_at_line(finding.line - 1)
            assert entry is not None, f"{finding.as_text()}: not an entry error"
            (verdict,) = litellm_verdicts([to_python(entry.node)])  # LiteLLM, in its own env
            assert verdict is not None, f"{finding.as_text()}: LiteLLM accepts the entry"
    assert errors  # the corpus does hold entries LiteLLM refuses (zhipu/, gemini_cli/, ...)
