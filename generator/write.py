"""Writing stage: pages go into a fresh folder beside the output, swapped in only when complete.

A failed or killed build therefore leaves the previous site exactly as it was, and no
output path, whatever a content field contains, can land outside the output folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from generator.cache import digest, stamp
from generator.errors import ArchiveError, Problem

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Unchanged(str):
    """The text of a page that was not rendered because its file already holds it."""


UNCHANGED = Unchanged("")


class SiteWriter:
    """Writes files under one root, refusing unsafe or repeated paths.

    `previous` maps the paths of files already in `root` to the hash of their bytes (an
    earlier build's output): a file whose new bytes hash the same is left as it is, and
    `remove_stale` deletes what the new build no longer writes. `twin`: see `FileWriter`
    (for a build into an empty folder, where every file is written).
    """

    def __init__(
        self,
        root: Path,
        previous: Mapping[str, bytes] | None = None,
        previous_sizes: Mapping[str, int] | None = None,
        twin: Path | None = None,
    ):
        self.root = root
        self.written: set[str] = set()
        self.hashes: dict[str, bytes] = {}
        self.sizes: dict[str, int] = {}
        self.bytes_written = 0
        self.previous: Mapping[str, bytes] = previous or {}
        self.previous_sizes: Mapping[str, int] = previous_sizes or {}
        self.files = FileWriter(root, self.previous, self.previous_sizes, twin)

    def write(self, relative: str, data: str | bytes) -> None:
        if data is UNCHANGED:
            self.record(relative, *self.files.kept(relative))
            return
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self.record(relative, self.files.write(relative, payload), len(payload))

    def record(self, relative: str, file_hash: bytes, size: int) -> None:
        """Account for a file written (or kept) under the root, here or by another process."""
        self._claim(relative)
        self.hashes[relative] = file_hash
        self.sizes[relative] = size
        self.bytes_written += size

    def copy_tree(self, source: Path, prefix: str) -> None:
        """Copy a folder of static files; later copies of a file override earlier ones."""
        for path in sorted(source.rglob("*")):
            if path.is_file():
                relative = f"{prefix}/{path.relative_to(source).as_posix()}"
                self.written.discard(relative)
                self.write(relative, path.read_bytes())

    def remove_stale(self) -> None:
        """Delete the earlier build's files that this build did not write, and emptied folders."""
        folders: set[Path] = set()
        for relative in self.previous:
            if relative not in self.written:
                self.files.abandon_twin()
                target = self.root.joinpath(*PurePosixPath(relative).parts)
                if target.is_file() or target.is_symlink():  # not if a folder took its place
                    target.unlink()
                folders.update(target.parents)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if folder.is_relative_to(self.root) and folder != self.root:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only succeeds when empty

    def _claim(self, relative: str) -> None:
        check_relative(relative)
        if relative in self.written:
            raise ArchiveError([Problem(relative, None, "two pages would be written to this path")])
        self.written.add(relative)


class FileWriter:
    """Writes one file at a time under `root` (safe in any process), skipping unchanged ones.

    `twin`, if given, is an empty folder that receives a hard link to every file written,
    as it is written: the spare site of a build into a new folder (see `keep_spare` in
    generator/incremental.py), made by whichever process writes each file rather than by
    one process at the end. A failure to link (a file system without hard links, a full
    disk) only marks the twin incomplete (`twin_complete`), in every process: the build goes
    on and the twin is not used.
    """

    def __init__(
        self,
        root: Path,
        previous: Mapping[str, bytes],
        sizes: Mapping[str, int],
        twin: Path | None = None,
    ):
        self.root = root
        self.real_root = root.resolve()
        self.previous = previous
        self.previous_sizes = sizes
        self.root_text = os.fspath(root)
        self.folders: set[str] = set()  # checked: real folders inside the root ("" the root)
        self.made: set[str] = set()  # made empty by this process, so nothing is in the way
        self.twin = twin
        self.twin_text = "" if twin is None else os.fspath(twin)
        self.twin_folders = {""}  # folders of the twin made or found ("" the twin itself)
        # Shared with forked workers (shared memory): set by any process whose link failed,
        # read by the main process once every file is written.
        self._twin_failed = (
            ctypes.c_bool(True) if twin is None else multiprocessing.RawValue(ctypes.c_bool, False)
        )

    def kept(self, relative: str) -> tuple[bytes, int]:
        """The hash and size of a file left as the earlier build wrote it."""
        check_relative(relative)
        self.abandon_twin()  # the twin lacks it
        return self.previous[relative], self.previous_sizes[relative]

    def abandon_twin(self) -> None:
        """The twin will not hold exactly the root's files: stop linking, in every process."""
        self._twin_failed.value = True

    @property
    def twin_complete(self) -> bool:
        """True when the twin holds a link to every file written so far, in any process."""
        return not self._twin_failed.value

    def write(self, relative: str, payload: bytes) -> bytes:
        """Write `payload` unless the file already holds it; return the bytes' hash."""
        check_relative(relative)
        file_hash = digest(payload)
        if self.previous.get(relative) == file_hash:
            if self.twin is not None:
                self.abandon_twin()  # left as it was, so not linked
            return file_hash
        folder = relative.rpartition("/")[0]  # check_relative: no "..", "." or empty parts
        target = f"{self.root_text}/{relative}"
        fresh = folder in self.made or self._make_folder(folder, relative)
        if not fresh:
            self._folder(folder, relative)
            path = Path(target)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)  # an earlier build had a folder where this file goes
            else:
                # Never written in place: the file may be a hard link shared with the site
                # being served (see link_tree), which must not change before the swap.
                path.unlink(missing_ok=True)
        _write_new(target, payload)
        if not self._twin_failed.value:
            self._link_twin(relative, folder, target, fresh)
        return file_hash

    def _make_folder(self, folder: str, relative: str) -> bool:
        """The fast path of a build into a new folder: make `folder` inside a folder checked
        once (the many question folders share a parent). A folder this process has just made
        holds nothing and cannot be a link, so neither the checks of `_folder` nor one per
        file are needed."""
        if not folder:
            return False
        self._folder(folder.rpartition("/")[0], relative)
        try:
            os.mkdir(f"{self.root_text}/{folder}")
        except OSError:
            return False  # already there (or in the way): the careful path decides
        self.folders.add(folder)
        self.made.add(folder)
        return True

    def _folder(self, folder: str, relative: str) -> None:
        """Make the folder once, checking it resolves inside the root (no symlink escapes)."""
        if folder in self.folders:
            return
        path = self.root / folder if folder else self.root
        for parent in reversed([path, *path.parents]):
            if parent.is_relative_to(self.root) and parent.is_file():
                parent.unlink()  # an earlier build had a file where this folder goes
        path.mkdir(parents=True, exist_ok=True)
        if not path.resolve().is_relative_to(self.real_root):
            raise ArchiveError([Problem(relative, None, "refusing to write outside the site")])
        self.folders.add(folder)

    def _link_twin(self, relative: str, folder: str, target: str, fresh: bool) -> None:
        """Link the file just written into the twin (its folder made like the root's)."""
        twin = self.twin_text
        try:
            if folder not in self.twin_folders:
                parent = folder.rpartition("/")[0]
                if fresh and parent in self.twin_folders:
                    try:  # noqa: SIM105 (suppress() costs a microsecond, once a folder)
                        os.mkdir(f"{twin}/{folder}")
                    except FileExistsError:  # another process's, maybe
                        pass
                else:
                    os.makedirs(f"{twin}/{folder}", exist_ok=True)
                    while parent:
                        self.twin_folders.add(parent)
                        parent = parent.rpartition("/")[0]
                self.twin_folders.add(folder)
            link = f"{twin}/{relative}"
            try:
                os.link(target, link, follow_symlinks=False)
            except FileExistsError:  # written twice (a static file overridden): the last wins
                os.unlink(link)
                os.link(target, link, follow_symlinks=False)
        except OSError:
            self._twin_failed.value = True


