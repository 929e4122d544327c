"""Azure OpenAI (``azure/<deployment>``): one listing per resource and credential.

An entry names a *deployment* (a name the user chose), not a model. Per resource
(``api_base``) llmsync asks, with the entry's own credential:

- the model catalogue, ``GET {api_base}/openai/models?api-version=2024-10-21`` (URL from
  providers.yaml ``catalogs``): every base model the resource offers, with
  ``deprecation.inference`` (unix seconds, the day inference stops). Retired models stay listed,
  so the date is what tells; it becomes ``CatalogModel.deprecation``.
- the legacy deployments listing, ``GET {api_base}/openai/deployments?api-version=2022-12-01``
  (providers.yaml ``options.deployments``; UNCONFIRMED: absent from the 2023-05-15+ specs and
  may vanish; a 404 means "say nothing of deployments"): deployment -> model.

Both listings are ``partial`` for cleanup: nothing is ever removed on them. A deployment the
resource no longer lists is a note; a retiring model is reported (``--lifecycle`` writes
``model_info.deprecation_date``). Prices are not listed: they come from the price books by the
base model id (``prices: {models_dev: azure, cost_map: "azure/{id}"}``).

Which model a deployment runs, first that answers (reference §3.4):
``model_info.base_model`` (how LiteLLM prices it; ``azure/`` and a ``eu/ us/ global/
global-standard/ us-gov/`` prefix removed), ``litellm_params.base_model``, the deployments
listing, else the deployment name. That name is joined to the catalogue by ``id == name``
(any case), else ``id == name-<version>`` where the version is a date, 4 digits or a number
(``gpt-4o-2024-08-06``, ``gpt-35-turbo-0613``, ``gpt-4-0125-Preview``,
``text-embedding-ada-002-2``, ``dall-e-3-3.0``). This join is heuristic (UNCONFIRMED). A name
listed in several versions whose dates differ gets *no* date (which version a deployment runs
is not known here; a wrong date is worse than none) and a note asking for a versioned
``base_model``; if every version shares one date, that date is used.

Credentials, as LiteLLM resolves them: ``api_key`` → ``AZURE_OPENAI_API_KEY`` →
``AZURE_API_KEY`` (header ``api-key``); else ``azure_ad_token`` / ``AZURE_AD_TOKEN`` (Bearer);
else Entra client credentials (``tenant_id``/``client_id``/``client_secret`` or
``AZURE_TENANT_ID``/``AZURE_CLIENT_ID``/``AZURE_CLIENT_SECRET``) through azure-identity, imported
only when such a job is fetched. A job's scope holds the normalised ``api_base`` and the
credential's *label* (a variable name, never a value); a key written literally in the config is
carried in an object whose ``repr`` hides it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

from llmsync.catalogues.cache import MISSING
from llmsync.catalogues.cloud import EXTRA, missing_library
from llmsync.catalogues.hosted import Provider, _deprecation
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.document import env_reference
from llmsync.errors import CatalogError
from llmsync.redact import public_url

KEY_VARIABLES = ("AZURE_OPENAI_API_KEY", "AZURE_API_KEY")  # LiteLLM's order
TOKEN_VARIABLE = "AZURE_AD_TOKEN"
ENTRA_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
ENTRA_PARAMS = ("tenant_id", "client_id", "client_secret")
DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default"
# model_info.base_model spellings LiteLLM prices: azure/<m>, azure/eu/<m>, azure/global/<m>...
_REGIONS = ("global-standard/", "us-gov/", "global/", "eu/", "us/")
# What may follow "<name>-" in a listed id for it to be a version of <name>: a date, 4 digits
# (0613, 0125-Preview), a number (ada-002-2, dall-e-3-3.0). "gpt-4-32k-0613" is not gpt-4.
_VERSION = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{4}|\d+(\.\d+)?)(-preview)?", re.IGNORECASE)


@dataclass(frozen=True)
class Ref:
    """Where one setting comes from: a variable (its name is the label) or the config's own
    text (kept, never shown: ``repr`` and ``label`` name only the field)."""

    name: str  # the litellm_params field or the variable
    env: str | None = None
    literal: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return self.env or f"{self.name} in the config"

    def value(self) -> str | None:
        return os.environ.get(self.env) or None if self.env else self.literal


@dataclass(frozen=True)
class Credential:
    kind: str  # "key" | "token" | "entra" | "" (none) | "unset" (names a variable not set)
    refs: tuple[Ref, ...] = ()

    @property
    def label(self) -> str:
        return "/".join(r.label for r in self.refs)


class AzureOpenAI(Provider):
    """``azure/<deployment>`` entries, checked per resource against its own listings."""

    kind: ClassVar[str] = "azure_openai"
    environment: ClassVar[tuple[str, ...]] = (
        "AZURE_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "AZURE_API_BASE",
        "AZURE_AD_TOKEN",
    )
    fetches_itself: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # scope -> (deployment, entry label) -> the model name it is checked by: what the
        # entries of one job ask for, so the listing can say which deployments are gone.
        self._wanted: dict[tuple[Any, ...], dict[tuple[str, str], str]] = {}

    # ---- recognising entries

    def recognise(self, model: str | None, api_base: str | None) -> str | None:
        if not isinstance(model, str) or model.startswith("azure_ai/"):
            return None  # Azure AI Foundry is another provider
        return super().recognise(model, api_base)

    def job_of(self, entry: Any) -> tuple[str | None, tuple[Any, ...]]:
        params = entry.litellm_params
        scope = (_api_base(params), _credential(params))
        deployment = super().recognise(entry.model, entry.api_base)
        if deployment is not None:
            wanted = self._wanted.setdefault(scope, {})
            wanted[(deployment, entry.label())] = self.entry_id(entry, deployment)
        return None, scope

    def entry_id(self, entry: Any, model_id: str) -> str:
        """The explicit base model if the entry names one, else the deployment name (which the
        catalogue answers to when the deployments listing maps it)."""
        return base_model_of(entry) or model_id

    # ---- fetching

    def skip_reason(self, job: Any) -> str | None:
        if len(job.scope) != 2:  # add-model, find, validate --online: no entry, no resource
            return "listed per resource (an entry's api_base): only cleanup checks it"
        base, credential = _scope(job)
        if isinstance(base, Ref):  # api_base: os.environ/X with X unset, or nothing at all
            return f"{base.env} is not set"
        if credential.kind == "unset":
            return f"{credential.refs[0].env} is not set"
        if credential.kind == "":
            return (
                f"no Azure key for {public_url(base)}: set AZURE_API_KEY or "
                "AZURE_OPENAI_API_KEY, or azure_ad_token (AZURE_AD_TOKEN)"
            )
        if credential.kind == "token" and (credential.refs[0].value() or "").startswith("oidc/"):
            # LiteLLM exchanges a federated oidc/ token itself; llmsync does not (yet).
            return f"{credential.label} is a federated oidc/ token, which llmsync cannot use"
        if credential.kind == "entra":
            missing = missing_library("azure.identity", "azure-identity")
            if missing is None and importlib.util.find_spec("azure.identity") is None:
                missing = f"azure-identity is not installed: pip install '{EXTRA}'"
            return missing
        return None

    async def fetch_catalog(
        self, client: Any, job: Any, defaults: Any, cache: Any, clock: Any
    ) -> Catalog:
        base, credential = _scope(job)
        shown = public_url(base)
        headers, cache_headers = await self._headers(credential)
        hint = f" (is {credential.label} a valid credential for {shown}?)"
        models_url = _fill(self.spec.catalogs[0].url, base)
        deployments_url = self.spec.options.get("deployments")
        asked = None  # the deployments listing, asked at the same time as the models
        if isinstance(deployments_url, str) and deployments_url:
            url = _fill(deployments_url, base)
            asked = asyncio.ensure_future(
                _get(client, url, headers, cache_headers, defaults, cache, hint, optional=True)
            )
        try:
            body = await _get(client, models_url, headers, cache_headers, defaults, cache, hint)
        except BaseException:
            if asked is not None:
                asked.cancel()
            raise
        models = self._models(body, models_url)
        deployments = _deployments(await asked) if asked is not None else None
        models, notes = self._join(models, deployments, self._wanted.get(job.scope, {}), shown)
        return Catalog(self.name, models, partial=True, notes=tuple(notes), scope=shown)

    async def _headers(self, credential: Credential) -> tuple[dict[str, str], dict[str, str]]:
        """(request headers, headers the cache is keyed by: never a token that changes)."""
        accept = {"Accept": "application/json"}
        value = credential.refs[0].value() or ""
        if credential.kind == "key":
            return {**accept, "api-key": value}, {**accept, "api-key": value}
        if credential.kind == "token":
            return {**accept, "Authorization": f"Bearer {value}"}, {**accept, "t": value}
        token = await asyncio.to_thread(_entra_token, credential, self.spec.options)
        # Keyed by who asks (tenant and client ids are not secrets), not by the day's token.
        who = "/".join(r.value() or "" for r in credential.refs[:2])
        return {**accept, "Authorization": f"Bearer {token}"}, {**accept, "entra": who}

    def _models(self, body: Any, url: str) -> dict[str, CatalogModel]:
        shown = public_url(url)
        items = body.get("data") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise CatalogError(f"{shown}: unexpected shape: no 'data' list")
        if not items:
            raise CatalogError(f"{shown}: empty model list")
        models: dict[str, CatalogModel] = {}
        for item in items:
            model_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(model_id, str) or not model_id:
                raise CatalogError(f"{shown}: unexpected shape: a model without a string 'id'")
            retires = item.get("deprecation")
            retires = retires.get("inference") if isinstance(retires, dict) else None
            capabilities = item.get("capabilities")
            embedding = isinstance(capabilities, dict) and capabilities.get("embeddings") is True
            models.setdefault(
                model_id,
                CatalogModel(
                    id=model_id,
                    mode="embedding" if embedding else "chat",
                    deprecation=_deprecation(retires, "unix"),
                ),
            )
        return models

    def _join(
        self,
        models: dict[str, CatalogModel],
        deployments: dict[str, str] | None,
        wanted: dict[tuple[str, str], str],
        shown: str,
    ) -> tuple[dict[str, CatalogModel], list[str]]:
        """The catalogue with every name an entry may be checked by: the deployments the
        listing maps (aliases), and base names without a version (one version: an alias; more:
        a model of its own, dated only when every version agrees)."""
        models = dict(models)
        aliases: dict[str, list[str]] = {}
        notes: list[str] = []
        ambiguous: dict[str, list[CatalogModel]] = {}

        def resolve(name: str) -> str | None:
            exact = _find(models, name)
            if exact is not None:
                return exact
            versions = [m for i, m in models.items() if _is_version_of(i, name)]
            if len(versions) == 1:
                aliases.setdefault(versions[0].id, []).append(name)
                return versions[0].id
            if not versions:
                return None
            dates = {m.deprecation for m in versions}
            one = next(iter(dates)) if len(dates) == 1 else None
            models[name] = CatalogModel(id=name, mode=versions[0].mode, deprecation=one)
            if len(dates) > 1:
                ambiguous[name] = versions
            return name

        mapped = dict(deployments or {})
        # A deployment the listing maps is checked by its model (the listing comes before the
        # deployment's own name); any other entry by its base model or deployment name.
        names = {n for (d, _), n in wanted.items() if not (n == d and d in mapped)}
        names |= set(mapped.values())
        for name in sorted(names):
            resolve(name)
        for deployment, model in sorted(mapped.items()):
            target = resolve(model)
            if target is not None and deployment != target and _find(models, deployment) is None:
                aliases.setdefault(target, []).append(deployment)
        for model_id, more in aliases.items():
            model = models[model_id]
            models[model_id] = replace(model, aliases=(*model.aliases, *more))
        for (deployment, label), name in sorted(wanted.items()):
            if deployments is not None and deployment not in deployments:
                notes.append(
                    f"{self.name}: {label}: deployment {deployment} is not among the "
                    f"deployments of {shown}; kept (report only)"
                )
            checked_by = mapped.get(deployment, name) if name == deployment else name
            versions = ambiguous.get(checked_by) or ambiguous.get(name)
            if versions:
                dates = ", ".join(f"{m.id} {m.deprecation or 'no date'}" for m in versions)
                notes.append(
                    f"{self.name}: {label}: {checked_by} is listed in {len(versions)} versions "
                    f"that retire on different dates ({dates}); no date reported: set "
                    "model_info.base_model to the versioned id"
                )
        return models, notes


# --------------------------------------------------------------------------- helpers


def base_model_of(entry: Any) -> str | None:
    """``model_info.base_model``, else ``litellm_params.base_model``, as a catalogue id."""
    info = entry.data.get("model_info") if isinstance(entry.data, dict) else None
    for section in (info if isinstance(info, dict) else {}, entry.litellm_params):
        value = section.get("base_model")
        if isinstance(value, str) and value.strip():
            name = value.strip().removeprefix("azure/")
            for region in _REGIONS:
                if name.startswith(region):
                    name = name[len(region) :]
                    break
            if name:
                return name
    return None


def _setting(params: dict, field_name: str, env: str | None = None) -> Ref | None:
    """A litellm_params field (``os.environ/X`` resolved like LiteLLM), else variable ``env``."""
    value = params.get(field_name)
    var = env_reference(value)
    if var:
        return Ref(field_name, env=var)
    if isinstance(value, str) and value.strip():
        return Ref(field_name, literal=value.strip())
    if env and os.environ.get(env):
        return Ref(field_name, env=env)
    return None


def _api_base(params: dict) -> str | Ref:
    """The resource, normalised (lower-case scheme and host, no trailing ``/``); a Ref naming
    the variable to set when there is none."""
    ref = _setting(params, "api_base", "AZURE_API_BASE")
    value = ref.value() if ref else None
    if not value:
        return Ref("api_base", env=ref.env if ref and ref.env else "AZURE_API_BASE")
    parts = urlsplit(value.strip())
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def _credential(params: dict) -> Credential:
    key = _setting(params, "api_key")
    if key is None:
        key = next((Ref("api_key", env=v) for v in KEY_VARIABLES if os.environ.get(v)), None)
    if key is not None:
        return Credential("key" if key.value() else "unset", (key,))
    token = _setting(params, "azure_ad_token", TOKEN_VARIABLE)
    if token is not None:
        return Credential("token" if token.value() else "unset", (token,))
    entra = tuple(
        _setting(params, p, v) for p, v in zip(ENTRA_PARAMS, ENTRA_VARIABLES, strict=True)
    )
    if all(entra):
        unset = next((r for r in entra if r and not r.value()), None)
        return Credential("unset", (unset,)) if unset else Credential("entra", entra)  # type: ignore[arg-type]
    return Credential("")


def _scope(job: Any) -> tuple[Any, Credential]:
    base, credential = job.scope
    return base, credential


def _fill(template: str, base: str) -> str:
    return template.replace("{api_base}", base)


def _find(models: dict[str, CatalogModel], name: str) -> str | None:
    if name in models:
        return name
    folded = name.lower()
    return next((i for i in models if i.lower() == folded), None)


def _is_version_of(model_id: str, name: str) -> bool:
    head = name + "-"
    return model_id.lower().startswith(head.lower()) and bool(
        _VERSION.fullmatch(model_id[len(head) :])
    )


def _deployments(body: Any) -> dict[str, str] | None:
    """deployment -> model from the legacy listing; None when it did not answer usably."""
    items = body.get("data") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return None
    out = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            model = item.get("model")
            out[item["id"]] = model if isinstance(model, str) and model else item["id"]
    return out


async def _get(
    client: Any,
    url: str,
    headers: dict[str, str],
    cache_headers: dict[str, str],
    defaults: Any,
    cache: Any,
    hint: str,
    optional: bool = False,
) -> Any:
    """One listing, from the cache when fresh. ``optional`` (the deployments listing): a 404,
    or no cached copy offline, is None ("nothing known"), not a failure."""
    from llmsync.catalogues.fetch import get_json

    cached = cache.read(url, cache_headers)
    if cached is not MISSING:
        return cached.get("body") if optional and isinstance(cached, dict) else cached
    if cache.offline:
        if optional:
            return None
        raise CatalogError(f"{public_url(url)}: --offline and no cached copy in {cache.folder}")
    body = await get_json(
        client, url, headers, defaults, hint=hint, empty_on=404 if optional else None
    )
    if optional:  # wrapped, so that a 404 (None) is remembered as such
        cache.write(url, cache_headers, {"body": body})
    elif isinstance(body, dict) and isinstance(body.get("data"), list) and body["data"]:
        cache.write(url, cache_headers, body)  # only a listing worth reading again
    return body


def _entra_token(credential: Credential, options: dict) -> str:
    """A token for the data plane from client credentials (azure-identity, imported here)."""
    from azure.identity import ClientSecretCredential

    tenant, client_id, secret = (r.value() or "" for r in credential.refs)
    scope = os.environ.get("AZURE_SCOPE") or options.get("scope") or DEFAULT_SCOPE
    try:
        return ClientSecretCredential(tenant, client_id, secret).get_token(scope).token
    except Exception as exc:  # its messages may quote the request; the type says enough
        raise CatalogError(
            f"Entra token for {credential.label} (scope {scope}): {type(exc).__name__}"
        ) from None
