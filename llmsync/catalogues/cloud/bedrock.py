"""AWS Bedrock: one listing per region and credential set, signed with SigV4 (or a Bedrock API key).

Facts: /work/shared/reference/cloud-providers.md §1 (LiteLLM 1.106.2, botocore 1.44.18).

- Entries: ``bedrock/<id>``, ``bedrock/converse/<id>``, ``bedrock/invoke/<id>``,
  ``bedrock/chat_completions/<id>``, a region path ``bedrock/<region>/<id>``, spec prefixes
  (``llama/``, ``nova/``, ...), cross-region inference profiles (``us.``, ``eu.``, ``apac.``,
  ``jp.``, ``au.``, ``global.``, ``us-gov.``) and ARNs. ``bedrock/mantle/`` is another service
  (host ``bedrock-mantle``) that these listings do not cover: not recognised, never touched.
- Listings (providers.yaml ``catalogs``, ``{region}`` filled in): ``GET /foundation-models``
  (no paging) and ``GET /inference-profiles?maxResults=1000`` (paged by ``nextToken``: read to
  the end or fail). The SDK's ``AWS_ENDPOINT_URL_BEDROCK`` / ``AWS_ENDPOINT_URL`` replace the
  scheme and host (GovCloud, FIPS, a test stub); the path and query stay the registry's.
- Credentials as LiteLLM resolves them (``base_aws_llm.py``): an ``api_key`` or
  ``AWS_BEARER_TOKEN_BEDROCK`` sends ``Authorization: Bearer`` instead of a signature; else a
  profile (``aws_profile_name`` / ``AWS_PROFILE_NAME``), else keys (entry ``aws_*`` params,
  each falling back to its ``AWS_*`` variable), else botocore's default chain (environment,
  ``AWS_PROFILE``, ``~/.aws`` files, container / instance metadata). Assume-role and web
  identity are not done here: such entries are skipped with one line.
- botocore is imported only when a job is checked for credentials or fetched.
"""

from __future__ import annotations

import asyncio
import configparser
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from llmsync.catalogues.cache import MISSING
from llmsync.catalogues.cloud import missing_library
from llmsync.catalogues.fetch import get_json
from llmsync.catalogues.hosted import Provider, with_query
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.document import env_reference, unwritable_reason
from llmsync.errors import CatalogError
from llmsync.redact import public_url

DEFAULT_REGION = "us-west-2"  # LiteLLM's last resort (``_get_aws_region_name``)
SERVICE = "bedrock"  # SigV4 signing name of the control plane
PROFILE_PREFIXES = ("global.", "us.", "eu.", "apac.", "jp.", "au.", "us-gov.")
_ROUTES = ("converse/", "invoke/", "chat_completions/")
_SPECS = (
    "llama/",
    "nova-2/",
    "nova/",
    "qwen3/",
    "qwen2/",
    "deepseek_r1/",
    "openai/",
    "stability/",
    "moonshot/",
)
_SUFFIXES = ("[1m]",)  # LiteLLM-only markers, not part of the id AWS receives
_REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, "
    "or AWS_BEARER_TOKEN_BEDROCK"
)
_ROLE = (
    "assume-role / web identity credentials (aws_role_name, aws_web_identity_token) are not "
    "supported by llmsync's Bedrock check"
)
_AWS_PARAMS = (
    ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
    ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
    ("aws_session_token", "AWS_SESSION_TOKEN"),
    ("aws_profile_name", "AWS_PROFILE_NAME"),
    ("aws_role_name", "AWS_ROLE_NAME"),
    ("aws_web_identity_token", "AWS_WEB_IDENTITY_TOKEN"),
)


# --------------------------------------------------------------------------- entry names


@dataclass(frozen=True)
class Target:
    """What one entry names: the id to look up, a region it pins, whether it can be checked."""

    id: str
    region: str | None = None  # from a region path or an ARN
    region_path: bool = False  # a region path wins over aws_region_name
    checked: bool = True  # False: an ARN of a resource no listing here covers


def parse_model(rest: str) -> Target | None:
    """``rest`` is ``litellm_params.model`` after ``bedrock/`` (or a ``model_id`` ARN)."""
    changed = True
    while changed:
        changed = False
        for route in _ROUTES:
            if rest.startswith(route):
                rest, changed = rest[len(route) :], True
    if rest.startswith("mantle/"):
        return None  # bedrock-mantle: another host, not in these listings
    if rest.startswith("arn:"):
        return parse_arn(rest)
    region, path = None, False
    head, slash, tail = rest.partition("/")
    if slash and _REGION.match(head):
        region, rest, path = head, tail, True
    for spec in _SPECS:
        if rest.startswith(spec):
            rest = rest[len(spec) :]
            break
    for suffix in _SUFFIXES:
        rest = rest.removesuffix(suffix)
    return Target(rest, region, path) if rest else None


