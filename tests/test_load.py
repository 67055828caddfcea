import os
import pickle
import sys
from datetime import date
from pathlib import Path

import pytest

import generator.load
import generator.workers
from generator.cache import BuildCache, answer_key
from generator.errors import ArchiveError
from generator.incremental import answer_fragments
from generator.load import load_archive
from generator.markup import AnswerRenderer, Fragment, answer_fragment
from tests.sitebuild import FIXTURE_ARCHIVE, MINIMAL_QUESTION, write_question
from tests.synthetic import write_synthetic_archive


def problems(content: Path) -> list[str]:
    with pytest.raises(ArchiveError) as caught:
        load_archive(content)
    return [str(p) for p in caught.value.problems]


def question_text(**fields: str) -> str:
    lines = MINIMAL_QUESTION.split("\n")
    for key, value in fields.items():
        lines.insert(1, f"{key}: {value}")
    return "\n".join(lines)


def test_fixture_archive_loads() -> None:
    archive = load_archive(FIXTURE_ARCHIVE / "content")
    assert len(archive.questions) == 8
    assert [d.name for d in archive.departments] == [
        "Department for Education",
        "Department for Transport",
        "HM Treasury",
    ]
    assert [p.slug for p in archive.pages] == ["about"]
    assert archive.pages[0].title == "About the fixture"
    statuses = {q.id: q.status for q in archive.questions}
    assert statuses["hc-2023-12-04-4100"] == "unanswered"
    assert statuses["hc-2023-11-14-2154"] == "answered"
    assert statuses["hc-2023-12-01-4001"] == "holding"


def test_newest_first_and_neighbours() -> None:
    archive = load_archive(FIXTURE_ARCHIVE / "content")
    education = archive.departments[0]
    ids = [q.id for q in education.questions]
    assert ids == [
        "hc-2023-12-01-4001",
        "hc-2023-12-04-4100",
        "hc-2023-11-14-2154",
        "hc-2023-11-14-2155",
        "hl-2023-11-01-hl1234",
    ]
    older, newer = archive.neighbours(education.questions[2])
    assert older is not None and older.id == "hc-2023-11-14-2155"
    assert newer is not None and newer.id == "hc-2023-12-04-4100"
    assert archive.neighbours(education.questions[0])[1] is None
    assert archive.neighbours(education.questions[-1])[0] is None


def test_values_are_typed(tmp_path: Path) -> None:
    write_question(tmp_path, "a.md", question_text(uin="12345", api_id="'99'"))
    (question,) = load_archive(tmp_path).questions
    assert question.id == "a"
    assert question.uin == "12345"
    assert question.api_id == 99
    assert question.asked_on == date(2024, 1, 10)
    assert question.answer == "Waiting times are published monthly."


def test_id_defaults_to_a_slug_of_the_file_name(tmp_path: Path) -> None:
    write_question(tmp_path, "2024/My Question.md", MINIMAL_QUESTION)
    assert load_archive(tmp_path).questions[0].id == "my-question"


