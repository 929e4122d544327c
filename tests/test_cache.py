"""One catalogue snapshot per run: the dry run and the real run read the same cached data."""

from __future__ import annotations

from conftest import body, diff_u, write_config

CONFIG = """\
model_list:
  - model_name: mini
    litellm_params:
      model: openrouter/openai/gpt-4o-mini
      input_cost_per_token: 1.2e-07
      output_cost_per_token: 6.0e-07
      cache_read_input_token_cost: 7.5e-08
"""


def cheaper():
    models = body("openrouter_models.json")
    next(m for m in models["data"] if m["id"] == "openai/gpt-4o-mini")["pricing"]["prompt"] = (
        "0.0000001"
    )
    return models


def test_dry_run_then_real_run_use_one_snapshot(
    workdir, httpx_mock, catalogs, llmsync, monkeypatch
):
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-secret-value")
    config = write_config(workdir, CONFIG)
    catalogs.serve()
    preview = llmsync("cleanup", "-p", "openrouter", "--dry-run")
    httpx_mock.reset()
    catalogs.serve(openrouter_models=cheaper())  # the catalogue changes between the two runs
    before = config.read_text()
    assert llmsync("cleanup", "-p", "openrouter").exit_code == 0
    assert diff_u(before, config.read_text(), "config.yaml") in preview.stdout
    assert "input_cost_per_token: 1.5e-07" in config.read_text()
    assert httpx_mock.get_requests() == []  # served from the cache
    cached = "".join(p.read_text() for p in (workdir / ".cache").glob("*.json"))
    assert "gpt-4o-mini" in cached and "sk-or-secret-value" not in cached

    assert llmsync("cleanup", "-p", "openrouter", "--no-cache").exit_code == 0
    assert "input_cost_per_token: 1.0e-07" in config.read_text()


def test_offline_uses_only_the_cache_and_says_so(workdir, httpx_mock, catalogs, llmsync):
    config = write_config(workdir, CONFIG)
    cold = llmsync("cleanup", "-p", "openrouter", "--offline")
    assert cold.exit_code == 1
    assert "offline: using cached catalogues only" in cold.stderr
    assert "--offline and no cached copy" in cold.stdout
    assert config.read_text() == CONFIG
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter", "--dry-run").exit_code == 0
    requests = len(httpx_mock.get_requests())
    warm = llmsync("cleanup", "-p", "openrouter", "--offline", "--cache-ttl", "0")
    assert warm.exit_code == 0, warm.output
    assert len(httpx_mock.get_requests()) == requests  # no network, even past the TTL
    assert "input_cost_per_token: 1.5e-07" in config.read_text()
    assert llmsync("cleanup", "--offline", "--no-cache").exit_code == 2


def test_expired_entries_are_fetched_again(workdir, httpx_mock, catalogs, llmsync):
    write_config(workdir, CONFIG)
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter", "--dry-run").exit_code == 0
    first = len(httpx_mock.get_requests())
    assert llmsync("cleanup", "-p", "openrouter", "--dry-run", "--cache-ttl", "0").exit_code == 0
    assert len(httpx_mock.get_requests()) == 2 * first


def test_a_run_served_from_the_cache_never_loads_httpx(workdir, httpx_mock, catalogs, llmsync):
    """httpx (~0.1 s of imports and TLS set-up) is loaded on the first request only."""
    import subprocess
    import sys

    write_config(workdir, CONFIG)
    catalogs.serve()
    assert llmsync("cleanup", "-p", "openrouter", "--dry-run").exit_code == 0  # fills the cache
    code = (
        "import sys\nfrom llmsync.entry import main\n"
        "sys.argv = ['llmsync', 'cleanup', '-p', 'openrouter', '--offline', '--dry-run']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print('exit', code, 'httpx' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir)
    assert run.stdout.splitlines()[-1] == "exit 0 False", run.stdout + run.stderr
    assert "input_cost_per_token: 1.5e-07" in run.stdout  # the diff of the cached catalogue
