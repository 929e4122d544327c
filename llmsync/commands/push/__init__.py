"""push: make a running proxy's database models match config.yaml, owned rows only.

- :mod:`.plan` — the rows the file wants, row identity and ownership, the plan;
- :mod:`.apply` — writing the plan so that no model of the file ever goes missing, each write
  confirmed by reading the proxy again;
- :mod:`.show` — the plan and its results as text, JSON and Markdown;
- :mod:`.run` — one round: read the proxy, plan, apply unless read-only;
- :mod:`.rounds` — the command as run: proxy URL and key, one round shown and reported, or
  ``--every`` rounds until SIGTERM.
"""
