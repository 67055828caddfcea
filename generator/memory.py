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

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


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
