"""The renderer's shortcuts around Jinja (generator/render.py) behave as Jinja's own."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from generator.config import load_config
from generator.fingerprint import PageKeys
from generator.load import load_archive
from generator.model import Question, _position
from generator.render import (
    _UIN_WORD,
    COMPACT_TEMPLATES,
    Renderer,
    _BytecodeCache,
    _Context,
    _Environment,
    escaped,
    find_theme,
    json_for_script,
    status_badge_element,
    time_element,
    without,
)

FIXTURE = Path(__file__).parent / "fixtures" / "archive"

TEMPLATE = """{% macro twice(x) %}{{ x }}{{ x }}{% endmacro -%}
{{ twice("a") }}|{{ shout("b") }}|{{ where() }}|{{ env_name() }}|{{ "c,d".split(",") }}|
{{ obj.method("e") }}|{{ stop() }}|{% for i in [1, 2] %}{{ loop_aware() }}{% endfor %}"""


class Thing:
    def method(self, text: str) -> str:
        return text.upper()

    @jinja2.pass_context
    def marked(self, context: Any) -> str:
        return str(context["name"])


def render(context_class: type[jinja2.runtime.Context]) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.Undefined)
    env.context_class = context_class

    def stop() -> str:
        raise StopIteration

    thing = Thing()
    env.globals.update(
        shout=str.upper,
        where=jinja2.pass_context(lambda context: context["name"]),
        env_name=jinja2.pass_environment(lambda environment: type(environment).__name__),
        obj=thing,
        stop=stop,
        loop_aware=thing.marked,
    )
    return env.from_string(TEMPLATE).render(name="<page>")


def test_direct_calls_render_what_jinja_renders() -> None:
    ours = render(_Context)
    assert ours == render(jinja2.runtime.Context)
    assert "aa|B|&lt;page&gt;|Environment|[&#39;c&#39;, &#39;d&#39;]|" in ours
    assert "E||&lt;page&gt;&lt;page&gt;" in ours


CALLS = """{% macro one(x) %}<{{ x }}>{% endmacro -%}
{% macro two(x, y="<d>") %}{{ x }}/{{ y }}{% endmacro -%}
{% macro rest() %}{{ varargs }}{{ kwargs }}{% endmacro -%}
{% macro wrap(x) %}[{{ caller(x) }}]{% endmacro -%}
{% macro named(caller=none) %}{{ caller() }}{% endmacro -%}
{{ one("<a>") }}|{{ one(x="<b>") }}|{{ two("<c>") }}|{{ two("e", "<f>") }}|{{ two("g", y=1) }}|
{{- rest(1, "<h>", k="<i>") }}|{{ one(none) }}|{{ one }}|
{%- for v in ["j", "<k>"] %}{{ one(v) }}{% endfor %}|
{%- call(v) wrap("<l>") %}{{ v }}!{% endcall %}|{{ named(one) }}|{% set m = one("<m>") %}{{ m }}"""


def test_macros_called_directly_render_what_jinja_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_Context.call` binds a macro's positional arguments itself when nothing else is
    needed: every kind of call renders as Jinja renders it, and plain calls skip
    `Macro.__call__`, whose cost is the point."""
    jinjas = jinja2.Environment(autoescape=True).from_string(CALLS).render()
    bound = []
    call = jinja2.runtime.Macro.__call__

    def counting(self: jinja2.runtime.Macro, *args: Any, **kwargs: Any) -> Any:
        bound.append(self.name)
        return call(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.runtime.Macro, "__call__", counting)
    ours = _Environment(autoescape=True)
    ours.context_class = _Context
    assert ours.from_string(CALLS).render() == jinjas
    assert "&lt;a&gt;" in jinjas and "&lt;l&gt;!" in jinjas
    # the calls of `one` not made directly: one(x=...), and one() as `named`'s caller
    assert bound.count("one") == 2
    assert {"two", "rest", "wrap", "named"} <= set(bound)
    with pytest.raises(TypeError, match="takes not more than"):
        ours.from_string(CALLS.split("-%}")[0] + "-%}{{ one(1, 2) }}").render()


class Attrs:
    title = "<t>"
    empty = None
    nested: ClassVar[dict[str, str]] = {"key": "<k>"}

    @property
    def broken(self) -> str:
        raise AttributeError("computed")

    def __getitem__(self, name: str) -> str:
        return f"item {name}"


