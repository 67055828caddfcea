"""Rendering of the browsing pages: members, topics and the answered-by-date archive.

Every list comes ready-made from `browse.Browse`; this module only pages through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from generator.browse import Browse, Member, Month, Topic, Year
from generator.model import Link

if TYPE_CHECKING:
    from generator.render import Renderer

MEMBER_PREVIEW = 5


class BrowsePages:
    def __init__(self, renderer: Renderer, browse: Browse):
        self.renderer = renderer
        self.browse = browse

    def render(self, lists: bool = True) -> Iterator[tuple[str, str]]:
        """Every browsing page; `lists` False: without the members' and topics' pages
        (`lists()`), which a worker may render apart."""
        if lists:
            yield from self.lists()
        yield self.renderer._page("answered.html", "answered/", years=self.browse.years)
        for year in self.browse.years:
            yield from self.year_pages(year)

    def lists(self) -> Iterator[tuple[str, str]]:
        """Each member's and each topic's pages, then the members' and topics' indexes
        (about a third of the pages besides the questions', and of the time they take).

        The indexes come last, in the same process: an index's page key covers every member
        or topic whole (every question of each), which their own pages' keys have hashed by
        then (fingerprint.PageKeys remembers each object's hash), so it costs a lookup each
        instead of hashing them all again (a tenth of a CPU-second at 10,000 questions)."""
        page = self.renderer._page
        for member in self.browse.members:
            yield from self.member_pages(member)
        yield page("members.html", "members/", members=self.browse.members)
        for topic in self.browse.topics:
            yield from self.topic_pages(topic)
        yield page("topics.html", "topics/", topics=self.browse.topics)

    def member_pages(self, member: Member) -> Iterator[tuple[str, str]]:
        r = self.renderer
        feed = r.feed_link("members", member.slug, member.name)
        yield r._page(
            "member.html",
            member.url_path,
            member=member,
            asked=r.entries(member.asked[:MEMBER_PREVIEW]),
            answered=r.entries(member.answered[:MEMBER_PREVIEW]),
            feed=feed,
        )
        for role, questions in (("asked", member.asked), ("answered", member.answered)):
            if questions:
                yield from r.listing_pages(
                    "member_questions.html",
                    f"{member.url_path}{role}/",
                    questions,
                    member=Link.to(member),
                    role=role,
                    total=len(questions),
                    feed=feed,
                )

    def topic_pages(self, topic: Topic) -> Iterator[tuple[str, str]]:
        r = self.renderer
        feed = r.feed_link("topics", topic.slug, topic.name)
        yield from r.listing_pages(
            "topic.html", topic.url_path, topic.questions, topic=topic, subtopic=None, feed=feed
        )
        for subtopic in (s for s in topic.subtopics if s.has_page):
            yield from r.listing_pages(
                "topic.html",
                subtopic.url_path,
                subtopic.questions,
                topic=topic,
                subtopic=subtopic,
                feed=feed,
            )

    def year_pages(self, year: Year) -> Iterator[tuple[str, str]]:
        r = self.renderer
        yield r._page("answered_year.html", year.url_path, year=year)
        for month in year.months:
            yield from self.month_pages(year, month)

    def month_pages(self, year: Year, month: Month) -> Iterator[tuple[str, str]]:
        # A month's page shows its year's number and address, not the year's other months:
        # left out, an edit re-renders its own month's pages but no other month's.
        yield from self.renderer.listing_pages(
            "answered_month.html",
            month.url_path,
            month.questions,
            year=replace(year, months=()),
            month=month,
        )
