"""push against a faithful stub of LiteLLM's admin API on 127.0.0.1 (tests/admin_stub.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from admin_stub import AdminStub
from conftest import write_config

MASTER = "sk-push-master-key-8c1f"
LITERAL = "sk-literal-provider-key-3e9a"
CONFIG = f"""\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      input_cost_per_token: 2.5e-06
  - model_name: local
    litellm_params:
      model: hosted_vllm/qwen
      api_base: http://vllm:8000/v1
      api_key: {LITERAL}
    model_info:
      max_input_tokens: 32768
router_settings:
  model_group_alias: {{fast: local}}
"""


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setenv("LITELLM_MASTER_KEY", MASTER)
    with AdminStub(MASTER) as admin:
        admin.config_rows.append(
            {
                "model_name": "from-config",
                "litellm_params": {"model": "openai/x", "api_key": "k"},
                "model_info": {"id": "cfg-1", "db_model": False},
            }
        )
        admin.db_rows["hand-1"] = {
            "model_name": "hand-added",
            "litellm_params": {"model": "openai/y"},
            "model_info": {"id": "hand-1", "db_model": True},
        }
        yield admin


def push(llmsync, stub, *args):
    return llmsync("push", "--proxy", stub.url, *args)


def make_repository(folder, url="git@github.com:acme/llm-config.git"):
    """A folder that is a clone (what push reads of it: .git/config's remote)."""
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    (folder / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n')


def owned(stub):
    return {k: v for k, v in stub.db_rows.items() if v["model_info"].get("llmsync_owner")}


def test_dry_run_plans_and_writes_nothing_then_push_creates_then_nothing(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    preview = push(llmsync, stub, "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.count("create ") == 2 and "0 delete" in preview.stdout
    assert stub.writes == []

    run = push(llmsync, stub)
    assert run.exit_code == 0, run.output
    rows = owned(stub)
    assert len(rows) == 2 and all(i.startswith("llmsync-") for i in rows)
    # no repository here: the owner is the file's absolute path, shown in every plan
    label = str((workdir / "config.yaml").resolve())
    assert {r["model_info"]["llmsync_owner"] for r in rows.values()} == {label}
    assert f"owner: {label} (default: the file's absolute path)" in preview.stdout
    local = next(r for r in rows.values() if r["model_name"] == "local")
    assert local["litellm_params"]["api_key"] == LITERAL  # sent, as written
    assert local["model_info"]["max_input_tokens"] == 32768
    assert "hand-1" in stub.db_rows  # not ours: untouched

    before = len(stub.writes)
    again = push(llmsync, stub, "--check")
    assert again.exit_code == 0, again.output  # in sync: a second push plans nothing
    assert "2 unchanged" in again.stdout
    assert len(stub.writes) == before
    for secret in (MASTER, LITERAL):
        assert secret not in preview.output + run.output + again.output


def test_ids_are_stable_and_changes_are_field_by_field(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    ids = set(owned(stub))
    config.write_text(
        CONFIG.replace("2.5e-06", "3.0e-06").replace(LITERAL, "sk-rotated-key-000111")
    )
    check = push(llmsync, stub, "--check")
    assert check.exit_code == 1  # drift
    assert "litellm_params.input_cost_per_token: 2.5e-06 -> 3e-06" in check.stdout
    assert "litellm_params.api_key: '<changed>' -> '<changed>'" in check.stdout
    assert "sk-rotated" not in check.output
    run = push(llmsync, stub)
    assert run.exit_code == 0, run.output
    assert set(owned(stub)) == ids  # updated in place, same ids
    assert [w[0] for w in stub.writes[-2:]] == ["PATCH", "PATCH"]
    gpt = next(r for r in owned(stub).values() if r["model_name"] == "gpt-4o")
    assert gpt["litellm_params"]["input_cost_per_token"] == 3e-06


def test_a_removed_field_is_a_replace_that_creates_first_and_deletes_after(workdir, stub, llmsync):
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    ids = set(owned(stub))
    config.write_text(CONFIG.replace("    model_info:\n      max_input_tokens: 32768\n", ""))
    run = push(llmsync, stub)
    assert run.exit_code == 0, run.output
    assert "replace" in run.stdout and "model_info.max_input_tokens: '(set)' -> None" in run.stdout
    local = next(r for r in owned(stub).values() if r["model_name"] == "local")
    old_id = next(i for i in ids if i not in owned(stub))
    assert local["model_info"]["id"].startswith(old_id + "-")  # the key, plus a content hash
    assert "max_input_tokens" not in local["model_info"]
    assert [w[1] for w in stub.writes[-2:]] == ["/model/new", "/model/delete"]
    assert stub.writes[-1][2] == {"id": old_id}
    again = push(llmsync, stub, "--check")
    assert again.exit_code == 0 and "2 unchanged" in again.stdout  # stable: no churn


def test_prune_deletes_only_owned_rows_that_left_and_is_guarded(workdir, stub, llmsync):
    make_repository(workdir)
    config = write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    config.write_text(CONFIG.split("  - model_name: local")[0] + "router_settings: {}\n")
    plain = push(llmsync, stub)
    assert plain.exit_code == 0 and "--prune deletes it" in plain.stderr
    assert len(owned(stub)) == 2
    guarded = push(llmsync, stub, "--prune", "--max-delete", "0")
    assert guarded.exit_code == 1 and "would delete 1 rows" in guarded.stderr
    assert len(owned(stub)) == 2
    run = push(llmsync, stub, "--prune")
    assert run.exit_code == 0, run.output
    assert [r["model_name"] for r in owned(stub).values()] == ["gpt-4o"]
    assert "hand-1" in stub.db_rows  # hand-added, never pruned
    assert all(body != {"id": "cfg-1"} for _, _, body in stub.writes)


def test_alias_rows_are_not_duplicates(workdir, stub, llmsync):
    make_repository(workdir)
    write_config(workdir, CONFIG)
    assert push(llmsync, stub).exit_code == 0
    stub.aliases["fast"] = "local"  # /model/info now repeats local's id under "fast"
    run = push(llmsync, stub, "--prune")
    assert run.exit_code == 0, run.output
    assert "0 delete" in run.stdout and "2 unchanged" in run.stdout


def test_no_database_stops_before_any_write(workdir, stub, llmsync):
    stub.database = False
    write_config(workdir, CONFIG)
    run = push(llmsync, stub)
    assert run.exit_code == 1
    assert "has no database connected" in run.stderr and "nothing was written" in run.stderr
    assert stub.writes == []


def test_a_listing_that_fails_stops_everything(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    stub.fail[("GET", "/model/info")] = [(500, False)] * 3  # every attempt
    run = push(llmsync, stub, "--prune", "--owner", "team-a")
    assert run.exit_code == 1
    assert (
        "cannot read the proxy's models" in run.stderr and "HTTP 500 after 3 attempts" in run.stderr
    )
    assert stub.writes == []


def test_a_failed_write_is_named_the_rest_applied_and_a_500_is_checked(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    stub.fail[("POST", "/model/new")] = [(500, True)]  # written anyway, then 500
    run = push(llmsync, stub)
    assert run.exit_code == 0, run.output  # listed again: the row is there
    assert len(owned(stub)) == 2
    stub.db_rows = {k: v for k, v in stub.db_rows.items() if not k.startswith("llmsync-")}
    stub.fail[("POST", "/model/new")] = [(500, False)]  # really failed
    run = push(llmsync, stub)
    assert run.exit_code == 1
    assert "FAILED: HTTP 500 (internal_error); not on the proxy when read again" in run.stdout
    assert "applied 1, failed 1, unknown 0" in run.stdout
    assert len(owned(stub)) == 1  # the other create still went through


def test_routes_only_changed_keys_and_config_owned_keys_fail(workdir, stub, llmsync):
    write_config(workdir, CONFIG)
    run = push(llmsync, stub, "--routes")
    assert run.exit_code == 0, run.output
    assert stub.router["model_group_alias"] == {"fast": "local"}
    assert (
        "POST",
        "/config/update",
        {"router_settings": {"model_group_alias": {"fast": "local"}}},
    ) in stub.writes
    before = len(stub.writes)
    assert push(llmsync, stub, "--routes").exit_code == 0
    assert len(stub.writes) == before
    stub.router = {}
    stub.config_owned_router_keys = {"model_group_alias"}
    failed = push(llmsync, stub, "--routes")
    assert failed.exit_code == 1 and "router settings not updated: HTTP 400" in failed.stderr


def test_json_report_and_missing_key(workdir, stub, llmsync, monkeypatch):
    write_config(workdir, CONFIG)
    run = push(llmsync, stub, "--dry-run", "--format", "json", "--report", "push.md")
    data = json.loads(run.stdout)
    assert data["summary"]["create"] == 2 and data["owner"] == str(workdir / "config.yaml")
    assert "| create | gpt-4o |" in (workdir / "push.md").read_text()
    monkeypatch.delenv("LITELLM_MASTER_KEY")
    missing = push(llmsync, stub)
    assert missing.exit_code == 2 and "set LITELLM_MASTER_KEY" in missing.stderr


def test_every_repeats_until_sigterm(workdir, stub):
    write_config(workdir, CONFIG)
    env = {**os.environ, "LITELLM_MASTER_KEY": MASTER}
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmsync", "push", "--proxy", stub.url, "--every", "1"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and sum(1 for r in stub.requests if r[1] == "/v2/model/info") < 2
    ):
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "round 1: exit 0" in err and "round 2: exit 0" in err and "stopped after" in err
    assert len(owned(stub)) == 2  # the second round created nothing more
    assert MASTER not in out + err


@pytest.mark.skipif(
    not os.environ.get("LLMSYNC_LIVE_PROXY_URL"),
    reason="set LLMSYNC_LIVE_PROXY_URL (and LITELLM_MASTER_KEY) to a database-backed proxy",
)
def test_push_round_trip_against_a_live_database_backed_proxy(workdir, llmsync):
    """Opt-in: a real database-backed proxy cannot start here (Prisma fetches its engine)."""
    url = os.environ["LLMSYNC_LIVE_PROXY_URL"]
    write_config(workdir, CONFIG.replace(LITERAL, "os.environ/LLMSYNC_TEST_KEY"))
    owner = f"llmsync-test-{os.getpid()}"
    try:
        assert llmsync("push", "--proxy", url, "--owner", owner).exit_code == 0
        assert llmsync("push", "--proxy", url, "--owner", owner, "--check").exit_code == 0
    finally:
        write_config(workdir, "model_list: []\n")
        llmsync("push", "--proxy", url, "--owner", owner, "--prune")


def test_credentials_named_by_entries_are_created_first_and_never_overwritten(
    workdir, stub, llmsync
):
    text = CONFIG.replace(
        f"      api_key: {LITERAL}\n", "      litellm_credential_name: vllm-cred\n"
    ) + (
        "credential_list:\n  - credential_name: vllm-cred\n"
        "    credential_values: {api_key: os.environ/VLLM_KEY}\n"
        "    credential_info: {description: lab}\n"
    )
    write_config(workdir, text)
    run = push(llmsync, stub)
    assert run.exit_code == 0, run.output
    assert stub.writes[0][1] == "/credentials"  # before any model that needs it
    assert stub.credentials["vllm-cred"]["credential_values"] == {"api_key": "os.environ/VLLM_KEY"}
    again = push(llmsync, stub)
    assert again.exit_code == 0 and "credential vllm-cred already exists" in again.stderr


def test_litellms_own_proxy_variables_are_read(workdir, stub, llmsync, monkeypatch):
    """LiteLLM's proxy CLI names the proxy and its key LITELLM_PROXY_URL / _API_KEY."""
    write_config(workdir, CONFIG)
    monkeypatch.delenv("LITELLM_MASTER_KEY")
    monkeypatch.setenv("LITELLM_PROXY_URL", stub.url)
    monkeypatch.setenv("LITELLM_PROXY_API_KEY", MASTER)
    run = llmsync("push", "--dry-run")
    assert run.exit_code == 0, run.output
    assert run.stdout.count("create ") == 2
    assert MASTER not in run.output
