"""A progress line on stderr: redrawn in place on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from generator.importers.store import Summary

WIDTH = 24


class Progress:
    """Shows `done/total` with a bar and the running counts; silent when `quiet`."""

    def __init__(self, label: str, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.label = label
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.total: int | None = None
        self.last = time.monotonic()
        self.drawn = False

    def update(self, summary: Summary, *, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        interval = 0.1 if self.tty else 5.0
        if not force and now - self.last < interval:
            return
        self.last = now
        done = summary.total
        if self.total:
            filled = min(WIDTH, WIDTH * done // self.total)
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{self.total}"
        else:
            bar = f"{done} done"
        line = f"{self.label} {bar}: {summary.line()}"
        if self.tty:
            self.stream.write(f"\r\x1b[2K{line}")
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line that must not be overwritten by the bar (a problem, a warning)."""
        if self.tty and self.drawn:
            self.stream.write("\r\x1b[2K")
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.drawn and not self.quiet:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
