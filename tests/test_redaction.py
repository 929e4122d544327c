"""Planted secrets never reach any output: stdout, stderr, reports, JSON, the cache folder."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import httpx
import pytest
from conftest import write_config
from test_cleanup import TEAM
from test_generate import serve_sources

from llmsync import redact
from llmsync.document import ConfigDocument
from llmsync.redact import MASK, Redactor, is_secret_name, looks_like_credential, public_url

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


SHAPES = [
    # ---- position: secret-named keys, in YAML, JSON, flow mappings, key=value
    ("      api_key: sk-abc123def", "      api_key: <redacted>"),
    ('  "api_key": "sk-abc123def",', '  "api_key": "<redacted>",'),
    ("{model: x, api_key: 'sk-abc', rpm: 5}", "{model: x, api_key: '<redacted>', rpm: 5}"),
    ("      api_key: os.environ/OPENAI_API_KEY", "      api_key: os.environ/OPENAI_API_KEY"),
    ("  aws_secret_access_key: AKIAXYZ  # prod", "  aws_secret_access_key: <redacted>  # prod"),
    ("Authorization: Bearer abc.def", "Authorization: <redacted>"),
    (
        "        Ocp-Apim-Subscription-Key: 0a1b2c3d",
        "        Ocp-Apim-Subscription-Key: <redacted>",
    ),
    ("        X-Api-Key: '0a1b2c3d'", "        X-Api-Key: '<redacted>'"),
    ("  proxy-authorization: Basic dXNlcjpwYXNz", "  proxy-authorization: <redacted>"),
    (
        "  extra_headers: {Ocp-Apim-Subscription-Key: abc, Authorization: Bearer x, n: 1}",
        "  extra_headers: {Ocp-Apim-Subscription-Key: <redacted>, Authorization: <redacted>, n: 1}",
    ),
    ("      subscription_key: abc", "      subscription_key: <redacted>"),
    ("      azure_devops_pat: abc", "      azure_devops_pat: <redacted>"),
    ("      pwd: hunter2", "      pwd: <redacted>"),
    ("      smtp_pass: hunter2", "      smtp_pass: <redacted>"),
    ("      dbPassword: hunter2", "      dbPassword: <redacted>"),
    ("      redis_password: 'hunter2'", "      redis_password: '<redacted>'"),
    ("      salt_key: s4lt", "      salt_key: <redacted>"),
    ("      slack_webhook_url: anything", "      slack_webhook_url: <redacted>"),
    ("run --api-key=sk-live-1 now", "run --api-key=<redacted> now"),
    (
        "AccountName=acct;AccountKey=abc+def==;EndpointSuffix=core.windows.net",
        "AccountName=acct;AccountKey=<redacted>;EndpointSuffix=core.windows.net",
    ),
    # ---- a value over several lines: the key's line and the continuation lines
    (
        '      api_key: "sk-abc123\n        def456ghi"\n      rpm: 5',
        '      api_key: "<redacted>\n        <redacted>\n      rpm: 5',
    ),
    (  # as diff lines: the prefixes stay
        '-      api_key: "sk-abc123\n-        tail-words"\n       rpm: 5',
        '-      api_key: "<redacted>\n-        <redacted>\n       rpm: 5',
    ),
    (
        ' x\n+      api_key: "sk-abc123\n+        tail-words"\n+      rpm: 5',
        ' x\n+      api_key: "<redacted>\n+        <redacted>\n+      rpm: 5',
    ),
    (
        "      api_key: 'first\n\n        second'\n      rpm: 5",
        "      api_key: '<redacted>\n\n        <redacted>\n      rpm: 5",
    ),
    (
        "      api_key: |\n        line-one\n        line-two\n      rpm: 5",
        "      api_key: |\n        <redacted>\n        <redacted>\n      rpm: 5",
    ),
    (
        '  vertex_credentials: >-  # json\n    {"type": "sa",\n     "k": 1}\n  x: 1',
        "  vertex_credentials: >-\n    <redacted>\n     <redacted>\n  x: 1",
    ),
    ("  api_key:\n    on-the-next-line\n  x: 1", "  api_key:\n    <redacted>\n  x: 1"),
    ("  api_key: folded\n    plain-words\n  x: 1", "  api_key: <redacted>\n    <redacted>\n  x: 1"),
    (  # a nested mapping under a secret-ish name is looked at key by key
        "  credentials:\n    client_id: abc\n    client_secret: xyz",
        "  credentials:\n    client_id: abc\n    client_secret: <redacted>",
    ),
    (  # colours of a terminal diff are kept around the mask
        '\x1b[32m+  api_key: "sk-abc\x1b[0m\n\x1b[32m+    tail"\x1b[0m\n',
        '\x1b[32m+  api_key: "<redacted>\x1b[0m\n\x1b[32m+    <redacted>\x1b[0m\n',
    ),
    # ---- URLs: userinfo with any characters, secret query values, webhook tokens
    (
        "GET https://u:pw@host/v1?key=abc&x=1",
        "GET https://<redacted>@host/v1?key=<redacted>&x=1",
    ),
    (
        "database_url: postgresql://user:p@ss/w@rd@host:5432/db",
        "database_url: postgresql://<redacted>@host:5432/db",
    ),
    ("postgresql://user:pa/ss@host/db", "postgresql://<redacted>@host/db"),
    ("postgresql://user:12/34@host/db", "postgresql://<redacted>@host/db"),
    ("redis_url: redis://:PASSWORD@host:6379", "redis_url: redis://<redacted>@host:6379"),
    ("{'url': 'https://u:pw@h/x', 'b': 'a@b'}", "{'url': 'https://<redacted>@h/x', 'b': 'a@b'}"),
    (
        "https://a.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Bd&se=1",
        "https://a.blob.core.windows.net/c?sv=2022-11-02&sig=<redacted>&se=1",
    ),
    (
        "https://fn.azurewebsites.net/api/x?code=abc==",
        "https://fn.azurewebsites.net/api/x?code=<redacted>",
    ),
    (
        "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Security-Token=def&X-Amz-Date=1",
        "https://b.s3.amazonaws.com/k?X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&X-Amz-Date=1",
    ),
    (
        "/v1?access_token=a&token=b&signature=c&apikey=d&secret=e&password=f&page=2",
        "/v1?access_token=<redacted>&token=<redacted>&signature=<redacted>&apikey=<redacted>"
        "&secret=<redacted>&password=<redacted>&page=2",
    ),
    ("https://hooks.slack.com/services/T00/B00/XXXX", "https://hooks.slack.com/<redacted>"),
    ("https://discord.com/api/webhooks/123/tok_en", "https://discord.com/api/webhooks/<redacted>"),
    (
        "https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d",
        "https://contoso.webhook.office.com/<redacted>",
    ),
    # ---- not secrets: shown as written
    ("  input_cost_per_token: 1.0e-06", "  input_cost_per_token: 1.0e-06"),
    ("  cache_read_input_token_cost: 1.0e-07", "  cache_read_input_token_cost: 1.0e-07"),
    ("  max_tokens: 4096", "  max_tokens: 4096"),
    ("  api_key_env: OPENAI_API_KEY", "  api_key_env: OPENAI_API_KEY"),
    ("  key_file: /etc/key.pem", "  key_file: /etc/key.pem"),
    ("  aws_access_key_id: AKIAEXAMPLE", "  aws_access_key_id: AKIAEXAMPLE"),
    ("  master_key: null", "  master_key: null"),
    ("  api_key: null", "  api_key: null"),
    ('  "api_key": null,', '  "api_key": null,'),
    ("  api_key: ${OPENAI_API_KEY}", "  api_key: ${OPENAI_API_KEY}"),
    ("  allow_user_auth: true", "  allow_user_auth: true"),
    ("  enable_jwt_auth: false", "  enable_jwt_auth: false"),
    (
        "  custom_auth: custom_auth.user_api_key_auth",
        "  custom_auth: custom_auth.user_api_key_auth",
    ),
    ("  pass_through_endpoints: []", "  pass_through_endpoints: []"),
    ("  public_key: pk-lf-123", "  public_key: pk-lf-123"),
    ("  api_base: http://localhost:4000/v1", "  api_base: http://localhost:4000/v1"),
    (
        "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers"
        "/anthropic/models/claude-3-5-sonnet@20240620:rawPredict",
        "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers"
        "/anthropic/models/claude-3-5-sonnet@20240620:rawPredict",
    ),
    ("http://vllm:8000/v1/models/x@y/z", "http://vllm:8000/v1/models/x@y/z"),
    ("http://[::1]:8080/v1/a@b", "http://[::1]:8080/v1/a@b"),
    (
        "uses: actions/checkout@v4 https://github.com/o/r@v1.2",
        "uses: actions/checkout@v4 https://github.com/o/r@v1.2",
    ),
    ("https://example.com/search?q=key&page=2", "https://example.com/search?q=key&page=2"),
]


@pytest.mark.parametrize(("text", "shown"), SHAPES)
def test_redaction_of_secret_shaped_text(text, shown):
    assert Redactor({}).text(text) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ci:pw@router.example/v1/models", "https://router.example/v1/models"),
        ("postgresql://user:p@ss/w@rd@host:5432/db", "postgresql://host:5432/db"),
        ("redis://:PASSWORD@host", "redis://host"),
        (
            "https://x/v1/models?key=abc&sig=def",
            "https://x/v1/models?key=<redacted>&sig=<redacted>",
        ),
        ("https://hooks.slack.com/services/T/B/X", "https://hooks.slack.com/<redacted>"),
        ("http://localhost:11434/api/tags", "http://localhost:11434/api/tags"),
    ],
)
def test_public_url(url, shown):
    assert public_url(url) == shown


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        *[
            (n, True)
            for n in (
                "api_key", "master_key", "X-Api-Key", "x-goog-api-key", "Ocp-Apim-Subscription-Key",
                "Authorization", "Proxy-Authorization", "subscription_key", "azure_devops_pat",
                "GITHUB_PAT", "pwd", "db_pass", "dbpass", "redis_password", "dbPassword", "passwd",
                "secret", "client_secret", "aws_secret_access_key", "aws_session_token", "auth_token",
                "hf_token", "vertex_credentials", "litellm_license", "bearer", "auth", "x_auth",
                "basic_auth", "salt_key", "apiKey", "OPENAI_API_KEY", "GROQ_API_KEY_1",
                "slack_webhook_url", "webhook", "discord_webhook", "X-Amz-Signature", "cookie",
            )
        ],
        *[
            (n, False)
            for n in (
                "max_tokens", "max_input_tokens", "input_cost_per_token", "output_cost_per_token",
                "cache_read_input_token_cost", "api_key_env", "key_file", "password_path",
                "api_key_header", "aws_access_key_id", "custom_auth", "enable_jwt_auth",
                "allow_user_auth", "user_api_key_auth", "litellm_credential_name", "public_key",
                "langfuse_public_key", "cache_key", "key", "tokens", "pass_through_endpoints",
                "passthrough", "bypass", "model", "api_base", "database_url", "token_count",
                "key_management_system", "use_azure_key_vault", 5, None,
            )
        ],
    ],
)  # fmt: skip
def test_secret_names_are_decided_by_their_segments(name, secret):
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "credential"),
    [
        ("sk-abc123def", True),
        ("sk-literal-xyz", True),  # a known key prefix
        ("Password1", True),  # mixed case
        ("0123456789abcdef0123", True),
        ("abcdefghijklmnopqrstuvwx", True),  # one long run: random, not words
        ("true", False),
        ("false", False),
        ("null", False),
        ("12345678", False),
        ("1.0e-06", False),
        ("2024-06-01", False),
        ("10.0.0.1:8080", False),
        ("local", False),
        ("localhost", False),
        ("not-needed", False),
        ("custom_auth.user_api_key_auth", False),
        ("sk-no-auth-required", False),
        ("${OPENAI_API_KEY}", False),
        ("$OPENAI_API_KEY", False),
        ("<your-key>", False),
        ("os.environ/OPENAI_API_KEY", False),
        ("sk-xxxx", False),
        ("sk-xxxxxxxxxxxxxxxx", False),
        ("sk-1234", False),
        ("********", False),
        ("changeme123", False),
        ("your-api-key-here", False),
        ("/secrets/vertex-2024.json", False),
        ("two words1", False),
        (MASK, False),
    ],
)
def test_only_credential_shaped_literals_are_remembered(value, credential):
    assert looks_like_credential(value) is credential
    redactor = Redactor({})
    redactor.remember_literals([value])
    assert (value in redactor.secrets()) is credential


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


def test_a_bearer_value_remembers_its_credential_not_the_word():
    redactor = Redactor({})
    redactor.remember_literals(["Bearer sk-live-9f8e7d6c", None])
    assert redactor.text("sent sk-live-9f8e7d6c with a Bearer header") == (
        "sent <redacted> with a Bearer header"
    )


def test_the_longest_known_secret_wins_in_one_pass():
    redactor = Redactor({})
    redactor.remember_literals(["sk-abc123456789", "sk-abc123456789xyz", "zz-" + "9" * 30])
    assert redactor.text("a sk-abc123456789xyz b sk-abc123456789 c") == f"a {MASK} b {MASK} c"
    many = [f"sk-{i:06d}-planted" for i in range(3000)]
    redactor.remember_literals(many)
    text = " ".join(many[::7]) + " localhost"
    assert redactor.text(text) == " ".join([MASK] * len(many[::7])) + " localhost"


def test_fragments_of_a_multi_line_secret_are_whole_words():
    redactor = Redactor({})
    redactor.remember_fragments(["sk-abc123def", "tail-of-key", "ab", "  local  ", "true", None])
    assert redactor.text("x tail-of-key y") == f"x {MASK} y"
    assert redactor.text("x sk-abc123def4 y") == f"x {MASK}4 y"  # credential-shaped: anywhere
    assert redactor.text("mytail-of-keys, tail-of-key.") == f"mytail-of-keys, {MASK}."
    assert redactor.text("localhost and local") == f"localhost and {MASK}"
    assert redactor.text("ab true") == "ab true"  # too short, and never a boolean


def test_a_word_like_key_variable_is_hidden_only_as_a_word():
    redactor = Redactor({"VENDOR_KEY": "test", "OTHER": "x"})
    redactor.remember_variables(["VENDOR_KEY", "UNSET"])
    assert redactor.text("test the latest tests: test") == f"{MASK} the latest tests: {MASK}"


@pytest.mark.parametrize(
    "environ",
    [
        {"SOME_TOKEN": "localhost", "PWD": "/work/project-2024", "OLDPWD": "/tmp/a1b2c3d4e5"},
        {"TOKENIZERS_PARALLELISM": "false", "KEYBOARD": "us", "API_KEY": "${API_KEY}"},
    ],
)
def test_environment_words_are_not_secrets(environ):
    redactor = Redactor(environ)
    text = "http://localhost:4000 /work/project-2024 /tmp/a1b2c3d4e5 false us ${API_KEY}"
    assert redactor.text(text) == text


class CountingEnviron(Mapping[str, str]):
    """An environment that counts how often it is read."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.iterations = 0
        self.lookups = 0

    def __getitem__(self, name: str) -> str:
        self.lookups += 1
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        self.iterations += 1
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def test_the_environment_is_read_once_per_run():
    environ = CountingEnviron(
        {f"VAR_{i}": f"/usr/lib/thing{i}" for i in range(50)}
        | {"SERVICE_TOKEN": "tok-1234567890", "OPENAI_API_KEY": "sk-env-abcdef12"}
    )
    redactor = redact.reset(environ)
    try:
        for i in range(200):
            assert redact.redact(f"line {i}: tok-1234567890") == f"line {i}: {MASK}"
        redactor.remember_variables(["OPENAI_API_KEY", "NOT_SET"])
        redactor.remember_literals(["sk-config-literal-1"])
        document = {"a": ["sk-env-abcdef12"] * 100, "b": "sk-config-literal-1"}
        assert redact.redact_data(document) == {"a": [MASK] * 100, "b": MASK}
        assert environ.iterations == 1
        assert environ.lookups <= len(environ)
        redact.reset(environ)  # a new run reads it again, once
        assert redact.redact("tok-1234567890") == MASK
        assert environ.iterations == 2
    finally:
        redact.reset()


