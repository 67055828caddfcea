"""The published HTML carries no template indentation, and pagers stay small."""

from __future__ import annotations

from generator.compact import compact_html
from generator.render import page_window


def test_indentation_and_blank_lines_are_dropped() -> None:
    html = "<ul>\n  <li>a</li>\n\n    <li>b</li>  \n</ul>\n"
    assert compact_html(html) == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"


def test_whitespace_within_a_line_is_kept() -> None:
    html = "<p>two  spaces <em>and</em>\n    a line</p>"
    assert compact_html(html) == "<p>two  spaces <em>and</em>\na line</p>"


def test_verbatim_elements_are_untouched() -> None:
    pre = "<pre class=x>\n    indented\n\n  code\n</pre>"
    area = "<TEXTAREA>\n  typed\n</TEXTAREA >"
    script = '<script type="module">\n  if (a)\n\n    b();\n</script>'
    html = f"<div>\n  {pre}\n  {area}\n  {script}\n  <p>\n    x\n  </p>\n</div>"
    assert compact_html(html) == f"<div>\n{pre}\n{area}\n{script}\n<p>\nx\n</p>\n</div>"


def test_compacting_twice_changes_nothing() -> None:
    html = "<div>\n  <pre>\n  a\n</pre>\n\n  <p> b </p>\n</div>\n"
    once = compact_html(html)
    assert compact_html(once) == once


def test_pager_window_shows_ends_and_neighbours() -> None:
    assert page_window(1, 1) == [1]
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(50, 400) == [1, 0, 48, 49, 50, 51, 52, 0, 400]
    assert page_window(3, 10) == [1, 2, 3, 4, 5, 0, 10]  # no "…" for a gap of one page
    assert page_window(10, 10) == [1, 0, 8, 9, 10]


def test_every_page_is_reachable_and_pagers_stay_small() -> None:
    for count in range(1, 120):
        reached, todo = {1}, [1]
        while todo:
            for number in page_window(todo.pop(), count):
                if number and number not in reached:
                    reached.add(number)
                    todo.append(number)
        assert reached == set(range(1, count + 1))
        assert all(len(page_window(n, count)) <= 9 for n in range(1, count + 1))
