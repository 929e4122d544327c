"""``llmsync init github``: the weekly workflow for an operator's own config repository.

One function builds the workflow's text from the config (which secrets its providers need) and
the action reference; another writes it. The workflow uses the published action by tag (which
installs the package, not the test suite), previews, applies, validates against the config as it
was before the run (findings that were already there never block the pull request), and opens
or updates one pull request whose body is the report. Secrets reach only the two steps that
fetch catalogues; the job may write contents and pull requests, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llmsync import steps
from llmsync.document import ConfigDocument, env_reference
from llmsync.errors import LlmsyncError
from llmsync.registry import Registry

WORKFLOW = Path(".github") / "workflows" / "llmsync-weekly.yml"
# The action's home and the major tag a release moves (release.yml). Until a release exists,
# pass --action OWNER/llmsync@<commit sha> of the copy you trust.
ACTION = "llmsync/llmsync@v1"


@dataclass(frozen=True)
class WeeklyWorkflow:
    path: Path  # where it goes, relative to the repository
    text: str
    secrets: tuple[str, ...]  # the repository secrets it reads


def secrets_for(doc: ConfigDocument, registry: Registry) -> tuple[str, ...]:
    """Every variable the providers of ``doc``'s entries read: their key variables, the
    platforms' credentials and each entry's own ``os.environ/X`` references."""
    wanted: dict[str, None] = {}
    for entry in doc.all_entries:
        owner = registry.owner(entry.model, entry.api_base)
        if owner:
            provider = registry.providers[owner[0]]
            wanted.update(dict.fromkeys(provider.environment))
            if provider.spec.api_key_env:
                wanted[provider.spec.api_key_env] = None
        for value in entry.litellm_params.values():
            var = env_reference(value)
            if var:
                wanted[var] = None
    return tuple(wanted)


def weekly_workflow(
    config: str, secrets: tuple[str, ...], action: str = ACTION, version: str = ""
) -> WeeklyWorkflow:
    """The workflow's text for the config at ``config`` (a path inside the repository)."""
    if "@" not in action or any(c.isspace() for c in action):
        raise LlmsyncError(
            f"--action must be OWNER/REPO@REF (a tag or a commit sha), not {action!r}"
        )
    env = "".join(f"          {name}: ${{{{ secrets.{name} }}}}\n" for name in secrets)
    env_block = f"        env:\n{env}" if env else ""
    cleanup = f"cleanup --config {config} --provider all --add-new --report llmsync-report.md"
    text = _TEMPLATE.format(
        version=version,
        config=config,
        before=_before(config),
        action=action,
        env=env_block,
        cleanup=cleanup,
    )
    return WeeklyWorkflow(WORKFLOW, text, secrets)


def _before(config: str) -> str:
    """Where the config as it was is kept for validate: beside it, so its include: paths
    resolve the same way; never committed (the pull request adds only the config)."""
    path = Path(config)
    return str(path.with_name(f".{path.stem}.llmsync-before{path.suffix}"))


def write_workflow(repository: Path, workflow: WeeklyWorkflow, force: bool) -> Path:
    """Write the workflow into ``repository``; an existing different file needs ``force``."""
    target = repository / workflow.path
    if target.exists() and target.read_text(encoding="utf-8") != workflow.text and not force:
        raise LlmsyncError(f"{target} exists and differs; --force replaces it (--dry-run shows it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(workflow.text, encoding="utf-8")
    return target


_TEMPLATE = """\
# Written by `llmsync init github` (llmsync {version}); edit freely, or re-run it with --force.
# Every Monday: fetch the catalogues of the providers {config} uses, remove retired models,
# update prices, add the models each provider's add_new globs name, and open or update ONE pull
# request (branch llmsync/weekly) whose body is the report. Held-back changes, failed providers
# and new validate findings fail the run after the pull request is opened, so a person looks.
name: llmsync weekly

on:
  schedule:
    - cron: "17 6 * * 1" # Mondays 06:17 UTC: an odd minute, off the crowded top of the hour
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: llmsync-weekly
  cancel-in-progress: false # never stop a run halfway through pushing its branch

jobs:
  sync:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: write # the branch of the pull request
      pull-requests: write
    env:
      LLMSYNC_CACHE_DIR: .llmsync-cache # one catalogue snapshot for preview and apply
    steps:
      - uses: actions/checkout@v6
      - name: Keep the config as it was
        run: cp {config} {before}
      - name: Preview
        id: preview
        uses: {action} # installs llmsync; later steps use that install
{env}        with:
          command: {cleanup} --dry-run
      - name: Apply
        id: apply
        uses: {action}
{env}        with:
          executable: llmsync
          command: {cleanup}
      - name: Validate
        id: validate
        if: always()
        uses: {action}
        with:
          executable: llmsync
          command: validate --config {config} --baseline {before} --format github
          fail-on: never
      - name: Summary
        if: always()
        run: if [ -f llmsync-report.md ]; then cat llmsync-report.md >> "$GITHUB_STEP_SUMMARY"; fi
      - name: Open or update the pull request
        if: steps.apply.outputs.exit-code == '0' || steps.apply.outputs.exit-code == '1'
        uses: peter-evans/create-pull-request@v8
        with:
          branch: llmsync/weekly
          delete-branch: true
          add-paths: {config}
          commit-message: "chore(llmsync): weekly model sync"
          title: "chore(llmsync): weekly model sync"
          body-path: llmsync-report.md
          labels: llmsync
      - name: Ask for a person
        if: steps.apply.outputs.exit-code == '1' || steps.validate.outputs.exit-code == '1'
        run: |
          echo "::warning::llmsync held changes back, a provider failed, or validate found something new; see the report"
          exit 1
"""


def run(
    *,
    config: Path,
    repository: Path,
    action: str,
    providers: Path | None,
    dry_run: bool,
    force: bool,
) -> int:
    """``llmsync init github``: write (or with ``dry_run`` print) the weekly workflow."""
    from llmsync import __version__

    path = config if config.is_absolute() else repository / config
    doc = steps.load_config(path)
    secrets = secrets_for(doc, steps.load_registry(providers))
    inside = path.resolve().relative_to(repository.resolve()).as_posix()
    workflow = weekly_workflow(inside, secrets, action or ACTION, __version__)
    if dry_run:
        steps.echo(workflow.text.rstrip("\n"))
        return 0
    written = write_workflow(repository, workflow, force)
    steps.echo(f"wrote {written} (reads {len(secrets)} secret(s): {', '.join(secrets) or 'none'})")
    steps.echo(
        "next: add those secrets in the repository's Settings > Secrets and variables > Actions"
    )
    return 0
