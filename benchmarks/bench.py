"""llmsync benchmarks: prints three ratios measured in one run.

  (a) cleanup --provider all --dry-run on a config using 15 providers and 3 self-hosted
      servers, every stub answering after 300 ms (paged listings: 300 ms a page), divided by
      the same command for one provider: goal <= 1.5 (everything fetched concurrently)
  (b) sort --check on a generated 5,000-entry config divided by yaml.load(CSafeLoader) of the
      same file: goal <= 2
  (c) `llmsync --help` divided by a bare Typer app's --help: goal <= 1.2
  (d) planning and applying a cleanup that reprices every entry, 8,000 entries divided by
      2,000 (each size in a fresh process): linear scaling gives 4

Run:  .venv/bin/python benchmarks/bench.py
Everything stays on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT / "tests"))
from fixtures.endpoints import DIRECT, DIRECT_KEYS, ENDPOINTS, PRICEBOOKS  # noqa: E402

DELAY = 0.3
ROUTES: dict[str, Path] = {}  # path + query on the stub -> recorded body
# The 15 providers and 3 self-hosted servers of benchmark (a): one entry each.
FIFTEEN = [
    "openrouter/anthropic/claude-sonnet-4.5", "openai/gpt-4o-mini@https://router.requesty.ai/v1",
    "novita/deepseek/deepseek-v3-0324", "nano-gpt/chatgpt-4o-latest",
    "vercel_ai_gateway/anthropic/claude-sonnet-4", "poe/claude-sonnet-4.5",
    "nvidia_nim/meta/llama-3.3-70b-instruct", "gpt-4o", "claude-sonnet-4-5-20250929",
    "gemini/gemini-2.5-pro", "groq/llama-3.3-70b-versatile", "mistral/mistral-large-latest",
    "cerebras/gpt-oss-120b", "xai/grok-4.3", "deepseek/deepseek-chat",
]  # fmt: skip
SERVERS = [
    ("ollama_chat/qwen3:8b", "/ollama", "/api/tags", "sources/ollama_tags.json"),
    ("hosted_vllm/Qwen/Qwen3-32B", "/vllm/v1", "/models", "sources/vllm_models.json"),
    ("openai/qwen3-8b", "/llamacpp/v1", "/models", "sources/llamacpp_models.json"),
]


class StubServer(http.server.ThreadingHTTPServer):
    # Every provider is one host here: a listen backlog of 5 would make the 6th concurrent
    # connection wait for a SYN retry (1 s), measuring the stub instead of llmsync.
    request_queue_size = 128
    daemon_threads = True


class SlowCatalogue(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(DELAY)
        path = ROUTES.get(self.path)
        if path is None:
            self.send_error(404)
            return
        payload = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def stub_registry(port: int) -> str:
    """The shipped registry with every catalogue URL pointed at the local stub (ROUTES filled)."""
    data = yaml.safe_load(
        resources.files("llmsync").joinpath("data", "providers.yaml").read_text("utf-8")
    )
    base = f"http://127.0.0.1:{port}"
    for name, spec in data["providers"].items():
        for i, source in enumerate(spec["catalogs"]):
            url, path = source["url"], f"/{name}/{i}"
            source["url"] = base + path
            if url in ENDPOINTS:
                query = url.partition("?")[2]
                source["url"] = base + path + (f"?{query}" if query else "")
                ROUTES[path + (f"?{query}" if query else "")] = (
                    FIXTURES / "providers" / ENDPOINTS[url]
                )
            for query, body in DIRECT.get(url, {}).items():
                ROUTES[path + query] = FIXTURES / "providers" / "direct" / body
    for book, spec in data["pricebooks"].items():
        if isinstance(spec, dict):
            ROUTES[f"/books/{book}"] = FIXTURES / "providers" / "direct" / PRICEBOOKS[spec["url"]]
            spec["url"] = f"{base}/books/{book}"
    for _, prefix, listing, body in SERVERS:
        ROUTES[prefix + listing] = FIXTURES / body
    return yaml.safe_dump(data, sort_keys=False)


def fifteen_config(port: int) -> str:
    lines = ["model_list:"]
    for i, spec in enumerate(FIFTEEN):
        model, _, api_base = spec.partition("@")
        lines += [f"  - model_name: m{i}", "    litellm_params:", f"      model: {model}"]
        lines += [f"      api_base: {api_base}"] if api_base else []
        lines += ["      input_cost_per_token: 1.0e-06", "      output_cost_per_token: 2.0e-06"]
    for i, (model, prefix, _, _) in enumerate(SERVERS):
        lines += [f"  - model_name: s{i}", "    litellm_params:", f"      model: {model}"]
        lines += [f"      api_base: http://127.0.0.1:{port}{prefix}"]
    return "\n".join(lines) + "\n"


def timed(cmd: list[str], runs: int, cwd: Path | None = None, env: dict | None = None) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_concurrency(work: Path) -> tuple[float, float]:
    server = StubServer(("127.0.0.1", 0), SlowCatalogue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    env = {**os.environ, "LLMSYNC_CACHE_DIR": str(work / "no-cache")}
    env.update({key: "bench-key" for key in DIRECT_KEYS})
    try:
        (work / "providers.yaml").write_text(stub_registry(port))
        (work / "config.yaml").write_text(fifteen_config(port))
        llmsync = [sys.executable, "-m", "llmsync", "cleanup", "--dry-run", "--no-cache"]
        all_seconds = timed([*llmsync, "--provider", "all"], 3, cwd=work, env=env)
        one_seconds = timed([*llmsync, "--provider", "openrouter"], 3, cwd=work, env=env)
    finally:
        server.shutdown()
    return all_seconds, one_seconds


def bench_large_sort_check(work: Path) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import large_config
    from typer.testing import CliRunner

    from llmsync.cli import app

    path = work / "large.yaml"
    path.write_text(large_config(5000))
    text = path.read_text()

    def best(fn, runs: int = 3) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    runner = CliRunner()

    def sort_check() -> None:
        result = runner.invoke(app, ["sort", "--check", "--config", str(path)])
        assert result.exit_code == 0, result.output

    baseline = best(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    return best(sort_check), baseline


def bench_help(work: Path) -> tuple[float, float]:
    bare = work / "bare.py"
    bare.write_text(
        "import typer\napp = typer.Typer()\n@app.command()\ndef a(x: int = 1):\n    'A.'\n"
        "@app.command()\ndef b(y: str = ''):\n    'B.'\napp()\n"
    )
    ours = timed([sys.executable, "-m", "llmsync", "--help"], 15)
    theirs = timed([sys.executable, str(bare), "--help"], 15)
    return ours, theirs


def reprice_all(entries: int) -> float:
    """Seconds to plan and apply a cleanup that reprices every entry of a generated config."""
    import gc

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import large_config

    from llmsync.catalogues.fetch import FetchOutcome
    from llmsync.catalogues.model import Catalog, CatalogModel
    from llmsync.commands.cleanup import jobs_of, plan_cleanup
    from llmsync.commands.common import entries_by_provider
    from llmsync.document import ConfigDocument
    from llmsync.plan import apply_plan
    from llmsync.registry import Registry

    registry = Registry.load(None)
    text = large_config(entries)
    start = time.perf_counter()
    doc = ConfigDocument(text)
    gc.freeze()  # as the CLI does
    groups = entries_by_provider(doc, registry, list(registry.providers))
    prices = {"input_cost_per_token": 1.23e-07, "output_cost_per_token": 4.5e-07}
    outcomes = {
        job: FetchOutcome(
            name, Catalog(name, {m: CatalogModel(m, costs=prices) for _, m in part}), None, 0
        )
        for name, members in groups.items()
        for job, part in jobs_of(registry.providers[name], members).items()
    }
    apply_plan(doc, plan_cleanup(doc, registry, groups, outcomes))
    return time.perf_counter() - start


def bench_linear() -> tuple[float, float]:
    def run(entries: int) -> float:
        code = f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench; print(bench.reprice_all({entries}))"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip())

    return min(run(8000) for _ in range(3)), min(run(2000) for _ in range(3))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        all_s, one_s = bench_concurrency(work)
        sort_s, load_s = bench_large_sort_check(work)
        help_s, bare_s = bench_help(work)
    big_s, small_s = bench_linear()
    rows = [
        ("(a) cleanup 15 providers + 3 servers / one (300 ms)", all_s, one_s, 1.5),
        ("(b) sort --check 5,000 entries / CSafeLoader load", sort_s, load_s, 2.0),
        ("(c) llmsync --help / bare Typer --help", help_s, bare_s, 1.2),
        ("(d) reprice 8,000 entries / 2,000 (linear = 4)", big_s, small_s, 5.0),
    ]
    print(f"{'benchmark':52} {'ours':>8} {'base':>8} {'ratio':>6} {'goal':>6}")
    for label, ours, base, goal in rows:
        ratio = ours / base
        print(
            f"{label:52} {ours:7.3f}s {base:7.3f}s {ratio:6.2f} {'<=' + str(goal):>6} {'ok' if ratio <= goal else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
