"""Every secret shape of issue 17 planted at once, then every output of the CLI searched for it.

Each planted string is unique and recognisable; none may appear in stdout, stderr, a report, a
backup's name, the catalogue cache or a JSON/SARIF document (which must parse). Only
config.yaml itself (and its .bak) may hold them. The removed entry ``claude-2`` carries the
shapes in its fields and comments (a removed entry is shown whole in the diff); the repriced
``gpt-4o-mini`` carries a folded key and secret headers on the diff's context lines, and the
repriced ``deepseek-v3`` a ``|`` block key whose last lines open a hunk without its key line.
The environment holds keys too (``OPENROUTER_API_KEY``, and one an ``os.environ/`` reference
names, which ``push --resolve-env`` sends).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from admin_stub import AdminStub
from conftest import write_config
from test_cleanup import TEAM

from llmsync.redact import MASK

# ---- the planted secrets (each unique; the variable says its shape)
FOLD_HEAD = "sk-fold-head-5e7a31"  # a double-quoted api_key folded over two lines...
FOLD_TAIL = "tail-of-the-folded-key"  # ...whose second line looks like words
KEEP_HEAD = "sk-kept-fold-0d9c8b"  # the same shape in an entry that stays (diff context)
KEEP_TAIL = "rest-of-the-kept-key"
BLOCK_LINE = "block-scalar-secret-line"  # an api_key written as a `|` block, whose last
BLOCK_2 = "MIIEvQIBADANBgkqhkiG9w0B2"  # lines open a diff hunk (the key's line is not in it)
BLOCK_3 = "AQEFAASCBKcwggSjAgEAAoIB3"
BLOCK_4 = "AQC7VJTUt9Us8cKjMzEfYyjiW4"
SUB_KEY = "ocpapim0sub0key0c0ffee"  # header Ocp-Apim-Subscription-Key
X_API = "xapikey-9b8c7d6e5f"  # header X-Api-Key
BEARER = "bearer-token-3f2e1d0c"  # header Authorization: Bearer ...
SUB_PARAM = "subscr-param-77aa88bb"  # subscription_key
PAT = "adopat-1a2b3c4d5e6f"  # azure_devops_pat
PWD = "pwd-value-4b4b4b4"  # pwd
PASS = "smtp-pass-5c5c5c5"  # smtp_pass
DB_PW = "db-p@ss/w@rd-6d6d"  # a database password holding "@" and "/"
REDIS_PW = "redis-only-pw-7e7e"  # redis://:PASSWORD@host (empty user)
SIG = "sas-sig-8f8f8f8f"  # ?sig= (Azure SAS)
CODE = "func-code-9a9a9a9a"  # ?code= (Azure Functions)
SLACK = "slacktoken0aa0bb0cc"  # https://hooks.slack.com/services/T…/B…/<token>
DISCORD = "discordtok-1b1b1b1b"  # https://discord.com/api/webhooks/<id>/<token>
TEAMS = "teams0incoming0hook0c2c2"  # https://….webhook.office.com/webhookb2/…
ENV_KEY = "env-team-key-3d3d3d3d"  # an os.environ/ reference's value (push --resolve-env)
OPENROUTER_KEY = "env-openrouter-key-6a6a"  # OPENROUTER_API_KEY (sent to the catalogue)
MASTER = "sk-shapes-master-key-4e4e"  # push's master key

PLANTED = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper() and name not in ("MASK", "TEAM") and isinstance(value, str)
}
# What a leak of each would look like: the value, and its distinctive parts (a password that
# leaks after its first "@" leaks "ss/w@rd-6d6d").
LEAKS = {**PLANTED, "DB_PW tail": "ss/w@rd-6d6d", "DB_PW end": "rd-6d6d"}

SHAPES = f"""\
      # pasted by hand: postgresql://llm:{DB_PW}@db:5432/litellm and redis://:{REDIS_PW}@redis:6379
      # https://hooks.slack.com/services/T0ABC/B0DEF/{SLACK}
      api_key: "{FOLD_HEAD}
        {FOLD_TAIL}"
      extra_headers:
        Ocp-Apim-Subscription-Key: {SUB_KEY}
        X-Api-Key: "{X_API}"
        Authorization: Bearer {BEARER}
      subscription_key: {SUB_PARAM}
      azure_devops_pat: {PAT}
      pwd: {PWD}
      smtp_pass: '{PASS}'
      database_url: postgresql://llm:{DB_PW}@db:5432/litellm
      cache_url: redis://:{REDIS_PW}@redis:6379/0
      sas_url: "https://acct.blob.core.windows.net/c/b.json?sv=2022-11-02&sig={SIG}&se=2030-01-01"
      function_url: https://fn.azurewebsites.net/api/hook?code={CODE}
      alerts: ["https://discord.com/api/webhooks/123456/{DISCORD}", "https://contoso.webhook.office.com/webhookb2/a1@b2/IncomingWebhook/{TEAMS}/c3"]
