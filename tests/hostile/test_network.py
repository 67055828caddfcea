"""Faults from the network: retried within limits, reported, never a partial record written.

The fake API runs on 127.0.0.1; the client's timeout is cut (0.3 s, or 1 s where every attempt
must time out while healthy requests still answer on a loaded machine) and its waits go to a
fake clock, so the slow-response cases cost a few seconds of real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from generator.importers.fetch import FetchOptions, Query, run_fetch
from generator.importers.http import Client, FetchError
from generator.importers.store import Summary
from tests.fakeapi import FakeApi, Fault, make_records, serve
from tests.hostile.counts import record
from tests.test_fetch import FakeTime, fetch


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with serve(FakeApi(make_records())) as running:
        yield running


def _files(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def _reference(tmp_path: Path) -> dict[str, bytes]:
    with serve(FakeApi(make_records())) as clean:
        fetch(clean, tmp_path / "reference")
    return _files(tmp_path / "reference")


ALL_FAULTS = ["500", "429", "slow", "truncated", "invalid", "close"]


def test_every_fault_once_is_retried_and_the_result_is_whole(api: FakeApi, tmp_path: Path) -> None:
    api.faults = [
        Fault("skip=0", "500"),
        Fault("/1700001", "429", retry_after="3"),
        Fault("/1700002", "slow"),
        Fault("skip=2", "truncated"),
        Fault("/1700003", "invalid"),
        Fault("/1700004", "close", times=2),
    ]
    summary, clock = fetch(api, tmp_path / "content", timeout=0.3)
    record("network faults injected", len(api.faults) + 1)
    assert isinstance(summary, Summary) and summary.counts["failed"] == 0
    assert 3 in clock.waits  # Retry-After honoured
    assert _files(tmp_path / "content") == _reference(tmp_path)


@pytest.mark.parametrize("kind", ALL_FAULTS)
def test_a_fault_that_never_clears_is_reported_and_nothing_partial_is_written(
    kind: str, api: FakeApi, tmp_path: Path
) -> None:
    api.faults = [Fault("/1700002", kind, times=100, retry_after="1", delay=2.5)]
    content = tmp_path / "content"
    if kind == "slow":
        # A 2.5 s server delay against a 1 s timeout: every attempt at the faulty record times
        # out, while the healthy requests have a second to answer even on a loaded machine.
        clock = FakeTime()
        client = Client(rate=0, timeout=1.0, retries=1, sleep=clock.sleep, clock=clock.clock)
    else:
        client = Client(rate=0, retries=2, sleep=FakeTime().sleep)
    query = Query(api=api.url, answered_from=date(2021, 10, 1), answered_to=date(2021, 10, 31))
    with pytest.raises(FetchError) as raised:  # reported, naming what could not be got
        run_fetch(FetchOptions(query, content, take=2, quiet=True, client=client))
    record("network faults injected", 1)
    assert "/1700002" in str(raised.value) and "gave up" in str(raised.value)
    attempts = api.singles().count(1700002)
    assert attempts == client.retries + 1, attempts  # retried, within the limit
    written = _files(content)
    reference = _reference(tmp_path)
    for name, data in written.items():
        assert (name in reference and data == reference[name]) or not name.endswith(".md")
    assert not any("1700002" in name or b"Topic 2" in data for name, data in written.items()
                   if name.endswith(".md"))  # fmt: skip
