"""`answers fetch` and `answers update`: the live Written Questions API into content/.

The list endpoint is paged through with `skip`/`take`; its text is cut short, so each
question is then read whole (with member names) from the single-question endpoint and
imported like any API record. A checkpoint in the content folder (hidden, so the loader
ignores it) records the page reached and the questions done: an interrupted fetch run again
with the same options carries on where it stopped, without fetching anything twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from generator.content_files import write_text_atomic
from generator.errors import ArchiveError, Problem
from generator.importers.api import Record
from generator.importers.departments import normalise
from generator.importers.http import Client, FetchError
from generator.importers.progress import Progress
from generator.importers.run import Importer
from generator.importers.store import ImportStore, Summary
from generator.load import load_archive

DEFAULT_API = "https://questions-statements-api.parliament.uk"
CHECKPOINT = ".fetch-checkpoint.json"
LIST_PATH = "/api/writtenquestions/questions"


@dataclass(frozen=True)
class Query:
    """What to fetch; part of the checkpoint, so only the same fetch resumes from it."""

    api: str = DEFAULT_API
    answered_from: date | None = None
    answered_to: date | None = None
    tabled_from: date | None = None
    tabled_to: date | None = None
    house: str | None = None
    department: str | None = None

    def list_url(self, skip: int, take: int) -> str:
        params: dict[str, str | int] = {}
        for name, key in (
            ("answered_from", "answeredWhenFrom"),
            ("answered_to", "answeredWhenTo"),
            ("tabled_from", "tabledWhenFrom"),
            ("tabled_to", "tabledWhenTo"),
        ):
            value = getattr(self, name)
            if value is not None:
                params[key] = value.isoformat()
        if self.house:
            params["house"] = self.house
        params.update(skip=skip, take=take)
        return f"{self.api.rstrip('/')}{LIST_PATH}?{urlencode(params)}"

    def single_url(self, api_id: int) -> str:
        return f"{self.api.rstrip('/')}{LIST_PATH}/{api_id}?expandMember=true"

    def wants(self, value: dict[str, Any]) -> bool:
        """The department filter, applied here: the API filters by body id, not by name."""
        if not self.department:
            return True
        name = value.get("answeringBodyName")
        wanted = normalise(self.department)[0].casefold()
        return isinstance(name, str) and normalise(name)[0].casefold() == wanted

    def key(self) -> dict[str, str | None]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


@dataclass
class FetchOptions:
    query: Query
    content: Path = Path("content")
    take: int = 100
    force: bool = False
    quiet: bool = False
    client: Client = field(default_factory=Client)


@dataclass
class Checkpoint:
    """Where a fetch has got to; saved after every question, removed when the fetch ends."""

    path: Path
    query: dict[str, str | None]
    skip: int = 0
    done: set[int] = field(default_factory=set)

    @classmethod
    def open(cls, path: Path, query: Query) -> Checkpoint:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path, query.key())
        if not isinstance(data, dict) or data.get("query") != query.key():
            return cls(path, query.key())
        done = {n for n in data.get("done", []) if isinstance(n, int)}
        skip = data.get("skip", 0)
        return cls(path, query.key(), skip if isinstance(skip, int) else 0, done)

    @property
    def resumed(self) -> bool:
        return bool(self.skip or self.done)

    def save(self) -> None:
        data = {"done": sorted(self.done), "query": self.query, "skip": self.skip}
        write_text_atomic(self.path, json.dumps(data, sort_keys=True) + "\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def run_fetch(options: FetchOptions) -> Summary:
    """Fetch and import everything the query matches; FetchError when the API cannot be used."""
    store = ImportStore(options.content, force=options.force)
    progress = Progress("fetching", quiet=options.quiet)
    importer = Importer(store, progress)
    checkpoint = Checkpoint.open(options.content / CHECKPOINT, options.query)
    if checkpoint.resumed:
        progress.message(
            f"resuming an interrupted fetch: {len(checkpoint.done)} questions already done"
        )
    try:
        _pages(options, checkpoint, importer, progress)
    finally:
        store.save()
        checkpoint.save()
        progress.finish()
    checkpoint.remove()
    return importer.summary


def _pages(
    options: FetchOptions, checkpoint: Checkpoint, importer: Importer, progress: Progress
) -> None:
    client, query = options.client, options.query
    while True:
        url = query.list_url(checkpoint.skip, options.take)
        page = client.get_json(url)
        results, total = _list_page(page, url)
        progress.total = total
        for item in results:
            _one(item, query, client, checkpoint, importer)
        checkpoint.skip += len(results)
        checkpoint.save()
        if not results or checkpoint.skip >= total:
            return


def _list_page(page: Any, url: str) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise FetchError(f"GET {url}: not a list response (no 'results' list)")
    total = page.get("totalResults")
    values = [r.get("value") if isinstance(r, dict) else None for r in page["results"]]
    good = [v for v in values if isinstance(v, dict) and isinstance(v.get("id"), int)]
    if len(good) != len(values):
        raise FetchError(f"GET {url}: a result without a 'value' holding a numeric 'id'")
    return good, total if isinstance(total, int) else len(good)


def _one(
    value: dict[str, Any], query: Query, client: Client, checkpoint: Checkpoint, importer: Importer
) -> None:
    api_id = value["id"]
    if api_id in checkpoint.done or not query.wants(value):
        return
    url = query.single_url(api_id)
    try:
        single = client.get_json(url)
    except FetchError as exc:
        if not exc.client_error:
            raise
        importer.failed(ArchiveError([Problem(url, None, str(exc))]))
        return
    record = single.get("value") if isinstance(single, dict) else None
    importer.api_records(iter([Record(url, record)]), from_list=False)
    checkpoint.done.add(api_id)
    importer.store.save()
    checkpoint.save()


def newest_answer(content: Path) -> date:
    """The newest `answered_on` in the archive: where a daily `answers update` starts."""
    archive = load_archive(content)
    dates = [q.answered_on for q in archive.questions if q.answered_on is not None]
    if not dates:
        raise ArchiveError(
            [
                Problem(
                    str(content),
                    None,
                    "no answered questions yet: run `answers fetch --answered-from DATE` first",
                )
            ]
        )
    return max(dates)
