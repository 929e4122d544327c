"""push under failure: nothing of the file goes missing on the proxy, and every result is true.

Against tests/admin_stub.py with injected faults: 500s that did or did not write, writes that
hang, a PATCH that answers 200 and changes nothing, kill -9 at random points of a push.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from admin_stub import AdminStub
from conftest import write_config
from test_push import CONFIG, MASTER, make_repository, owned, push

from llmsync.repository import config_identity, normalise_remote

WITHOUT_LIMIT = CONFIG.replace("    model_info:\n      max_input_tokens: 32768\n", "")


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setenv("LITELLM_MASTER_KEY", MASTER)
    with AdminStub(MASTER) as admin:
        yield admin


def models_on(stub):
    """(model_name, model) of every row llmsync owns on the proxy."""
    return sorted((r["model_name"], r["litellm_params"]["model"]) for r in owned(stub).values())


def local_row(stub):
    return next(r for r in owned(stub).values() if r["model_name"] == "local")


# --------------------------------------------------------------------------- replace


def test_a_replace_whose_create_fails_keeps_the_old_row(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    before = local_row(stub)
    config.write_text(WITHOUT_LIMIT)
    stub.fail[("POST", "/model/new")] = [(500, False)]
    run = push(llmsync, stub)
    assert run.exit_code == 1
    assert "FAILED: HTTP 500 (internal_error); not on the proxy when read again; the old row" in (
        run.stdout
    )
    assert local_row(stub) == before  # the model is still served, as it was
    assert not any(w[1] == "/model/delete" for w in stub.writes)
    assert push(llmsync, stub).exit_code == 0  # the next push finishes the job
    assert "max_input_tokens" not in local_row(stub)["model_info"]
    assert len(owned(stub)) == 2


def test_a_replace_whose_delete_fails_leaves_a_second_copy_that_the_next_push_folds(
    workdir, stub, llmsync
):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    config.write_text(WITHOUT_LIMIT)
    stub.fail[("POST", "/model/delete")] = [(500, False)]
    run = push(llmsync, stub)
    assert run.exit_code == 1 and "but the old row" in run.stdout and "may remain" in run.stdout
    assert len(owned(stub)) == 3  # old and new copy of "local": nothing missing
    again = push(llmsync, stub)
    assert again.exit_code == 0, again.output
    assert "a second copy of" in again.stdout
    assert len(owned(stub)) == 2
    assert "max_input_tokens" not in local_row(stub)["model_info"]


def test_an_interrupted_replace_is_folded_keeping_the_copy_that_matches(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    old = local_row(stub)
    config.write_text(WITHOUT_LIMIT)
    stub.fail[("POST", "/model/delete")] = [(500, False)]
    push(llmsync, stub)  # as if killed between the create and the delete
    new = next(r for r in owned(stub).values() if r["model_name"] == "local" and r is not old)
    config.write_text(WITHOUT_LIMIT)
    run = push(llmsync, stub, "--dry-run")
    assert "delete    local" in run.stdout and old["model_info"]["id"] in run.stdout
    assert push(llmsync, stub).exit_code == 0
    assert local_row(stub)["model_info"]["id"] == new["model_info"]["id"]


# --------------------------------------------------------------------------- updates


def test_a_patch_that_answers_500_without_writing_is_a_failure(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    config.write_text(CONFIG.replace("2.5e-06", "3.0e-06"))
    stub.fail[("PATCH", "/model/*/update")] = [(500, False)]
    run = push(llmsync, stub, "--format", "json")
    assert run.exit_code == 1
    data = json.loads(run.stdout)
    update = next(op for op in data["operations"] if op["kind"] == "update")
    assert update["result"] == "failed" and "not on the proxy" not in update["why"]
    assert (
        "the proxy still holds other values for litellm_params.input_cost_per_token"
        in (update["why"])
    )
    assert data["summary"]["failed"] == 1 and data["summary"]["applied"] == 0
    gpt = next(r for r in owned(stub).values() if r["model_name"] == "gpt-4o")
    assert gpt["litellm_params"]["input_cost_per_token"] == 2.5e-06


def test_a_patch_that_answers_200_but_changes_nothing_is_a_failure(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    config.write_text(CONFIG.replace("2.5e-06", "3.0e-06"))
    stub.fail[("PATCH", "/model/*/update")] = [(200, False)]
    run = push(llmsync, stub)
    assert run.exit_code == 1
    assert "FAILED: the proxy still holds other values for" in run.stdout


def test_a_500_that_wrote_anyway_is_done(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    config.write_text(CONFIG.replace("2.5e-06", "3.0e-06"))
    stub.fail[("PATCH", "/model/*/update")] = [(500, True)]
    run = push(llmsync, stub)
    assert run.exit_code == 0, run.output
    assert "applied 1, failed 0, unknown 0" in run.stdout


def test_a_prune_delete_that_fails_is_named(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub, "--owner", "lab").exit_code == 0
    config.write_text(CONFIG.split("  - model_name: local")[0])
    stub.fail[("POST", "/model/delete")] = [(500, False)]
    run = push(llmsync, stub, "--owner", "lab", "--prune")
    assert run.exit_code == 1
    assert "FAILED: HTTP 500 (internal_error); still on the proxy when read again" in run.stdout
    assert len(owned(stub)) == 2


# --------------------------------------------------------------------------- hangs


def test_writes_that_hang_are_reported_applied_failed_or_unknown_not_a_crash(
    workdir, stub, llmsync
):
    write_config(workdir, CONFIG)
    stub.hang_seconds = 3
    # the first create is written but its answer never comes; the second is not written
    stub.fail[("POST", "/model/new")] = [("hang", True), ("hang", False)]
    run = push(llmsync, stub, "--timeout", "1")
    assert run.exit_code == 1, run.output
    assert "internal error" not in run.output
    assert "applied 1, failed 0, unknown 1" in run.stdout
    assert "UNKNOWN: no answer within 1s (--timeout); not on the proxy when read again" in (
        run.stdout
    )
    assert len(owned(stub)) == 1


def test_a_proxy_that_cannot_be_read_again_leaves_writes_unknown(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    # the first listing plans; every later one (the confirmation) fails
    stub.fail[("GET", "/model/info")] = [(None, False)] + [(500, False)] * 10
    run = push(llmsync, stub)
    assert run.exit_code == 1
    assert "applied 0, failed 0, unknown 2" in run.stdout
    assert "could not read the proxy again to confirm" in run.stdout


# --------------------------------------------------------------------------- owners


def test_two_folders_with_a_config_yaml_each_never_prune_each_other(tmp_path, stub, llmsync):
    make_repository(tmp_path)
    team_a, team_b = tmp_path / "team-a", tmp_path / "team-b"
    team_a.mkdir()
    team_b.mkdir()
    write_config(team_a, CONFIG)
    write_config(team_b, CONFIG.replace("gpt-4o", "gpt-4.1"))
    for team in (team_a, team_b):
        run = push(llmsync, stub, "--config", str(team / "config.yaml"), "--prune")
        assert run.exit_code == 0, run.output
    owners = {r["model_info"]["llmsync_owner"] for r in owned(stub).values()}
    assert owners == {
        "github.com/acme/llm-config:team-a/config.yaml",
        "github.com/acme/llm-config:team-b/config.yaml",
    }
    write_config(team_a, "model_list: []\n")
    run = push(llmsync, stub, "--config", str(team_a / "config.yaml"), "--prune")
    assert run.exit_code == 0, run.output
    assert models_on(stub) == [("gpt-4.1", "openai/gpt-4.1"), ("local", "hosted_vllm/qwen")]


def test_prune_refuses_a_path_derived_owner_before_any_write(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    run = push(llmsync, stub, "--prune")
    assert run.exit_code == 2
    assert "--prune needs --owner LABEL" in run.stderr and "nothing was written" in run.stderr
    assert stub.requests == []
    assert push(llmsync, stub, "--prune", "--owner", "lab").exit_code == 0


def test_rows_of_the_old_default_owner_are_pointed_out(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    assert push(llmsync, stub, "--owner", "config.yaml").exit_code == 0
    run = push(llmsync, stub, "--dry-run")
    assert "2 row(s) on the proxy carry the owner 'config.yaml'" in run.stderr
    assert "--owner config.yaml" in run.stderr


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("git@github.com:Acme/LLM-Config.git", "github.com/acme/llm-config"),
        (
            "https://x-access-token:ghs_abc123@github.com/acme/llm-config",
            "github.com/acme/llm-config",
        ),
        ("https://github.com/acme/llm-config.git/", "github.com/acme/llm-config"),
        ("ssh://git@gitlab.example.com:2222/ops/litellm.git", "gitlab.example.com/ops/litellm"),
        ("/srv/git/config.git", "/srv/git/config"),
    ],
)
def test_remote_urls_become_labels_without_credentials(url, label):
    assert normalise_remote(url) == label


def test_a_worktree_finds_its_repository_remote(tmp_path):
    main = tmp_path / "main"
    make_repository(main, "https://github.com/acme/llm-config")
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (main / ".git" / "worktrees" / "wt" / "commondir").write_text("../..\n")
    tree = tmp_path / "wt"
    (tree / "deploy").mkdir(parents=True)
    (tree / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n")
    identity = config_identity(tree / "deploy" / "config.yaml")
    assert identity.label == "github.com/acme/llm-config:deploy/config.yaml"


# --------------------------------------------------------------------------- kill -9

ROWS = 40


def forty_entries(extra: str) -> str:
    lines = ["model_list:"]
    for i in range(ROWS):
        lines += [
            f"  - model_name: m{i:02d}",
            "    litellm_params:",
            f"      model: openai/model-{i:02d}",
            "      api_key: os.environ/OPENAI_API_KEY",
            *([extra] if extra else []),
        ]
    return "\n".join(lines) + "\n"


def test_kill_9_at_any_moment_never_leaves_a_model_of_the_file_missing(workdir, stub, llmsync):
    """30 pushes of a 40-row change that needs a replace per row (a field is removed: create
    the new row, confirm, delete the old), each killed at a random moment: every model of the
    file stays on the proxy each time."""
    make_repository(workdir)
    config = write_config(workdir, forty_entries("      rpm: 10"))
    assert push(llmsync, stub).exit_code == 0
    wanted = models_on(stub)
    assert len(wanted) == ROWS
    start_state = {k: json.loads(json.dumps(v)) for k, v in stub.db_rows.items()}
    config.write_text(forty_entries(""))
    stub.write_delay = 0.003  # a push of 80 writes takes a noticeable while: kills land inside
    env = {**os.environ, "LITELLM_MASTER_KEY": MASTER}
    command = [sys.executable, "-m", "llmsync", "push", "--proxy", stub.url]

    started = time.monotonic()
    full = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    duration = time.monotonic() - started
    assert full.returncode == 0, full.stdout + full.stderr
    assert models_on(stub) == wanted and len(owned(stub)) == ROWS

    rng = random.Random(17)
    interrupted = 0
    for _ in range(30):
        stub.db_rows = {k: json.loads(json.dumps(v)) for k, v in start_state.items()}
        proc = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.0, duration))
        proc.send_signal(signal.SIGKILL)
        interrupted += proc.wait() == -signal.SIGKILL
        time.sleep(0.05)  # a write the proxy was already serving lands
        assert set(models_on(stub)) == set(wanted)  # none missing (a second copy may be)
    assert interrupted >= 20  # most runs really were cut short
    finish = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    assert finish.returncode == 0, finish.stdout + finish.stderr
    assert models_on(stub) == wanted and len(owned(stub)) == ROWS  # folded back to one each
    assert all("rpm" not in r["litellm_params"] for r in owned(stub).values())
