"""`answers fetch` / `answers update` against a fake API on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.importers.fetch import CHECKPOINT, FetchOptions, Query, run_fetch
from generator.importers.http import Client, FetchError
from tests.fakeapi import FakeApi, Fault, make_records, serve
from tests.importhelp import REPO, front, question_files


class FakeTime:
    """A clock that moves only when slept on: pacing and backoff without real waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with serve(FakeApi(make_records())) as running:
        yield running


def fetch(api: FakeApi, content: Path, **client: object) -> tuple[object, FakeTime]:
    fake = FakeTime()
    settings: dict[str, object] = {"rate": 0, "timeout": 5.0, "backoff": 0.5}
    settings.update(client)
    query = Query(api=api.url, answered_from=date(2021, 10, 1), answered_to=date(2021, 10, 31))
    options = FetchOptions(
        query,
        content,
        take=2,
        quiet=True,
        client=Client(sleep=fake.sleep, clock=fake.clock, **settings),  # type: ignore[arg-type]
    )
    return run_fetch(options), fake


def test_fetch_pages_through_the_list_and_reads_each_question_whole(
    api: FakeApi, tmp_path: Path
) -> None:
    summary, _ = fetch(api, tmp_path)
    assert summary.counts["imported"] == 5 and summary.counts["failed"] == 0  # type: ignore[attr-defined]
    lists = [r for r in api.requests if "skip=" in r]
    assert len(lists) == 3 and "answeredWhenFrom=2021-10-01" in lists[0]
    assert "answeredWhenTo=2021-10-31" in lists[0] and "skip=4&take=2" in lists[2]
    assert api.singles() == [1700001, 1700002, 1700003, 1700004, 1700005]
    assert all("expandMember=true" in r for r in api.requests if "skip=" not in r)
    fields, body = front(tmp_path / "questions/commons/2021/1700001.md")
    assert str(fields["question"]).endswith("improve school buildings.")  # whole, not cut
    assert "truncated" not in fields
    assert fields["asked_by"] == "Asker Number1" and fields["answered_by"] == "Will Quince"
    assert body.endswith("The Department is investing in schools.")
    assert not (tmp_path / CHECKPOINT).exists()


def test_refetch_changes_nothing(api: FakeApi, tmp_path: Path) -> None:
    fetch(api, tmp_path)
    before = {p: p.read_bytes() for p in question_files(tmp_path)}
    summary, _ = fetch(api, tmp_path)
    assert summary.counts["unchanged"] == 5  # type: ignore[attr-defined]
    assert {p: p.read_bytes() for p in question_files(tmp_path)} == before


def test_transient_faults_are_retried_with_backoff(api: FakeApi, tmp_path: Path) -> None:
    api.faults = [
        Fault("skip=0", "500"),
        Fault("/1700002", "429", retry_after="7"),
        Fault("/1700003", "slow"),
        Fault("skip=2", "truncated"),
        Fault("/1700005", "503", times=2),
    ]
    summary, fake = fetch(api, tmp_path, timeout=0.3)
    assert summary.counts["imported"] == 5 and summary.counts["failed"] == 0  # type: ignore[attr-defined]
    assert 7.0 in fake.waits  # Retry-After honoured
    backoffs = [w for w in fake.waits if w != 7.0]
    assert len(backoffs) == 5 and all(w >= 0.5 for w in backoffs)
    assert max(backoffs) >= 1.0  # doubled on the second retry of the same request
    assert api.singles().count(1700003) == 2 and api.singles().count(1700005) == 3


def test_rate_cap_spaces_requests(api: FakeApi, tmp_path: Path) -> None:
    _, fake = fetch(api, tmp_path, rate=4.0)
    requests = len(api.requests)
    assert requests == 8
    assert fake.now == pytest.approx((requests - 1) / 4.0)


def test_client_error_on_the_list_is_a_clear_error(api: FakeApi, tmp_path: Path) -> None:
    api.faults = [Fault("skip=0", "400")]
    with pytest.raises(
        FetchError, match=r"HTTP 400 Bad Request: .*answeredWhenFrom is not a valid"
    ):
        fetch(api, tmp_path)
    assert len(api.requests) == 1  # no retry of a request that is wrong


