"""The compact templates (themes/default/compact) make pages that skip the compaction pass.

What the readable templates (themes/default/templates) render, through `compact_html`, is
the definition of what the compact ones must render by themselves, byte for byte: when a
template's markup changes, change both the same way (these tests name the page that differs).
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import render
from generator.compact import attribute_value, compact_html, compact_within
from generator.config import SiteConfig, load_config
from generator.load import load_archive
from generator.model import Archive, Attachment, build_archive
from generator.render import PROJECT_THEMES, Renderer, Theme, find_theme
from generator.slugs import unique_slugs
from tests.sitebuild import FIXTURES, build_site, copy_archive, tree_bytes

READABLE = PROJECT_THEMES / "default" / "templates"
SITES = ("archive", "browse", "pages-site", "search-archive")


def _pages(site: Path) -> dict[str, str]:
    return {
        path: data.decode("utf-8")
        for path, data in tree_bytes(site).items()
        if path.endswith(".html")
    }


@pytest.fixture(scope="module", params=SITES)
def builds(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """A fixture site built as published (the compacted pages noted), and with the readable
    templates as the site's own (so that every page is made from them and compacted)."""
    tmp = tmp_path_factory.mktemp(request.param)
    site = copy_archive(tmp, FIXTURES / request.param)
    compacted: list[str] = []

    def noting(html: str) -> str:
        compacted.append(html)
        return compact_html(html)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "compact_html", noting)
        published, _ = build_site(site, tmp / "published" / "_site", cache=False, jobs=1)
    shutil.copytree(READABLE, site / "templates")
    readable, _ = build_site(site, tmp / "readable" / "_site", cache=False, jobs=1)
    return _pages(published), _pages(readable), compacted


def test_every_page_is_its_readable_template_compacted(
    builds: tuple[dict[str, str], dict[str, str], list[str]],
) -> None:
    published, readable, _ = builds
    assert published.keys() == readable.keys()
    for path, html in published.items():
        assert html == readable[path], path


def test_pages_skip_the_pass_and_need_nothing_from_it(
    builds: tuple[dict[str, str], dict[str, str], list[str]],
) -> None:
    """Every page is already what `compact_html` makes of it; only pages showing a value
    with a line break (the department's chart, whose elements keep theirs) were made from
    the readable templates and went through it."""
    published, _, compacted = builds
    for path, html in published.items():
        assert compact_html(html) == html, path
    assert len(compacted) <= len(published) // 5
    assert all("\n" in html for html in compacted)


def test_a_site_with_its_own_templates_uses_the_readable_ones(tmp_path: Path) -> None:
    """A site's own templates (which may extend the project's) know nothing of compact
    markup: with one in place, every page comes from the readable templates, compacted."""
    site = copy_archive(tmp_path)
    assert find_theme(load_config(site / "site.yaml")).compact_dir is not None
    (site / "templates").mkdir()
    (site / "templates" / "page.html").write_text(
        '{% extends "base.html" %}{% block content %}\n<article>\n  {{ body|safe }}\n</article>'
        "\n{% endblock %}\n"
    )
    theme = find_theme(load_config(site / "site.yaml"))
    assert theme.compact_dir is None and theme.template_dirs[1] == READABLE
    out, _ = build_site(site, cache=False, jobs=1)
    page = (out / "questions" / "hc-2023-11-14-2154" / "index.html").read_text("utf-8")
    assert "<dt>UIN<dd>2154<dt>" in page and "</body>" not in page
    about = (out / "about" / "index.html").read_text("utf-8")
    assert "<article><h2>About the fixture</h2><p>A page" in about and "</article></main>" in about


def test_the_compact_templates_were_written_from_the_readable_ones_as_they_are() -> None:
    """Fails when a readable template changed without `make compact-sources` (after
    bringing the change into its compact copy, which the tests above check)."""
    assert render.stale_compact_templates(READABLE, render.COMPACT_TEMPLATES) == ()


def test_stale_compact_templates_names_what_changed(tmp_path: Path) -> None:
    readable, compact = tmp_path / "templates", tmp_path / "compact"
    shutil.copytree(READABLE, readable)
    shutil.copytree(render.COMPACT_TEMPLATES, compact)
    assert render.stale_compact_templates(readable, compact) == ()
    (readable / "question.html").write_text("changed", encoding="utf-8")
    (readable / "topic.html").unlink()
    (readable / "extra.html").write_text("new", encoding="utf-8")
    stale = render.stale_compact_templates(readable, compact)
    assert stale == ("extra.html", "question.html", "topic.html")
    (compact / render.COMPACT_SOURCES).unlink()
    assert len(render.stale_compact_templates(readable, compact)) == len(list(readable.iterdir()))


