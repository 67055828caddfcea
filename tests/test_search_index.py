"""The search stage in Python: tokens, stemmer, index, document store, files, facets."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import lunr.pipeline
import lunr.stemmer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunr.pipeline import Pipeline
from lunr.token import Token
from lunr.tokenizer import Tokenizer

import generator.search_pages
from generator.load import load_archive
from generator.markup import AnswerRenderer, answer_fragment
from generator.search import (
    ANSWER_SNIPPET,
    FIELD_BOOSTS,
    STORE_COLUMNS,
    LazyRecords,
    _normalise,
    build_index,
    index_pipeline,
    index_terms,
    js_stemmer,
    load_index,
    normalise_term,
    register_pipeline,
    result_row,
    search_facets,
    search_records,
    to_json_bytes,
)
from generator.search_chunks import (
    MAP_DIGITS,
    SHARD_SIZE,
    Tokeniser,
    chunk_terms,
    chunked_files,
    collect_postings,
    js_order,
    shard_buckets,
    shard_layout,
    title_hash,
)
from generator.search_incremental import SearchStore, _segments, write_search_index
from generator.search_pages import paged
from generator.write import FileWriter
from tests.conftest import SEARCH_ARCHIVE
from tests.pagetext import quoted
from tests.synthetic import write_synthetic_archive

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "themes" / "default" / "static" / "vendor" / "lunr"


@pytest.fixture(scope="module")
def archive():  # type: ignore[no-untyped-def]
    return load_archive(SEARCH_ARCHIVE / "content")


@pytest.fixture(scope="module")
def index(archive):  # type: ignore[no-untyped-def]
    """lunr.py's monolithic index, through JSON: the reference the chunked index matches."""
    return load_index(json.loads(to_json_bytes(build_index(search_records(archive)).serialize())))


def refs(index, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit["ref"] for hit in index.search(query)]


@pytest.mark.parametrize(
    ("token", "terms"),
    [
        ("£51.3", ["51.3"]),
        ("children's", ["children"]),
        ("children\u2019s", ["children"]),
        ("members'", ["members"]),
        ("o'brien", ["o'brien"]),
        ("2023\u201324", ["2023", "24"]),
        ("2023/24", ["2023", "24"]),
        ("£1,000,000", ["1000000"]),
        ("2021,2022", ["2021,2022"]),
        ("(ehc)", ["ehc"]),
        ("hl1234", ["hl1234"]),
        ("café", ["café"]),
        ("“quoted”", ["quoted"]),
        ("£", []),
        ("'s", ["s"]),
    ],
)
def test_normalise_term(token: str, terms: list[str]) -> None:
    assert normalise_term(token) == terms


# Characters that each step of the tokenizer and `normalise_term` treats apart: separators
# (lunr's and those only str.split() knows), apostrophes, slashes, dashes, digit groups,
# brackets and punctuation, a stop word's and a stemmed word's letters, and non-ASCII.
TRICKY = "aeiosty19,.'\u2019/-\u2013()[]\":;!?£é \t\xa0\x1c\u2003\u3000"
WORDS = ["the", "and", "schools", "deploy", "children's", "2023/24", "1,000", "(ehc)", "£5."]
NUMBERS = st.from_regex(r"[(£\[]?[0-9,.]{1,14}[.,:)\]]?", fullmatch=True)
tricky_text = st.lists(st.text(alphabet=TRICKY, max_size=8) | st.sampled_from(WORDS)).map(" ".join)


def pipeline_terms(token: str) -> list[str]:
    """What lunr.py's own Pipeline makes of one token with the index pipeline."""
    register_pipeline()
    pipeline = Pipeline()
    pipeline.add(*index_pipeline())
    return [str(term) for term in pipeline.run([Token(token)])]


@given(st.text(alphabet=TRICKY, max_size=10) | NUMBERS)
@settings(max_examples=500, deadline=None)
def test_normalise_term_shortcut_is_the_step_by_step_result(token: str) -> None:
    assert normalise_term(token) == _normalise(token)


