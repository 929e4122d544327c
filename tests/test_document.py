"""Round-trip and minimal-edit properties on real-world configs and on awkward files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import CORPUS, write_config

from llmsync.commands.common import insertion_point
from llmsync.commands.sort import plan_sort
from llmsync.document import ConfigDocument
from llmsync.errors import ConfigError
from llmsync.files import write_atomic
from llmsync.plan import AddEntry, Plan, RemoveEntry, SetField, apply_plan
from llmsync.unified_diff import unified_diff

# ../shared/corpus, plus the real public configs collected into tests/fixtures/corpus3
CORPUS_FILES = (sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []) + sorted(
    (Path(__file__).parent / "fixtures" / "corpus3").glob("*.yaml")
)
corpus = pytest.mark.parametrize(
    "path",
    CORPUS_FILES
    or [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))],
    ids=lambda p: p.name if p else "no-corpus",
)

NEW = {
    "model_name": "zz-llmsync-new",
    "litellm_params": {
        "model": "openrouter/vendor/new-model:free",
        "api_key": "os.environ/OPENROUTER_API_KEY",
        "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-09,
    },
    "model_info": {"mode": "embedding", "max_input_tokens": 8192},
}


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    diff = unified_diff(old, new, "c").splitlines()[2:]
    plus = [d[1:] for d in diff if d.startswith("+")]
    minus = [d[1:] for d in diff if d.startswith("-")]
    return plus, minus


@corpus
def test_no_op_round_trip_is_byte_identical(path: Path, tmp_path: Path):
    original = path.read_bytes()
    doc = ConfigDocument.load(path)
    assert apply_plan(doc, Plan()).encode() == original
    copy = tmp_path / "c.yaml"
    write_atomic(copy, apply_plan(doc, Plan()))
    assert copy.read_bytes() == original


@corpus
def test_entries_match_what_litellm_reads(path: Path):
    doc = ConfigDocument.load(path)
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))["model_list"]
    assert [e.data for e in doc.entries] == expected


@corpus
def test_adding_an_entry_only_adds_lines(path: Path):
    doc = ConfigDocument.load(path)
    for before in (insertion_point(doc, NEW), None, doc.entries[0]):
        new = apply_plan(doc, Plan([AddEntry(NEW, before, "openrouter")]))
        plus, minus = changed_lines(doc.text, new)
        assert minus == [] or minus == [doc.lines[-1]]  # at most the no-final-newline marker
        assert any("model_name: " in line and "zz-llmsync-new" in line for line in plus)
        loaded = yaml.safe_load(new)["model_list"]
        assert NEW in loaded and len(loaded) == len(doc.entries) + 1


@corpus
def test_removing_an_entry_only_removes_its_lines(path: Path):
    doc = ConfigDocument.load(path)
    victim = doc.entries[len(doc.entries) // 2]
    if doc.is_referenced_elsewhere(victim):
        pytest.skip("the middle entry defines anchors others use")
    new = apply_plan(doc, Plan([RemoveEntry(victim, "x", "test")]))
    lines = doc.text.split("\n")
    cut = victim.last_line + 1
    while new.split("\n") != lines[: victim.block_start] + lines[cut:]:
        assert not lines[cut].strip(), "more than the entry and its separator was removed"
        cut += 1
    expected = yaml.safe_load(doc.text)["model_list"]
    del expected[victim.index]
    assert yaml.safe_load(new)["model_list"] == expected


@corpus
def test_sort_permutes_lines_and_is_idempotent(path: Path):
    doc = ConfigDocument.load(path)
    plan = plan_sort(doc)
    once = apply_plan(doc, plan)
    assert Counter(once.rstrip("\n").split("\n")) == Counter(doc.text.rstrip("\n").split("\n"))
    assert len(once) - len(doc.text) in (0, 1)  # at most a final newline
    again = ConfigDocument(once)
    assert not plan_sort(again).changes
    keys = [e.sort_key() for e in again.entries]
    assert keys == sorted(keys)
    assert [e.data for e in again.entries] == sorted(
        yaml.safe_load(doc.text)["model_list"],
        key=lambda d: (
            str(d.get("model_name", "")).lower(),
            str(d["litellm_params"].get("model", "")).lower(),
        ),
    )


@corpus
def test_cost_update_changes_only_that_value(path: Path):
    doc = ConfigDocument.load(path)
    for entry in doc.entries:
        node = entry.value_node(("litellm_params", "input_cost_per_token")) or entry.value_node(
            ("model_info", "input_cost_per_token")
        )
        if node is not None and not doc.is_unsplicable(entry, node):
            break
    else:
        pytest.skip("no entry with an input cost")
    section = (
        "litellm_params"
        if entry.value_node(("litellm_params", "input_cost_per_token")) is node
        else "model_info"
    )
    new = apply_plan(
        doc, Plan([SetField(entry, section, "input_cost_per_token", None, 4.25e-06, "x")])
    )
    plus, minus = changed_lines(doc.text, new)
    assert len(plus) == len(minus) == 1
    assert minus[0].replace(node.value, "") == plus[0].replace("4.25e-06", "").replace(
        "0.00000425", ""
    )
    assert (
        yaml.safe_load(new)["model_list"][entry.index][section]["input_cost_per_token"] == 4.25e-06
    )


# --------------------------------------------------------------------------- awkward files


def test_crlf_files_stay_crlf(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_bytes(
        b"model_list:\r\n  - model_name: b\r\n    litellm_params:\r\n      model: openrouter/b/b\r\n      input_cost_per_token: 1.0e-06\r\n  - model_name: a\r\n    litellm_params:\r\n      model: openrouter/a/a\r\n"
    )
    doc = ConfigDocument.load(path)
    text = apply_plan(
        doc,
        Plan(
            [
                SetField(
                    doc.entries[0], "litellm_params", "input_cost_per_token", 1e-06, 2e-06, "x"
                ),
                AddEntry(NEW, None, "x"),
            ]
        ),
    )
    assert "\n" not in text.replace("\r\n", "")
    assert "      input_cost_per_token: 2.0e-06\r\n" in text
    sorted_text = apply_plan(doc, plan_sort(doc))
    assert sorted_text.index("model_name: a") < sorted_text.index("model_name: b")
    assert "\n" not in sorted_text.replace("\r\n", "")


def test_bom_and_missing_final_newline_survive(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_bytes(
        "\ufeffmodel_list:\n  - model_name: b\n    litellm_params:\n      model: openrouter/b/b\n      input_cost_per_token: 1.0e-06  # é".encode()
    )
    doc = ConfigDocument.load(path)
    assert apply_plan(doc, Plan()).encode() == path.read_bytes()
    text = apply_plan(
        doc,
        Plan(
            [SetField(doc.entries[0], "litellm_params", "input_cost_per_token", 1e-06, 3e-06, "x")]
        ),
    )
    assert (
        text
        == "\ufeffmodel_list:\n  - model_name: b\n    litellm_params:\n      model: openrouter/b/b\n      input_cost_per_token: 3.0e-06  # é"
    )


def test_new_entries_follow_the_neighbours_style(tmp_path: Path):
    path = write_config(
        tmp_path,
        """
        model_list:
        - "model_name": "a"
          "litellm_params":
                "model": "openrouter/a/a"
                "input_cost_per_token": 0.000001
        """,
    )
    doc = ConfigDocument.load(path)
    text = apply_plan(
        doc,
        Plan(
            [
                AddEntry(
                    {
                        "model_name": "b",
                        "litellm_params": {
                            "model": "openrouter/b/b",
                            "input_cost_per_token": 2.5e-07,
                        },
                    },
                    None,
                    "x",
                )
            ]
        ),
    )
    assert text.endswith(
        '- model_name: "b"\n  litellm_params:\n        model: "openrouter/b/b"\n        input_cost_per_token: 0.00000025\n'
    )


def test_comment_above_an_entry_moves_with_it_and_inner_comments_stay(tmp_path: Path):
    path = write_config(
        tmp_path,
        """
        model_list:
          # about b
          - model_name: b
            litellm_params:
              model: openrouter/b/b
              # rpm: 10   (commented-out param of b)

          # about a
          - model_name: a
            litellm_params:
              model: openrouter/a/a
        """,
    )
    doc = ConfigDocument.load(path)
    assert apply_plan(doc, plan_sort(doc)) == (
        "model_list:\n  # about a\n  - model_name: a\n    litellm_params:\n      model: openrouter/a/a\n\n"
        "  # about b\n  - model_name: b\n    litellm_params:\n      model: openrouter/b/b\n      # rpm: 10   (commented-out param of b)\n"
    )


def test_sort_refuses_to_put_an_alias_before_its_anchor(tmp_path: Path):
    path = write_config(
        tmp_path,
        """
        model_list:
          - model_name: b
            litellm_params: &shared
              model: openrouter/b/b
          - model_name: a
            litellm_params: *shared
        """,
    )
    doc = ConfigDocument.load(path)
    with pytest.raises(ConfigError, match="anchor"):
        plan_sort(doc)


def test_flow_style_model_list_cannot_be_restructured(tmp_path: Path):
    path = write_config(
        tmp_path,
        "model_list: [{model_name: b, litellm_params: {model: openrouter/b/b}}, {model_name: a, litellm_params: {model: openrouter/a/a}}]\n",
    )
    doc = ConfigDocument.load(path)
    with pytest.raises(ConfigError, match="flow style"):
        plan_sort(doc)


def test_adding_to_an_empty_or_missing_model_list(tmp_path: Path):
    for text, expected_head in [
        ("model_list:\nrouter_settings: {}\n", "model_list:\n  - model_name:"),
        ("model_list: []\nrouter_settings: {}\n", "model_list:\n  - model_name:"),
        ("model_list: null\nrouter_settings: {}\n", "model_list:\n  - model_name:"),
        ("model_list: ~  # none yet\n", "model_list:  # none yet\n  - model_name:"),
        ("general_settings: {}\n", "general_settings: {}\nmodel_list:\n  - model_name:"),
    ]:
        doc = ConfigDocument(text)
        second = {**NEW, "model_name": "zz-second"}
        new = apply_plan(doc, Plan([AddEntry(NEW, None, "x"), AddEntry(second, None, "x")]))
        assert new.startswith(expected_head), new
        assert yaml.safe_load(new)["model_list"] == [NEW, second]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model_list:\n  - model_name: a\n    litellm_params:\n    model: x\n   bad: [\n", ":4:"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("model_list: 5\n", "model_list must be a list"),
        ("a: 1\n---\nb: 2\n", "invalid YAML"),
    ],
)
def test_unreadable_configs_are_clear_errors(text: str, message: str):
    with pytest.raises(ConfigError, match=message):
        ConfigDocument(text)


def test_atomic_write_keeps_mode_follows_symlinks_and_backs_up(tmp_path: Path):
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "config.yaml"
    link.symlink_to(real)
    backup = write_atomic(link, "new\n", backup=True)
    assert link.is_symlink() and real.read_text() == "new\n"
    assert oct(real.stat().st_mode & 0o777) == "0o640"
    assert backup.read_text() == "old\n"
    assert not list(tmp_path.glob("*.llmsync-tmp"))


def test_duplicate_keys_edit_the_occurrence_litellm_reads():
    doc = ConfigDocument(
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: openrouter/a/a\n      input_cost_per_token: 1.0e-06\n      input_cost_per_token: 2.0e-06\n"
    )
    entry = doc.entries[0]
    assert entry.data["litellm_params"]["input_cost_per_token"] == 2e-06
    text = apply_plan(
        doc, Plan([SetField(entry, "litellm_params", "input_cost_per_token", 2e-06, 3e-06, "x")])
    )
    assert text.endswith("input_cost_per_token: 1.0e-06\n      input_cost_per_token: 3.0e-06\n")


@pytest.mark.parametrize(
    "value",
    [
        "on",
        "yes",
        "No",
        "1:30",
        "null",
        "~",
        "3e-06",
        "0755",
        "@at",
        "a: b",
        "x #y",
        " lead",
        "it's",
        "plain/id:free",
        "é",
    ],
)
def test_new_strings_read_back_as_the_same_string_with_pyyaml(value):
    from llmsync.document import EntryStyle, render_entry

    data = {"model_name": value, "litellm_params": {"model": f"openrouter/{value}"}}
    for quote in ("", "'", '"'):
        lines = render_entry(data, EntryStyle(quote=quote))
        assert yaml.safe_load("model_list:\n" + "\n".join(lines) + "\n")["model_list"] == [data]
