"""The page plan: read in full only the pages a verdict needs.

Kind, title, dates, issuing unit and seals sit on the first pages (cover, letter head), the
last page (signature, date, seal) and any page with a seal. Of a 60-page report body the
checks need only the printed page numbers (header/footer), clarity and seals, so those pages
get an OCR of two thin strips instead of the whole page: time per document grows with what
must be read, not with page count alone. Born-digital pages are always read in full (their
text layer costs milliseconds).
"""

from __future__ import annotations

import cv2
import numpy as np

from .model import PageText, TextSpan
from .pages import Page
from .text.normalize import normalize_text
from .text.ocr import OcrEngine

FULL_PAGES_AT_START = 2
SHORT_DOCUMENT = 4  # documents up to this many pages are read in full (letters, certificates)
# Header and footer strips as fractions of the page height. A4 margins are 2.5 cm (8.4 %);
# headers and page numbers sit 1–2 cm from the edge. The cut is made at a blank row inside the
# window (so a body line is never sliced into OCR garbage), as far from the edge as possible.
HEADER_WINDOW = (0.06, 0.11)
FOOTER_WINDOW = (0.87, 0.94)
STRIP_GAP_PX = 40  # white rows between the stacked strips so Tesseract keeps them as 2 blocks
STRIP_MAX_WIDTH = 2500  # px; page numbers are 10–12 pt, legible at ~210 DPI on A4


def needs_full_text(number: int, page_count: int) -> bool:
    """Whether page ``number`` (1-based) is read in full regardless of what is on it."""
    return page_count <= SHORT_DOCUMENT or number <= FULL_PAGES_AT_START or number == page_count


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


def read_page_strips(page: Page, engine: OcrEngine) -> PageText:
    """OCR of the header and footer strips only, stacked into one image (one engine call:
    a Tesseract call has a fixed start cost of a few hundred ms for ``chi_sim``)."""
    img = page.image
    h, w = img.shape[:2]
    top_y1, bottom_y0 = strip_cuts(img)
    top = img[:top_y1]
    bottom = img[bottom_y0:]
    gap = np.full((STRIP_GAP_PX, w, 3), 255, dtype=np.uint8)
    stacked = np.concatenate([top, gap, bottom], axis=0)
    f = min(1.0, STRIP_MAX_WIDTH / w)
    grey = cv2.cvtColor(stacked, cv2.COLOR_RGB2GRAY)
    if f < 1.0:
        grey = cv2.resize(grey, (int(w * f), max(1, int(grey.shape[0] * f))), interpolation=cv2.INTER_AREA)
    result = engine.read(grey)
    sh = stacked.shape[0]
    top_h, gap_end = top.shape[0], top.shape[0] + STRIP_GAP_PX
    spans: list[TextSpan] = []
    for s in result.spans:
        x0, y0, x1, y1 = s.bbox
        cy = (y0 + y1) / 2 * sh
        # Map stacked-image rows back to page rows (the top strip is at offset 0).
        offset = 0 if cy < top_h else bottom_y0 - gap_end
        spans.append(TextSpan(normalize_text(s.text),
                              (x0, (y0 * sh + offset) / h, x1, (y1 * sh + offset) / h), s.conf))
    text = "\n".join(s.text for s in spans)
    return PageText(text, tuple(spans), source="ocr", engine=engine.name, mean_conf=result.mean_conf)
