"""Page keys: a hash of everything a page is rendered from, so an unchanged page is not rendered.

A page's key covers its template context, whole and deep (every list, model object and
question in it), plus a base key for what every page shares: the templates' text, the
config, the static files' addresses and the generator's code. Two renders with the same
key give the same bytes, so a page whose key is the one recorded for the file already in
the output folder is left as it is.

Keys err on the side of rendering: a department object in a context stands for all of its
questions, so editing one question re-renders every page that shows its department, even
where the template only prints the department's name. Anything the hasher does not know
makes the page's key None: that page is always rendered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.model import Question

SMALL = 8  # tuples this short are hashed where they appear, not remembered (they are many)
KEY_SIZE = 16  # bytes of a key kept
_ID = attrgetter("id")
_FIRST = itemgetter(0)
_SIZE = struct.Struct("<Q")  # a length as `_feed` writes it: `len.to_bytes(8, "little")`


def _hasher(data: bytes = b"") -> hashlib._Hash:
    """A new hash of page inputs: SHA-256 (the processor's SHA instructions, where it has
    them, make it faster than BLAKE2b on the long updates a list page's entries make; see
    cache.digest), of which `KEY_SIZE` bytes are kept."""
    return hashlib.sha256(data)


class Entries(list[tuple[Question, str]]):
    """A list's entries, each question with its extract, as the renderer makes them
    (`Renderer.entries`): an extract is made from its question alone (its answer, or its
    text when unanswered) and the config, so a page key covers such a list by its
    questions' content hashes, which cover their extracts, and the base key, which covers
    the config and the code. A list page shows fifty entries; encoding each extract's text
    for its key cost more than hashing the rest of the page's context."""


class Made(dict[str, Any]):
    """A template value made from `inputs` alone, with the config and code the base key
    covers: keyed by those few values, not by what it holds. A list page's pager is one
    (from the list's address, the page's number and the number of pages): its links took
    thirty steps of hashing a page, more than the rest of the page's context."""

    def __init__(self, inputs: tuple[Any, ...], values: Mapping[str, Any]):
        super().__init__(values)
        self.inputs = inputs


class Unknown(Exception):
    """A value the hasher cannot describe; its page gets no key."""


