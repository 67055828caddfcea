"""Worker processes: answers rendered and question pages written on every core.

Workers are forked once the model is built, so they share it (copy-on-write) rather than
receiving it; each takes a contiguous range of questions and sends back only small
results (answer HTML, or the path and hash of each page it wrote). Output does not depend
on how the work is split: each page is rendered by the same code from the same model, and
results are put back in question order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from multiprocessing.pool import ApplyResult, IMapIterator, Pool
from typing import Any

from generator.markup import AnswerRenderer, Fragment, answer_fragment
from generator.model import Question
from generator.render import Renderer
from generator.write import UNCHANGED, FileWriter

MIN_PARALLEL = 1000  # fewer questions than this: forking costs more than it saves
CHUNK = 250  # questions per task: small enough to balance, large enough to be cheap

_STATE: dict[str, Any] = {}  # what forked workers inherit


def worker_count(requested: int = 0) -> int:
    """`requested` if given, else one per core this process may run on."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _ranges(count: int) -> list[tuple[int, int]]:
    return [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]


def _pool(jobs: int) -> Pool:
    """Workers forked from this process, each collecting its own garbage cycles even when
    they were forked while the main process's collector was off (`memory.settled_heap`)."""
    return multiprocessing.get_context("fork").Pool(jobs, initializer=gc.enable)


def parallel(count: int, jobs: int) -> bool:
    return jobs > 1 and count >= MIN_PARALLEL and hasattr(os, "fork")


def map_in_ranges(
    function: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any], jobs: int
) -> Generator[Any, None, None]:
    """`function` applied to contiguous ranges of `items`, in workers when there are enough;
    the results come in the order of `items` either way, a range at a time (so the caller
    never holds every result at once)."""
    if not parallel(len(items), jobs):
        yield from function(items)
        return
    _STATE["map"] = (function, items)
    try:
        with _pool(jobs) as pool:
            for chunk in pool.imap(_map_range, _ranges(len(items))):
                yield from chunk
    finally:
        _STATE.pop("map", None)


def _map_range(bounds: tuple[int, int]) -> list[Any]:
    function, items = _STATE["map"]
    result: list[Any] = function(items[bounds[0] : bounds[1]])
    return result


# Answers -------------------------------------------------------------------------------

_ANSWERS: list[AnswerRenderer] = []  # this process's, made once (3 ms each)


def answer_html(text: str) -> Fragment:
    """One Markdown answer as sanitised HTML and text, by this process's renderer."""
    if not _ANSWERS:
        _ANSWERS.append(AnswerRenderer())
    return answer_fragment(_ANSWERS[0], text)


def render_fragments(texts: list[str], jobs: int) -> list[Fragment]:
    """Each Markdown answer as sanitised HTML and text, in the order given."""
    if not parallel(len(texts), jobs):
        return [answer_html(text) for text in texts]
    _STATE["texts"] = texts
    try:
        with _pool(jobs) as pool:
            return [f for chunk in pool.imap(_fragment_chunk, _ranges(len(texts))) for f in chunk]
    finally:
        _STATE.clear()


def _fragment_chunk(bounds: tuple[int, int]) -> list[Fragment]:
    texts: list[str] = _STATE["texts"]
    return [answer_html(text) for text in texts[bounds[0] : bounds[1]]]


# Question pages ------------------------------------------------------------------------

PageResult = tuple[str, bytes, int, bytes | None]  # path, hash of its bytes, size, page key
SideTask = Callable[[FileWriter], list[PageResult]]  # writes some files, says which


