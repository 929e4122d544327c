"""Azure AI Foundry (``azure_ai/<model>``): the price books, plus each serverless endpoint's
own word on the model it serves.

Facts: /work/shared/reference/cloud-providers.md §4 (LiteLLM 1.106.2).

What the books give (as kind ``price_books``: models.dev ``azure`` and LiteLLM's cost map) is
kept as it was: prices, limits and retirement dates, by the id after ``azure_ai/``. On top of
it, an entry whose ``api_base`` is a single-model endpoint (legacy serverless
``*.models.ai.azure.com``, managed compute ``*.inference.ml.azure.com``, anything that is not
a resource host) is asked what it serves: ``GET {api_base}/info?api-version=2024-04-01-preview``
(providers.yaml ``options.info``), once per endpoint and key, which answers
``{"model_name": "phi3-mini", "model_type": "chat-completions", "model_provider_name": ...}``.

**Report only: nothing is ever removed on it** (the catalogue stays ``partial``).

- ``model_name`` is the entry's id (any case; ``-``, ``_`` and ``.`` ignored): checked, no note.
- Another model: a note naming both. A 404: a note (the deployment may be deleted).
- 401/403: the job fails (nothing of its entries changes); the line names the key's variable.
- No key: the job is skipped, and its line says what to set.
- Any other failure (5xx, no answer, a body of another shape, --offline without a cached
  answer): a note; the books still apply.
- Resource hosts (providers.yaml ``options.resource_hosts``: ``*.services.ai.azure.com``,
  ``*.openai.azure.com``, ``*.cognitiveservices.azure.com``) serve many deployments and have no
  ``/info``; listing a Foundry project's deployments needs its Entra login and project name,
  which an entry does not carry. Their entries get the books alone and one note per provider.
  Hosts of ``options.shared_hosts`` (GitHub Models, where ``/info`` does not work either) get
  the books alone, silently, as before.

Credentials, as LiteLLM reads them: ``api_key`` (``os.environ/X`` read from the environment)
else ``AZURE_AI_API_KEY``; the header is ``api-key`` on ``*.services.ai.azure.com`` and
``*.openai.azure.com`` hosts, ``Authorization: Bearer`` elsewhere. ``api_base`` else
``AZURE_AI_API_BASE``. An entry whose api_base is not known here (none, or ``os.environ/X``
with X unset) is checked against the books alone, as before. A job's scope holds the
normalised endpoint and a :class:`~llmsync.catalogues.cloud.azure.Ref` to the key (its
variable's name, or a literal ``repr`` never shows); no key is printed, cached in the clear
(the cache is keyed by a digest) or stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from llmsync.catalogues.cache import MISSING
from llmsync.catalogues.cloud.azure import Ref, _setting
from llmsync.catalogues.cloud.books import PriceBooksPlatform
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.errors import CatalogError
from llmsync.redact import public_url

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import PriceBooks

KEY_VARIABLE = "AZURE_AI_API_KEY"
BASE_VARIABLE = "AZURE_AI_API_BASE"
# LiteLLM's api-key hosts (litellm/llms/azure_ai/common_utils.py): Bearer everywhere else.
API_KEY_HOSTS = (".services.ai.azure.com", ".openai.azure.com")
RESOURCE_HOSTS = (".services.ai.azure.com", ".openai.azure.com", ".cognitiveservices.azure.com")
SHARED_HOSTS = ("models.inference.ai.azure.com", "models.github.ai")
ENDPOINT = "endpoint"  # scope (ENDPOINT, api_base, key): one /info request
RESOURCE = "resource"  # scope (RESOURCE,): entries on resource hosts, the books and a note
_SEPARATORS = re.compile(r"[-_.]")
_REFUSED = re.compile(r": HTTP 40[13]\b")


@dataclass(frozen=True)
class EndpointCheck(Catalog):
    """What one job's ``/info`` request found, merged into the books by ``books_catalog``.
    ``served``: entry ids the endpoint confirmed (kept even where the books lack them)."""

    served: frozenset[str] = frozenset()


class AzureAIFoundry(PriceBooksPlatform):
    """``azure_ai/...``: the books, and per serverless endpoint its ``/info``."""

    kind: ClassVar[str] = "azure_ai"
    environment: ClassVar[tuple[str, ...]] = ("AZURE_AI_API_KEY", "AZURE_AI_API_BASE")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wanted: dict[tuple[Any, ...], dict[str, list[str]]] = {}  # scope -> id -> labels

    # ---- recognising entries

    def job_of(self, entry: Any) -> tuple[str | None, tuple[Any, ...]]:
        env, books = super().job_of(entry)  # what it was before: the books alone
        params = entry.litellm_params
        base = _endpoint(params)
        if base is None:  # no api_base known here: the books alone, as before
            return env, books
        host = urlsplit(base).hostname or ""
        options = self.spec.options
        if _host_in(host, options.get("resource_hosts", RESOURCE_HOSTS)):
            return env, (RESOURCE,)
        template = options.get("info")
        if not isinstance(template, str) or not template:
            return env, books  # a registry without options.info: the books alone
        if _host_in(host, options.get("shared_hosts", SHARED_HOSTS)):
            return env, books
        scope = (ENDPOINT, base, _key(params))
        model_id = self.recognise(entry.model, entry.api_base)
        if model_id is not None:
            labels = self._wanted.setdefault(scope, {}).setdefault(model_id, [])
            if entry.label() not in labels:
                labels.append(entry.label())
        return None, scope

    # ---- fetching

    def skip_reason(self, job: Any) -> str | None:
        return None  # the books are public; an endpoint without its key gets a note instead

    async def fetch_catalog(
        self, client: Any, job: Any, defaults: Any, cache: Any, clock: Any
    ) -> Catalog:
        if job.scope == (RESOURCE,):
            hosts = self.spec.options.get("resource_hosts", RESOURCE_HOSTS)
            note = (
                f"{self.name}: entries on Azure AI Foundry resources "
                f"({', '.join('*' + str(h) if str(h).startswith('.') else str(h) for h in hosts)}) "
                "are checked against the price books alone: checking each deployment needs the "
                "Foundry project's Entra login; nothing removed"
            )
            return EndpointCheck(self.name, {}, partial=True, notes=(note,))
        if not job.scope or job.scope[0] != ENDPOINT:  # the books alone (add-model, find, ...)
            return await super().fetch_catalog(client, job, defaults, cache, clock)
        _, base, key = job.scope
        wanted = self._wanted.get(job.scope, {})
        if not wanted:
            return EndpointCheck(self.name, {}, partial=True)
        if not key.value():  # like Vertex without a login: the books still price the entries
            count = len(wanted)
            note = (
                f"{self.name}: {public_url(base)}: its /info was not checked "
                f"({key.env or KEY_VARIABLE} is not set: set it to check {count} "
                f"entr{'y' if count == 1 else 'ies'}); checked against the price books only"
            )
            return EndpointCheck(self.name, {}, partial=True, notes=(note,))
        url = str(self.spec.options["info"]).replace("{api_base}", base)
        served_name, problem = await self._info(
            client, url, _headers(base, key), defaults, cache, key, public_url(base)
        )
        served, notes = set(), []
        for model_id, labels in sorted(wanted.items()):
            who = ", ".join(labels)
            if problem is not None:
                notes.append(f"{self.name}: {who}: {problem}; kept (report only)")
            elif _folded(served_name or "") == _folded(model_id):
                served.add(model_id)
            else:
                notes.append(
                    f"{self.name}: {who}: {public_url(base)} serves {served_name}, not "
                    f"{model_id}; kept (report only): is the entry's model right?"
                )
        return EndpointCheck(
            self.name, {}, partial=True, notes=tuple(notes), served=frozenset(served)
        )

    async def _info(
        self,
        client: Any,
        url: str,
        headers: dict[str, str],
        defaults: Any,
        cache: Any,
        key: Ref,
        shown: str,
    ) -> tuple[str | None, str | None]:
        """(the ``model_name`` the endpoint serves, None), or (None, what happened instead,
        for a note). A 401/403 raises: the key is refused, the job fails."""
        from llmsync.catalogues.fetch import get_json

        info = public_url(url)
        cached = cache.read(url, headers)  # keyed by a digest of the headers, never the key
        if cached is not MISSING:
            return _model_name(cached, info)
        if cache.offline:
            return None, f"{info} was not asked (--offline, no cached answer)"
        hint = f" (is {key.label} a valid key for {shown}?)"
        try:
            body = await get_json(client, url, headers, defaults, hint=hint, empty_on=404)
        except CatalogError as exc:
            if _REFUSED.search(str(exc)):
                raise
            return None, f"the endpoint check failed ({exc}); the price books alone apply"
        if body is None:
            return None, f"{shown}: endpoint answers 404: the deployment may be deleted"
        name, problem = _model_name(body, info)
        if name is not None:
            cache.write(url, headers, body)  # only an answer worth reading again
        return name, problem

    # ---- merging with the books

    def books_catalog(
        self, loaded: dict[str, Any], books: PriceBooks | None = None, fetched: Any = None
    ) -> Catalog:
        """The books' catalogue, with what the endpoint check said (its notes, and the ids an
        endpoint confirmed, which the books may lack). Always partial: nothing is removed."""
        book = super().books_catalog(loaded, books)
        if not isinstance(fetched, EndpointCheck):
            return book
        models = dict(book.models)
        for model_id in fetched.served:
            if book.get(model_id) is None:
                models[model_id] = CatalogModel(id=model_id)
        return replace(book, models=models, notes=(*book.notes, *fetched.notes))


# --------------------------------------------------------------------------- helpers


def _model_name(body: Any, shown: str) -> tuple[str | None, str | None]:
    name = body.get("model_name") if isinstance(body, dict) else None
    if isinstance(name, str) and name.strip():
        return name.strip(), None
    return None, f"{shown}: unexpected shape: no string 'model_name'"


def _folded(name: str) -> str:
    """A model name compared any case, ``-``, ``_`` and ``.`` ignored."""
    return _SEPARATORS.sub("", name).lower()


def _endpoint(params: dict) -> str | None:
    """The entry's api_base (else ``AZURE_AI_API_BASE``) normalised: lower-case scheme and
    host, no trailing ``/`` nor ``/v1`` (LiteLLM's OpenAI-style route on serverless
    endpoints; ``/info`` sits at the endpoint's root). None when it is not known here."""
    ref = _setting(params, "api_base", BASE_VARIABLE)
    value = (ref.value() if ref else None) or ""
    parts = urlsplit(value.strip())
    if not parts.scheme or not parts.netloc:
        return None
    path = parts.path.rstrip("/")
    path = path.removesuffix("/v1") if path.lower().endswith("/v1") else path
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def _key(params: dict) -> Ref:
    """The entry's ``api_key`` (``os.environ/X``: X), else ``AZURE_AI_API_KEY``."""
    return _setting(params, "api_key") or Ref("api_key", env=KEY_VARIABLE)


def _headers(base: str, key: Ref) -> dict[str, str]:
    value = key.value() or ""
    host = urlsplit(base).hostname or ""
    if host.endswith(API_KEY_HOSTS):
        return {"Accept": "application/json", "api-key": value}
    return {"Accept": "application/json", "Authorization": f"Bearer {value}"}


def _host_in(host: str, patterns: Any) -> bool:
    """``.suffix`` patterns match any host under it; others the host itself."""
    for pattern in patterns if isinstance(patterns, (list, tuple)) else ():
        pattern = str(pattern).lower()
        if host == pattern or (pattern.startswith(".") and host.endswith(pattern)):
            return True
    return False
