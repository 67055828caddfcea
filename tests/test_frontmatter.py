import pytest

from generator.frontmatter import FrontMatterError, parse_document


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