@given(st.from_regex(r"[a-z0-9.'é]{0,12}[0-9]", fullmatch=True))
@settings(max_examples=300, deadline=None)
def test_a_word_ending_in_a_digit_is_its_own_stem(word: str) -> None:
    assert str(js_stemmer(Token(word))) == word


@given(st.text(alphabet=TRICKY, max_size=10) | st.sampled_from(WORDS) | NUMBERS)
@settings(max_examples=500, deadline=None)
def test_index_terms_are_the_pipelines(token: str) -> None:
    assert index_terms(token) == pipeline_terms(token)


@given(st.lists(st.lists(tricky_text, min_size=7, max_size=7), min_size=2, max_size=3))
@settings(max_examples=150, deadline=None)
def test_tokeniser_finds_what_lunr_tokenizer_and_pipeline_find(documents: list[list[str]]) -> None:
    """Counted through the memo (once a token is known), or token by token when a token
    gives several terms, and for members and departments remembered per value: the terms,
    frequencies and field lengths of lunr.py's tokenizer followed by the pipeline, in the
    order lunr.py meets them, for each of several documents and again for the first."""
    tokeniser = Tokeniser()
    for texts in [*documents, documents[0]]:
        fields = tuple(
            (name, text) for (name, _boost), text in zip(FIELD_BOOSTS, texts, strict=True)
        )
        expected = []
        for text in texts:
            terms = [t for token in Tokenizer(text) for t in pipeline_terms(str(token))]
            counts = Counter(terms)
            expected.append((len(terms), (tuple(counts), tuple(counts.values()))))
        lengths, found = tokeniser.document(fields)
        assert list(zip(lengths, found, strict=True)) == expected


def test_stemmer_follows_lunr_js_without_changing_lunr_py() -> None:
    def stem(word: str) -> str:
        return str(js_stemmer(Token(word)))

    # lunr.js: final y -> i only after a consonant (and "try" -> "tri").
    assert [stem(w) for w in ("deploy", "display", "key", "try", "policy")] == [
        "deploy",
        "display",
        "key",
        "tri",
        "polici",
    ]
    # lunr.py's own registered stemmer is left exactly as it was.
    assert lunr.stemmer.porter_stemmer.stem("deploy") == "deploi"
    assert lunr.pipeline.Pipeline.registered_functions["stemmer"] is lunr.stemmer.stemmer


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("HL1234", "2022-05-10-teacher-recruitment"),
        ("EHC", "2021-10-15-local-government-children"),
        ("£51.3 billion", "2021-10-15-local-government-children"),
        ("51.3", "2021-10-15-local-government-children"),
        ("2024-25", "2024-03-04-fuel-duty"),
        ("title:hospices", "2024-04-22-hospices"),
        ("uin:59350", "2021-10-15-local-government-children"),
        ("asked_by:blower", "2022-05-10-teacher-recruitment"),
        ("cafés", "2021-09-14-cafe-licences"),
        ("1,000", "2022-03-01-send-funding"),
    ],
)
def test_tricky_tokens_are_findable(index, query: str, first: str) -> None:  # type: ignore[no-untyped-def]
    assert refs(index, query)[0] == first


def test_hyphenated_years_and_apostrophes(index) -> None:  # type: ignore[no-untyped-def]
    # "2023-24", "2023/24" and the en-dash form are all written in the fixtures: all are found.
    found = set(refs(index, "+2023 +24"))
    assert {
        "2022-03-01-send-funding",
        "2024-02-02-armed-forces-housing",
        "2023-02-14-defence-procurement",
    } <= found
    assert set(refs(index, "2023-24")) >= found
    possessive = {
        "2023-11-20-mental-health-children",
        "2021-10-15-local-government-children",
        "2024-04-22-hospices",
    }
    assert set(refs(index, "children's")) == possessive
    assert set(refs(index, "children\u2019s")) == possessive


