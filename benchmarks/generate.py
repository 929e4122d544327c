"""Write a realistic large LiteLLM config (comments, load-balanced groups, prices) for benchmarks."""

from __future__ import annotations

import random
import sys
from pathlib import Path

PROVIDERS = [
    ("openrouter/", "os.environ/OPENROUTER_API_KEY", None),
    ("vercel_ai_gateway/", "os.environ/VERCEL_AI_GATEWAY_API_KEY", None),
    ("novita/", "os.environ/NOVITA_API_KEY", None),
    ("openai/", "os.environ/REQUESTY_API_KEY", "https://router.requesty.ai/v1"),
]


def large_config(entries: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    rows = []
    for i in range(entries):
        prefix, key, base = PROVIDERS[i % len(PROVIDERS)]
        group = f"group-{i // 3:05d}"  # three deployments per model_name
        rows.append(
            (group, f"{prefix}vendor-{i % 97}/model-{i:05d}", key, base, rng.randint(1, 9999) / 1e9)
        )
    rows.sort(key=lambda r: (r[0].lower(), r[1].lower()))
    out = ["# Generated benchmark config", "model_list:"]
    for n, (group, model, key, base, price) in enumerate(rows):
        if n % 50 == 0:
            out.append(f"  # --- section {n // 50} ---")
        out += [
            f"  - model_name: {group}",
            "    litellm_params:",
            f"      model: {model}",
            f"      api_key: {key}",
        ]
        if base:
            out.append(f"      api_base: {base}")
        out += [
            f"      input_cost_per_token: {price:.3e}",
            f"      output_cost_per_token: {price * 4:.3e}",
            "    model_info:",
            "      max_input_tokens: 131072",
            "",
        ]
    out += ["router_settings:", "  routing_strategy: simple-shuffle", ""]
    return "\n".join(out)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    Path(sys.argv[2] if len(sys.argv) > 2 else "large.yaml").write_text(large_config(count))


def openrouter_config_and_catalogue(entries: int, seed: int = 11) -> tuple[str, dict]:
    """A config of ``entries`` OpenRouter deployments and a catalogue in OpenRouter's shape in
    which 10% of them are gone and 10% repriced."""
    rng = random.Random(seed)
    out, models = ["# Generated benchmark config", "model_list:"], []
    for i in range(entries):
        model_id = f"vendor-{i % 97}/model-{i:06d}"
        price = rng.randint(1, 9999) / 1e9
        if i % 50 == 0:
            out.append(f"  # --- section {i // 50} ---")
        out += [
            f"  - model_name: m-{i:06d}",
            "    litellm_params:",
            f"      model: openrouter/{model_id}",
            "      api_key: os.environ/OPENROUTER_API_KEY",
            f"      input_cost_per_token: {price:.3e}",
            f"      output_cost_per_token: {price * 4:.3e}",
            "",
        ]
        if i % 10 == 3:
            continue  # retired
        if i % 10 == 7:
            price *= 1.5  # repriced
        models.append(
            {
                "id": model_id,
                "pricing": {"prompt": f"{price:.3e}", "completion": f"{price * 4:.3e}"},
            }
        )
    out += ["router_settings:", "  routing_strategy: simple-shuffle", ""]
    return "\n".join(out), {"data": models}