def test_an_edited_readable_template_shows_and_is_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fork that edits themes/default/templates/ alone still gets its edit: every page is
    then made from the readable templates, and the build says which ones changed."""
    themes = tmp_path / "themes"
    shutil.copytree(PROJECT_THEMES, themes)
    question = themes / "default" / "templates" / "question.html"
    question.write_text(
        question.read_text("utf-8").replace("{% block content %}", "{% block content %}forked"),
        encoding="utf-8",
    )
    monkeypatch.setattr(render, "PROJECT_THEMES", themes)
    monkeypatch.setattr(render, "COMPACT_TEMPLATES", themes / "default" / "compact")
    site = copy_archive(tmp_path)
    theme = find_theme(load_config(site / "site.yaml"))
    assert theme.compact_dir is None and theme.stale_compact == ("question.html",)
    out, result = build_site(site, cache=False, jobs=1)
    page = (out / "questions" / "hc-2023-11-14-2154" / "index.html").read_text("utf-8")
    assert "forked" in page and "<dt>UIN<dd>2154<dt>" in page
    assert [w for w in result.warnings if "question.html" in w and "compact" in w]


def test_attribute_values_are_quoted_as_the_pass_quotes_them() -> None:
    assert attribute_value("/a/b/") == "/a/b/"
    assert attribute_value("") == '""'
    for value in ("a b", "a=b", "`", "a\nb", "x\xa0y", "a\u2028b"):
        assert attribute_value(value) == f'"{value}"'
        assert (
            compact_html(f"<body><a href={attribute_value(value)}>") == f'<body><a href="{value}">'
        )


def test_fragments_are_compacted_in_their_place() -> None:
    answer = '\n<p>One</p>\n<ul>\n  <li>a</li>\n</ul>\n<p><a href="/x/">x</a></p>\n'
    placed = compact_within("<div class=answer-body>", answer, "</div>")
    assert placed == "<p>One<ul><li>a</ul><p><a href=/x/>x</a>"
    with pytest.raises(ValueError, match="compact markup"):
        compact_within('<div class="x">', answer, "</div>")


# Property: pages showing awkward values (line breaks, runs of white space, quotes, `<`,
# `=`, references to other questions) come out exactly as the readable templates compacted.

_TEXT = st.lists(
    st.sampled_from(
        [" ", "  ", "\t", "\n", "\n\n", " \n ", "\r", "\xa0", "\u2028", '"', "'", "<", ">", "&",
         "=", "`", "a", "Bé", "x y", "Schools:", "Question 2154", "·", "</p>", "<b>"]
    ),
    min_size=1,
    max_size=8,
).map("".join)  # fmt: skip
_MARKDOWN = st.lists(
    st.sampled_from(
        ["Text", " ", "\n", "\n\n", "  \n", "- item\n", "1. one\n", "    code  \n",
         "| a | b |\n|---|---|\n| 1 | 2 |\n", "**b**", "[l](https://x.example/a b)", "<i>",
         "Question 2154", "PQ 2155", "&", "\t"]
    ),
    max_size=8,
).map("".join)  # fmt: skip
_URL = st.sampled_from(["https://x.example/a", "https://x.example/?a=b", "", "a b", "/q/`x`"])


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteConfig, Archive, Path]:
    site = FIXTURES / "archive"
    archive = load_archive(site / "content", None, None, 1)
    return load_config(site / "site.yaml"), archive, tmp_path_factory.mktemp("compiled")


def _render(config: SiteConfig, archive: Archive, theme: Theme, compiled: Path) -> dict[str, str]:
    renderer = Renderer(config, archive, theme)
    renderer.cache_templates(compiled)  # (each example compiling them again was slow)
    return dict(renderer.render_all())


@given(
    title=_TEXT,
    text=_TEXT,
    names=st.tuples(_TEXT, _TEXT, _TEXT),
    answer=_MARKDOWN,
    original=st.none() | _MARKDOWN,
    urls=st.tuples(_URL, _URL),
)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_awkward_values_come_out_as_the_readable_templates_compacted(
    fixture_site: tuple[SiteConfig, Archive, Path],
    title: str,
    text: str,
    names: tuple[str, str, str],
    answer: str,
    original: str | None,
    urls: tuple[str, str],
) -> None:
    config, archive, compiled = fixture_site
    first = archive.questions[0]
    awkward = dataclasses.replace(
        first,
        id="hc-2099-01-01-1",
        uin="1",
        title=title,
        question=text,
        asked_by=names[0],
        answered_by=names[1],
        department=names[2],
        original_department=names[2],
        answer=answer,
        original_answer=original,
        corrected_on=date(2099, 1, 2) if original is not None else None,
        attachments=(Attachment(title, urls[0]),),
        source=urls[1] or None,
        truncated=True,
    )
    questions = [*archive.questions[:3], awkward]
    pages = [dataclasses.replace(page, title=title, body=answer) for page in archive.pages]
    changed = build_archive(questions, pages, unique_slugs([q.department for q in questions]))
    theme = find_theme(config)
    readable = Theme(theme.template_dirs, theme.static_dirs)
    assert theme.compact_dir is not None and readable.compact_dir is None
    published = _render(config, changed, theme, compiled)
    assert published == _render(config, changed, readable, compiled)


def _prepared_names(source: str) -> set[str]:
    """The names shown inside each `{% call prepared(...) %}` of a template, but for those
    the markup sets itself (loop variables)."""
    import jinja2

    tree = jinja2.Environment().parse(source)
    names: set[str] = set()
    for block in tree.find_all(jinja2.nodes.CallBlock):
        call = block.call
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "prepared":
            body = jinja2.nodes.Template(block.body)
            loaded = {n.name for n in body.find_all(jinja2.nodes.Name) if n.ctx == "load"}
            stored = {n.name for n in body.find_all(jinja2.nodes.Name) if n.ctx == "store"}
            names |= (loaded - stored) | {"prepared"}
    return names


def test_prepared_markup_shows_template_globals_only(
    fixture_site: tuple[SiteConfig, Archive, Path],
) -> None:
    """Markup in `{% call prepared(...) %}` is rendered once a build and shown on every
    page: it may show only what every page shares (the template globals), never a page's
    own values."""
    config, archive, _ = fixture_site
    renderer = Renderer(config, archive, find_theme(config))
    shown: set[str] = set()
    for template in render.COMPACT_TEMPLATES.glob("*.html"):
        shown |= _prepared_names(template.read_text("utf-8"))
    assert "href" in shown and "nav_pages" in shown  # the site's header is prepared
    assert shown <= set(renderer.env.globals)
    assert _prepared_names('{% call prepared("x") %}{{ q.title }}{% endcall %}') == {
        "q",
        "prepared",
    }


@pytest.mark.parametrize("title", ["About ", "Two\nlines", " About", "\nAbout", " \n About \n "])
def test_a_menu_title_the_pass_might_change_makes_readable_pages(
    fixture_site: tuple[SiteConfig, Archive, Path], title: str
) -> None:
    """A plain page's title is in the menu of the prepared header on every page (and
    nowhere else on most): when it holds a line break or blanks at its ends, every page
    is still what the readable templates make of it compacted, the header being reused
    with what it says of its values. So is the site's title, shown there too."""
    config, archive, compiled = fixture_site
    pages = [dataclasses.replace(page, title=title) for page in archive.pages]
    departments = unique_slugs([q.department for q in archive.questions])
    archive = build_archive(list(archive.questions), pages, departments)
    theme = find_theme(config)
    readable = Theme(theme.template_dirs, theme.static_dirs)
    published = _render(config, archive, theme, compiled)
    assert published == _render(config, archive, readable, compiled)
    question = published[archive.questions[0].url_path + "index.html"]
    assert title.strip().split()[0] in question.split("</nav>")[0]
    retitled = dataclasses.replace(config, title=title)
    assert _render(retitled, archive, theme, compiled) == _render(
        retitled, archive, readable, compiled
    )


