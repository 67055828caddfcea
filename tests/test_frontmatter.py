import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.frontmatter import FrontMatterError, parse_document
from generator.synth import write_archive
from generator.yamltext import YamlSyntaxError, key_lines, load_yaml, simple_fields, simple_mapping


def test_fields_body_and_lines() -> None:
    document = parse_document("---\ntitle: A\nasked_on: 2021-10-15\n---\nBody\n")
    assert document.fields["title"] == "A"
    assert str(document.fields["asked_on"]) == "2021-10-15"
    assert document.lines == {"title": 2, "asked_on": 3}
    assert document.body == "Body\n"
    assert document.body_line == 5


def test_crlf_and_bom_are_accepted() -> None:
    document = parse_document("\ufeff---\r\ntitle: A\r\n---\r\nBody\r\n")
    assert document.fields == {"title": "A"}
    assert document.body == "Body\n"


def test_closing_marker_at_end_of_file() -> None:
    assert parse_document("---\ntitle: A\n---").body == ""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: A\n", 1, "must start with a '---' line"),
        ("---\ntitle: A\n", 1, "not closed"),
        ("---\ntitle: A\nquestion: [x\n---\n", 4, "YAML syntax error"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
        ("---\ntitle: A\ntitle: B\n---\n", 3, "title: field given twice"),
        ("---\ntitle: A\nasked_on: 2021-02-30\n---\n", 3, "impossible date 2021-02-30"),
        ("---\ntitle: A\x00\n---\n", 2, "NUL byte"),
    ],
)
def test_errors_have_lines(text: str, line: int, message: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_document(text)
    assert caught.value.line == line
    assert message in str(caught.value)


def test_pages_may_have_no_front_matter() -> None:
    document = parse_document("# About\n\nText\n", require_front_matter=False)
    assert document.fields == {}
    assert document.body.startswith("# About")


def _typed(value: Any) -> Any:
    """`value` with the type of everything in it, so 1 and True, or '1' and 1, differ."""
    if isinstance(value, dict):
        return [(key, _typed(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def _pyyaml(text: str) -> Any:
    try:
        return _typed(load_yaml(text))
    except YamlSyntaxError:
        return "error"


_KEYS = st.sampled_from(["title", "uin", "asked_on", "on", "Yes", "null", "a_1", "x-y", " k"])
_VALUES = st.sampled_from(
    ["'A'", "'it''s'", "''", "'a: b # c'", "'\u2028'", "'\x85'", "'\ufeff'", "'\t'", "2021-10-15",
     "2021-02-30", "2021-1-5", "0", "7", "0755", "12_000", "1.5", "Commons", "yes", "No", "~",
     "null", "a b", "a  b ", "a: b", "a:b", "a #b", "a#b", "a:", "https://x.uk/q?a=1", "-a", "[a]",
     "a, b", "£5", "\xa0a", "a\xa0", "é", "a\ufffe", '"q"', "a 'b'", "&x a", "*x", "!!str 5",
     "Sat", ".inf", "0x1F", "1:20", "=", "<<", ">", "|", "%a", "@a", "`a"]
)  # fmt: skip
_LINES = st.one_of(
    st.tuples(_KEYS, _VALUES).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(_KEYS, st.lists(_VALUES, max_size=3)).map(
        lambda kv: "\n".join([f"{kv[0]}:", *(f"- {item}" for item in kv[1])])
    ),
    st.sampled_from(["", "# note", "---", "  - a", "title:  A", "title:A", "- a"]),
)


# What generator/yamltext.py calls simple, as the regular expressions it once matched each
# line with (3.5 us a line): the string checks that replaced them must read exactly this.
_PLAIN = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff:#]"
_QUOTED = r"[^'\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
_VALUE = (
    rf"'((?:{_QUOTED}|'')*)'"
    r"|([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"|(0|[1-9][0-9]{0,17})"
    rf"|([A-Za-z](?:(?:{_PLAIN}|:(?=[^\s#]))*(?!\s){_PLAIN})?)"
)
_SIMPLE_LINE = re.compile(rf"([A-Za-z_][A-Za-z0-9_]*):(?: (?:{_VALUE}))?")
_ITEM_LINE = re.compile(rf"- (?:{_VALUE})")
_RESERVED = {"yes", "no", "true", "false", "on", "off", "null"}


def _reference_value(groups: tuple[str | None, ...]) -> Any:
    quoted, year, month, day, number, text = groups
    if quoted is not None:
        return quoted.replace("''", "'")
    if year is not None and month is not None and day is not None:
        return date(int(year), int(month), int(day))  # ValueError: not simple
    if number is not None:
        return int(number)
    if text is None or text.lower() in _RESERVED:
        raise ValueError(text)
    return text


def _reference_mapping(text: str) -> dict[str, Any] | None:
    """`simple_mapping` as the regular expressions read it (None: not simple)."""
    if not text.endswith("\n"):
        return None
    data: dict[str, Any] = {}
    items: list[Any] | None = None
    try:
        for line in text[:-1].split("\n"):
            item = _ITEM_LINE.fullmatch(line) if items is not None else None
            if item is not None and items is not None:
                items.append(_reference_value(item.groups()))
                continue
            if items == []:
                return None
            match = _SIMPLE_LINE.fullmatch(line)
            if match is None or match.group(1).lower() in _RESERVED:
                return None
            if match.group(2, 3, 5, 6, 7) == (None,) * 5:
                items = data[match.group(1)] = []
            else:
                items = None
                data[match.group(1)] = _reference_value(match.groups()[1:])
    except ValueError:
        return None
    return None if items == [] else data


@given(st.lists(_LINES, max_size=6).map(lambda lines: "".join(f"{line}\n" for line in lines)))
@settings(max_examples=2000, deadline=None)
def test_simple_front_matter_is_read_as_pyyaml_reads_it(text: str) -> None:
    """The shortcut for simple front matter gives PyYAML's values, types included, or leaves
    the text to PyYAML (None); it never reads what PyYAML would refuse."""
    fast = simple_mapping(text)
    if fast is not None:
        assert _typed(fast) == _pyyaml(text)


_TEXT = st.text(
    st.one_of(
        st.sampled_from("abzAZ_09-:#' \n\t\xa0\x85\u2028\u3000\ufeff\u0663é"),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)
_ANY_LINES = st.one_of(
    _LINES,
    st.tuples(_KEYS, _TEXT).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    _TEXT.map(lambda value: f"- {value}"),
    _TEXT,
)


@given(st.lists(_ANY_LINES, max_size=6).map(lambda lines: "".join(f"{line}\n" for line in lines)))
@settings(max_examples=2000, deadline=None)
def test_simple_fields_read_what_the_expressions_read(text: str) -> None:
    """`simple_fields` takes as simple exactly the text the regular expressions above match,
    with the same values and types, and each key's line as `key_lines` finds it."""
    expected = _reference_mapping(text)
    found = simple_fields(text)
    if expected is None:
        assert found is None
        return
    assert found is not None
    data, lines, repeats = found
    assert _typed(data) == _typed(expected)
    assert (lines, repeats) == key_lines(text)
    numbered = simple_fields(text, first_line=2)
    assert numbered is not None
    assert numbered[1] == {key: line + 1 for key, line in lines.items()}


@pytest.mark.parametrize(
    "value",
    ["'a''b'", "'''", "'a'b'", "2021-10-15", "2021-1-05", "2021-02-30", "0", "00", "1" * 18,
     "1" * 19, "\u0663", "a", "a:", "a:b", "a: b", "a:\u3000b", "a\u3000", "a#", "Yes", "yEs",
     "nO", "NULL", "a\x85", "a\u2028b", "'\ufeff'", "", "a b", "-a"],
)  # fmt: skip
def test_simple_values_match_the_expressions(value: str) -> None:
    for text in (f"key: {value}\n", f"key:\n- {value}\n", f"{value}: x\n"):
        expected = _reference_mapping(text)
        found = simple_mapping(text)
        assert (found is None) == (expected is None), text
        if found is not None:
            assert _typed(found) == _typed(expected)


def test_front_matter_as_written_takes_the_shortcut(tmp_path: Path) -> None:
    """`answers synth`'s front matter (the importer's fields and lists) is simple, or the
    shortcut would save nothing: every file is read without PyYAML but those with a YAML
    anchor (a date given twice), whose values match PyYAML's."""
    write_archive(tmp_path, 300, seed=1)
    texts = [p.read_text("utf-8") for p in sorted(tmp_path.rglob("*.md"))]
    fronts = [t[4 : t.index("\n---\n", 3) + 1] for t in texts if t.startswith("---\n")]
    simple = [f for f in fronts if "&id" not in f]
    assert len(fronts) > 250 and len(simple) > 0.85 * len(fronts)
    for front in simple:
        fast = simple_mapping(front)
        assert fast is not None, front
        assert _typed(fast) == _pyyaml(front)
