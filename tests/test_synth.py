"""`answers synth`: deterministic, loadable, buildable, and shaped like the fitted model."""

import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

from generator.load import load_archive
from generator.synth import MODEL_PATH, load_model, synthesise, write_archive
from tests.sitebuild import FIXTURE_ARCHIVE, answers, build_site, tree_bytes


@pytest.fixture(scope="module")
def sample() -> list:  # type: ignore[type-arg]
    """Enough questions for the distributions to show (about 1 s to draw)."""
    return synthesise(3000, seed=11)


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = answers("synth", "150", "--out", str(tmp_path / "a"), "--seed", "7", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "wrote 150 questions (seed 7)" in first.stdout
    answers("synth", "150", "--out", str(tmp_path / "b"), "--seed", "7", cwd=tmp_path)
    answers("synth", "150", "--out", str(tmp_path / "c"), "--seed", "8", cwd=tmp_path)
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")
    assert tree_bytes(tmp_path / "a") != tree_bytes(tmp_path / "c")


@pytest.mark.parametrize("count", [1, 2, 37, 400])
def test_count_is_honoured(tmp_path: Path, count: int) -> None:
    result = write_archive(tmp_path / "content", count, seed=count)
    files = list((tmp_path / "content" / "questions").rglob("*.md"))
    assert result.questions == len(files) == count
    assert len(load_archive(tmp_path / "content").questions) == count


def test_loads_and_builds_cleanly(tmp_path: Path) -> None:
    content = tmp_path / "site" / "content"
    write_archive(content, 250, seed=3)
    (tmp_path / "site" / "site.yaml").write_bytes((FIXTURE_ARCHIVE / "site.yaml").read_bytes())
    out, result = build_site(tmp_path / "site")
    assert result.questions == 250
    assert result.warnings == [] or all("size" not in w for w in result.warnings)
    archive = load_archive(content)
    some = archive.questions[0]
    assert (out / "questions" / some.id / "index.html").is_file()
    assert "synthetic" in (out / "about" / "index.html").read_text()
    for question in archive.questions:
        assert question.grouped_with == tuple(
            q for q in question.grouped_with if any(o.uin == q for o in archive.questions)
        )


def test_departments_members_and_houses_follow_the_model(sample: list) -> None:  # type: ignore[type-arg]
    model = load_model().raw
    fitted = dict((name, count) for name, count in model["departments"])
    counts = Counter(q.department for q in sample)
    assert set(counts) <= set(fitted)
    biggest = max(fitted, key=lambda name: fitted[name])
    share = fitted[biggest] / sum(fitted.values())
    assert abs(counts[biggest] / len(sample) - share) < 0.04
    assert len(counts) >= 20
    houses = Counter(q.house for q in sample)
    assert 0.06 < houses["Lords"] / len(sample) < 0.2
    assert all(q.uin and q.uin.startswith("HL") for q in sample if q.house == "Lords")
    assert all(
        q.question.startswith("To ask His Majesty's Government")
        for q in sample
        if q.house == "Lords"
    )
    # Askers are concentrated as in Parliament: a few members ask a large share.
    askers = Counter(q.asked_by for q in sample)
    top_tenth = sum(n for _, n in askers.most_common(max(1, len(askers) // 10)))
    assert top_tenth / len(sample) > 0.3
    # A department is answered by its own few ministers (per House), not by everyone.
    ministers: dict[tuple[str, str], set[str]] = {}
    for q in sample:
        if q.answered_by and q.house:
            ministers.setdefault((q.department, q.house), set()).add(q.answered_by)
    for (department, _), names in ministers.items():
        assert len(names) <= len(model["answerers"][department])
    assert sum(map(len, ministers.values())) < len(askers) / 2


def test_lengths_structure_dates_and_statuses_follow_the_model(sample: list) -> None:  # type: ignore[type-arg]
    model = load_model().raw
    answered = [q for q in sample if q.answer]
    # Answer length: the median falls within the model's 35%..65% quantile band.
    lengths = [len(re.sub(r"<[^>]+>", "", q.answer)) for q in answered]
    cuts = model["answer_chars"]
    assert cuts[7] * 0.8 < statistics.median(lengths) < cuts[13] * 1.25
    words = [len(q.question.split()) for q in sample]
    assert (
        model["question_words"][6] * 0.8
        < statistics.median(words)
        < model["question_words"][14] * 1.2
    )
    paragraphs = [
        len([b for b in q.answer.split("\n\n") if not b.startswith(("<", "- "))]) for q in answered
    ]
    fitted = model["paragraphs"]
    fitted_mean = sum(i * n for i, n in enumerate(fitted)) / sum(fitted)
    assert abs(statistics.mean(paragraphs) - fitted_mean) < 0.5
    tables = sum("<table>" in q.answer for q in answered) / len(answered)
    lists = sum("\n- " in "\n" + q.answer for q in answered) / len(answered)
    assert 0.3 * model["table_share"] < tables < 3 * model["table_share"]
    assert 0.3 * model["list_share"] < lists < 3 * model["list_share"]
    delays = [(q.answered_on - q.asked_on).days for q in answered if q.answered_on]
    assert all(d >= 1 for d in delays)
    assert 4 <= statistics.median(delays) <= 12
    assert all(
        q.asked_on.weekday() < 5 and (q.answered_on or q.asked_on).weekday() < 5 for q in sample
    )
    assert all(q.due_on and q.due_on > q.asked_on for q in sample)
    statuses = Counter(q.status for q in sample)
    assert statuses["answered"] > 0.7 * len(sample)
    assert statuses["unanswered"] > 0 and statuses["holding"] > 0
    titles = [q.title for q in sample if not q.title.startswith("Untitled")]
    with_subtopic = sum(": " in t for t in titles) / len(titles)
    assert abs(with_subtopic - model["subtopic_share"]) < 0.1
    grouped = sum(bool(q.grouped_with) for q in sample) / len(sample)
    fitted_grouped = 1 - model["grouped"][0] / sum(model["grouped"])
    assert 0.4 * fitted_grouped < grouped < 2 * fitted_grouped


def test_model_file_is_small_and_holds_no_sentences() -> None:
    path = MODEL_PATH
    assert path.stat().st_size < 600_000
    text = path.read_text()
    assert "<p>" not in text and "To ask the Secretary of State for Education, what" not in text


def test_bad_arguments_give_clear_errors(tmp_path: Path) -> None:
    result = answers("synth", "0", "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert result.returncode == 2
    assert "expected at least 1 question, got 0" in result.stderr
    result = answers("synth", "many", "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert result.returncode == 2
    assert "expected a whole number of questions, got 'many'" in result.stderr
    result = answers("synth", "5", cwd=tmp_path)
    assert result.returncode == 2 and "--out" in result.stderr
    result = answers("synth", "5", "--out", "x", "--seed", "abc", cwd=tmp_path)
    assert result.returncode == 2 and "--seed" in result.stderr
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.md").write_text("mine")
    result = answers("synth", "5", "--out", str(occupied), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{occupied}: already exists and is not an empty folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in occupied.iterdir()] == ["keep.md"]