def _write_new(target: str, payload: bytes) -> None:
    """Write a file with the fewest system calls (open, write, close; no buffered object)."""
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        written = os.write(handle, payload)  # all of it, for a regular file, but for a signal
        if written < len(payload):
            view = memoryview(payload)[written:]
            while view:
                view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def check_relative(relative: str) -> None:
    """Refuse any path that could leave the output folder, whatever a content field holds.

    Between slashes added at both ends, an empty part (a leading, trailing or doubled
    slash, or an empty path) shows as "//", and a "." or ".." part as "/./" or "/../":
    four substring tests in C rather than a split and a test a part (twice a file written).
    """
    framed = f"/{relative}/"
    unsafe = (
        "//" in framed
        or "/./" in framed
        or "/../" in framed
        or "\x00" in relative
        or "\\" in relative
    )
    if unsafe:
        raise ArchiveError([Problem(relative, None, "refusing to write outside the site")])


def staging_folder(out: Path) -> Path:
    """A new empty folder beside `out` (same disk, so the final swap is a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


def link_tree(source: Path, target: Path, files: Iterable[str]) -> bool:
    """Fill the empty folder `target` with hard links to `files` under `source`.

    False (and `target` emptied) when any file cannot be linked, e.g. on a file system
    without hard links or when a file is missing: the caller then builds from nothing.
    """
    made = {""}  # folders made, relative to target (plain strings: 60,000 questions' folders)
    source_root, target_root = os.fspath(source), os.fspath(target)
    try:
        for relative in files:
            check_relative(relative)
            folder = relative.rpartition("/")[0]
            if folder not in made:
                os.makedirs(f"{target_root}/{folder}", exist_ok=True)
                made.add(folder)
            os.link(f"{source_root}/{relative}", f"{target_root}/{relative}", follow_symlinks=False)
    except (OSError, ArchiveError):
        shutil.rmtree(target)
        target.mkdir()
        return False
    return True


def spare_staging(out: Path) -> Path:
    """A new empty folder beside `out` for the spare a build into a new folder makes as it
    writes (`FileWriter`'s twin); a killed build's is cleared by `remove_leftovers`."""
    twin = out.parent / f".{out.name}.building-spare-{os.getpid()}"
    if twin.exists():
        shutil.rmtree(twin)
    twin.mkdir()
    return twin


def publish(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` in one step where the system allows it."""
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    if old.exists():
        shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def remove_leftovers(out: Path) -> None:
    """Clear the staging folders of builds that were killed before they could clean up."""
    if not out.parent.is_dir():
        return
    for path in out.parent.glob(f".{out.name}.*-*"):
        if path.is_dir() and (
            path.name.startswith(f".{out.name}.building-") or ".old-" in path.name
        ):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and _alive(int(pid)):
                continue
            if ".old-" in path.name and not out.exists():
                os.rename(path, out)  # killed between the two renames: the old site comes back
            else:
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_output_folder(out: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy content or the project."""
    resolved = out.resolve()
    for path in protected:
        target = path.resolve()
        if resolved == target or target.is_relative_to(resolved):
            raise ArchiveError(
                [
                    Problem(
                        str(out), None, f"output folder would replace {path}; choose another --out"
                    )
                ]
            )
    if resolved.exists() and not resolved.is_dir():
        raise ArchiveError([Problem(str(out), None, "output path exists and is not a folder")])
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / "index.html").exists():
        raise ArchiveError(
            [
                Problem(
                    str(out),
                    None,
                    "output folder is not empty and does not look like a built site; "
                    "remove it or choose another --out",
                )
            ]
        )


def spare_folder(out: Path) -> Path:
    """The site before the current one, kept beside it so the next build rewrites only changes."""
    return out.parent / f".{out.name}.spare"


def folder_identity(folder: Path) -> tuple[int, int, str] | None:
    """Which folder this is (device, inode) and the stamp of its home page, or None if absent.

    A record made for a folder is trusted only while its identity is unchanged: a folder
    replaced or rebuilt by hand gets another inode or another index.html.
    """
    try:
        info = folder.stat()
        index = (folder / "index.html").stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, stamp(index))


def swap_in(folder: Path, out: Path) -> None:
    """Publish the complete `folder` as `out` in one step; the replaced site becomes the spare."""
    spare = spare_folder(out)
    if not out.exists():
        os.rename(folder, out)
        return
    if not _exchange(folder, out):
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(folder, out)
        folder = old
    if folder != spare:
        if spare.exists():
            shutil.rmtree(spare)
        os.rename(folder, spare)
