"""Google Vertex AI (``vertex_ai/...``): the price books, plus the publishers' live model lists.

Facts: /work/shared/reference/cloud-providers.md §2 (LiteLLM 1.106.2, google-auth 2.63).

What the books give (kind ``price_books``: models.dev ``google-vertex`` and LiteLLM's cost map)
is kept as it was: prices, limits and retirement dates, by the id after ``vertex_ai/``. On top
of it, per credential source and project (the job scope: ``(label, project)``, never a
secret), cleanup asks Google whether each entry's model is still served:

- Entries map to a publisher and a model (§2.1, §2.4): ``claude*`` -> ``anthropic``;
  ``mistral*`` / ``codestral*`` -> ``mistralai``; ``jamba*`` -> ``ai21``; ``llama*`` -> ``meta``;
  ``<publisher>/<model>`` (``openai/gpt-oss-120b-maas``, ``meta/...-maas``, ``qwen/...``,
  ``deepseek-ai/...``) -> that publisher; anything else -> ``google`` (Gemini, embeddings,
  Imagen). ``@<version>`` (``claude-sonnet-4-5@20250929``, ``@default``) is split off: the
  listing is matched by the model without it (whether the listing's ``versionId`` is that
  date is UNCONFIRMED). A numeric id (``vertex_ai/<endpoint id>``,
  ``vertex_ai/openai/<endpoint id>``, ``vertex_ai/gemini/<endpoint id>``) is a deployed
  endpoint: not checked, kept, one note.
- Each publisher in use is listed once: ``GET .../v1beta1/publishers/{publisher}/models``
  (providers.yaml ``catalogs``, ``{publisher}`` filled in; global, no project or location),
  every page (``pageSize`` / ``pageToken`` -> ``nextPageToken``) or the job fails. Headers:
  ``Authorization: Bearer <ADC token>`` and ``x-goog-user-project: <project>`` (third-party
  practice, UNCONFIRMED whether required; "no IAM permission needed" is UNCONFIRMED too).
- **A list is never enough to remove.** Previews can be missing from the list yet work
  (§2.3). A model the list lacks is asked for by name, ``GET .../publishers/{publisher}/models/
  {model}[@version]`` (providers.yaml ``options.model_url``; UNCONFIRMED whether v1beta1 or v1
  answers for partner versions). 200 -> kept. 404 -> also the model without its ``@version``
  is asked (UNCONFIRMED that the ``@`` form is accepted); both 404 -> the entry may be removed
  (the mass-removal guard applies; a note names the 404). Anything else (403: no access to
  that model, 5xx, --offline) -> kept, with a note.
- A 401/403 on a listing, or a token Google refuses, fails the provider: nothing of it changes.

Credentials, as LiteLLM reads them: ``vertex_credentials`` -> ``vertex_ai_credentials`` ->
``VERTEXAI_CREDENTIALS`` (``os.environ/X`` read), each a file path or a JSON string
(service_account, authorized_user, external_account); else ``google.auth.default`` with the
cloud-platform scope (``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's ``application-default
login`` file, or the metadata server when llmsync runs on Google Cloud). Project:
``vertex_project`` -> ``vertex_ai_project`` -> ``VERTEXAI_PROJECT`` -> the credential's
``project_id`` (``quota_project_id`` for a user login) -> the ADC project
(``GOOGLE_CLOUD_PROJECT``, gcloud's config). Location: ``vertex_location`` ->
``vertex_ai_location`` -> ``VERTEXAI_LOCATION`` -> ``VERTEX_LOCATION`` -> ``us-central1``;
the listings are global, so it is only named in messages.

Without google-auth, without credentials or without a project, the entries are checked
against the books exactly as before and one line says the live listing was not checked and
what to install or set; nothing is removed. google-auth is imported only while fetching. Its
HTTP calls (the token exchange, on Google Cloud the metadata server) go through a small
google-auth transport over httpx (no redirects, a size cap), so ``requests`` is not needed
and tests can answer them. No token, key or credential file content is ever printed, cached
or stored: listings are cached under a one-way digest of (label, project).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

from llmsync.catalogues.cache import MISSING
from llmsync.catalogues.cloud import EXTRA, missing_library
from llmsync.catalogues.cloud.books import PriceBooksPlatform
from llmsync.catalogues.cloud.google_auth import (
    Source,
    resolve_location,
    resolve_project,
    resolve_source,
)
from llmsync.catalogues.cloud.google_auth import (
    token as google_token,
)
from llmsync.catalogues.hosted import with_query
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.errors import CatalogError
from llmsync.redact import public_url

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import PriceBooks

_PUBLISHERS = (
    ("claude", "anthropic"),
    ("codestral", "mistralai"),
    ("mistral", "mistralai"),
    ("jamba", "ai21"),
    ("llama", "meta"),
)
_ENDPOINT = re.compile(r"^\d+$")
_HOW = (
    "pip install '{extra}', then GOOGLE_APPLICATION_CREDENTIALS (a service-account file) or "
    "`gcloud auth application-default login`, and VERTEXAI_PROJECT"
)


# --------------------------------------------------------------------------- entry names


@dataclass(frozen=True)
class Target:
    """Which publisher model an entry names; ``publisher`` None: a deployed endpoint."""

    publisher: str | None
    model: str
    version: str | None = None

    @property
    def name(self) -> str:
        return f"{self.model}@{self.version}" if self.version else self.model


def parse_model(model_id: str) -> Target:
    """``model_id`` is the entry's model after ``vertex_ai/``."""
    base, _, version = model_id.partition("@")
    publisher: str | None = None
    if "/" in base:
        head, _, rest = base.partition("/")
        publisher, base = head.lower(), rest
        if publisher == "gemini":  # vertex_ai/gemini/<endpoint id>: LiteLLM's route marker
            publisher = "google"
    if _ENDPOINT.match(base.rsplit("/", 1)[-1] or ""):
        return Target(None, model_id)
    if publisher is None:
        lowered = base.lower()
        publisher = next((p for head, p in _PUBLISHERS if lowered.startswith(head)), "google")
    return Target(publisher, base, version or None)


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class VertexListing(Catalog):
    """What the live check found for one job, merged into the books by ``books_catalog``.
    ``checked`` False: nothing was asked (the notes say why); the books alone decide."""

    checked: bool = False
    present: frozenset[str] = frozenset()  # entry ids served (or kept: unchecked, unknown)
    gone: frozenset[str] = frozenset()  # entry ids Google answered 404 for


