"""Page fingerprints for DUPLICATE (五(七)): perceptual hashes of the page's content region.

Hashes are taken on the bounding box of the ink, not the whole sheet, so a re-scan with other
margins or a slightly cropped copy hashes the same; the image is reduced first (the hashes
work on 32×32 / 9×8 pixels anyway), which keeps this at a few milliseconds a page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import imagehash
import numpy as np

# imagehash.phash imports scipy.fftpack on its first call: 0.28 s, paid again by every worker
# process and counted in a 2-page letter's 2.5 s. Imported with this module, the main process
# pays it once and the workers it forks inherit it.
import scipy.fftpack  # noqa: F401
from PIL import Image

from ..model import PageText
from ..text.normalize import compact

REDUCED_SIDE = 512  # px, at most this long side for the image the hashes are taken from
INK_QUANTILE = 0.005  # ink extent = 0.5 %–99.5 % quantiles: scanner specks at the edge ignored
MIN_LINE_CHARS = 4  # shorter lines (page numbers, stray OCR glyphs) say nothing about identity


@dataclass(frozen=True)
class PageFingerprint:
    phash: str  # 64-bit pHash, hex
    dhash: str  # 64-bit dHash, hex


def content_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the ink on a grey page, robust to isolated specks."""
    _t, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    h, w = grey.shape
    if len(xs) < 50:  # a blank page: the whole sheet
        return 0, 0, w, h
    x0, x1 = np.quantile(xs, [INK_QUANTILE, 1 - INK_QUANTILE])
    y0, y1 = np.quantile(ys, [INK_QUANTILE, 1 - INK_QUANTILE])
    return int(x0), int(y0), max(int(x1) + 1, int(x0) + 2), max(int(y1) + 1, int(y0) + 2)


def page_fingerprint(image: np.ndarray) -> PageFingerprint:
    """pHash and dHash of the content region of an RGB (or grey) page image."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    k = -(-max(h, w) // REDUCED_SIDE)  # an integer factor: OpenCV's fast INTER_AREA path (4× faster)
    if k > 1 and h >= k and w >= k:
        grey = grey[: h // k * k, : w // k * k]
        grey = cv2.resize(grey, (w // k, h // k), interpolation=cv2.INTER_AREA)
    x0, y0, x1, y1 = content_box(grey)
    region = Image.fromarray(np.ascontiguousarray(grey[y0:y1, x0:x1]))
    return PageFingerprint(str(imagehash.phash(region)), str(imagehash.dhash(region)))


def text_lines(text: PageText) -> tuple[str, ...]:
    """The page's text as compact lines (no whitespace), short lines dropped."""
    out = []
    for line in text.text.split("\n"):
        c = compact(line)
        if len(c) >= MIN_LINE_CHARS:
            out.append(c)
    return tuple(out)