def parse_arn(arn: str) -> Target:
    """``arn:aws:bedrock:<region>:<account>:<type>/<id>``: a system inference profile is checked
    like its id; provisioned, custom, imported models and application profiles are not."""
    parts = arn.split(":", 5)
    region = parts[3] if len(parts) > 3 and _REGION.match(parts[3]) else None
    resource = parts[5] if len(parts) == 6 else ""
    if resource.startswith("inference-profile/") and len(resource) > 18:
        return Target(resource.split("/", 1)[1], region)
    if resource.startswith("foundation-model/") and len(resource) > 17:
        return Target(resource.split("/", 1)[1], region)
    return Target(arn, region, checked=False)


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """Resolved credentials for one job: never printed, never stored, never in a scope."""

    mode: str  # "bearer" | "keys" | "profile" | "chain" | "role"
    token: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    session_token: str | None = None
    profile: str | None = None


def _value(raw: Any) -> tuple[str | None, str]:
    """(value, where): ``os.environ/X`` is X's value (None when unset), a literal is itself."""
    ref = env_reference(raw)
    if ref is not None:
        return os.environ.get(ref) or None, f"os.environ/{ref}"
    if isinstance(raw, str) and raw:
        return raw, "config"
    return None, ""


def resolve(params: dict[str, Any]) -> tuple[str, Credentials]:
    """(non-secret label, credentials) for an entry's ``litellm_params``, in LiteLLM's order."""
    token, where = _value(params.get("api_key"))
    if token is not None:
        return f"api key {where}", Credentials("bearer", token=token)
    token = os.environ.get("AWS_BEARER_TOKEN_BEDROCK") or None
    if token is not None:
        return "api key AWS_BEARER_TOKEN_BEDROCK", Credentials("bearer", token=token)
    got: dict[str, tuple[str | None, str]] = {}
    for param, env in _AWS_PARAMS:
        value, where = _value(params.get(param))
        if value is None and os.environ.get(env):
            value, where = os.environ[env], env
        got[param] = (value, where)
    if got["aws_role_name"][0] or got["aws_web_identity_token"][0]:
        return "assume role", Credentials("role")
    profile = got["aws_profile_name"][0]
    if profile:
        return f"profile {profile}", Credentials("profile", profile=profile)
    key, key_from = got["aws_access_key_id"]
    secret, secret_from = got["aws_secret_access_key"]
    if key and secret:
        session, _ = got["aws_session_token"]
        if "config" in (key_from, secret_from):
            # Literal keys in config.yaml: told apart by a short one-way digest, never the value.
            digest = hashlib.sha256(f"{key}\0{secret}\0{session}".encode()).hexdigest()[:8]
            label = f"keys in config #{digest}"
        else:
            label = f"keys {key_from}"
        return label, Credentials("keys", access_key=key, secret_key=secret, session_token=session)
    chain_profile = os.environ.get("AWS_PROFILE")
    label = f"default chain (AWS_PROFILE={chain_profile})" if chain_profile else "default chain"
    return label, Credentials("chain")


