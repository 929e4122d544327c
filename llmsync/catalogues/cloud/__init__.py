"""Cloud platforms (Bedrock, Azure OpenAI, ...): providers whose listings need their own
requests (a signature, a region or resource scope), so they fetch themselves.

Each platform is a :class:`~llmsync.catalogues.hosted.Provider` subclass registered by its
``kind`` in ``hosted.KINDS``, with ``fetches_itself = True``. It says what scope one listing
answers for (``job_of``: region, resource, credentials), why a job is skipped (an SDK that is
not installed, credentials that are not set: one line, nothing removed), and builds a
:class:`~llmsync.catalogues.model.Catalog` per scope; prices and retirement dates then come
from the price books like any provider's. Its SDK is imported only when it fetches: a plain
``llmsync`` run never loads botocore, google-auth or azure-identity.
"""

from __future__ import annotations

import importlib.util

EXTRA = "llmsync-cli[cloud]"


def missing_library(module: str, package: str) -> str | None:
    """A skip reason when ``module`` cannot be imported, naming the install command."""
    if importlib.util.find_spec(module.split(".")[0]) is not None:
        return None
    return f"{package} is not installed: pip install '{EXTRA}'"