def test_structured_output_stays_valid_json_and_common_words_are_never_secrets(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "model_list:\n"
        "  - model_name: local\n"
        "    litellm_params:\n"
        "      model: hosted_vllm/qwen\n"
        "      api_base: http://localhost:8000/v1\n"
        "      api_key: local\n"
        "      x_auth: local\n"
        "      extra_headers: {Authorization: true, X-Api-Key: 'null'}\n"
        "general_settings:\n"
        "  allow_user_auth: true\n"
        "  enable_jwt_auth: false\n"
        "  master_key: null\n"
        "  custom_auth: custom_auth.user_api_key_auth\n"
        "  database_url: postgresql://llm:p@ss/w@rd@db:5432/litellm\n"
    )
    redactor = Redactor({})
    document = ConfigDocument.load(config)
    redactor.remember_literals(document.literal_secrets())
    assert redactor.secrets() == []  # no literal there looks like a credential
    data = {
        "ok": True,
        "failed": False,
        "count": 3,
        "price": 1.5e-07,
        "api_key": None,
        "allow_user_auth": True,
        "master_key": "os.environ/LITELLM_MASTER_KEY",
        "password": "hunter2",
        "pin_password": 1234,
        "url": "http://localhost:8000/v1",
        "note": "true local null false",
        "custom_auth": "custom_auth.user_api_key_auth",
        "database_url": "postgresql://llm:p@ss/w@rd@db:5432/litellm",
        "nested": [{"Ocp-Apim-Subscription-Key": "abc", "n": None}],
    }
    shown = json.loads(json.dumps(redactor.data(data)))
    assert shown == data | {
        "password": MASK,
        "pin_password": MASK,
        "database_url": "postgresql://<redacted>@db:5432/litellm",
        "nested": [{"Ocp-Apim-Subscription-Key": MASK, "n": None}],
    }
    text = config.read_text()
    assert "http://localhost:8000/v1" in redactor.text(text)
    assert "allow_user_auth: true" in redactor.text(text)
    assert "api_key: <redacted>" in redactor.text(text)  # at its position, even a word