"""

CLAUDE2 = """\
      model: openrouter/anthropic/claude-2
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 8.0e-06
      output_cost_per_token: 2.4e-05
"""
MINI = """\
      model: openrouter/openai/gpt-4o-mini
      api_key: os.environ/OPENROUTER_API_KEY
      input_cost_per_token: 1.2e-07   # negotiated?
"""
CONFIG = (
    TEAM.replace(
        CLAUDE2, CLAUDE2.replace("      api_key: os.environ/OPENROUTER_API_KEY\n", "") + SHAPES
    )
    .replace(
        MINI,
        "      model: openrouter/openai/gpt-4o-mini\n"
        f'      api_key: "{KEEP_HEAD}\n        {KEEP_TAIL}"\n'
        f"      extra_headers: {{Ocp-Apim-Subscription-Key: {SUB_KEY}, X-Api-Key: {X_API}}}\n"
        "      input_cost_per_token: 1.2e-07   # negotiated?\n",
    )
    .replace(
        "      api_key: os.environ/NOVITA_API_KEY\n",
        f"      api_key: |\n        {BLOCK_LINE}\n        {BLOCK_2}\n        {BLOCK_3}\n"
        f"        {BLOCK_4}\n",
    )
    .replace(
        "  - model_name: embed-small\n    litellm_params:\n      model: openrouter/openai/text-embedding-3-small\n      api_key: os.environ/OPENROUTER_API_KEY\n",
        "  - model_name: embed-small\n    litellm_params:\n      model: openrouter/openai/text-embedding-3-small\n      api_key: os.environ/PLANTED_TEAM_KEY\n",
    )
)
assert all(
    CONFIG.count(v) for k, v in PLANTED.items() if k not in ("ENV_KEY", "MASTER", "OPENROUTER_KEY")
), "every planted literal is in the config"


@pytest.fixture
def planted(workdir, monkeypatch, catalogs):
    monkeypatch.setenv("PLANTED_TEAM_KEY", ENV_KEY)
    monkeypatch.setenv("OPENROUTER_API_KEY", OPENROUTER_KEY)
    catalogs.serve()
    write_config(workdir, CONFIG)
    return workdir


def parsed(command: tuple[str, ...], text: str) -> None:
    try:
        json.loads(text)
    except ValueError as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"{command}: not JSON: {exc}\n{text[:2000]}") from None


CLEANUP = [
    ("cleanup", "--dry-run"),
    ("cleanup", "--dry-run", "--verbose"),
    ("cleanup", "--dry-run", "--report", "cleanup-report.md"),
    ("cleanup", "--dry-run", "--format", "json"),
    ("cleanup", "--dry-run", "--format", "json", "--add-new"),
    ("add-model", "-p", "openrouter", "deepseek/deepseek-chat-v3.1", "--dry-run", "-v"),
    ("remove-model", "claude-2", "gpt-4o-mini", "deepseek-v3", "--prune-routes", "--dry-run"),
    ("sort", "--dry-run"),
    ("validate",),
    ("validate", "--format", "json"),
    ("validate", "--format", "sarif"),
    ("validate", "--format", "github"),
    ("validate", "--format", "json", "--online"),
    ("cleanup", "--verbose", "--backup", "--report", "written-report.md"),  # last: it writes
]
JSON_OUTPUT = ("json", "sarif")


def _leaks(text: str) -> list[str]:
    return [name for name, value in LEAKS.items() if value in text]


def test_no_output_of_any_command_holds_a_planted_secret(planted, llmsync):
    before = set(planted.iterdir())
    shown = []
    for command in CLEANUP:
        run = llmsync(*command)
        assert "internal error" not in run.output, (command, run.output)
        assert run.exit_code in (0, 1), (command, run.output)
        if any(f in command for f in JSON_OUTPUT):
            parsed(command, run.stdout)
        assert _leaks(run.stdout + run.stderr) == [], (command, run.output)
        shown.append(run.output)
    text = "\n".join(shown)
    assert MASK in text
    for line in ('api_key: "<redacted>\n', "Ocp-Apim-Subscription-Key: <redacted>"):
        assert line in text, line  # the secrets were in the diff: hidden, not absent
    created = set(planted.iterdir()) - before
    names = {p.name for p in created}
    assert {"cleanup-report.md", "written-report.md", "config.yaml.bak"} <= names, names
    assert all(_leaks(name) == [] for name in names)
    for path in [*created, *(planted / ".cache").rglob("*")]:
        if path.is_file() and path.name != "config.yaml.bak":
            assert _leaks(path.read_text(errors="replace")) == [], path
    assert (planted / ".cache").is_dir()
    assert FOLD_HEAD in (planted / "config.yaml.bak").read_text()  # the user's own files keep it


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setenv("LITELLM_MASTER_KEY", MASTER)
    with AdminStub(MASTER) as admin:
        yield admin


def test_push_shows_no_planted_secret(workdir, stub, llmsync, monkeypatch):
    monkeypatch.setenv("PLANTED_TEAM_KEY", ENV_KEY)
    monkeypatch.setenv("OPENROUTER_API_KEY", OPENROUTER_KEY)
    write_config(workdir, CONFIG)
    shown = []
    for extra in ((), ("--resolve-env",)):
        for fmt in ("text", "json"):
            command = ("push", "--proxy", stub.url, "--dry-run", "--format", fmt, *extra)
            run = llmsync(*command)
            assert run.exit_code == 0, (command, run.output)
            if fmt == "json":
                parsed(command, run.stdout)
            assert _leaks(run.output) == [], (command, run.output)
            shown.append(run.output)
    run = llmsync("push", "--proxy", stub.url, "--report", "push.md")
    assert run.exit_code == 0, run.output
    assert _leaks(run.output + Path("push.md").read_text()) == []
    changed = (  # every secret-bearing field of claude-2 changes: old and new values shown
        CONFIG.replace(FOLD_HEAD, FOLD_HEAD + "x")
        .replace(SUB_KEY, SUB_KEY + "y")
        .replace("@db:5432", "@db2:5432")
        .replace("@redis:6379/0", "@redis:6379/1")
        .replace("&se=2030-01-01", "&se=2031-01-01")
        .replace("/api/hook?", "/api/hook2?")
        .replace("/123456/", "/123457/")
    )
    (workdir / "config.yaml").write_text(changed)
    for fmt in ("text", "json"):
        command = ("push", "--proxy", stub.url, "--check", "--format", fmt, "--resolve-env")
        run = llmsync(*command)
        assert run.exit_code == 1, run.output  # drift
        if fmt == "json":
            parsed(command, run.stdout)
        assert _leaks(run.output) == [], run.output
        shown.append(run.output)
    text = "\n".join(shown)
    assert "<changed>" in text  # secret fields changed: said, never shown
    assert "'Ocp-Apim-Subscription-Key': '<redacted>'" in text  # a changed dict, masked inside
    assert "postgresql://<redacted>@db2:5432/litellm" in text
    assert stub.db_rows  # the secrets were sent where they belong, as written
    sent = json.dumps(list(stub.db_rows.values()))
    assert FOLD_HEAD in sent and SUB_KEY in sent


WORD_LINES = "only-words-in-this-line"  # no digit, one case: not remembered as a literal


def test_a_word_like_line_of_a_block_key_that_opens_a_hunk_is_hidden(workdir, catalogs, llmsync):
    """The diff's hunk starts inside the block (its key's line is not shown): only the lines
    of the secret, remembered as fragments when the config is read, can hide it."""
    catalogs.serve()
    write_config(
        workdir,
        CONFIG.replace(BLOCK_4, f"{BLOCK_4}\n        {WORD_LINES}\n        more-words-here"),
    )
    for command in (("cleanup", "--dry-run"), ("cleanup", "--dry-run", "--format", "json")):
        run = llmsync(*command)
        assert run.exit_code == 0, run.output
        assert WORD_LINES not in run.output and "more-words-here" not in run.output
        assert f"{MASK}\n" in run.stdout or f"{MASK}\\n" in run.stdout
