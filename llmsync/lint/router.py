"""--strict: LiteLLM's own Router judges each entry, offline."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from llmsync.document import to_python
from llmsync.errors import LlmsyncError
from llmsync.lint.core import Context, Hit, rule, value_node

E070 = rule(
    "E070", "router-rejects-entry", "error", "`--strict`: LiteLLM's `Router` rejects the entry"
)
I072 = rule(
    "I072",
    "router-check-needs-network",
    "info",
    "`--strict`: an entry whose provider logs in over the network (a device code) is not built",
)
NETWORK_LOGIN = ("github_copilot/", "chatgpt/")
JUDGE_PYTHON = "LLMSYNC_LITELLM_PYTHON"


def check_with_router(ctx: Context) -> Iterator[Hit]:
    built = []
    for doc, entry in ctx.entries:
        if not isinstance(entry.data, dict):
            continue
        where = value_node(value_node(entry.node, "litellm_params"), "model") or entry.node
        if isinstance(entry.model, str) and entry.model.startswith(NETWORK_LOGIN):
            yield Hit(
                doc,
                where,
                I072,
                f"{entry.model.split('/')[0]} entries log in over the network; not built offline",
            )
            continue
        built.append((doc, where, to_python(entry.node)))
    verdicts = judge([data for _, _, data in built]) if built else []
    for (doc, where, _), error in zip(built, verdicts, strict=True):
        if error is not None:
            yield Hit(doc, where, E070, f"LiteLLM's Router rejects this entry: {error}")


def judge(entries: list[dict]) -> list[str | None]:
    """LiteLLM's verdict on each entry: here if LiteLLM is importable, else through the Python
    that ``LLMSYNC_LITELLM_PYTHON`` names (the proxy's own environment, say)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch at import
    python = os.environ.get(JUDGE_PYTHON)
    if python:
        return _judge_elsewhere(python, entries)
    try:
        import logging

        import litellm

        logging.getLogger("LiteLLM").setLevel(logging.ERROR)  # its pricing notes are noise here
    except ImportError:
        raise LlmsyncError(
            "--strict builds each entry with LiteLLM, which is not installed here: "
            "pip install 'llmsync-cli[litellm]', or set "
            f"{JUDGE_PYTHON} to a Python that has it (the proxy's own)"
        ) from None
    verdicts: list[str | None] = []
    for entry in entries:
        try:
            litellm.Router(model_list=[entry])
        except Exception as exc:  # LiteLLM raises many types; each is a finding
            first = " ".join(str(exc).split())[:200]
            verdicts.append(f"{type(exc).__name__}: {first}")
        else:
            verdicts.append(None)
    return verdicts


def _judge_elsewhere(python: str, entries: list[dict]) -> list[str | None]:
    script = Path(__file__).with_name("litellm_judge.py")  # standalone: no llmsync import
    where = f"{JUDGE_PYTHON}={python}"
    try:
        done = subprocess.run(
            [python, "-I", str(script)],  # -I: its folder must not shadow `secrets` & co.
            input=json.dumps({"entries": entries}, default=str) + "\n",
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LlmsyncError(f"{where}: cannot run it: {exc}") from None
    try:
        errors = json.loads(done.stdout.splitlines()[-1])["errors"]
    except (ValueError, IndexError, KeyError, TypeError):
        last = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        raise LlmsyncError(f"{where}: LiteLLM could not judge the entries: {last}") from None
    if not isinstance(errors, list) or len(errors) != len(entries):
        raise LlmsyncError(f"{where}: LiteLLM answered for a different number of entries")
    return errors
