"""The build: config -> load -> model -> render -> write, orchestrated in one place."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from generator.browse import Browse, build_browse
from generator.cache import CACHE_DIR, BuildCache
from generator.config import SiteConfig, load_config
from generator.downloads import download_parts
from generator.edits import (
    EditState,
    StaleState,
    fast_build,
    forget_state,
    make_state,
    plan_edits,
    save_state,
)
from generator.feeds import feed_parts
from generator.figures import department_figures
from generator.fingerprint import PageKeys, base_key
from generator.incremental import (
    ContentStamps,
    MemberMakers,
    answer_fragments,
    clean,
    inputs_fingerprint,
    keep_spare,
    member_maker,
    output_folder,
    record_folder,
    record_site,
    settings_fingerprint,
    unchanged_site,
)
from generator.load import load_archive
from generator.markup import Fragment
from generator.memory import release_free_memory, settled_heap
from generator.model import Archive
from generator.render import Renderer, compact_warning, find_theme
from generator.search import search_files
from generator.search_incremental import SearchStore, write_search_index
from generator.sitefiles import budget_warning, site_files
from generator.workers import (
    PageResult,
    QuestionPages,
    SideTask,
    Started,
    each,
    worker_count,
    write_rendered,
)
from generator.write import (
    UNCHANGED,
    FileWriter,
    SiteWriter,
    check_output_folder,
    publish,
    remove_leftovers,
    spare_folder,
    spare_staging,
    swap_in,
)


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("_site")
    config: Path = Path("site.yaml")
    config_required: bool = False
    base_url: str | None = None
    quiet: bool = False
    cache: bool = True  # False: build from scratch, neither read nor write the cache
    cache_dir: Path | None = None  # default: .cache/ beside the config file
    clean: bool = False  # empty the cache and the spare site first
    jobs: int = 0  # worker processes; 0: one per core


@dataclass(frozen=True)
class BuildResult:
    pages: int
    questions: int
    departments: int
    files: int
    bytes: int
    seconds: float
    warnings: tuple[str, ...] = ()
    unchanged: bool = False  # nothing to do: the inputs are those of the site in place
    fast: bool = False  # content-only edits: only what shows them was made (edits.py)
    made: tuple[str, ...] = ()  # on the fast path, the files made again


class Progress:
    """Counts on stderr, at most a few times a second, so long builds show they are alive."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total >= 500
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.5 or done == self.total):
            self.last = now
            print(f"\rrendering pages: {done}/{self.total}", end="", file=sys.stderr, flush=True)
            if done == self.total:
                print(file=sys.stderr)


def build(options: BuildOptions) -> BuildResult:
    """Build the whole site; on any error the previous output folder is left untouched.

    With the cache (the default), a build whose inputs are those of the site in the output
    folder stops after checking them, and any other build rewrites only the files whose
    bytes change (see generator/incremental.py). Either way the output is byte for byte
    what a cold build without the cache writes.
    """
    started = time.monotonic()
    config = load_config(
        options.config, required=options.config_required, base_url=options.base_url
    )
    cache_dir = options.cache_dir or config.site_root / CACHE_DIR
    if options.clean:
        clean(options.out, cache_dir)
    cache = BuildCache(cache_dir) if options.cache else None
    try:
        fingerprint = ""
        stamps = ContentStamps()
        if cache is not None:
            fingerprint = inputs_fingerprint(options.content, config, stamps)
            unchanged = unchanged_site(cache, options.out, fingerprint)
            if unchanged is not None:
                check_output_folder(options.out, [options.content, options.config, Path.cwd()])
                done: BuildResult = replace(unchanged, unchanged=True)
                return replace(done, seconds=time.monotonic() - started)
            fast = _fast_path(options, config, cache, stamps, fingerprint)
            if fast is not None:
                return replace(fast, seconds=time.monotonic() - started)
        with settled_heap() as settle:
            result, state, twin = _build(options, config, cache, stamps, settle)
        if cache is not None:
            record_site(cache, options.out, fingerprint, result)
            keep_spare(options.out, cache, twin)
            if state is not None and fingerprint:
                save_state(cache.folder, state, fingerprint, result)
            else:
                forget_state(cache.folder)
        return replace(result, seconds=time.monotonic() - started)
    finally:
        if cache is not None:
            cache.close()


