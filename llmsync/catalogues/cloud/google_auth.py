"""Google credentials for Vertex AI, read the way LiteLLM reads them, and the token.

``vertex_credentials`` -> ``vertex_ai_credentials`` -> ``VERTEXAI_CREDENTIALS`` (a file path or a
JSON string; ``os.environ/`` references read), else Application Default Credentials
(``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's own login). google-auth is imported only here and
only when a token is wanted; its HTTP calls go through a small transport on httpx that never
follows redirects, caps answers, and refuses the metadata server off Google Cloud (so a run on a
laptop or a CI runner never waits on 169.254.169.254).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

from llmsync import __version__
from llmsync.document import env_reference
from llmsync.errors import CatalogError
from llmsync.redact import public_url

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
CREDENTIAL_PARAMS = ("vertex_credentials", "vertex_ai_credentials")
CREDENTIAL_ENV = "VERTEXAI_CREDENTIALS"
PROJECT_PARAMS = ("vertex_project", "vertex_ai_project")
PROJECT_ENV = "VERTEXAI_PROJECT"
LOCATION_PARAMS = ("vertex_location", "vertex_ai_location")
LOCATION_ENVS = ("VERTEXAI_LOCATION", "VERTEX_LOCATION")
DEFAULT_LOCATION = "us-central1"  # LiteLLM's last resort
ADC_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
ADC_LABEL = "application default credentials"
MAX_TOKEN_RESPONSE = 1_000_000  # bytes: a token (or metadata) answer is a few hundred
# Entry ids without "<publisher>/": who publishes them (LiteLLM's routing, §2.1).


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Source:
    """Where the credentials come from. ``label`` names it (a variable, a field); ``value``
    (a file path or JSON text) is never shown."""

    label: str
    kind: str  # "file" | "json" | "adc" | "unset" (os.environ/X with X unset)
    value: str | None = field(default=None, repr=False)


def _value(raw: Any) -> tuple[str | None, str | None]:
    """(value, variable): ``os.environ/X`` is X's value (None when unset), a literal itself."""
    ref = env_reference(raw)
    if ref is not None:
        return os.environ.get(ref) or None, ref
    if isinstance(raw, str) and raw.strip():
        return raw.strip(), None
    if isinstance(raw, dict) and raw:  # a YAML mapping holding the JSON key itself
        return json.dumps(raw), None
    return None, None


def _kind(value: str) -> str:
    return "json" if value.lstrip().startswith("{") else "file"


def resolve_source(params: dict[str, Any]) -> Source:
    """The entry's credentials in LiteLLM's order; the label is never a secret."""
    for name in CREDENTIAL_PARAMS:
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        value, var = _value(raw)
        if var is not None:
            return Source(var, _kind(value), value) if value else Source(var, "unset")
        if value:
            digest = hashlib.sha256(value.encode()).hexdigest()[:8]
            return Source(f"{name} in the config #{digest}", _kind(value), value)
    value = os.environ.get(CREDENTIAL_ENV)
    if value:
        return Source(CREDENTIAL_ENV, _kind(value), value)
    if os.environ.get(ADC_FILE_ENV):
        return Source(ADC_FILE_ENV, "adc")
    return Source(ADC_LABEL, "adc")


def _info_project(info: Any) -> str | None:
    if not isinstance(info, dict):
        return None
    for key in ("project_id", "quota_project_id"):
        if isinstance(info.get(key), str) and info[key]:
            return info[key]
    return None


def _read_info(source: Source) -> Any:
    """The credential JSON (file or text), or None when it cannot be read here."""
    text = source.value
    path = source.value if source.kind == "file" else None
    if source.kind == "adc":
        path = os.environ.get(ADC_FILE_ENV)
    if path:
        try:
            with open(os.path.expanduser(path), encoding="utf-8") as handle:
                text = handle.read(MAX_TOKEN_RESPONSE)
        except (OSError, UnicodeDecodeError):
            return None
    elif source.kind == "adc":
        return None
    try:
        return json.loads(text or "")
    except ValueError:
        return None


def resolve_project(params: dict[str, Any], source: Source) -> str | None:
    """The project known without asking Google (the ADC project comes while fetching)."""
    for name in PROJECT_PARAMS:
        value, _ = _value(params.get(name))
        if value:
            return value
    if os.environ.get(PROJECT_ENV):
        return os.environ[PROJECT_ENV]
    project = _info_project(_read_info(source))
    if project:
        return project
    if source.kind == "adc":  # what google.auth.default reads first
        return os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT") or None
    return None


def resolve_location(params: dict[str, Any]) -> str:
    for name in LOCATION_PARAMS:
        value, _ = _value(params.get(name))
        if value:
            return value
    for env in LOCATION_ENVS:
        if os.environ.get(env):
            return os.environ[env]
    return DEFAULT_LOCATION


