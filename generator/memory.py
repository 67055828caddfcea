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
    """A build's model kept out of the cycle collector's passes: no pass while it is made,
    none over it once it is made (`settle()` it then, before forking the pages' workers).

    The model is hundreds of thousands of objects that live as long as the build and hold
    no garbage cycles. A pass of the collector walks every object younger than it, and
    while the model is being made that is most of it, again and again: at 60,000
    questions the main process spent 0.6-1.4 CPU-s in such passes while loading and
    0.3 s more while grouping the questions (`build_browse`), on one core, the other
    idle. So the collector is off from entering until `settle()`; what is freed in
    that time is freed by reference counting as always (the model and its making make no
    cycles worth collecting). `settle()` then moves every object alive into a generation
    no pass walks (`gc.freeze()`) and turns the collector back on: the workers forked
    next make no full pass over the model either, and do not write to (so copy) every
    page of the model they share with the main process. Leaving undoes both (`answers
    serve` builds again and again in one process: without that, the models of earlier
    builds would never be freed). Output never depends on it.
    """
    enabled = gc.isenabled()
    gc.disable()

    def settle() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield settle
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