LOOKUPS = """{{ a.title }}|{{ a.empty }}|{{ a.nested.key }}|{{ a.broken }}|{{ a.other }}|
{{- d.key }}|{{ d.get("key") }}|{{ made().title }}|{{ (a.title ~ "x").upper() }}|
{%- for x in [a, d] %}{{ x.key }}{% endfor %}|{{ a.nested.missing is defined }}|
{{- none.x is defined }}"""


def test_attributes_looked_up_by_getattr_give_what_jinja_gives() -> None:
    """`_CodeGenerator` compiles `obj.name` to Python's `getattr` with Jinja's lookup as
    the fallback: the same values (attributes, items of the name, undefined) and each
    object expression evaluated once."""
    made = []

    def make() -> Attrs:
        made.append(1)
        return Attrs()

    def run(kind: type[jinja2.Environment], undefined: type[jinja2.Undefined]) -> str:
        env = kind(autoescape=True, undefined=undefined)
        return env.from_string(LOOKUPS).render(a=Attrs(), d={"key": "<d>"}, made=make)

    ours = run(_Environment, jinja2.Undefined)
    assert ours == run(jinja2.Environment, jinja2.Undefined)
    assert made == [1, 1]
    assert ours.startswith("&lt;t&gt;|None|&lt;k&gt;|")
    assert "|item broken|item other|&lt;d&gt;|" in ours
    assert "getattr((" in _Environment().compile("{{ a.b }}", raw=True)
    strict = _Environment(undefined=jinja2.StrictUndefined).from_string("{{ a.nope.x }}")
    with pytest.raises(jinja2.UndefinedError, match="nope"):
        strict.render(a={})


NAMES = {
    "macros.html": "{% set shared = 'm<' %}"
    "{% macro show(x) %}{{ x }}{{ site }}{{ shared }}{% endmacro %}",
    "base.html": "{% set top = 'b<' %}<{% block body %}{{ top }}{{ site }}{% endblock %}>"
    "{% include 'part.html' %}{{ self.body() }}",
    "part.html": "{{ page }}{{ site }}{{ top is defined }}",
    "page.html": "{% extends 'base.html' %}{% from 'macros.html' import show %}"
    "{% set mine = page ~ '!' %}{% block body %}{{ super() }}{{ show(page) }}{{ mine }}"
    "{{ unknown is defined }}{% with page = 'w' %}{{ page }}{{ site }}{% endwith %}"
    "{% for site in [1] %}{{ site }}{% endfor %}{{ site }}{% endblock %}",
}


def test_names_resolved_by_dict_lookups_render_what_jinja_renders() -> None:
    """`_CodeGenerator` looks names up in the context's variables, then its parent's (the
    page's values and the globals), as `Context.resolve_or_missing` does."""

    def run(kind: type[jinja2.Environment]) -> str:
        env = kind(loader=jinja2.DictLoader(NAMES), autoescape=True)
        env.globals["site"] = "<s>"
        return env.get_template("page.html").render(page="<p>")

    ours = run(_Environment)
    assert ours == run(jinja2.Environment)
    assert "&lt;p&gt;&lt;s&gt;m&lt;" in ours and "False" in ours
    assert "resolve(" not in _Environment().compile(NAMES["page.html"], raw=True)
    with pytest.raises(jinja2.UndefinedError, match="nothing"):
        _Environment(undefined=jinja2.StrictUndefined).from_string("{{ nothing }}").render()


DIRECT = """{{ link("a") }}|{{ marked("b") }}|{{ shadowed("c") }}|{{ link(link("d")) }}|
{%- for x in ["e"] %}{{ link(x) }}{{ marked(x) }}{% endfor %}|{{ link(x="f") }}|{{ stop() }}|
{%- block b %}{{ link("g") }}{{ marked("h") }}{% endblock %}"""


