"""generate against a real LiteLLM proxy (litellm[proxy]==1.106.2) running on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import write_config

LITELLM = Path(os.environ["LLMSYNC_LITELLM_PYTHON"]).parent / "litellm"  # the oracle's own
MASTER_KEY = "sk-llmsync-test-7f3a9c"  # not an example key: the proxy refuses those

UPSTREAM_CONFIG = """\
model_list:
  - model_name: team-chat
    litellm_params:
      model: openai/fake-chat
      api_base: http://127.0.0.1:9/v1
      api_key: os.environ/FAKE_KEY
      input_cost_per_token: 1.25e-06
      output_cost_per_token: 5.0e-06
    model_info:
      max_input_tokens: 64000
  - model_name: team-embed
    litellm_params:
      model: openai/fake-embed
      api_base: http://127.0.0.1:9/v1
      api_key: os.environ/FAKE_KEY
    model_info:
      mode: embedding
router_settings:
  model_group_alias: {team-alias: team-chat}   # /model/info repeats team-chat's row for it
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("proxy")
    if not LITELLM.exists():
        pytest.fail(f"{LITELLM} is missing: install the test extra (litellm[proxy]==1.106.2)")
    (tmp_path / "upstream.yaml").write_text(UPSTREAM_CONFIG)
    port = free_port()
    env = {
        **os.environ,
        "LITELLM_MASTER_KEY": MASTER_KEY,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "FAKE_KEY": "x",
    }
    log = (tmp_path / "proxy.log").open("w")
    process = subprocess.Popen(
        [str(LITELLM), "--config", str(tmp_path / "upstream.yaml"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # bounded: ~6 s here, more on a busy CI box
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"proxy exited {process.returncode}: {(tmp_path / 'proxy.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{base}/health/liveliness", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("proxy did not become ready within 90 s")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def test_generate_from_a_real_litellm_proxy(proxy, workdir, llmsync, monkeypatch):
    monkeypatch.setenv("UPSTREAM_MASTER_KEY", MASTER_KEY)
    (workdir / "providers.yaml").write_text(
        f"sources:\n  team:\n    type: litellm\n    base_url: {proxy}\n    api_key_env: UPSTREAM_MASTER_KEY\n"
    )
    config = write_config(workdir, "# downstream gateway\nmodel_list: []\n")
    run = llmsync("generate")
    assert run.exit_code == 0, run.output
    entries = {e["model_name"]: e for e in yaml.safe_load(config.read_text())["model_list"]}
    assert set(entries) == {"team-chat", "team-embed"}
    chat = entries["team-chat"]["litellm_params"]
    assert chat == {
        "model": "litellm_proxy/team-chat",
        "api_base": proxy,
        "api_key": "os.environ/UPSTREAM_MASTER_KEY",
        "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 5e-06,
    }
    assert entries["team-chat"]["model_info"]["max_input_tokens"] == 64000
    assert entries["team-embed"]["model_info"]["mode"] == "embedding"
    assert llmsync("generate", "--check").exit_code == 0
    assert llmsync("validate", "--strict").exit_code == 0


def test_the_real_admin_api_lists_deployments_without_alias_rows(proxy):
    import asyncio

    from llmsync.proxy import AdminClient

    async def read():
        async with AdminClient(proxy, MASTER_KEY) as client:
            return await client.deployments()

    raw = httpx.get(f"{proxy}/model/info", headers={"Authorization": f"Bearer {MASTER_KEY}"})
    names = [r["model_name"] for r in raw.json()["data"]]
    assert "team-alias" in names  # the proxy does list the alias as a row of its own
    rows = asyncio.run(read())
    assert sorted(r["model_name"] for r in rows) == ["team-chat", "team-embed"]
    chat = next(r for r in rows if r["model_name"] == "team-chat")
    assert chat["model_info"]["max_input_tokens"] == 64000
    assert "api_key" not in chat["litellm_params"]  # the proxy strips keys


def test_push_to_a_proxy_without_a_database_writes_nothing(proxy, workdir, llmsync, monkeypatch):
    monkeypatch.setenv("LITELLM_MASTER_KEY", MASTER_KEY)
    write_config(
        workdir,
        "model_list:\n  - model_name: extra\n    litellm_params:\n      model: openai/extra\n"
        "      api_base: http://127.0.0.1:9/v1\n",
    )
    headers = {"Authorization": f"Bearer {MASTER_KEY}"}
    before = httpx.get(f"{proxy}/model/info", headers=headers).json()["data"]
    run = llmsync("push", "--proxy", proxy)
    assert run.exit_code == 1, run.output
    assert "has no database connected" in run.stderr and "nothing was written" in run.stderr
    assert MASTER_KEY not in run.output
    after = httpx.get(f"{proxy}/model/info", headers=headers).json()["data"]
    assert len(after) == len(before)
