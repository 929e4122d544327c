"""One dependency set: the test extra never narrows what llmsync's users install, so the suite
runs with the versions `pip install llmsync-cli` gives them (LiteLLM, which pins rich below 14,
lives in the oracle's own environment: tests/oracle.py)."""

from __future__ import annotations

import re
from importlib import metadata

from packaging.requirements import Requirement
from packaging.version import Version

OURS = "llmsync-cli"


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _runtime() -> dict[str, Requirement]:
    out = {}
    for line in metadata.requires(OURS) or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out[_name(req.name)] = req
    return out


def _test_extra() -> list[Requirement]:
    reqs = [Requirement(line) for line in metadata.requires(OURS) or []]
    return [r for r in reqs if r.marker is not None and r.marker.evaluate({"extra": "test"})
            and not r.marker.evaluate({"extra": ""})]  # fmt: skip


def _nearby(version: Version) -> list[Version]:
    """The installed version, the next minor and the next major: where pins bite."""
    major, minor = version.release[0], version.release[1] if len(version.release) > 1 else 0
    return [version, Version(f"{major}.{minor + 1}.0"), Version(f"{major + 1}.0.0")]


def test_the_test_extra_never_narrows_a_runtime_dependency():
    runtime = _runtime()
    narrowed = []
    for extra in _test_extra():
        try:
            requires = metadata.requires(extra.name) or []
        except metadata.PackageNotFoundError:
            continue  # a platform-only tool (actionlint's wheel) not installed here
        for line in requires:
            theirs = Requirement(line)
            ours = runtime.get(_name(theirs.name))
            if ours is None or (theirs.marker and not theirs.marker.evaluate({"extra": ""})):
                continue
            installed = Version(metadata.version(theirs.name))
            for version in _nearby(installed):
                if ours.specifier.contains(version) and not theirs.specifier.contains(version):
                    narrowed.append(f"{extra.name} needs {theirs}, llmsync allows {ours}")
    assert narrowed == [], "cap llmsync's requirement to match, or drop the test dependency"


def test_litellm_is_not_in_llmsyncs_environment():
    extras = {str(r) for r in _test_extra()}
    assert not any(_name(Requirement(r).name) == "litellm" for r in extras)
    try:
        metadata.version("litellm")
    except metadata.PackageNotFoundError:
        return
    raise AssertionError("litellm is installed beside llmsync: its pins would change rich")
