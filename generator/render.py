"""Rendering stage: the model becomes pages, as (output path, HTML) pairs.

Everything a template shows is computed here once (lists, counts, extracts, neighbours);
templates only lay it out.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import jinja2.compiler
from markupsafe import Markup, escape

try:  # the function markupsafe's `escape` wraps (in C when built with its extension)
    from markupsafe._speedups import _escape_inner as escape_text
except ImportError:  # pragma: no cover
    from markupsafe._native import _escape_inner as escape_text

from generator.browse import Browse, build_browse
from generator.browse_pages import BrowsePages
from generator.compact import attribute_value, compact_html, compact_paragraphs, compact_within
from generator.config import SiteConfig
from generator.downloads import archive_path, department_paths
from generator.errors import ArchiveError, Problem
from generator.feeds import FeedLink, archive_feed, full_content_ids, group_feed
from generator.figures import DEFINITIONS, Figures, department_figures
from generator.fingerprint import Entries, Made, PageKeys
from generator.links import link_references, may_link, resolver
from generator.markup import AnswerRenderer, Fragment, answer_fragment, extract, rebase_links
from generator.model import Archive, Department, Link, Question, neighbours_at
from generator.search import search_facets
from generator.write import UNCHANGED

PROJECT_THEMES = Path(__file__).resolve().parent.parent / "themes"
# The project's templates written as compact markup (see its base.html), and where its
# templates show HTML made elsewhere: before and after it in the compact templates.
COMPACT_TEMPLATES = PROJECT_THEMES / "default" / "compact"
# The readable templates the compact ones were written from, as `sha256sum` lists them.
COMPACT_SOURCES = "readable.sha256"
ANSWER_PLACE = ("<div class=answer-body>", "</div>")
PAGE_BODY_PLACE = ("</h1>", "</article>")
HOUSE_NAMES = {"Commons": "House of Commons", "Lords": "House of Lords"}


@functools.cache
def long_date(value: date | None) -> str:
    """'20 October 2021', the way the parliamentary sites write dates (remembered: a few
    thousand distinct dates are formatted about ten times a page)."""
    return f"{value.day} {value:%B %Y}" if value else ""


@functools.cache
def time_element(value: date) -> Markup:
    """What the compact `time` macro (`_macros.html`) makes of a date, made in Python and
    remembered: a question page shows three or four dates, each through a macro call
    (its arguments matched, a context and a join made) for markup that depends on the
    date alone, of which a build shows a few thousand. The compact question template
    calls it directly (`Renderer` lists it with the functions called without the
    context); tests/test_render_context.py compares it with the macro."""
    shown = escape_text(long_date(value))
    return _markup(f"<time datetime={escape_text(value.isoformat())}>{shown}</time>")


# What the compact `status_badge` macro (`_macros.html`) shows for each status (nothing for
# any other): the compact question template shows `status_badge_element(q.status)`, one
# dict lookup, instead of importing and calling the macro on every page.
_STATUS_BADGES = {
    "holding": "Holding answer",
    "corrected": "Corrected",
    "withdrawn": "Withdrawn",
    "unanswered": "Awaiting answer",
}


def status_badge_element(status: str) -> Markup:
    badge = _STATUS_BADGES.get(status)
    if badge is None:
        return _markup("")
    return _markup(f'<span class="badge badge-{status}">{badge}</span>')


class _Context(jinja2.runtime.Context):
    """Jinja's template context, calling plain callables without looking for marks.

    Every `url(...)`, macro and method call in a template goes through `Context.call`, which
    first asks the callable, and its `__call__`, for the mark `pass_context` and its kin leave
    (two failed attribute lookups); a question page makes about thirty calls, and this was a
    tenth of its rendering time. Macros, built-in methods and methods of unmarked functions
    can carry no mark, so they are called directly with the same arguments; anything else
    (a marked function, a callable object) goes through Jinja's own `call`.
    """

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        kind = type(obj)
        if not (
            kind is jinja2.runtime.Macro
            or kind is types.BuiltinMethodType
            or (
                kind is types.MethodType
                and type(obj.__func__) is types.FunctionType
                and not hasattr(obj.__func__, "jinja_pass_arg")
            )
        ):
            return super().call(obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        if kind is jinja2.runtime.Macro and not kwargs and _plain_call(obj, args):
            # What `Macro.__call__` does for this call, without matching names to arguments.
            html = obj._func(*args)
            return _markup(html) if obj._default_autoescape else html
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def _plain_call(macro: jinja2.runtime.Macro, args: tuple[Any, ...]) -> bool:
    """True when `macro(*args)` binds `args` to its arguments one to one: each argument
    given by position, and no `caller`, `varargs` or `kwargs` for Jinja to supply (a
    macro's call costs a tenth as much without working that out; most calls are such)."""
    return (
        len(args) == macro._argument_count
        and not macro.caller
        and not macro.catch_kwargs
        and not macro.catch_varargs
        and not macro._environment.is_async
    )


def _markup(text: str) -> Markup:
    """`Markup(text)` for a plain string (what a macro returns), made in C: `Markup`'s own
    constructor is Python code looking for `__html__` first."""
    return str.__new__(Markup, text)


class Compacted(Markup):
    """Safe HTML already as `compact_html` leaves it where the compact templates show it (an
    answer, a page's body), so left alone by `Renderer._finalize`; `readable()` makes the
    same HTML as the readable templates show it (seldom needed: made only then)."""

    readable: Callable[[], str]


def _compacted(compact: str, readable: Callable[[], str]) -> Compacted:
    value = Compacted(compact)
    value.readable = readable
    return value


def attribute(value: Any) -> Markup:
    """Jinja filter: `value` escaped as an attribute value in the body of a compact template,
    quoted only where `compact_html` would keep the quotes (`href={{ link|attribute }}`)."""
    text = escape(value)
    placed = attribute_value(text)
    return text if placed is text else Markup(placed)  # one Markup made, not two


def without(value: Any, text: Any) -> Any:
    """Jinja filter: `value|replace(text, "")` (every `text` taken out), in two C calls for
    the usual case, markup with text taken out of it (base.html's `og:title`, on every
    page), instead of Jinja's `replace` and `Markup.replace`'s Python calls (which escape
    the replacement, here nothing). Any other kind of value goes through `replace`."""
    if isinstance(value, Markup) and type(text) is str:
        return _markup(str.replace(value, text, ""))  # what `Markup.replace` does
    return jinja2.filters.do_replace(_AUTOESCAPED, value, text, "")


_AUTOESCAPED = jinja2.nodes.EvalContext(jinja2.Environment(autoescape=True))
_JINJA_GETATTR = jinja2.Environment.getattr


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, writing each `{{ value }}` of an autoescaped template as one call,
    `environment.output(value)`, instead of `escape(environment.finalize(value))`.

    A page shows about 150 values; each went through two Python functions and made a
    `Markup` object (a third, Python-level `__new__`) only to be joined into the page's text
    at once. `output` gives the same text (see `_Environment.output`) as a plain string in
    one call. Values outside autoescaping (`{% autoescape false %}`) compile as Jinja's do.
    """

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
        else:
            self.write("environment.output(")

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_post(node, frame, finalize)
        else:
            self.write(")")

    def enter_frame(self, frame: Any) -> None:
        """Each name a template, block or macro uses, looked up as `Context.resolve_or_missing`
        looks it up (the context's own variables, then its parent's: the page's values and
        the globals) by two dict lookups in C, not a Python call: a page makes about forty
        (a list page a few more for each status badge)."""
        if self.get_resolve_func() != "resolve":
            super().enter_frame(frame)
            return
        undefined = []
        for target, (action, param) in frame.symbols.loads.items():
            if action == jinja2.idtracking.VAR_LOAD_RESOLVE:
                self.writeline(f"{target} = context.vars.get({param!r}, missing)")
                self.writeline(f"if {target} is missing: ")
                self.write(f"{target} = context.parent.get({param!r}, missing)")
            elif action == jinja2.idtracking.VAR_LOAD_ALIAS:
                self.writeline(f"{target} = {param}")
            elif action == jinja2.idtracking.VAR_LOAD_UNDEFINED:
                undefined.append(target)
            elif action != jinja2.idtracking.VAR_LOAD_PARAMETER:
                raise NotImplementedError("unknown load instruction")
        if undefined:
            self.writeline(f"{' = '.join(undefined)} = missing")

    @jinja2.compiler.optimizeconst
    def visit_Call(self, node: jinja2.nodes.Call, frame: Any, forward_caller: bool = False) -> None:
        """`f(a, b)` called directly when `f` is one of the environment's `direct_calls`
        (the renderer's own `url`, `href` and `abs_url`, which carry no mark for the
        context), else through `context.call` as Jinja compiles it: a page makes about ten
        such calls, each 0.6 us through `context.call`, whatever it calls. The arguments
        are evaluated once either way; only calls with plain positional arguments."""
        if (
            forward_caller
            or node.kwargs
            or node.dyn_args
            or node.dyn_kwargs
            or self.environment.is_async
            or self.environment.sandboxed
        ):
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        callee = self.temporary_identifier()
        self.write(f"({callee}(")
        for number, arg in enumerate(node.args):
            self.write(", " if number else "")
            self.visit(arg, frame)
        self.write(f") if id({callee} := ")
        self.visit(node.node, frame)
        self.write(f") in environment.direct_calls else context.call({callee}")
        extra = {"_loop_vars": "_loop_vars"} if frame.loop_frame else {}
        if frame.block_frame:
            extra["_block_vars"] = "_block_vars"
        self.signature(node, frame, extra or None)
        self.write("))")

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node: jinja2.nodes.Getattr, frame: Any) -> None:
        """`obj.name` as Python's own `getattr(obj, name, missing)`, in C, falling back on
        `environment.getattr` (an item of that name, or undefined) only when the object has
        no such attribute: what `environment.getattr` returns in every case, without a
        Python call for each of the 60 or so attributes a page shows (a list entry, 8)."""
        if self.environment.is_async or type(self.environment).getattr is not _JINJA_GETATTR:
            super().visit_Getattr(node, frame)
            return
        found, obj = self.temporary_identifier(), self.temporary_identifier()
        self.write(f"({found} if ({found} := getattr(({obj} := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing")
        self.write(f" else environment.getattr({obj}, {node.attr!r}))")


def escaped(value: Any) -> str:
    """`str(escape(value))`, without the `Markup` object: text escaped (by markupsafe's own
    C function), markup as its `__html__` gives it, anything else as its text, escaped."""
    if value.__class__ is str:
        return escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return escape_text(str(value))


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds, apart from those of another compiler (a
    template compiled by `_CodeGenerator` calls `environment.output`, which Jinja's own
    environment lacks, and one compiled by Jinja's own lacks the speed-up). Change the
    number in the key whenever `_CodeGenerator` compiles anything differently."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{_CodeGenerator.__qualname__}-4\0{name}", filename)


class _Environment(jinja2.Environment):
    """Jinja's environment, giving each template its globals as one plain dict.

    Jinja gives every template a `ChainMap` of its own globals over the environment's, so
    that globals changed after a template is loaded still show; every page then copies that
    map through Python-level lookups (`new_context`), and every `{% from ... import %}`
    compares its keys through Python-level sets (`_get_default_module`): about a tenth of a
    question page's rendering. The renderer sets its globals before it loads any template
    and never changes them (as Jinja's documentation asks), so a dict made at load time
    holds the same values.
    """

    code_generator_class = _CodeGenerator
    output: Callable[[Any], str] = staticmethod(escaped)  # see _CodeGenerator
    # The ids of the global functions templates may call directly (see _CodeGenerator):
    # set by the renderer to its own, unmarked and kept alive by the globals.
    direct_calls: frozenset[int] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[str, jinja2.Template] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def _load_template(
        self, name: str, globals: MutableMapping[str, Any] | None
    ) -> jinja2.Template:
        """Each template loaded once, then found in a plain dict: Jinja's own cache makes a
        weak reference and takes a lock on every lookup, and a page looks up three (its
        own, the one it extends, the macros it imports). Templates do not change during a
        build (`auto_reload` off); with it on, or with extra globals, as Jinja does."""
        if globals or self.auto_reload:
            return super()._load_template(name, globals)
        found = self._loaded.get(name)
        if found is None:
            found = self._loaded[name] = super()._load_template(name, globals)
        return found


@dataclass(frozen=True)
class Theme:
    template_dirs: tuple[Path, ...]  # highest priority first
    static_dirs: tuple[Path, ...]  # lowest priority first: later ones override
    # The same templates written as compact markup, when the site replaces none of them.
    compact_dir: Path | None = None
    # Readable templates changed since their compact copies were written (so not used).
    stale_compact: tuple[str, ...] = ()

    @property
    def source_dirs(self) -> tuple[Path, ...]:
        """Every folder whose templates may make a page (for keys of what pages are made of)."""
        return self.template_dirs + ((self.compact_dir,) if self.compact_dir else ())


def find_theme(config: SiteConfig) -> Theme:
    """Site templates override the chosen theme, which overrides the default theme."""
    chosen = [config.site_root / "themes" / config.theme, PROJECT_THEMES / config.theme]
    theme_dir = next((d for d in chosen if (d / "templates").is_dir()), None)
    if theme_dir is None:
        raise ArchiveError(
            [Problem("site.yaml", None, f"theme: no theme named {config.theme!r} in themes/")]
        )
    layers = [config.site_root, theme_dir, PROJECT_THEMES / "default"]
    unique = list(dict.fromkeys(p.resolve() for p in layers))
    template_dirs = tuple(p / "templates" for p in unique if (p / "templates").is_dir())
    readable = PROJECT_THEMES / "default" / "templates"
    own = template_dirs == (readable,) and COMPACT_TEMPLATES.is_dir()
    stale = stale_compact_templates(readable, COMPACT_TEMPLATES) if own else ()
    return Theme(
        template_dirs=template_dirs,
        static_dirs=tuple(reversed([p / "static" for p in unique if (p / "static").is_dir()])),
        compact_dir=COMPACT_TEMPLATES if own and not stale else None,
        stale_compact=stale,
    )


def stale_compact_templates(readable: Path, compact: Path) -> tuple[str, ...]:
    """The readable templates that differ from those the compact copies were written from.

    Someone who edits `themes/default/templates/` in a fork and not its compact copy must
    still see the edit: the build then makes every page from the readable templates and
    compacts it (slower, same bytes), and says which templates to bring across.
    """
    recorded: dict[str, str] = {}
    listing = compact / COMPACT_SOURCES
    if listing.is_file():
        for line in listing.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            recorded[name] = digest
    names = sorted({p.name for p in readable.glob("*.html")} | set(recorded))
    return tuple(
        name
        for name in names
        if not (readable / name).is_file()
        or hashlib.sha256((readable / name).read_bytes()).hexdigest() != recorded.get(name)
    )


def compact_warning(theme: Theme) -> str | None:
    """What a build says when the compact templates were left aside as out of date."""
    if not theme.stale_compact:
        return None
    return (
        "warning: themes/default/templates/ changed since themes/default/compact/ was written "
        f"from it ({', '.join(theme.stale_compact)}): every page was made from the readable "
        "templates and compacted (the same pages, more slowly); bring the change into the "
        "compact copies, then run make compact-sources (docs/themes.md)"
    )


# What the compact `question_list` macro (`_macros.html`) shows after an entry's facts for a
# status with a badge: a space and the readable template's `status_badge` macro.
_LIST_BADGES = {status: f" {status_badge_element(status)}" for status in _STATUS_BADGES}


# `json.dumps` with these options makes a new encoder on every call (once a question page).
_SCRIPT_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_json_string = json.encoder.encode_basestring  # a JSON string as _SCRIPT_JSON writes it (in C)


def json_for_script(value: Any) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the element or open a comment."""
    text = _SCRIPT_JSON.encode(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# What generator/links.py could link: a UIN ((?:HL)?\d{1,7}) after a space or "&nbsp;" and
# before a word boundary; finding only these is cheaper than listing every word. Written to
# begin with the character class [H\d], which lets `re` skip to the places where a match
# can start instead of trying the pattern at every character: the same matches as
# `(?<!\w)(?:HL)?\d{1,7}\b` (tests/test_render_context.py), in half the time.
_UIN_WORD = re.compile(r"[H\d](?<!\w.)(?:(?<=H)L\d{1,7}|(?<=\d)\d{0,6})\b")
_HREFS_KEPT = 4096
_NO_LINK = f"{None!r}\0"  # a link a question page does not show, as a part of its key
_ID = attrgetter("id")
PAGER_RADIUS = 2  # pages linked either side of the current one


def page_window(number: int, count: int) -> list[int]:
    """Page numbers for a pager: the first, the last and those near `number`; 0 marks a gap.

    Linking every page from every page grows with the square of a list's length (a big
    department's pager would outweigh its questions); a window keeps each pager small while
    every page stays reachable through its neighbours.
    """
    near = range(max(1, number - PAGER_RADIUS), min(count, number + PAGER_RADIUS) + 1)
    shown = sorted({1, count, *near})
    window: list[int] = []
    for page in shown:
        if window and page == window[-1] + 2:
            window.append(page - 1)  # a gap of one page: show the page rather than "…"
        elif window and page > window[-1] + 2:
            window.append(0)
        window.append(page)
    return window


class Renderer:
    def __init__(
        self,
        config: SiteConfig,
        archive: Archive,
        theme: Theme,
        browse: Browse | None = None,
        figures: dict[str, Figures] | None = None,
        feed_content_ids: frozenset[str] | None = None,
    ):
        self.config = config
        self.archive = archive
        self.browse = browse if browse is not None else build_browse(archive)
        self.figures = figures if figures is not None else department_figures(archive)
        self.answers = AnswerRenderer()
        self.fragments: Mapping[str, Fragment] = {}
        self.extracts: dict[str, str] = {}
        self.feed_contents: dict[str, str] = {}  # answer HTML for the feeds that carry it
        self._feed_content_ids = (
            feed_content_ids if feed_content_ids is not None else full_content_ids(archive)
        )
        self._links: dict[int, tuple[Any, Link]] = {}  # see _link
        # Each of those links' repr as a page key's part, by the link's id (see question_key)
        self._link_parts: dict[int, str] = {}
        self._places: dict[int, tuple[Any, dict[str, int]]] = {}  # see `neighbours`
        self._feeds: dict[tuple[str, str, str], FeedLink] = {}
        self.page_keys: PageKeys | None = None
        self.previous_keys: Mapping[str, bytes] = {}
        self.new_keys: dict[str, bytes] = {}  # page keys of this build, by file
        # The only pages to make (their addresses), or None for all: an edit's fast path
        # (generator/edits.py) makes the few pages that show what it changed.
        self.only: frozenset[str] | None = None
        # Pages come from the compact templates when the theme has them (no compaction pass),
        # else from the readable ones, compacted; `readable_env` makes the pages that the
        # compact templates cannot (see `_finalize`).
        self.compact_templates = theme.compact_dir is not None
        self._loose = False  # the page being rendered shows a value the pass might change
        self._readable_dirs = theme.template_dirs
        self._readable_env: _Environment | None = None
        self._hrefs: dict[str, Markup] = {}  # see `href`
        self._prepared: dict[str, tuple[str, bool]] = {}  # see `prepared`
        self.env = self._environment(
            (theme.compact_dir,) if theme.compact_dir else theme.template_dirs,
            compact=self.compact_templates,
        )
        self.env.globals.update(
            site=config,
            url=self.url,
            href=self.href,
            prepared=self.prepared,
            list_items=self.list_items,
            abs_url=config.absolute_url,
            time_element=time_element,
            status_badge_element=status_badge_element,
            asset=self._asset_urls(theme),
            house_name=HOUSE_NAMES,
            archive_feed=archive_feed(config),
            definitions=DEFINITIONS,
            nav_pages=[(p.title, p.url_path) for p in archive.pages if "/" not in p.slug],
        )
        direct = (
            "url",
            "href",
            "abs_url",
            "time_element",
            "status_badge_element",
            "list_items",
        )
        self._direct_calls = frozenset(id(self.env.globals[f]) for f in direct)
        self.env.direct_calls = self._direct_calls

    def _environment(self, folders: Sequence[Path], compact: bool) -> _Environment:
        env = _Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in folders]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # templates do not change during a build: no stat per page
            finalize=self._finalize if compact else None,
        )
        env.context_class = _Context
        if compact:
            env.output = self._output
        env.filters["long_date"] = long_date
        env.filters["attribute"] = attribute
        env.filters["without"] = without
        # `path|href`: `href(path)` without the context's call; marked as needing the
        # context so that Jinja never computes it when compiling (a constant path would
        # keep the base URL of the build that compiled it in the template cache).
        env.filters["href"] = jinja2.pass_context(lambda _context, path: self.href(path))
        return env

    def readable_env(self) -> _Environment:
        """The readable templates, with the same globals and compiled-template cache, made
        when a page first needs them."""
        if self._readable_env is None:
            env = self._environment(self._readable_dirs, compact=False)
            env.globals.update(self.env.globals)
            env.direct_calls = self._direct_calls
            env.bytecode_cache = self.env.bytecode_cache
            self._readable_env = env
        return self._readable_env

    def url(self, path: str = "") -> str:
        """A root-relative link that works at a domain root and under a project subpath."""
        return self.config.base_path + path.lstrip("/")

    def href(self, path: str = "") -> Markup:
        """`url(path)` as an attribute value in the body of a compact template (`attribute`);
        remembered, since many pages show the same links (the menu, departments, topics),
        and forgotten by the thousand (each question's own is shown on a few pages only)."""
        found = self._hrefs.get(path)
        if found is None:
            if len(self._hrefs) >= _HREFS_KEPT:
                self._hrefs.clear()
            found = self._hrefs[path] = attribute(self.url(path))
        return found

    def prepared(self, name: str, caller: Callable[[], str]) -> str:
        """`{% call prepared(name) %}...{% endcall %}`: markup that shows template globals
        only (the site's header), rendered by the first page that shows it and then reused
        by every page of the build: it is the same on every page, and cost about a tenth of
        a question page's rendering. Whether it held a value the compaction pass might change
        (see `_finalize`) is remembered with it, so the pages showing it still go the
        readable way then. The names such markup may show are checked by
        tests/test_compact_templates.py."""
        found = self._prepared.get(name)
        if found is None:
            loose, self._loose = self._loose, False
            found = self._prepared[name] = (caller(), self._loose)
            self._loose = loose
        if found[1]:
            self._loose = True
        return found[0]

    def _finalize(self, value: Any) -> Any:
        """The compact templates' hook on every `{{ ... }}`: notes a value the pass might change
        (for the values `_CodeGenerator` compiles as Jinja does; `_output` checks the others).

        The compact templates write what the pass makes of the readable ones only as long as
        no value holds a line break or starts or ends with blanks (which the pass may merge
        with the readable markup's line breaks, or drop beside a block); such a value, rare
        in titles and names, has the page made from the readable templates and compacted.
        Only text is looked at: markup is the templates' own (a macro's or block's output,
        whose values were looked at inside) or `Compacted` HTML, compacted where it goes.
        """
        if value.__class__ is str and ("\n" in value or len(value.strip(" \t")) != len(value)):
            self._loose = True
        return value

    def _output(self, value: Any) -> str:
        """The compact templates' `{{ value }}` (see `_CodeGenerator`): `_finalize`'s check,
        then `escaped(value)`, in one call."""
        if value.__class__ is str:
            if "\n" in value or len(value.strip(" \t")) != len(value):
                self._loose = True
            return escape_text(value)
        return escaped(value)

    def _asset_urls(self, theme: Theme) -> dict[str, str]:
        """Static files with a content hash in the query, so browsers may cache them for long."""
        urls: dict[str, str] = {}
        for folder in theme.static_dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    name = path.relative_to(folder).as_posix()
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
                    urls[name] = f"{self.url('static/' + name)}?v={digest}"
        return urls

    def cache_templates(self, folder: Path) -> None:
        """Keep compiled templates between builds (jinja2 checks each against its source)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.env.bytecode_cache = _BytecodeCache(str(folder))

    def compile_templates(self) -> None:
        """Compile every template now, so forked workers share them instead of each compiling.

        A template that does not compile is left for the page using it to report.
        """
        for name in self.env.list_templates(extensions=["html"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                continue

    def use_page_keys(self, keys: PageKeys, previous: Mapping[str, bytes]) -> None:
        """Skip rendering pages whose key is `previous`'s for their file (see fingerprint.py)."""
        self.page_keys = keys
        self.previous_keys = previous

    def _page(
        self, template: str, path: str, keyed: bool = False, **context: Any
    ) -> tuple[str, str]:
        """Render a page unless it is reusable; `keyed`: its key is already recorded."""
        context.setdefault("feed", None)
        context.setdefault("og_type", "website")
        context["canonical"] = path
        written = f"{path}index.html" if path.endswith("/") or not path else path
        if self.only is not None and path not in self.only:
            return written, UNCHANGED
        # (the key covers HTML from outside the templates as made, not as compacted)
        if not keyed and self.reusable(template, written, _readable(context)):
            return written, UNCHANGED
        compiled = self.env.get_template(template)
        self._loose = False
        html = compiled.render(**context)
        if not self.compact_templates:
            return written, compact_html(html)
        if self._loose:
            readable = self.readable_env().get_template(template)
            html = compact_html(readable.render(**_readable(context)))
        return written, html

    def reusable(self, kind: str, written: str, inputs: Mapping[str, Any]) -> bool:
        """True when the file already in the output folder was made from exactly `inputs`.

        Records the file's key for the next build either way (no key: always remade).
        """
        if self.page_keys is None:
            return False
        key = self.page_keys.key(kind, written, inputs)
        if key is None:
            return False
        self.new_keys[written] = key
        return self.previous_keys.get(written) == key

    def base_key_parts(self) -> list[Any]:
        """What every page shows besides its context: the template globals."""
        names = ("site", "asset", "house_name", "archive_feed", "definitions", "nav_pages")
        return [(name, self.env.globals[name]) for name in names]

    def prepare_answers(self, fragments: Mapping[str, Fragment] | None = None) -> None:
        """Every answer's HTML, extract and (for the feeds that carry it) linked HTML, up front.

        Listing pages need every question's extract, so these are made before any page;
        `fragments` (question id -> answer HTML and its text) may come from the build cache
        or from worker processes, and anything missing from it is rendered here.
        """
        known = dict(fragments or {})
        for question in self.archive.questions:
            fragment = known.get(question.id)
            if fragment is None:
                fragment = known[question.id] = answer_fragment(self.answers, question.answer)
            summary = fragment.text if fragment.html else question.question
            self.extracts[question.id] = extract(summary, self.config.extract_length)
            if question.id in self._feed_content_ids:
                self.feed_contents[question.id] = self.link_references(question, fragment.html)
        self.fragments = known

    def render_all(self) -> Iterator[tuple[str, str]]:
        for question in self.archive.questions:
            yield self.question_page(question)
        yield from self.other_pages()

    def other_pages(self, lists: bool = True) -> Iterator[tuple[str, str]]:
        """Every page but the question pages, which workers may render apart; `lists`
        False: without the members' and topics' pages either (`list_pages`)."""
        if not self.fragments and self.archive.questions:
            self.prepare_answers()
        for department in self.archive.departments:
            yield from self.department_pages(department)
        yield self._page("departments.html", "departments/", departments=self.department_rows())
        yield self.home_page()
        for page in self.archive.pages:
            body = rebase_links(self.answers.to_html(page.body), self.config.base_path)
            yield self._page("page.html", page.url_path, page=page, body=self.page_body(body))
        yield self._page("404.html", "404.html")
        yield self.search_page()
        yield from BrowsePages(self, self.browse).render(lists)

    def list_pages(self) -> Iterator[tuple[str, str]]:
        """The members' and topics' pages and their indexes, which `other_pages(lists=False)`
        leaves out."""
        return BrowsePages(self, self.browse).lists()

    def link_references(self, question: Question, fragment: str, compact: bool = False) -> str:
        """Sanitised answer HTML with references to archived questions linked (their
        attributes as `compact_html` writes them, if `compact`)."""
        resolve = resolver(self.archive.by_uin, question)
        return link_references(fragment, resolve, lambda q: self.url(q.url_path), compact)

    def page_body(self, body: str) -> Markup:
        """A plain page's HTML for page.html: for the compact template, compacted where it
        goes, with the line breaks the readable template puts around it."""
        if not self.compact_templates:
            return Markup(body)
        placed = compact_within(PAGE_BODY_PLACE[0], f"\n{body}\n", PAGE_BODY_PLACE[1])
        return _compacted(placed, lambda: body)

    def answer_html(self, question: Question, fragment: str) -> Markup:
        """An answer's HTML for its question page, references linked: for the compact
        template, compacted where it goes (once, rather than as part of every page)."""
        if not self.compact_templates or not fragment:
            return Markup(self.link_references(question, fragment))
        placed = compact_paragraphs(fragment)  # most answers: plain paragraphs
        if placed is None:
            placed = compact_within(ANSWER_PLACE[0], fragment, ANSWER_PLACE[1])
        return _compacted(
            self.link_references(question, placed, compact=True),
            lambda: self.link_references(question, fragment),
        )

    def question_page(self, question: Question) -> tuple[str, str]:
        if not self.fragments:
            self.prepare_answers()
        older, newer = self.neighbours(question)
        written = question.url_path + "index.html"
        links = self.question_links(question)
        key = self.question_key(question, older, newer, links)
        if key is not None:
            self.new_keys[written] = key
            if self.previous_keys.get(written) == key:
                return written, UNCHANGED
        answer_html = self.answer_html(question, self.fragments[question.id].html)
        department = self.archive.department_of[question.id]
        answered_month = (
            f"answered/{question.answered_on.year}/{question.answered_on.month:02d}/"
            if question.answered_on and question.status != "withdrawn"
            else None
        )
        original = question.original_answer
        return self._page(
            "question.html",
            question.url_path,
            q=question,
            answer_html=answer_html,
            original_answer_html=(
                self.answer_html(question, self.answers.to_html(original)) if original else ""
            ),
            department=links.department,
            older=older,
            newer=newer,
            grouped=links.grouped,
            citation=self.citation(question),
            asker=links.asker,
            answerer=links.answerer,
            topic=links.topic,
            subtopic=links.subtopic,
            answered_month=answered_month,
            json_ld=self.json_ld(question),
            feed=self.feed_link("departments", department.slug, department.name),
            og_type="article",
            keyed=key is not None,
        )

    def neighbours(self, question: Question) -> tuple[Question | None, Question | None]:
        """`archive.neighbours(question)`, from each department's places found once: a full
        build shows every question's neighbours, and the binary search costs a dozen
        property calls a page. The places are not made where only some pages are (an
        edit's fast path, whose department lists load their questions as they are read)."""
        siblings = self.archive.department_of[question.id].questions
        if self.only is not None or type(siblings) is not tuple:
            return self.archive.neighbours(question)
        known = self._places.get(id(siblings))
        if known is None:
            places = {q.id: index for index, q in enumerate(siblings)}
            known = self._places[id(siblings)] = (siblings, places)  # keeps the ids unique
        return neighbours_at(siblings, known[1][question.id])

    def question_links(self, question: Question) -> QuestionLinks:
        """What a question page links to besides its neighbours; each `Link` made once per
        department, member and topic in a build (a page shows five), not once a page."""
        topic, subtopic = self.browse.topic_of[question.id]
        return QuestionLinks(
            self._link(self.archive.department_of[question.id]),
            self._link(self.browse.asker_of.get(question.id)),
            self._link(self.browse.answerer_of.get(question.id)),
            self._link(topic),
            self._link(subtopic),
            self.grouped_links(question),
        )

    def _link(self, target: Any) -> Any:
        """`Link.to(target)` (None for None), remembered by the target's identity."""
        if target is None:
            return None
        known = self._links.get(id(target))
        if known is None:
            link = Link.to(target)
            known = self._links[id(target)] = (target, link)  # keeps the ids unique
            self._link_parts[id(link)] = f"{repr(link)!r}\0"  # as from_parts has it
        return known[1]

    def question_key(
        self,
        question: Question,
        older: Question | None,
        newer: Question | None,
        links: QuestionLinks | None = None,
    ) -> bytes | None:
        """The question page's key from content hashes and links, without its context.

        Building and hashing a question page's context costs about a millisecond (answer
        links, citation, JSON-LD); this key covers the same inputs from what they are made
        of: the question's content hash (its answer, hence its extract, included), its
        neighbours' hashes, the links it shows (department, topic, members, grouped UINs)
        and, for every word of its answer that is an archived UIN, those questions' ids,
        Houses, answer dates and addresses (what reference links resolve to). A rendered
        original answer would need Markdown to find its references: such pages (few) are
        keyed by their context instead. None: no key, the page is rendered.
        """
        keys = self.page_keys
        if keys is None or question.original_answer:
            return None
        neighbours = []
        for other in (older, newer):
            content = keys.content(other)
            if other is not None and content is None:
                return None
            neighbours.append((other.url_path if other else None, content))
        links = links or self.question_links(question)
        # The parts' reprs as `from_parts` hashes them (each followed by a NUL), the five
        # links' taken from what `_link` made of each (a dataclass's repr costs 2 us, the
        # repr of that text another; a page shows five links).
        shown = self._link_parts
        reprs = (
            f"{neighbours!r}\0"
            + "".join(
                [
                    _NO_LINK if link is None else shown.get(id(link)) or f"{link!r}\0"
                    for link in links[:5]
                ]
            )
            + f"{links.grouped!r}\0{self._references(self.fragments[question.id].html)!r}\0"
        )
        return keys.from_reprs("question.html", question.url_path, question, reprs)

    def _references(self, fragment: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """What each archived UIN named in `fragment` could link to (see generator/links.py:
        a reference's number is always a whole word of the answer's text, after a space);
        nothing when the answer holds no word a reference starts with (most answers), so
        that no other question can change what its page shows."""
        if not may_link(fragment):
            return []
        by_uin = self.archive.by_uin
        found = []
        for word in sorted(set(_UIN_WORD.findall(fragment))):
            targets = by_uin.get(word)
            if targets:
                found.append((word, [(q.id, q.house, q.answered_on, q.url_path) for q in targets]))
        return found

    def grouped_links(self, question: Question) -> list[tuple[str, str | None]]:
        """Grouped UINs, both ways, each with a link when exactly that question is archived."""
        return [
            (link.uin, self.url(link.question.url_path) if link.question else None)
            for link in self.browse.groups.get(question.id, ())
        ]

    def structured_data(self, question: Question) -> dict[str, Any]:
        """schema.org `Question` with its `acceptedAnswer` (not QAPage: no user answers here).

        Without `text` (optional in schema.org for both types): the page shows the question
        and answer in full, and even extracts of them in every page's head cost about 500
        bytes per answered question (30 MB over a year of questions). Likewise without
        `inLanguage` (the page's `lang` says it) or an `url` for the answer (it is on the
        question's page, whose `url` is given). The department it is `about` is its name,
        as text: schema.org accepts text wherever it expects a thing, and the typed object
        (`GovernmentOrganization`) cost 46 bytes more on every question page.
        """
        url = self.config.absolute_url(question.url_path)
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Question",
            "name": question.title,
            "url": url,
            "dateCreated": question.asked_on.isoformat(),
            "about": question.department,
            "answerCount": 0,
        }
        if question.asked_by:
            data["author"] = {"@type": "Person", "name": question.asked_by}
        if question.answered_on and question.status in ("answered", "corrected"):
            answer: dict[str, Any] = {
                "@type": "Answer",
                "dateCreated": question.answered_on.isoformat(),
            }
            if question.corrected_on:
                answer["dateModified"] = question.corrected_on.isoformat()
            if question.answered_by:
                answer["author"] = {"@type": "Person", "name": question.answered_by}
            data["answerCount"] = 1
            data["acceptedAnswer"] = answer
        return data

    def json_ld(self, question: Question) -> str:
        """`json_for_script(self.structured_data(question))`, written directly: the dict and
        the encoder's sorting and walking cost more than the text (its keys are fixed, so
        their order is known; only the strings need JSON's escaping). The same text in
        every case (tests/test_render_context.py compares the two)."""
        text = _json_string
        url = text(self.config.absolute_url(question.url_path))
        about, created = text(question.department), question.asked_on.isoformat()
        accepted = ""
        count = "0"
        if question.answered_on and question.status in ("answered", "corrected"):
            count = "1"
            by = question.answered_by
            accepted = (
                '"acceptedAnswer":{"@type":"Answer",'
                + (f'"author":{{"@type":"Person","name":{text(by)}}},' if by else "")
                + f'"dateCreated":"{question.answered_on.isoformat()}"'
                + (
                    f',"dateModified":"{question.corrected_on.isoformat()}"'
                    if question.corrected_on
                    else ""
                )
                + "},"
            )
        asker = question.asked_by
        author = f'"author":{{"@type":"Person","name":{text(asker)}}},' if asker else ""
        data = (
            f'{{"@context":"https://schema.org","@type":"Question","about":{about},{accepted}'
            f'"answerCount":{count},{author}"dateCreated":"{created}",'
            f'"name":{text(question.title)},"url":{url}}}'
        )
        return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def citation(self, question: Question) -> str:
        parts = [f"“{question.title}”"]
        house = HOUSE_NAMES.get(question.house or "", "UK Parliament")
        parts.append(f"{house} written question {question.uin}" if question.uin else house)
        asked = f"asked by {question.asked_by} " if question.asked_by else "asked "
        parts.append(f"{asked}on {long_date(question.asked_on)}")
        if question.answered_on:
            by = f" by {question.answered_by}" if question.answered_by else ""
            parts.append(
                f"answered{by} ({question.department}) on {long_date(question.answered_on)}"
            )
        cite = ", ".join(parts)
        return f"{cite}. {self.config.title}, {self.config.absolute_url(question.url_path)}"

    def department_pages(self, department: Department) -> Iterator[tuple[str, str]]:
        yield from self.listing_pages(
            "department.html",
            department.url_path,
            department.questions,
            department=Link.to(department),
            total=len(department.questions),
            figures=self.figures[department.name],
            downloads=department_paths(department),
            feed=group_feed("departments", department.slug, department.name, self.config),
        )

    def listing_pages(
        self, template: str, first: str, questions: Sequence[Question], **context: Any
    ) -> Iterator[tuple[str, str]]:
        """A list of questions, newest first, `per_page` to a page (`first`, then page/<n>/)."""
        per_page = self.config.per_page
        count = max(1, -(-len(questions) // per_page))
        for number in range(1, count + 1):
            path = self.listing_path(first, number)
            if self.only is not None and path not in self.only:
                continue
            chunk = questions[(number - 1) * per_page : number * per_page]
            yield self._page(
                template,
                path,
                entries=self.entries(chunk),
                pagination=self.pagination(first, number, count),
                **context,
            )

    def list_items(
        self,
        entries: Iterable[tuple[Question, str]],
        level: str,
        compact: bool,
        show_asker: bool,
    ) -> Markup:
        """The items of a list of questions as the compact `question_list` macro shows them
        (`_macros.html`), made here for the whole list in one call: a list page shows fifty,
        each about twenty template steps, and they were half of the departments' and
        months' pages' rendering and a third of the members' and topics'. Every value goes
        through `_output`, as each `{{ value }}` of the compact templates does (escaped,
        and noted when the compaction pass might change it, so such a page is still made
        the readable way); tests/test_compact_templates.py compares every page with its
        readable template's, compacted, and these items with the readable macro's."""
        out = self._output
        url = self.url
        level = out(level)
        parts = []
        for question, summary in entries:
            # `href(question.url_path)`'s text, made without its cache of links: a question's
            # own is shown in a few lists only, far apart, so it would miss and push out
            # the links every page shows (tests/test_compact_templates.py compares the two)
            href = attribute_value(escape_text(url(question.url_path)))
            parts.append(f"<li><h{level}><a href={href}>{out(question.title)}</a></h{level}><p>")
            if question.answered_on:
                parts.append(f"Answered {out(long_date(question.answered_on))}")
            else:
                parts.append(f"Asked {out(long_date(question.asked_on))}")
            if question.asked_by and show_asker:
                parts.append(f" · asked by {out(question.asked_by)}")
            if question.uin:
                parts.append(f" · UIN {out(question.uin)}")
            if compact:
                parts.append(f" · {out(question.department)}")
            badge = _LIST_BADGES.get(question.status)
            if badge is not None:
                parts.append(badge)
            if not compact:
                parts.append(f"<p>{out(summary)}")
        return _markup("".join(parts))

    def entries(self, questions: Sequence[Question]) -> Entries:
        """Each question with its extract, as every list shows it (by C loops: a list page
        has fifty); keyed by the questions alone (see `fingerprint.Entries`)."""
        extracts = map(self.extracts.__getitem__, map(_ID, questions))
        return Entries(zip(questions, extracts, strict=True))

    def feed_link(self, kind: str, slug: str, name: str) -> FeedLink:
        known = self._feeds.get((kind, slug, name))
        if known is None:
            known = self._feeds[kind, slug, name] = group_feed(kind, slug, name, self.config)
        return known

    def expected_pages(self) -> int:
        """How many pages render_all will yield, for the progress count."""
        per_page = self.config.per_page

        def pages(questions: Sequence[Question]) -> int:
            return max(1, -(-len(questions) // per_page))

        browse = self.browse
        return (
            len(self.archive.questions)
            + sum(pages(d.questions) for d in self.archive.departments)
            + len(self.archive.pages)
            + 4  # departments index, home, 404, search
            + 3  # members, topics and answered indexes
            + sum(1 + pages(m.asked) * bool(m.asked) + pages(m.answered) * bool(m.answered)
                  for m in browse.members)
            + sum(pages(t.questions) + sum(pages(s.questions) for s in t.subtopics if s.has_page)
                  for t in browse.topics)
            + sum(1 + sum(pages(m.questions) for m in y.months) for y in browse.years)
        )  # fmt: skip

    @staticmethod
    def listing_path(first: str, number: int) -> str:
        return first if number == 1 else f"{first}page/{number}/"

    def pagination(self, first: str, number: int, count: int) -> Made:
        """A list page's pager, keyed by these three values (see `fingerprint.Made`)."""

        def link(n: int) -> str:
            return self.url(self.listing_path(first, n))

        return Made(
            (first, number, count),
            {
                "number": number,
                "count": count,
                "previous": link(number - 1) if number > 1 else None,
                "next": link(number + 1) if number < count else None,
                "pages": [(n, link(n) if n else "") for n in page_window(number, count)],
            },
        )

    def department_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "department": d,
                "count": len(d.questions),
                "latest": d.questions[0].sort_date,
                "figures": self.figures[d.name],
            }
            for d in self.archive.departments
        ]

    def search_page(self) -> tuple[str, str]:
        """The search page; its filter options are counted here, its results in the browser."""
        return self._page(
            "search.html",
            "search/",
            facets=search_facets(self.archive),
            question_count=len(self.archive.questions),
        )

    def home_page(self) -> tuple[str, str]:
        latest = self.archive.questions[: self.config.latest_count]
        return self._page(
            "index.html",
            "",
            latest=[(q, self.extracts[q.id]) for q in latest],
            departments=self.department_rows(),
            question_count=len(self.archive.questions),
            feed=archive_feed(self.config),
            archive_download=archive_path(),
        )


def _readable(context: dict[str, Any]) -> dict[str, Any]:
    """`context` with `Compacted` HTML as the readable templates show it."""
    if not any(type(value) is Compacted for value in context.values()):
        return context
    return {k: Markup(v.readable()) if type(v) is Compacted else v for k, v in context.items()}


class QuestionLinks(NamedTuple):
    """What a question page links to besides its neighbours (see `Renderer.question_links`)."""

    department: Link
    asker: Link | None
    answerer: Link | None
    topic: Link
    subtopic: Link | None
    grouped: list[tuple[str, str | None]]
