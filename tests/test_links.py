"""References inside answers become links, on sanitised HTML, without ever creating markup."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import links
from generator.links import link_references, resolver
from generator.markup import sanitise
from generator.model import Question


def q(qid: str, uin: str, house: str = "Commons", answered_on: date | None = None) -> Question:
    return Question(
        id=qid, title="T", department="D", asked_on=date(2023, 1, 1), question="Q",
        uin=uin, house=house, answered_on=answered_on,
    )  # fmt: skip


SOURCE = q("source", "1")
TARGETS = [
    q("a2154", "2154", answered_on=date(2023, 11, 21)),
    q("old100", "100", answered_on=date(2022, 5, 17)),
    q("new100", "100", answered_on=date(2023, 9, 11)),
    q("lords", "HL1234", house="Lords"),
]
BY_UIN: dict[str, tuple[Question, ...]] = {}
for target in TARGETS:
    BY_UIN[target.uin or ""] = (*BY_UIN.get(target.uin or "", ()), target)


def link(fragment: str, source: Question = SOURCE) -> str:
    return link_references(fragment, resolver(BY_UIN, source), lambda t: f"/questions/{t.id}/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<p>See the Answer of 21 November 2023 to Question 2154.</p>",
            '<p>See the <a class="reference" href="/questions/a2154/">Answer of 21 November 2023'
            " to Question 2154</a>.</p>",
        ),
        (
            "<p>the answer I gave on 21 November 2023 to PQ 2154</p>",
            '<p>the <a class="reference" href="/questions/a2154/">answer I gave on 21 November'
            " 2023 to PQ 2154</a></p>",
        ),
        ("<p>PQ 2154</p>", '<p><a class="reference" href="/questions/a2154/">PQ 2154</a></p>'),
        ("<p>UIN 2154</p>", '<p><a class="reference" href="/questions/a2154/">UIN 2154</a></p>'),
        (
            "<p>Question&nbsp;2154</p>",
            '<p><a class="reference" href="/questions/a2154/">Question&nbsp;2154</a></p>',
        ),
        # A UIN used in two sessions: only a date settles it.
        ("<p>Question 100</p>", "<p>Question 100</p>"),
        (
            "<p>answer of 11 September 2023 to Question 100</p>",
            '<p><a class="reference" href="/questions/new100/">answer of 11 September 2023 to'
            " Question 100</a></p>",
        ),
        ("<p>PQ 99999 is not archived</p>", "<p>PQ 99999 is not archived</p>"),
        ("<p>PQ 21545</p>", "<p>PQ 21545</p>"),  # a longer number is another question
        ("<p>Question HL1234</p>", "<p>Question HL1234</p>"),  # other House
        ('<p><a href="https://x.test/">PQ 2154</a></p>',
         '<p><a href="https://x.test/">PQ 2154</a></p>'),
        ('<p><abbr title="PQ 2154">x</abbr></p>', '<p><abbr title="PQ 2154">x</abbr></p>'),
    ],
)  # fmt: skip
def test_references(text: str, expected: str) -> None:
    assert link(text) == expected


def test_lords_reference_from_a_lords_question() -> None:
    lords_source = q("ls", "HL1", house="Lords")
    assert link("<p>Question HL1234</p>", lords_source) == (
        '<p><a class="reference" href="/questions/lords/">Question HL1234</a></p>'
    )


def test_a_question_never_links_to_itself() -> None:
    assert link("<p>PQ 2154</p>", TARGETS[0]) == "<p>PQ 2154</p>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(attrs)))


def tags_of(fragment: str) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    parser = _Tags()
    parser.feed(fragment)
    return parser.tags


def test_hostile_answer_text_stays_text() -> None:
    raw = (
        '<script>alert("PQ 2154")</script> &lt;b&gt;PQ 2154&lt;/b&gt; '
        '<a title="x>PQ 2154" href="https://x.test/">y</a> PQ 2154" onmouseover="x'
    )
    html = link(sanitise(f"<p>{raw}</p>"))
    reference = ("a", (("class", "reference"), ("href", "/questions/a2154/")))
    assert tags_of(html) == [
        ("p", ()),
        reference,
        (
            "a",
            (
                ("title", "x>PQ 2154"),
                ("href", "https://x.test/"),
                ("rel", "noopener noreferrer nofollow"),
            ),
        ),
        reference,
    ]
    assert "alert" not in html and "&lt;b&gt;<a" in html


@given(st.lists(st.sampled_from([*"PQ 2154<>&\"'=/abcHL", "&lt;", "<a href='x'>", "</a>"])))
def test_linking_only_adds_reference_anchors(pieces: list[str]) -> None:
    clean = sanitise(f"<p>{''.join(pieces)}</p>")
    linked = link(clean)
    without = linked.replace('<a class="reference" href="/questions/a2154/">', "")
    assert without.replace("</a>", "") == clean.replace("</a>", "")


@given(
    st.lists(st.sampled_from(["uestion", "Question", "PQ", "UIN", "P", "Q", "U", "x", " "])).map(
        "".join
    )
    | st.text()
)
def test_may_link_looks_for_each_cue_word(text: str) -> None:
    assert links.may_link(text) == any(cue in text for cue in links._CUES)
