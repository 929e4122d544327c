"""Loading a config the way LiteLLM does, following ``include:``; files that do not load are
findings with their own kind and position (never guessed from an exception's text)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.nodes import ScalarNode, SequenceNode

from llmsync.document import ConfigDocument, mapping_pair
from llmsync.errors import ConfigError, FileUnreadable
from llmsync.files import real_path
from llmsync.lint.core import Context, Hit, rule

E001 = rule("E001", "yaml-syntax", "error", "YAML syntax error, with line and column")
E002 = rule("E002", "top-level-not-mapping", "error", "the file is not a mapping")
E003 = rule("E003", "not-utf8", "error", "the file is not UTF-8 text")
E010 = rule("E010", "model-list-not-list", "error", "`model_list` is not a list")
E050 = rule(
    "E050", "include-invalid", "error", "`include:` not a list, or a file missing / unreadable"
)
KIND_RULES = {
    "syntax": E001,
    "not-mapping": E002,
    "not-utf8": E003,
    "model-list-not-list": E010,
    "include": E050,
}


def load(ctx: Context, path: Path) -> None:
    """Every file of the config into ``ctx.docs``; a root file that cannot be read raises."""
    _load(ctx, path, str(path), set(), None, path.parent)


def _load(
    ctx: Context,
    path: Path,
    display: str,
    seen: set[Path],
    where: tuple[str, int, int] | None,
    root_folder: Path,
) -> None:
    try:
        real = real_path(path)
        if real in seen:
            return  # LiteLLM reads a file once, so include cycles are harmless
        seen.add(real)
        doc = ConfigDocument.load(path)
    except FileUnreadable as exc:
        if where is None:
            raise
        ctx.report.files.append(display)
        ctx.add([Hit(None, None, E050, str(exc), where[0], where[1], where[2])])
        return
    except ConfigError as exc:
        ctx.report.files.append(display)
        found = KIND_RULES.get(exc.kind, E001)
        ctx.add([Hit(None, None, found, exc.detail, display, exc.line or 1, exc.column or 1)])
        return
    doc.name = display
    ctx.report.files.append(display)
    ctx.docs.append(doc)
    pair = mapping_pair(doc.root, "include")
    if pair is None:
        return
    key, value = pair
    items = value.value if isinstance(value, SequenceNode) else None
    if items is None or not all(isinstance(i, ScalarNode) for i in items):
        ctx.add([Hit(doc, key, E050, "'include' must be a list of file paths")])
        return
    for item in items:
        name = Path(item.value)
        candidates = [name] if name.is_absolute() else [path.parent / name, root_folder / name]
        target = next((c for c in candidates if c.is_file()), candidates[0])
        if not target.is_file():
            ctx.add([Hit(doc, item, E050, f"included file not found: {item.value}")])
            continue
        _load(
            ctx,
            target,
            str(Path(display).parent / item.value),
            seen,
            (display, item.start_mark.line + 1, item.start_mark.column + 1),
            root_folder,
        )