def test_direct_calls_of_the_renderers_functions_render_what_jinja_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Calls of the functions named in `direct_calls` skip `context.call`; any other
    callable, even under a name a direct one has elsewhere, goes through it."""

    def link(x: str = "") -> str:
        return f"<{x}>"

    def stop() -> str:
        raise StopIteration

    values = dict(
        link=link,
        marked=jinja2.pass_context(lambda context, x: f"{x}{context['page']}"),
        shadowed=str.upper,
        stop=stop,
        page="!",
    )
    jinjas = jinja2.Environment(autoescape=True).from_string(DIRECT).render(values)
    ours = _Environment(autoescape=True)
    ours.context_class = _Context
    ours.direct_calls = frozenset([id(link)])
    through: list[Any] = []
    call = _Context.call

    def counting(self: _Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        through.append(obj)
        return call(self, obj, *args, **kwargs)

    monkeypatch.setattr(_Context, "call", counting)
    assert ours.from_string(DIRECT).render(values) == jinjas
    assert jinjas == "&lt;a&gt;|b!|C|&lt;&lt;d&gt;&gt;|&lt;e&gt;e!|&lt;f&gt;||&lt;g&gt;h!"
    assert through.count(link) == 1  # link(x=...): keyword arguments go through `call`
    assert "environment.direct_calls" in ours.compile(DIRECT, raw=True)


MACROS = """{% macro stamp(x) %}[{{ x }} {{ site }}]{% endmacro %}"""
PAGE = """{% from "macros.html" import stamp %}{{ stamp(title) }} {{ site }} {{ url("a") }}"""


def test_templates_with_globals_as_one_dict_render_the_same() -> None:
    def render(kind: type[jinja2.Environment]) -> tuple[list[str], type]:
        env = kind(loader=jinja2.DictLoader({"macros.html": MACROS, "page.html": PAGE}))
        env.globals.update(site="<Site>", url=lambda path: "/base/" + path)
        template = env.get_template("page.html")
        pages = [template.render(title=title) for title in ("One", "<b>Two</b>")]
        return pages, type(template.globals)

    ours, mapping = render(_Environment)
    assert ours == render(jinja2.Environment)[0]
    assert ours[1] == "[<b>Two</b> <Site>] <Site> /base/a"
    assert mapping is dict


class Html:
    def __html__(self) -> str:
        return "<i>made</i>"


VALUES: list[Any] = ["<a href='x'>&\"", Markup("<b>&amp;</b>"), 3, 2.5, None, True]
VALUES += [date(2024, 5, 1), ["<x>"], Html(), "", "é\u2028\n"]


@given(st.text() | st.sampled_from(VALUES))
def test_escaped_is_markupsafes_escape_as_text(value: Any) -> None:
    assert escaped(value) == str(escape(value))
    assert type(escaped("<&>")) is str  # no Markup object made for text


OUTPUT = """{{ text }}|{{ html }}|{{ number }}|{{ when }}|{{ items }}|{{ text|upper }}|
{%- macro wrap(x) %}<{{ x }}>{% endmacro %}{{ wrap(text) }}|
{%- set kept %}{{ text }}{% endset %}{{ kept }}|
{%- autoescape false %}{{ text }}{% endautoescape %}|{% filter upper %}{{ text }}{% endfilter %}|
{%- for x in items %}{{ loop.index }}{{ x }}{% endfor %}|{{ obj }}|{{ "<c>" }}|{{ "<d>"|safe }}"""


def test_values_compiled_as_one_output_call_render_what_jinja_renders() -> None:
    values = dict(text="<a & 'b'>", html=Markup("<b>"), number=7, when=date(2024, 5, 1))
    values |= dict(items=["<i>", Markup("<j>")], obj=Html())
    ours = _Environment(autoescape=True).from_string(OUTPUT)
    jinjas = jinja2.Environment(autoescape=True).from_string(OUTPUT)
    assert ours.render(values) == jinjas.render(values)
    source = _Environment(autoescape=True).compile(OUTPUT, raw=True)
    assert "yield environment.output(" in source
    assert "yield str(" in source  # outside autoescaping, as Jinja compiles it
    strict = _Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        strict.from_string("{{ missing }}").render()


def test_templates_compiled_by_jinjas_own_compiler_are_cached_apart(tmp_path: Path) -> None:
    ours, jinjas = _BytecodeCache(str(tmp_path)), jinja2.FileSystemBytecodeCache(str(tmp_path))
    assert ours.get_cache_key("page.html", "/t/page.html") != jinjas.get_cache_key(
        "page.html", "/t/page.html"
    )


# The former definition: tried at every character, since it starts with a lookbehind
_UIN_WORD_TRIED_EVERYWHERE = re.compile(r"(?<!\w)(?:HL)?\d{1,7}\b")


PIECES = ["H", "L", "HL", "1", "23", "4567890", "12345678", "a", "x", " ", "&nbsp;", ">"]
PIECES += ["<p>", "\n", "_", "\u0661", "\u00e9", "-", "."]  # \u0661: an Arabic-Indic digit


@given(st.lists(st.sampled_from(PIECES)).map("".join))
def test_uin_words_are_found_as_the_pattern_tried_everywhere_finds_them(text: str) -> None:
    assert _UIN_WORD.findall(text) == _UIN_WORD_TRIED_EVERYWHERE.findall(text)


def test_templates_are_loaded_once_unless_reloading_is_on() -> None:
    sources = {"page.html": "one"}
    env = _Environment(loader=jinja2.DictLoader(sources), auto_reload=False)
    first = env.get_template("page.html")
    sources["page.html"] = "two"
    assert env.get_template("page.html") is first
    assert first.render() == "one"
    reloading = _Environment(loader=jinja2.DictLoader(sources), auto_reload=True)
    reloading.get_template("page.html")
    sources["page.html"] = "three"
    assert reloading.get_template("page.html").render() == "three"  # as Jinja's own does


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    config = load_config(FIXTURE / "site.yaml")
    return Renderer(config, load_archive(FIXTURE / "content"), find_theme(config))


def test_the_href_filter_is_never_computed_when_compiling(renderer: Renderer) -> None:
    """A constant path's address must not be kept in a compiled template: the template
    cache outlives a change of `base_url`."""
    template = "<a href={{ 'departments/'|href }}>{{ q.url_path|href }}</a>"
    assert "/archive/departments/" not in renderer.env.compile(template, raw=True)
    page = renderer.env.from_string(template).render(q=renderer.archive.questions[0])
    assert page.startswith("<a href=/archive/departments/>/archive/questions/")


def test_answers_without_a_cue_word_reference_no_question(renderer: Renderer) -> None:
    """A number is linked only after "Question", "PQ" or "UIN" (generator/links.py), so an
    answer without one shows nothing of the question its numbers name, and its page's key
    leaves them out."""
    assert "2154" in renderer.archive.by_uin
    assert renderer._references("<p>Numbers rose by 2154 in 2023.</p>") == []
    cited = renderer._references("<p>As in answer to Question 2154, numbers rose.</p>")
    assert [word for word, _targets in cited] == ["2154"]


def test_question_keys_use_each_links_own_repr(renderer: Renderer) -> None:
    """A question page's key takes the repr of each link it shows from what `_link`
    remembered: the same text as the link's own repr, for every question."""
    for question in renderer.archive.questions:
        links = renderer.question_links(question)
        for link in links[:5]:
            if link is not None:
                part = renderer._link_parts[id(link)]
                assert ast.literal_eval(part.removesuffix("\0")) == repr(link)
                assert part == f"{repr(link)!r}\0"


