"""`llmsync init github` in a throwaway config repository that is not this one: the workflow it
writes passes actionlint, and its steps, run as shell against a stub catalogue, produce the
pull request's body; validate reports only what the run brought."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from test_workflows import ROOT, bench, run_action, run_step

from llmsync.commands.init_github import ACTION, WORKFLOW

VENV_BIN = str(Path(sys.executable).parent)


@pytest.fixture
def config_repo(tmp_path, monkeypatch, llmsync):
    """An operator's repository: their config (LiteLLM's usual name for it), a registry pointing
    at a local stub catalogue, a pre-existing validate finding, and no llmsync source at all."""
    bench.DELAY = 0
    server = bench.StubServer(("127.0.0.1", 0), bench.SlowCatalogue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    repo = tmp_path / "my-proxy-config"
    (repo / "deploy").mkdir(parents=True)
    text = (ROOT / "config.yaml").read_text()
    typo = "  - model_name: typo\n    litellm_params:\n      model: requesty/x\n"  # a finding
    text = text.replace("model_list:\n", "model_list:\n" + typo, 1)
    (repo / "deploy" / "litellm_config.yaml").write_text(text)
    (repo / "providers.yaml").write_text(bench.stub_registry(server.server_address[1]))
    monkeypatch.chdir(repo)
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    yield repo
    server.shutdown()


def steps(repo: Path) -> dict[str, dict]:
    data = yaml.safe_load((repo / WORKFLOW).read_text())
    (job,) = data["jobs"].values()
    return {s.get("name", s.get("uses")): s for s in job["steps"]} | {"": job}


def test_init_writes_a_lint_clean_weekly_workflow_whose_steps_open_the_pr(config_repo, llmsync):
    run = llmsync("init", "github", "--config", "deploy/litellm_config.yaml")
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith(f"wrote {WORKFLOW}")
    binary = shutil.which("actionlint", path=os.environ["PATH"])
    if binary is not None:  # the test extra installs it on Linux x86_64
        lint = subprocess.run([binary, str(WORKFLOW)], capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr
    found = steps(config_repo)
    job = found.pop("")
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    # the published action by tag, the package it installs, never this repository's tests
    text = (config_repo / WORKFLOW).read_text()
    assert "pytest" not in text and "uses: ./" not in text
    assert {s["uses"] for s in found.values() if "uses" in s and "llmsync" in s["uses"]} == {ACTION}
    # secrets only for the steps that fetch, and only the providers this config uses
    with_secrets = {n for n, s in found.items() if "secrets." in str(s.get("env", ""))}
    assert with_secrets == {"Preview", "Apply"}
    assert "OPENROUTER_API_KEY" in found["Apply"]["env"]
    assert "AWS_SECRET_ACCESS_KEY" not in found["Apply"]["env"]  # no Bedrock entry here
    assert found["Validate"]["if"] == "always()"

    config = config_repo / "deploy" / "litellm_config.yaml"
    before = config.read_text()
    assert run_step(config_repo, found["Keep the config as it was"]["run"])[0] == 0
    code, outputs = run_action(config_repo, found["Preview"])
    assert code == 0 and outputs["exit-code"] == "0", outputs
    assert config.read_text() == before
    code, outputs = run_action(config_repo, found["Apply"])
    assert code == 0 and outputs == {"exit-code": "0", "report": "llmsync-report.md"}
    assert config.read_text() != before  # repriced from the stub catalogue
    body = (config_repo / "llmsync-report.md").read_text()
    assert body.startswith("## llmsync: ")
    # the pre-existing finding (requesty/x) is in the baseline: validate does not block the PR
    code, outputs = run_action(config_repo, found["Validate"])
    assert code == 0 and outputs["exit-code"] == "0"
    assert run_step(config_repo, found["Summary"]["run"])[0] == 0
    assert (config_repo / "summary").read_text() == body
    assert found["Open or update the pull request"]["with"]["body-path"] == "llmsync-report.md"
    assert found["Open or update the pull request"]["with"]["add-paths"] == (
        "deploy/litellm_config.yaml"
    )


def test_validate_blocks_only_on_findings_the_run_brought(config_repo, llmsync):
    assert llmsync("init", "github", "-c", "deploy/litellm_config.yaml").exit_code == 0
    found = steps(config_repo)
    assert run_step(config_repo, found["Keep the config as it was"]["run"])[0] == 0
    config = config_repo / "deploy" / "litellm_config.yaml"
    new = "  - model_name: new-typo\n    litellm_params:\n      model: requesty/y\n"
    config.write_text(config.read_text().replace("model_list:\n", "model_list:\n" + new, 1))
    code, outputs = run_action(config_repo, found["Validate"])
    assert code == 0 and outputs["exit-code"] == "1"  # reported; "Ask for a person" fails


def test_init_refuses_to_overwrite_and_checks_the_action_reference(config_repo, llmsync):
    assert llmsync("init", "github", "-c", "deploy/litellm_config.yaml").exit_code == 0
    path = config_repo / WORKFLOW
    path.write_text(path.read_text() + "# my own edit\n")
    run = llmsync("init", "github", "-c", "deploy/litellm_config.yaml")
    assert run.exit_code == 2 and "exists and differs; --force replaces it" in run.stderr
    assert path.read_text().endswith("# my own edit\n")
    run = llmsync("init", "github", "-c", "deploy/litellm_config.yaml", "--action", "me/llmsync")
    assert run.exit_code == 2 and "--action must be OWNER/REPO@REF" in run.stderr
    sha = "me/llmsync@" + "a" * 40
    run = llmsync(
        "init", "github", "-c", "deploy/litellm_config.yaml", "--action", sha, "--dry-run"
    )
    assert run.exit_code == 0 and f"uses: {sha}" in run.stdout
    assert path.read_text().endswith("# my own edit\n")  # --dry-run wrote nothing


def test_a_cloud_platform_brings_its_own_credentials_and_only_to_the_fetching_steps(
    config_repo, llmsync
):
    config = config_repo / "deploy" / "litellm_config.yaml"
    config.write_text(
        "model_list:\n  - model_name: c\n    litellm_params:\n"
        "      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0\n"
    )
    assert llmsync("init", "github", "-c", "deploy/litellm_config.yaml").exit_code == 0
    found = steps(config_repo)
    for name in ("Preview", "Apply"):
        assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} <= set(
            found[name]["env"]
        )
    assert "OPENROUTER_API_KEY" not in found["Apply"]["env"]  # no OpenRouter entry now
    assert "env" not in found["Validate"] and "env" not in found["Open or update the pull request"]