def test_missing_required_fields(tmp_path: Path) -> None:
    path = write_question(tmp_path, "a.md", "---\ntitle: T\n---\n")
    assert problems(tmp_path) == [
        f"{path}:1: asked_on: required field is missing",
        f"{path}:1: department: required field is missing",
        f"{path}:1: question: required field is missing",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("asked_on", "2021-02-30", "impossible date 2021-02-30"),
        ("answered_on", "'last week'", "answered_on: expected a date like 2021-10-15"),
        (
            "house",
            "Commmons",
            "house: expected one of Commons, Lords, got 'Commmons' (did you mean",
        ),
        ("status", "pending", "status: expected one of answered, unanswered"),
        ("api_id", "abc", "api_id: expected a whole number"),
        ("grouped_with", "'123'", "grouped_with: expected a list of UINs"),
        ("source", "javascript:alert(1)", "source: expected an http or https URL"),
        ("attachments", "[{title: x}]", "attachment 1: expected exactly the keys title and url"),
        ("id", "../../etc", "id: expected lower-case letters"),
        ("id", "con", "reserved file name on Windows"),
        ("departmnet", "x", "departmnet: unknown field (did you mean 'department'?)"),
        ("asked_by", "[a, b]", "asked_by: expected text, got a list"),
    ],
)
def test_bad_fields_name_file_line_and_field(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    path = write_question(tmp_path, "a.md", question_text(**{field: value}))
    (problem,) = [p for p in problems(tmp_path) if "required" not in p]
    assert problem.startswith(f"{path}:2: ")
    assert message in problem


def test_every_bad_file_is_reported(tmp_path: Path) -> None:
    first = write_question(tmp_path, "a.md", question_text(status="nope"))
    second = write_question(tmp_path, "b.md", "no front matter\n")
    found = problems(tmp_path)
    assert len(found) == 2
    assert found[0].startswith(f"{first}:2: status")
    assert found[1] == f"{second}:1: expected front matter: the file must start with a '---' line"


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    write_question(tmp_path, "a/x.md", MINIMAL_QUESTION)
    write_question(tmp_path, "b/X.md", MINIMAL_QUESTION)
    (problem,) = problems(tmp_path)
    assert "duplicate id 'x'" in problem
    assert "a/x.md" in problem and "b/X.md" in problem


def test_status_consistency(tmp_path: Path) -> None:
    write_question(tmp_path, "a.md", question_text(status="unanswered"))
    write_question(tmp_path, "b.md", question_text(status="answered").replace("Waiting", "") + "")
    write_question(tmp_path, "c.md", question_text(answered_on="2020-01-01"))
    found = problems(tmp_path)
    assert any("a.md:2: status: 'unanswered' but the file has an answer" in p for p in found)
    assert any("c.md:2: answered_on: before asked_on" in p for p in found)


def test_answered_status_needs_an_answer(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\ndepartment: D\nasked_on: 2024-01-01\nquestion: Q\nstatus: answered\n---\n"
    )
    path = write_question(tmp_path, "a.md", text)
    assert problems(tmp_path) == [
        f"{path}:6: status: 'answered' needs an answer below the front matter"
    ]


def test_not_utf8(tmp_path: Path) -> None:
    path = write_question(tmp_path, "a.md", "")
    path.write_bytes(MINIMAL_QUESTION.replace("how long", "caf\xe9").encode("latin-1"))
    (problem,) = problems(tmp_path)
    assert problem.startswith(f"{path}:5: not valid UTF-8")


def test_empty_file(tmp_path: Path) -> None:
    path = write_question(tmp_path, "a.md", "")
    assert problems(tmp_path) == [f"{path}:1: empty file: expected front matter"]


def test_reserved_page_address(tmp_path: Path) -> None:
    (tmp_path / "search.md").write_text("# Search\n", encoding="utf-8")
    (problem,) = problems(tmp_path)
    assert "the address /search/ is reserved" in problem


def test_missing_content_folder(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: content folder not found"]


def test_hidden_and_non_markdown_files_are_ignored(tmp_path: Path) -> None:
    write_question(tmp_path, "a.md", MINIMAL_QUESTION)
    write_question(tmp_path, ".draft.md", "broken")
    write_question(tmp_path, "notes.txt", "broken")
    assert len(load_archive(tmp_path).questions) == 1


def _parse(content: Path, jobs: int, cache_dir: Path | None = None) -> object:
    """The archive (or the problems) and the digests, as load_archive gives them."""
    cache = BuildCache(cache_dir) if cache_dir else None
    digests: dict[str, bytes] = {}
    try:
        return load_archive(content, cache, digests, jobs), digests
    except ArchiveError as exc:
        return [str(p) for p in exc.problems], digests
    finally:
        if cache:
            cache.close()


def test_worker_processes_load_the_same_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_synthetic_archive(40, tmp_path)
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    monkeypatch.setattr(generator.workers, "CHUNK", 7)
    serial = _parse(content, 1)
    assert _parse(content, 2) == serial
    assert _parse(content, 2, tmp_path / "cache-a") == _parse(content, 1, tmp_path / "cache-b")
    assert _parse(content, 2, tmp_path / "cache-a") == _parse(content, 1, tmp_path / "cache-b")
    # Problems come back from the workers, in the order of the files.
    broken = sorted((content / "questions").rglob("*.md"))
    for path in (broken[3], broken[30]):
        path.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    problems, _ = _parse(content, 2)  # type: ignore[misc]
    assert problems == _parse(content, 1)[0]  # type: ignore[index]
    assert len(problems) == 2


def test_questions_share_repeated_values_and_survive_pickling() -> None:
    """Workers and the cache send questions as pickles: each arrives equal to the original,
    with names and dates shared between questions and the class's shared key table kept
    (a question's own copy of it would cost about a kilobyte a question)."""
    questions = load_archive(FIXTURE_ARCHIVE / "content").questions
    sent = [pickle.loads(pickle.dumps(q, protocol=pickle.HIGHEST_PROTOCOL)) for q in questions]
    assert sent == list(questions)
    assert all(vars(a) == vars(b) for a, b in zip(sent, questions, strict=True))
    same_department = [q for q in sent if q.department == sent[0].department]
    assert len(same_department) > 1
    assert all(q.department is same_department[0].department for q in same_department)
    assert all(q.asked_on is p.asked_on for q in sent for p in sent if q.asked_on == p.asked_on)
    assert {sys.getsizeof(vars(q)) for q in sent} == {sys.getsizeof(vars(q)) for q in questions}


def _paths_as_pathlib_names_them(content_dir: Path) -> list[tuple[str, str, str]]:
    """The former definition of the files' paths and display names, with `Path` objects."""
    cwd, real_content = Path.cwd().resolve(), content_dir.resolve()
    found = []
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files + [d for d in dirs if d.endswith(".md")]):
            if name.endswith(".md") and not name.startswith("."):
                path = Path(root) / name
                relative = path.relative_to(content_dir)
                real = path.resolve() if os.path.islink(path) else real_content / relative
                try:
                    display = str(real.relative_to(cwd))
                except ValueError:
                    display = str(path)
                found.append((str(path), relative.as_posix(), display))
    return found


def test_files_are_named_as_pathlib_named_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Display names are in messages and cache keys: the string-joined ones must be the same
    for a content folder inside the working folder, equal to it, or outside it, and for
    linked files pointing inside or outside."""
    site, outside = tmp_path / "site", tmp_path / "outside"
    content = site / "content"
    write_question(content, "commons/2023/a.md", MINIMAL_QUESTION)
    write_question(content, "b.md", MINIMAL_QUESTION)
    (content / "about.md").write_text("# About\n", encoding="utf-8")
    (content / ".hidden.md").write_text("# Hidden\n", encoding="utf-8")
    outside.mkdir()
    (outside / "far.md").write_text("# Far\n", encoding="utf-8")
    (content / "far.md").symlink_to(outside / "far.md")
    (content / "near.md").symlink_to(content / "about.md")
    cases = [(site, Path("content")), (site, Path("./content/")), (content, Path("."))]
    cases += [(outside, content), (site, content)]
    for cwd, given in cases:
        monkeypatch.chdir(cwd)
        show = generator.load._shown_as(given)
        ours = [(p, r, show(p, r, k)) for p, r, k in generator.load._content_files(given)]
        assert ours == _paths_as_pathlib_names_them(given)
        assert len(ours) == 5 and ours[3][1] == "questions/b.md"


def test_files_are_found_as_os_walk_found_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_content_files` walks the folders itself (to know links from the listing): the same
    files in the same order as `os.walk`, with linked and hidden folders not entered, a
    folder named *.md listed (the build refuses it), and a broken link listed."""
    content = tmp_path / "content"
    for name in ("b.md", "a.md", "z/y.md", "z/x/w.md", "m/n.md", ".h/i.md", "x.txt"):
        write_question(content, name, MINIMAL_QUESTION)
    (content / "folder.md").mkdir()
    (content / "folder.md" / "inner.md").write_text("# In\n", encoding="utf-8")
    (content / "linked").symlink_to(content / "questions" / "z")
    (content / "linked.md").symlink_to(content / "questions" / "m")
    (content / "broken.md").symlink_to(tmp_path / "nowhere.md")
    (content / "questions" / "near.md").symlink_to(content / "questions" / "a.md")
    monkeypatch.chdir(tmp_path)
    show = generator.load._shown_as(Path("content"))
    ours = [(p, r, show(p, r, k)) for p, r, k in generator.load._content_files(Path("content"))]
    assert ours == _paths_as_pathlib_names_them(Path("content"))
    relatives = [r for _, r, _ in ours]
    assert "linked.md" in relatives and "broken.md" in relatives and "folder.md" in relatives
    assert "folder.md/inner.md" in relatives
    assert not any(r.startswith(("linked/", "linked.md/", "questions/.h/")) for r in relatives)


def _answers(content: Path, jobs: int, cache_dir: Path | None = None) -> dict[bytes, Fragment]:
    """The answers load_archive renders as it parses (by answer key)."""
    cache = BuildCache(cache_dir) if cache_dir else None
    answers: dict[bytes, Fragment] = {}
    try:
        load_archive(content, cache, None, jobs, None, answers)
    finally:
        if cache:
            cache.close()
    return answers


def test_answers_rendered_while_loading_are_those_rendered_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loading workers render each answer as the answer stage alone would (one
    renderer, one answer at a time), in one process or several; with a cache, only the
    answers it does not hold; and `answer_fragments` gives the same HTML either way."""
    content = write_synthetic_archive(40, tmp_path)
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    monkeypatch.setattr(generator.workers, "CHUNK", 7)
    archive = load_archive(content)
    renderer = AnswerRenderer()
    expected = {
        answer_key(q.answer): answer_fragment(renderer, q.answer) for q in archive.questions
    }
    assert len(expected) > 30
    assert _answers(content, 1) == expected
    assert _answers(content, 2) == expected
    assert _answers(content, 2, tmp_path / "cache") == expected
    cache = BuildCache(tmp_path / "cache")
    try:
        assert answer_fragments(archive, cache, 2) == answer_fragments(archive, None, 1)
        cache.commit()
        assert cache.fragment_hashes() == set(expected)
        edited = next(q for q in archive.questions if q.answer)
        cache.forget_parsed(cache.parsed_files())  # every file parsed again
        cache.db.execute("DELETE FROM fragments WHERE hash = ?", (answer_key(edited.answer),))
    finally:
        cache.close()
    assert _answers(content, 2, tmp_path / "cache") == {
        answer_key(edited.answer): expected[answer_key(edited.answer)]
    }
    loaded: dict[bytes, Fragment] = {}
    again = load_archive(content, None, None, 2, None, loaded)
    assert answer_fragments(again, None, 1, loaded) == answer_fragments(archive, None, 1)


def test_answer_keys_made_while_loading_are_those_of_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loading workers send each parsed question's answer key (`answer_keys`), in one
    process or several, also for answers the cache holds (rendered by none); a file the
    cache gives back unparsed has none, and `answer_fragments` hashes its answer itself,
    giving what it gives with no keys at all."""
    content = write_synthetic_archive(40, tmp_path)
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    monkeypatch.setattr(generator.workers, "CHUNK", 7)
    reference = load_archive(content)
    expected = {q.id: answer_key(q.answer) for q in reference.questions}
    plain = answer_fragments(reference, None, 1)
    for jobs in (1, 2):
        keys: dict[str, bytes] = {}
        answers: dict[bytes, Fragment] = {}
        archive = load_archive(content, None, None, jobs, None, answers, keys)
        assert keys == expected
        assert answer_fragments(archive, None, 1, answers, None, keys) == plain
    cache = BuildCache(tmp_path / "cache")
    try:
        first: dict[str, bytes] = {}
        archive = load_archive(content, cache, None, 2, None, {}, first)
        assert first == expected
        answer_fragments(archive, cache, 1)  # every answer stored
        edited = sorted(content.rglob("*.md"))[5]
        edited.write_text(edited.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        again: dict[str, bytes] = {}
        answers = {}
        archive = load_archive(content, cache, None, 2, None, answers, again)
        (question,) = [q for q in archive.questions if q.source_path.endswith(edited.name)]
        assert again == {question.id: answer_key(question.answer)}
        assert answers == {
            answer_key(question.answer): answer_fragment(AnswerRenderer(), question.answer)
        }
        ours = answer_fragments(archive, cache, 1, answers, None, again)
        assert ours == answer_fragments(archive, None, 1)
    finally:
        cache.close()


def test_files_are_read_whole_with_their_status(tmp_path: Path) -> None:
    """`_read_bytes` gives what `Path.read_bytes` gives (and the file's status as `os.stat`
    gives it), empty and large files too, and all of a file larger than its status said
    (one that grew between the two)."""
    sizes = (0, 1, 4095, 4096, 70_000, 300_001)
    for size in sizes:
        path = tmp_path / f"{size}.md"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        data, info = generator.load._read_bytes(str(path), "shown")
        assert data == path.read_bytes()
        assert (info.st_size, info.st_mtime_ns, info.st_ino) == (
            os.stat(path).st_size, os.stat(path).st_mtime_ns, os.stat(path).st_ino,
        )  # fmt: skip
        handle = os.open(path, os.O_RDONLY)
        try:
            assert generator.load._read_all(handle, max(size // 3, 0)) == path.read_bytes()
        finally:
            os.close(handle)
    with pytest.raises(ArchiveError, match="is a folder"):
        generator.load._read_bytes(str(tmp_path), "shown")
    with pytest.raises(ArchiveError, match="cannot read file: No such file"):
        generator.load._read_bytes(str(tmp_path / "gone.md"), "shown")
