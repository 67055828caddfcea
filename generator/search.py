"""Search stage: the model becomes a Lunr index and a compact document store for the browser.

The index is built here with lunr.py and searched in the browser with lunr.js 2.3.9, so
every text-processing step must give the same terms on both sides. Two things make that
true (and tests prove it):

- `normalise`, a pipeline function registered as `answersNormalise` here and in
  `themes/default/static/search.js`, runs first in the index pipeline and the search
  pipeline. It makes this archive's tokens findable: "£51.3" -> "51.3", "children's" ->
  "children", "2023/24" and "2023<en dash>24" -> "2023", "24" (as lunr's tokenizer already
  does for "2023-24"), "1,000" -> "1000"; and it trims punctuation the same way in both
  languages.
- `js_stemmer`, lunr.py's Porter stemmer with lunr.js's final-"y" rule, labelled "stemmer"
  so that the serialised index names lunr.js's own stemmer. It is not registered globally:
  lunr.py's registry keeps its own "stemmer", and `load_index` rebuilds the right pipeline.

The rest of the module is a plain model -> records -> files flow; the files are the
term-chunked index of `generator/search_chunks.py`. `build_index` builds the same index
monolithically with lunr.py: the reference the chunked search is tested against.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from lunr.builder import Builder
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.stemmer import PorterStemmer
from lunr.stop_word_filter import WORDS as STOP_WORDS
from lunr.stop_word_filter import stop_word_filter
from lunr.token_set import TokenSet

from generator.markup import AnswerRenderer, Fragment, extract, plain_text
from generator.model import Archive, Question

NORMALISE_LABEL = "answersNormalise"
# Snippet sources: as long as the extracts on list pages (`extract_length`'s default). The
# results page shows at most 220 characters of one; longer sources only let it move its
# window to a later match, at 280 bytes a question in every document shard.
QUESTION_SNIPPET = 160
ANSWER_SNIPPET = 160

# A heading match beats everything; a UIN or a name is nearly as telling; the long answer
# text matters least (its many words would otherwise drown the heading).
FIELD_BOOSTS: tuple[tuple[str, int], ...] = (
    ("title", 10),
    ("uin", 8),
    ("asked_by", 4),
    ("answered_by", 3),
    ("department", 3),
    ("question", 2),
    ("answer", 1),
)

_APOSTROPHES = re.compile("[\u2018\u2019\u02bc`\u00b4]")
# Unicode spaces lunr.js's query lexer splits on but lunr.py's tokenizer does not, dashes
# other than "-", and "/" ("2023/24", "and/or") all split a token into parts.
_SPLIT = re.compile(
    "[/\u2010-\u2015\u2212\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
)
_DIGIT_GROUP = re.compile(r"(\d),(?=\d{3}(?!\d))")
# A word character: ASCII letters and digits, or anything from U+00C0 up except the
# general punctuation, currency and symbol blocks and UTF-16 surrogates. Defined by code
# point ranges, not by a Unicode database, so Python and JavaScript agree on every character
# (JavaScript sees a character beyond U+FFFF as two surrogates: neither side keeps it at an
# edge of a word).
_WORD_CHAR = (
    "0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u2070-\u209f\u2c00-\u2dff"
    "\u3040-\ud7ff\ue000-\ufefe"
)
_TRIM = re.compile(f"^[^{_WORD_CHAR}]+|[^{_WORD_CHAR}]+$")
_POSSESSIVE = re.compile("'s$")
# Most tokens need one pattern, not five: ASCII letters and digits (and full stops between
# them: "51.3", "e.g"), or a number in groups of three digits ("22,896"), perhaps between
# brackets, quotes, a currency sign or a sentence's punctuation. Their one term is that
# middle part, without the commas of a number: no apostrophe or slash to treat, and only
# punctuation trimmed.
_PLAIN = re.compile(
    '[(\\["£$]*(?:([0-9a-z](?:[0-9a-z.]*[0-9a-z])?)|([0-9]{1,3}(?:,[0-9]{3})+))[.,:;!?)\\]"]*'
)


def normalise_term(term: str) -> list[str]:
    """The terms one lower-cased token stands for (mirrored exactly by search.js)."""
    plain = _PLAIN.fullmatch(term)
    if plain is None:
        return _normalise(term)
    return [plain[1] or plain[2].replace(",", "")]


def _normalise(term: str) -> list[str]:
    """`normalise_term` step by step: what search.js does."""
    text = _DIGIT_GROUP.sub(r"\1", _APOSTROPHES.sub("'", term))
    terms = []
    for part in _SPLIT.split(text):
        word = _TRIM.sub("", _POSSESSIVE.sub("", _TRIM.sub("", part)))
        if word:
            terms.append(word)
    return terms


def normalise(token: Any, i: int | None = None, tokens: Any = None) -> list[Any]:
    """Pipeline function: a token becomes zero or more normalised tokens."""
    return [token.clone(lambda _s, _m, word=word: word) for word in normalise_term(str(token))]


class JsCompatPorterStemmer(PorterStemmer):  # type: ignore[misc]
    """lunr.py's stemmer turns a final "y" into "i" after any vowel-containing stem
    ("deploy" -> "deploi"); lunr.js 2.3.9 does so only after a consonant
    (/^(.+?[^aeiou])y$/). The browser stems queries with lunr.js, so the index must too."""

    b: str  # the word being stemmed (lunr.py's name)
    k: int  # index of its current last character

    def step1c(self) -> None:
        if self.b[self.k] == "y" and self.k >= 2 and self.b[self.k - 1] not in "aeiou":
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1 :]


_PORTER = JsCompatPorterStemmer()


def js_stemmer(token: Any, i: int | None = None, tokens: Any = None) -> Any:
    return token.update(_PORTER.stem)


# Serialised as "stemmer" so lunr.js uses its own stemmer; deliberately not registered,
# so lunr.py's global registry (and anyone else using lunr.py) keeps the original.
js_stemmer.label = "stemmer"  # type: ignore[attr-defined]


def register_pipeline() -> None:
    """Register `answersNormalise` with lunr.py (a new label, so nothing is overwritten).

    lunr.py only needs it registered to serialise and load it by name; doing it here rather
    than at import keeps importing this module free of side effects on lunr.
    """
    if Pipeline.registered_functions.get(NORMALISE_LABEL) is not normalise:
        Pipeline.register_function(normalise, NORMALISE_LABEL)


def index_pipeline() -> list[Callable[..., Any]]:
    return [normalise, stop_word_filter, js_stemmer]


def index_terms(token: str) -> list[str]:
    """The terms `index_pipeline()` makes of one lower-cased token, computed without lunr's
    Token and Pipeline objects (a third of the cost of a token's first sight in a cold
    build): each function of the pipeline maps a token to zero or more tokens on its own,
    so running them in turn on one token's words is what the pipeline does
    (tests/test_search_index.py compares the two)."""
    return [_stem(word) for word in normalise_term(token) if word not in STOP_WORDS]


def _stem(word: str) -> str:
    """The stemmer's result. A word ending in a digit is its own: every rule of the stemmer
    needs the word to end in a letter. Numbers and codes (amounts, UINs) are many of the
    words a cold build stems, at about 10 microseconds each."""
    return word if word[-1] in "0123456789" else str(_PORTER.stem(word))


def search_pipeline() -> list[Callable[..., Any]]:
    return [normalise, js_stemmer]


Fields = tuple[tuple[str, str], ...]  # (field name, plain text), in FIELD_BOOSTS order


@dataclass(frozen=True)
class SearchRecord:
    """One question as the search sees it: indexed fields plus what a result shows."""

    ref: str
    url: str
    fields: Fields
    title: str
    department: str
    department_slug: str
    house: str
    status: str
    asked_on: str
    answered_on: str
    asked_by: str
    uin: str
    question_snippet: str
    answer_snippet: str


def search_records(
    archive: Archive, fragments: Mapping[str, Fragment] | None = None
) -> tuple[SearchRecord, ...]:
    """Every question, newest first (the order filter-only results are listed in).

    `fragments` (question id -> rendered answer) are the answers the pages were made from:
    their text is what rendering the Markdown again would give, at a fraction of the cost.
    """
    answers = AnswerRenderer()
    known = fragments or {}
    return tuple(
        _record(question, archive.department_of[question.id].slug, answers, known.get(question.id))
        for question in archive.questions
    )


class LazyRecords(Sequence[SearchRecord]):
    """`search_records` made one at a time as asked for, never all held at once.

    The index reads the records in a few passes (terms, then results and filters); holding
    them all would add about 1.7 KB a question to the build's peak, while making one again
    costs a few microseconds.
    """

    def __init__(self, archive: Archive, fragments: Mapping[str, Fragment]):
        self.archive = archive
        self.fragments = fragments
        self.answers = AnswerRenderer()

    def __len__(self) -> int:
        return len(self.archive.questions)

    @overload
    def __getitem__(self, index: int) -> SearchRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SearchRecord]: ...

    def __getitem__(self, index: int | slice) -> SearchRecord | Sequence[SearchRecord]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        question = self.archive.questions[index]
        slug = self.archive.department_of[question.id].slug
        return _record(question, slug, self.answers, self.fragments.get(question.id))

    def fields(self, index: int) -> Fields:
        """`self[index].fields` alone: what the index's terms are made of."""
        question = self.archive.questions[index]
        fragment = self.fragments.get(question.id)
        return _fields(question, _answer_text(question, self.answers, fragment))

    def row(self, index: int, departments: Mapping[str, int]) -> list[str | int]:
        """`self[index]`'s row in a document shard (`result_row`), made without the record:
        a frozen record's 14 fields cost more to set than the row does to make, and a
        whole index makes a row of every question."""
        question = self.archive.questions[index]
        text = _answer_text(question, self.answers, self.fragments.get(question.id))
        return [
            question.id, question.url_path, question.title, departments[question.department],
            question.house or "", question.status, question.asked_on.isoformat(),
            question.answered_on.isoformat() if question.answered_on else "",
            question.asked_by or "", question.uin or "",
            extract(question.question, QUESTION_SNIPPET), extract(text, ANSWER_SNIPPET),
        ]  # fmt: skip


