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
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.cache import BuildCache, answer_key
from generator.config import SiteConfig
from generator.downloads import CachedMember, MakeMember, archive_member, make_member
from generator.errors import ArchiveError
from generator.fingerprint import PageKeys
from generator.markup import Fragment
from generator.model import Archive, Question
from generator.render import find_theme
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
MEMBER_KEY = "archive-member:"
DOWNLOAD_KEY = "download-member:"  # + the file's path, "\0", the member's key


def inputs_fingerprint(
    content: Path, config: SiteConfig, stamps: dict[str, str] | None = None
) -> str:
    """A hash of everything a build reads, from file metadata alone (no file is read).

    `stamps`, if given, receives every content file's stamp by its path relative to
    `content` (what generator/edits.py compares to find the files an edit changed).
    """
    settings = settings_fingerprint(config, content)
    if not settings:
        return ""  # the build will report it
    lines = tree_lines(content, skip_hidden=True)
    if stamps is not None:
        prefix = len(str(content)) + 1
        stamps.update((path[prefix:], stamp) for path, stamp in lines)
    h = hashlib.blake2b(digest_size=16)
    h.update(settings.encode() + b"\0")
    h.update("\n".join(f"{path}\0{stamp}" for path, stamp in lines).encode(*_PATHS))
    return h.hexdigest()


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
        return spare, FolderRecord(record["files"], record["sizes"], record["keys"])
    staging = staging_folder(out)
    record = _trusted_record(cache, out)
    if record is not None and link_tree(out, staging, record["files"]):
        return staging, FolderRecord(record["files"], record["sizes"], record["keys"])
    return staging, FolderRecord()


def mirror_folder(out: Path, cache: BuildCache) -> tuple[Path, FolderRecord] | None:
    """A folder holding exactly the output's files, with the output's record, for a build
    that writes a few files (generator/edits.py); None when the output has no record.

    The spare is brought up to date with the output (its files that differ are replaced by
    hard links to the output's, those the output lacks deleted), else a copy of the output
    made of hard links is used. As in `output_folder`, the spare's record is deleted first.
    """
    record = _trusted_record(cache, out)
    if record is None:
        return None
    files, sizes = record["files"], record["sizes"]
    found = FolderRecord(files, sizes, record["keys"])
    spare = spare_folder(out)
    spare_record = _trusted_record(cache, spare)
    if spare_record is not None:
        cache.delete_meta(_folder_key(spare_record["identity"]))
        cache.commit()
        if _update_links(out, spare, files, spare_record["files"]):
            return spare, found
        shutil.rmtree(spare, ignore_errors=True)
    staging = staging_folder(out)
    if link_tree(out, staging, files):
        return staging, found
    shutil.rmtree(staging, ignore_errors=True)
    return None


def keep_spare(out: Path, cache: BuildCache, twin: Path | None = None) -> None:
    """Give the output a trusted spare: `twin` (a copy of the output made of hard links as
    its files were written, see write.FileWriter) when given, else, when the output has no
    spare, a copy made of hard links to its files now; either recorded as the output is.

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
        record_files(cache, spare, FolderRecord(record["files"], record["sizes"], record["keys"]))
        return
    if spare.exists() or record is None:
        return
    staging = staging_folder(out)
    if not link_tree(out, staging, record["files"]):
        shutil.rmtree(staging, ignore_errors=True)
        return
    os.rename(staging, spare)
    record_files(cache, spare, FolderRecord(record["files"], record["sizes"], record["keys"]))


def _update_links(
    source: Path, target: Path, files: Mapping[str, bytes], had: Mapping[str, bytes]
) -> bool:
    """Make `target` (holding `had`) hold `files` as `source` does; False on failure."""
    source_root, target_root = os.fspath(source), os.fspath(target)
    try:
        for relative in had.keys() - files.keys():
            check_relative(relative)
            (target / relative).unlink(missing_ok=True)
        for relative, file_hash in files.items():
            if had.get(relative) != file_hash:
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
    """The record of `folder` if one was made for exactly this folder as it is."""
    identity = folder_identity(folder)
    if identity is None:
        return None
    record = cache.get_meta(_folder_key(identity))
    if isinstance(record, dict) and record.get("identity") == identity:
        return record
    return None


def record_folder(
    cache: BuildCache, folder: Path, writer: SiteWriter, keys: Mapping[str, bytes]
) -> None:
    """Record a complete folder's files and page keys, before it is swapped in."""
    record_files(cache, folder, FolderRecord(writer.hashes, writer.sizes, keys))


def record_files(cache: BuildCache, folder: Path, record: FolderRecord) -> None:
    """Record what `folder` holds (`record`'s keys of files it lacks are dropped)."""
    identity = folder_identity(folder)
    if identity is not None:
        value = {
            "identity": identity,
            "files": record.files,
            "sizes": record.sizes,
            "keys": {path: key for path, key in record.keys.items() if path in record.files},
        }
        cache.set_meta(_folder_key(identity), value)
        cache.commit()


def _forget_other_folders(cache: BuildCache, out: Path) -> None:
    """Drop records of folders that are neither the output nor its spare any more."""
    keep = set()
    for folder in (out, spare_folder(out)):
        identity = folder_identity(folder)
        if identity is not None:
            keep.add(_folder_key(identity))
    for key in cache.meta_keys(FOLDER_KEY):
        if key not in keep:
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
