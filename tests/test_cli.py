"""The command line as a user runs it: entry points, help, locking."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from llmsync.errors import LockTimeout
from llmsync.files import locked


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


def test_providers_lists_the_registry_without_key_values(workdir, llmsync, monkeypatch):
    monkeypatch.setenv("POE_API_KEY", "poe-secret-value")
    monkeypatch.delenv("NOVITA_API_KEY", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    run = llmsync("providers")
    assert run.exit_code == 0, run.output
    for name in ("openrouter", "requesty", "novita", "nano_gpt", "vercel", "poe", "nvidia"):
        assert name in run.stdout
    assert "POE_API_KEY (set)" in run.stdout and "NOVITA_API_KEY (not set)" in run.stdout
    assert "poe-secret-value" not in run.stdout
    assert "openai/ + api_base router.requesty.ai" in run.stdout
    assert "https://openrouter.ai/api/v1/embeddings/models" in run.stdout


def test_pre_commit_hooks_run_as_declared(tmp_path):
    import shlex

    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    )
    assert {h["id"] for h in hooks} == {"llmsync-validate", "llmsync-sort-check"}
    config = tmp_path / "config.yaml"
    config.write_text(
        "model_list:\n  - model_name: b\n    litellm_params: {model: openai/b}\n  - model_name: a\n    litellm_params: {model: openai/a}\n"
    )
    bindir = Path(sys.executable).parent
    codes = {}
    for hook in hooks:
        assert re.search(hook["files"], "config.yaml") and re.search(
            hook["files"], "deploy/config.yml"
        )
        words = shlex.split(hook["entry"])
        result = subprocess.run(
            [str(bindir / words[0]), *words[1:], str(config)], capture_output=True, text=True
        )
        codes[hook["id"]] = result.returncode
    assert codes == {"llmsync-validate": 0, "llmsync-sort-check": 1}  # valid, but not sorted


def test_version_and_shell_completion(llmsync):
    from llmsync import __version__

    run = llmsync("--version")
    assert run.exit_code == 0 and run.stdout.strip() == f"llmsync {__version__}"
    # --show-completion detects the shell it was started from (`sh` is not supported by typer),
    # so the script is asked for bash directly: the test passes from sh, bash or make.
    from typer.completion import get_completion_script

    assert "--install-completion" in llmsync("--help").stdout
    script = get_completion_script(
        prog_name="llmsync", complete_var="_LLMSYNC_COMPLETE", shell="bash"
    )
    assert "_llmsync_completion" in script and "complete -o default" in script


def test_one_command_is_built_alone_and_behaves_the_same(monkeypatch):
    """`app_for` builds only the named command; its help, an unknown option and a bad value
    read exactly as from the whole app, and everything else gets the whole app."""
    from typer.main import get_command_name
    from typer.testing import CliRunner

    from llmsync.cli import app
    from llmsync.entry import app_for

    names = [
        info.name or get_command_name(info.callback.__name__) for info in app.registered_commands
    ]
    assert {"cleanup", "add-model", "validate", "push", "sort"} <= set(names)
    runner = CliRunner()
    for name in names:
        narrow = app_for([name])
        assert narrow is not app and len(narrow.registered_commands) == 1
        for args in ([name, "--help"], [name, "--no-such-option"], [name, "--timeout", "soon"]):
            whole, alone = runner.invoke(app, args), runner.invoke(narrow, args)
            assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
    for args in ([], ["--help"], ["--version"], ["init", "github"], ["cleanp"]):
        assert app_for(args) is app, args
    monkeypatch.setenv("_LLMSYNC_COMPLETE", "complete_bash")  # completion: every command
    assert app_for(["cleanup"]) is app
