"""Handing freed memory back to the operating system between the build's big stages.

The build's peak memory is what matters (issue 5: under 500 MB at 60,000 questions), and
glibc's allocator keeps memory freed in the middle of its heap rather than returning it:
the pickles of every parsed file, the text of a department's download and the records it
was made from are freed, but the process keeps the pages, and every worker forked after
that inherits them. `malloc_trim(0)` returns every whole free page (not only the top of
the heap) to the system. Elsewhere (macOS, musl) there is no such call and nothing is done.
Output never depends on it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable, Iterator


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


def release_free_memory() -> None:
    """Return the allocator's free pages to the system (glibc only; a few milliseconds)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def settled_heap() -> Iterator[Callable[[], None]]:
    """A build's model kept out of the cycle collector's passes (`settle()` it once made).

    The model is hundreds of thousands of objects that live as long as the build and hold
    no garbage cycles. A full pass of the collector walks every one of them: the main
    process made three such passes at 10,000 questions, each worker forked after it one
    (0.06 to 0.13 s each), and a worker's pass also writes to every object it walks, so
    the kernel copies each page of the model the worker shares with the main process.
    `gc.freeze()` moves every object alive into a generation no pass walks, and leaving
    undoes it (`answers serve` builds again and again in one process: without that, the
    models of earlier builds would never be freed). Output never depends on it.
    """
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
