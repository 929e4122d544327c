"""Peer parity: a provider's `order` (LiteLLM's deployment priority) written on add and by
cleanup --fill-order; remove-model --provider removes every entry of one provider."""

from __future__ import annotations

import yaml
from conftest import write_config

CONFIG = """\
model_list:
  # the cheap route first
  - model_name: gpt-oss
    litellm_params:
      model: cerebras/gpt-oss-120b
      input_cost_per_token: 3.5e-07
      output_cost_per_token: 7.5e-07
  - model_name: gpt-oss
    litellm_params:
      model: together_ai/openai/gpt-oss-120b
      order: 5 # chosen by hand: kept
  - model_name: sonnet
    litellm_params:
      model: openrouter/anthropic/claude-sonnet-4.5

router_settings:
  fallbacks: [{"sonnet": ["gpt-oss"]}]
"""


def with_order(workdir, **orders: int) -> None:
    # providers.local.yaml is merged over the registry: only the field that changes
    extra = "\n".join(f"  {n}:\n    order: {o}" for n, o in orders.items())
    (workdir / "providers.local.yaml").write_text(f"providers:\n{extra}\n")


def test_fill_order_writes_the_providers_order_where_an_entry_has_none(workdir, catalogs, llmsync):
    with_order(workdir, cerebras=1, together_ai=2)
    config = write_config(workdir, CONFIG)
    catalogs.serve()
    run = llmsync("cleanup", "-p", "cerebras", "-p", "together_ai", "--fill-order", "--no-cache")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert (
        "      model: cerebras/gpt-oss-120b\n      input_cost_per_token: 3.5e-07\n"
        "      output_cost_per_token: 7.5e-07\n      order: 1\n"
    ) in text
    assert "      order: 5 # chosen by hand: kept\n" in text  # an entry's own order is kept
    assert text.count("order:") == 2
    assert "  # the cheap route first\n" in text
    run = llmsync("cleanup", "-p", "cerebras", "--fill-order", "--no-cache")
    assert "no changes" in run.stdout  # idempotent


def test_add_model_writes_the_order(workdir, catalogs, llmsync):
    with_order(workdir, sambanova=3)
    config = write_config(workdir, "model_list: []\n")
    catalogs.serve()
    run = llmsync("add-model", "-p", "sambanova", "Meta-Llama-3.3-70B-Instruct", "--no-cache")
    assert run.exit_code == 0, run.output
    (entry,) = yaml.safe_load(config.read_text())["model_list"]
    assert entry["litellm_params"]["order"] == 3


def test_remove_model_by_provider_keeps_routes_true(workdir, llmsync):
    config = write_config(workdir, CONFIG)
    run = llmsync("remove-model", "--provider", "openrouter")
    assert run.exit_code == 2  # sonnet's fallback would name a model_name that is gone
    assert "--prune-routes" in run.stderr and config.read_text() == CONFIG
    run = llmsync("remove-model", "--provider", "openrouter", "--prune-routes")
    assert run.exit_code == 0, run.output
    text = config.read_text()
    assert "openrouter/" not in text and "sonnet" not in text
    assert text.count("model_name: gpt-oss") == 2
    run = llmsync("remove-model", "-p", "cerebras", "-p", "together")  # LiteLLM's spelling
    assert run.exit_code == 0, run.output
    assert "model_list: []" in config.read_text()


def test_remove_model_by_provider_refuses_what_it_cannot_do(workdir, llmsync):
    config = write_config(workdir, CONFIG)
    for args, message in (
        (("-p", "groq"), "no entry belongs to groq; nothing was removed"),
        (("-p", "all"), "--provider takes provider names (not 'all')"),
        (("sonnet", "-p", "openrouter"), "model names or --provider NAME, one of the two"),
        ((), "model names or --provider NAME, one of the two"),
    ):
        run = llmsync("remove-model", *args)
        assert run.exit_code == 2 and message in run.stderr, (args, run.output)
    assert config.read_text() == CONFIG


def test_prune_routes_rewrites_a_flow_style_route_on_its_line(workdir, llmsync):
    text = (
        "model_list:\n"
        "  - model_name: a\n    litellm_params:\n      model: openai/a\n"
        "  - model_name: b\n    litellm_params:\n      model: openai/b\n"
        "  - model_name: c\n    litellm_params:\n      model: openai/c\n"
        "router_settings:\n"
        '  fallbacks: [{"a": ["b", "c"]}, {"b": ["c"]}] # keep this comment\n'
        "  model_group_alias: {x: b, y: a}\n"
    )
    config = write_config(workdir, text)
    run = llmsync("remove-model", "b", "--prune-routes")
    assert run.exit_code == 0, run.output
    written = config.read_text()
    assert '  fallbacks: [{"a": ["c"]}] # keep this comment\n' in written
    assert '  model_group_alias: {"y": "a"}\n' in written
    data = yaml.safe_load(written)["router_settings"]
    assert data == {"fallbacks": [{"a": ["c"]}], "model_group_alias": {"y": "a"}}


def test_a_multi_line_flow_route_is_left_to_a_person(workdir, llmsync):
    text = (
        "model_list:\n"
        "  - model_name: a\n    litellm_params:\n      model: openai/a\n"
        "  - model_name: b\n    litellm_params:\n      model: openai/b\n"
        "router_settings:\n"
        '  fallbacks: [{"a": ["b"]},\n    {"b": ["a"]}]\n'
    )
    config = write_config(workdir, text)
    run = llmsync("remove-model", "b", "--prune-routes")
    assert run.exit_code == 2 and "flow style over several lines" in run.stderr
    assert config.read_text() == text
