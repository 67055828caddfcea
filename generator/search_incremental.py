"""The search index rebuilt from what changed since the last build, not from every question.

A cold build tokenises every question and encodes every chunk (generator/search_chunks.py).
After an edit almost all of that is the same, so builds with the cache keep, in
`.cache/search.sqlite`:

- each question's terms (field lengths, and every term's field and frequency), keyed by
  the question's content hash: an edit tokenises only the edited question;
- every term's postings as they appear in its chunk, encoded, in pages of document keys
  (generator/search_pages.py), one row a chunk holding its terms and all their pages: an
  edit loads the rows of the chunks holding the terms the question had or has, decodes
  and patches only the page holding its key, and makes each chunk it touches by joining
  the encoded pages of the chunk's terms, then writes that chunk's row again (a row a
  chunk rather than a row a term: a cold build writes every term, most of them in one
  document, and a row's cost was most of the store's; an edit re-makes every chunk it
  touches anyway);
- the state of the index the last build wrote: each document key's question and content
  hash, field length totals, the sorted terms and their postings counts, the segments (the
  runs of terms between two terms that start a segment, see `chunk_terms`: chunk
  boundaries never cross one, so a segment re-chunks alone), the manifest's chunk list,
  the filters of every document and the hash of every file.

Shards and the manifest are made by search_chunks.py's own functions from records, and
chunks by search_pages.py, whose bytes are `encode_chunk`'s (tests/test_search_pages.py),
so the bytes are those of a cold build (tests/test_incremental.py compares them).

A document's key is its position counted from the oldest question: an edit that keeps a
question's place (a new title, answer or department) changes one key, and a new newest
question adds one. An edit that moves a question in the date order, or deletes one that
is not the newest, shifts the keys of every question between, so it changes many keys;
beyond MAX_CHANGED of them the index is built whole again from the cached terms (no
question is tokenised again, but every chunk is encoded).

A file the state says is unchanged is taken from the folder being written when its hash
there is the state's, else copied from the published site after checking its hash; if
neither holds it, the index is built whole. So a lost or stale state costs time, never
correctness.
"""

from __future__ import annotations

import marshal
import sqlite3
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import search_pages
from generator.cache import digest
from generator.markup import Fragment
from generator.memory import release_free_memory
from generator.model import Archive
from generator.search import FIELD_BOOSTS, LazyRecords, to_json_bytes
from generator.search_chunks import (
    SEARCH_DIR,
    DocumentTerms,
    IndexSummary,
    Tokeniser,
    Values,
    bucket_shards,
    buckets_of,
    chunk_terms,
    closing_files,
    department_positions,
    facets_of,
    js_order,
    shard_buckets,
    shard_layout,
    shard_map,
    shard_names,
    starts_segment,
    summary_files,
    terms_file,
    title_hash,
)
from generator.search_pages import (
    TermPages,
    chunk_file,
    decimals,
    page_size,
    paged,
    paged_fields,
    term_bytes,
    unpaged,
)
from generator.write import FileWriter

DATABASE = "search.sqlite"
MAX_CHANGED = 64  # more documents changed than this: build the index whole (cached terms)
HASH_SIZE = 16  # bytes of a question's content hash (generator.cache.digest)
# While the whole index is written, freed postings are handed back to the system every this
# many segments (generator/memory.py): otherwise the chunks' encoding grows the heap while
# the postings it replaces stay allocated, the search worker's peak at 60,000 questions.
TRIM_SEGMENTS = 64
STORE_BATCH = 1000  # documents' terms are written to the store this many at a time
_FIELD_BITS = 3

Facet = tuple[str, str, str, str, str]  # department, its slug, House, year answered, status
FileResult = tuple[str, bytes, int, None]  # path, hash, size, no page key (workers.PageResult)


@dataclass
class IndexState:
    """The index the last build wrote (see the module docstring)."""

    ids: list[str]  # by key: question id
    hashes: bytes  # by key: content hash, HASH_SIZE bytes each
    totals: list[int]
    terms: list[str]  # in js_order
    sizes: list[int]  # by term: how many postings entries (what chunk_terms counts)
    bounds: list[str]  # first term of each segment, in js_order
    chunks: list[list[str]]  # the manifest's [first term, file name] list
    facets: list[Facet]  # by key
    titles: list[int]  # by key: title_hash, which places its row (shard_layout)
    departments: list[tuple[str, str]]
    terms_name: str
    facets_name: str
    map_name: str
    files: dict[str, bytes]  # every file's path under _site/ -> hash of its bytes


