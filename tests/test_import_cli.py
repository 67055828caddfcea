"""`answers import` end to end: the command, its report, and the site built from the result."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.markup import plain_text
from tests.importhelp import API, PAGES
from tests.pagetext import quoted
from tests.sitebuild import FIXTURE_ARCHIVE, build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose content is only what the importers wrote, built once for these tests."""
    root = tmp_path_factory.mktemp("imported")
    shutil.copy(FIXTURE_ARCHIVE / "site.yaml", root / "site.yaml")
    packed = root / "answers.json.gz"
    packed.write_bytes(gzip.compress((API / "answers.json").read_bytes()))
    code = main(
        ["import", str(packed), str(API / "list-truncated.json"), str(PAGES / "seed.txt"),
         str(PAGES / "lords-lists.txt"), "--content", str(root / "content"), "--quiet"]
    )  # fmt: skip
    assert code == 0
    build_site(root)
    return root / "_site"


def page(site: Path, question_id: str) -> str:
    return quoted((site / "questions" / question_id / "index.html").read_text(encoding="utf-8"))


def source_answers() -> dict[int, str]:
    data = json.loads((API / "answers.json").read_text())
    return {r["value"]["id"]: r["value"]["answerText"] or "" for r in data["results"]}


def test_every_word_of_every_source_answer_is_in_the_built_page(site: Path) -> None:
    for api_id, html in source_answers().items():
        built = plain_text(page(site, str(api_id)))
        for word in plain_text(html).split():
            assert word in built, (api_id, word)


def test_tables_stay_tables(site: Path) -> None:
    html = page(site, "1728303")
    assert re.search(r"<table>.*<td colspan=\"2\">.*Employees suspended.*</table>", html, re.S)


def test_grouped_questions_link_both_ways(site: Path) -> None:
    assert 'href="/archive/questions/1720002/"' in page(site, "1720001")
    assert 'href="/archive/questions/1720001/"' in page(site, "1720002")


def test_member_ids_link_to_parliament_from_the_member_page(site: Path) -> None:
    # 1728303 gives only the asker's id; another record names that member, so the
    # question links to the named member page, which links to Parliament's page once.
    html = page(site, "1728303")
    assert '<a href="/archive/members/zoe-fraser-opik-4495/">Zoë Fraser-Öpik</a>' in html
    assert "members.parliament.uk" not in html
    member = quoted((site / "members/zoe-fraser-opik-4495/index.html").read_text(encoding="utf-8"))
    assert 'href="https://members.parliament.uk/member/4495/contact"' in member
    assert "Zoë Fraser-Öpik on members.parliament.uk" in member
    nameless = quoted((site / "members/member-4657/index.html").read_text(encoding="utf-8"))
    assert 'href="https://members.parliament.uk/member/4657/contact"' in nameless
    assert "Member 4657 on members.parliament.uk" in nameless


def test_truncated_text_is_flagged_on_the_page(site: Path) -> None:
    assert "The source cut this text short" in page(site, "1900001")
    assert "The source cut this text short" not in page(site, "1724413")


def test_seed_and_lords_pages_build(site: Path) -> None:
    assert "Will Quince" in page(site, "2021-10-15-local-government-children")
    lords = page(site, "2023-06-02-bank-levy")
    assert '<a href="https://www.gov.uk/government/statistics/bank-levy-statistics"' in lords
    assert "<li>a. receipts from UK banks;<li>" in lords  # the optional </li> is left out


def test_failures_are_listed_and_exit_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["import", str(API / "some-bad.json"), str(PAGES / "not-a-page.txt"), "--quiet",
         "--content", str(tmp_path)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    assert out.strip() == "import: 1 imported, 0 updated, 0 unchanged, 0 conflicts, 3 failed"
    assert "some-bad.json:record 2 (id 1800004): dateTabled" in err
    assert "not-a-page.txt:1: no 'Question to the" in err


def test_conflicts_are_reported_with_exit_status_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["import", str(API / "bare-list.json"), "--quiet", "--content", str(tmp_path)]
    assert main(arguments) == 0
    target = tmp_path / "questions/commons/2025/1800002.md"
    target.write_text(target.read_text().replace("Prisons: Drugs", "Prisons: Drugs (edited)"))
    source = json.loads((API / "bare-list.json").read_text())
    source[0]["heading"] = "Prisons: Drugs and Phones"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(source))
    capsys.readouterr()
    assert main([*arguments[:1], str(changed), *arguments[2:]]) == 3
    assert "conflict: " in capsys.readouterr().err
    assert main([*arguments[:1], str(changed), *arguments[2:], "--force"]) == 0
    assert "Prisons: Drugs and Phones" in target.read_text()


def test_progress_shows_counts_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "generator.importers.progress.time.monotonic", iter(range(0, 1000, 10)).__next__
    )
    main(["import", str(API / "answers.json"), "--content", str(tmp_path)])
    err = capsys.readouterr().err
    assert "importing " in err and "imported" in err


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    import io

    from generator.importers.progress import Progress
    from generator.importers.store import Outcome, Summary

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress("fetching", stream=stream)
    progress.total = 4
    summary = Summary()
    summary.add(Outcome.IMPORTED)
    summary.add(Outcome.UNCHANGED)
    progress.update(summary, force=True)
    progress.message("a problem")
    progress.finish()
    text = stream.getvalue()
    assert (
        "\r\x1b[2Kfetching [" + "#" * 12 + "." * 12 + "] 2/4: 1 imported, 0 updated, 1 unchanged"
        in text
    )
    assert "\r\x1b[2Ka problem\n" in text and text.endswith("\r\x1b[2K")
