"""Catalogues: everything llmsync asks the network about models, as one idea.

- ``http``: the one HTTP layer (retries, Retry-After, deadline, size cap, safe redirects);
- ``cache``: the on-disk snapshot a dry run and the real run share;
- ``model``: what every catalogue yields (``Catalog`` of ``CatalogModel``);
- ``hosted``: hosted providers described by providers.yaml (aggregators and direct providers);
- ``servers``: self-hosted model servers (Ollama, vLLM, llama.cpp, LiteLLM upstreams);
- ``pricebooks``: open price and lifecycle catalogues (models.dev, LiteLLM's cost map);
- ``fetch``: fetching all of them concurrently within one deadline.
"""
