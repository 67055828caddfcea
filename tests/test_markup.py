from generator.markup import AnswerRenderer, extract, plain_text, sanitise


def test_markdown_lists_tables_and_links() -> None:
    html = AnswerRenderer().to_html(
        "Intro\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[GOV.UK](https://www.gov.uk/)"
    )
    assert "<li>one</li>" in html
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="Table"><table>' in html
    assert "<td>2</td>" in html
    assert '<a href="https://www.gov.uk/" rel="noopener noreferrer nofollow">GOV.UK</a>' in html


def test_scripts_handlers_and_bad_urls_are_removed() -> None:
    html = AnswerRenderer().to_html(
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">j</a><a href="data:text/html,x">d</a>'
        '<p style="background:url(x)" onclick="alert(4)">text</p><iframe src="https://x"></iframe>'
    )
    for bad in (
        "<script",
        "alert",
        "onerror",
        "javascript:",
        "data:",
        "style=",
        "onclick",
        "iframe",
    ):
        assert bad not in html
    assert "text" in html


def test_headings_start_below_the_page_heading() -> None:
    assert AnswerRenderer().to_html("# Heading") == "<h2>Heading</h2>"


def test_empty_answer_renders_nothing() -> None:
    assert AnswerRenderer().to_html("  \n") == ""


def test_sanitise_keeps_allowed_structure() -> None:
    kept = '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>'
    assert sanitise(kept) == kept


def test_plain_text_and_extract() -> None:
    assert plain_text("<p>One&amp;two</p><p>three</p>") == "One&two three"
    assert extract("alpha beta gamma", 100) == "alpha beta gamma"
    assert extract("alpha beta, gamma delta", 12) == "alpha beta…"


def test_links_whose_address_is_removed_keep_only_their_text() -> None:
    html = AnswerRenderer().to_html(
        '<p><a href="javascript:alert(1)" title="t">first</a> and '
        '<a href="https://www.gov.uk/">kept</a> and [third](vbscript:x)</p>'
    )
    assert "<a " not in html.replace('<a href="https://www.gov.uk/"', "")
    assert "first and " in html
    assert ">kept</a>" in html
    assert "third" in html