def _fast_path(
    options: BuildOptions,
    config: SiteConfig,
    cache: BuildCache,
    stamps: ContentStamps,
    fingerprint: str,
) -> BuildResult | None:
    """The build after content-only edits, making only what shows them (generator/edits.py);
    None when the changes need the full path."""
    plan = plan_edits(options.content, config, options.out, cache, stamps)
    if plan is None:
        return None
    check_output_folder(options.out, [options.content, options.config, Path.cwd()])
    remove_leftovers(options.out)
    try:
        done = fast_build(plan, config, options.out, cache, fingerprint)
    except StaleState:
        return None
    over_budget = budget_warning(options.out, done.result.bytes, config.size_budget)
    result: BuildResult = replace(done.result, warnings=tuple(w for w in [over_budget] if w))
    record_site(cache, options.out, fingerprint, result)
    save_state(cache.folder, done.state, fingerprint, result)
    return replace(result, fast=True, made=tuple(done.made))


def _build(
    options: BuildOptions,
    config: SiteConfig,
    cache: BuildCache | None,
    stamps: ContentStamps,
    settle: Callable[[], None] = lambda: None,
) -> tuple[BuildResult, EditState | None, Path | None]:
    """The full build; also the spare it made as it wrote (`FileWriter`'s twin), if any.
    `settle` is called when what lives as long as the build is made, before the pages'
    workers are forked (`settled_heap`: no pass of the cycle collector until then)."""
    digests: dict[str, bytes] = {}
    sources: dict[str, str] = {}
    jobs = worker_count(options.jobs)
    answers: dict[bytes, Fragment] = {}  # rendered by the workers that parse the files
    keys_of: dict[str, bytes] = {}  # answer keys, by question id, hashed by the same
    archive = load_archive(options.content, cache, digests, jobs, sources, answers, keys_of)
    release_free_memory()  # the files' text and pickles: workers forked next inherit the heap
    theme = find_theme(config)
    check_output_folder(options.out, [options.content, options.config, Path.cwd()])
    remove_leftovers(options.out)
    unstored: list[tuple[bytes, str, str]] = []  # answers new to the cache, stored meanwhile
    fragments = answer_fragments(archive, cache, jobs, answers, unstored, keys_of)
    answers.clear()
    keys_of.clear()
    release_free_memory()
    folder, previous = output_folder(options.out, cache)
    # Into a new folder, every file is written: each is linked into the next build's spare
    # as it is, by the process writing it (instead of all of them here at the end).
    new = cache is not None and not previous.files and folder != spare_folder(options.out)
    twin = spare_staging(options.out) if new else None
    search: Started | None = None
    try:
        writer = SiteWriter(folder, previous.files, previous.sizes, twin)
        # The search index needs only the questions and their answers: a worker starts it
        # now, beside the rest of what comes before the pages on one core here.
        task = _search_task(archive, fragments, cache, digests, options.out)
        search = Started(task, writer.files, jobs, len(archive.questions))
        browse = build_browse(archive)
        renderer = Renderer(config, archive, theme, browse, department_figures(archive))
        if cache is not None:
            renderer.cache_templates(cache.folder / "templates")
        renderer.prepare_answers(fragments)
        del fragments
        keys = None
        if cache is not None:
            code = cache.get_meta("code")
            base = base_key([code, *renderer.base_key_parts()], theme.source_dirs)
            keys = PageKeys(base, digests)
            renderer.use_page_keys(keys, previous.keys)
        members = member_maker(cache, keys)
        settle()  # the pages' workers are forked next
        progress = Progress(renderer.expected_pages(), enabled=not options.quiet)
        files = _feeds_and_downloads(config, archive, browse, renderer, members)
        if progress.enabled:
            count = len(archive.questions)
            print(f"search index: {count} questions, built beside the pages", file=sys.stderr)
        # A spare that a build into a new folder did not use is not trusted, so no build
        # ever will use it: deleted by a worker beside the pages, not here after them.
        spare = spare_folder(options.out)
        old = [_remove_task(spare)] if twin is not None and spare.exists() else []
        states: list[EditState | None] = []

        def meanwhile() -> None:
            """What the main process does while it waits for the workers' last pages, instead
            of after them on one core: the answers new to the cache stored, the cache's
            writes so far (parsed files, answers, download members) committed and
            checkpointed, and the edit state made."""
            if cache is not None:
                cache.store_fragments(unstored)
                unstored.clear()
                cache.commit()
                code = str(cache.get_meta("code"))
                settings = settings_fingerprint(config, options.content)
                model = (archive, browse, renderer.figures, digests, sources, stamps)
                states.append(make_state(*model, code, settings))

        pages = _write_pages(renderer, writer, jobs, progress, files, search, old, meanwhile)
        members.forget_unused()
        for static in theme.static_dirs:
            writer.copy_tree(static, "static")
        for path, text in site_files(config, archive, sorted(writer.written)):
            writer.write(path, text)
        writer.remove_stale()
        if cache is None:
            publish(folder, options.out)
        else:
            record_folder(cache, folder, writer, renderer.new_keys)
            swap_in(folder, options.out)
    except BaseException:
        if search is not None:
            search.close()  # before its folder goes
        if folder != spare_folder(options.out):
            shutil.rmtree(folder, ignore_errors=True)
        if twin is not None:
            shutil.rmtree(twin, ignore_errors=True)
        raise
    if twin is not None and not writer.files.twin_complete:
        shutil.rmtree(twin, ignore_errors=True)
        twin = None
    size = sum(writer.sizes.values())  # every file in the folder, each counted once
    over_budget = budget_warning(options.out, size, config.size_budget)
    state = states[0] if states else None
    result = BuildResult(
        pages=pages,
        questions=len(archive.questions),
        departments=len(archive.departments),
        files=len(writer.written),
        bytes=writer.bytes_written,
        seconds=0.0,
        warnings=tuple(w for w in [over_budget, compact_warning(theme)] if w),
    )
    return result, state, twin


