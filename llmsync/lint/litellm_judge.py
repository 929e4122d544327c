"""LiteLLM's own verdict on model_list entries, run by *another* Python: the one that has LiteLLM
(the proxy's own environment, or the test suite's oracle environment), so llmsync's environment
never has to take LiteLLM's pins (it holds rich below 14, for one).

Standalone on purpose: the standard library and LiteLLM only, no llmsync import. Protocol, one
JSON document per line: in ``{"entries": [<entry>, ...]}``, out ``{"errors": [null | "why", ...]}``
(one per entry: LiteLLM's ``Router`` built with that entry alone). It answers until stdin
closes, so a caller may keep it running for many questions (the tests do).
"""

from __future__ import annotations

import json
import logging
import os
import sys


def main() -> int:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch at import
    import litellm

    logging.getLogger("LiteLLM").setLevel(logging.ERROR)
    for line in sys.stdin:
        if not line.strip():
            continue
        errors = []
        for entry in json.loads(line)["entries"]:
            try:
                router = litellm.Router(model_list=[entry])
                if len(router.model_list) != 1:
                    raise ValueError(f"the Router kept {len(router.model_list)} deployments, not 1")
            except Exception as exc:  # LiteLLM raises many types; each is a verdict
                errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
            else:
                errors.append(None)
        sys.stdout.write(json.dumps({"errors": errors}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
