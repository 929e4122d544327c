"""Off a terminal llmsync prints without rich (llmsync/plain.py): the text must be exactly what
rich prints at unbounded width, so a CI log or a PR body reads the same either way."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from json_stub import json_server
from rich.console import Console
from rich.table import Table

from llmsync.plain import PlainConsole, PlainTable

TABLES = [
    ("Providers", [("provider", "left"), ("entries", "right"), ("status", "left")],
     [("openrouter", "3", "ok"), ("x", "12", "failed")]),
    ("Models like 'gpt-oss' (USD per 1M tokens)", [("provider", "left"), ("id", "left"),
     ("input", "right")], [("groq", "openai/gpt-oss-120b" + "-x" * 60, "0.15"), ("a", "b", "")]),
    ("Providers (providers.yaml)", [("provider", "left"), ("catalogue", "left")],
     [("openrouter", "https://openrouter.ai/api/v1/models\nhttps://openrouter.ai/api/v1/embeddings/models")]),
    ("Wide", [("名前", "left"), ("n", "right")], [("模型", "1"), ("gpt", "123456")]),
    ("Empty cells", [("a", "left"), ("b", "right")], [("", ""), ("x", "")]),
]  # fmt: skip


@pytest.mark.parametrize(("title", "columns", "rows"), TABLES, ids=[t[0] for t in TABLES])
def test_a_plain_table_is_byte_identical_to_richs(title, columns, rows):
    outputs = []
    for console, table in (
        (Console(file=io.StringIO(), highlight=False, soft_wrap=True, width=100_000),
         Table(title=title, title_justify="left")),
        (PlainConsole(io.StringIO()), PlainTable(title=title, title_justify="left")),
    ):  # fmt: skip
        for header, justify in columns:
            table.add_column(header, justify=justify)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        outputs.append(console.file.getvalue())
    assert outputs[1] == outputs[0]


def test_a_cache_served_dry_run_in_a_pipe_imports_neither_rich_pydantic_nor_httpx(tmp_path):
    """Issue 21's promise: a warm run (registry validated before, catalogues in the cache)
    whose output is a pipe needs none of the three. The first run, against a local stub,
    fills both caches; the second is served from them."""
    fixtures = Path(__file__).parent / "fixtures" / "providers"
    stub = json_server(lambda path: (fixtures / path.strip("/")).read_bytes())
    with stub as (base, _):
        (tmp_path / "providers.yaml").write_text(
            "providers:\n  openrouter:\n    catalogs:\n"
            f"      - url: {base}/openrouter_models.json\n"
            f"      - url: {base}/openrouter_embeddings.json\n        mode: embedding\n"
        )
        (tmp_path / "config.yaml").write_text(
            "model_list:\n  - model_name: a\n    litellm_params:\n"
            "      model: openrouter/openai/gpt-4o-mini\n      input_cost_per_token: 1.0e-06\n"
        )
        code = (
            "import sys; from llmsync.entry import main\n"
            "sys.argv = ['llmsync', 'cleanup', '-p', 'openrouter', '--dry-run'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "wanted = {'rich', 'pydantic', 'httpx'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & wanted), file=sys.stderr)"
        )
        env = {"PATH": "/usr/bin:/bin", "LLMSYNC_CACHE_DIR": str(tmp_path / "cache")}
        runs = [
            subprocess.run(
                [sys.executable, "-c", code, *extra],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                env=env,
            )
            for extra in ([], ["--offline"])
        ]
    cold, warm = runs
    assert "httpx" in cold.stderr.strip().splitlines()[-1]  # it did fetch
    assert warm.stderr.strip().splitlines()[-1] == "[]", warm.stderr
    assert "1.5e-07" in warm.stdout  # the same dry run: gpt-4o-mini repriced from the cache


def test_a_dry_run_in_a_pipe_does_not_import_rich(tmp_path):
    """A cleanup dry run whose output is a pipe prints its tables without rich."""
    (tmp_path / "config.yaml").write_text(
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: madeup/x\n"
    )
    code = (
        "import sys; from llmsync.entry import main\n"
        "sys.argv = ['llmsync', 'cleanup', '--dry-run', '--offline']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'httpx'}), file=sys.stderr)"
    )
    env = {"PATH": "/usr/bin:/bin", "LLMSYNC_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert "config.yaml: no changes" in done.stdout
