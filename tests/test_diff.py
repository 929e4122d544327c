"""The diff llmsync prints is built from its own splices; it must equal what `diff -u` prints
for the same two texts, on every corpus file and on generated configs, under random edits."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import CORPUS, diff_u

from llmsync import unified_diff as udiff
from llmsync.commands.common import insertion_point
from llmsync.commands.sort import plan_sort
from llmsync.document import ConfigDocument
from llmsync.errors import LlmsyncError
from llmsync.plan import AddEntry, Plan, RemoveEntry, SetField, edit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import large_config

DIFF = shutil.which("diff")
pytestmark = pytest.mark.skipif(
    DIFF is None or shutil.which("patch") is None, reason="GNU diff and patch are needed"
)
CORPUS_FILES = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []


def random_plan(doc: ConfigDocument, rng: random.Random) -> Plan:
    plan = Plan()
    removed = set()
    for entry in doc.entries:
        roll = rng.random()
        node = entry.value_node(("litellm_params", "input_cost_per_token"))
        if roll < 0.15 and not doc.is_referenced_elsewhere(entry):
            plan.changes.append(RemoveEntry(entry, "p", "gone"))
            removed.add(id(entry))
        elif roll < 0.35 and node is not None and not doc.is_unsplicable(entry, node):
            new = round(rng.uniform(1e-8, 1e-5), 12)
            plan.changes.append(
                SetField(entry, "litellm_params", "input_cost_per_token", None, new, "p")
            )
    for k in range(rng.randint(0, 3)):
        data = {
            "model_name": rng.choice(["aaa", "mmm", "zzz", "gpt-x"]) + f"-{k}",
            "litellm_params": {"model": f"openrouter/x/m{k}", "input_cost_per_token": 1e-06},
        }
        before = insertion_point(doc, data)
        if before is None or id(before) not in removed:
            plan.changes.append(AddEntry(data, before, "p"))
    return plan


def check(doc: ConfigDocument, plan: Plan, name: str) -> bool | None:
    """Whether llmsync's diff equals diff -u's (None when llmsync refuses the edit). Either
    way it must be a correct patch: applying it to the old text gives the new text."""
    try:
        result = edit(doc, plan)
    except LlmsyncError:
        return None  # an edit llmsync refuses (flow style, aliases): nothing to compare
    ours = result.diff(name)
    assert_patch_applies(doc.full_text(), result.text, ours)
    return ours == diff_u(doc.full_text(), result.text, name)


def assert_patch_applies(old: str, new: str, diff: str) -> None:
    if not diff:
        assert old == new
        return
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "c.yaml"
        target.write_bytes(old.encode())
        (Path(folder) / "p.diff").write_text(diff)
        done = subprocess.run(
            ["patch", "-s", "--binary", "c.yaml", "-i", "p.diff"],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert target.read_bytes() == new.encode()


def test_corpus_random_edits_diff_like_diff_u():
    """Byte-identical to diff -u on every corpus file under random removals, repricings and
    additions (where a removed block repeats the lines around it, several diffs are minimal:
    llmsync picks the one GNU diff picks)."""
    if not CORPUS_FILES:
        pytest.skip(f"corpus not found at {CORPUS}")
    results = []
    for path in CORPUS_FILES:
        for seed in range(12):
            doc = ConfigDocument.load(path)
            same = check(doc, random_plan(doc, random.Random(seed)), path.name)
            if same is not None:
                results.append((path.name, seed, same))
    assert len(results) > 100
    assert [r for r in results if not r[2]] == []


def test_large_files_compare_only_the_spliced_stretches(monkeypatch):
    """Past WHOLE_WINDOW_COST only the splices' stretches are compared (linear time): every
    diff is still a correct patch, and nearly always the one diff -u prints."""
    monkeypatch.setattr(udiff, "WHOLE_WINDOW_COST", -1)
    results = []
    for seed in range(8):
        text = large_config(200, seed=seed)
        doc = ConfigDocument(text, name="big.yaml")
        results.append(check(doc, random_plan(doc, random.Random(seed)), "big.yaml"))
    for path in CORPUS_FILES:
        doc = ConfigDocument.load(path)
        same = check(doc, random_plan(doc, random.Random(1)), path.name)
        if same is not None:
            results.append(same)
    assert sum(results) / len(results) >= 0.9, f"{sum(results)} of {len(results)}"


@pytest.mark.parametrize("seed", range(6))
def test_generated_configs_random_edits_diff_like_diff_u(seed: int):
    text = large_config(300, seed=seed)
    if seed % 2:
        text = text.rstrip("\n")  # no final newline
    if seed % 3 == 0:
        text = text.replace("\n", "\r\n")
    doc = ConfigDocument(text, name="big.yaml")
    assert check(doc, random_plan(doc, random.Random(seed)), "big.yaml") is True


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_sort_diffs_apply_with_patch(path: Path, tmp_path: Path):
    """A permutation has many minimal diffs (diff -u and llmsync may pick different ones for
    moved blocks); what llmsync prints must still be a correct patch of the old text."""
    doc = ConfigDocument.load(path)
    try:
        result = edit(doc, plan_sort(doc))
    except LlmsyncError:
        pytest.skip("sort refuses this file")
    assert_patch_applies(doc.full_text(), result.text, result.diff("c.yaml"))


def test_a_real_run_computes_no_diff_it_does_not_show(workdir, catalogs, llmsync, monkeypatch):
    from conftest import write_config
    from test_cleanup import TEAM

    def forbidden(*args, **kwargs):
        raise AssertionError("a diff was computed although nothing shows it")

    monkeypatch.setattr(udiff, "unified_diff", forbidden)
    config = write_config(workdir, TEAM)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "openrouter")
    assert run.exit_code == 0, run.output
    assert config.read_text() != TEAM


def test_random_small_texts_diff_like_diff_u():
    """Property test on texts made to be awkward: few distinct lines (many equally minimal
    diffs), multi-byte characters (GNU measures in bytes), missing final newlines."""
    from llmsync.unified_diff import unified_diff

    rng = random.Random(3)
    words = ["é\n", "ab\n", "é\n", "x\n", "모델\n", "ab"]
    for _ in range(300):
        old = "".join(rng.choice(words[:5]) for _ in range(rng.randint(0, 12)))
        lines = old.splitlines(keepends=True)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(lines))
            if rng.random() < 0.5 and lines:
                del lines[min(at, len(lines) - 1)]
            else:
                lines.insert(at, rng.choice(words))
        new = "".join(lines)
        if rng.random() < 0.2:
            new = new.rstrip("\n")
        assert unified_diff(old, new, "c.yaml") == diff_u(old, new, "c.yaml"), (old, new)