@dataclass
class _Wanted:
    target: Target
    labels: list[str]
    location: str


class VertexAI(PriceBooksPlatform):
    """``vertex_ai/...``: the books, and per (credential source, project) the live lists."""

    kind: ClassVar[str] = "vertex_ai"
    environment: ClassVar[tuple[str, ...]] = (
        "VERTEXAI_CREDENTIALS",
        "VERTEXAI_PROJECT",
        "VERTEXAI_LOCATION",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sources: dict[str, Source] = {}  # label -> where its credentials are
        self._wanted: dict[tuple[Any, ...], dict[str, _Wanted]] = {}  # scope -> entry id -> ...
        self._tokens: dict[str, tuple[str, str | None]] = {}  # label -> (token, ADC project)
        self._lock = asyncio.Lock()

    # ---- recognising entries

    def job_of(self, entry: Any) -> tuple[str | None, tuple[Any, ...]]:
        params = dict(entry.litellm_params)
        source = resolve_source(params)
        self._sources.setdefault(source.label, source)
        scope = (source.label, resolve_project(params, source) or "")
        model_id = self.recognise(entry.model, entry.api_base)
        if model_id is not None:
            wanted = self._wanted.setdefault(scope, {})
            found = wanted.setdefault(
                model_id, _Wanted(parse_model(model_id), [], resolve_location(params))
            )
            if entry.label() not in found.labels:
                found.labels.append(entry.label())
        return None, scope

    # ---- fetching

    def skip_reason(self, job: Any) -> str | None:
        return None  # without the live check the books still apply: see fetch_catalog

    def _not_checked(self, why: str) -> VertexListing:
        line = (
            f"{self.name}: the live model listing was not checked ({why}); checked against "
            f"the price books only, nothing removed. To check it: {_HOW.format(extra=EXTRA)}"
        )
        return VertexListing(self.name, {}, partial=True, notes=(line,))

    async def fetch_catalog(
        self, client: Any, job: Any, defaults: Any, cache: Any, clock: Any
    ) -> Catalog:
        if len(job.scope) != 2:  # add-model, find, validate --online: no entry, the books
            return VertexListing(self.name, {}, partial=True)
        label, project = job.scope
        wanted = self._wanted.get(job.scope, {})
        if not wanted:
            return VertexListing(self.name, {}, partial=True)
        missing = missing_library("google.auth", "google-auth")
        if missing:
            return self._not_checked(missing)
        source = self._sources.get(label) or Source(label, "unset")
        if source.kind == "unset":
            return self._not_checked(f"{label} is not set")
        async with self._lock:  # one token per credential source a run
            if label not in self._tokens:
                loaded = await asyncio.to_thread(google_token, source, defaults.timeout)
                if loaded is None:
                    return self._not_checked("no Google credentials found")
                self._tokens[label] = loaded
        token, adc_project = self._tokens[label]
        project = project or adc_project
        if not project:
            return self._not_checked(
                f"no Google Cloud project (set VERTEXAI_PROJECT or vertex_project) for the "
                f"{label} credentials"
            )
        headers = {
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
            "x-goog-user-project": project,
        }
        keyed = {
            "Accept": "application/json",
            "X-Llmsync-Credentials": hashlib.sha256(
                f"vertex\0{label}\0{project}".encode()
            ).hexdigest(),
        }
        hint = f" (Google refused the {label} credentials for project {project})"
        publishers = sorted({w.target.publisher for w in wanted.values() if w.target.publisher})
        listed: dict[str, set[str]] = {}
        for publisher, names in zip(
            publishers,
            await asyncio.gather(
                *(
                    self._listing(client, p, headers, keyed, defaults, cache, hint)
                    for p in publishers
                )
            ),
            strict=True,
        ):
            listed[publisher] = names
        return await self._decide(client, wanted, listed, headers, defaults, cache, project)

    async def _listing(
        self,
        client: Any,
        publisher: str,
        headers: dict[str, str],
        keyed: dict[str, str],
        defaults: Any,
        cache: Any,
        hint: str,
    ) -> set[str]:
        """The model ids one publisher lists, every page (from the cache when fresh)."""
        from llmsync.catalogues.fetch import get_json

        first = self.spec.catalogs[0].url.replace("{publisher}", quote(publisher, safe=""))
        paging = self.spec.paging
        if paging.size_param:
            first = with_query(first, {paging.size_param: str(paging.size)})
        shown = public_url(first)
        pages = cache.read(first, keyed)
        if pages is MISSING or not isinstance(pages, list):
            if cache.offline:
                raise CatalogError(f"{shown}: --offline and no cached copy in {cache.folder}")
            pages, url, seen = [], first, set()
            while url is not None:
                if len(pages) == paging.max_pages:
                    raise CatalogError(f"{shown}: more than {len(pages)} pages")
                body = await get_json(client, url, headers, defaults, hint=hint)
                pages.append(body)
                token = body.get("nextPageToken") if isinstance(body, dict) else None
                if not token:
                    break
                if not isinstance(token, str) or token in seen:
                    raise CatalogError(f"{shown}: a bad or repeated nextPageToken")
                seen.add(token)
                url = with_query(first, {"pageToken": token})
            names = _names(pages, publisher, shown)
            cache.write(first, keyed, pages)  # only a listing that read whole and parsed
            return names
        return _names(pages, publisher, shown)

    async def _decide(
        self,
        client: Any,
        wanted: dict[str, _Wanted],
        listed: dict[str, set[str]],
        headers: dict[str, str],
        defaults: Any,
        cache: Any,
        project: str,
    ) -> VertexListing:
        present, gone, notes = set(), set(), []
        unchecked: list[str] = []
        asks: dict[str, Any] = {}
        for model_id, want in sorted(wanted.items()):
            target = want.target
            if target.publisher is None:
                present.add(model_id)
                unchecked.append(model_id)
            elif target.model in listed.get(target.publisher, set()):
                present.add(model_id)
            else:
                asks[model_id] = self._ask(client, target, headers, defaults, cache)
        answers = await asyncio.gather(*asks.values())
        for model_id, (status, url) in zip(asks, answers, strict=True):
            want = wanted[model_id]
            who = ", ".join(want.labels)
            listing = f"the {want.target.publisher} publisher listing"
            if status == 404:
                gone.add(model_id)
                notes.append(
                    f"{self.name}: {who}: {model_id} is not in {listing} and "
                    f"{public_url(url)} answered 404 (project {project}, location "
                    f"{want.location}); removal allowed"
                )
                continue
            present.add(model_id)
            if status != 200:
                notes.append(
                    f"{self.name}: {who}: {model_id} is not in {listing} and asking for it "
                    f"by name gave {status}; kept"
                )
        if unchecked:
            notes.append(
                f"{self.name}: {', '.join(unchecked)}: deployed endpoint ids are not in the "
                "publisher listings; not checked, kept"
            )
        scope = f"project {project}: not listed, and asking for it by name answered 404"
        return VertexListing(
            self.name,
            {},
            partial=False,
            notes=tuple(notes),
            scope=scope,
            checked=True,
            present=frozenset(present),
            gone=frozenset(gone),
        )

    async def _ask(
        self, client: Any, target: Target, headers: dict[str, str], defaults: Any, cache: Any
    ) -> tuple[Any, str]:
        """(200 | 404 | what else happened, the URL that answered) for one model by name; with
        a version, a 404 is re-asked without it (UNCONFIRMED which form Google accepts)."""
        from llmsync.catalogues.fetch import get_json

        names = [target.name] if not target.version else [target.name, target.model]
        url = ""
        if cache.offline:
            return "no answer (--offline)", self._model_url(target.publisher or "", names[0])
        for name in names:
            url = self._model_url(target.publisher or "", name)
            try:
                body = await get_json(client, url, headers, defaults, empty_on=404)
            except CatalogError as exc:
                return _status_of(str(exc)), url
            if body is not None:
                return 200, url
        return 404, url

    def _model_url(self, publisher: str, model: str) -> str:
        template = self.spec.options.get("model_url")
        if not isinstance(template, str) or not template:
            listing = urlsplit(self.spec.catalogs[0].url)
            template = listing._replace(query="", path=listing.path.rstrip("/") + "/{model}")
            template = template.geturl()
        return template.replace("{publisher}", quote(publisher, safe="")).replace(
            "{model}", quote(model, safe="@")
        )

    # ---- merging with the books

    def books_catalog(
        self, loaded: dict[str, Any], books: PriceBooks | None = None, fetched: Any = None
    ) -> Catalog:
        """The books' catalogue; with a live check, also the models Google still serves, less
        those it answered 404 for. Every entry of the job is decided, so the result is whole."""
        book = super().books_catalog(loaded, books)
        if not isinstance(fetched, VertexListing) or not fetched.checked:
            notes = fetched.notes if isinstance(fetched, VertexListing) else ()
            return replace(book, notes=(*book.notes, *notes))
        models = {i: m for i, m in book.models.items() if i not in fetched.gone}
        for model_id in fetched.present:
            models.setdefault(model_id, CatalogModel(id=model_id))
        return Catalog(
            self.name,
            models,
            partial=False,
            notes=(*book.notes, *fetched.notes),
            scope=fetched.scope,
        )


# --------------------------------------------------------------------------- helpers


def _names(pages: list[Any], publisher: str, shown: str) -> set[str]:
    """Model ids of ``publishers/<publisher>/models/<id>`` names across every page."""
    names: set[str] = set()
    for body in pages:
        items = body.get("publisherModels") if isinstance(body, dict) else None
        if items is None and isinstance(body, dict) and not body.get("nextPageToken"):
            items = []  # an empty last page may omit the list
        if not isinstance(items, list):
            raise CatalogError(f"{shown}: unexpected shape: no 'publisherModels' list")
        for item in items:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or "/models/" not in name:
                raise CatalogError(f"{shown}: unexpected shape: a model without a string 'name'")
            names.add(name.rsplit("/models/", 1)[1].partition("@")[0])
    if not names:
        # An empty list is far likelier an outage than a publisher with no models.
        raise CatalogError(f"{shown}: empty model list for publisher {publisher}")
    return names


def _status_of(message: str) -> str:
    match = re.search(r"HTTP (\d{3})", message)
    return f"HTTP {match.group(1)}" if match else "no answer"
