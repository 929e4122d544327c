"""The config document: parse once, locate entries, edit text minimally.

Why text edits instead of ruamel's round-trip dump: on real configs a plain dump rewrites lines
nobody touched (``True`` → ``true``, re-indented sequences, flow maps in lists). So ruamel's
C composer is used only to *locate* nodes (start/end line and column), and every change is a
splice of the original text: a scalar swapped in place, whole lines inserted or deleted, or
whole entry blocks permuted. Lines outside a change stay byte-identical by construction.

Values are read with PyYAML's YAML 1.1 rules because that is how LiteLLM reads the file
(``3e-06`` is a string to it, ``on`` is a boolean).

Modules: ``nodes`` (locating nodes, reading values, aliases), ``env`` (``os.environ/X``
references), ``entries`` (``ModelEntry``), ``loading`` (text to nodes to entries, ``include:``
files), ``config`` (``ConfigDocument``), ``style`` (new text in the file's own style) and
``editor`` (``TextEditor``, the splices). Writing the result back atomically is
``llmsync.files``'s job. Every name users import is re-exported here, so
``from llmsync.document import X`` keeps working.
"""

from __future__ import annotations

from llmsync.document.config import BOM, ConfigDocument
from llmsync.document.editor import TextEditor, _Splice
from llmsync.document.entries import ModelEntry
from llmsync.document.env import env_reference, resolved
from llmsync.document.nodes import (
    References,
    _is_flow,
    _is_merge,
    last_line,
    mapping_pair,
    mapping_value,
    scalar_value,
    to_python,
)
from llmsync.document.style import (
    EntryStyle,
    flow_entry,
    render_entry,
    unwritable_reason,
    yaml_scalar,
    yaml_str,
)

__all__ = [
    "BOM",
    "ConfigDocument",
    "EntryStyle",
    "ModelEntry",
    "References",
    "TextEditor",
    "_Splice",
    "_is_flow",
    "_is_merge",
    "env_reference",
    "flow_entry",
    "last_line",
    "mapping_pair",
    "mapping_value",
    "render_entry",
    "resolved",
    "scalar_value",
    "to_python",
    "unwritable_reason",
    "yaml_scalar",
    "yaml_str",
]
