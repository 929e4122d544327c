"""sort end to end: --check exit codes, comments travel with entries, idempotence."""

from __future__ import annotations

from conftest import write_config

UNSORTED = """\
model_list:
  # Bravo is the team default.
  - model_name: Bravo
    litellm_params:
      model: openrouter/b/b

  - model_name: alpha
    litellm_params:
      model: poe/z-model   # second deployment of alpha
  - model_name: alpha
    litellm_params:
      model: openrouter/A-model
router_settings:
  num_retries: 2
"""

SORTED = """\
model_list:
  - model_name: alpha
    litellm_params:
      model: openrouter/A-model

  - model_name: alpha
    litellm_params:
      model: poe/z-model   # second deployment of alpha
  # Bravo is the team default.
  - model_name: Bravo
    litellm_params:
      model: openrouter/b/b
router_settings:
  num_retries: 2
"""


def test_check_reports_without_writing(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    run = llmsync("sort", "--check")
    assert run.exit_code == 1
    assert (
        "config.yaml:7: not sorted: alpha (poe/z-model) should come before Bravo (openrouter/b/b)"
        in run.stdout
    )
    assert config.read_text() == UNSORTED


def test_sort_writes_then_check_passes_and_second_sort_is_a_no_op(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    run = llmsync("sort")
    assert run.exit_code == 0, run.output
    assert config.read_text() == SORTED
    assert llmsync("sort", "--check").exit_code == 0
    again = llmsync("sort")
    assert again.exit_code == 0 and "no changes" in again.stdout
    assert config.read_text() == SORTED


def test_dry_run_prints_diff_only(workdir, llmsync):
    config = write_config(workdir, UNSORTED)
    run = llmsync("sort", "--dry-run")
    assert run.exit_code == 0
    assert "+  - model_name: alpha" in run.stdout
    assert config.read_text() == UNSORTED


def test_alias_before_anchor_is_refused_with_exit_2(workdir, llmsync):
    text = """\
model_list:
  - model_name: b
    litellm_params: &b-params
      model: openrouter/b/b
  - model_name: a
    litellm_params: *b-params
"""
    config = write_config(workdir, text)
    run = llmsync("sort")
    assert run.exit_code == 2
    assert "cannot sort" in run.stderr and "anchor" in run.stderr
    assert config.read_text() == text