def _answer_text(question: Question, answers: AnswerRenderer, fragment: Fragment | None) -> str:
    """The visible text of the answer: the rendered fragment's, or rendered here."""
    if fragment is not None:
        return fragment.text
    return plain_text(answers.to_html(question.answer)) if question.answer else ""


def _fields(question: Question, answer_text: str) -> Fields:
    return (
        ("title", question.title),
        ("uin", question.uin or ""),
        ("asked_by", question.asked_by or ""),
        ("answered_by", question.answered_by or ""),
        ("department", question.department),
        ("question", question.question),
        ("answer", answer_text),
    )


def _record(
    question: Question, department_slug: str, answers: AnswerRenderer, fragment: Fragment | None
) -> SearchRecord:
    text = _answer_text(question, answers, fragment)
    return SearchRecord(
        ref=question.id,
        url=question.url_path,
        fields=_fields(question, text),
        title=question.title,
        department=question.department,
        department_slug=department_slug,
        house=question.house or "",
        status=question.status,
        asked_on=question.asked_on.isoformat(),
        answered_on=question.answered_on.isoformat() if question.answered_on else "",
        asked_by=question.asked_by or "",
        uin=question.uin or "",
        question_snippet=extract(question.question, QUESTION_SNIPPET),
        answer_snippet=extract(text, ANSWER_SNIPPET),
    )