def test_stemmed_words_match_their_forms(index) -> None:  # type: ignore[no-untyped-def]
    deploy = {
        "2022-03-01-send-funding",
        "2024-02-02-armed-forces-housing",
        "2023-02-14-defence-procurement",
    }
    assert set(refs(index, "deploy")) == deploy
    assert set(refs(index, "deploying")) == deploy


def test_heading_match_outranks_answer_match(index) -> None:  # type: ignore[no-untyped-def]
    # "housing" is in one heading and in another question's department name.
    assert refs(index, "housing")[0] == "2024-02-02-armed-forces-housing"
    assert dict(FIELD_BOOSTS)["title"] > dict(FIELD_BOOSTS)["answer"]


def test_loaded_index_searches_like_the_built_one(archive, index) -> None:  # type: ignore[no-untyped-def]
    built = build_index(search_records(archive))
    for query in ("children", "deploy~1", "+health -children", "educat*", "2023-24"):
        assert index.search(query) == built.search(query)


def _search_files(search_site: Path) -> dict[str, bytes]:
    folder = search_site / "search"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_document_shards_hold_what_results_show(search_site: Path) -> None:
    files = _search_files(search_site)
    manifest = json.loads(files["manifest.json"])
    assert manifest["columns"] == list(STORE_COLUMNS)
    names = [name for name, _slug in manifest["departments"]]
    assert names == sorted(names, key=str.casefold)
    rows = rows_by_key(files)
    assert len(rows) == 13 == manifest["count"]
    # Every row of every shard is some key's, once.
    shards = [json.loads(files[n]) for n in files if n.startswith("docs/")]
    assert sum(len(shard) for shard in shards) == 13
    # Keys count from the oldest question.
    assert rows[0][0] == "2021-09-14-cafe-licences" and rows[-1][0] == "2024-04-22-hospices"
    by_ref = {row[0]: dict(zip(STORE_COLUMNS, row, strict=True)) for row in rows}
    hospices = by_ref["2024-04-22-hospices"]
    assert hospices["url"] == "questions/2024-04-22-hospices/"
    assert manifest["departments"][hospices["department"]] == [
        "Department of Health and Social Care",
        "department-of-health-and-social-care",
    ]
    assert (hospices["house"], hospices["status"], hospices["uin"]) == (
        "Lords",
        "answered",
        "HL3990",
    )
    assert (hospices["asked_on"], hospices["answered_on"]) == ("2024-04-22", "2024-05-01")
    assert by_ref["2024-03-04-fuel-duty"]["answered_on"] == ""
    assert all(len(row[STORE_COLUMNS.index("answer")]) <= ANSWER_SNIPPET + 1 for row in rows)


def rows_by_key(files: dict[str, bytes]) -> list[list[str | int]]:
    """Each key's row, found as the search page finds it: its bucket from the shard map,
    its rank among its bucket's keys, hence its shard and its row there."""
    manifest = json.loads(files["manifest.json"])
    text = json.loads(files[manifest["shardMap"]])
    assert len(text) == 2 * manifest["count"]
    assert manifest["shardBuckets"] == shard_buckets(manifest["count"])
    seen: dict[int, int] = {}
    rows = []
    for key in range(manifest["count"]):
        bucket = MAP_DIGITS.index(text[2 * key]) * 64 + MAP_DIGITS.index(text[2 * key + 1])
        assert bucket < manifest["shardBuckets"]
        rank = seen[bucket] = seen.get(bucket, -1) + 1
        shard = json.loads(files[f"docs/{bucket}-{rank // manifest['shardSize']}.json"])
        rows.append(shard[rank % manifest["shardSize"]])
    return rows


