"""Page pictures for the HTML report: re-rendered from the original files, small and compressed.

The report must open offline from a USB stick and stay well under 50 MB for 100 documents, so
each shown page is embedded twice as a data URI: a small thumbnail for the list and a
screen-sized view for the click-to-enlarge viewer. Pages are rendered with
``open_document(ref).page(i)``: the page as delivered (EXIF-upright for photos, not turned by
OCR), which is the frame seal boxes and date boxes are expressed in, so overlays drawn in
percentages of the picture land on the right pixels.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image, features

from ..exceptions import VerifyError
from ..model import DocumentReport, InputRef, Status
from ..pages import open_document

log = logging.getLogger(__name__)

# Sizes chosen for a 1080p laptop screen: the list shows thumbnails at 170 CSS px high, so 340
# px covers a 2x display; the viewer fits a page to the window height, and 1400 px on the long
# side keeps 5-mm Chinese characters of an A4 scan legible (about 120 DPI) at a fraction of
# the original's bytes.
THUMB_LONG_SIDE = 340
VIEW_LONG_SIDE = 1400
# WebP at quality 50 was the smallest setting where seal text and 小四 body text of the sample
# scans stayed readable in the viewer; JPEG (only if Pillow lacks WebP) needs about 65 for the
# same look.
WEBP_QUALITY = 50
JPEG_QUALITY = 65
# PDFs are rendered at this resolution before downscaling: an A4 page at 150 DPI is 1754 px on
# the long side, just above VIEW_LONG_SIDE, so the downscale only smooths.
RENDER_DPI = 150.0
# A long document shows its first pages and then only the pages a finding, seal or date
# points at.
FIRST_PAGES = 3

_HAS_WEBP = bool(features.check("webp"))


@dataclass(frozen=True)
class EncodedImage:
    """A compressed picture ready to embed."""

    mime: str
    data: bytes
    width: int
    height: int

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class PageImages:
    """One shown page: thumbnail and viewer picture (same frame, different sizes)."""

    number: int  # 1-based
    thumb: EncodedImage
    view: EncodedImage


def pages_to_show(report: DocumentReport, first: int = FIRST_PAGES) -> tuple[int, ...]:
    """1-based page numbers worth a picture: the first ``first`` pages, plus any later page
    that a finding, a seal or the achievement date points at."""
    ev = report.evidence
    if ev.status is not Status.ok or ev.page_count <= 0:
        return ()
    wanted = set(range(1, min(first, ev.page_count) + 1))
    wanted.update(f.page for f in report.findings if f.page is not None)
    wanted.update(s.page for s in ev.seals)
    if ev.understanding.achievement_date is not None:
        wanted.add(ev.understanding.achievement_date.page)
    return tuple(sorted(n for n in wanted if 1 <= n <= ev.page_count))


def encode(image: np.ndarray, long_side: int) -> EncodedImage:
    """``image`` (RGB uint8) shrunk to ``long_side`` px on its long side (never enlarged) and
    compressed (WebP, or JPEG where Pillow has no WebP)."""
    im = Image.fromarray(image)
    scale = long_side / max(im.size)
    if scale < 1.0:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                       Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if _HAS_WEBP:
        im.save(buf, format="WEBP", quality=WEBP_QUALITY, method=4)
        mime = "image/webp"
    else:
        im.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        mime = "image/jpeg"
    return EncodedImage(mime, buf.getvalue(), im.width, im.height)


def render_pages(ref: InputRef, numbers: Iterable[int]) -> dict[int, PageImages]:
    """Pictures of the given 1-based pages of one document. A page (or a document) that cannot
    be rendered any more (file moved, changed since the check) is left out and logged: the
    report is still written, that page just shows no picture."""
    numbers = tuple(numbers)
    if not numbers:
        return {}
    # MuPDF's own error printing is silenced once, in verify.pages, so nothing reaches stdout.
    return _render(ref, numbers)


def _render(ref: InputRef, numbers: tuple[int, ...]) -> dict[int, PageImages]:
    try:
        doc = open_document(ref)
    except VerifyError as exc:
        log.warning("%s: no page pictures: %s", ref.display, exc)
        return {}
    out: dict[int, PageImages] = {}
    try:
        for n in numbers:
            if not 1 <= n <= doc.page_count:
                continue
            try:
                page = doc.page(n - 1, dpi=RENDER_DPI)
            except (VerifyError, RuntimeError, ValueError, OSError) as exc:
                # PyMuPDF raises RuntimeError subclasses on a damaged page
                log.warning("%s: page %d: no picture: %s", ref.display, n, exc)
                continue
            out[n] = PageImages(n, encode(page.image, THUMB_LONG_SIDE),
                                encode(page.image, VIEW_LONG_SIDE))
    finally:
        doc.close()
    return out
