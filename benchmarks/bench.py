"""llmsync benchmarks: prints three ratios measured in one run.

  (a) cleanup --provider all --dry-run on a config using 15 providers, the four cloud
      platforms (Bedrock signed, Azure OpenAI, Vertex AI, Azure AI Foundry) and 3 self-hosted
      servers, every stub answering after 300 ms (paged listings: 300 ms a page), divided by
      the same command for the slowest provider alone (Anthropic, two pages): goal <= 1.5
      (everything fetched concurrently); also shown against a one-page provider (OpenRouter),
      where two sequential pages alone make 2x of the network time
  (b) sort --check on a generated 5,000-entry config divided by yaml.load(CSafeLoader) of the
      same file: goal <= 2
  (c) `llmsync --help` divided by a bare Typer app's --help: goal <= 1.2
  (d) planning and applying a cleanup that reprices every entry, 8,000 entries divided by
      2,000 (each size in a fresh process): linear scaling gives 4
  (e) cleanup --dry-run (10% removed, 10% repriced) at 2,000 and 10,000 entries divided by a
      CSafeLoader load of the file plus json.loads of the catalogue, in one process: goal <= 3
  (f) that cleanup at 10,000 entries divided by 2,000: goal <= 5.5 (linear is 5)
  (g) cleanup --add-new adding 5,000 models to a 1,000-entry config: <= 10 s, <= 400 MB peak
  (h) validate and sort --check at 30,000 entries divided by 10,000: goal <= 3.5 (linear 3)

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
        if spec.get("kind", "models_list") != "models_list":
            continue  # platforms: pointed at the stub by their own means (PLATFORMS)
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


# The four cloud platforms of benchmark (a): Bedrock through AWS_ENDPOINT_URL_BEDROCK (its
# two listings, profiles in two pages), Azure through the entry's api_base, Vertex AI and
# Azure AI Foundry against the price books (already served).
CLOUD = FIXTURES / "cloud"
PLATFORM_ROUTES = {
    "/foundation-models": CLOUD / "bedrock" / "us-east-1_foundation_models.json",
    "/inference-profiles?maxResults=1000": CLOUD / "bedrock" / "us-east-1_inference_profiles_page1.json",
    "/inference-profiles?maxResults=1000&nextToken=eyJwYWdlIjoyfQ%2B%2F%3D": CLOUD
    / "bedrock"
    / "us-east-1_inference_profiles_page2.json",
    "/azure/openai/models?api-version=2024-10-21": CLOUD / "azure" / "models.json",
    "/azure/openai/deployments?api-version=2022-12-01": CLOUD / "azure" / "deployments.json",
}  # fmt: skip
PLATFORMS = [
    "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
    "azure/chat-prod@{base}/azure",
    "vertex_ai/gemini-2.5-pro",
    "azure_ai/Phi-4-mini-instruct",
]


def platform_env(port: int) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL_BEDROCK": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "AKIABENCHBENCHBENCH0",
        "AWS_SECRET_ACCESS_KEY": "bench-secret-bench-secret-bench-secret00",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_GCE_CHECK": "True",
        "AZURE_API_KEY": "bench-azure-key",
    }


def fifteen_config(port: int) -> str:
    ROUTES.update(PLATFORM_ROUTES)
    lines = ["model_list:"]
    for i, spec in enumerate(PLATFORMS):
        model, _, api_base = spec.format(base=f"http://127.0.0.1:{port}").partition("@")
        lines += [f"  - model_name: p{i}", "    litellm_params:", f"      model: {model}"]
        lines += [f"      api_base: {api_base}"] if api_base else []
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


def bench_concurrency(work: Path) -> tuple[float, float, float]:
    server = StubServer(("127.0.0.1", 0), SlowCatalogue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    env = {**os.environ, "LLMSYNC_CACHE_DIR": str(work / "no-cache")}
    env.update({key: "bench-key" for key in DIRECT_KEYS})
    env.update(platform_env(port))
    try:
        (work / "providers.yaml").write_text(stub_registry(port))
        (work / "config.yaml").write_text(fifteen_config(port))
        llmsync = [sys.executable, "-m", "llmsync", "cleanup", "--dry-run", "--no-cache"]
        all_seconds = timed([*llmsync, "--provider", "all"], 3, cwd=work, env=env)
        # The slowest provider alone: Anthropic's listing is two cursor pages (600 ms of stub),
        # which no amount of concurrency shortens; OpenRouter's is one page (300 ms).
        slowest = timed([*llmsync, "--provider", "anthropic"], 3, cwd=work, env=env)
        one_page = timed([*llmsync, "--provider", "openrouter"], 3, cwd=work, env=env)
    finally:
        server.shutdown()
    return all_seconds, slowest, one_page


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


# --------------------------------------------------------------------------- scale (issue 11)

FLOOR = """
import json, sys, time, yaml
text, catalogue = open(sys.argv[1]).read(), open(sys.argv[2]).read()
yaml.load(text, Loader=yaml.CSafeLoader)
json.loads(catalogue)
"""
MAXRSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def offline_cleanup_setup(work: Path, entries: int, catalogue: dict, config: str) -> list[str]:
    """A config and its OpenRouter catalogue in the cache: a cleanup that touches no network."""
    import json

    from llmsync.catalogues.cache import CachePolicy

    (work / "config.yaml").write_text(config)
    (work / "catalogue.json").write_text(json.dumps(catalogue))
    policy = CachePolicy(work / "cache", 1e9, False)
    headers = {"Accept": "application/json"}
    policy.write("https://openrouter.ai/api/v1/models", headers, [catalogue])
    embeddings = {"data": [{"id": "openai/text-embedding-3-small", "pricing": {"prompt": "2e-08"}}]}
    policy.write("https://openrouter.ai/api/v1/embeddings/models", headers, [embeddings])
    return [sys.executable, "-m", "llmsync", "cleanup", "--offline", "-p", "openrouter",
            "--cache-dir", str(work / "cache")]  # fmt: skip


def bench_cleanup_scale(entries: int) -> tuple[float, float]:
    """(e) cleanup --dry-run with 10% removed and 10% repriced, and its floor: a CSafeLoader
    load of the same file plus json.loads of the same catalogue, in one process."""
    from generate import openrouter_config_and_catalogue

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config, catalogue = openrouter_config_and_catalogue(entries)
        cmd = offline_cleanup_setup(work, entries, catalogue, config)
        env = {k: v for k, v in os.environ.items() if k != "OPENROUTER_API_KEY"}
        ours = timed([*cmd, "--dry-run"], 3, cwd=work, env=env)
        floor = timed(
            [sys.executable, "-c", FLOOR, str(work / "config.yaml"), str(work / "catalogue.json")],
            3,
        )
    return ours, floor


def bench_add_new(existing: int = 1000, new: int = 5000) -> tuple[float, float]:
    """(g) cleanup --add-new adding ``new`` catalogue models to an ``existing``-entry config:
    seconds and peak memory (MB)."""
    from generate import openrouter_config_and_catalogue

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config, catalogue = openrouter_config_and_catalogue(existing)
        catalogue["data"] += [
            {
                "id": f"newvendor/new-{k:06d}",
                "pricing": {"prompt": "1.0e-06", "completion": "2.0e-06"},
            }
            for k in range(new)
        ]
        cmd = offline_cleanup_setup(work, existing, catalogue, config)
        registry = yaml.safe_load(
            resources.files("llmsync").joinpath("data", "providers.yaml").read_text("utf-8")
        )
        registry["providers"]["openrouter"]["add_new"] = {"include": ["newvendor/*"]}
        (work / "providers.yaml").write_text(yaml.safe_dump(registry, sort_keys=False))
        env = {k: v for k, v in os.environ.items() if k != "OPENROUTER_API_KEY"}
        start = time.perf_counter()
        rss = subprocess.run(
            [sys.executable, "-c", MAXRSS, *cmd, "--add-new", "--force"],
            cwd=work, env=env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        seconds = time.perf_counter() - start
        added = (work / "config.yaml").read_text().count("newvendor/new-")
        assert added == new, f"added {added} of {new}"
    return seconds, int(rss) / 1024


def bench_read_only_scale(command: list[str], big: int = 30000, small: int = 10000) -> float:
    """(h) a read-only command at ``big`` entries over ``small`` (linear = big / small)."""
    from generate import large_config

    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (small, big):
            path = Path(tmp) / f"c{n}.yaml"
            path.write_text(large_config(n))
            times[n] = timed([sys.executable, "-m", "llmsync", *command, "--config", str(path)], 3)
    return times[big] / times[small]


def main() -> None:
    # As installed: pip writes bytecode at install time; an editable checkout run with
    # PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "llmsync")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        all_s, one_s, one_page_s = bench_concurrency(work)
        sort_s, load_s = bench_large_sort_check(work)
        help_s, bare_s = bench_help(work)
    big_s, small_s = bench_linear()
    e2_s, e2_floor = bench_cleanup_scale(2000)
    e10_s, e10_floor = bench_cleanup_scale(10000)
    add_s, add_mb = bench_add_new()
    h_validate = bench_read_only_scale(["validate"])
    h_sort = bench_read_only_scale(["sort", "--check"])
    rows = [
        ("(a) cleanup 15 + 4 platforms + 3 servers / slowest", all_s, one_s, 1.5),
        ("(a) the same / a one-page provider (2 pages = 2x)", all_s, one_page_s, 2.0),
        ("(b) sort --check 5,000 entries / CSafeLoader load", sort_s, load_s, 2.0),
        ("(c) llmsync --help / bare Typer --help", help_s, bare_s, 1.2),
        ("(d) reprice 8,000 entries / 2,000 (linear = 4)", big_s, small_s, 5.0),
        ("(e) cleanup 2,000 entries / load + json floor", e2_s, e2_floor, 3.0),
        ("(e) cleanup 10,000 entries / load + json floor", e10_s, e10_floor, 3.0),
        ("(f) cleanup 10,000 / 2,000 (linear = 5)", e10_s, e2_s, 5.5),
    ]
    print(f"{'benchmark':52} {'ours':>8} {'base':>8} {'ratio':>6} {'goal':>6}")
    for label, ours, base, goal in rows:
        ratio = ours / base
        print(
            f"{label:52} {ours:7.3f}s {base:7.3f}s {ratio:6.2f} {'<=' + str(goal):>6} {'ok' if ratio <= goal else 'MISSED'}"
        )
    print(
        f"{'(g) cleanup --add-new: 5,000 added to 1,000 entries':52} {add_s:7.2f}s (goal <= 10) "
        f"{add_mb:6.0f} MB peak (goal <= 400) {'ok' if add_s <= 10 and add_mb <= 400 else 'MISSED'}"
    )
    for label, ratio in (("validate", h_validate), ("sort --check", h_sort)):
        print(
            f"{'(h) ' + label + ' 30,000 / 10,000 entries (linear = 3)':52} ratio {ratio:5.2f} "
            f"(goal <= 3.5) {'ok' if ratio <= 3.5 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
