from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from llmsync.entry import app_for

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # the oracle must never fetch its cost map
os.environ.setdefault("NO_COLOR", "1")
for _name in ("LLMSYNC_CONFIG", "CONFIG_FILE_PATH"):  # they would choose the config (config_path)
    os.environ.pop(_name, None)

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

from fixtures.endpoints import (  # noqa: E402  (one map for tests and benchmarks)
    CLOUDFLARE_ACCOUNT,
    DIRECT_KEYS,
    ENDPOINTS,
    PRICEBOOKS,
    direct_urls,
)


def direct(name: str) -> Any:
    return json.loads((FIXTURES / "providers" / "direct" / name).read_text())


COST_KEYS = {
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
}


def body(name: str) -> Any:
    return json.loads((FIXTURES / "providers" / name).read_text())


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a providers.yaml like the shipped one, minus retry delays."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMSYNC_CACHE_DIR", str(tmp_path / ".cache"))  # each test its own cache
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", CLOUDFLARE_ACCOUNT)
    for key in DIRECT_KEYS:
        monkeypatch.setenv(key, f"test-{key.lower()}")
    shipped = resources.files("llmsync").joinpath("data", "providers.yaml").read_text("utf-8")
    fast = shipped.replace("backoff: 0.5 ", "backoff: 0   ").replace("retries: 3 ", "retries: 2 ")
    assert fast != shipped
    (tmp_path / "providers.yaml").write_text(fast)
    return tmp_path


@dataclass
class Catalogs:
    """Serves every provider endpoint from its recorded body; tests override single URLs."""

    httpx_mock: Any

    def serve(self, **overrides: Any) -> None:
        by_url = {url: body(name) for url, name in ENDPOINTS.items()}
        by_url.update({url: direct(name) for url, name in direct_urls().items()})
        by_url.update({url: direct(name) for url, name in PRICEBOOKS.items()})
        for url, response in overrides.items():
            by_url[_url(url)] = response
        for url, response in by_url.items():
            if isinstance(response, Exception):
                self.httpx_mock.add_exception(response, url=url, is_optional=True, is_reusable=True)
            elif isinstance(response, httpx.Response):
                self.httpx_mock.add_response(
                    url=url,
                    status_code=response.status_code,
                    headers=response.headers,
                    content=response.content,
                    is_optional=True,
                    is_reusable=True,
                )
            else:
                self.httpx_mock.add_response(
                    url=url, json=response, is_optional=True, is_reusable=True
                )


def _url(name: str) -> str:
    every = {**ENDPOINTS, **direct_urls(), **PRICEBOOKS}
    matches = [u for u, f in every.items() if f == name or f.removesuffix(".json") == name]
    assert len(matches) == 1, name
    return matches[0]


@pytest.fixture
def catalogs(httpx_mock: Any) -> Catalogs:
    return Catalogs(httpx_mock)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def llmsync():
    runner = CliRunner()

    def invoke(*args: str) -> Run:
        result = runner.invoke(app_for(list(args)), list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


def write_config(folder: Path, text: str, name: str = "config.yaml") -> Path:
    path = folder / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode())
    return path


# --------------------------------------------------------------------------- LiteLLM oracle

WRITTEN: list[str] = []
_JUDGE: list = []


def pytest_configure(config: pytest.Config) -> None:
    """The oracle's Python, for the tests and for `validate --strict` (LLMSYNC_LITELLM_PYTHON)."""
    from oracle import oracle_python

    os.environ["LLMSYNC_LITELLM_PYTHON"] = str(oracle_python())


def pytest_unconfigure(config: pytest.Config) -> None:
    for judge in _JUDGE:
        judge.close()


@pytest.fixture(autouse=True)
def one_litellm_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """`validate --strict` asks the session's LiteLLM process instead of starting one per run
    (~3 s of LiteLLM import each). Tests marked ``judge_process`` keep the real path."""
    if request.node.get_closest_marker("judge_process") is None:
        import llmsync.lint.router as router

        monkeypatch.setattr(
            router, "_judge_elsewhere", lambda _python, entries: litellm_verdicts(entries)
        )


def litellm_verdicts(entries: list) -> list:
    """LiteLLM 1.106.2's verdict on each entry (None: accepted), from its own environment."""
    from oracle import Judge

    if not _JUDGE:
        _JUDGE.append(Judge(Path(os.environ["LLMSYNC_LITELLM_PYTHON"])))
    return _JUDGE[0].verdicts(entries)


@pytest.fixture(autouse=True)
def litellm_accepts_every_write(monkeypatch: pytest.MonkeyPatch):
    """Every config llmsync writes in a test must be accepted by the real LiteLLM."""
    import llmsync.files

    real = llmsync.files.write_atomic
    written: list[tuple[Path, str]] = []

    def recording(path: Path, text: str, *args: Any, **kwargs: Any):
        if Path(path).suffix in (".yaml", ".yml"):
            written.append((Path(path), text))
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(llmsync.files, "write_atomic", recording)
    yield written
    for path, text in written:
        assert_litellm_accepts(text, beside=path)
    WRITTEN.extend(text for _, text in written)


def assert_litellm_accepts(text: str, beside: Path | None = None) -> None:
    """``beside``: check the text in that file's folder, so its ``include:`` paths resolve."""
    from llmsync.lint import Validator

    data = yaml.safe_load(text)  # PyYAML, LiteLLM's loader
    entries = data.get("model_list") or []
    for entry in entries:
        for section in ("litellm_params", "model_info"):
            for key, value in (entry.get(section) or {}).items():
                if key in COST_KEYS:
                    assert isinstance(value, (int, float)) and not isinstance(value, bool), (
                        f"{key}={value!r} is not a number to PyYAML"
                    )
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        folder = beside.resolve().parent if beside is not None else Path(scratch)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".yaml", delete=False) as handle:
            handle.write(text)
        try:
            findings = Validator({}).run(Path(handle.name)).findings
        finally:
            os.unlink(handle.name)
    # Dangling fallbacks after a forced removal are reported by cleanup itself (see test_cleanup);
    # literal keys are the user's own text, planted on purpose by test_secrets.
    errors = [
        f.as_text()
        for f in findings
        if f.severity == "error" and f.code not in ("E030", "E031", "E040")
    ]
    assert errors == [], errors
    if entries:
        verdicts = litellm_verdicts(entries)
        rejected = [(e, why) for e, why in zip(entries, verdicts, strict=True) if why]
        assert rejected == [], rejected


def diff_u(old: str, new: str, name: str) -> str:
    """What GNU ``diff -u`` prints for two texts, labelled like llmsync's diffs."""
    import shutil
    import subprocess
    import tempfile

    tool = shutil.which("diff")
    assert tool, "GNU diff is needed by the tests"
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder) / "a", Path(folder) / "b"
        a.write_bytes(old.encode())
        b.write_bytes(new.encode())
        done = subprocess.run(
            [tool, "-u", "--label", f"a/{name}", "--label", f"b/{name}", str(a), str(b)],
            capture_output=True,
            check=False,
        )
    return done.stdout.decode()
