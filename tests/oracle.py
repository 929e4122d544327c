"""The real LiteLLM as the tests' oracle, in an environment of its own.

LiteLLM 1.106.2 pins libraries llmsync also uses (rich below 14, for one): installed beside
llmsync, the tests would run against versions users never get. So the oracle lives in
``.venv-oracle`` (made on first use, kept while its spec is the same) or in the Python that
``LLMSYNC_LITELLM_PYTHON`` names, and is asked through llmsync's standalone judge
(llmsync/lint/litellm_judge.py), one long-running process for the whole session.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = "litellm[proxy]==1.106.2"
VENV = ROOT / ".venv-oracle"
JUDGE = ROOT / "llmsync" / "lint" / "litellm_judge.py"


def oracle_python() -> Path:
    """A Python with LiteLLM: ``LLMSYNC_LITELLM_PYTHON``, else ``.venv-oracle`` (made once)."""
    named = os.environ.get("LLMSYNC_LITELLM_PYTHON")
    if named:
        return Path(named)
    python, stamp = VENV / "bin" / "python", VENV / "llmsync-oracle-spec"
    with open(ROOT / ".venv-oracle.lock", "w") as lock:  # one maker at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.is_file() and stamp.read_text() == SPEC:
            return python
        print(f"\nmaking the LiteLLM oracle environment: {VENV} ({SPEC})", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", SPEC],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stamp.write_text(SPEC)
    return python


class Judge:
    """One judge process for the session: entries in, LiteLLM's verdicts out."""

    def __init__(self, python: Path) -> None:
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        self.process = subprocess.Popen(
            [str(python), "-I", str(JUDGE)],  # -I: llmsync/lint/secrets.py is not `secrets`
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lock = threading.Lock()

    def verdicts(self, entries: list) -> list[str | None]:
        with self.lock:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(json.dumps({"entries": entries}, default=str) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the LiteLLM oracle stopped answering")
        return json.loads(line)["errors"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)
