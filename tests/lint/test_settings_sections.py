"""lint.settings beyond router_settings: general_settings and litellm_settings keys."""

from pathlib import Path

from conftest import write_config

from llmsync.lint import Validator


def test_settings_in_the_wrong_block_are_found(tmp_path: Path):
    config = write_config(
        tmp_path,
        """
        model_list:
          - model_name: a
            litellm_params:
              model: openai/gpt-4o
        general_settings:
          master_key: os.environ/K
          drop_params: true        # a litellm_settings key: ignored here
          alerting: [slack]
        litellm_settings:
          drop_params: true
          cache_params: {type: redis}   # handled by the proxy itself
          num_retires: 3           # typo
        """,
    )
    report = Validator({"K": "sk-0123456789abcdef0123"}).run(config)
    found = [(f.code, f.message) for f in report.findings]
    assert [c for c, _ in found] == ["W036", "W037"]
    assert "general_settings.drop_params" in found[0][1]
    assert "did you mean num_retries?" in found[1][1]
