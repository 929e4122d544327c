"""The oracle itself: the real LiteLLM must be installed and must be able to say no."""

from __future__ import annotations

import pytest
from conftest import assert_litellm_accepts


def test_the_oracle_is_litellm_1_106_2_in_its_own_environment():
    """A missing oracle must fail, not skip; and llmsync's own environment must not need it."""
    import os
    import subprocess
    import sys

    python = os.environ["LLMSYNC_LITELLM_PYTHON"]
    code = "import importlib.metadata as m, sys; print(m.version('litellm'), sys.prefix)"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    version, prefix = done.stdout.split()
    assert version == "1.106.2"
    assert os.path.realpath(prefix) != os.path.realpath(sys.prefix)  # not llmsync's own


def test_oracle_accepts_the_example_config():
    from pathlib import Path

    assert_litellm_accepts((Path(__file__).resolve().parents[1] / "config.yaml").read_text())


@pytest.mark.parametrize(
    "entry",
    [
        "  - model_name: a\n    litellm_params:\n      model: requesty/openai/gpt-4o\n",  # no such LiteLLM prefix
        "  - model_name: a\n    litellm_params:\n      model: openrouter/x\n      input_cost_per_token: 3e-06\n",  # a string to PyYAML
        "  - model_name: a\n    litellm_params:\n      model: openrouter/x\n      rpm: lots\n",
    ],
)
def test_oracle_rejects_broken_entries(entry):
    with pytest.raises(Exception):  # noqa: B017 - LiteLLM raises several types
        assert_litellm_accepts("model_list:\n" + entry)
