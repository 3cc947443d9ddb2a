"""Page fingerprints for DUPLICATE (五(七)): perceptual hashes of the page's content region.

Hashes are taken on the bounding box of the ink, not the whole sheet, so a re-scan with other
margins or a slightly cropped copy hashes the same; the image is reduced first (the hashes
work on 32×32 / 9×8 pixels anyway), which keeps this at a few milliseconds a page.
"""

from __future__ import annotations

import zlib
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
    _t, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    h, w = grey.shape
    cols, rows = ink.sum(axis=0, dtype=np.int64), ink.sum(axis=1, dtype=np.int64)
    if int(cols.sum()) < 50:  # a blank page: the whole sheet
        return 0, 0, w, h
    x0, x1 = _quantiles(cols, (INK_QUANTILE, 1 - INK_QUANTILE))
    y0, y1 = _quantiles(rows, (INK_QUANTILE, 1 - INK_QUANTILE))
    return int(x0), int(y0), max(int(x1) + 1, int(x0) + 2), max(int(y1) + 1, int(y0) + 2)


def _quantiles(counts: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """``np.quantile`` (linear) of the coordinates of the ink pixels, ``counts[i]`` of them at
    coordinate i, told from the counts' running sum: the same numbers without listing every
    ink pixel's coordinates and sorting them (a third of a page's fingerprint time)."""
    ends = np.cumsum(counts)
    out = []
    for q in qs:
        at = q * (int(ends[-1]) - 1)
        lo = int(np.floor(at))
        # The sorted coordinates' lo-th and (lo+1)-th (0-based): the first i with more than
        # lo pixels at or before it.
        v0 = int(np.searchsorted(ends, lo, side="right"))
        v1 = int(np.searchsorted(ends, min(lo + 1, int(ends[-1]) - 1), side="right"))
        out.append(v0 + (at - lo) * (v1 - v0))
    return out


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


# ----------------------------------------------------------------------------- line glyphs
#
# What each text line looks like, for telling a misreading from a different text: two copies
# of one page show the same glyphs where OCR read 为表彰 on one and 为才朝 on the other; two
# colleagues' pages show other glyphs where one reads 韩德明 and the other 徐春燕 (see
# ``verify.duplicates.glyph_similarity``). Each line is cut from the page by its text box,
# straightened, cut to its ink, scaled to ``GLYPH_HEIGHT`` pixels and binarised: a Han
# character is then about a GLYPH_HEIGHT-pixel square, a line of 30 characters 90 bytes a row
# (about 300 bytes a line compressed, 5–7 kB a page).
GLYPH_HEIGHT = 24  # px: at 16 a colleague's name and a misread copy overlapped (duplicates.GLYPH_SAME)
GLYPH_PAGE_SIDE = 2400  # px, at most this long side for the page the lines are cut from (~200 DPI)
GLYPH_PAD = 0.25  # of the box height, added above and below (Tesseract boxes clip slanted lines)
GLYPH_MAX_WIDTH = 1600  # px of a normalised line (100 Han characters): longer lines are cut
GLYPH_ROW_SHARE = 0.12  # of the densest row's ink: rows under it are not the line's text
GLYPH_END_GAP = 1.5  # line heights of blank between a line's text and a mark at its end
# Line heights: an end mark narrower than this is not characters (a certificate's double
# frame with its corner ornament is 0.6–1.1 heights wide, seed 9405).
GLYPH_END_MARK = 1.2
GLYPH_MIN_INK = 20  # ink pixels a line needs at page resolution, else it is not stored
# A text layer's page of running text (a report's body: more than LAYER_RUNNING_LINES lines
# longer than LAYER_GLYPH_MAX_CHARS compact characters) gets no strips for those long lines.
# They were most of a born-digital page's glyph time (3 of its 35 ms: the bench's born-digital
# throughput 51 pages/s against main's 58; its report pages have 22 lines of 34 characters)
# and such a page differs from another document by its many characters, not by a field; a
# misread field in its copy is compared by text alone, as before glyphs. A cover's, a
# certificate's, a letter's lines (at most 11 long ones on the fixtures' text-layer pages,
# their names, units and titles) all keep theirs, as do OCR'd pages (OCR costs 100× more).
# On pair seeds 9704–9706, 9713 and set 9712: the same findings as with every line's strip.
LAYER_GLYPH_MAX_CHARS = 24
LAYER_RUNNING_LINES = 12


def glyph_page(image: np.ndarray) -> np.ndarray:
    """The grey page that line glyphs are cut from, reduced to at most ``GLYPH_PAGE_SIDE``."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    if max(h, w) > GLYPH_PAGE_SIDE:
        f = GLYPH_PAGE_SIDE / max(h, w)
        grey = cv2.resize(grey, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(grey)


def _straightened(ink: np.ndarray) -> np.ndarray:
    """A line's ink mask sheared level: the slope of the ink's centre row across the line's
    eight column bands (a scan 0.8° askew drifts 20 px over a 1500-px line, a glyph's height)."""
    h, w = ink.shape
    bands = 8
    if w < bands * 4:
        return ink
    # Each band's ink per row in one pass (np.add.reduceat over the bands' first columns).
    per_band = np.add.reduceat(ink, [i * w // bands for i in range(bands)], axis=1, dtype=np.float64)
    mass = per_band.sum(axis=0)
    centre = (np.arange(h, dtype=np.float64) @ per_band)
    has = mass > 0
    xs = ((np.arange(bands) + 0.5) * w / bands)[has]
    ys = centre[has] / mass[has]
    if len(xs) < 3:
        return ink
    x, y = np.asarray(xs), np.asarray(ys)
    x = x - x.mean()
    slope = float((x * (y - y.mean())).sum() / (x * x).sum())  # least squares, as np.polyfit
    if abs(slope) < 0.002 or abs(slope) > 0.1:
        return ink
    shear = np.array([[1, 0, 0], [-slope, 1, slope * w / 2]], dtype=np.float32)
    return cv2.warpAffine(ink, shear, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)


def _text_rows(ink: np.ndarray, mid: int, gap: int) -> tuple[int, int]:
    """[lo, hi) of the line's own rows: the run of rows around ``mid`` that hold text's density
    of ink (gaps of up to ``gap`` rows bridged), not a neighbour's descenders that the padding
    took in, nor the thin arcs of a seal's ring over the line (one made a line's text a third
    of the strip's height)."""
    rows = ink.sum(axis=1)
    if not rows.any():
        return 0, 0
    dense = rows >= max(1.0, GLYPH_ROW_SHARE * float(rows.max()))
    if not dense[mid]:
        near = np.nonzero(dense)[0]
        mid = int(near[np.argmin(np.abs(near - mid))])
    # The run around mid is its group of dense rows, a group's rows at most ``gap`` apart.
    at = np.flatnonzero(dense)
    k = int(np.searchsorted(at, mid))
    breaks = np.flatnonzero(np.diff(at) > gap)  # a group ends at each break's row
    first = int(np.searchsorted(breaks, k))  # the first break at or after mid's row
    lo = int(at[breaks[first - 1] + 1]) if first > 0 else int(at[0])
    hi = int(at[breaks[first]]) + 1 if first < len(breaks) else int(at[-1]) + 1
    return lo, hi


def _text_columns(inked: np.ndarray, height: int) -> tuple[int, int]:
    """[x0, x1) of a line's text among its inked columns: narrow marks at either end far from
    the rest (a scanner's frame, a border's edge, read as ``|``) are left out, so the strip's
    width is its characters' (where in it a character lies is told from the text)."""
    cols = np.nonzero(inked)[0]
    if len(cols) == 0:
        return 0, 0
    cuts = np.nonzero(np.diff(cols) > GLYPH_END_GAP * height)[0]
    groups = [(int(g[0]), int(g[-1]) + 1) for g in np.split(cols, cuts + 1)]
    while len(groups) > 1 and groups[0][1] - groups[0][0] < GLYPH_END_MARK * height:
        groups.pop(0)
    while len(groups) > 1 and groups[-1][1] - groups[-1][0] < GLYPH_END_MARK * height:
        groups.pop()
    return groups[0][0], groups[-1][1]


def line_glyph(grey: np.ndarray, bbox: tuple[float, float, float, float]) -> bytes:
    """One line's glyph strip: 2 bytes of width, then the rows' bits (``np.packbits``), zlib'd;
    b"" when the box holds no ink."""
    h, w = grey.shape
    x0, y0, x1, y1 = bbox
    pad = GLYPH_PAD * (y1 - y0)
    px0, px1 = max(0, int(x0 * w) - 2), min(w, int(x1 * w) + 2)
    py0, py1 = max(0, int((y0 - pad) * h)), min(h, int((y1 + pad) * h) + 1)
    if px1 - px0 < 4 or py1 - py0 < 4:
        return b""
    crop = grey[py0:py1, px0:px1]
    _t, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if int(ink.sum()) < GLYPH_MIN_INK or float(ink.mean()) > 0.6:  # nothing, or a dark block
        return b""
    ink = _straightened(ink)
    # The line's rows, then its text's columns among them, then the rows again within those
    # columns (a scanner's frame beside the line is as tall as the box, and made one strip's
    # text three quarters of the other copy's height).
    mid = int(np.clip((0.5 * (y0 + y1) * h) - py0, 0, ink.shape[0] - 1))
    gap = max(2, (py1 - py0) // 12)
    lo, hi = _text_rows(ink, mid, gap)
    x0_ink, x1_ink = _text_columns(ink[lo:hi].sum(axis=0) > 0, hi - lo)
    if x1_ink <= x0_ink:
        return b""
    ink = ink[:, x0_ink:x1_ink]
    lo, hi = _text_rows(ink, mid, gap)
    ink = ink[lo:hi]
    if ink.shape[0] < 3 or int(ink.sum()) < GLYPH_MIN_INK:
        return b""
    return _packed(ink)


def _packed(ink: np.ndarray) -> bytes:
    """A line's ink (1 = ink) scaled to ``GLYPH_HEIGHT`` rows, binarised, packed, zlib'd."""
    width = min(GLYPH_MAX_WIDTH, max(1, round(ink.shape[1] * GLYPH_HEIGHT / ink.shape[0])))
    small = cv2.resize(ink.astype(np.float32), (width, GLYPH_HEIGHT), interpolation=cv2.INTER_AREA)
    bits = np.packbits(small >= 0.35, axis=1)
    # zlib level 1: a text-layer page's 20 long lines took 1 ms of its 5 to compress at
    # level 6, for 5 % smaller strips.
    return zlib.compress(width.to_bytes(2, "big") + bits.tobytes(), 1)


def glyph_strip(glyph: bytes) -> np.ndarray | None:
    """A stored line glyph as a float32 image (``GLYPH_HEIGHT`` rows, 1.0 = ink); None if none."""
    if not glyph:
        return None
    raw = zlib.decompress(glyph)
    width = int.from_bytes(raw[:2], "big")
    if len(raw) - 2 != GLYPH_HEIGHT * ((width + 7) // 8):
        return None  # a strip of another height (a store of an earlier version): none to compare
    bits = np.frombuffer(raw[2:], dtype=np.uint8).reshape(GLYPH_HEIGHT, -1)
    return np.unpackbits(bits, axis=1)[:, :width].astype(np.float32)


def line_glyphs(grey: np.ndarray, text: PageText) -> tuple[bytes, ...]:
    """The glyph strip of each of the text's spans (its lines), on ``grey`` (``glyph_page``
    of the page as delivered; turned here as the text was read)."""
    if text.rotation % 360:
        grey = np.ascontiguousarray(np.rot90(grey, k=-(text.rotation // 90)))
    long = [len(compact(s.text)) > LAYER_GLYPH_MAX_CHARS for s in text.spans]
    running = text.source == "layer" and sum(long) > LAYER_RUNNING_LINES
    return tuple(b"" if running and is_long else line_glyph(grey, s.bbox)
                 for s, is_long in zip(text.spans, long, strict=True))