def _feeds_and_downloads(
    config: SiteConfig,
    archive: Archive,
    browse: Browse,
    renderer: Renderer,
    members: MemberMakers,
) -> Iterator[tuple[str, str | bytes]]:
    """The feeds and downloads, each skipped (UNCHANGED) when made from the same inputs."""
    feeds = feed_parts(config, archive, browse, renderer.extracts, renderer.feed_contents)
    for path, inputs, make_feed in feeds:
        yield path, UNCHANGED if renderer.reusable("feed", path, inputs) else make_feed()
    for path, inputs, make_download in download_parts(
        archive, config, members.archive, members.department
    ):
        if renderer.reusable("download", path, inputs):
            yield path, UNCHANGED
        else:
            yield path, make_download()
            release_free_memory()  # a download's text and records, megabytes at a time


def _search_task(
    archive: Archive,
    fragments: Mapping[str, Fragment],
    cache: BuildCache | None,
    contents: Mapping[str, bytes],
    published: Path,
) -> SideTask:
    """Writing the search index, a long single task that a worker runs beside the pages;
    with the cache, only what changed since the last build (generator/search_incremental.py)."""
    if cache is None:

        def write_index(files: FileWriter) -> list[PageResult]:
            return [
                (path, files.write(path, data), len(data), None)
                for path, data in search_files(archive, fragments)
            ]

        return write_index
    folder, code = cache.folder, str(cache.get_meta("code"))

    def update_index(files: FileWriter) -> list[PageResult]:
        store = SearchStore(folder, code)  # opened here: the task may run in a worker
        try:
            results = write_search_index(archive, fragments, contents, store, files, published)
        except BaseException:
            store.abandon()
            raise
        store.close()
        return list(results)

    return update_index


def _remove_task(folder: Path) -> SideTask:
    def remove(_files: FileWriter) -> list[PageResult]:
        shutil.rmtree(folder, ignore_errors=True)
        return []

    return remove


def _write_pages(
    renderer: Renderer,
    writer: SiteWriter,
    jobs: int,
    progress: Progress,
    others: Iterable[tuple[str, str | bytes]],
    search: Started,
    chores: list[SideTask],
    meanwhile: Callable[[], None] = lambda: None,
) -> int:
    """Every HTML page: question pages (and the search index, and the members' and topics'
    pages, and `chores`, side tasks that write nothing) in worker processes, the other
    pages, then `others` (files that are not pages: feeds, downloads), here meanwhile, and
    then `meanwhile`, work that does not wait for the pages, before waiting for the workers.

    The members' and topics' pages go to a worker so that what is left here (the other
    pages, the feeds and the downloads' compression) takes no longer than the workers' share:
    here, they were the last seconds of the build, on one core while the other idled.
    """
    done = 0

    def record(result: PageResult) -> None:
        nonlocal done
        path, file_hash, size, key = result
        writer.record(path, file_hash, size)
        if key is not None:
            renderer.new_keys[path] = key
        done += 1
        progress.update(done)

    def list_pages(files: FileWriter) -> list[PageResult]:
        return write_rendered(renderer, files, renderer.list_pages())

    questions = QuestionPages(renderer, writer.files, jobs, side=[list_pages, *chores])
    try:
        for path, html in renderer.other_pages(lists=False):
            writer.write(path, html)
            done += 1
            progress.update(done)
            each(questions.poll(), record)
        for path, data in others:
            writer.write(path, data)
            each(questions.poll(), record)
        meanwhile()
        each(questions.finish(), record)
        lists, *_others = questions.side_results()
        for path, file_hash, size, _key in search.result():
            writer.record(path, file_hash, size)
        each(iter([lists]), record)
    finally:
        questions.close()
    return done