def token(source: Source, timeout: float) -> tuple[str, str | None] | None:
    """(access token, the credentials' own project) for ``source``; None when there are no
    credentials at all (ADC found nothing). Runs in a thread: google-auth is synchronous."""
    import google.auth
    import google.auth.exceptions as gexc

    logging.getLogger("google.auth").addHandler(logging.NullHandler())  # no lastResort lines
    request = _transport(timeout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation and "no quota project" warnings
        try:
            if source.kind == "adc":
                if not os.environ.get(ADC_FILE_ENV) and not _on_google_cloud():
                    from google.auth import _cloud_sdk  # gcloud's ADC file (CLOUDSDK_CONFIG)

                    if not os.path.isfile(_cloud_sdk.get_application_default_credentials_path()):
                        return None  # nothing to find: no request, not even the metadata server
                try:
                    credentials, project = google.auth.default(
                        scopes=[CLOUD_PLATFORM], request=request
                    )
                except gexc.DefaultCredentialsError:
                    if os.environ.get(ADC_FILE_ENV):  # set, but unusable: a mistake to fix
                        raise
                    return None
            else:
                info = _read_info(source)
                if not isinstance(info, dict):
                    raise CatalogError(
                        f"the {source.label} credentials cannot be read (not a JSON key, or a "
                        "file that does not exist)"
                    )
                credentials, project = _from_info(info), _info_project(info)
            credentials.refresh(request)
        except CatalogError:
            raise
        except gexc.RefreshError as exc:
            # Its message can quote the token endpoint's answer: the type says enough.
            raise CatalogError(
                f"Google refused the {source.label} credentials (token exchange: "
                f"{type(exc).__name__})"
            ) from None
        except (gexc.GoogleAuthError, ValueError, KeyError) as exc:
            raise CatalogError(
                f"the {source.label} credentials cannot be used: {type(exc).__name__}"
            ) from None
    token = getattr(credentials, "token", None)
    if not isinstance(token, str) or not token:
        raise CatalogError(f"the {source.label} credentials gave no access token")
    return token, project or None


def _from_info(info: dict) -> Any:
    """google-auth credentials from a key's JSON, by its ``type`` (as LiteLLM loads them)."""
    kind = info.get("type")
    if kind == "service_account":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(info, scopes=[CLOUD_PLATFORM])
    if kind == "authorized_user":
        from google.oauth2 import credentials

        return credentials.Credentials.from_authorized_user_info(info, scopes=[CLOUD_PLATFORM])
    import google.auth

    credentials, _ = google.auth.load_credentials_from_dict(info, scopes=[CLOUD_PLATFORM])
    return credentials


def _transport(timeout: float) -> Any:
    """A google-auth transport over httpx: what google-auth sends (the token exchange; on
    Google Cloud, the metadata server) without ``requests``, redirects refused, size capped."""
    import google.auth.exceptions
    import google.auth.transport
    import httpx

    class Response(google.auth.transport.Response):
        def __init__(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self._status, self._headers, self._data = status, headers, data

        @property
        def status(self) -> int:
            return self._status

        @property
        def headers(self) -> dict[str, str]:
            return self._headers

        @property
        def data(self) -> bytes:
            return self._data

    metadata = _metadata_hosts()
    allowed = _on_google_cloud()

    class Request(google.auth.transport.Request):
        def __call__(
            self,
            url: str,
            method: str = "GET",
            body: Any = None,
            headers: Any = None,
            timeout: float | None = None,
            **kwargs: Any,
        ) -> Response:
            if not allowed and (httpx.URL(url).host or "").lower() in metadata:
                # Off Google Cloud there is no metadata server: asking costs seconds of
                # timeouts (google-auth pings it 3 times), so it is refused without a request.
                raise google.auth.exceptions.TransportError("not on Google Cloud")
            agent = {"User-Agent": f"llmsync/{__version__}"}
            try:
                with (
                    httpx.Client(follow_redirects=False, timeout=timeout or limit) as http,
                    http.stream(
                        method, url, content=body, headers={**agent, **(headers or {})}
                    ) as answer,
                ):
                    chunks, size = [], 0
                    for chunk in answer.iter_bytes():
                        size += len(chunk)
                        if size > MAX_TOKEN_RESPONSE:
                            raise google.auth.exceptions.TransportError(
                                f"{public_url(url)}: answer too large"
                            )
                        chunks.append(chunk)
                    return Response(answer.status_code, dict(answer.headers), b"".join(chunks))
            except httpx.HTTPError as exc:
                raise google.auth.exceptions.TransportError(
                    f"{public_url(url)}: {type(exc).__name__}"
                ) from None

    limit = timeout
    return Request()


def _metadata_hosts() -> set[str]:
    hosts = {"metadata.google.internal", "metadata", "169.254.169.254"}
    for env in ("GCE_METADATA_HOST", "GCE_METADATA_IP"):
        value = os.environ.get(env)
        if value:
            hosts.add(value.split(":", 1)[0].lower())
    return hosts


def _on_google_cloud() -> bool:
    """Whether the metadata server may answer: Cloud Run, Cloud Functions, App Engine (their
    variables), or a Compute Engine / GKE machine (the DMI product name, read without a
    request, as google-auth does)."""
    if any(os.environ.get(v) for v in ("K_SERVICE", "CLOUD_RUN_JOB", "FUNCTION_TARGET", "GAE_ENV")):
        return True
    try:
        with open("/sys/class/dmi/id/product_name", encoding="utf-8") as handle:
            return handle.read(200).strip().startswith("Google")
    except (OSError, UnicodeDecodeError):
        return False