@pytest.mark.parametrize("fixture", ["archive", "browse"])
def test_question_keys_are_their_parts_keys(fixture: str) -> None:
    """`question_key` writes its parts' reprs itself: the key `from_parts` makes of the
    parts (neighbours, five links, grouped questions, references), for every question."""
    site = FIXTURE.parent / fixture
    config = load_config(site / "site.yaml")
    renderer = Renderer(config, load_archive(site / "content"), find_theme(config))
    renderer.prepare_answers()
    keys = PageKeys(b"base", {q.id: q.id.encode() * 2 for q in renderer.archive.questions})
    renderer.use_page_keys(keys, {})
    checked = 0
    for question in renderer.archive.questions:
        if question.original_answer:
            continue
        older, newer = renderer.archive.neighbours(question)
        links = renderer.question_links(question)
        neighbours = [(q.url_path if q else None, keys.content(q)) for q in (older, newer)]
        references = renderer._references(renderer.fragments[question.id].html)
        parts = (neighbours, *map(repr_or_none, links[:5]), links.grouped, references)
        expected = keys.from_parts("question.html", question.url_path, question, parts)
        assert renderer.question_key(question, older, newer) == expected
        checked += 1
    assert checked >= 5


def repr_or_none(link: object) -> str | None:
    return None if link is None else repr(link)


def test_the_renderers_own_functions_are_called_directly(renderer: Renderer) -> None:
    names = ("url", "href", "abs_url", "time_element", "status_badge_element", "list_items")
    direct = frozenset(id(renderer.env.globals[name]) for name in names)
    assert renderer.env.direct_calls == direct
    assert renderer.readable_env().direct_calls == direct
    assert all(id(renderer.readable_env().globals[name]) in direct for name in names)