def test_shards_group_questions_by_title() -> None:
    """Questions with the same title heading share a bucket (so a query's best results,
    which mostly do, share a few files), each bucket's rows oldest first; a new newest
    question changes only its own bucket's last shard."""
    titles = [f"Title {i % 50}" for i in range(3000)]
    titles[7] = "  hospitals :  WAITING lists "
    titles[2990] = "Hospitals: Beds"
    layout = shard_layout([title_hash(t) for t in titles])
    assert shard_buckets(3000) == 128 and len(set(layout.buckets)) <= 50
    where = {key: name for name, keys in layout.shards.items() for key in keys}
    assert layout.buckets[7] == layout.buckets[2990]
    same = [key for key, title in enumerate(titles) if title == "Title 3"]
    assert len(same) == 60 and len({where[key] for key in same}) <= 2
    for name, keys in layout.shards.items():
        assert keys == sorted(keys) and len(keys) <= SHARD_SIZE
        bucket, number = (int(x) for x in name[5:-5].split("-"))
        assert all(layout.buckets[key] == bucket for key in keys)
        ranks = [sum(1 for k in range(key) if layout.buckets[k] == bucket) for key in keys]
        assert ranks == list(range(number * SHARD_SIZE, number * SHARD_SIZE + len(keys)))
    grown = shard_layout([title_hash(t) for t in [*titles, "Title 3"]])
    changed = {n for n in grown.shards if grown.shards[n] != layout.shards.get(n)}
    last = max(n for n in layout.shards if n.startswith(f"docs/{layout.buckets[same[0]]}-"))
    assert changed == {last} and grown.shards[last][-1] == 3000


def test_facets_decode_to_each_documents_filters(search_site: Path) -> None:
    files = _search_files(search_site)
    manifest = json.loads(files["manifest.json"])
    facets = json.loads(files[manifest["facets"]])
    h, y, s = len(facets["houses"]), len(facets["years"]), len(facets["statuses"])
    decoded = []
    for code in facets["docs"]:
        status, code = code % s, code // s
        year, code = code % y, code // y
        house, department = code % h, code // h
        decoded.append((manifest["departments"][department][1], facets["houses"][house],
                        facets["years"][year], facets["statuses"][status]))  # fmt: skip
    assert decoded[-1] == ("department-of-health-and-social-care", "Lords", "2024", "answered")
    assert len(decoded) == 13
    assert sum(d[2] == "" for d in decoded) == 2  # not answered: no year


def test_chunks_hold_every_term_once_in_order(archive, search_site: Path) -> None:  # type: ignore[no-untyped-def]
    files = _search_files(search_site)
    manifest = json.loads(files["manifest.json"])
    terms = json.loads(files[manifest["terms"]])
    chunked = []
    for first, name in manifest["chunks"]:
        chunk = json.loads(files[name])
        assert chunk["terms"][0] == first and len(chunk["postings"]) == len(chunk["terms"])
        chunked += chunk["terms"]
    assert chunked == terms == sorted(build_index(search_records(archive)).inverted_index)
    listed = json.loads(files["files.json"])["files"]
    assert sorted(listed) == sorted(n for n in files if n not in ("files.json", "index.html"))


