"""The page plan: read in full only the pages a verdict needs.

Kind, title, dates, issuing unit and seals sit on the first pages (cover, letter head), the
last page (signature, date, seal) and any page with a seal. Of a 60-page report body the
checks need only the printed page numbers (header/footer), clarity and seals, so those pages
get an OCR of two thin strips instead of the whole page: time per document grows with what
must be read, not with page count alone. Born-digital pages are always read in full (their
text layer costs milliseconds).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass

import cv2
import numpy as np

from .checks.pagination import whiten_paper
from .model import PageText, TextSpan
from .pages import SCAN_DPI, Page
from .text.normalize import normalize_text
from .text.ocr import OcrEngine
from .text.read import read_page_text

FULL_PAGES_AT_START = 2
SHORT_DOCUMENT = 4  # documents up to this many pages are read in full (letters, certificates)
# Header and footer strips as fractions of the page height. A4 margins are 2.5 cm (8.4 %);
# headers and page numbers sit 1–2 cm from the edge. The cut is made at a blank row inside the
# window (so a body line is never sliced into OCR garbage), as far from the edge as possible.
HEADER_WINDOW = (0.05, 0.085)
FOOTER_WINDOW = (0.915, 0.945)
STRIP_GAP_PX = 40  # white rows between the stacked strips so Tesseract keeps them as 2 blocks
STRIP_MAX_WIDTH = 1600  # px, ~190 DPI across A4: 10.5 pt page numbers are ~28 px tall
STRIP_BATCH = 10  # pages whose strips are read in one engine call
MAX_QUEUED_PAGES = 2  # whole pages (~12 MB each at 200 DPI) waiting for the reader thread
# A body page of a long scan is rendered at no more than this: its strips are read at ~190 DPI
# anyway (STRIP_MAX_WIDTH), clarity works on a ~1400-px analysis image and seals on a reduced
# one, and rendering a 300-DPI scan at 300 DPI cost 80 ms a page against ~40 at 200.
BODY_PAGE_DPI = 200.0


def needs_full_text(number: int, page_count: int) -> bool:
    """Whether page ``number`` (1-based) is read in full regardless of what is on it."""
    return page_count <= SHORT_DOCUMENT or number <= FULL_PAGES_AT_START or number == page_count


def render_dpi_cap(number: int, page_count: int) -> float:
    """The most DPI page ``number`` of a scanned PDF is rendered at: its own resolution (up
    to SCAN_DPI) for a page read in full, BODY_PAGE_DPI for a body page."""
    return SCAN_DPI if needs_full_text(number, page_count) else BODY_PAGE_DPI


def _blank_rows(img: np.ndarray, y0: int, y1: int) -> np.ndarray:
    grey = img[y0:y1].min(axis=2) if img.ndim == 3 else img[y0:y1]
    ink = (grey < 128).sum(axis=1)
    return np.flatnonzero(ink <= max(2, img.shape[1] // 1000)) + y0


def strip_cuts(img: np.ndarray) -> tuple[int, int]:
    """Rows where the header strip ends and the footer strip starts: the blank row nearest
    the body within each window (the window's outer edge if no row is blank)."""
    h = img.shape[0]
    top = _blank_rows(img, int(h * HEADER_WINDOW[0]), int(h * HEADER_WINDOW[1]))
    bottom = _blank_rows(img, int(h * FOOTER_WINDOW[0]), int(h * FOOTER_WINDOW[1]))
    return (int(top[-1]) if len(top) else int(h * HEADER_WINDOW[0]),
            int(bottom[0]) if len(bottom) else int(h * FOOTER_WINDOW[1]))


@dataclass(frozen=True)
class _Strips:
    """One page's header and footer strips, grey, at the strip width, and where they came from."""

    number: int
    image: np.ndarray  # top strip, gap, bottom strip
    page_height: int  # of the page the strips were cut from, in strip pixels
    top_height: int
    bottom_offset: int  # page row (strip pixels) where the bottom strip starts


def _cut_strips(page: Page) -> _Strips:
    img = page.image
    h, w = img.shape[:2]
    top_y1, bottom_y0 = strip_cuts(img)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    f = min(1.0, STRIP_MAX_WIDTH / w)
    top, bottom = grey[:top_y1], grey[bottom_y0:]
    if f < 1.0:
        top = cv2.resize(top, (int(w * f), max(1, int(top.shape[0] * f))), interpolation=cv2.INTER_AREA)
        bottom = cv2.resize(bottom, (int(w * f), max(1, int(bottom.shape[0] * f))),
                            interpolation=cv2.INTER_AREA)
    gap = np.full((STRIP_GAP_PX, top.shape[1]), 255, dtype=np.uint8)
    return _Strips(page.number, np.concatenate([whiten_paper(top), gap, whiten_paper(bottom)], axis=0),
                   int(h * f), top.shape[0], int(bottom_y0 * f))


def _read_batch(batch: list[_Strips], engine: OcrEngine) -> dict[int, PageText]:
    """OCR the strips of several pages stacked in one image (one engine call), then give
    each page its spans, with boxes as fractions of that page."""
    width = max(s.image.shape[1] for s in batch)
    parts: list[np.ndarray] = []
    offsets: list[int] = []
    y = 0
    for s in batch:
        img = s.image
        if img.shape[1] < width:
            img = np.pad(img, ((0, 0), (0, width - img.shape[1])), constant_values=255)
        offsets.append(y)
        parts += [img, np.full((STRIP_GAP_PX, width), 255, dtype=np.uint8)]
        y += img.shape[0] + STRIP_GAP_PX
    stacked = np.concatenate(parts, axis=0)
    result = engine.read(stacked)
    sh, sw = stacked.shape
    spans: dict[int, list[TextSpan]] = {s.number: [] for s in batch}
    for span in result.spans:
        x0, y0, x1, y1 = span.bbox
        cy = (y0 + y1) / 2 * sh
        i = max(k for k, off in enumerate(offsets) if off <= cy) if cy >= 0 else 0
        s, off = batch[i], offsets[i]
        # Stacked rows → rows of this page's strips → rows of the page (the bottom strip
        # starts after the top strip and the gap).
        def page_row(row: float, s: _Strips = s, off: int = off) -> float:
            local = row - off
            return local if local < s.top_height + STRIP_GAP_PX / 2 else \
                local - s.top_height - STRIP_GAP_PX + s.bottom_offset
        scale = sw / s.image.shape[1] if s.image.shape[1] else 1.0
        spans[s.number].append(TextSpan(
            normalize_text(span.text),
            (min(1.0, x0 * scale), page_row(y0 * sh) / s.page_height,
             min(1.0, x1 * scale), page_row(y1 * sh) / s.page_height), span.conf))
    out = {}
    for s in batch:
        mine = tuple(spans[s.number])
        conf = [t.conf for t in mine]
        out[s.number] = PageText("\n".join(t.text for t in mine), mine, source="ocr",
                                 engine=engine.name, mean_conf=sum(conf) / len(conf) if conf else None)
    return out


def read_page_strips(page: Page, engine: OcrEngine) -> PageText:
    """OCR of the header and footer strips of one page only."""
    return _read_batch([_cut_strips(page)], engine)[page.number]


def is_landscape(page: Page) -> bool:
    """A page wider than tall may be a turned portrait page: it is read whole (with OSD)."""
    return page.image.shape[1] > page.image.shape[0] * 1.15


PENDING = "pending"  # PageText.source of a page whose text the reader thread has not returned


class PageReader:
    """The OCR of one document's image pages, run in the worker's reader thread.

    OCR (a Tesseract subprocess) is most of a scanned page's time; rendering, seals, clarity
    and fingerprints are the worker's own work. Handing OCR to one background thread overlaps
    the two: while Tesseract reads page n the worker renders and checks page n+1, on the other
    core when it is idle (a long document alone, the tail of a run). A page is checked at once
    with a ``PENDING`` text, which ``collect`` later replaces.

    Strip pages are batched: a Tesseract call costs ~0.2–0.45 s before it reads anything
    (process start, loading ``chi_sim``), most of the cost of a strip, so the strips of
    ``STRIP_BATCH`` pages (about 0.5 MB a page) are stacked and read in one call. At most
    ``MAX_QUEUED_PAGES`` whole pages wait for the reader, so memory stays flat.
    """

    def __init__(self, engine: OcrEngine, executor: Executor) -> None:
        self._engine = engine
        self._executor = executor
        self._strips: list[_Strips] = []
        self._futures: deque[Future[dict[int, PageText]]] = deque()

    def read_full(self, page: Page) -> PageText:
        """Schedule the whole page's OCR (upright, see ``read_page_text``)."""
        while sum(1 for f in self._futures if not f.done()) >= MAX_QUEUED_PAGES:
            wait([f for f in self._futures if not f.done()], return_when=FIRST_COMPLETED)
        engine = self._engine
        self._futures.append(self._executor.submit(
            lambda: {page.number: read_page_text(page, engine)[1]}))
        return PageText("", source=PENDING)

    def read_strips(self, page: Page) -> PageText:
        """Schedule the OCR of the page's header and footer strips (batched)."""
        self._strips.append(_cut_strips(page))
        if len(self._strips) >= STRIP_BATCH:
            self._submit_strips()
        return PageText("", source=PENDING)

    def _submit_strips(self) -> None:
        batch, engine = self._strips, self._engine
        self._strips = []
        self._futures.append(self._executor.submit(_read_batch, batch, engine))

    def collect(self, *, finish: bool = False) -> dict[int, PageText]:
        """Texts read so far by page number; with ``finish``, all of them (waits, and reads
        the last partial strip batch). An OCR error is raised here."""
        if finish and self._strips:
            self._submit_strips()
        out: dict[int, PageText] = {}
        while self._futures and (finish or self._futures[0].done()):
            out.update(self._futures.popleft().result())
        return out

    def cancel(self) -> None:
        """Drop what is queued (the document failed or ran out of time)."""
        for f in self._futures:
            f.cancel()
        self._futures.clear()
        self._strips = []
