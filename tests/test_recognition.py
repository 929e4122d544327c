"""How many real-world entries llmsync checks: entries some provider or self-hosted server
claims, over every config of ../shared/corpus, ../shared/corpus2-public and
tests/fixtures/corpus3 (public configs no one here wrote; SOURCES.md there). The figure is
printed (``pytest -s``) and kept from falling below what was measured."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS

from llmsync.catalogues.servers import servers_in
from llmsync.document import ConfigDocument
from llmsync.registry import Registry

# Measured when the cloud platforms and gateways came: 546 of 592 (92.2%); with ElevenLabs, the
# Copilot and ChatGPT subscriptions, Ollama's default base and Z.ai's ZAI_API_BASE: 564 of 592
# (95.3%). The rest: ids LiteLLM no longer routes (chat-bison), prefixes that are not LiteLLM
# providers, Jina AI, and models named by an environment variable that is not set here.
FLOOR = 0.95
CORPUS3 = Path(__file__).parent / "fixtures" / "corpus3"
CONFIGS = (
    sorted(CORPUS.glob("*.yaml"))
    + sorted((CORPUS.parent / "corpus2-public").glob("*.yaml"))
    + sorted(CORPUS3.glob("*.yaml"))
)


def claimed(registry: Registry, path: Path) -> tuple[int, int, Counter]:
    doc = ConfigDocument.load(path)
    entries = doc.all_entries
    owned = {id(e) for e in entries if registry.owner(e.model, e.api_base)}
    servers = servers_in(entries, registry.server_kinds, owned)
    served = {id(e) for members in servers.values() for e, _ in members}
    missed = Counter(str(e.model).split("/")[0] for e in entries if id(e) not in owned | served)
    return len(owned | served), len(entries), missed


@pytest.mark.skipif(not CONFIGS, reason=f"no corpus at {CORPUS}")
def test_share_of_real_entries_that_llmsync_checks():
    registry = Registry.load(Path(__file__).resolve().parents[1] / "providers.yaml")
    total = checked = 0
    missed: Counter = Counter()
    for path in CONFIGS:
        got, count, lost = claimed(registry, path)
        checked, total, missed = checked + got, total + count, missed + lost
    share = checked / total
    print(f"\nrecognised {checked} of {total} entries ({share:.1%}) in {len(CONFIGS)} real configs")
    print("not recognised, by prefix:", dict(missed.most_common()))
    assert share >= FLOOR, (share, missed.most_common(10))
