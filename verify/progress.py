"""Progress on stderr: a bar on a terminal, plain lines in a log, nothing with ``--quiet``.

stdout carries only report rows, so progress never goes there.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from .model import DocumentEvidence

LINE_INTERVAL = 10.0  # seconds between progress lines when stderr is not a terminal
BAR_INTERVAL = 0.2  # seconds between bar redraws
BAR_WIDTH = 24


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def update(self, evidence: DocumentEvidence, cached: bool) -> None: ...

    def finish(self) -> None: ...


class _Counts:
    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.pages = 0
        self.cached = 0
        self.computed = 0
        self.start_time = time.monotonic()

    def add(self, evidence: DocumentEvidence, cached: bool) -> None:
        self.done += 1
        self.pages += evidence.page_count
        if cached:
            self.cached += 1
        else:
            self.computed += 1

    def summary(self) -> str:
        elapsed = max(time.monotonic() - self.start_time, 1e-6)
        rate = self.pages / elapsed
        parts = [f"{self.done}/{self.total} documents", f"{self.pages} pages", f"{rate:.1f} pages/s"]
        if self.cached:
            parts.append(f"{self.cached} from cache")
        if 0 < self.done < self.total:
            # Remaining documents at the rate so far (cache hits included: a rerun is fast).
            eta = elapsed / self.done * (self.total - self.done)
            parts.append(f"ETA {_duration(eta)}")
        else:
            parts.append(f"elapsed {_duration(elapsed)}")
        return " · ".join(parts)


def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class NullProgress:
    def start(self, total: int) -> None:
        pass

    def update(self, evidence: DocumentEvidence, cached: bool) -> None:
        pass

    def finish(self) -> None:
        pass


class BarProgress:
    """One redrawn line on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.counts = _Counts()
        self._last = 0.0

    def start(self, total: int) -> None:
        self.counts.total = total
        self._draw()

    def update(self, evidence: DocumentEvidence, cached: bool) -> None:
        self.counts.add(evidence, cached)
        now = time.monotonic()
        if now - self._last >= BAR_INTERVAL or self.counts.done == self.counts.total:
            self._draw()
            self._last = now

    def _draw(self) -> None:
        c = self.counts
        filled = int(BAR_WIDTH * c.done / c.total) if c.total else BAR_WIDTH
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.stream.write(f"\r\x1b[Kverify {bar} {c.summary()}")
        self.stream.flush()

    def finish(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()


class LineProgress:
    """A plain line every ``LINE_INTERVAL`` seconds and at the end (for logs and CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.counts = _Counts()
        self._last = time.monotonic()
        self._written = -1

    def start(self, total: int) -> None:
        self.counts.total = total

    def update(self, evidence: DocumentEvidence, cached: bool) -> None:
        self.counts.add(evidence, cached)
        now = time.monotonic()
        if now - self._last >= LINE_INTERVAL:
            self._write()
            self._last = now

    def _write(self) -> None:
        if self._written == self.counts.done:
            return
        self._written = self.counts.done
        self.stream.write(f"verify: {self.counts.summary()}\n")
        self.stream.flush()

    def finish(self) -> None:
        self._write()


def make_progress(quiet: bool, stream: TextIO | None = None) -> Progress:
    stream = stream or sys.stderr
    if quiet:
        return NullProgress()
    if stream.isatty():
        return BarProgress(stream)
    return LineProgress(stream)
