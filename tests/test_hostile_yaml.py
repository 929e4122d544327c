"""Hostile YAML ends in one line: nested anchors, deep nesting, merge chains, symlink loops.

Each file once crashed or hung a command (a 700-byte billion-laughs ran > 90 s; 30,000 ``[``
killed the process with SIGSEGV; deep block mappings ended in RecursionError, exit 3). Every
command is run in a subprocess (a crash must show as a crash, not take pytest down), with a
timeout that only guards against a hang.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from llmsync.yaml_limits import MAX_DEPTH


def billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return (
        text
        + "model_list:\n  - model_name: x\n    litellm_params: {model: openai/gpt-4o, extra: *i}\n"
    )


def deep_block(levels: int) -> str:
    text = "model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/gpt-4o\n      extra:\n"
    for i in range(levels):
        text += " " * (8 + i) + f"k{i}:\n"
    return text + " " * (8 + levels) + "v: 1\n"


def merge_chain(links: int) -> str:
    text = "a0: &a0 {x: 1}\n"
    text += "".join(f"a{i}: &a{i} {{<<: *a{i - 1}, y{i}: 1}}\n" for i in range(1, links))
    return text + "model_list: []\n"


HOSTILE = {
    "laughs": (billion_laughs(), 6, "aliases expand to more than"),
    "flow-30000": ("model_list: " + "[" * 30000 + "]" * 30000 + "\n", 1, "nested more than"),
    "flow-500": ("model_list: " + "[" * 500 + "]" * 500 + "\n", 1, "nested more than"),
    "maps-30000": ("model_list: []\nx: " + "{a: " * 30000 + "1" + "}" * 30000 + "\n", 2, "nested"),
    "block-3000": (deep_block(3000), 3 + MAX_DEPTH - 1, "nested more than"),
    "merge-chain": (merge_chain(3000), MAX_DEPTH, "through aliases"),
}
COMMANDS = [
    ["sort", "--check"],
    ["sort", "--dry-run"],
    ["cleanup", "--provider", "openrouter", "--dry-run", "--offline"],
    ["remove-model", "x", "--dry-run"],
    ["add-model", "-p", "openrouter", "openai/gpt-4o", "--dry-run", "--offline"],
    ["push", "--proxy", "http://127.0.0.1:9", "--dry-run"],
]


def run(folder, *args):
    env = {**os.environ, "LITELLM_MASTER_KEY": "sk-test", "LLMSYNC_CACHE_DIR": str(folder)}
    return subprocess.run(
        [sys.executable, "-m", "llmsync", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard only: each run takes a fraction of a second
    )


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_command_refuses_hostile_yaml_in_one_line(tmp_path, name):
    text, line, what = HOSTILE[name]
    config = tmp_path / "config.yaml"
    config.write_text(text)
    for command in COMMANDS:
        done = run(tmp_path, *command)
        assert done.returncode == 2, (command, done.returncode, done.stderr[-500:])
        assert done.stderr.startswith(f"llmsync: error: config.yaml:{line}: "), done.stderr
        assert what in done.stderr and done.stderr.count("\n") == 1
        assert done.stdout == ""
    checked = run(tmp_path, "validate", "--format", "json")
    assert checked.returncode == 1 and '"code": "E001"' in checked.stdout
    assert f'"line": {line},' in checked.stdout and what in checked.stdout
    assert config.read_text() == text


def test_depth_and_anchors_within_the_limits_still_load(tmp_path):
    """A real config's anchors (shared defaults, merge keys) and nesting are nowhere near."""
    text = (
        "x-defaults: &defaults {api_key: os.environ/OPENAI_API_KEY, rpm: 10}\n"
        "model_list:\n"
        + "".join(
            f"  - model_name: m{i:04d}\n    litellm_params: {{<<: *defaults, model: openai/m{i}}}\n"
            for i in range(3000)
        )
        + "deep: "
        + "[" * (MAX_DEPTH - 2)
        + "]" * (MAX_DEPTH - 2)
        + "\n"
    )
    (tmp_path / "config.yaml").write_text(text)
    done = run(tmp_path, "sort", "--check")
    assert done.returncode == 0, done.stderr


def test_a_symlink_loop_is_one_line_in_every_command(tmp_path):
    os.symlink("config.yaml", tmp_path / "config.yaml")
    for command in [*COMMANDS, ["validate"], ["validate", "--format", "sarif"]]:
        done = run(tmp_path, *command)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.startswith("llmsync: error: config.yaml: cannot read: "), done.stderr
        assert "internal error" not in done.stderr


def test_an_include_that_loops_through_symlinks_is_a_finding(tmp_path):
    os.symlink("other.yaml", tmp_path / "other.yaml")
    (tmp_path / "config.yaml").write_text("include:\n  - other.yaml\nmodel_list: []\n")
    done = run(tmp_path, "validate")
    assert done.returncode == 1, done.stderr
    assert "E050" in done.stdout and "internal error" not in done.stderr


@pytest.mark.parametrize("name", ["laughs", "flow-30000"])
def test_a_hostile_providers_yaml_is_one_line_too(tmp_path, name):
    text, line, what = HOSTILE[name]
    (tmp_path / "providers.yaml").write_text(text)
    (tmp_path / "config.yaml").write_text("model_list: []\n")
    for command in (["providers"], ["cleanup", "--dry-run", "--offline"]):
        done = run(tmp_path, *command)
        assert done.returncode == 2, (command, done.stderr[-300:])
        assert done.stderr.startswith(f"llmsync: error: providers.yaml:{line}: "), done.stderr
        assert what in done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "x: &a {k: 1, <<: *a}\nmodel_list: []\n",  # a merge key into its own mapping
        "x: &a [1, *a]\nmodel_list: []\n",  # a sequence holding itself
    ],
)
def test_an_anchor_used_inside_itself_is_refused_not_looped_on(workdir, llmsync, text):
    config = workdir / "config.yaml"
    config.write_text(text)
    run = llmsync("cleanup", "--dry-run")
    assert run.exit_code == 2, run.output
    assert "config.yaml:1: an anchor is used inside itself; not read" in run.stderr
    assert config.read_text() == text
