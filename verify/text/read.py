"""Read a page's text: the PDF text layer where it is real, OCR otherwise.

Orientation: Tesseract OSD costs about a second a page, so it runs only when a page looks
turned (a landscape image of a portrait document) or when the upright OCR reads poorly.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from ..model import PageText, TextSpan
from ..pages import Page
from .normalize import normalize_text
from .ocr import OcrEngine

log = logging.getLogger(__name__)

OCR_MAX_SIDE = 3300  # ~280 DPI on A4: enough for 10.5 pt Chinese, within Tesseract's limits
LOW_CONF = 55.0  # mean confidence under which the page is re-read after an OSD check


def _page_text(spans: tuple[TextSpan, ...], source: str, engine: str | None = None,
               mean_conf: float | None = None, rotation: int = 0) -> PageText:
    """Spans normalised once, and the page text as their lines."""
    norm = tuple(TextSpan(normalize_text(s.text), s.bbox, s.conf) for s in spans)
    return PageText("\n".join(s.text for s in norm), norm, source, engine, mean_conf, rotation)


def text_from_layer(page: Page) -> PageText:
    return _page_text(page.text_layer, source="layer")


def _reduced(img: np.ndarray, max_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    if max(h, w) <= max_side:
        return img
    f = max_side / max(h, w)
    return cv2.resize(img, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)


def _ocr_image(page: Page) -> np.ndarray:
    return cv2.cvtColor(_reduced(page.image, OCR_MAX_SIDE), cv2.COLOR_RGB2GRAY)


def ocr_page(page: Page, engine: OcrEngine) -> tuple[Page, PageText]:
    """OCR ``page``; returns the page turned upright (if it was turned) and its text."""
    h, w = page.image.shape[:2]
    rotation = 0
    if w > h * 1.15:  # landscape: a turned portrait page, or a landscape document
        rotation = engine.orientation(_ocr_image(page))
    upright = page.rotated(rotation)
    result = engine.read(_ocr_image(upright))
    if rotation == 0 and (result.mean_conf is None or result.mean_conf < LOW_CONF):
        turn = engine.orientation(_ocr_image(page))
        if turn:
            turned = page.rotated(turn)
            again = engine.read(_ocr_image(turned))
            if (again.mean_conf or 0.0) > (result.mean_conf or 0.0):
                upright, result, rotation = turned, again, turn
    return upright, _page_text(result.spans, source="ocr", engine=engine.name,
                               mean_conf=result.mean_conf, rotation=rotation)


def read_page_text(page: Page, engine: OcrEngine) -> tuple[Page, PageText]:
    """The page (upright) and its text. Born-digital pages are never OCR'd."""
    if page.origin == "born_digital":
        return page, text_from_layer(page)
    return ocr_page(page, engine)


REREAD_MAX_SIDE = 1000  # px: RapidOCR reads 10.5 pt Chinese at this size; peak RSS ~420 MB


def read_red_channel(page: Page, engine: OcrEngine, max_side: int = REREAD_MAX_SIDE) -> PageText:
    """Read an upright page from its red channel, where red seals and red ink turn near-white,
    so the unit name and the date printed under a seal come through (measured-facts.md: 0–2.6%
    CER on such text against 6–15% for the plain page). Reduced to ``max_side`` pixels: the
    second engine's memory grows with the image."""
    red = _reduced(np.ascontiguousarray(page.image[:, :, 0]), max_side)
    result = engine.read(cv2.cvtColor(red, cv2.COLOR_GRAY2RGB))
    return _page_text(result.spans, source="ocr", engine=engine.name,
                      mean_conf=result.mean_conf, rotation=page.rotation)