class PageKeys:
    """Keys for the pages of one build; hashes of model objects are computed once each."""

    def __init__(self, base: bytes, questions: Mapping[str, bytes]):
        self.base = base
        self.questions = questions  # question id -> hash of its content
        self._memo: dict[int, tuple[Any, bytes]] = {}  # keeps the object, so ids stay unique

    def key(self, template: str, path: str, context: Mapping[str, Any]) -> bytes | None:
        h = _hasher(self.base)
        h.update(f"{template}\0{path}\0".encode())
        try:
            for name in sorted(context):
                h.update(name.encode() + b"=")
                self._feed(h, context[name])
        except Unknown:
            return None
        return h.digest()[:KEY_SIZE]

    def of_ids(self, template: str, path: str, name: str, ids: Sequence[str]) -> bytes | None:
        """`key(template, path, {name: questions})` for the tuple of questions with these
        ids, from their content hashes alone (an edit's fast path keys the archive
        download's members without loading their questions)."""
        try:
            packed = b"".join([b"Q" + self.questions[qid] for qid in ids])
        except KeyError:
            return None
        h = _hasher(self.base)
        h.update(f"{template}\0{path}\0".encode() + name.encode() + b"=")
        sequence = b"(" + (packed if ids else b"") + b"]" + len(ids).to_bytes(8, "little")
        if len(ids) <= SMALL:
            h.update(sequence)  # as `_feed` hashes a short tuple where it appears
        else:
            h.update(b"D" + _hasher(sequence).digest()[:KEY_SIZE])
        return h.digest()[:KEY_SIZE]

    def from_parts(
        self, template: str, path: str, question: Question, parts: tuple[Any, ...]
    ) -> bytes | None:
        """A page's key from what it is made of, without building its context.

        `parts` is whatever the page shows besides `question` and the globals (neighbours'
        ids and content hashes, links, resolved references), as plain values whose repr
        is stable (the renderer passes each link as its repr, made once a link). Prefixed
        apart from `key`'s keys, so the two kinds never match. Each part is hashed as its
        repr and a NUL, which a repr never holds.
        """
        return self.from_reprs(template, path, question, "".join([f"{p!r}\0" for p in parts]))

    def from_reprs(self, template: str, path: str, question: Question, reprs: str) -> bytes | None:
        """`from_parts` given its parts' reprs, each followed by a NUL, as one text (the
        renderer keeps the text of each link it shows, made once a build)."""
        known = self.questions.get(question.id)
        if known is None:
            return None
        h = _hasher(self.base)
        h.update(f"parts\0{template}\0{path}\0".encode() + known)
        h.update(reprs.encode("utf-8", "surrogatepass"))
        return h.digest()[:KEY_SIZE]

    def content(self, question: Question | None) -> bytes | None:
        """The content hash of a question (None for none or an unknown one)."""
        return None if question is None else self.questions.get(question.id)

    def _feed(self, h: Any, value: Any) -> None:
        kind = type(value)
        if kind is str or kind is Markup:
            data = value.encode("utf-8", "surrogatepass")
            h.update(b"M" if kind is Markup else b"s")
            h.update(len(data).to_bytes(8, "little") + data)
        elif value is None or kind in (int, float, bool):
            h.update(f"{kind.__name__}:{value!r};".encode())
        elif kind is date:
            h.update(f"date:{value.isoformat()};".encode())
        elif kind is Question:
            known = self.questions.get(value.id)
            if known is None:
                raise Unknown(value.id)
            h.update(b"Q" + known)
        elif kind is tuple and len(value) == 2 and type(value[0]) is Question:
            self._entry(h, value)
        elif kind is Made:
            h.update(b"m")
            self._sequence(h, b"(", value.inputs)
        elif kind is Entries:
            h.update(b"<" + b"".join(self._hashes(map(_FIRST, value))))
            h.update(b"]" + len(value).to_bytes(8, "little"))
        elif kind is list or (kind is tuple and len(value) <= SMALL):
            self._sequence(h, b"[" if kind is list else b"(", value)
        elif kind is dict:
            h.update(b"{" + len(value).to_bytes(8, "little"))
            for item in value.items():
                self._feed(h, item[0])
                self._feed(h, item[1])
        else:
            h.update(self._memoised(value))

    def _entry(self, h: Any, value: tuple[Question, Any]) -> None:
        """A question paired with its extract, as every list shows it (hundreds a page):
        hashed in one step instead of three."""
        if type(value[1]) is not str:
            self._sequence(h, b"(", value)
            return
        h.update(self._entry_bytes(value[0], value[1]))

    def _entry_bytes(self, question: Question, text: str) -> bytes:
        known = self.questions.get(question.id)
        if known is None:
            raise Unknown(question.id)
        data = text.encode("utf-8", "surrogatepass")
        return b"E" + known + len(data).to_bytes(8, "little") + data

    def _sequence(self, h: Any, tag: bytes, items: Sequence[Any]) -> None:
        h.update(tag)
        packed = self._packed(items)
        if packed is not None:
            h.update(packed)
        else:
            for item in items:
                self._feed(h, item)
        h.update(b"]" + len(items).to_bytes(8, "little"))

    def _packed(self, items: Sequence[Any]) -> bytes | None:
        """The bytes `_feed` would give each item, joined, for the long kinds of list:
        questions (a member's, a topic's, a month's), (question, extract) entries and
        strings (a feed's summaries); None for anything else. Made by the C functions `map`
        and `join` call, with no Python step per item: these lists hold every question
        several times over (a cold build hashes about four lists a question, and its
        entries on about six pages), and an edit hashes them all again."""
        if not items:
            return None
        kinds = set(map(type, items))
        if kinds == {Question}:
            return b"Q" + b"Q".join(self._hashes(items))
        if kinds == {str}:
            return b"".join(map(bytes.__add__, repeat(b"s"), _texts(items)))
        return self._packed_entries(items) if kinds == {tuple} else None

    def _hashes(self, questions: Iterable[Question]) -> list[bytes]:
        """The content hash of each question; Unknown for one without."""
        try:
            return list(map(self.questions.__getitem__, map(_ID, questions)))
        except KeyError as missing:
            raise Unknown(str(missing)) from None

    def _packed_entries(self, items: Sequence[tuple[Any, ...]]) -> bytes | None:
        """`_entry_bytes` of each (question, extract) entry, joined (see `_packed`): None for
        a list holding anything else, Unknown for an unknown question (which hashing the
        items one by one raises too)."""
        if set(map(len, items)) != {2}:
            return None
        questions, texts = zip(*items, strict=True)
        if set(map(type, questions)) != {Question} or set(map(type, texts)) != {str}:
            return None
        heads = map(bytes.__add__, repeat(b"E"), self._hashes(questions))
        return b"".join(map(bytes.__add__, heads, _texts(texts)))

    def _memoised(self, value: Any) -> bytes:
        """Long tuples and frozen dataclasses never change, so each is hashed once per build."""
        found = self._memo.get(id(value))
        if found is not None:
            return found[1]
        h = _hasher()
        if type(value) is tuple:
            self._sequence(h, b"(", value)
        else:
            head, names = _frozen_fields(type(value))
            h.update(head)
            for name, tag in names:
                field = getattr(value, name)
                if type(field) is str:  # most fields (names, slugs): as `_feed` hashes one
                    data = field.encode("utf-8", "surrogatepass")
                    h.update(tag + b"s" + _SIZE.pack(len(data)) + data)
                else:
                    h.update(tag)
                    self._feed(h, field)
        result = b"D" + h.digest()[:KEY_SIZE]
        self._memo[id(value)] = (value, result)
        return result


def _texts(texts: Iterable[str]) -> Iterator[bytes]:
    """Each text as `_feed` hashes a string after its tag, its UTF-8 length then its UTF-8,
    made by C functions alone."""
    data = list(map(str.encode, texts, repeat("utf-8"), repeat("surrogatepass")))
    return map(bytes.__add__, map(_SIZE.pack, map(len, data)), data)


FrozenFields = tuple[bytes, tuple[tuple[str, bytes], ...]]
_FROZEN_FIELDS: dict[type, FrozenFields] = {}


def _frozen_fields(kind: type) -> FrozenFields:
    """What `_memoised` hashes of a frozen dataclass besides its values: its name, and each
    field's name (with the bytes that precede its value); Unknown for any other class.
    Once a class (`dataclasses.fields` cost a microsecond a call, thousands of calls)."""
    found = _FROZEN_FIELDS.get(kind)
    if found is None:
        params = getattr(kind, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise Unknown(kind.__name__)
        names = tuple((f.name, f.name.encode() + b"=") for f in dataclasses.fields(kind))
        found = _FROZEN_FIELDS[kind] = (kind.__qualname__.encode() + b"<", names)
    return found


def base_key(parts: Iterable[Any], template_dirs: Iterable[Path]) -> bytes:
    """What every page depends on besides its context: the given values and every template."""
    h = _hasher()
    for part in parts:
        h.update(repr(part).encode() + b"\0")
    for folder in template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(f"{path}\0".encode() + path.read_bytes() + b"\0")
    return h.digest()[:KEY_SIZE]