def test_changing_one_question_rewrites_only_its_chunks(tmp_path: Path) -> None:
    records = list(search_records(load_archive(write_synthetic_archive(300, tmp_path))))
    before = dict(chunked_files(records))
    i = 17
    old_terms = set(collect_postings([records[i]]).by_term)
    fields = dict(records[i].fields)
    fields["answer"] += " ZZApprenticeships ZZmatter."
    snippet = "Apprenticeships matter. " + records[i].answer_snippet
    records[i] = replace(records[i], fields=tuple(fields.items()), answer_snippet=snippet)
    after = dict(chunked_files(records))
    keys = shard_layout([title_hash(r.title) for r in reversed(records)]).shards
    shard = next(name for name, keys in keys.items() if len(records) - 1 - i in keys)
    its_terms = old_terms | set(collect_postings([records[i]]).by_term)
    assert its_terms - old_terms == {"zzapprenticeship", "zzmatter"}
    changed = set(before.items()) ^ set(after.items())
    names = {name for name, _data in changed}
    terms_files = {n for n in names if n.startswith("search/terms/")}
    assert {n for n in names if not n.startswith("search/chunks/")} == {
        "search/manifest.json",  # the answer field's total length and the chunk names
        "search/files.json",
        f"search/{shard}",
    } | terms_files
    assert len(terms_files) == 2  # two new terms
    for name in names:
        if name.startswith("search/chunks/") and name in after:  # a rewritten chunk
            assert set(json.loads(after[name])["terms"]) & its_terms, name
    # Every chunk whose range of terms holds none of the question's terms is kept as it was.
    chunks = json.loads(before["search/manifest.json"])["chunks"]
    ranges = zip(chunks, [*(first for first, _name in chunks[1:]), None], strict=True)
    untouched = [
        name
        for (first, name), end in ranges
        if not any(first <= t and (end is None or t < end) for t in its_terms)
    ]
    assert len(untouched) >= 5
    assert all(f"search/{name}" in after for name in untouched)


def test_build_writes_search_files(search_site: Path) -> None:
    manifest = json.loads((search_site / "search" / "manifest.json").read_text())
    assert manifest["pipeline"] == ["answersNormalise", "stemmer"]
    assert [f for f, _boost in manifest["fields"]] == [name for name, _boost in FIELD_BOOSTS]
    assert manifest["count"] == 13
    assert not (search_site / "search" / "index.json").exists()
    assert (search_site / "search" / "index.html").is_file()
    assert (search_site / "static" / "vendor" / "lunr" / "LICENSE").is_file()


def test_search_files_are_deterministic(tmp_path: Path) -> None:
    """Same input, same bytes, whatever Python's hash seed (sets order differently)."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        subprocess.run(
            [sys.executable, "-m", "generator", "build", "--out", str(out),
             "--content", str(SEARCH_ARCHIVE / "content"),
             "--config", str(SEARCH_ARCHIVE / "site.yaml"), "--no-cache"],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        outputs.append(_search_files(out))
    assert outputs[0] == outputs[1]


def test_facets_count_the_archive(archive) -> None:  # type: ignore[no-untyped-def]
    facets = search_facets(archive)
    departments = {f.label: f.count for f in facets.departments}
    assert departments["Department for Education"] == 4
    assert departments["Ministry of Defence"] == 2
    assert [(f.value, f.count) for f in facets.houses] == [("Commons", 9), ("Lords", 4)]
    assert [f.value for f in facets.years] == ["2024", "2023", "2022", "2021"]
    assert {f.value: f.count for f in facets.statuses} == {
        "answered": 9,
        "unanswered": 1,
        "holding": 1,
        "withdrawn": 1,
        "corrected": 1,
    }


def test_search_page_markup(search_site: Path) -> None:
    html = quoted((search_site / "search" / "index.html").read_text())
    assert 'id="results"' in html
    assert '<label for="search-q">' in html
    assert 'role="status" aria-live="polite"' in html
    assert '<option value="department-for-education">Department for Education (4)</option>' in html
    assert '<option value="Lords">House of Lords (4)</option>' in html
    assert '<option value="holding">Holding answer (1)</option>' in html
    fallback = html.split('id="search-unavailable"')[1].split("</div>")[0]
    assert fallback.count('<li><a href="/departments/') == 7
    assert "/static/vendor/lunr/lunr.min.js?v=" in html
    assert "cdn" not in html.lower()


def test_vendored_lunr_is_the_npm_release() -> None:
    minified = (VENDOR / "lunr.min.js").read_bytes()
    recorded = (VENDOR / "README.md").read_text()
    assert hashlib.sha256(minified).hexdigest() in recorded
    assert b"2.3.9" in minified[:200]
    assert "Permission is hereby granted" in (VENDOR / "LICENSE").read_text()


def test_records_from_the_pages_answers_equal_records_rendered_afresh(tmp_path: Path) -> None:
    # The build passes the answers it rendered for the pages; the search must see exactly
    # the text it would get by rendering every answer's Markdown again.
    archive = load_archive(write_synthetic_archive(200, tmp_path))
    answers = AnswerRenderer()
    fragments = {q.id: answer_fragment(answers, q.answer) for q in archive.questions}
    assert search_records(archive, fragments) == search_records(archive)
    assert any(r.answer_snippet for r in search_records(archive, fragments))
    # The build reads them made one at a time: the same records, in every order asked.
    lazy = LazyRecords(archive, fragments)
    records = search_records(archive)
    assert len(lazy) == len(records)
    assert list(lazy) == list(records)
    assert list(reversed(lazy)) == list(reversed(records))
    assert lazy[3:9] == list(records[3:9])
    assert dict(chunked_files(lazy)) == dict(chunked_files(records))


def test_a_result_row_made_from_the_question_is_the_records(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`LazyRecords.row` (the cached index's document shards) makes, without the record,
    the row `result_row` makes of it (the shards of `search_files`), answers rendered by
    the pages or here, on the search fixture (unanswered and withdrawn questions, members'
    names missing) and a synthetic archive."""
    synthetic = load_archive(write_synthetic_archive(200, tmp_path))
    answers = AnswerRenderer()
    for each in (archive, synthetic):
        rendered = {q.id: answer_fragment(answers, q.answer) for q in each.questions[::2]}
        lazy = LazyRecords(each, rendered)
        departments = {d.name: number for number, d in enumerate(each.departments)}
        rows = [lazy.row(i, departments) for i in range(len(lazy))]
        records = search_records(each)
        assert rows == [result_row(r, departments[r.department]) for r in records]
        assert {row[5] for row in rows} >= {"answered", "unanswered"}