def build_index(records: Iterable[SearchRecord]) -> Index:
    """A lunr.py index whose terms and scores lunr.js reproduces exactly."""
    register_pipeline()
    builder = Builder()
    builder.pipeline.add(*index_pipeline())
    builder.search_pipeline.add(*search_pipeline())
    builder.ref("ref")
    for name, boost in FIELD_BOOSTS:
        builder.field(name, boost=boost)
    for record in records:
        builder.add({"ref": record.ref, **dict(record.fields)})
    if builder.document_count == 0:
        # lunr.py divides by the document count; an archive with no questions yet still
        # gets a valid (empty) index, so its search page works and says so.
        return Index(
            inverted_index={},
            field_vectors={},
            token_set=TokenSet.from_list([]),
            fields=[name for name, _boost in FIELD_BOOSTS],
            pipeline=builder.search_pipeline,
        )
    return builder.build()


def load_index(data: dict[str, Any]) -> Index:
    """Load a serialised index for searching in Python with the same pipeline as the build."""
    register_pipeline()
    index = Index.load(data)
    index.pipeline = Pipeline()
    index.pipeline.add(*search_pipeline())
    return index


# The columns of a document shard row (`result_row`; generator/search_chunks.py).
STORE_COLUMNS = (
    "ref", "url", "title", "department", "house", "status", "asked_on", "answered_on",
    "asked_by", "uin", "question", "answer",
)  # fmt: skip


