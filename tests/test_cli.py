"""The command line as a user runs it: entry points, help, locking."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmsync.document import locked
from llmsync.errors import LockTimeout


def test_python_dash_m_and_help_list_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "llmsync", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("cleanup", "add-model", "sort"):
        assert command in out


def test_help_does_not_import_heavy_modules():
    code = "import sys; from llmsync.cli import app; print(sorted(m for m in ('httpx', 'ruamel.yaml', 'pydantic', 'yaml') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_no_arguments_shows_usage(llmsync):
    run = llmsync()
    assert run.exit_code == 2
    assert "Usage" in run.output


def test_a_held_lock_stops_a_second_writer(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text("model_list: []\n")
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(LockTimeout, match="another llmsync run"), locked(config, timeout=0.2):
            pass
    finally:
        os.close(fd)
    with locked(config, timeout=0.2):
        pass  # free again
