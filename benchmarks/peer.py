"""The peer-shaped case: `cleanup -p openrouter --no-cache --dry-run` on a generated config of
30, 500 and 2,000 OpenRouter entries, the catalogue served by a local stub, against a minimal
script doing the same work with PyYAML + json (the floor: fetch both listings, load the
config, find retired models and changed prices, print them).

Goal (issue 21): <= 2x the floor at 30 entries, <= 1.5x at 2,000. Best of 5, one run each in
turn. Also printed: what importing the chosen stack alone takes (Typer, asyncio, httpx and its
async transport, ruamel.yaml, PyYAML), the bound below which no change inside llmsync goes.
Run: .venv/bin/python benchmarks/peer.py
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-payloads" / "openrouter__unified-llm-pricing.json"
FIXTURE = ROOT / "tests" / "fixtures" / "providers" / "openrouter_models.json"
EMBEDDINGS = ROOT / "tests" / "fixtures" / "providers" / "openrouter_embeddings.json"

FLOOR = """
import json, sys, urllib.request, yaml
base = sys.argv[2]
listed = {}
for path in ("/models", "/embeddings"):
    with urllib.request.urlopen(base + path) as answer:
        for m in json.loads(answer.read())["data"]:
            listed[m["id"]] = m.get("pricing") or {}
with open(sys.argv[1]) as handle:
    config = yaml.load(handle, Loader=yaml.CSafeLoader)
gone = changed = 0
for entry in config["model_list"]:
    model = entry["litellm_params"]["model"]
    if not model.startswith("openrouter/"):
        continue
    prices = listed.get(model[len("openrouter/"):])
    if prices is None:
        gone += 1
        continue
    for field, key in (("input_cost_per_token", "prompt"), ("output_cost_per_token", "completion")):
        new = prices.get(key)
        if new not in (None, "-1") and float(new) != entry["litellm_params"].get(field):
            changed += 1
print(gone, changed)
"""


# The imports the chosen stack needs on this path and nothing else: llmsync's lower bound.
STACK = "import typer, asyncio, httpx, httpcore, h11, anyio._backends._asyncio, ruamel.yaml, yaml"


class Handler(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.bodies.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def config_for(models: list[dict], entries: int) -> str:
    """``entries`` OpenRouter entries: 10% retired ids, 10% with a price that moved."""
    lines = ["# generated: the peer-shaped benchmark", "model_list:"]
    for i in range(entries):
        model = models[i % len(models)]
        model_id = f"retired/model-{i}" if i % 10 == 9 else model["id"]
        price = float(model.get("pricing", {}).get("prompt") or 0) or 1e-06
        if i % 10 == 8:
            price *= 1.5
        lines += [
            f"  - model_name: m-{i:05d}",
            "    litellm_params:",
            f"      model: openrouter/{model_id}",
            "      api_key: os.environ/OPENROUTER_API_KEY",
            f"      input_cost_per_token: {price:.6e}",
        ]
    return "\n".join(lines) + "\n"


def best(command: list[str], cwd: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        assert done.returncode in (0, 1), done.stderr.decode()[-500:]
    return min(times)


def main() -> None:
    listing = json.loads((REAL if REAL.is_file() else FIXTURE).read_text())
    models = [m for m in listing["data"] if isinstance(m.get("id"), str)]
    Handler.bodies = {
        "/models": json.dumps(listing).encode(),
        "/embeddings": EMBEDDINGS.read_bytes(),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"catalogue: {len(models)} models ({'real' if REAL.is_file() else 'fixture'} body)")
    print(f"{'entries':>8} {'llmsync':>9} {'floor':>9} {'ratio':>6} goal")
    stack = best([sys.executable, "-c", STACK], ROOT)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "floor.py").write_text(FLOOR)
            (work / "providers.yaml").write_text(
                "providers:\n  openrouter:\n    catalogs:\n"
                f"      - url: {base}/models\n"
                f"      - url: {base}/embeddings\n        mode: embedding\n"
            )
            floors: list[float] = []
            above: list[float] = []  # llmsync's own share: its time beyond the stack's imports
            for entries, goal in ((30, 2.0), (500, None), (2000, 1.5)):
                (work / "config.yaml").write_text(config_for(models, entries))
                ours = best(
                    [sys.executable, "-m", "llmsync", "cleanup", "-p", "openrouter",
                     "--no-cache", "--dry-run"],
                    work,
                )  # fmt: skip
                floor = best([sys.executable, "floor.py", "config.yaml", base], work)
                ratio = ours / floor
                verdict = (
                    "" if goal is None else f"<= {goal}  {'ok' if ratio <= goal else 'MISSED'}"
                )
                print(f"{entries:>8} {ours:8.3f}s {floor:8.3f}s {ratio:6.2f} {verdict}")
                floors.append(floor)
                above.append(ours - stack)
        print(
            f"the stack's imports alone ({STACK[7:]}): {stack:.3f}s = "
            f"{stack / floors[0]:.2f}x the floor at 30 entries; llmsync beyond them: "
            + ", ".join(f"{a:.3f}s" for a in above)
        )
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
