"""The user's files survive hostile conditions: concurrent edits, kills, odd files, permissions."""

from __future__ import annotations

import copy
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from conftest import body, write_config
from test_cleanup import TEAM

from llmsync.files import locked, remove_stale_temps, write_atomic

UNSORTED = """\
model_list:
  - model_name: zeta
    litellm_params:
      model: openrouter/openai/gpt-4o-mini
  - model_name: alpha
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5
"""
HAND_EDIT = "# a person edited this while llmsync was fetching\n"


def _edit_then_answer(path: Path, json_body: object):
    def callback(request: httpx.Request) -> httpx.Response:
        with path.open("a") as handle:
            handle.write(HAND_EDIT)
        return httpx.Response(200, json=json_body)

    return callback


@pytest.mark.parametrize(
    "command",
    [
        ("cleanup", "-p", "openrouter"),
        ("cleanup", "-p", "openrouter", "--backup"),
        ("add-model", "-p", "openrouter", "deepseek/deepseek-chat-v3.1"),
    ],
)
def test_an_edit_made_during_the_fetch_is_never_overwritten(
    workdir, httpx_mock, catalogs, llmsync, command
):
    config = write_config(workdir, TEAM)
    httpx_mock.add_callback(
        _edit_then_answer(config, body("openrouter_models.json")),
        url="https://openrouter.ai/api/v1/models",
    )
    catalogs.serve()
    run = llmsync(*command, "--no-cache")
    assert run.exit_code == 1, run.output
    assert "changed on disk while llmsync was running; nothing was written" in run.stderr
    assert config.read_text() == TEAM + HAND_EDIT  # the person's edit, and only it
    assert not (workdir / "config.yaml.bak").exists()
    assert not list(workdir.glob(".*.llmsync-tmp"))


def test_sort_does_not_overwrite_an_edit_made_after_reading(workdir, llmsync, monkeypatch):
    import llmsync.commands.sort as sorting

    config = write_config(workdir, UNSORTED)
    real = sorting.plan_sort

    def slow_plan(doc):
        config.write_text(UNSORTED + HAND_EDIT)
        return real(doc)

    monkeypatch.setattr(sorting, "plan_sort", slow_plan)
    run = llmsync("sort")
    assert run.exit_code == 1, run.output
    assert config.read_text() == UNSORTED + HAND_EDIT


def test_unchanged_file_is_written(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    run = llmsync("sort", "--backup")
    assert run.exit_code == 0, run.output
    assert config.read_text().index("alpha") < config.read_text().index("zeta")
    assert (workdir / "config.yaml.bak").read_text() == UNSORTED


# --------------------------------------------------------------------------- backups and temps


def test_the_backup_is_never_written_in_place(workdir, llmsync):
    """The .bak appears only by renaming a complete, fsynced temp file (audit hook on open)."""
    config = write_config(workdir, UNSORTED)
    (workdir / "config.yaml.bak").write_text("an older backup\n")
    opened: list[str] = []
    _AUDIT.append(lambda path: opened.append(path))
    try:
        run = llmsync("sort", "--backup")
    finally:
        _AUDIT.clear()
    assert run.exit_code == 0, run.output
    assert (workdir / "config.yaml.bak").read_text() == UNSORTED
    assert not [p for p in opened if p.endswith((".bak", "config.yaml"))], opened
    assert config.read_text() != UNSORTED


_AUDIT: list = []


def _audit(event: str, args: tuple) -> None:
    if _AUDIT and event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR)
        )
        if writing and isinstance(path, (str, Path)):
            for hook in _AUDIT:
                hook(str(path))


