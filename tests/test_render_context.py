"""The template context's direct calls (generator/render.py `_Context`) behave as Jinja's own."""

from __future__ import annotations

from typing import Any

import jinja2

from generator.render import _Context

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