def test_missing_question_is_a_failure_and_the_rest_import(api: FakeApi, tmp_path: Path) -> None:
    api.faults = [Fault("/1700002", "404")]
    summary, _ = fetch(api, tmp_path)
    assert summary.counts["imported"] == 4 and summary.counts["failed"] == 1  # type: ignore[attr-defined]
    assert "1700002?expandMember=true: GET" in str(summary.problems[0])  # type: ignore[attr-defined]
    assert "HTTP 404" in str(summary.problems[0])  # type: ignore[attr-defined]
    assert summary.exit_code() == 1  # type: ignore[attr-defined]


def test_giving_up_keeps_a_checkpoint_and_a_rerun_resumes(api: FakeApi, tmp_path: Path) -> None:
    api.faults = [Fault("/1700003", "500", times=100)]
    with pytest.raises(FetchError, match="gave up after 3 attempts: HTTP 500"):
        fetch(api, tmp_path, retries=2)
    assert (tmp_path / CHECKPOINT).exists()
    assert len(question_files(tmp_path)) == 2
    api.faults, api.requests = [], []
    summary, _ = fetch(api, tmp_path)
    assert api.singles() == [1700003, 1700004, 1700005]
    assert summary.counts["imported"] == 3  # type: ignore[attr-defined]
    assert len(question_files(tmp_path)) == 5 and not (tmp_path / CHECKPOINT).exists()


def test_a_killed_fetch_resumes_without_duplicates(api: FakeApi, tmp_path: Path) -> None:
    api.faults = [Fault("/1700004", "hang")]
    command = [
        sys.executable, "-m", "generator", "fetch", "--api", api.url, "--content", str(tmp_path),
        "--answered-from", "2021-10-01", "--answered-to", "2021-10-31", "--take", "2",
        "--rate", "0", "--quiet",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert api.hanging.wait(30), "the fetch never reached question 4"
        os.kill(process.pid, signal.SIGKILL)  # a crash: no cleanup runs
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert (tmp_path / CHECKPOINT).exists()
    api.faults, api.requests = [], []
    summary, _ = fetch(api, tmp_path)
    assert api.singles() == [1700004, 1700005]
    assert summary.counts["imported"] == 2  # type: ignore[attr-defined]
    assert sorted(p.stem for p in question_files(tmp_path)) == [
        str(1700000 + n) for n in range(1, 6)
    ]


def test_department_and_house_filters(api: FakeApi, tmp_path: Path) -> None:
    query = Query(api=api.url, house="Commons", department="the Home Office")
    options = FetchOptions(query, tmp_path, quiet=True, client=Client(rate=0))
    summary = run_fetch(options)
    assert summary.counts["imported"] == 2
    assert "house=Commons" in api.requests[0]
    assert api.singles() == [1700002, 1700004]


def test_update_fetches_from_the_newest_answer(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil_copy_seed(content)
    code = main(
        ["update", "--api", api.url, "--content", str(content), "--answered-to", "2021-10-31",
         "--rate", "0", "--quiet"]
    )  # fmt: skip
    assert code == 0
    assert "answeredWhenFrom=2021-10-20&answeredWhenTo=2021-10-31" in api.requests[0]
    assert api.singles() == [1700004, 1700005]  # answered on the 20th and 21st
    assert "fetch: 2 imported" in capsys.readouterr().out


def shutil_copy_seed(content: Path) -> None:
    target = content / "questions/commons/2021/seed.md"
    target.parent.mkdir(parents=True)
    target.write_bytes(
        (
            REPO / "content/questions/commons/2021/2021-10-15-local-government-children.md"
        ).read_bytes()
    )


def test_update_on_an_empty_archive_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "questions").mkdir()
    code = main(["update", "--api", "http://127.0.0.1:9", "--content", str(tmp_path)])
    assert code == 1
    assert "run `answers fetch --answered-from DATE` first" in capsys.readouterr().err


def test_retry_after_as_seconds_or_a_date() -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from generator.importers.http import MAX_RETRY_AFTER, _retry_after

    assert _retry_after("12") == 12.0
    assert _retry_after("99999") == MAX_RETRY_AFTER
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (_retry_after(soon) or 0) <= 30
    assert _retry_after(None) is None and _retry_after("soon") is None


def test_fetch_without_any_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "--api", "http://127.0.0.1:9"]) == 2
    assert "give at least one of --answered-from" in capsys.readouterr().err