class QuestionPages:
    """Question pages rendered and written by workers while the caller renders other pages.

    `side` tasks (each writing other files, such as the search index) go to the workers
    first, so a long one runs beside the question pages instead of after them on one core.
    `poll()` hands back whatever pages have finished so far (so progress keeps moving),
    `finish()` waits for the rest, and then `side_results()` has what each side task wrote.
    Without workers, side tasks run in `finish()`.
    """

    def __init__(
        self, renderer: Renderer, files: FileWriter, jobs: int, side: Sequence[SideTask] = ()
    ):
        self.renderer = renderer
        self.files = files
        self.side = list(side)
        questions = renderer.archive.questions
        self.pool: Pool | None = None
        self.pending: IMapIterator[list[PageResult]] | None = None
        self.side_pending: list[tuple[int, ApplyResult[list[PageResult]]]] = []
        self.side_done: dict[int, list[PageResult]] = {}
        self.remaining = len(_ranges(len(questions)))
        if parallel(len(questions), jobs):
            renderer.compile_templates()
            _STATE.update(renderer=renderer, files=files, questions=questions, side=self.side)
            self.pool = _pool(jobs)
            self.side_pending = [
                (index, self.pool.apply_async(_side_task, (index,)))
                for index in range(len(self.side))
            ]
            self.pending = self.pool.imap_unordered(_page_chunk, _ranges(len(questions)))

    def poll(self) -> Iterator[list[PageResult]]:
        for index, result in [p for p in self.side_pending if p[1].ready()]:
            self.side_pending.remove((index, result))
            self.side_done[index] = result.get()
        while self.pending is not None and self.remaining:
            try:
                chunk = self.pending.next(timeout=0)
            except multiprocessing.TimeoutError:
                return
            self.remaining -= 1
            yield chunk

    def finish(self) -> Iterator[list[PageResult]]:
        if self.pending is None:
            questions = self.renderer.archive.questions
            for bounds in _ranges(len(questions)):
                yield _write_pages(self.renderer, self.files, questions[bounds[0] : bounds[1]])
            for index, task in enumerate(self.side):
                self.side_done[index] = task(self.files)
            return
        while self.remaining:
            self.remaining -= 1
            yield self.pending.next()
        for index, result in self.side_pending:
            self.side_done[index] = result.get()
        self.side_pending = []

    def side_results(self) -> list[list[PageResult]]:
        """The files each side task wrote, in the order of the tasks (once `finish()` is
        done)."""
        return [self.side_done[index] for index in range(len(self.side))]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        _STATE.clear()


class Started:
    """A side task begun in a worker of its own before the pages' workers are forked, so it
    runs beside what the main process does before the first page (on one core, the other
    idle: about a second at 60,000 questions). Without workers it runs in `result()`.

    The model made so far is frozen first (`gc.freeze`, see `memory.settled_heap`): the
    worker's collector then never walks it, nor copies the pages it shares.
    """

    def __init__(self, task: SideTask, files: FileWriter, jobs: int, count: int):
        self.task = task
        self.files = files
        self.pool: Pool | None = None
        self.pending: ApplyResult[list[PageResult]] | None = None
        if parallel(count, jobs):
            gc.freeze()
            _STATE["started"] = (task, files)
            try:
                self.pool = _pool(1)
            finally:
                _STATE.pop("started", None)
            self.pending = self.pool.apply_async(_started_task)

    def result(self) -> list[PageResult]:
        """What the task wrote (waiting for it)."""
        if self.pending is None:
            return self.task(self.files)
        try:
            return self.pending.get()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (the task, if still running, is abandoned)."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def _started_task() -> list[PageResult]:
    task, files = _STATE["started"]
    result: list[PageResult] = task(files)
    return result


def _side_task(index: int) -> list[PageResult]:
    task: SideTask = _STATE["side"][index]
    return task(_STATE["files"])


def _page_chunk(bounds: tuple[int, int]) -> list[PageResult]:
    questions: tuple[Question, ...] = _STATE["questions"]
    return _write_pages(_STATE["renderer"], _STATE["files"], questions[bounds[0] : bounds[1]])


def _write_pages(
    renderer: Renderer, files: FileWriter, questions: tuple[Question, ...]
) -> list[PageResult]:
    return write_rendered(renderer, files, (renderer.question_page(q) for q in questions))


def write_rendered(
    renderer: Renderer, files: FileWriter, pages: Iterable[tuple[str, str]]
) -> list[PageResult]:
    """Write each page `renderer` yields (unless UNCHANGED), with the key it recorded."""
    done: list[PageResult] = []
    for path, html in pages:
        key = renderer.new_keys.get(path)
        if html is UNCHANGED:
            done.append((path, *files.kept(path), key))
        else:
            payload = html.encode("utf-8")
            done.append((path, files.write(path, payload), len(payload), key))
    return done


def each(results: Iterator[list[PageResult]], handle: Callable[[PageResult], None]) -> int:
    """Pass every result to `handle`; how many there were."""
    count = 0
    for chunk in results:
        for result in chunk:
            handle(result)
            count += 1
    return count
