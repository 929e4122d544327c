"""A user's providers.yaml (and providers.local.yaml) extends the shipped registry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from conftest import write_config

from llmsync.errors import RegistryError
from llmsync.registry import SHIPPED, Registry

SHIPPED_TEXT = resources.files("llmsync").joinpath("data", "providers.yaml").read_text("utf-8")
SOURCES = "sources:\n  box: {type: ollama, base_url: 'http://box:11434'}\n"
MINE = (
    "providers:\n  mine:\n    catalogs: [{url: 'https://mine.example/v1/models'}]\n"
    "    match: [{prefix: mine/}]\n"
)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMSYNC_CACHE_DIR", str(tmp_path / ".cache"))
    return tmp_path


@pytest.fixture(scope="module")
def shipped() -> Registry:
    return Registry.from_text(SHIPPED_TEXT, SHIPPED)


def specs(registry: Registry) -> dict:
    return {n: p.spec.model_dump() for n, p in registry.providers.items()}


def test_without_files_the_shipped_registry(here, shipped):
    registry = Registry.load(None)
    assert registry.source == SHIPPED
    assert specs(registry) == specs(shipped)


def test_a_full_copy_over_the_shipped_registry_is_the_same_registry(here, shipped):
    (here / "providers.yaml").write_text(SHIPPED_TEXT)
    registry = Registry.load(None)
    assert registry.source == f"{SHIPPED} + providers.yaml"
    assert specs(registry) == specs(shipped)
    assert registry.defaults == shipped.defaults
    assert registry.server_kinds == shipped.server_kinds
    assert registry.pricebooks == shipped.pricebooks


def test_a_sources_only_file_keeps_every_shipped_provider(here, shipped, llmsync):
    (here / "providers.yaml").write_text(SOURCES)
    registry = Registry.load(None)
    assert list(registry.providers) == list(shipped.providers)
    assert list(registry.sources) == ["box"]
    write_config(here, "model_list: []\n")
    run = llmsync("cleanup", "-p", "openrouter", "--dry-run", "--offline")
    assert run.exit_code == 0, run.output
    assert "unknown provider" not in run.stderr


def test_a_provider_is_merged_field_by_field_and_lists_are_replaced(here, shipped):
    (here / "providers.yaml").write_text(
        "providers:\n"
        "  openrouter:\n"
        "    add_new: {include: ['qwen/*']}\n"
        "    catalogs: [{url: 'https://mirror.example/models'}]\n"
        "defaults: {timeout: 7}\n"
    )
    registry = Registry.load(None)
    mine, theirs = registry.providers["openrouter"].spec, shipped.providers["openrouter"].spec
    assert mine.add_new.include == ["qwen/*"]
    assert mine.add_new.exclude == theirs.add_new.exclude  # the rest of add_new kept
    assert [c.url for c in mine.catalogs] == ["https://mirror.example/models"]  # whole list
    assert mine.match == theirs.match and mine.prices == theirs.prices
    assert registry.defaults.timeout == 7
    assert registry.defaults.retries == shipped.defaults.retries
    assert list(registry.providers) == list(shipped.providers)  # the order kept


def test_a_new_provider_comes_after_the_shipped_ones(here, shipped):
    (here / "providers.yaml").write_text(MINE)
    registry = Registry.load(None)
    assert list(registry.providers) == [*shipped.providers, "mine"]
    assert registry.owner("mine/m1", None) == ("mine", "m1")
    assert registry.owner("openrouter/a/b", None) == ("openrouter", "a/b")


def test_null_removes_a_shipped_provider(here, shipped):
    (here / "providers.yaml").write_text("providers:\n  poe: null\n")
    assert list(Registry.load(None).providers) == [n for n in shipped.providers if n != "poe"]


def test_replace_true_makes_the_file_the_whole_registry(here):
    (here / "providers.yaml").write_text("replace: true\n" + MINE)
    registry = Registry.load(None)
    assert list(registry.providers) == ["mine"]
    assert registry.source == "providers.yaml"
    (here / "providers.yaml").write_text("replace: yes please\n")
    with pytest.raises(RegistryError, match=r"^providers.yaml: replace: must be true or false"):
        Registry.load(None)


def test_a_local_file_without_providers_yaml_is_read(here, shipped):
    (here / "providers.local.yaml").write_text(SOURCES)
    registry = Registry.load(None)
    assert registry.source == f"{SHIPPED} + providers.local.yaml"
    assert list(registry.sources) == ["box"]
    assert list(registry.providers) == list(shipped.providers)


def test_the_local_file_goes_over_the_users_file(here):
    (here / "providers.yaml").write_text("replace: true\n" + MINE + SOURCES)
    (here / "providers.local.yaml").write_text(
        "sources:\n  box: {base_url: 'http://127.0.0.1:1'}\n"
    )
    registry = Registry.load(None)
    assert list(registry.providers) == ["mine"]
    assert registry.sources["box"].base_url == "http://127.0.0.1:1"
    assert registry.sources["box"].type == "ollama"


def test_the_local_file_beside_an_explicit_providers_file(here, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "team.yaml").write_text(SOURCES)
    (elsewhere / "providers.local.yaml").write_text("sources:\n  box: {base_url: 'http://b:1'}\n")
    (here / "providers.local.yaml").write_text("sources:\n  other: {type: openai, base_url: u}\n")
    registry = Registry.load(elsewhere / "team.yaml")
    assert list(registry.sources) == ["box"]  # the current folder's local file is not read
    assert registry.sources["box"].base_url == "http://b:1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", r"^providers.local.yaml: not a registry: .* found a list$"),
        ("just words\n", r"^providers.local.yaml: not a registry: .* found a str$"),
        ("sources: [\n", r"^providers.local.yaml:2:1: invalid YAML"),
        ("sources:\n  box: {type: ollama}\n", r"^providers.local.yaml: sources.box.base_url: "),
        ("providers:\n  openrouter: {catalogz: []}\n", r"^providers.local.yaml: providers."),
        ("defaults: {timeout: -1}\n", r"^providers.local.yaml: defaults.timeout: "),
    ],
)
def test_a_local_file_that_cannot_be_used_is_refused(here, text, message):
    (here / "providers.yaml").write_text(SHIPPED_TEXT)
    (here / "providers.local.yaml").write_text(text)
    with pytest.raises(RegistryError, match=message):
        Registry.load(None)


def test_a_local_path_that_is_no_file_is_refused_not_skipped(here):
    (here / "providers.local.yaml").mkdir()
    with pytest.raises(RegistryError, match=r"^providers.local.yaml: not a regular file"):
        Registry.load(None)
    (here / "providers.local.yaml").rmdir()
    (here / "providers.local.yaml").write_bytes(b"sources: \xff\n")
    with pytest.raises(RegistryError, match=r"^providers.local.yaml: not UTF-8"):
        Registry.load(None)


def test_errors_name_the_file_that_wrote_the_field(here):
    (here / "providers.yaml").write_text("providers:\n  openrouter:\n    prices: {scale: nope}\n")
    with pytest.raises(RegistryError, match=r"^providers.yaml: providers.openrouter.prices.scale"):
        Registry.load(None)
    (here / "providers.yaml").write_text("providers:\n  new:\n    match: [{prefix: n/}]\n")
    with pytest.raises(RegistryError, match=r"^providers.yaml: providers.new.catalogs: Field"):
        Registry.load(None)
    (here / "providers.yaml").write_text("sources:\n  a: {$extend: nope}\n")
    with pytest.raises(RegistryError, match=r"^providers.yaml: sources.a: \$extend names unknown"):
        Registry.load(None)


def test_an_unusable_local_file_is_one_line_and_exit_2(here, llmsync):
    write_config(here, "model_list: []\n")
    (here / "providers.local.yaml").write_text("- not\n- a mapping\n")
    run = llmsync("providers")
    assert run.exit_code == 2
    assert run.stderr.startswith("llmsync: error: providers.local.yaml: not a registry")
    assert run.stderr.count("\n") == 1
