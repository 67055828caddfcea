"""Writing stage: pages go into a fresh folder beside the output, swapped in only when complete.

A failed or killed build therefore leaves the previous site exactly as it was, and no
output path, whatever a content field contains, can land outside the output folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
from pathlib import Path, PurePosixPath

from generator.errors import ArchiveError, Problem

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class SiteWriter:
    """Writes files under one root, refusing unsafe or repeated paths."""

    def __init__(self, root: Path):
        self.root = root
        self.written: set[str] = set()
        self.bytes_written = 0

    def write(self, relative: str, data: str | bytes) -> None:
        target = self._target(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target.write_bytes(payload)
        self.bytes_written += len(payload)

    def copy_tree(self, source: Path, prefix: str) -> None:
        """Copy a folder of static files; later copies of a file override earlier ones."""
        for path in sorted(source.rglob("*")):
            if path.is_file():
                relative = f"{prefix}/{path.relative_to(source).as_posix()}"
                self.written.discard(relative)
                self.write(relative, path.read_bytes())

    def _target(self, relative: str) -> Path:
        pure = PurePosixPath(relative)
        unsafe = (
            not relative
            or pure.is_absolute()
            or any(part in ("", ".", "..") for part in relative.split("/"))
            or "\x00" in relative
            or "\\" in relative
        )
        if unsafe:
            raise ArchiveError([Problem(relative, None, "refusing to write outside the site")])
        if relative in self.written:
            raise ArchiveError([Problem(relative, None, "two pages would be written to this path")])
        self.written.add(relative)
        target = self.root.joinpath(*pure.parts)
        if not target.resolve().is_relative_to(self.root.resolve()):
            raise ArchiveError([Problem(relative, None, "refusing to write outside the site")])
        return target


def staging_folder(out: Path) -> Path:
    """A new empty folder beside `out` (same disk, so the final swap is a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


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