@pytest.mark.parametrize("heading_level", [2, 3])
@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("show_asker", [False, True])
def test_list_items_are_the_readable_macro_compacted(
    heading_level: int, compact: bool, show_asker: bool
) -> None:
    """`Renderer.list_items`, which the compact `question_list` macro calls, makes what the
    readable macro makes, compacted: every status (with and without a badge), questions
    answered and not, with and without an asker and a UIN, and awkward text, which marks
    the page for the readable templates as any value shown by the compact ones does."""
    config = load_config(FIXTURES / "archive" / "site.yaml", required=True)
    archive = load_archive(FIXTURES / "archive" / "content")
    renderer = Renderer(config, archive, find_theme(config))
    first = archive.questions[0]
    questions = [
        dataclasses.replace(first, **{"id": f"q{n}", "status": status, **changes})
        for n, (status, changes) in enumerate(
            [
                ("answered", {}),
                ("holding", {"answered_on": None, "uin": None}),
                ("corrected", {"asked_by": None}),
                ("withdrawn", {"asked_by": ""}),
                ("unanswered", {"answered_on": None}),
                ("unknown", {"title": "A <b> & “quoted” title", "department": "D&D"}),
                ("answered", {"id": "an & odd id"}),  # an address escaped and quoted
            ]
        )
    ]
    entries = [(q, f"Extract {n} <i> &amp;") for n, q in enumerate(questions)]
    options = {"heading_level": heading_level, "compact": compact, "show_asker": show_asker}
    compact_list = renderer.env.get_template("_macros.html").module.question_list
    readable_list = renderer.readable_env().get_template("_macros.html").module.question_list
    renderer._loose = False
    made = str(compact_list(entries, **options))
    assert not renderer._loose
    expected = compact_within("<main>", str(readable_list(entries, **options)), "</main>")
    assert made == expected
    for awkward in ("Two\nlines", " edge", "edge\t"):
        renderer._loose = False
        odd = [(dataclasses.replace(first, title=awkward), "extract")]
        compact_list(odd, **options)
        assert renderer._loose, awkward
