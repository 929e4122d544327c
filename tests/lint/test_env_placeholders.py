"""E044 through the CLI: a `${VAR}` / `$VAR` LiteLLM would send as text, in any value of
model_list and the settings sections, merged-in values included, reported once where written."""

from __future__ import annotations

import json

from conftest import write_config


def e044(llmsync, *args: str) -> tuple[int, list[dict]]:
    run = llmsync("validate", "--format", "json", *args)
    data = json.loads(run.stdout)
    return run.exit_code, [f for f in data["findings"] if f["code"] == "E044"]


def lines(findings: list[dict]) -> list[int]:
    return [f["line"] for f in findings]


def test_every_section_is_checked(workdir, llmsync):
    write_config(
        workdir,
        """
        model_list:
          - model_name: local
            litellm_params:
              model: openai/qwen
              api_base: "${VLLM_BASE}"
        general_settings:
          database_url: ${DATABASE_URL}
        litellm_settings:
          cache_params:
            type: redis
            host: ${REDIS_HOST:-localhost}
        router_settings:
          redis_host: $REDIS_HOST
        """,
    )
    code, found = e044(llmsync)
    assert code == 1
    assert lines(found) == [5, 7, 11, 13]
    assert [f["column"] for f in found] == [17, 17, 11, 15]
    messages = [f["message"] for f in found]
    assert messages[0] == (
        "api_base holds a ${VAR} reference: LiteLLM does not expand it and would send the text "
        "itself; write os.environ/VLLM_BASE"
    )
    assert messages[1].startswith("database_url holds a ${VAR} reference:")
    assert messages[2].endswith("write os.environ/REDIS_HOST")
    assert messages[3].startswith("redis_host holds a $VAR reference:")


def test_a_merge_key_is_one_finding_at_the_anchor_naming_the_entries(workdir, llmsync):
    write_config(
        workdir,
        """
        x-vllm: &vllm
          api_base: ${VLLM_BASE}
          api_key: none
        model_list:
          - model_name: a
            litellm_params:
              <<: *vllm
              model: openai/a
          - model_name: b
            litellm_params:
              <<: *vllm
              model: openai/b
          - model_name: c
            litellm_params:
              <<: [*vllm]
              model: openai/c
          - model_name: own-base
            litellm_params:
              <<: *vllm
              model: openai/d
              api_base: http://vllm:8000/v1
        """,
    )
    code, found = e044(llmsync)
    assert code == 1
    assert len(found) == 1
    (finding,) = found
    assert (finding["line"], finding["column"]) == (2, 13)
    assert finding["message"] == (
        "api_base holds a ${VAR} reference (it reaches 3 entries: a, b, c): LiteLLM does not "
        "expand it and would send the text itself; write os.environ/VLLM_BASE"
    )


def test_an_anchor_inside_an_entry_names_the_entries_aliasing_it(workdir, llmsync):
    write_config(
        workdir,
        """
        model_list:
          - model_name: first
            litellm_params:
              model: openai/a
              api_base: &base ${VLLM_BASE}
          - model_name: second
            litellm_params:
              model: openai/b
              api_base: *base
        """,
    )
    code, found = e044(llmsync)
    assert code == 1 and lines(found) == [5]
    assert "(it reaches 2 entries: first, second)" in found[0]["message"]


def test_many_entries_are_capped_and_shared_names_counted(workdir, llmsync):
    entries = "".join(
        f"  - model_name: {name}\n    litellm_params:\n      <<: *common\n      model: openai/{i}\n"
        for i, name in enumerate(["m1", "m2", "m2", "m3", "m4", "m5", "m6", "m7"])
    )
    write_config(workdir, "x-common: &common\n  api_base: ${BASE}\nmodel_list:\n" + entries)
    code, found = e044(llmsync)
    assert code == 1 and lines(found) == [2]
    assert "(it reaches 8 entries: m1, m2 x2, m3, m4, m5 and 2 more)" in found[0]["message"]


def test_a_reference_inside_a_longer_value(workdir, llmsync):
    write_config(
        workdir,
        """
        model_list:
          - model_name: local-llm
            litellm_params:
              model: "openai/${VLLM_MODEL:-Qwen/Qwen2.5-3B-Instruct}"
              api_base: http://${VLLM_HOST}:${VLLM_PORT}/v1
        """,
    )
    code, found = e044(llmsync)
    assert code == 1 and lines(found) == [4, 5]
    assert found[0]["message"] == (
        "model holds a ${VAR} reference (VLLM_MODEL) inside a longer value: LiteLLM does not "
        "expand it and would send the text itself, and os.environ/ works only for a whole value; "
        "write the value out, or put the whole value in a variable and write "
        "os.environ/<that variable>"
    )
    assert "(VLLM_HOST, VLLM_PORT) inside a longer value" in found[1]["message"]
    assert "Qwen" not in found[0]["message"]  # a default is never printed (it may be a secret)


def test_what_is_not_an_interpolation_is_left_alone(workdir, llmsync, monkeypatch):
    monkeypatch.setenv("VLLM_BASE", "http://vllm:8000/v1")
    write_config(
        workdir,
        """
        # api_base: ${NOT_A_VALUE}
        model_list:
          - model_name: a  # ${IN_A_COMMENT}
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: os.environ/VLLM_BASE
            model_info:
              description: costs $0.15 per 1M tokens, or US$5 a month
        litellm_settings:
          ${A_KEY}: 1
          $ANOTHER_KEY: 2
          success_callback: ["$", "$5", "a$b"]
        router_settings:
          routing_strategy: simple-shuffle
        """,
    )
    code, found = e044(llmsync)
    assert found == []
    assert code == 0


def test_a_merged_value_every_entry_overrides_reaches_nothing(workdir, llmsync):
    write_config(
        workdir,
        """
        x-defaults: &defaults
          api_base: ${UNUSED_BASE}
        model_list:
          - model_name: a
            litellm_params:
              <<: *defaults
              model: openai/a
              api_base: http://vllm:8000/v1
        """,
    )
    code, found = e044(llmsync)
    assert (code, found) == (0, [])


def test_credentials_outside_the_sections_are_still_checked(workdir, llmsync):
    write_config(
        workdir,
        """
        model_list:
          - model_name: a
            litellm_params:
              model: openai/a
        guardrails:
          - guardrail_name: g
            litellm_params:
              guardrail: aporia
              api_key: ${APORIA_KEY}
              api_base: ${APORIA_BASE}
        """,
    )
    code, found = e044(llmsync)
    assert code == 1 and lines(found) == [9]
    assert found[0]["message"].startswith("api_key holds a ${VAR} reference:")


def test_an_inline_ignore_on_the_anchor_line_silences_it(workdir, llmsync):
    write_config(
        workdir,
        """
        x-vllm: &vllm
          api_base: ${VLLM_BASE}  # llmsync: ignore[E044]
        model_list:
          - model_name: a
            litellm_params:
              <<: *vllm
              model: openai/a
          - model_name: b
            litellm_params:
              <<: *vllm
              model: "openai/${VLLM_MODEL}"  # llmsync: ignore[E044]
        """,
    )
    code, found = e044(llmsync)
    assert (code, found) == (0, [])
    code, found = e044(llmsync, "--select", "E044")
    assert (code, found) == (0, [])
