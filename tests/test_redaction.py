"""Planted secrets never reach any output: stdout, stderr, reports, JSON, the cache folder."""

from __future__ import annotations

import httpx
import pytest
from conftest import write_config
from test_cleanup import TEAM
from test_generate import serve_sources

from llmsync.redact import MASK, Redactor

LITERAL_KEY = "sk-planted-literal-7f3a9c"  # a literal api_key in config.yaml
MASTER_KEY = "sk-planted-master-51e0d2"  # general_settings.master_key
ENV_KEY = "planted-openrouter-key-2b8e"  # OPENROUTER_API_KEY (sent to the catalogue)
UPSTREAM_KEY = "planted-upstream-key-c41d"  # a generate source's key
URL_PASSWORD = "planted-url-password-9a7f"  # user:password@ in a catalogue URL
PLANTED = (LITERAL_KEY, MASTER_KEY, ENV_KEY, UPSTREAM_KEY, URL_PASSWORD)

CONFIG = (
    TEAM.replace(
        "      model: openrouter/openai/gpt-4o-mini\n      api_key: os.environ/OPENROUTER_API_KEY\n",
        f"      model: openrouter/openai/gpt-4o-mini\n      api_key: {LITERAL_KEY}\n",
    ).replace(
        "litellm_settings:\n",
        f'general_settings:\n  master_key: "{MASTER_KEY}"\nlitellm_settings:\n',
    )
    + "  # the same key pasted into a comment: "
    + LITERAL_KEY
    + "\n"
)
assert LITERAL_KEY in CONFIG and MASTER_KEY in CONFIG

SOURCES = f"""\
  upstream:
    type: litellm
    base_url: http://upstream:4000
    api_key_env: UPSTREAM_KEY
  leaky:
    type: openai
    base_url: http://admin:{URL_PASSWORD}@leaky:8000
"""


@pytest.fixture
def planted(workdir, monkeypatch, catalogs, httpx_mock):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    monkeypatch.setenv("UPSTREAM_KEY", UPSTREAM_KEY)
    registry = workdir / "providers.yaml"
    text = registry.read_text()
    text = text.replace(
        "https://router.requesty.ai/v1/models",
        f"https://ci:{URL_PASSWORD}@router.requesty.ai/v1/models",
    )
    registry.write_text(text + "sources:\n" + SOURCES)
    catalogs.serve()
    httpx_mock.add_exception(
        httpx.ConnectError("refused"),
        url=f"https://ci:{URL_PASSWORD}@router.requesty.ai/v1/models",
        is_optional=True,
        is_reusable=True,
    )
    httpx_mock.add_exception(
        httpx.ConnectError("refused"),
        url=f"http://admin:{URL_PASSWORD}@leaky:8000/v1/models",
        is_optional=True,
        is_reusable=True,
    )
    serve_sources(httpx_mock)
    config = write_config(workdir, CONFIG)
    # an entry of requesty's, so its (failing, password-carrying) catalogue is fetched
    config.write_text(
        config.read_text().replace(
            "model_list:\n",
            "model_list:\n  - model_name: rq\n    litellm_params:\n      model: openai/anthropic/claude-sonnet-4\n      api_base: https://router.requesty.ai/v1\n",
            1,
        )
    )
    return workdir


COMMANDS = [
    ("cleanup", "--dry-run", "--verbose"),
    ("cleanup", "--verbose", "--report", "report.md", "--backup"),
    ("cleanup", "--dry-run", "--format", "json", "--add-new"),
    ("add-model", "-p", "openrouter", "deepseek/deepseek-chat-v3.1", "--dry-run", "-v"),
    ("sort", "--dry-run"),
    ("generate", "--dry-run", "--verbose"),
    ("generate", "--verbose"),
    ("validate",),
    ("validate", "--format", "json", "--online"),
    ("providers",),
]


def test_no_command_prints_or_writes_a_planted_secret(planted, llmsync):
    outputs = []
    for command in COMMANDS:
        run = llmsync(*command)
        outputs.append((command, run.stdout + run.stderr))
        assert "internal error" not in run.output, (command, run.output)
    shown = "\n".join(text for _, text in outputs)
    assert MASK in shown  # the secrets were there to leak: they were redacted, not absent
    assert "api_key: <redacted>" in shown  # the diff context line next to the repriced price
    files = {
        p.relative_to(planted): p.read_text(errors="replace")
        for p in planted.rglob("*")
        if p.is_file() and p.name not in ("config.yaml", "config.yaml.bak", "providers.yaml")
    }
    assert "report.md" in {str(p) for p in files} and any(".cache" in str(p) for p in files)
    for secret in PLANTED:
        for command, text in outputs:
            assert secret not in text, (secret, command)
        for path, text in files.items():
            assert secret not in text, (secret, path)
    assert LITERAL_KEY in (planted / "config.yaml").read_text()  # the config itself keeps it


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("      api_key: sk-abc123def", "      api_key: <redacted>"),
        ('  "api_key": "sk-abc123def",', '  "api_key": "<redacted>",'),
        ("{model: x, api_key: 'sk-abc', rpm: 5}", "{model: x, api_key: '<redacted>', rpm: 5}"),
        ("      api_key: os.environ/OPENAI_API_KEY", "      api_key: os.environ/OPENAI_API_KEY"),
        ("  aws_secret_access_key: AKIAXYZ  # prod", "  aws_secret_access_key: <redacted>  # prod"),
        ("  input_cost_per_token: 1.0e-06", "  input_cost_per_token: 1.0e-06"),
        ("  max_tokens: 4096", "  max_tokens: 4096"),
        ("  api_key_env: OPENAI_API_KEY", "  api_key_env: OPENAI_API_KEY"),
        (
            "GET https://u:pw@host/v1?key=abc&x=1",
            "GET https://<redacted>@host/v1?key=<redacted>&x=1",
        ),
        ("Authorization: Bearer abc.def", "Authorization: <redacted>"),
        ("  master_key: null", "  master_key: null"),
    ],
)
def test_redaction_of_secret_shaped_text(text, shown):
    assert Redactor({}).text(text) == shown


def test_known_values_are_redacted_wherever_they_appear():
    redactor = Redactor({"MY_SERVICE_TOKEN": "tok-1234567890", "HOME": "/root", "PIN_KEY": "12"})
    redactor.remember_literals(["sk-literal-xyz"])
    redactor.remember_variables(["PIN_KEY"])
    text = "error at /root: tok-1234567890 and sk-literal-xyz and 12 sheep"
    assert redactor.text(text) == "error at /root: <redacted> and <redacted> and 12 sheep"
    assert redactor.data({"a": ["tok-1234567890"], "password": "hunter2"}) == {
        "a": [MASK],
        "password": MASK,
    }
