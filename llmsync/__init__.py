"""llmsync: keep a LiteLLM proxy ``config.yaml`` true."""

__version__ = "0.1.0"