@pytest.fixture(scope="module")
def macros(renderer: Renderer) -> Any:
    """The compact templates' own macros, through Jinja's own environment."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(COMPACT_TEMPLATES)), autoescape=True
    )
    env.globals.update(renderer.env.globals)
    env.filters.update(renderer.env.filters)
    return env.get_template("_macros.html").module


@given(st.dates())
def test_time_elements_are_what_the_time_macro_makes(macros: Any, value: date) -> None:
    made = time_element(value)
    assert type(made) is Markup
    assert made == str(macros.time(value))


@pytest.mark.parametrize(
    "status", ["answered", "holding", "corrected", "withdrawn", "unanswered", "other", ""]
)
def test_status_badge_elements_are_what_the_macro_makes(macros: Any, status: str) -> None:
    made = status_badge_element(status)
    assert type(made) is Markup
    assert made == str(macros.status_badge(status))
    assert bool(made) == (status in ("holding", "corrected", "withdrawn", "unanswered"))


LD_TEXTS = st.text() | st.sampled_from(["", "A <b> & 'c' \"d\"", "\u2028\\\x00", "é ü ☃"])


@given(
    title=LD_TEXTS,
    department=LD_TEXTS,
    asker=st.none() | LD_TEXTS,
    answerer=st.none() | LD_TEXTS,
    status=st.sampled_from(["answered", "corrected", "holding", "withdrawn", "unanswered"]),
    asked=st.dates(),
    answered=st.none() | st.dates(),
    corrected=st.none() | st.dates(),
)
def test_json_ld_written_directly_is_the_encoders_text(
    renderer: Renderer,
    title: str,
    department: str,
    asker: str | None,
    answerer: str | None,
    status: str,
    asked: date,
    answered: date | None,
    corrected: date | None,
) -> None:
    question = Question(
        id="900", title=title, department=department, asked_on=asked, question="Q",
        asked_by=asker, answered_by=answerer, answered_on=answered, status=status,
        corrected_on=corrected,
    )  # fmt: skip
    expected = json_for_script(renderer.structured_data(question))
    assert renderer.json_ld(question) == expected


def test_json_ld_of_every_fixture_question_is_the_encoders_text(renderer: Renderer) -> None:
    for question in renderer.archive.questions:
        assert renderer.json_ld(question) == json_for_script(renderer.structured_data(question))


PARTS = st.recursive(
    st.none() | st.text() | st.binary() | st.integers(),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner),
    max_leaves=8,
)


@given(st.tuples(*[PARTS] * 4) | st.lists(PARTS, max_size=9).map(tuple))
def test_keys_from_parts_hash_each_parts_repr_and_a_nul(parts: tuple[Any, ...]) -> None:
    """`from_parts` hashes its parts in one update: the bytes of one update a part."""
    import hashlib

    question = Question(id="1", title="t", department="d", asked_on=date(2024, 1, 2), question="q")
    keys = PageKeys(b"base", {"1": b"content-hash"})
    h = hashlib.sha256(b"base")
    h.update(b"parts\0question.html\0questions/1/\0content-hash")
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    assert keys.from_parts("question.html", "questions/1/", question, parts) == h.digest()[:16]


def test_neighbours_are_found_where_a_linear_search_finds_them(renderer: Renderer) -> None:
    for department in renderer.archive.departments:
        siblings = department.questions
        for index, question in enumerate(siblings):
            assert _position(siblings, question) == index
            older, newer = renderer.archive.neighbours(question)
            assert older is (siblings[index + 1] if index + 1 < len(siblings) else None)
            assert newer is (siblings[index - 1] if index else None)


DASH = "\u2013"  # an en dash: base.html takes it, blanks and the title out of og:title


@given(
    st.text() | st.sampled_from([f"a {DASH} Site {DASH} Site", f"<b> {DASH} A&B", f" {DASH} "]),
    st.text() | st.sampled_from([f" {DASH} Site", f" {DASH} A&B", ""]),
    st.booleans(),
)
def test_without_is_jinjas_replace_by_nothing(title: str, text: str, markup: bool) -> None:
    value = Markup(escape(title)) if markup else title
    expected = jinja2.filters.do_replace(
        jinja2.nodes.EvalContext(jinja2.Environment(autoescape=True)), value, text, ""
    )
    made = without(value, text)
    assert made == expected
    assert type(made) is type(expected)
