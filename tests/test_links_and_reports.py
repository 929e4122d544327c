"""Files a rename would betray (hard links, single-file bind mounts) and reports that cannot
be written: refused before anything is written, or said truthfully after."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import write_config
from test_cleanup import TEAM
from test_file_safety import UNSORTED
from test_includes import INCLUDED, ROOT

import llmsync.files as files_module
from llmsync.errors import ConfigChanged, WriteError
from llmsync.files import Snapshot, write_atomic

SORTED = (
    "model_list:\n"
    "  - model_name: alpha\n    litellm_params:\n      model: openrouter/anthropic/claude-sonnet-4.5\n"
    "  - model_name: zeta\n    litellm_params:\n      model: openrouter/openai/gpt-4o-mini\n"
)


# --------------------------------------------------------------------------- --report


def test_a_read_only_report_file_fails_before_any_work(workdir, httpx_mock, llmsync):
    config = write_config(workdir, TEAM)
    report = workdir / "report.md"
    report.write_text("last week's report\n")
    report.chmod(0o444)
    run = llmsync("cleanup", "--report", "report.md")
    assert run.exit_code == 2, run.output
    assert "report.md: read-only (mode 0444" in run.stderr
    assert httpx_mock.get_requests() == []  # refused before any fetch
    assert config.read_text() == TEAM


def test_a_report_path_that_is_a_folder_fails_first(workdir, httpx_mock, llmsync):
    config = write_config(workdir, TEAM)
    (workdir / "report.md").mkdir()
    run = llmsync("cleanup", "--report", "report.md")
    assert run.exit_code == 2 and "'report.md' is a directory" in run.stderr
    assert config.read_text() == TEAM


def test_a_report_that_fails_after_the_write_never_says_nothing_was_written(
    workdir, catalogs, llmsync, monkeypatch
):
    config = write_config(workdir, TEAM)
    catalogs.serve()
    real = files_module.write_atomic

    def disk_full_for_reports(path, text, *args, **kwargs):
        if Path(path).suffix == ".md":
            raise WriteError(
                f"{path}: cannot write in .: No space left on device; nothing was written"
            )
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(files_module, "write_atomic", disk_full_for_reports)
    run = llmsync("cleanup", "-p", "openrouter", "--report", "report.md")
    assert run.exit_code == 2
    assert "nothing was written" not in run.stderr
    assert "No space left on device (config.yaml already written)" in run.stderr
    assert config.read_text() != TEAM  # it was written, as the message says


# --------------------------------------------------------------------------- hard links


def test_a_hard_linked_config_is_refused_then_rewritten_in_place(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    other = workdir / "mounted-elsewhere.yaml"
    os.link(config, other)
    run = llmsync("sort")
    assert run.exit_code == 2, run.output
    assert "config.yaml has 2 hard links" in run.stderr and "--in-place" in run.stderr
    assert config.read_text() == other.read_text() == UNSORTED
    assert not list(workdir.glob("*.bak"))

    run = llmsync("sort", "--in-place")
    assert run.exit_code == 0, run.output
    assert config.read_text() == other.read_text() == SORTED  # one file, both names see it
    assert os.stat(config).st_ino == os.stat(other).st_ino
    assert (workdir / "config.yaml.bak").read_text() == UNSORTED  # the undo


def test_in_place_from_the_environment(workdir, llmsync, monkeypatch):
    config = write_config(workdir, UNSORTED)
    os.link(config, workdir / "other.yaml")
    monkeypatch.setenv("LLMSYNC_IN_PLACE", "1")
    assert llmsync("sort").exit_code == 0
    assert (workdir / "other.yaml").read_text() == SORTED


def test_an_included_file_that_cannot_be_written_stops_every_write(workdir, llmsync):
    (workdir / "models").mkdir()
    included = write_config(workdir / "models", INCLUDED, "openrouter.yaml")
    root = write_config(workdir, ROOT)
    os.link(included, workdir / "models" / "linked.yaml")
    run = llmsync("remove-model", "deepseek-v3", "claude-2")
    assert run.exit_code == 2, run.output
    assert "nothing was written" in run.stderr and "hard links" in run.stderr
    assert root.read_text() == ROOT and included.read_text() == INCLUDED


# --------------------------------------------------------------------------- bind mounts


def test_a_mount_point_is_refused_then_rewritten_in_place(workdir, llmsync, monkeypatch):
    config = write_config(workdir, UNSORTED)
    mountinfo = workdir / "mountinfo"
    escaped = str(config.resolve()).replace(" ", "\\040")
    mountinfo.write_text(
        "22 1 0:21 / / rw,relatime - overlay overlay rw\n"
        f"612 22 259:1 /srv/litellm/config.yaml {escaped} rw,relatime - ext4 /dev/nvme0n1p1 rw\n"
    )
    monkeypatch.setattr(files_module, "MOUNTINFO", str(mountinfo))
    run = llmsync("sort")
    assert run.exit_code == 2, run.output
    assert "is a mount point (a single-file bind mount" in run.stderr
    assert config.read_text() == UNSORTED
    run = llmsync("sort", "--in-place")
    assert run.exit_code == 0, run.output
    assert config.read_text() == SORTED


def test_a_rename_refused_with_ebusy_points_at_in_place(workdir, llmsync, monkeypatch):
    config = write_config(workdir, UNSORTED)

    def busy(*args, **kwargs):
        raise OSError(errno.EBUSY, "Device or resource busy")

    monkeypatch.setattr(os, "replace", busy)
    run = llmsync("sort")
    assert run.exit_code == 2, run.output
    assert "in use as a mount point" in run.stderr and "--in-place" in run.stderr
    assert config.read_text() == UNSORTED
    assert not list(workdir.glob(".*.llmsync-tmp"))


def test_in_place_still_refuses_a_file_that_changed_since_it_was_read(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("a: 1\n")
    snapshot = Snapshot.of(config, config.read_bytes())
    config.write_text("a: 2  # edited meanwhile\n")
    with pytest.raises(ConfigChanged):
        write_atomic(config, "a: 3\n", expected=snapshot, in_place=True)
    assert config.read_text() == "a: 2  # edited meanwhile\n"


def test_in_place_truncates_a_shorter_text(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("a: 1\n# a long comment that goes away\n")
    write_atomic(config, "a: 1\n", expected=Snapshot.of(config, config.read_bytes()), in_place=True)
    assert config.read_text() == "a: 1\n"
    assert (tmp_path / "config.yaml.bak").read_text().endswith("goes away\n")