sys.addaudithook(_audit)

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path

    def die(event, args):
        # SIGKILL at the rename that would publish the file named on the command line
        if event == "os.rename" and str(args[1]).endswith(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(die)
    from llmsync.files import write_atomic
    write_atomic(Path("config.yaml"), "new text\\n", backup=True)
    """
)


@pytest.mark.parametrize("killed_at", [".bak", "config.yaml"])
def test_a_run_killed_while_writing_leaves_old_or_new_and_its_temp_is_cleared_later(
    workdir, killed_at
):
    config = write_config(workdir, UNSORTED)
    (workdir / "config.yaml.bak").write_text("an older backup\n")
    done = subprocess.run([sys.executable, "-c", KILLER, killed_at], cwd=workdir, timeout=60)
    assert done.returncode == -9
    assert config.read_text() == UNSORTED
    backup = (workdir / "config.yaml.bak").read_text()
    assert backup == ("an older backup\n" if killed_at == ".bak" else UNSORTED)
    left = list(workdir.glob(".*.llmsync-tmp"))
    assert len(left) == 1 and left[0].read_text() in ("new text\n", UNSORTED)
    with locked(config):  # the next writing run clears what the dead one left
        pass
    assert not list(workdir.glob(".*.llmsync-tmp"))


def test_temp_files_of_live_processes_are_kept(tmp_path: Path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_pid.wait()
    try:
        live = tmp_path / f".config.yaml.llmsync-{sleeper.pid}-abc.llmsync-tmp"
        dead = tmp_path / f".config.yaml.llmsync-{dead_pid.pid}-abc.llmsync-tmp"
        legacy_old = tmp_path / ".config.yaml.k2j3h4.llmsync-tmp"
        legacy_new = tmp_path / ".other.yaml.q9w8e7.llmsync-tmp"
        for path in (live, dead, legacy_old, legacy_new):
            path.write_text("partial")
        os.utime(legacy_old, (1, 1))
        removed = remove_stale_temps(tmp_path)
        assert sorted(removed) == sorted([dead, legacy_old])
        assert live.exists() and legacy_new.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


# --------------------------------------------------------------------------- exit codes


def test_an_unwritable_report_path_fails_first_with_exit_2(workdir, httpx_mock, llmsync):
    config = write_config(workdir, TEAM)
    run = llmsync("cleanup", "--report", "nodir/r.md")
    assert run.exit_code == 2, run.output
    assert "nodir/r.md: folder" in run.stderr and "does not exist" in run.stderr
    assert "internal error" not in run.output
    assert httpx_mock.get_requests() == []
    assert config.read_text() == TEAM


def test_a_read_only_folder_is_exit_2(workdir, llmsync, monkeypatch):
    import tempfile

    config = write_config(workdir, UNSORTED)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # root ignores a folder's mode bits
    run = llmsync("sort")
    assert run.exit_code == 2, run.output
    assert "cannot write in" in run.stderr and "Permission denied" in run.stderr
    assert config.read_text() == UNSORTED


def test_an_immutable_file_is_exit_2(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(config)]).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        run = llmsync("sort")
    finally:
        subprocess.run(["chattr", "-i", str(config)], check=True)
    assert run.exit_code == 2, run.output
    assert "internal error" not in run.output
    assert config.read_text() == UNSORTED
    assert not list(workdir.glob(".*.llmsync-tmp"))


def test_an_undecodable_registry_is_exit_2(workdir, llmsync):
    write_config(workdir, TEAM)
    (workdir / "providers.yaml").write_bytes(b"providers:\n  x: \xff\xfe\n")
    run = llmsync("cleanup", "--dry-run")
    assert run.exit_code == 2, run.output
    assert "providers.yaml: not UTF-8 text" in run.stderr


@pytest.mark.parametrize("command", [["sort"], ["validate"], ["cleanup", "--dry-run"]])
def test_a_fifo_config_is_refused_without_hanging(tmp_path: Path, command):
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "llmsync", *command, "--config", str(fifo)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr


# --------------------------------------------------------------------------- ownership and modes


def test_a_read_only_file_is_not_replaced(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    config.chmod(0o444)
    run = llmsync("sort")
    assert run.exit_code == 2, run.output
    assert "read-only (mode 0444" in run.stderr
    assert config.read_text() == UNSORTED


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owner_group_and_mode_are_kept(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    os.chown(config, 1, 1)  # daemon:daemon on Debian
    config.chmod(0o660)
    run = llmsync("sort", "--backup")
    assert run.exit_code == 0, run.output
    for path in (config, workdir / "config.yaml.bak"):
        info = path.stat()
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1, 1, 0o660), path


def test_owner_that_cannot_be_kept_refuses_the_write(tmp_path: Path, monkeypatch):
    from llmsync.errors import WriteError

    config = tmp_path / "config.yaml"
    config.write_text("a: 1\n")
    real_stat = os.stat

    def other_owner(path, *args, **kwargs):
        info = real_stat(path, *args, **kwargs)
        if str(path).endswith("config.yaml"):
            fields = list(info)
            fields[stat.ST_UID] = info.st_uid + 4242
            return os.stat_result(fields)
        return info

    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "stat", other_owner)
    monkeypatch.setattr(os, "chown", refuse)
    with pytest.raises(WriteError, match="cannot keep its owner"):
        write_atomic(config, "a: 2\n")
    monkeypatch.undo()
    assert config.read_text() == "a: 1\n"
    assert not list(tmp_path.glob(".*.llmsync-tmp"))


# --------------------------------------------------------------------------- bad values stay local

HOSTILE_IDS = ["evil/nul\x00x", "evil/bell\x07", "evil/esc\x1b[31m", "evil/doc\n---\nx: 1"]


def _hostile_openrouter() -> dict:
    models = copy.deepcopy(body("openrouter_models.json"))
    template = models["data"][1]
    for model_id in HOSTILE_IDS:
        models["data"].append({**copy.deepcopy(template), "id": model_id})
    models["data"].append(
        {**copy.deepcopy(template), "id": "vendor/huge", "pricing": {"prompt": "1e400"}}
    )
    models["data"].append(
        {**copy.deepcopy(template), "id": "vendor/tiny", "pricing": {"prompt": 5e-324}}
    )
    for item in models["data"]:
        if item["id"] == "openai/gpt-4o-mini":
            item["pricing"] = {**item["pricing"], "prompt": "1,5"}  # comma: 1.5 or 15?
    return models


def test_bad_catalogue_values_are_skipped_and_everything_else_is_written(
    workdir, catalogs, llmsync
):
    registry = workdir / "providers.yaml"
    registry.write_text(
        registry.read_text().replace("include: []", 'include: ["evil/*", "vendor/*"]', 1)
    )
    config = write_config(workdir, TEAM)
    catalogs.serve(openrouter_models=_hostile_openrouter())
    run = llmsync("cleanup", "-p", "all", "--add-new", "--report", "r.md")
    assert run.exit_code == 1, run.output  # held back: a person looks
    text = config.read_text()
    assert "openrouter/anthropic/claude-2" not in text  # the retired model still goes
    assert "input_cost_per_token: 0.00000028" in text  # novita still repriced
    assert "input_cost_per_token: 1.2e-07   # negotiated?" in text  # "1,5" never written
    assert "evil" not in text and "vendor/" not in text
    for model_id in HOSTILE_IDS:  # reported, escaped: no raw control character reaches anyone
        assert f"skipped a catalogue model: id {model_id!a}" in " ".join(run.stderr.split("\n"))
    assert "\x00" not in run.output and "\x07" not in run.output and "\x1b" not in run.output
    report = (workdir / "r.md").read_text()
    assert "'1,5' is not a plain number" in report
    assert "price '1e400' is not finite" in report or "above max_cost_per_token" in report
    assert "below 1e-12" in report
    assert "\x1b" not in report


def test_add_model_holds_back_a_model_with_an_untrusted_price(workdir, catalogs, llmsync):
    models = copy.deepcopy(body("openrouter_models.json"))
    for item in models["data"]:
        if item["id"] == "deepseek/deepseek-chat-v3.1":
            item["pricing"] = {"prompt": "\u0661", "completion": "0.000001"}
    config = write_config(workdir, TEAM)
    catalogs.serve(openrouter_models=models)
    run = llmsync("add-model", "-p", "openrouter", "deepseek/deepseek-chat-v3.1")
    assert run.exit_code == 1, run.output
    assert "held" in run.stdout and "'\\u0661' is not a plain number" in run.stdout
    assert config.read_text() == TEAM


def test_a_non_finite_cost_in_the_config_is_reported_and_left_alone(workdir, catalogs, llmsync):
    nan = TEAM.replace(
        "input_cost_per_token: 1.2e-07   # negotiated?", "input_cost_per_token: .nan"
    )
    config = write_config(
        workdir, nan.replace("output_cost_per_token: 2.4e-05", "output_cost_per_token: .inf")
    )
    catalogs.serve()
    run = llmsync("cleanup", "-p", "openrouter", "--force")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert "input_cost_per_token: .nan" in text
    assert "openrouter/anthropic/claude-2" not in text  # the rest of the run proceeded
    assert "max_input_tokens: 128000" in text
    assert "is nan; left alone" in run.stderr
