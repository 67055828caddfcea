"""The build cache in `.cache/`: what earlier builds computed, so rebuilds redo only changes.

One SQLite file holds three things, each safe to lose (deleting `.cache/` only makes the
next build slower):

- parsed content files, keyed by path and (size, mtime) and then by content hash, so an
  unchanged file is neither read nor parsed again;
- answer HTML (Markdown rendered and sanitised), keyed by a hash of the Markdown;
- small records (`meta`): the inputs fingerprint of each built output folder, and the hash
  of every file in it, so a rebuild with nothing changed stops after stat-ing the inputs and
  an edited archive rewrites only the files whose bytes differ.

Everything is tied to a fingerprint of the generator's own code and libraries: a new
version of the code empties the cache rather than trusting what older code produced.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CACHE_DIR = Path(".cache")
DATABASE = "build.sqlite"
_GENERATOR = Path(__file__).resolve().parent
_BATCH = 500  # keys per SELECT ... IN (...): under SQLite's limit on parameters
_LIBRARIES = ("jinja2", "markdown", "nh3", "pyyaml", "lunr", "deflate")
_MODULES = ("jinja2", "markdown", "nh3", "yaml", "lunr", "deflate")  # what they are imported as
_CODE_STAMPS = "code-stamps"


def digest(data: bytes) -> bytes:
    """A short, fast content hash (16 bytes of SHA-256): collisions are not a practical risk.

    Every file a build writes is hashed (100 MB at 10,000 questions), and every parsed
    file and answer. OpenSSL's SHA-256 uses the processor's SHA instructions where there
    are some (the project's machine has them): 1.4 GB/s there against BLAKE2b's 0.8 GB/s.
    """
    return hashlib.sha256(data).digest()[:16]


def answer_key(markdown_text: str) -> bytes:
    """What an answer's HTML is cached by: a hash of its Markdown."""
    return digest(markdown_text.encode("utf-8"))


def code_fingerprint() -> str:
    """The generator's source files and library versions: output depends on all of them."""
    from importlib import metadata  # a tenth of an edit's build: only when `code_stamps` change

    h = hashlib.blake2b(digest_size=16)
    for path in sorted(_GENERATOR.rglob("*.py")):
        h.update(path.relative_to(_GENERATOR).as_posix().encode())
        h.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none".encode())
    return h.hexdigest()


def code_stamps() -> str:
    """What `code_fingerprint` is kept by (BuildCache): every source file's path, size and
    mtime, and where each library is imported from with the mtime of the folder holding it
    (installing, upgrading or removing a package there changes it), from a stat each."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(_GENERATOR.rglob("*.py")):
        info = path.stat()
        h.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode(errors="surrogateescape"))
    for name in _MODULES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None and spec.origin else ""
        folder = os.path.dirname(origin)  # the package's folder, or a module's
        if spec is not None and spec.submodule_search_locations is not None:
            folder = os.path.dirname(folder)  # the folder holding the package
        try:
            mtime = os.stat(folder).st_mtime_ns if folder else 0
        except OSError:
            mtime = 0
        h.update(f"{name}\0{origin}\0{mtime}\n".encode(errors="surrogateescape"))
    return h.hexdigest()


class BuildCache:
    """The cache database; every method is a plain lookup or store, committed by `close`."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        # One build at a time per cache: two would both update the same spare site.
        self._lock = open(folder / "lock", "w")  # noqa: SIM115 (held until close)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.db = sqlite3.connect(folder / DATABASE, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._create()
        self.db.execute("BEGIN")
        stamps = code_stamps()
        known = self.get_meta(_CODE_STAMPS)
        if isinstance(known, tuple) and len(known) == 2 and known[0] == stamps:
            fingerprint = known[1]
        else:
            fingerprint = code_fingerprint()
        if self.get_meta("code") != fingerprint:
            for table in ("parsed", "fragments", "meta"):
                self.db.execute(f"DELETE FROM {table}")
            self.set_meta("code", fingerprint)
        if known != (stamps, fingerprint):
            self.set_meta(_CODE_STAMPS, (stamps, fingerprint))

    def _create(self) -> None:
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS parsed (
                path TEXT PRIMARY KEY, stamp TEXT NOT NULL, hash BLOB NOT NULL, value BLOB NOT NULL
            );
            CREATE TABLE IF NOT EXISTS fragments (
                hash BLOB PRIMARY KEY, html TEXT NOT NULL, text TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
            """
        )

    # Parsed content files ---------------------------------------------------------------

    def parsed_files(self) -> dict[str, tuple[str, bytes, bytes]]:
        """path -> (stamp, content hash, pickled value), for every file parsed before."""
        rows = self.db.execute("SELECT path, stamp, hash, value FROM parsed")
        return {path: (stamp, h, value) for path, stamp, h, value in rows}

    def parsed_entries(self, paths: Iterable[str]) -> dict[str, tuple[str, bytes, bytes]]:
        """`parsed_files` for the given paths only (an edit's fast path loads a few)."""
        wanted = list(dict.fromkeys(paths))
        found: dict[str, tuple[str, bytes, bytes]] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT path, stamp, hash, value FROM parsed WHERE path IN ({marks})"
            for path, file_stamp, h, value in self.db.execute(query, batch):
                found[path] = (file_stamp, h, value)
        return found

    def store_parsed(self, rows: Iterable[tuple[str, str, bytes, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)", rows)

    def forget_parsed(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM parsed WHERE path = ?", ((p,) for p in paths))

    # Answer HTML ------------------------------------------------------------------------

    def fragments(self, hashes: Iterable[bytes]) -> dict[bytes, tuple[str, str]]:
        """Answer hash -> (HTML, text) for those of `hashes` rendered before."""
        wanted = set(hashes)
        found: dict[bytes, tuple[str, str]] = {}
        for h, html, text in self.db.execute("SELECT hash, html, text FROM fragments"):
            if h in wanted:
                found[h] = (html, text)
        return found

    def fragment_hashes(self) -> set[bytes]:
        """The hash of every answer whose HTML is stored (16 bytes each: a whole archive's
        fit in a few megabytes, where the HTML would be hundreds)."""
        return {h for (h,) in self.db.execute("SELECT hash FROM fragments")}

    def some_fragments(self, hashes: Iterable[bytes]) -> dict[bytes, tuple[str, str]]:
        """`fragments` looked up by key, a batch a query: for a few answers, not a whole
        archive's."""
        wanted = list(set(hashes))
        found: dict[bytes, tuple[str, str]] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT hash, html, text FROM fragments WHERE hash IN ({marks})"
            for h, html, text in self.db.execute(query, batch):
                found[h] = (html, text)
        return found

    def store_fragments(self, rows: Iterable[tuple[bytes, str, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)", rows)

    def meta_keys(self, prefix: str) -> list[str]:
        query = "SELECT key FROM meta WHERE substr(key, 1, ?) = ?"
        rows = self.db.execute(query, (len(prefix), prefix))
        return [key for (key,) in rows]

    # Records ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, data))

    def delete_meta(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    def commit(self) -> None:
        """Make what is stored so far durable (a killed build keeps it)."""
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()
        self._lock.close()


def stamp(stat: os.stat_result) -> str:
    """What makes a file look unchanged without reading it."""
    return f"{stat.st_size}:{stat.st_mtime_ns}"