def result_row(record: SearchRecord, department: int) -> list[str | int]:
    """What a result shows, in STORE_COLUMNS order; `department`: its index in the
    manifest's list (`LazyRecords.row` makes the same row from the question itself)."""
    return [
        record.ref, record.url, record.title, department, record.house, record.status,
        record.asked_on, record.answered_on, record.asked_by, record.uin,
        record.question_snippet, record.answer_snippet,
    ]  # fmt: skip


def to_json_bytes(data: Any) -> bytes:
    """Compact, key-sorted JSON: the same input always gives the same bytes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def search_files(
    archive: Archive, fragments: Mapping[str, Fragment] | None = None
) -> Iterator[tuple[str, bytes]]:
    """The files under `_site/search/` (besides the page itself), as (path, bytes): the
    term-chunked index of generator/search_chunks.py."""
    # Imported here: search_chunks builds on this module's records and pipeline.
    from generator.search_chunks import chunked_files

    yield from chunked_files(LazyRecords(archive, fragments or {}))


@dataclass(frozen=True)
class Facet:
    value: str  # what the URL and the filter use
    label: str
    count: int


@dataclass(frozen=True)
class SearchFacets:
    """The filter options the search page offers, computed once from the model."""

    departments: tuple[Facet, ...]
    houses: tuple[Facet, ...]
    years: tuple[Facet, ...]  # year answered, newest first
    statuses: tuple[Facet, ...]


STATUS_LABELS = {
    "answered": "Answered",
    "unanswered": "Awaiting answer",
    "holding": "Holding answer",
    "withdrawn": "Withdrawn",
    "corrected": "Corrected",
}


def search_facets(archive: Archive) -> SearchFacets:
    houses = Counter(q.house for q in archive.questions if q.house)
    years = Counter(str(q.answered_on.year) for q in archive.questions if q.answered_on)
    statuses = Counter(q.status for q in archive.questions)
    return SearchFacets(
        departments=tuple(Facet(d.slug, d.name, len(d.questions)) for d in archive.departments),
        houses=tuple(Facet(h, h, n) for h, n in sorted(houses.items())),
        years=tuple(Facet(y, y, n) for y, n in sorted(years.items(), reverse=True)),
        statuses=tuple(
            Facet(s, STATUS_LABELS.get(s, s), statuses[s]) for s in STATUS_LABELS if s in statuses
        ),
    )


def gzip_size(data: bytes) -> int:
    """Bytes as a static host serving gzip would send them (for benchmarks and reports)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))