class SearchStore:
    """The SQLite file holding cached terms, postings and the state; emptied when the code
    that made it changes."""

    def __init__(self, folder: Path, code: str):
        self.db = sqlite3.connect(folder / DATABASE, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS documents (hash BLOB PRIMARY KEY, terms BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS chunks (term BLOB PRIMARY KEY, pages BLOB NOT NULL)
                WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB NOT NULL);
            """
        )
        self.db.execute("BEGIN")
        self.stored: dict[str, bytes] = {}  # the state's parts as read
        self.loaded: IndexState | None = None  # ... and as decoded
        if self._get("code") != code.encode():
            for table in ("documents", "chunks", "state"):
                self.db.execute(f"DELETE FROM {table}")
            for table in ("segments", "pages", "postings"):  # what earlier versions kept
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self._put("code", code.encode())
        # Documents' terms not yet written (content hash -> marshalled terms), and whether
        # the table holds none: a cold build then looks none up, 10,000 queries at 10,000.
        self.pending: dict[bytes, bytes] = {}
        self.empty = self.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None
        self.fresh = self.empty  # opened without documents: every one it holds is this build's
        # In a fresh store, the documents written so far: no other is looked up (a cold
        # build's look-ups would otherwise all query the table once its first batch is in).
        self.written: set[bytes] = set()
        # Chunk rows read so far (key: the js_order of the chunk's first term): an edit
        # reads a chunk's row for each of its patched terms, then to make the chunk again.
        self.rows: dict[bytes, dict[str, TermPages]] = {}

    def _get(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def _put(self, key: str, value: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    def state(self) -> IndexState | None:
        """The state, from its parts (each stored apart, so that a build writes again only
        the parts it changed, and none of them is a list of 60,000 tuples to unmarshal)."""
        rows = self.db.execute("SELECT key, value FROM state WHERE key LIKE 'index:%'")
        parts = {key[len("index:") :]: bytes(value) for key, value in rows}
        try:
            state = IndexState(
                ids=marshal.loads(parts["ids"]),
                hashes=parts["hashes"],
                terms=marshal.loads(parts["terms"]),
                sizes=array("i", parts["sizes"]).tolist(),
                facets=_decode_facets(parts["facets"]),
                titles=array("I", parts["titles"]).tolist(),
                **marshal.loads(parts["summary"]),
            )
        except (KeyError, TypeError, ValueError, EOFError):
            return None
        self.stored = parts
        self.loaded = state
        return state

    def set_state(self, state: IndexState) -> None:
        summary = {
            name: value
            for name, value in state.__dict__.items()
            if name not in ("ids", "hashes", "terms", "sizes", "facets", "titles")
        }
        encoders: dict[str, Callable[[Any], bytes]] = {
            "ids": marshal.dumps,
            "hashes": bytes,
            "terms": marshal.dumps,
            "sizes": lambda sizes: array("i", sizes).tobytes(),
            "facets": _encode_facets,
            "titles": lambda titles: array("I", titles).tobytes(),
        }
        loaded = self.loaded
        for name, encode in encoders.items():
            value = getattr(state, name)
            if loaded is not None and name in self.stored and value == getattr(loaded, name):
                continue  # as read (an edit's ids and filters: encoding them cost more)
            data = encode(value)
            if self.stored.get(name) != data:
                self._put(f"index:{name}", data)
        data = marshal.dumps(summary)
        if self.stored.get("summary") != data:
            self._put("index:summary", data)

    def abandon(self) -> None:
        """Close without keeping anything this build stored (it failed)."""
        self.db.execute("ROLLBACK")
        self.db.close()

    def document(self, content: bytes) -> DocumentTerms | None:
        data = self.pending.get(content)
        if data is None and not self.empty and (not self.fresh or content in self.written):
            row = self.db.execute("SELECT terms FROM documents WHERE hash = ?", (content,))
            data = next(row, (None,))[0]
        return None if data is None else marshal.loads(data)

    def store_document(self, content: bytes, terms: DocumentTerms) -> None:
        self.pending[content] = marshal.dumps(terms)
        if len(self.pending) >= STORE_BATCH:
            self._write_documents()

    def _write_documents(self) -> None:
        self.db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?)", self.pending.items())
        self.empty = self.empty and not self.pending
        if self.fresh:
            self.written.update(self.pending)
        self.pending.clear()

    def keep_documents(self, contents: Iterable[bytes]) -> None:
        """Forget the terms of every document not among `contents`."""
        self._write_documents()
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (hash BLOB PRIMARY KEY)")
        self.db.execute("DELETE FROM keep")
        self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((c,) for c in contents))
        self.db.execute("DELETE FROM documents WHERE hash NOT IN (SELECT hash FROM keep)")

    def forget_document(self, content: bytes) -> None:
        self.pending.pop(content, None)
        self.db.execute("DELETE FROM documents WHERE hash = ?", (content,))

    def _row_keys(self, first: bytes, end: bytes | None) -> list[bytes]:
        """The keys of the chunk rows holding any term from `first` (js_order) up to `end`:
        the row starting at or before `first`, and every one starting before `end`."""
        before = "SELECT term FROM chunks WHERE term <= ? ORDER BY term DESC LIMIT 1"
        found = next(self.db.execute(before, (first,)), None)
        low = first if found is None else found[0]
        query, bounds = "SELECT term FROM chunks WHERE term >= ?", [low]
        if end is not None:
            query += " AND term < ?"
            bounds.append(end)
        return [bytes(key) for (key,) in self.db.execute(query, bounds)]

    def _row(self, key: bytes) -> dict[str, TermPages]:
        row = self.rows.get(key)
        if row is None:
            found = next(self.db.execute("SELECT pages FROM chunks WHERE term = ?", (key,)))
            terms, pages = marshal.loads(found[0])
            row = self.rows[key] = dict(zip(terms, pages, strict=True))
        return row

    def term_pages(self, term: str) -> TermPages:
        """Every cached page of one term's postings ({} for a term not in the index); a
        copy, which the caller may change."""
        key = js_order(term)
        for row_key in self._row_keys(key, None)[:1]:
            return dict(self._row(row_key).get(term, {}))
        return {}

    def range_pages(self, first: str, end: str | None) -> dict[str, TermPages]:
        """The pages of every term from `first` up to `end` (None: the last term)."""
        low, high = js_order(first), None if end is None else js_order(end)
        found: dict[str, TermPages] = {}
        for row_key in self._row_keys(low, high):
            for term, pages in self._row(row_key).items():
                key = js_order(term)
                if low <= key and (high is None or key < high):
                    found[term] = pages
        return found

    def store_chunks(self, chunks: Mapping[str, dict[str, TermPages]], gone: list[str]) -> None:
        """The rows after an edit: those of `chunks` (first term -> its terms' pages, in
        order), made again, written, and those of the chunks `gone` (first terms of chunks
        the index no longer has) deleted."""
        self.db.executemany("DELETE FROM chunks WHERE term = ?", ((js_order(t),) for t in gone))
        for first, pages in chunks.items():
            row = (js_order(first), marshal.dumps((list(pages), list(pages.values()))))
            self.db.execute("INSERT OR REPLACE INTO chunks VALUES (?, ?)", row)
        self.rows.clear()

    def add_chunk(self, terms: list[str], pages: list[TermPages]) -> None:
        """Store a chunk's terms' pages, in a store holding no row for it (see
        forget_pages): one row a chunk, a few hundred in a cold build, not one a term."""
        row = (js_order(terms[0]), marshal.dumps((terms, pages)))
        self.db.execute("INSERT INTO chunks VALUES (?, ?)", row)

    def forget_pages(self) -> None:
        self.db.execute("DELETE FROM chunks")
        self.rows.clear()

    def close(self) -> None:
        self._write_documents()
        self.db.execute("COMMIT")
        self.db.close()


def write_search_index(
    archive: Archive,
    fragments: Mapping[str, Fragment],
    contents: Mapping[str, bytes],
    store: SearchStore,
    files: FileWriter,
    published: Path,
) -> list[FileResult]:
    """Write the index into `files`' folder, from what changed when the state allows it.

    `contents`: question id -> content hash (generator/load.py); `published`: the site
    in place, whose files the state describes.
    """
    index = Index(archive, fragments, contents, store)
    state = store.state()
    if state is not None:
        update = index.update(state)
        if update is not None:
            results = _resolve(update, state, files, published)
            if results is not None:
                update.commit(store)
                return results
    written: list[FileResult] = []

    def write(path: str, data: bytes) -> bytes:
        written.append(_write(files, path, data))
        return written[-1][1]

    index.whole(write)
    return written


def _write(files: FileWriter, path: str, data: bytes) -> FileResult:
    return path, files.write(path, data), len(data), None


def _resolve(
    update: Update, state: IndexState, files: FileWriter, published: Path
) -> list[FileResult] | None:
    """Every file of the updated index written or kept; None if an unchanged file is in
    neither the folder being written nor the published site."""
    results = []
    for path in update.paths:
        data = update.files.get(path)
        if data is not None:
            results.append(_write(files, path, data))
            continue
        expected = state.files.get(path)
        if expected is None:
            return None
        if files.previous.get(path) == expected:
            results.append((path, *files.kept(path), None))
            continue
        try:
            data = (published / path).read_bytes()
        except OSError:
            return None
        if digest(data) != expected:
            return None
        results.append(_write(files, path, data))
    return results


@dataclass
class Update:
    """The files an update rewrote (`files`), every file of the index (`paths`), and what
    the store must change."""

    files: dict[str, bytes]
    paths: list[str]
    state: IndexState
    chunks: dict[str, dict[str, TermPages]]  # each chunk made again: first term -> pages
    gone: list[str]  # the first terms of the chunks the index no longer has
    dropped_documents: list[bytes]

    def commit(self, store: SearchStore) -> None:
        store.store_chunks(self.chunks, self.gone)
        for content in self.dropped_documents:
            store.forget_document(content)
        store.set_state(self.state)


def _entries(
    into: dict[str, dict[int, list[int]]],
    key: int,
    document: DocumentTerms,
    totals: list[int],
    sign: int,
) -> None:
    """A document's postings entries by term, and its field lengths added to `totals`."""
    lengths, found = document
    for field, length in enumerate(lengths):
        totals[field] += sign * length
    for field, (terms, frequencies) in enumerate(found):
        for term, frequency in zip(terms, frequencies, strict=True):
            entries = into.setdefault(term, {}).setdefault(key, [])
            entries += (key << _FIELD_BITS | field, frequency, lengths[field])


def _add_fields(
    by_field: list[dict[str, array[int]]],
    lengths: list[array[int]],
    document: DocumentTerms,
    key: int,
) -> None:
    """Append one document's postings, field by field: (key, frequency) pairs (documents
    are added newest first: decreasing keys), and note its field lengths by key (a field's
    length is the same in every posting of the field: kept once, not once a posting)."""
    field_lengths, found = document
    for postings_of, lengths_of, (terms, frequencies), length in zip(
        by_field, lengths, found, field_lengths, strict=True
    ):
        lengths_of[key] = length
        for term, frequency in zip(terms, frequencies, strict=True):
            postings = postings_of.get(term)
            if postings is None:
                postings_of[term] = array("i", (key, frequency))
            else:
                postings.append(key)
                postings.append(frequency)


def _fields_of(by_field: list[dict[str, array[int]]], term: str) -> list[tuple[int, array[int]]]:
    """A term's postings by field, fields increasing, taken out of `by_field`."""
    return [(field, p.pop(term)) for field, p in enumerate(by_field) if term in p]


def _touched(patched: list[bytes], first: str, end: str | None) -> bool:
    """Whether a patched term (in js_order, `patched` sorted) lies from `first` up to `end`."""
    low = bisect_left(patched, js_order(first))
    return low < (bisect_left(patched, js_order(end)) if end is not None else len(patched))


def _path(name: str) -> str:
    return f"{SEARCH_DIR}/{name}"


def _segments(terms: Sequence[str]) -> Iterator[list[str]]:
    """Sorted terms split where a segment starts (and nowhere else)."""
    current: list[str] = []
    for term in terms:
        if current and starts_segment(term):
            yield current
            current = []
        current.append(term)
    if current:
        yield current


def _encode_facets(facets: list[Facet]) -> bytes:
    """Each key's filters as the distinct tuples and an index into them per key."""
    distinct = sorted(set(facets))
    number = {facet: i for i, facet in enumerate(distinct)}
    return marshal.dumps((distinct, array("I", [number[f] for f in facets]).tobytes()))


def _decode_facets(data: bytes) -> list[Facet]:
    distinct, numbers = marshal.loads(data)
    return [distinct[n] for n in array("I", numbers)]


def _facets(archive: Archive) -> list[Facet]:
    """Each question's filters by key (oldest first); equal filters are one tuple, so that
    comparing and encoding them is cheap."""
    made: dict[tuple[Any, ...], Facet] = {}
    department_of = archive.department_of
    facets = []
    for q in reversed(archive.questions):
        found = (q.department, department_of[q.id].slug, q.house, q.answered_on, q.status)
        facet = made.get(found)
        if facet is None:
            year = str(q.answered_on.year) if q.answered_on else ""
            facet = made[found] = (found[0], found[1], q.house or "", year, q.status)
        facets.append(facet)
    return facets


def _changed_keys(
    old_ids: list[str], old_hashes: bytes, ids: list[str], hashes: bytes
) -> list[int]:
    """The keys whose question or content differ (compared a block of keys at a time)."""
    longest = max(len(old_ids), len(ids))
    changed = []
    for start in range(0, longest, 1024):
        stop = start + 1024
        if old_ids[start:stop] == ids[start:stop] and _hashes_of(
            old_hashes, start, stop
        ) == _hashes_of(hashes, start, stop):
            continue
        changed += [
            key
            for key in range(start, min(stop, longest))
            if key >= len(old_ids)
            or key >= len(ids)
            or old_ids[key] != ids[key]
            or _hashes_of(old_hashes, key, key + 1) != _hashes_of(hashes, key, key + 1)
        ]
    return changed


def _hashes_of(hashes: bytes, start: int, stop: int) -> bytes:
    """The content hashes of keys `start` to `stop` (exclusive) in `hashes`."""
    return hashes[start * HASH_SIZE : stop * HASH_SIZE]


def _holds(hashes: bytes, content: bytes) -> bool:
    """Whether `content` is one of the HASH_SIZE-byte hashes of `hashes`."""
    at = hashes.find(content)
    while at != -1 and at % HASH_SIZE:
        at = hashes.find(content, at + 1)
    return at != -1


def _position(terms: list[str], term: str) -> int | None:
    """Where `term` is in `terms` (sorted in js_order), if it is there."""
    at = bisect_left(terms, js_order(term), key=js_order)
    return at if at < len(terms) and terms[at] == term else None


def _patched(postings: array[int], patch: Mapping[int, list[int]]) -> array[int]:
    """Postings with the entries of the patched keys replaced."""
    for key in sorted(patch, reverse=True):
        low, high = _key_range(postings, key)
        postings[3 * low : 3 * high] = array("i", patch[key])
    return postings


def _key_range(postings: array[int], key: int) -> tuple[int, int]:
    """The entries (as triple indexes) of document `key` in a term's postings (keys decrease)."""
    count = len(postings) // 3
    position = range(count)

    def negated(i: int) -> int:
        return -(postings[3 * i] >> _FIELD_BITS)

    return bisect_left(position, -key, key=negated), bisect_right(position, -key, key=negated)


class Index:
    """The archive as the search index sees it: documents by key, their terms and filters."""

    def __init__(
        self,
        archive: Archive,
        fragments: Mapping[str, Fragment],
        contents: Mapping[str, bytes],
        store: SearchStore,
    ):
        self.records = LazyRecords(archive, fragments)
        self.store = store
        questions = archive.questions
        self.count = len(questions)
        # An edit's archive (generator/edits.py) gives its ids and filters by key from its
        # state's columns, without a record a question.
        columns = getattr(questions, "search_columns", None)
        ids, facets = columns() if columns is not None else (None, None)
        self.ids = ids if ids is not None else [q.id for q in reversed(questions)]  # by key
        self.hashes = b"".join([contents[qid] for qid in self.ids])
        if len(self.hashes) != HASH_SIZE * self.count:
            raise ValueError("content hashes of another size than HASH_SIZE")
        self.facets = facets if facets is not None else _facets(archive)
        self.questions = questions
        self.titles: list[int] = []  # by key, title_hash: found by whole() or update()
        self.tokeniser: Tokeniser | None = None

    def content(self, key: int) -> bytes:
        return _hashes_of(self.hashes, key, key + 1)

    def terms_of(self, key: int) -> DocumentTerms:
        """A document's terms: cached by its content hash, or found (and cached) now."""
        content = self.content(key)
        found = self.store.document(content)
        if found is None:
            if self.tokeniser is None:
                self.tokeniser = Tokeniser()
            found = self.tokeniser.document(self.records.fields(self.count - 1 - key))
            self.store.store_document(content, found)
        return found

    def values(self) -> Values:
        distinct = set(self.facets)
        departments = sorted(
            {(f[0], f[1]) for f in distinct}, key=lambda pair: (pair[0].casefold(), pair[0])
        )
        houses = sorted({f[2] for f in distinct})
        years = sorted({f[3] for f in distinct})
        statuses = sorted({f[4] for f in distinct})
        return Values(departments, houses, years, statuses)

    def facets_file(self, values: Values) -> tuple[str, bytes]:
        """The filters file, from each key's filters (no record made)."""
        filters = {f: (f[0], f[2], f[3], f[4]) for f in set(self.facets)}
        return facets_of(map(filters.__getitem__, self.facets), values)

    def shard(
        self, name: str, keys: list[int], departments: list[tuple[str, str]]
    ) -> tuple[str, bytes]:
        position, newest = department_positions(departments), self.count - 1
        prefetch = getattr(self.questions, "prefetch", None)  # an edit's (generator/edits.py)
        if prefetch is not None:
            prefetch([newest - key for key in keys])  # read in a few queries
        rows = [self.records.row(newest - key, position) for key in keys]
        return name, to_json_bytes(rows)

    # The whole index ---------------------------------------------------------------------

    def whole(self, write: Callable[[str, bytes], bytes]) -> None:
        """Every file, from every document's (cached) terms: chunked_files' bytes. Each file
        is handed to `write` (which returns the hash of its bytes) as soon as it is made, and
        each chunk's pages stored, so neither the encoded index nor (beyond one chunk) the
        postings are held twice."""
        by_field: list[dict[str, array[int]]] = [{} for _field in FIELD_BOOSTS]
        lengths = [array("i", bytes(4 * self.count)) for _field in FIELD_BOOSTS]  # by key
        for key in range(self.count - 1, -1, -1):
            _add_fields(by_field, lengths, self.terms_of(key), key)
        totals = [sum(lengths_of) for lengths_of in lengths]
        texts = [decimals(lengths_of) for lengths_of in lengths]
        del lengths
        self.tokeniser = None  # its memo of every token: not needed again, and large
        sizes: Counter[str] = Counter()
        for postings_of in by_field:
            for term, postings in postings_of.items():
                sizes[term] += len(postings) // 2
        terms = sorted(sizes, key=js_order)
        hashes: dict[str, bytes] = {}

        def made(name: str, body: bytes) -> None:
            hashes[_path(name)] = write(_path(name), body)

        chunks: list[list[str]] = []
        bounds = []
        self.store.forget_pages()
        for number, segment in enumerate(_segments(terms), start=1):
            bounds.append(segment[0])
            for chunk in chunk_terms(segment, sizes, segment=True):
                pages = [paged_fields(_fields_of(by_field, t), texts) for t in chunk]
                self.store.add_chunk(chunk, pages)
                name, body = chunk_file(chunk, [term_bytes(p) for p in pages])
                if _path(name) in hashes:
                    raise RuntimeError(f"two search chunks hash to {name}")
                made(name, body)
                chunks.append([chunk[0], name])
            if number % TRIM_SEGMENTS == 0:
                release_free_memory()  # the postings written so far, freed in the heap's middle
        counts = [sizes[term] for term in terms]
        del sizes, by_field
        release_free_memory()
        values = self.values()
        # By index, not by iterating: the edits' fast path (generator/edits.py) iterates
        # only each question's filters, and loads a whole question when indexed.
        newest = self.count - 1
        self.titles = [title_hash(self.questions[newest - key].title) for key in range(self.count)]
        layout = shard_layout(self.titles)
        for name, keys in layout.shards.items():
            made(*self.shard(name, keys, values.departments))
        summary, tail = closing_files(
            terms,
            self.facets_file(values),
            layout.buckets,
            count=self.count,
            totals=totals,
            chunks=chunks,
            shards=list(layout.shards),
            departments=values.departments,
        )
        for name in sorted(tail):
            made(name, tail[name])
        if not self.store.fresh:  # else it holds only what this build stored
            self.store.keep_documents(self.content(key) for key in range(self.count))
        self.store.set_state(
            IndexState(
                ids=self.ids,
                hashes=self.hashes,
                totals=totals,
                terms=terms,
                sizes=counts,
                bounds=bounds,
                chunks=chunks,
                facets=self.facets,
                titles=self.titles,
                departments=values.departments,
                terms_name=summary.terms,
                facets_name=summary.facets,
                map_name=summary.shard_map,
                files=hashes,
            )
        )

    # An update ---------------------------------------------------------------------------

    def update(self, state: IndexState) -> Update | None:
        """The index changed from `state`'s by the documents whose keys changed; None when
        too many did (or the cache lacks what it needs)."""
        changed = _changed_keys(state.ids, state.hashes, self.ids, self.hashes)
        if len(changed) > MAX_CHANGED:
            return None
        titles = state.titles[: self.count] + [0] * (self.count - len(state.titles))
        for key in changed:
            if key < self.count:
                titles[key] = title_hash(self.questions[self.count - 1 - key].title)
        self.titles = titles
        totals = list(state.totals)
        before: dict[str, dict[int, list[int]]] = {}  # term -> key -> its entries, old
        after: dict[str, dict[int, list[int]]] = {}  # ... and new
        dropped_documents = []
        for key in changed:
            if key < len(state.ids):
                old_content = _hashes_of(state.hashes, key, key + 1)
                old = self.store.document(old_content)
                if old is None:
                    return None
                _entries(before, key, old, totals, -1)
                dropped_documents.append(old_content)
            if key < self.count:
                _entries(after, key, self.terms_of(key), totals, 1)
        patches: dict[str, dict[int, list[int]]] = {}  # term -> key -> entries now
        for term in before.keys() | after.keys():
            old_entries, new_entries = before.get(term, {}), after.get(term, {})
            for key in old_entries.keys() | new_entries.keys():
                entries = new_entries.get(key, [])
                if old_entries.get(key, []) != entries:
                    patches.setdefault(term, {})[key] = entries
        dropped_documents = [c for c in dropped_documents if not _holds(self.hashes, c)]
        return self._apply(state, changed, totals, patches, dropped_documents)

    def _apply(
        self,
        state: IndexState,
        changed: list[int],
        totals: list[int],
        patches: dict[str, dict[int, list[int]]],
        dropped_documents: list[bytes],
    ) -> Update | None:
        pages = self._patch_pages(state, patches)
        if pages is None:
            return None
        counts = {term: sum(map(page_size, p.values())) for term, p in pages.items()}
        vanished = {t for t, n in counts.items() if not n and _position(state.terms, t) is not None}
        added = [t for t, n in counts.items() if n and _position(state.terms, t) is None]
        terms, sizes = list(state.terms), list(state.sizes)
        terms_name = state.terms_name
        files: dict[str, bytes] = {}
        if vanished or added:
            if vanished:
                kept = [(t, n) for t, n in zip(terms, sizes, strict=True) if t not in vanished]
                terms, sizes = [t for t, _n in kept], [n for _t, n in kept]
            for term in sorted(added, key=js_order):
                at = bisect_left(terms, js_order(term), key=js_order)
                terms.insert(at, term)
                sizes.insert(at, 0)
            terms_name, body = terms_file(terms)
            files[terms_name] = body
        if not terms:
            return None
        for term, count in counts.items():
            if count:
                sizes[bisect_left(terms, js_order(term), key=js_order)] = count
        # The segments after the change, and which of them must be made again.
        old_bounds = state.bounds
        first = terms[0]
        bounds_set = {b for b in old_bounds if b not in vanished}
        bounds_set.update(t for t in added if starts_segment(t))
        bounds_set = {b for b in bounds_set if starts_segment(b) or b == first}
        bounds_set.add(first)
        bounds = sorted(bounds_set, key=js_order)
        new_keys = [js_order(b) for b in bounds]
        old_next = dict(zip(old_bounds, [*old_bounds[1:], None], strict=True))
        dirty = {max(0, bisect_right(new_keys, js_order(t)) - 1) for t in patches}
        for number, bound in enumerate(bounds):
            end = bounds[number + 1] if number + 1 < len(bounds) else None
            if old_next.get(bound, "") != end:
                dirty.add(number)
        old_chunk_keys = [js_order(c[0]) for c in state.chunks]
        old_chunk_end = {
            c[0]: (state.chunks[i + 1][0] if i + 1 < len(state.chunks) else None)
            for i, c in enumerate(state.chunks)
        }
        patched_keys = sorted(js_order(t) for t in patches)  # vanished terms included
        chunks: list[list[str]] = []
        rows: dict[str, dict[str, TermPages]] = {}  # each chunk made again: its pages
        try:
            for number in range(len(bounds)):
                end = bounds[number + 1] if number + 1 < len(bounds) else None
                low = bisect_left(old_chunk_keys, new_keys[number])
                high = (
                    bisect_left(old_chunk_keys, new_keys[number + 1])
                    if end is not None
                    else len(old_chunk_keys)
                )
                if number not in dirty:
                    chunks += state.chunks[low:high]
                    continue
                start = bisect_left(terms, new_keys[number], key=js_order)
                stop = (
                    bisect_left(terms, new_keys[number + 1], key=js_order)
                    if end is not None
                    else len(terms)
                )
                segment_terms = terms[start:stop]
                segment_sizes = dict(zip(segment_terms, sizes[start:stop], strict=True))
                made = chunk_terms(segment_terms, segment_sizes, segment=True)
                for index, chunk in enumerate(made):
                    chunk_end = made[index + 1][0] if index + 1 < len(made) else end
                    same = old_chunk_end.get(chunk[0], "") == chunk_end and not _touched(
                        patched_keys, chunk[0], chunk_end
                    )
                    if same:
                        name = next(c[1] for c in state.chunks[low:high] if c[0] == chunk[0])
                    else:
                        name, body, rows[chunk[0]] = self._chunk(chunk, chunk_end, pages)
                        files[name] = body
                    chunks.append([chunk[0], name])
        except KeyError:
            return None
        state_parts = (terms, sizes, terms_name, bounds, chunks)
        gone = sorted({c[0] for c in state.chunks} - {c[0] for c in chunks})
        return self._finish(
            state, changed, totals, state_parts, files, (rows, gone), dropped_documents
        )

    def _patch_pages(
        self, state: IndexState, patches: Mapping[str, Mapping[int, list[int]]]
    ) -> dict[str, TermPages] | None:
        """Every patched term's pages now (the cached ones, with each page holding a patched
        key decoded, patched and encoded again); None when the cache lacks a term of the
        index."""
        pages: dict[str, TermPages] = {}
        bits = search_pages.PAGE_BITS
        for term, patch in patches.items():
            term_pages = self.store.term_pages(term)
            if not term_pages and _position(state.terms, term) is not None:
                return None
            by_page: dict[int, dict[int, list[int]]] = {}
            for key, entries in patch.items():
                by_page.setdefault(key >> bits, {})[key] = entries
            for number, page_patch in by_page.items():
                old = term_pages.get(number)
                postings = _patched(unpaged(old) if old else array("i"), page_patch)
                new = paged(postings).get(number)
                if new is None:
                    term_pages.pop(number, None)
                else:
                    term_pages[number] = new
            pages[term] = term_pages
        return pages

    def _chunk(
        self, chunk: list[str], end: str | None, patched: Mapping[str, TermPages]
    ) -> tuple[str, bytes, dict[str, TermPages]]:
        """A chunk made again, and its terms' pages: the patched terms', and the others'
        from the cache (KeyError if it lacks one)."""
        cached = {} if all(t in patched for t in chunk) else self.store.range_pages(chunk[0], end)
        pages = {t: patched[t] if t in patched else cached[t] for t in chunk}
        return (*chunk_file(chunk, [term_bytes(p) for p in pages.values()]), pages)

    def _finish(
        self,
        state: IndexState,
        changed: list[int],
        totals: list[int],
        state_parts: tuple[list[str], list[int], str, list[str], list[list[str]]],
        files: dict[str, bytes],
        store_rows: tuple[dict[str, dict[str, TermPages]], list[str]],
        dropped_documents: list[bytes],
    ) -> Update:
        terms, sizes, terms_name, bounds, chunks = state_parts
        values = self.values()
        departments = values.departments
        facets_name = state.facets_name
        if self.facets != state.facets:
            facets_name, body = self.facets_file(values)
            files[facets_name] = body
        buckets = buckets_of(self.titles)
        map_name = state.map_name
        if self.titles != state.titles:
            map_name, body = shard_map(buckets)
            files[map_name] = body
        shards = shard_names(buckets)
        for name, keys in _dirty_shards(buckets, state, changed, departments).items():
            files.update([self.shard(name, keys, departments)])
        summary = IndexSummary(
            self.count, totals, chunks, terms_name, facets_name, map_name, shards, departments
        )
        files.update(summary_files(summary))
        names = [c[1] for c in chunks] + shards + [terms_name, facets_name, map_name]
        names += ["manifest.json", "files.json"]
        paths = [_path(name) for name in names]
        made = {_path(name): body for name, body in files.items()}
        hashes = {path: state.files.get(path, b"") for path in paths}
        hashes.update({path: digest(body) for path, body in made.items()})
        new_state = IndexState(
            ids=self.ids,
            hashes=self.hashes,
            totals=totals,
            terms=terms,
            sizes=sizes,
            bounds=bounds,
            chunks=chunks,
            facets=self.facets,
            titles=self.titles,
            departments=departments,
            terms_name=terms_name,
            facets_name=facets_name,
            map_name=map_name,
            files=hashes,
        )
        return Update(made, paths, new_state, *store_rows, dropped_documents)


def _dirty_shards(
    buckets: list[int], state: IndexState, changed: list[int], departments: list[tuple[str, str]]
) -> dict[str, list[int]]:
    """The shards to write again, with their keys: those holding a changed document, or
    other keys than before (a question that joined or left a bucket moves the rows after
    it), or all of them when the department numbers or the bucket count changed. Only the
    buckets a changed document was or is in can differ, so only they are laid out."""
    old = buckets_of(state.titles)
    if departments != state.departments or shard_buckets(len(old)) != shard_buckets(len(buckets)):
        return bucket_shards(buckets)
    wanted = {buckets[key] for key in changed if key < len(buckets)}
    wanted |= {old[key] for key in changed if key < len(old)}
    before, after = bucket_shards(old, wanted), bucket_shards(buckets, wanted)
    touched = set(changed)
    return {
        name: keys
        for name, keys in after.items()
        if before.get(name) != keys or not touched.isdisjoint(keys)
    }
