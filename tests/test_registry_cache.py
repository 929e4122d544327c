"""The validated registry is kept between runs (no pydantic on a warm run), keyed by every
registry text; a change is validated again; a registry holding a credential is never kept."""

from __future__ import annotations

import pytest

from llmsync.errors import RegistryError
from llmsync.registry import Registry
from llmsync.registry_cache import Spec


def kept(tmp_path):
    return sorted(p.name for p in (tmp_path / "cache").glob("registry-*.json"))


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMSYNC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_a_warm_load_is_the_validated_registry(here):
    cold = Registry.load(None)
    assert len(kept(here)) == 1
    warm = Registry.load(None)
    assert isinstance(warm.data, Spec) and not isinstance(cold.data, Spec)
    assert list(warm.providers) == list(cold.providers) and warm.source == cold.source
    for name, provider in cold.providers.items():
        other = warm.providers[name].spec
        assert type(warm.providers[name]) is type(provider)
        assert other.prices.fields == provider.spec.prices.fields
        assert [r.prefix for r in other.match] == [r.prefix for r in provider.spec.match]
        assert other.paging.style == provider.spec.paging.style
        assert other.options == provider.spec.options
    assert warm.pricebooks.model_copy(update={"prefer": "costmap"}).prefer == "costmap"
    assert warm.defaults.max_removal_fraction == cold.defaults.max_removal_fraction


def test_an_edit_is_validated_again(here):
    (here / "providers.yaml").write_text("defaults: {timeout: 12}\n")
    assert Registry.load(None).defaults.timeout == 12
    (here / "providers.yaml").write_text("defaults: {timeout: -1}\n")
    with pytest.raises(RegistryError, match=r"defaults\.timeout"):
        Registry.load(None)
    assert len(kept(here)) == 1  # only the registry that validated


def test_a_registry_holding_a_credential_is_never_kept(here):
    (here / "providers.yaml").write_text(
        "providers:\n  openrouter:\n    catalogs:\n"
        "      - url: https://mirror-user:hunter2-secret@mirror.example/models\n"
    )
    Registry.load(None)
    assert kept(here) == []
    (here / "providers.yaml").write_text(
        "providers:\n  github:\n    headers: {Authorization: Bearer ghp_abcdefghijklmnop1234}\n"
    )
    Registry.load(None)
    assert kept(here) == []
