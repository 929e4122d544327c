"""Config discovery: --config, LLMSYNC_CONFIG, CONFIG_FILE_PATH, then the usual file names."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_config

from llmsync.config_path import CANDIDATES, NoConfig, find_config

SORTED = "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a}\n"
NOTHING = (
    "llmsync: error: no config found: tried --config, LLMSYNC_CONFIG, CONFIG_FILE_PATH, "
    "config.yaml, litellm_config.yaml, litellm-config.yaml (pass --config FILE)\n"
)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LLMSYNC_CONFIG", raising=False)
    monkeypatch.delenv("CONFIG_FILE_PATH", raising=False)
    return tmp_path


def test_given_path_wins_even_when_missing(here):
    write_config(here, SORTED)
    env = {"LLMSYNC_CONFIG": "x.yaml", "CONFIG_FILE_PATH": "y.yaml"}
    assert find_config(Path("other.yaml"), env) == Path("other.yaml")


def test_llmsync_config_before_litellms_variable_and_the_folder(here):
    for name in ("mine.yaml", "theirs.yaml", "config.yaml"):
        write_config(here, SORTED, name)
    env = {"LLMSYNC_CONFIG": "mine.yaml", "CONFIG_FILE_PATH": "theirs.yaml"}
    assert find_config(None, env) == Path("mine.yaml")


def test_a_missing_llmsync_config_is_an_error_not_passed_over(here):
    write_config(here, SORTED)
    with pytest.raises(NoConfig, match=r"^LLMSYNC_CONFIG=gone.yaml: no such file"):
        find_config(None, {"LLMSYNC_CONFIG": "gone.yaml"})


def test_litellms_config_file_path_before_the_folder(here):
    write_config(here, SORTED, "theirs.yaml")
    write_config(here, SORTED)
    assert find_config(None, {"CONFIG_FILE_PATH": "theirs.yaml"}) == Path("theirs.yaml")


def test_a_container_path_in_config_file_path_is_passed_over_and_named(here):
    write_config(here, SORTED, "litellm_config.yaml")
    assert find_config(None, {"CONFIG_FILE_PATH": "/app/config.yaml"}) == Path(
        "litellm_config.yaml"
    )
    (here / "litellm_config.yaml").unlink()
    with pytest.raises(NoConfig, match=r"CONFIG_FILE_PATH \(/app/config.yaml: no such file\)"):
        find_config(None, {"CONFIG_FILE_PATH": "/app/config.yaml"})


@pytest.mark.parametrize("index", range(len(CANDIDATES)))
def test_the_first_usual_name_present_is_used(here, index):
    for name in CANDIDATES[index:]:
        write_config(here, SORTED, name)
    assert find_config(None, {}) == Path(CANDIDATES[index])


def test_a_folder_named_config_yaml_is_not_passed_over(here):
    (here / "config.yaml").mkdir()
    write_config(here, SORTED, "litellm_config.yaml")
    assert find_config(None, {}) == Path("config.yaml")  # the command refuses it in one line


def test_commands_find_the_config_through_the_environment(here, llmsync, monkeypatch):
    write_config(here, SORTED, "litellm-config.yaml")
    run = llmsync("sort", "--check")
    assert (run.exit_code, run.stdout) == (
        0,
        "litellm-config.yaml: model_list is sorted (1 entries)\n",
    )

    write_config(here, SORTED, "elsewhere.yaml")
    monkeypatch.setenv("CONFIG_FILE_PATH", str(here / "elsewhere.yaml"))
    run = llmsync("sort", "--check")
    assert run.exit_code == 0 and run.stdout.startswith(f"{here / 'elsewhere.yaml'}: ")

    monkeypatch.setenv("LLMSYNC_CONFIG", "litellm-config.yaml")
    run = llmsync("sort", "--check")
    assert run.exit_code == 0 and run.stdout.startswith("litellm-config.yaml: ")


def test_no_config_is_one_line_and_exit_2(here, llmsync):
    for command in (["sort", "--check"], ["cleanup", "--dry-run"], ["validate"], ["generate"]):
        run = llmsync(*command)
        assert (run.exit_code, run.stdout, run.stderr) == (2, "", NOTHING), command


def test_a_missing_llmsync_config_names_the_variable(here, llmsync, monkeypatch):
    write_config(here, SORTED)
    monkeypatch.setenv("LLMSYNC_CONFIG", "gone.yaml")
    run = llmsync("sort", "--check")
    assert run.exit_code == 2
    assert run.stderr == (
        "llmsync: error: LLMSYNC_CONFIG=gone.yaml: no such file (unset it, or pass --config FILE)\n"
    )


def test_an_explicit_missing_config_keeps_its_message(here, llmsync, monkeypatch):
    write_config(here, SORTED)  # not used: --config said otherwise
    monkeypatch.setenv("LLMSYNC_CONFIG", "config.yaml")
    run = llmsync("sort", "--check", "--config", "missing.yaml")
    assert (run.exit_code, run.stderr) == (2, "llmsync: error: missing.yaml: no such file\n")


def test_find_goes_on_without_a_config(here, llmsync, monkeypatch):
    monkeypatch.setenv("LLMSYNC_CACHE_DIR", str(here / ".cache"))
    run = llmsync("find", "gpt-4o", "-p", "openrouter", "--offline")
    assert run.exit_code == 1  # nothing cached: no result, but no config error either
    assert "no config found" not in run.stderr