def resolve_region(params: dict[str, Any], target: Target | None) -> str:
    """The entry's region: a region path, then ``aws_region_name``, then an ARN's region, then
    ``AWS_REGION_NAME``, ``AWS_REGION``, the SDK default (``AWS_DEFAULT_REGION``, the config
    file's ``region``), else ``us-west-2``."""
    if target is not None and target.region_path and target.region:
        return target.region
    region, _ = _value(params.get("aws_region_name"))
    if region:
        return region
    if target is not None and target.region:
        return target.region
    for env in ("AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(env):
            return os.environ[env]
    return _config_file_region(params) or DEFAULT_REGION


def _config_file_region(params: dict[str, Any]) -> str | None:
    """``region`` of the active profile in the AWS config file, read as botocore reads it
    (without importing botocore: a plain run must not load it)."""
    profile, _ = _value(params.get("aws_profile_name"))
    profile = profile or os.environ.get("AWS_PROFILE_NAME") or os.environ.get("AWS_PROFILE")
    path = Path(os.environ.get("AWS_CONFIG_FILE") or Path.home() / ".aws" / "config").expanduser()
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
    section = "default" if profile in (None, "default") else f"profile {profile}"
    try:
        region = parser.get(section, "region")
    except (configparser.Error, ValueError):
        return None
    return region.strip() or None


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class BedrockCatalog(Catalog):
    """A region's listing. ARNs of resources no listing here covers are answered with an empty
    model: kept and left alone (never removed for a list llmsync did not ask for)."""

    unchecked: frozenset[str] = field(default_factory=frozenset)

    def get(self, model_id: str) -> CatalogModel | None:
        if model_id in self.unchecked:
            return CatalogModel(id=model_id)
        return super().get(model_id)


class Bedrock(Provider):
    """AWS Bedrock: ``ListFoundationModels`` + ``ListInferenceProfiles`` per region and
    credential set (the job scope: ``(region, label)``; the label names where the credentials
    come from, never what they are)."""

    kind: ClassVar[str] = "bedrock"
    environment: ClassVar[tuple[str, ...]] = (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_BEARER_TOKEN_BEDROCK",
    )
    fetches_itself: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._params: dict[str, dict[str, Any]] = {}  # label -> the entry params it came from
        self._unchecked: dict[tuple[Any, ...], set[str]] = {}  # scope -> ARNs kept unchecked
        self._found: dict[str, Any] = {}  # label -> botocore credentials (or None)

    # ---- recognising entries

    def recognise(self, model: str | None, api_base: str | None) -> str | None:
        rest = super().recognise(model, api_base)
        target = parse_model(rest) if rest else None
        return target.id if target else None

    def _target(self, entry: Any) -> Target | None:
        params = entry.litellm_params
        model_id = params.get("model_id")
        if isinstance(model_id, str) and model_id.startswith("arn:"):
            return parse_arn(model_id)  # the ARN actually invoked; ``model`` names the price
        rest = super().recognise(params.get("model"), params.get("api_base"))
        return parse_model(rest) if rest else None

    def entry_id(self, entry: Any, model_id: str) -> str:
        target = self._target(entry)
        return target.id if target else model_id

    def job_of(self, entry: Any) -> tuple[str | None, tuple[Any, ...]]:
        params = dict(entry.litellm_params)
        target = self._target(entry)
        label, _ = resolve(params)
        self._params.setdefault(label, params)
        scope = (resolve_region(params, target), label)
        if target is not None and not target.checked:
            self._unchecked.setdefault(scope, set()).add(target.id)
        return None, scope

    # ---- fetching

    def _scope(self, job: Any) -> tuple[str, str]:
        if len(job.scope) == 2:
            return job.scope
        label, _ = resolve({})  # a job made without an entry (--add-new): the defaults
        self._params.setdefault(label, {})
        return resolve_region({}, None), label

    def _credentials(self, label: str) -> Credentials:
        _, creds = resolve(self._params.get(label, {}))
        return creds

    def skip_reason(self, job: Any) -> str | None:
        _, label = self._scope(job)
        creds = self._credentials(label)
        if creds.mode == "bearer":
            return None  # plain HTTP: no SDK needed
        if creds.mode == "role":
            return _ROLE
        missing = missing_library("botocore", "botocore")
        if missing:
            return missing
        if creds.mode in ("chain", "profile") and self._botocore_credentials(label, creds) is None:
            if creds.mode == "profile":
                return f"AWS profile {creds.profile!r} has no credentials (or does not exist)"
            return _NO_CREDENTIALS
        return None

    def _botocore_credentials(self, label: str, creds: Credentials) -> Any:
        """botocore's credentials for a profile or the default chain (looked up once a run)."""
        if label not in self._found:
            import botocore.exceptions
            import botocore.session

            try:
                session = botocore.session.Session(profile=creds.profile)
                found = session.get_credentials()
            except botocore.exceptions.BotoCoreError:
                found = None  # a profile that does not exist, a broken config file
            self._found[label] = found
        return self._found[label]

    def _signer(self, label: str, region: str) -> Any:
        """A function URL -> headers for one request (a fresh signature each time)."""
        creds = self._credentials(label)
        accept = {"Accept": "application/json"}
        if creds.mode == "bearer":
            token = creds.token
            return lambda url: {**accept, "Authorization": f"Bearer {token}"}
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials as BotoCredentials

        if creds.mode == "keys":
            found: Any = BotoCredentials(creds.access_key, creds.secret_key, creds.session_token)
        else:
            found = self._botocore_credentials(label, creds)
            if found is None:
                raise CatalogError(_NO_CREDENTIALS)
        frozen = found.get_frozen_credentials()

        def sign(url: str) -> dict[str, str]:
            request = AWSRequest(method="GET", url=url, headers=dict(accept))
            SigV4Auth(frozen, SERVICE, region).add_auth(request)
            return dict(request.headers.items())

        return sign

    def _cache_headers(self, label: str) -> dict[str, str]:
        """What the cache keys on instead of the signed headers (a new signature every request
        would make every read a miss): which credentials, as a one-way digest. Never stored."""
        creds = self._credentials(label)
        who = creds.token or creds.access_key or creds.profile or ""
        digest = hashlib.sha256(f"bedrock\0{label}\0{who}".encode()).hexdigest()
        return {"Accept": "application/json", "X-Llmsync-Credentials": digest}

    def listing_url(self, template: str, region: str) -> str:
        """A catalogue URL of providers.yaml for ``region``; the SDK's endpoint variables
        (``AWS_ENDPOINT_URL_BEDROCK``, then ``AWS_ENDPOINT_URL``) replace scheme and host."""
        url = template.replace("{region}", region)
        endpoint = os.environ.get("AWS_ENDPOINT_URL_BEDROCK") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            base, own = urlsplit(endpoint.rstrip("/")), urlsplit(url)
            url = urlunsplit((base.scheme, base.netloc, base.path + own.path, own.query, ""))
        return url

    def _listings(self, region: str) -> list[tuple[str, str]]:
        out = []
        for source in self.spec.catalogs:
            path = urlsplit(source.url).path.rstrip("/")
            kind = path.rsplit("/", 1)[-1]
            if kind not in ("foundation-models", "inference-profiles"):
                raise CatalogError(
                    f"{public_url(source.url)}: a bedrock catalogue must end in "
                    "/foundation-models or /inference-profiles"
                )
            out.append((kind, self.listing_url(source.url, region)))
        return out

    async def fetch_catalog(
        self, client: Any, job: Any, defaults: Any, cache: Any, clock: Any
    ) -> Catalog:
        region, label = self._scope(job)
        # botocore's import and credential lookup take ~0.15 s: in a thread, so the other
        # catalogues' requests go on meanwhile.
        sign = await asyncio.to_thread(self._signer, label, region)
        keyed = self._cache_headers(label)
        hint = f" (AWS refused the {label} credentials for region {region})"

        async def listing(kind: str, url: str) -> tuple[list[Any], bool]:
            cached = cache.read(url, keyed)
            if cached is not MISSING and isinstance(cached, list):
                return cached, False
            if cache.offline:
                raise CatalogError(
                    f"{public_url(url)}: --offline and no cached copy in {cache.folder}"
                )
            return await self._pages(client, kind, url, sign, defaults, hint), True

        listings = self._listings(region)
        read = await asyncio.gather(*(listing(kind, url) for kind, url in listings))
        bodies: dict[str, list[Any]] = {}
        for (kind, _), (pages, _) in zip(listings, read, strict=True):
            bodies.setdefault(kind, []).extend(pages)
        scope = (region, label)
        catalog = build_catalog(
            self.name, region, bodies, frozenset(self._unchecked.get(scope, ()))
        )
        for (_, url), (pages, fresh) in zip(listings, read, strict=True):
            if fresh:  # only listings that parsed are worth keeping
                cache.write(url, keyed, pages)
        return catalog

    async def _pages(
        self, client: Any, kind: str, first: str, sign: Any, defaults: Any, hint: str
    ) -> list[Any]:
        """Every page of one listing. Foundation models are one page; inference profiles are
        followed by ``nextToken`` to the end (a page left unread would retire its profiles)."""
        pages: list[Any] = []
        url: str | None = first
        seen: set[str] = set()
        while url is not None:
            if len(pages) == self.spec.paging.max_pages:
                raise CatalogError(f"{public_url(first)}: more than {len(pages)} pages")
            body = await get_json(client, url, sign(url), defaults, hint=hint)
            pages.append(body)
            token = body.get("nextToken") if isinstance(body, dict) else None
            if kind != "inference-profiles" or not token:
                break
            if not isinstance(token, str) or token in seen:
                raise CatalogError(f"{public_url(first)}: a bad or repeated nextToken")
            seen.add(token)
            url = with_query(first, {"nextToken": token})
        if (
            kind == "foundation-models"
            and isinstance(pages[-1], dict)
            and pages[-1].get("nextToken")
        ):
            raise CatalogError(
                f"{public_url(first)}: the listing says there is more (nextToken) and "
                "ListFoundationModels has no paging; nothing of it is trusted"
            )
        return pages


# --------------------------------------------------------------------------- reading


def build_catalog(
    provider: str, region: str, bodies: dict[str, list[Any]], unchecked: frozenset[str]
) -> BedrockCatalog:
    """Foundation models by ``modelId`` and system inference profiles by ``inferenceProfileId``
    (lifecycle and mode from their base models), for one region."""
    base: dict[str, CatalogModel] = {}
    for body in bodies.get("foundation-models", []):
        items = body.get("modelSummaries") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise CatalogError(f"bedrock {region}: unexpected shape: no 'modelSummaries' list")
        for item in items:
            model_id = item.get("modelId") if isinstance(item, dict) else None
            if not isinstance(model_id, str) or not model_id:
                raise CatalogError(f"bedrock {region}: a model summary without a string modelId")
            base.setdefault(model_id, _foundation_model(model_id, item))
    if not base:
        # An empty catalogue is far likelier an outage than a region with no models.
        raise CatalogError(f"bedrock {region}: empty model list")
    models = dict(base)
    for body in bodies.get("inference-profiles", []):
        items = body.get("inferenceProfileSummaries") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise CatalogError(
                f"bedrock {region}: unexpected shape: no 'inferenceProfileSummaries' list"
            )
        for item in items:
            profile_id = item.get("inferenceProfileId") if isinstance(item, dict) else None
            if not isinstance(profile_id, str) or not profile_id:
                raise CatalogError(f"bedrock {region}: an inference profile without an id")
            if profile_id not in models:
                models[profile_id] = _profile(profile_id, item, base)
    notes = ()
    if unchecked:
        count = len(unchecked)
        notes = (
            f"{provider}: {count} ARN{'s' if count > 1 else ''} in {region} "
            "(provisioned, custom or imported models, application inference profiles) "
            "cannot be checked against the region's listings; kept unchanged",
        )
    return BedrockCatalog(provider, models, notes=notes, scope=region, unchecked=unchecked)


def _foundation_model(model_id: str, item: dict) -> CatalogModel:
    rejected = {}
    unsafe = unwritable_reason(model_id)
    if unsafe:
        rejected["id"] = f"id {model_id!a} {unsafe}"
    outputs = item.get("outputModalities")
    embedding = isinstance(outputs, list) and "EMBEDDING" in outputs
    return CatalogModel(
        id=model_id,
        mode="embedding" if embedding else "chat",
        rejected=rejected,
        deprecation=lifecycle(item.get("modelLifecycle")),
    )


def lifecycle(value: Any) -> str | None:
    """``LEGACY`` -> its ``endOfLifeTime`` as YYYY-MM-DD, else "deprecated"; ACTIVE -> None."""
    if not isinstance(value, dict) or value.get("status") != "LEGACY":
        return None
    end = value.get("endOfLifeTime")
    if isinstance(end, str) and len(end) >= 10:
        try:
            return dt.date.fromisoformat(end[:10]).isoformat()
        except ValueError:
            pass
    return "deprecated"


def _profile(profile_id: str, item: dict, base: dict[str, CatalogModel]) -> CatalogModel:
    """A system inference profile: its base models' lifecycle (the earliest date of any that
    is Legacy) and mode. A base model not listed in this region says nothing of the profile."""
    dates, flagged, modes = [], False, set()
    for ref in item.get("models") or []:
        arn = ref.get("modelArn") if isinstance(ref, dict) else None
        model = base.get(arn.rsplit("/", 1)[-1]) if isinstance(arn, str) else None
        if model is None:
            continue
        modes.add(model.mode)
        if model.deprecation == "deprecated":
            flagged = True
        elif model.deprecation:
            dates.append(model.deprecation)
    rejected = {}
    unsafe = unwritable_reason(profile_id)
    if unsafe:
        rejected["id"] = f"id {profile_id!a} {unsafe}"
    return CatalogModel(
        id=profile_id,
        mode="embedding" if modes == {"embedding"} else "chat",
        rejected=rejected,
        deprecation=min(dates) if dates else ("deprecated" if flagged else None),
    )