@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=6), st.integers(0, 4000)), max_size=400),
)
@settings(max_examples=100, deadline=None)
def test_a_segment_is_chunked_as_the_whole_term_list_chunks_it(
    sized: list[tuple[str, int]],
) -> None:
    """`chunk_terms(segment=True)` (no hash computed again) gives each segment the chunks
    that chunking every term, hashes included, gives it."""
    sizes = dict(sized)
    terms = sorted(sizes, key=js_order)
    by_segment = [
        chunk for segment in _segments(terms) for chunk in chunk_terms(segment, sizes, segment=True)
    ]
    assert by_segment == chunk_terms(terms, sizes)


def test_the_whole_index_through_the_store_is_the_chunked_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached cold build's index (postings collected as (key, frequency) pairs beside
    each field's lengths by key, pages stored a row a chunk, filters from each key's own)
    is `search_files`' (lunr.py-equivalent, tested above), with pages of four keys so that
    common terms span many; and the stored pages are what `paged` makes of each term."""
    monkeypatch.setattr(generator.search_pages, "PAGE_BITS", 2)
    archive = load_archive(write_synthetic_archive(300, tmp_path))
    assert len({(q.house, q.status, q.answered_on) for q in archive.questions}) > 3
    contents = {q.id: hashlib.sha256(q.id.encode()).digest()[:16] for q in archive.questions}
    store = SearchStore(tmp_path, "code")
    out = tmp_path / "out"
    written = write_search_index(
        archive, {}, contents, store, FileWriter(out, {}, {}), tmp_path / "none"
    )
    expected = dict(chunked_files(search_records(archive)))
    assert {path: (out / path).read_bytes() for path, *_ in written} == expected
    postings = collect_postings(search_records(archive)).by_term
    stored = store.range_pages(min(postings, key=js_order), None)
    assert stored == {term: paged(p) for term, p in postings.items()}
    assert any(len(pages) > 10 for pages in stored.values())
    store.close()
