"""Incremental builds: what the cache records about inputs and output folders, and its use.

Four shortcuts, each checked against the cold path by tests/test_incremental.py:

- No change: the inputs fingerprint (every content, config, template and static file's
  path, size and mtime, the config's values and the generator's code) is recorded with
  the output folder's identity; a build with the same fingerprint and the same folder
  does nothing.
- Answers: rendered Markdown is cached by a hash of the Markdown.
- Archive download: each gzip member is kept in the cache by a key of its questions (see
  generator/downloads.py), so an edit recompresses one member, not the whole archive.
- Writing: the site the last build replaced is kept beside the output as the spare
  (`.<out>.spare`, with a record of every file's hash); the next build writes into it only
  the files whose bytes differ, deletes the files no longer made, then swaps it with the
  output in one step, exactly as a cold build swaps in a fresh folder. The spare's record
  is deleted before it is touched, so a build killed half-way leaves a spare that the next
  build does not trust (it starts from an empty folder instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.cache import BuildCache, answer_key, digest
from generator.config import SiteConfig
from generator.downloads import CachedMember, MakeMember, archive_member, make_member
from generator.errors import ArchiveError
from generator.fingerprint import PageKeys
from generator.markup import Fragment
from generator.model import Archive, Question
from generator.render import find_theme
from generator.search_chunks import SEARCH_DIR
from generator.workers import render_fragments
from generator.write import (
    SiteWriter,
    check_relative,
    folder_identity,
    link_tree,
    spare_folder,
    staging_folder,
)

SITE_KEY = "site:"
FOLDER_KEY = "folder:"
SHARD_KEY = "files:"  # + the hash of a part of a folder's record (see shard_of)
SHARDS = 256
MEMBER_KEY = "archive-member:"
DOWNLOAD_KEY = "download-member:"  # + the file's path, "\0", the member's key


def inputs_fingerprint(
    content: Path, config: SiteConfig, stamps: ContentStamps | None = None
) -> str:
    """A hash of everything a build reads, from file metadata alone (no file is read).

    `stamps`, if given, receives every content file's path relative to `content`, size and
    mtime (what generator/edits.py compares to find the files an edit changed).
    """
    settings = settings_fingerprint(config, content)
    if not settings:
        return ""  # the build will report it
    found = content_stamps(content)
    if stamps is not None:
        stamps.paths, stamps.sizes, stamps.mtimes = found.paths, found.sizes, found.mtimes
    h = hashlib.blake2b(digest_size=16)
    h.update(settings.encode() + b"\0")
    h.update(found.digest())
    return h.hexdigest()


@dataclass
class ContentStamps:
    """Every content file's path (relative to the content folder, "/" between parts), size
    and mtime in nanoseconds, in the order the folders list them (which is the same while a
    folder's names are; nothing depends on the order but how quickly a change is found)."""

    paths: list[str] = field(default_factory=list)
    sizes: array[int] = field(default_factory=lambda: array("q"))
    mtimes: array[int] = field(default_factory=lambda: array("q"))

    def digest(self) -> bytes:
        """The stamps' hash: the paths (which hold no NUL) joined by NULs, then the sizes
        and the mtimes as 8-byte numbers."""
        h = hashlib.blake2b(digest_size=16)
        h.update("\0".join(self.paths).encode(*_PATHS))
        h.update(len(self.paths).to_bytes(8, "little"))
        h.update(self.sizes.tobytes() + self.mtimes.tobytes())
        return h.digest()

    def stamp(self, number: int) -> str:
        """The file's stamp as the build cache keeps it (cache.stamp)."""
        return f"{self.sizes[number]}:{self.mtimes[number]}"

    def numbers(self) -> dict[str, int]:
        return {path: number for number, path in enumerate(self.paths)}


def content_stamps(root: Path) -> ContentStamps:
    """Every file's stamp under `root`, hidden files and folders skipped: one stat a file,
    made relative to its folder's descriptor (no path to resolve again), and no string
    made a file but its path (60,000 files: this is most of what a no-change build does)."""
    paths: list[str] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    top = os.fspath(root)
    pending = [""]
    while pending:
        folder = pending.pop()
        prefix = f"{folder}/" if folder else ""
        handle = os.open(f"{top}/{folder}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            with os.scandir(handle) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(prefix + name)
                        continue
                    try:
                        info = entry.stat()
                    except OSError:  # a broken link: the build will report it
                        size, mtime = -1, -1
                    else:
                        size, mtime = info.st_size, info.st_mtime_ns
                    paths.append(prefix + name)
                    sizes.append(size)
                    mtimes.append(mtime)
        finally:
            os.close(handle)
    return ContentStamps(paths, array("q", sizes), array("q", mtimes))


_PATHS = ("utf-8", "surrogateescape")


def settings_fingerprint(config: SiteConfig, content: Path) -> str:
    """A hash of what a build reads besides the content files: the config's values, the
    content folder's place, and every template and static file's path, size and mtime;
    "" when the theme is missing (the build reports it)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(config).encode())
    h.update(str(content.resolve()).encode())
    try:
        theme = find_theme(config)
    except ArchiveError:
        return ""
    for folder in (*theme.source_dirs, *theme.static_dirs):
        h.update(b"\0tree\0" + str(folder).encode())
        lines = tree_lines(folder, skip_hidden=False)
        h.update("\n".join(f"{path}\0{stamp}" for path, stamp in lines).encode(*_PATHS))
    return h.hexdigest()


def tree_lines(root: Path, *, skip_hidden: bool) -> list[tuple[str, str]]:
    """Every file's path and stamp (size and mtime; one stat each: this is all a no-change
    build does), sorted by path."""
    lines = []
    pending = [str(root)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if skip_hidden and entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    try:
                        info = entry.stat()
                    except OSError:  # a broken link: the build will report it
                        lines.append((entry.path, "unreadable"))
                        continue
                    lines.append((entry.path, f"{info.st_size}\0{info.st_mtime_ns}"))
    lines.sort()
    return lines


def unchanged_site(cache: BuildCache, out: Path, fingerprint: str) -> Any:
    """The recorded result of the build that made `out`, if its inputs were exactly these."""
    record = cache.get_meta(SITE_KEY + str(out.resolve()))
    if not fingerprint or not isinstance(record, dict) or record.get("fingerprint") != fingerprint:
        return None
    if record.get("identity") != folder_identity(out):
        return None
    return record["result"]


def record_site(cache: BuildCache, out: Path, fingerprint: str, result: Any) -> None:
    if fingerprint:
        record = {"fingerprint": fingerprint, "identity": folder_identity(out), "result": result}
        cache.set_meta(SITE_KEY + str(out.resolve()), record)
    _forget_other_folders(cache, out)


def _folder_key(identity: tuple[int, int, str]) -> str:
    return f"{FOLDER_KEY}{identity[0]}:{identity[1]}"


@dataclass(frozen=True)
class FolderRecord:
    """What a build recorded about the folder it wrote, by file path."""

    files: Mapping[str, bytes] = field(default_factory=dict)  # hash of the bytes
    sizes: Mapping[str, int] = field(default_factory=dict)
    keys: Mapping[str, bytes] = field(default_factory=dict)  # page keys (fingerprint.py)


def shard_of(path: str) -> int:
    """Which of the `SHARDS` parts of a folder's record holds a file's entry.

    A record is kept in parts so that an edit, which makes a few pages and some of the
    search index's files, reads and stores a few parts, not the entries of every file
    (80,000 at 60,000 questions). A file goes with the others of its first two folders (a
    question's page, a department's or a member's pages go together); every file of the
    search index goes in part 0, which an edit reads and stores whole.
    """
    top, _, rest = path.partition("/")
    if top == SEARCH_DIR:
        return 0
    group = f"{top}/{rest.partition('/')[0]}".encode("utf-8", "surrogatepass")
    return 1 + zlib.crc32(group) % (SHARDS - 1)


Shard = tuple[dict[str, bytes], dict[str, int], dict[str, bytes]]  # files, sizes, keys
ShardEntry = tuple[bytes, int, int]  # the part's id (b"" when empty), files, bytes


class StoredFiles:
    """A folder's record as the cache keeps it: `SHARDS` parts (see `shard_of`), each
    stored once under the hash of its pickle (the output and its spare share most of
    theirs), each read only when an entry of it is looked up."""

    def __init__(self, cache: BuildCache, shards: Sequence[ShardEntry]):
        self.cache = cache
        self.shards = list(shards)
        self.loaded: dict[int, Shard] = {}
        self.files: Mapping[str, bytes] = _View(self, 0)
        self.sizes: Mapping[str, int] = _View(self, 1)
        self.keys: Mapping[str, bytes] = _View(self, 2)

    def shard(self, number: int) -> Shard:
        found = self.loaded.get(number)
        if found is None:
            shard_id = self.shards[number][0]
            found = _EMPTY
            if shard_id:
                found = pickle.loads(self.cache.get_meta(_shard_key(shard_id)))
            self.loaded[number] = found
        return found

    @property
    def count(self) -> int:
        return sum(entry[1] for entry in self.shards)

    @property
    def size(self) -> int:
        return sum(entry[2] for entry in self.shards)

    def under(self, prefix: str) -> list[str]:
        """The paths of the search index's folder (part 0) that start with `prefix`."""
        return [path for path in self.shard(0)[0] if path.startswith(prefix)]

    def whole(self) -> FolderRecord:
        """Every entry, in plain dictionaries (for a build that reads them all)."""
        files: dict[str, bytes] = {}
        sizes: dict[str, int] = {}
        keys: dict[str, bytes] = {}
        for number in range(SHARDS):
            part_files, part_sizes, part_keys = self.shard(number)
            files.update(part_files)
            sizes.update(part_sizes)
            keys.update(part_keys)
        return FolderRecord(files, sizes, keys)

    def changed(
        self, changes: Mapping[str, tuple[bytes, int] | None], rendered: Iterable[str]
    ) -> list[tuple[int, Shard]]:
        """The parts holding `changes` (a path's new hash and size, None for a file deleted),
        made anew; the page keys of `rendered` paths are dropped (no longer the files')."""
        by_shard: dict[int, list[str]] = {}
        for path in changes:
            by_shard.setdefault(shard_of(path), []).append(path)
        for path in rendered:
            by_shard.setdefault(shard_of(path), [])
        dropped = set(rendered)
        made = []
        for number, paths in sorted(by_shard.items()):
            old_files, old_sizes, old_keys = self.shard(number)
            files, sizes, keys = dict(old_files), dict(old_sizes), dict(old_keys)
            for path in paths:
                change = changes[path]
                if change is None:
                    files.pop(path, None)
                    sizes.pop(path, None)
                    keys.pop(path, None)
                else:
                    files[path], sizes[path] = change
            for path in dropped.intersection(keys):
                del keys[path]
            made.append((number, (files, sizes, keys)))
        return made


_EMPTY: Shard = ({}, {}, {})


class _View(Mapping[str, Any]):
    """One of a StoredFiles' three mappings (files, sizes or keys), looked up part by part."""

    def __init__(self, stored: StoredFiles, column: int):
        self.stored = stored
        self.column = column

    def __getitem__(self, path: str) -> Any:
        return self.stored.shard(shard_of(path))[self.column][path]

    def get(self, path: str, default: Any = None) -> Any:
        return self.stored.shard(shard_of(path))[self.column].get(path, default)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in self.stored.shard(shard_of(path))[self.column]

    def __iter__(self) -> Iterator[str]:
        for number in range(SHARDS):
            yield from self.stored.shard(number)[self.column]

    def __len__(self) -> int:
        if self.column == 0:
            return self.stored.count
        return sum(len(self.stored.shard(number)[self.column]) for number in range(SHARDS))


def _shard_key(shard_id: bytes) -> str:
    return SHARD_KEY + shard_id.hex()


def _store_record(
    cache: BuildCache,
    folder: Path,
    entries: list[ShardEntry],
    parts: Iterable[tuple[int, Shard]],
) -> None:
    """Record `folder` as `entries` with `parts` (part number, entries) stored anew."""
    identity = folder_identity(folder)
    if identity is None:
        return
    stored = set(cache.meta_keys(SHARD_KEY))
    for number, shard in parts:
        files, sizes, _keys = shard
        if not files:
            entries[number] = (b"", 0, 0)
            continue
        data = pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL)
        shard_id = digest(data)
        if _shard_key(shard_id) not in stored:
            cache.set_meta(_shard_key(shard_id), data)
        entries[number] = (shard_id, len(files), sum(sizes.values()))
    cache.set_meta(_folder_key(identity), {"identity": identity, "shards": entries})
    cache.commit()


def output_folder(out: Path, cache: BuildCache | None) -> tuple[Path, FolderRecord]:
    """Where this build writes: the spare with its record, or else a copy of the output
    made of hard links with the output's record, or else a new empty folder.

    The copy makes the first build after a cold one (which leaves no spare) as cheap as
    the later ones: linking every file costs a fraction of rendering it. Files are never
    written in place (see write.FileWriter), so the published site never changes through
    a link it shares with the folder being built.
    """
    if cache is None:
        return staging_folder(out), FolderRecord()
    spare = spare_folder(out)
    record = _trusted_record(cache, spare)
    if record is not None:
        cache.delete_meta(_folder_key(record["identity"]))
        cache.commit()  # from here on the spare is not trusted until recorded again
        return spare, StoredFiles(cache, record["shards"]).whole()
    staging = staging_folder(out)
    record = _trusted_record(cache, out)
    if record is not None:
        whole = StoredFiles(cache, record["shards"]).whole()
        if link_tree(out, staging, whole.files):
            return staging, whole
    return staging, FolderRecord()


def mirror_folder(out: Path, cache: BuildCache) -> tuple[Path, StoredFiles] | None:
    """A folder holding exactly the output's files, with the output's record, for a build
    that writes a few files (generator/edits.py); None when the output has no record.

    The spare is brought up to date with the output (its files that differ are replaced by
    hard links to the output's, those the output lacks deleted: only the parts of the two
    records that differ are read), else a copy of the output made of hard links is used.
    As in `output_folder`, the spare's record is deleted first.
    """
    record = _trusted_record(cache, out)
    if record is None:
        return None
    found = StoredFiles(cache, record["shards"])
    spare = spare_folder(out)
    spare_record = _trusted_record(cache, spare)
    if spare_record is not None:
        cache.delete_meta(_folder_key(spare_record["identity"]))
        cache.commit()
        if _update_links(out, spare, found, StoredFiles(cache, spare_record["shards"])):
            return spare, found
        shutil.rmtree(spare, ignore_errors=True)
    staging = staging_folder(out)
    if link_tree(out, staging, found.files):
        return staging, found
    shutil.rmtree(staging, ignore_errors=True)
    return None


def keep_spare(out: Path, cache: BuildCache, twin: Path | None = None) -> None:
    """Give the output a trusted spare: `twin` (a copy of the output made of hard links as
    its files were written, see write.FileWriter) when given, else, when the output has no
    spare, a copy made of hard links to its files now; either recorded as the output is
    (the same parts: nothing stored again).

    Without one, the next build with changes must first link every file of the output into
    a new folder (60,000 folders and 75,000 files at 60,000 questions: seconds, or tens of
    seconds on a busy disk), which would be most of the time of an edit's fast path
    (generator/edits.py). A build into a new folder (the first, or the first after the
    cache was emptied by a code change, which leaves an untrusted spare) makes the twin as
    it writes, in every worker; the old spare, which no build would use, is deleted. No
    file is shared for writing: builds replace a file, never write into it.
    """
    spare = spare_folder(out)
    record = _trusted_record(cache, out)
    if twin is not None:
        if record is None:
            shutil.rmtree(twin, ignore_errors=True)
            return
        old = _trusted_record(cache, spare)
        if old is not None:
            cache.delete_meta(_folder_key(old["identity"]))
            cache.commit()
        if spare.exists():
            shutil.rmtree(spare)
        os.rename(twin, spare)
        _store_record(cache, spare, list(record["shards"]), [])
        return
    if spare.exists() or record is None:
        return
    staging = staging_folder(out)
    if not link_tree(out, staging, StoredFiles(cache, record["shards"]).files):
        shutil.rmtree(staging, ignore_errors=True)
        return
    os.rename(staging, spare)
    _store_record(cache, spare, list(record["shards"]), [])


def _update_links(source: Path, target: Path, files: StoredFiles, had: StoredFiles) -> bool:
    """Make `target` (holding `had`) hold `files` as `source` does; False on failure. Only
    the parts whose ids differ are compared."""
    source_root, target_root = os.fspath(source), os.fspath(target)
    try:
        for number in range(SHARDS):
            if files.shards[number][0] == had.shards[number][0]:
                continue
            now, before = files.shard(number)[0], had.shard(number)[0]
            for relative in before.keys() - now.keys():
                check_relative(relative)
                (target / relative).unlink(missing_ok=True)
            for relative, file_hash in now.items():
                if before.get(relative) != file_hash:
                    check_relative(relative)
                    path = f"{target_root}/{relative}"
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
                    os.link(f"{source_root}/{relative}", path, follow_symlinks=False)
    except (OSError, ArchiveError):
        return False
    return True


def _trusted_record(cache: BuildCache, folder: Path) -> Any:
    """The record of `folder` if one was made for exactly this folder as it is, and every
    part of it is stored."""
    identity = folder_identity(folder)
    if identity is None:
        return None
    record = cache.get_meta(_folder_key(identity))
    if not isinstance(record, dict) or record.get("identity") != identity:
        return None
    shards = record.get("shards")
    if not isinstance(shards, list) or len(shards) != SHARDS:
        return None
    stored = set(cache.meta_keys(SHARD_KEY))
    if any(entry[0] and _shard_key(entry[0]) not in stored for entry in shards):
        return None
    return record


def record_folder(
    cache: BuildCache, folder: Path, writer: SiteWriter, keys: Mapping[str, bytes]
) -> None:
    """Record a complete folder's files and page keys, before it is swapped in."""
    record_files(cache, folder, FolderRecord(writer.hashes, writer.sizes, keys))


def record_files(cache: BuildCache, folder: Path, record: FolderRecord) -> None:
    """Record what `folder` holds (`record`'s keys of files it lacks are dropped)."""
    parts: list[Shard] = [({}, {}, {}) for _number in range(SHARDS)]
    sizes, keys = record.sizes, record.keys
    for path, file_hash in record.files.items():
        files_of, sizes_of, keys_of = parts[shard_of(path)]
        files_of[path] = file_hash
        sizes_of[path] = sizes[path]
        key = keys.get(path)
        if key is not None:
            keys_of[path] = key
    entries: list[ShardEntry] = [(b"", 0, 0)] * SHARDS
    _store_record(cache, folder, entries, enumerate(parts))


def record_changes(
    cache: BuildCache,
    folder: Path,
    base: StoredFiles,
    changes: Mapping[str, tuple[bytes, int] | None],
    rendered: Iterable[str],
) -> StoredFiles:
    """Record `folder` as `base` with `changes` (see `StoredFiles.changed`): only the
    parts they fall in are stored anew; the record as now stored."""
    entries = list(base.shards)
    made = base.changed(changes, rendered)
    _store_record(cache, folder, entries, made)
    result = StoredFiles(cache, entries)
    result.loaded.update(made)
    return result


def _forget_other_folders(cache: BuildCache, out: Path) -> None:
    """Drop records of folders that are neither the output nor its spare any more, and the
    parts of records that neither of them uses."""
    keep = set()
    used: set[str] = set()
    for folder in (out, spare_folder(out)):
        identity = folder_identity(folder)
        if identity is not None:
            keep.add(_folder_key(identity))
            record = cache.get_meta(_folder_key(identity))
            if isinstance(record, dict) and isinstance(record.get("shards"), list):
                used.update(_shard_key(entry[0]) for entry in record["shards"] if entry[0])
    for key in cache.meta_keys(FOLDER_KEY):
        if key not in keep:
            cache.delete_meta(key)
    for key in cache.meta_keys(SHARD_KEY):
        if key not in used:
            cache.delete_meta(key)


def answer_fragments(
    archive: Archive,
    cache: BuildCache | None,
    jobs: int,
    rendered: Mapping[bytes, Fragment] | None = None,
    unstored: list[tuple[bytes, str, str]] | None = None,
    answer_keys: Mapping[str, bytes] | None = None,
) -> dict[str, Fragment]:
    """Every question's answer as HTML: `rendered` (by answer key: those the loading workers
    rendered as they parsed, see `load_archive`), else from the cache when its Markdown was
    rendered before, else rendered here; the cache then stores every answer new to it, or
    if `unstored` is given, its rows go there for the caller to store later (the build
    does, while it waits for its workers, instead of before it starts them).
    `answer_keys`: answer keys already made, by question id (`load_archive`'s)."""
    given = answer_keys or {}
    keys = {
        q.id: key if (key := given.get(q.id)) is not None else answer_key(q.answer)
        for q in archive.questions
    }
    known = dict(rendered or {})
    if cache is not None:
        stored = cache.fragments(h for h in keys.values() if h not in known)
        known.update((h, Fragment(*pair)) for h, pair in stored.items())
    missing: dict[bytes, str] = {}
    for question in archive.questions:
        if keys[question.id] not in known:
            missing.setdefault(keys[question.id], question.answer)
    known.update(zip(missing, render_fragments(list(missing.values()), jobs), strict=True))
    rows = [(h, known[h].html, known[h].text) for h in [*(rendered or {}), *missing]]
    if unstored is not None:
        unstored.extend(rows)
    elif cache is not None and rows:
        cache.store_fragments(rows)
    return {qid: known[key] for qid, key in keys.items()}


class ArchiveMembers:
    """The downloads' gzip members, recalled from the cache when their key is known.

    A member's key is the page key of its name (its number, or for a department's
    downloads `downloads.member_name`) and questions (their content hashes, the config, the
    code), so a member is reused only where it would come out byte for byte the same.
    Members no longer made are forgotten by `forget_unused`: the archive's that this build
    did not use, and a department file's when this build made that file again.
    """

    def __init__(self, cache: BuildCache, keys: PageKeys):
        self.cache = cache
        self.keys = keys
        self.used: set[str] = set()
        self.remade: set[str] = set()  # department files made by this build

    def download_member(
        self, name: str, questions: tuple[Question, ...], make: Callable[[], bytes]
    ) -> bytes:
        key = self.keys.key("download-member", name, {"questions": questions})
        if key is None:
            return make()
        path = name.split("\0", 1)[0]
        self.remade.add(path)
        meta = f"{DOWNLOAD_KEY}{path}\0{key.hex()}"
        self.used.add(meta)
        data = self.cache.get_meta(meta)
        if not isinstance(data, bytes):
            data = make()
            self.cache.set_meta(meta, data)
        return data

    def member(self, number: int, questions: tuple[Question, ...], config: SiteConfig) -> bytes:
        key = self.keys.key("archive-member", str(number), {"questions": questions})
        if key is None:
            return archive_member(number, questions, config)
        name = MEMBER_KEY + key.hex()
        self.used.add(name)
        data = self.cache.get_meta(name)
        if not isinstance(data, bytes):
            data = archive_member(number, questions, config)
            self.cache.set_meta(name, data)
        return data

    def forget_unused(self) -> None:
        for name in self.cache.meta_keys(MEMBER_KEY):
            if name not in self.used:
                self.cache.delete_meta(name)
        for name in self.cache.meta_keys(DOWNLOAD_KEY):
            path = name[len(DOWNLOAD_KEY) :].split("\0", 1)[0]
            if path in self.remade and name not in self.used:
                self.cache.delete_meta(name)


@dataclass(frozen=True)
class MemberMakers:
    """How this build makes the downloads' gzip members, and what to call once all are."""

    archive: MakeMember = archive_member
    department: CachedMember = make_member
    forget_unused: Callable[[], None] = lambda: None


def member_maker(cache: BuildCache | None, keys: PageKeys | None) -> MemberMakers:
    if cache is None or keys is None:
        return MemberMakers()
    members = ArchiveMembers(cache, keys)
    return MemberMakers(members.member, members.download_member, members.forget_unused)


def clean(out: Path, cache_dir: Path) -> None:
    """Forget everything earlier builds left for the next one: the cache and the spare site."""
    if cache_dir.is_dir():
        shutil.rmtree(cache_dir)
    spare = spare_folder(out)
    if spare.is_dir():
        shutil.rmtree(spare)
