"""Clarity measurements of a page (五(一)1): sharpness, resolution, skew, contrast, crop, ink.

The check measures; it never decides. Each ``Measurement`` is a number with a unit that the
profile compares with one threshold (minor) and a second one (major), so a reviewer reads
"清晰度 38，低于 60". Names, units and how the thresholds were fitted: ``models/clarity/README.md``.

How a page is measured:

1. **Page region.** A phone photo shows a desk around the page. On a small copy the largest
   bright quadrilateral is found; if it is clearly smaller than the image it is rectified
   (perspective warp) and everything below is measured on the page alone.
2. **Analysis image.** The page region at no more than ``ANALYSIS_LONG_SIDE`` pixels on its
   long side (about 150 DPI on A4; never upsampled), so the cost per page is bounded.
3. **Ink.** The background is a local maximum filter (paper is the brightest thing near a
   stroke), so shading and tinted paper cancel; ink is what is clearly darker than it.
   Connected components of text size (not specks, not frames or photos) are "text".
4. Every measurement uses the text components only: sharpness at stroke edges, text height,
   skew of text lines, ink-vs-paper contrast, text touching an edge, ink coverage.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ..model import BBox, Measurement
from ..pages import A4_LONG_INCH, Page

log = logging.getLogger(__name__)

# --- algorithm constants (not policy: policy thresholds live in the profile) ---------------
DETECT_LONG_SIDE = 640  # page-region search: plenty to find a sheet of paper on a desk
ANALYSIS_LONG_SIDE = 1600  # ~137 DPI on A4: 10.5 pt Chinese is ~17 px high, strokes ≥ 1.5 px
MIN_PAGE_AREA = 0.20  # a bright quad smaller than this share of the photo is not "the page"
FULL_PAGE_AREA = 0.90  # a bright region larger than this is a scan: no rectification
INK_FLOOR = 22  # grey levels darker than the paper for a pixel to count as ink at all; scanner
# show-through and paper texture on the dev pages stay under ~20, faint real text over 30.
INK_RELATIVE = 0.35  # ink threshold as a share of the page's strong-ink darkness (faint pages)
MIN_MARK_PX = 6  # at ~137 DPI a 6 pt character is ≥ 9 px; scanner specks are 1–4 px
MAX_TEXT_HEIGHT = 0.08  # of the page height: taller components are frames, photos, seals
MAX_TEXT_WIDTH = 0.30  # of the page width: wider ones are rules, table lines, borders
SHARP_TEXT_PX = 22  # text height (px) at which stroke edges are judged: below ~18 px a stroke
# is 1 px wide, never reaches full darkness and reads as blur; dev body text is 20–25 px
ZOOM_SIDE = 900  # px side of the crop examined when small print needs a closer look
SOBEL_GAIN = 8.0  # a 3×3 Sobel answers 8× the per-pixel slope
DEPTH_WINDOW = 11  # px (analysis scale, text 17–35 px high, 22 when zoomed): an edge pixel's
# stroke depth is read within this window. Half a character spans a stroke and the paper
# beside it, and the whole rise of a minor-blurred edge (σ ≈ 2 px: ±2σ); 7 px cut blurred
# rises short (BLURRY pages read up to 40 % sharper), 15 px mixed in the heading's black
# (sharp table pages kept reading 32–35). Chosen on sets D/F/G's BLURRY and false pages.
SAMPLING_SIGMA = 0.85  # edge spread (px, Gaussian σ) this estimator reports for a perfectly
# sharp edge after area resampling: 0.84–0.95 on clean dev renders downscaled to analysis
SCAN_OPTICS_SIGMA = 1.0  # a scan's or photo's own softness, in ORIGINAL pixels (sensor, lens,
# JPEG): at native resolution sharp dev scans read σ 1.1–1.4 px. Both are removed in
# quadrature, so small sharp text at low resolution is LOW_RESOLUTION, not BLURRY.
SHARPNESS_CAP = 100.0  # text height / blur σ above this is "perfectly sharp"
STEP_PERCENTILE = 10.0  # ink level for the edge-step height in the sharpness estimate: the
# typical stroke, whose edges the gradient percentile measures
QUAD_INSET = 0.01  # the detected page quad is shrunk by this share so no desk sliver remains
CUT_MAX_CHAR = 3.5  # a cut character may be a heading's, up to this × the body text height
CUT_INK_RELATIVE = 0.6  # edge-cut text must be this share of the page's strong-ink darkness
EDGE_BAND = 3  # px at the analysis scale: a component this close to an edge touches it
PRINT_MARGIN_MM = 6.0  # text nearer than this to an image side was not printed there: office
# printers leave 4–5 mm blank; normal fixture pages (7 dev seeds, 962 pages) keep ≥ 8 mm,
# scans cropped through the margin read 0–3.7 mm (cut midway); a real e-invoice cut at the
# bottom reads 5.6 mm. Distances assume A4 (see measure_clarity).
SHORT_OF_A4 = 0.06  # share of an A4 side a scan must lack to count as cut short: a 4:3 frame
# is 5.7 % short of A4's long side, US letter 8.5 %, 大16开 (210×285) 4 %; fixture cuts take
# 7–20 % of one side
SHORT_MARGIN_SHIFT = 0.6  # the text block must sit off-centre toward the short side by this
# share of what is missing: a cut takes the margin of one side only (fixture cuts of the
# left/right 0.9–1.4, of the top/bottom 0.4–3.2; centred certificates at 4:3 read ≤ 0.25)
SHORT_MAX_SKEW = 2.0  # degrees: a turned scan saved with its corners filled is wider, not cut
MARGIN_INK_SHARE = 0.002  # of the text ink, beyond which the text block's extent is taken
BILEVEL_BLACK, BILEVEL_WHITE = 30, 225  # grey levels between which a pixel is grey
BILEVEL_MAX_GREY = 0.001  # share of grey pixels a black-and-white scan may have (fixture bw
# scans: 0; other scans and grey scans with text ≥ 0.4 %, seeds 9201–9202)
BILEVEL_STEP = 3
PAPER_MAX_INCH = 1.2 * 420 / 25.4  # A3's long side and a fifth: no evidence is printed larger
PLACEHOLDER_DPI = (72, 96)  # what software writes when it does not know an image's resolution
LINE_MIN_CHARS = 3  # character-size marks that make a row of ink a text line
LINE_BAND_CHARS = 8  # text heights of a line examined beyond the margin limit (left/right)
LINE_MAX_FOREIGN = 0.02  # share of a line's surroundings that may be large ink (a rule under
# a heading passes; a guilloche border or a picture around the marks does not)
MAX_SKEW = 15.0  # degrees searched either way; beyond is an orientation problem, not skew
SKEW_POINTS = 20_000  # ink pixels sampled for the projection-profile skew search
WARP_SIGMA = 0.55  # px: a photographed page is rectified by a linear-interpolating warp
# (≈ 0.41 px spread per axis at a random sub-pixel offset) and phone demosaicing adds some;
# removing it lifts the softest normal dev photos from 19.9–24.9 to the scans' range
FRAME_LINE = 0.3  # a frame or table line runs at least this share of the page across
FRAME_INSET = 0.02  # lines closer than this to the image's sides are scanner strips, not frames
FRAME_MIN_WIDTH = 0.4  # the two cut lines of one box are at least this share of the page apart
FRAME_SLANT_PX = 3  # half-size px a frame line is widened by: over the opening's 0.15 page
# length (~120 px) a line may drift 2 px, i.e. turn by ~1° (a dev scan's frame turned by the
# scanner passes; 5 px let a real photo's perspective-slanted certificate border through)
GRAIN_CROP = 700  # px side of the central crop whose paper noise is examined
GRAIN_PAPER_BAND = 2.5  # grey levels: 9×9-mean deviation from the paper level still counted as
# paper (scanner noise σ ≤ 5 averages to ≤ 0.6 there; a blurred stroke's halo is ≥ 3)
GRAIN_MIN_NOISE = 0.5  # grey levels of 3–9 px noise below which the grain cannot be judged
ENLARGED_GRAIN = 0.85  # fine/coarse paper-noise ratio under which a scan was enlarged: dev
# fixtures (3 seeds) read 0.68–0.74 on enlarged low-resolution scans, ≥ 1.05 on blurred ones,
# ≥ 0.91 on normal scans
NATIVE_SIGMA = 0.8  # edge σ of an enlarged scan's strokes per enlargement factor (working px):
# dev enlarged fixture scans (88–100 DPI content shown at 200) read 1.55–1.88 px, i.e.
# 0.7–0.9 px per factor (a sharp scan's own σ ≈ 0.6 original px plus the linear
# interpolation's u/√6 spread); normal native scans read 0.6–1.46 px at factor 1
MIN_CONTENT_DPI = 40.0  # no scan is enlarged more than this allows; softness beyond is blur


A4_SHORT_INCH = 210 / 25.4
SIDES = frozenset({"top", "bottom", "left", "right"})
_SIDE_BOX: dict[str, BBox] = {"top": (0.0, 0.0, 1.0, 0.05), "bottom": (0.0, 0.95, 1.0, 1.0),
                              "left": (0.0, 0.0, 0.05, 1.0), "right": (0.95, 0.0, 1.0, 1.0)}
PAGE_EDGE_STEP = 25.0  # grey levels: paper minus desk across a true page side (dev photos ≥ 60)
BORDER_NEAR = 0.015  # a quad side this close (share of the image) to the image edge meets it


@dataclass(frozen=True)
class _Region:
    """The page inside the image: a quad in working-image pixels (None = the whole image)."""

    quad: np.ndarray | None  # (4, 2) float32, clockwise from top-left
    bbox: BBox
    open_sides: frozenset[str] = SIDES  # page sides that meet the image edge


@dataclass(frozen=True)
class _Ink:
    """Ink found on the analysis image of the page region."""

    gray: np.ndarray  # analysis image, uint8
    mask: np.ndarray  # bool, pixels of text components
    stats: np.ndarray  # (n, 5) x, y, w, h, area of the text components
    paper: float  # median paper luminance
    threshold: float  # darkness (levels under the paper) that made a pixel ink
    dark: np.ndarray  # uint8, levels under the local paper
    strong: float  # darkness of typical strong ink (90th percentile of ink darkness)


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]],
                    dtype=np.float32)


def _bright_quad(small: np.ndarray, threshold: float) -> np.ndarray | None:
    """The largest region brighter than ``threshold`` as a quad (small-image pixels)."""
    raw = (small > threshold).astype(np.uint8) * 255
    # Close the text so the page is one blob; open to cut thin bright bridges to the desk.
    k = max(3, round(max(small.shape) / 80))
    closed = cv2.morphologyEx(raw, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    bright = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c) / float(small.shape[0] * small.shape[1])
    if area < MIN_PAGE_AREA or area > FULL_PAGE_AREA:
        return None
    hull = cv2.convexHull(c)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.04, 0.06, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return _order_corners(approx.reshape(4, 2).astype(np.float32))
    return _order_corners(cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32))


def _sides_are_edges(small: np.ndarray, quad: np.ndarray) -> bool:
    """Is every quad side (not on the image border) a step from page to darker desk?

    Uneven light splits one sheet into a lit and a shaded part, and the lit part alone is a
    fine bright quad; its false side has page on both sides. Patches just inside and just
    outside each side are compared (median over positions along the side).
    """
    h, w = small.shape
    d = max(3.0, 0.02 * max(h, w))
    centre = quad.mean(axis=0)
    open_sides = _sides_at_border(quad, w, h)
    names = ("top", "right", "bottom", "left")
    for i, name in enumerate(names):
        if name in open_sides:
            continue
        a, b = quad[i], quad[(i + 1) % 4]
        along = b - a
        normal = np.array([along[1], -along[0]], dtype=np.float32)
        normal /= max(float(np.linalg.norm(normal)), 1e-6)
        if float(np.dot((a + b) / 2 - centre, normal)) < 0:
            normal = -normal  # point outward
        steps = []
        for t in np.linspace(0.15, 0.85, 9):
            p = a + t * along
            pin, pout = p - d * normal, p + d * normal
            if not (0 <= pout[0] < w and 0 <= pout[1] < h):
                continue
            steps.append(float(small[int(pin[1]), int(pin[0])])
                         - float(small[int(pout[1]), int(pout[0])]))
        if steps and float(np.median(steps)) < PAGE_EDGE_STEP:
            return False
    return True


def find_page_region(gray: np.ndarray) -> _Region:
    """The sheet of paper in a photo: the largest bright quadrilateral (or the whole image).

    Thresholds are tried from Otsu's downward (a shaded half of the sheet is darker than the
    lit half but still brighter than the desk); the first quad whose every side is a real
    page-to-desk step wins. No such quad: the whole image is the page (a scan).
    """
    h, w = gray.shape
    f = min(1.0, DETECT_LONG_SIDE / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))),
                       interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    otsu, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    found = None
    for share in (1.0, 0.8, 0.6):
        q = _bright_quad(small, otsu * share)
        if q is not None and _sides_are_edges(small, q):
            found = q
            break
    if found is None:
        return _Region(None, (0.0, 0.0, 1.0, 1.0))
    quad = found / f
    open_sides = _sides_at_border(quad, w, h)
    if len(open_sides) > 2:
        # A sheet on a desk shows desk along at least two sides. A bright area bounded by
        # one dark band (a journal cover's coloured header, a scanner lid strip) is a scan.
        return _Region(None, (0.0, 0.0, 1.0, 1.0))
    centre = quad.mean(axis=0)
    outer = quad
    quad = centre + (quad - centre) * (1.0 - 2 * QUAD_INSET)
    # Only sides lying on the desk are pulled in; a side on the image border keeps every row
    # (a line cut there by the photo's frame is what CROPPED looks for).
    for side, corners, axis in (("top", (0, 1), 1), ("bottom", (2, 3), 1),
                                ("left", (0, 3), 0), ("right", (1, 2), 0)):
        if side in open_sides:
            for c in corners:
                quad[c, axis] = outer[c, axis]
    quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return _Region(quad, (float(x0 / w), float(y0 / h), float(x1 / w), float(y1 / h)),
                   open_sides)


def _sides_at_border(quad: np.ndarray, w: int, h: int) -> frozenset[str]:
    """Sides of the page quad (tl, tr, br, bl) lying along the image border."""
    mx, my = BORDER_NEAR * w, BORDER_NEAR * h
    tl, tr, br, bl = quad
    out = set()
    if tl[1] <= my and tr[1] <= my:
        out.add("top")
    if bl[1] >= h - 1 - my and br[1] >= h - 1 - my:
        out.add("bottom")
    if tl[0] <= mx and bl[0] <= mx:
        out.add("left")
    if tr[0] >= w - 1 - mx and br[0] >= w - 1 - mx:
        out.add("right")
    return frozenset(out)


def quad_rotation(quad: np.ndarray) -> float:
    """Clockwise turn (degrees) of a page quad (tl, tr, br, bl): the mean of its four sides'
    deviations from the axes, so perspective (which tilts opposite sides oppositely) cancels."""
    tl, tr, br, bl = (quad[i].astype(np.float64) for i in range(4))
    angles = [
        math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0])),
        math.degrees(math.atan2(br[1] - bl[1], br[0] - bl[0])),
        math.degrees(math.atan2(-(bl[0] - tl[0]), bl[1] - tl[1])),
        math.degrees(math.atan2(-(br[0] - tr[0]), br[1] - tr[1])),
    ]
    return float(np.mean(angles))


def _analysis_image(gray: np.ndarray, region: _Region) -> tuple[np.ndarray, float]:
    """The page region at the analysis scale, and analysis pixels per working pixel."""
    h, w = gray.shape
    if region.quad is None:
        f = min(1.0, ANALYSIS_LONG_SIDE / max(h, w))
        if f == 1.0:
            return gray, 1.0
        out = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))),
                         interpolation=cv2.INTER_AREA)
        return out, f
    q = region.quad
    pw = float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])))
    ph = float(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])))
    f = min(1.0, ANALYSIS_LONG_SIDE / max(pw, ph))
    # Area-downscale first, then warp at about unit scale: a perspective warp that also
    # shrinks aliases strokes, which would read as "sharp" noise.
    if f < 1.0:
        gray = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))),
                          interpolation=cv2.INTER_AREA)
        q = q * f
    ow, oh = max(8, round(pw * f)), max(8, round(ph * f))
    dst = np.array([[0, 0], [ow - 1, 0], [ow - 1, oh - 1], [0, oh - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    out = cv2.warpPerspective(gray, m, (ow, oh), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
    return out, f


def _percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (linear interpolation), by partial sort: 5× faster on the
    100 000s of stroke pixels of a page; uint8 values go through a 256-bin histogram."""
    n = values.size
    pos = q / 100.0 * (n - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    if values.dtype == np.uint8:
        cum = np.cumsum(np.bincount(values.ravel(), minlength=256))
        a, b = float(np.searchsorted(cum, lo + 1)), float(np.searchsorted(cum, hi + 1))
    else:
        part = np.partition(values.ravel(), (lo, hi))
        a, b = float(part[lo]), float(part[hi])
    return a + (b - a) * (pos - lo)


def rectified_sheet(gray: np.ndarray) -> np.ndarray:
    """The sheet of paper in ``gray``: perspective-corrected (≤ ``ANALYSIS_LONG_SIDE`` px) for
    a photo on a desk, the image itself for a scan."""
    region = find_page_region(gray)
    return gray if region.quad is None else _analysis_image(gray, region)[0]


def find_ink(gray: np.ndarray, exclude: np.ndarray | None = None) -> _Ink:
    """Text-size ink components of an analysis image (``exclude``: pixels not to consider)."""
    h, w = gray.shape
    # Paper: local maximum over ~1/40 of the page (wider than any stroke), smoothed.
    sh, sw = max(1, h // 4), max(1, w // 4)
    small = cv2.resize(gray, (sw, sh), interpolation=cv2.INTER_AREA)
    k = max(3, round(max(sh, sw) / 60)) | 1
    paper_small = cv2.dilate(small, np.ones((k, k), np.uint8))
    paper_small = cv2.blur(paper_small, (k, k))
    paper = cv2.resize(paper_small, (w, h), interpolation=cv2.INTER_LINEAR)
    dark = cv2.subtract(paper, gray)  # uint8, saturating: how much darker than the paper
    if exclude is not None:
        dark[exclude] = 0
    candidates = dark[dark > INK_FLOOR]
    strong = _percentile(candidates, 90) if candidates.size > 50 else 0.0
    threshold = max(float(INK_FLOOR), INK_RELATIVE * strong)
    raw = (dark > threshold).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(raw, connectivity=8)
    cw, ch, area = stats[:, 2], stats[:, 3], stats[:, 4]
    keep = ((np.maximum(cw, ch) >= MIN_MARK_PX) & (area >= MIN_MARK_PX + 4)
            & (ch <= MAX_TEXT_HEIGHT * h) & (cw <= MAX_TEXT_WIDTH * w))
    keep[0] = False
    mask = keep[labels]
    paper_level = float(np.median(paper))
    return _Ink(gray, mask, stats[keep], paper_level, threshold, dark, strong)


def text_height(stats: np.ndarray) -> float | None:
    """Typical character height (px): the 75th percentile of text-component heights.

    Chinese characters split into several components (明 = 日 + 月, 三 = three strokes); the
    upper quartile is the full-height ones. Measured on the dev renders it is 0.9–1.0 × the
    font's em height for Chinese body text.
    """
    hs = stats[:, 3][stats[:, 3] >= MIN_MARK_PX // 2]
    if hs.size < 8:
        return None
    return float(np.percentile(hs, 75))


def skew_angle(mask: np.ndarray) -> float | None:
    """Text-line angle from the nearest axis (degrees) by projection profile.

    Both families are searched: lines near horizontal and near vertical (a page photographed
    turned by 90°, or vertical writing), so a turned page is not "skewed" by 90°; turning it
    upright is the OCR stage's business. The sharpest profile wins.
    """
    found = skew_search(mask)
    return None if found is None else found[0]


def skew_search(mask: np.ndarray) -> tuple[float, bool] | None:
    """``skew_angle`` and whether the text lines run vertically in the image."""
    ys, xs = np.nonzero(mask)
    if xs.size < 200:
        return None
    if xs.size > SKEW_POINTS:
        pick = np.random.default_rng(0).choice(xs.size, SKEW_POINTS, replace=False)
        xs, ys = xs[pick], ys[pick]
    x = xs.astype(np.float32) - xs.mean()
    y = ys.astype(np.float32) - ys.mean()
    span = 2 * int(math.hypot(mask.shape[0], mask.shape[1])) + 4  # centred on the ink mean

    def score(deg: float) -> float:
        t = math.radians(deg)
        r = np.round(y * math.cos(t) + x * math.sin(t)).astype(np.int32) + span // 2
        hist = np.bincount(r, minlength=span).astype(np.float64)
        return float((hist * hist).sum())

    around = np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)
    coarse = np.concatenate([around, around + 90.0])
    best = float(coarse[np.argmax([score(a) for a in coarse])])
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    best = float(fine[np.argmax([score(a) for a in fine])])
    return (best - 90.0, True) if best > 45.0 else (best, False)


def contrast_levels(ink: _Ink, percentile: float = 0.5) -> float | None:
    """Paper luminance minus ink luminance (grey levels, 0–255) over the text.

    The ink level is a low percentile of the text pixels: the cores of strokes and their
    crossings, which stay dark on a soft page, so blur moves this number less than it moves
    the mean stroke darkness (blur is BLURRY's business, not LOW_CONTRAST's).
    """
    if ink.mask.sum() < 50:
        return None
    ink_level = _percentile(ink.gray[ink.mask], percentile)
    return max(0.0, ink.paper - ink_level)


def page_contrast(ink: _Ink) -> float | None:
    """Contrast as a reader sees it (grey levels): ink-to-paper difference, weighted by
    √(paper / 255) so a page scanned too dark (grey paper, black ink) reads low too.

    A dark page keeps a large paper-to-ink difference (paper at 110, ink at 0) yet is hard to
    read; the square root makes a page at 45 % brightness count like one whose ink is
    two-thirds as dark, and leaves normal pages (paper ≥ 200: factor ≥ 0.89) almost alone.
    """
    levels = contrast_levels(ink)
    if levels is None:
        return None
    return levels * math.sqrt(min(1.0, max(ink.paper, 0.0) / 255.0))


def edge_sigma(ink: _Ink, contrast: float) -> float | None:
    """Gaussian blur σ (px of ``ink.gray``) of the text's stroke edges, worst direction.

    For a step edge of depth C blurred by a Gaussian σ the steepest slope is
    C / (σ√(2π)), so σ = C / (√(2π)·slope). C is each edge pixel's own depth (local paper
    minus local ink within ``DEPTH_WINDOW``, at most the page's ``contrast``), not the page's
    darkest ink: a thin or light stroke (a table's small serif figures, a phone photo's print
    after demosaicing and JPEG) never reaches the heading's black, and measured against it its
    gentler slope read as blur (sets D/F/G: three sharp table pages read 16.9–23.9). Per
    direction the 5th percentile of the per-pixel σ is taken (the steepest edges, as the 95th
    percentile of the slope was); the worst direction wins (motion blur smears one direction).
    """
    if contrast < INK_FLOOR:
        return None
    # 16-bit Sobel straight from uint8 (a 3×3 Sobel of 8-bit values stays within ±1020).
    gx16 = cv2.Sobel(ink.gray, cv2.CV_16S, 1, 0, ksize=3)
    gy16 = cv2.Sobel(ink.gray, cv2.CV_16S, 0, 1, ksize=3)
    near = cv2.dilate(ink.mask.astype(np.uint8), np.ones((3, 3), np.uint8))
    at = np.flatnonzero(near)
    if at.size < 100:
        return None
    at = at[::2]  # every other edge pixel: same percentile, half cost
    window = np.ones((DEPTH_WINDOW, DEPTH_WINDOW), np.uint8)
    local_ink = cv2.erode(ink.gray, window).ravel()[at].astype(np.float32)
    local_paper = cv2.dilate(ink.gray, window).ravel()[at].astype(np.float32)
    depth = np.minimum(local_paper - local_ink, contrast) / math.sqrt(2 * math.pi)
    gx = gx16.ravel()[at].astype(np.float32)
    gy = gy16.ravel()[at].astype(np.float32)
    worst = 0.0
    diagonal = 1 / math.sqrt(2)
    for d in (np.abs(gx), np.abs(gy), np.abs(gx + gy) * diagonal, np.abs(gx - gy) * diagonal):
        sigmas = depth / np.maximum(d / SOBEL_GAIN, 1e-3)
        worst = max(worst, _percentile(sigmas, 5))
    return worst


def sharpness(ink: _Ink, height: float, contrast: float, orig_per_px: float = 2.0) -> float | None:
    """Text height over the blur of the stroke edges (dimensionless; 100 = perfectly sharp).

    The edge σ (``edge_sigma``) less the sampling floor of a sharp page (removed in
    quadrature), relative to the text height (``orig_per_px``: original pixels per analysis
    pixel, to scale the scan's own softness), so small sharp text is not "blurry" and large
    text with wide margins is judged on its strokes, not the blank paper.
    """
    if height <= 0:
        return None
    worst = edge_sigma(ink, contrast)
    if worst is None:
        return None
    return _sharpness_from_sigma(worst, height, orig_per_px)


def _sharpness_from_sigma(worst: float, height: float, orig_per_px: float,
                          extra_floor: float = 0.0) -> float:
    floor2 = (SAMPLING_SIGMA**2 + (SCAN_OPTICS_SIGMA / max(orig_per_px, 1.0)) ** 2
              + extra_floor**2)
    blur = math.sqrt(max(worst * worst - floor2, 0.0))
    return min(SHARPNESS_CAP, height / max(blur, 1e-6))


def paper_grain(gray: np.ndarray) -> float | None:
    """Fine-to-coarse ratio of the paper's noise on a central crop at working resolution.

    Sensor noise is added after the optics, so a blurred scan or photo still has pixel-level
    grain (ratio ≥ 1: the 1-px band carries as much as the 3–9 px band). A page scanned at
    low resolution and then enlarged carries its noise enlarged too: the grain is several
    pixels wide and the ratio drops under 1. None when the paper is too clean to tell (1-bit
    scans, very quiet scanners).
    """
    h, w = gray.shape
    y0, x0 = max(0, (h - GRAIN_CROP) // 2), max(0, (w - GRAIN_CROP) // 2)
    g = gray[y0:y0 + GRAIN_CROP, x0:x0 + GRAIN_CROP].astype(np.float32)
    b3 = cv2.blur(g, (3, 3))
    b9 = cv2.blur(g, (9, 9))
    paper = cv2.dilate(g, np.ones((15, 15), np.uint8))
    ink = ((paper - g) > 12).astype(np.uint8)
    far = cv2.dilate(ink, np.ones((21, 21), np.uint8)) == 0
    if far.sum() < 2000:
        return None
    # Blank paper only: the faint halo of a blurred stroke is smooth "noise" of its own.
    level = float(np.median(b9[far]))
    far &= np.abs(b9 - level) < GRAIN_PAPER_BAND
    if far.sum() < 2000:
        return None
    fine = float(np.std((g - b3)[far]))
    coarse = float(np.std((b3 - b9)[far]))
    if coarse < GRAIN_MIN_NOISE:
        return None
    return fine / coarse


def edge_cut(ink: _Ink, height: float | None,
             open_sides: frozenset[str] = SIDES) -> tuple[float, BBox | None]:
    """Share (%) of the worst page side along which cut text lines touch the edge.

    A component touching an edge counts only when it looks like part of a cut text line:
    its extent along the edge is character-like and a character-size neighbour continues
    the line (inward for the left/right sides; along the edge for top/bottom, where a cut
    line leaves a row of half characters). A certificate's decorative frame, a ruled border
    or a scanner's dark strip touch edges too, but not as rows of characters.
    ``open_sides``: sides where the page meets the image edge (a photographed sheet lying
    wholly inside the photo cannot have lost content at its edges).
    """
    h, w = ink.gray.shape
    if not len(ink.stats) or height is None or not open_sides:
        return 0.0, None
    # Printed text is the darkest ink on a page; guilloche, paper texture and faint frames
    # are lighter. Only the strong ink, in a band along each side, is examined.
    strict = (ink.dark > max(float(INK_FLOOR), CUT_INK_RELATIVE * ink.strong)).astype(np.uint8)
    band = int(min(4 * height + EDGE_BAND, min(h, w) / 3))
    best, where = 0.0, None
    for side in sorted(open_sides):
        if side == "top":
            sub, ox, oy = strict[:band], 0, 0
        elif side == "bottom":
            sub, ox, oy = strict[h - band:], 0, h - band
        elif side == "left":
            sub, ox, oy = strict[:, :band], 0, 0
        else:
            sub, ox, oy = strict[:, w - band:], w - band, 0
        _, _, st, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
        st = st[1:].astype(np.int64)
        x, y, cw, ch = st[:, 0] + ox, st[:, 1] + oy, st[:, 2], st[:, 3]
        # Character-size: body text up to headings (titles run to ~3× the body height).
        charlike = ((ch >= 0.4 * height) & (ch <= CUT_MAX_CHAR * height)
                    & (cw >= 0.25 * height) & (cw <= CUT_MAX_CHAR * height))
        if side in ("left", "right"):
            touch = x <= EDGE_BAND if side == "left" else x + cw >= w - EDGE_BAND
            along0, along_len, size = y, ch, h
            across0, across1 = x, x + cw
        else:
            touch = y <= EDGE_BAND if side == "top" else y + ch >= h - EDGE_BAND
            along0, along_len, size = x, cw, w
            across0, across1 = y, y + ch
        # A cut character keeps some depth across the edge (a rule or dash is a few px thin);
        # on the left/right a sliver may be thin, its inward neighbour carries the evidence.
        deep = (across1 - across0) >= (0.25 * height if side in ("top", "bottom") else 0)
        touch = touch & deep
        cand = np.nonzero(touch & (along_len >= 0.3 * height)
                          & (along_len <= CUT_MAX_CHAR * height))[0]
        covered = np.zeros(size, dtype=bool)
        for i in cand:
            a0, a1 = along0[i], along0[i] + along_len[i]
            if side in ("left", "right"):
                overlap = np.minimum(a1, along0 + along_len) - np.maximum(a0, along0)
                gap = np.where(side == "left", across0 - across1[i], across0[i] - across1)
                ok = charlike & (overlap >= 0.5 * np.minimum(along_len, along_len[i])) \
                    & (gap >= 0) & (gap <= 1.5 * max(height, along_len[i]))
            else:
                gap = np.maximum(along0 - a1, a0 - (along0 + along_len))
                ok = touch & (gap >= 0) & (gap <= 1.2 * max(height, along_len[i])) \
                    & (along_len >= 0.3 * height) & (along_len <= CUT_MAX_CHAR * height)
            ok[i] = False
            if ok.any():
                covered[a0:a1] = True
        share = 100.0 * covered.sum() / size
        if share > best:
            best, where = share, _SIDE_BOX[side]
    return best, where


def text_lines(dark: np.ndarray, strong: float, height: float) -> np.ndarray:
    """Boxes (x, y, w, h) of horizontal text lines of strong ink, in analysis pixels.

    ``dark``: levels under the paper (``_Ink.dark``, or its transpose for a page turned by
    90°); ``strong``: the page's strong-ink darkness. Every strong-ink mark up to heading
    size joins its line (a closing along the line by one text height bridges the gaps
    between characters), so a line's extent includes its punctuation and the slivers of
    characters an edge has cut. A line counts only if it holds at least ``LINE_MIN_CHARS``
    character-size marks (a row of specks is no line) and lies on clear paper: marks that
    sit among large ink (a guilloche border, a photo, a table's rules) are pieces of that.
    """
    strict = (dark > max(float(INK_FLOOR), CUT_INK_RELATIVE * strong)).astype(np.uint8)
    _, labels, st, _ = cv2.connectedComponentsWithStats(strict, connectivity=8)
    cw, ch, area = st[:, 2], st[:, 3], st[:, 4]
    limit = CUT_MAX_CHAR * height
    small = (ch <= limit) & (cw <= limit) & (area >= 2)
    small[0] = False
    big = (ch > limit) | (cw > limit)
    big[0] = False
    char = small & (ch >= 0.4 * height) & (np.maximum(cw, ch) >= MIN_MARK_PX)
    marks = small[labels].astype(np.uint8)
    k = max(3, round(height))
    joined = cv2.morphologyEx(marks, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))
    _, line_of, lst, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    # Character count per line: each character's centre pixel names its line.
    cx = (st[char, 0] + st[char, 2] // 2).astype(np.intp)
    cy = (st[char, 1] + st[char, 3] // 2).astype(np.intp)
    counts = np.bincount(line_of[cy, cx], minlength=len(lst))
    ok = ((counts >= LINE_MIN_CHARS) & (lst[:, 3] >= 0.5 * height)
          & (lst[:, 3] <= CUT_MAX_CHAR * height))
    ok[0] = False
    lines = lst[ok, :4].astype(np.int64)
    if not len(lines) or not big.any():
        return lines
    # Large ink inside a line's box grown by half a text height: not a line on clear paper.
    total = cv2.integral(big[labels].astype(np.uint8))
    hh, ww = strict.shape
    g = round(height / 2)
    x0 = np.clip(lines[:, 0] - g, 0, ww)
    y0 = np.clip(lines[:, 1] - g, 0, hh)
    x1 = np.clip(lines[:, 0] + lines[:, 2] + g, 0, ww)
    y1 = np.clip(lines[:, 1] + lines[:, 3] + g, 0, hh)
    inside = total[y1, x1] - total[y0, x1] - total[y1, x0] + total[y0, x0]
    area_box = np.maximum(1, (x1 - x0) * (y1 - y0))
    return lines[inside / area_box <= LINE_MAX_FOREIGN]


_TRANSPOSED = {"top": "left", "left": "top", "bottom": "right", "right": "bottom"}


def near_edge_lines(ink: _Ink, height: float | None, open_sides: frozenset[str],
                    mm_per_px: float, vertical: bool = False) -> tuple[float, BBox | None]:
    """Share (%) of a side along which text lines come closer to it than any printer prints.

    Printers leave 4–5 mm of every sheet blank and documents keep far more (fixture pages
    ≥ 8 mm; 公文 20 mm and over): a text line nearer than ``PRINT_MARGIN_MM`` to an image
    side means the side is not the paper's edge, the margin (and perhaps more) was cut
    away. Along the top and bottom the share is the lines' width; along the left and right
    each line counts with one text height above and below it (its line pitch), so two or
    more lines of a block are needed before a left/right cut counts. ``vertical``: the
    text runs top to bottom in the image (a page photographed turned by 90°).
    """
    if height is None or not open_sides or mm_per_px <= 0:
        return 0.0, None
    dark = ink.dark.T if vertical else ink.dark
    sides = frozenset(_TRANSPOSED[x] for x in open_sides) if vertical else open_sides
    h, w = dark.shape
    limit = PRINT_MARGIN_MM / mm_per_px
    pad = round(height)
    # Lines are looked for in a band along each side only (a third of the cost of the whole
    # page): deep enough for a heading-size line starting at the limit, and on the left and
    # right wide enough for a few characters of each line.
    deep = int(limit + (CUT_MAX_CHAR + 1) * height)
    wide = int(limit + LINE_BAND_CHARS * height)
    strong_ink = max(float(INK_FLOOR), CUT_INK_RELATIVE * ink.strong)
    edge = max(1, int(limit))
    best, where = 0.0, None
    for side in sorted(sides):
        margin = {"top": dark[:edge], "bottom": dark[h - edge:], "left": dark[:, :edge],
                  "right": dark[:, w - edge:]}[side]
        if not (margin > strong_ink).any():
            continue  # a clear margin (every normal page): no line to look for
        if side in ("top", "bottom"):
            d = min(deep, h // 2)
            band = dark[:d] if side == "top" else dark[h - d:]
        else:
            d = min(wide, w // 2)
            band = dark[:, :d] if side == "left" else dark[:, w - d:]
        lines = text_lines(band, ink.strong, height)
        if not len(lines):
            continue
        x, y, lw, lh = lines[:, 0], lines[:, 1], lines[:, 2], lines[:, 3]
        gap = {"top": y, "bottom": d - (y + lh), "left": x, "right": d - (x + lw)}[side]
        near = np.nonzero(gap < limit)[0]
        if not near.size:
            continue
        if side in ("top", "bottom"):
            covered = np.zeros(w, dtype=bool)
            for i in near:
                covered[x[i]:x[i] + lw[i]] = True
        else:
            covered = np.zeros(h, dtype=bool)
            for i in near:
                covered[max(0, y[i] - pad):y[i] + lh[i] + pad] = True
        share = 100.0 * float(covered.mean())
        if share > best:
            best, where = share, _SIDE_BOX[_TRANSPOSED[side] if vertical else side]
    return best, where


def cut_frame(ink: _Ink, open_sides: frozenset[str] = SIDES) -> tuple[float, BBox | None]:
    """Share (%) of a side along which a frame or ruled box has lost its side to the edge.

    A certificate's frame or a table is closed: its lines perpendicular to a side end at the
    line along that side, inside the page. When the image edge has cut the box, two long
    perpendicular lines run into the edge and nothing joins them; the share is the span
    between them (the missing part of the box's side). Lines hugging the image's other edges
    (scanner strips, the desk) are not frame sides.
    """
    if not open_sides:
        return 0.0, None
    # Lines are found on a half-size mask (any ink in a 2×2 block): a frame line survives,
    # and the long morphological openings cost a quarter.
    raw = (ink.dark > ink.threshold).astype(np.uint8) * 255
    hh, ww = raw.shape
    raw = (cv2.resize(raw, (max(1, ww // 2), max(1, hh // 2)), interpolation=cv2.INTER_AREA)
           > 0).astype(np.uint8)
    h, w = raw.shape
    band = max(1, EDGE_BAND // 2)
    lines_of: dict[bool, np.ndarray] = {}  # component stats per direction: top/bottom share one
    best, where = 0.0, None
    for side in sorted(open_sides):
        vertical = side in ("top", "bottom")
        length = h if vertical else w
        across = w if vertical else h
        if vertical not in lines_of:
            k = max(5, int(FRAME_LINE * length / 2))
            kernel = np.ones((k, 1) if vertical else (1, k), np.uint8)
            # Widened across first, so a line of a page scanned a little turned (the scanner
            # lid leaves ±1.5°) still runs unbroken through the opening's long kernel.
            widen = np.ones((1, FRAME_SLANT_PX) if vertical else (FRAME_SLANT_PX, 1), np.uint8)
            opened = cv2.morphologyEx(cv2.dilate(raw, widen), cv2.MORPH_OPEN, kernel)
            lines_of[vertical] = cv2.connectedComponentsWithStats(opened, connectivity=8)[2][1:]
        st = lines_of[vertical]
        if vertical:
            pos, start, span = st[:, 0] + st[:, 2] / 2, st[:, 1], st[:, 3]
        else:
            pos, start, span = st[:, 1] + st[:, 3] / 2, st[:, 0], st[:, 2]
        end = start + span
        touch = (start <= band) if side in ("top", "left") else (end >= length - band)
        inner = (pos > FRAME_INSET * across) & (pos < (1 - FRAME_INSET) * across)
        cand = np.sort(pos[touch & inner & (span >= FRAME_LINE * length)])
        if cand.size < 2 or cand[-1] - cand[0] < FRAME_MIN_WIDTH * across:
            continue
        share = 100.0 * float(cand[-1] - cand[0]) / across
        if share > best:
            best, where = share, _SIDE_BOX[side]
    return best, where


def off_frame(region: _Region) -> tuple[float, BBox | None]:
    """Share (%) of a photographed sheet that lies beyond the photo's frame.

    A sheet whose other sides lie on the desk but which runs off the image on one side has
    lost what lies beyond that side (a scan or a full-frame photo never gets here: there
    the page region is the whole image). The lost share is read from the sheet's visible
    proportions against A4 (portrait or landscape, whichever the visible part fits): the
    dimension across the open side is short of √2 (or 1/√2) times the other one.
    """
    if region.quad is None or not region.open_sides or len(region.open_sides) > 1:
        return 0.0, None
    q = region.quad
    width = float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    height = float(np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    side = next(iter(region.open_sides))
    across, along = (height, width) if side in ("top", "bottom") else (width, height)
    ratio = across / max(along, 1e-6)
    a4 = A4_LONG_INCH / A4_SHORT_INCH
    expected = next((r for r in (1 / a4, a4) if r >= ratio), None)
    if expected is None:
        return 0.0, None
    return 100.0 * (1.0 - ratio / expected), _SIDE_BOX[side]


def short_of_a4(mask: np.ndarray) -> tuple[float, BBox | None]:
    """Share (%) of the page a scan lacks on one side, from its proportions and margins.

    A scan (no desk around the sheet: the image is the page) of an A4 page keeps A4's
    proportions; one whose image is short of them by ``SHORT_OF_A4`` or more in one
    dimension is A4 with a strip cut away, or a page of another size. A cut takes the margin
    of one side: the text block then sits off-centre toward that side, by about what is
    missing (distances in mm from the intact dimension taken as A4's). A page of another
    size (a certificate at 4:3, a landscape e-invoice) keeps its text block centred, or its
    margins are narrower than what it lacks; it is not reported. The share is the missing
    part of the cut dimension, as ``off_frame`` gives it for a photographed sheet.
    ``mask``: the text ink of the scan's analysis image.
    """
    h, w = mask.shape
    portrait = h >= w
    long_px, short_px = (h, w) if portrait else (w, h)
    ratio = long_px / max(short_px, 1)
    a4 = A4_LONG_INCH / A4_SHORT_INCH
    if ratio > a4:  # too narrow: the long side is whole, the short one was cut
        missing = 1.0 - a4 / ratio
        cut_across_x = portrait
    else:  # too short: the short side is whole, the long one was cut
        missing = 1.0 - ratio / a4
        cut_across_x = not portrait
    if missing < SHORT_OF_A4:
        return 0.0, None
    profile = mask.sum(axis=0 if cut_across_x else 1).astype(np.int64)
    total = int(profile.sum())
    if total < 200:
        return 0.0, None
    cum = np.cumsum(profile)
    n = profile.size
    first = int(np.searchsorted(cum, MARGIN_INK_SHARE * total))
    last = int(np.searchsorted(cum, (1.0 - MARGIN_INK_SHARE) * total))
    before, after = first, n - 1 - last  # margins (px) on either side of the cut dimension
    lost_px = missing / (1.0 - missing) * n  # the missing strip, in the same pixels
    if abs(after - before) < SHORT_MARGIN_SHIFT * lost_px:
        return 0.0, None
    near_first = before < after
    side = ("left" if near_first else "right") if cut_across_x else \
        ("top" if near_first else "bottom")
    return 100.0 * missing, _SIDE_BOX[side]


def is_bilevel(gray: np.ndarray) -> bool:
    """A black-and-white image (a 1-bit scan): hardly any pixel between black and white
    (sampled every ``BILEVEL_STEP`` px; a grey scan's stroke rims alone are ~1 % of it)."""
    sample = gray[::BILEVEL_STEP, ::BILEVEL_STEP]
    mid = np.count_nonzero((sample > BILEVEL_BLACK) & (sample < BILEVEL_WHITE))
    return bool(mid <= BILEVEL_MAX_GREY * sample.size)


def _zoom_target(ink: _Ink, f: float, height: float) -> tuple[float, float, float] | None:
    """(scale, x, y) of a close look at small print: the crop scale (crop pixels per working
    pixel) that makes text SHARP_TEXT_PX high, and the text's centre in analysis pixels; None
    when the analysis image is already close enough or holds too little ink."""
    scale = min(1.0, f * SHARP_TEXT_PX / height)
    if scale <= f * 1.2:
        return None
    ys, xs = np.nonzero(ink.mask)
    if xs.size < 100:
        return None
    return scale, float(np.median(xs)), float(np.median(ys))


def _crop_ink(crop: np.ndarray, scale: float) -> tuple[_Ink, float, float] | None:
    """The zoomed crop's ink, its text height and its scale (None: no text measured)."""
    zoomed = find_ink(crop)
    zh = text_height(zoomed.stats)
    return None if zh is None else (zoomed, zh, scale)


def _zoomed_ink(gray: np.ndarray, ink: _Ink, f: float,
               height: float) -> tuple[_Ink, float, float] | None:
    """Ink of a crop around the text's centre, re-sampled so text is SHARP_TEXT_PX high.

    Returns the crop's ink, its text height and its scale (crop pixels per working pixel).
    """
    target = _zoom_target(ink, f, height)
    if target is None:
        return None
    scale, mx, my = target
    cx, cy = mx / f, my / f  # working pixels
    half = ZOOM_SIDE / scale / 2
    h, w = gray.shape
    x0, x1 = int(max(0, cx - half)), int(min(w, cx + half))
    y0, y1 = int(max(0, cy - half)), int(min(h, cy + half))
    crop = gray[y0:y1, x0:x1]
    if scale < 1.0:
        crop = cv2.resize(crop, (max(8, round(crop.shape[1] * scale)),
                                 max(8, round(crop.shape[0] * scale))),
                          interpolation=cv2.INTER_AREA)
    return _crop_ink(crop, scale)


def _zoomed_sheet_ink(gray: np.ndarray, quad: np.ndarray, ink: _Ink, f: float,
                      height: float) -> tuple[_Ink, float, float] | None:
    """A photo's ``_zoomed_ink``: the sheet rectified again around the text's centre, at a
    scale where text is SHARP_TEXT_PX high (area-downscaled first, then warped at unit scale,
    as ``_analysis_image`` does). Returns the crop's ink, its text height and its scale."""
    target = _zoom_target(ink, f, height)
    if target is None:
        return None
    scale, mx, my = target
    h, w = gray.shape
    q = quad
    if scale < 1.0:
        gray = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                          interpolation=cv2.INTER_AREA)
        q = quad * scale
    # Sheet coordinates at this scale: the analysis image's ×(scale / f).
    pw = float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])))
    ph = float(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])))
    ah, aw = ink.gray.shape
    sx, sy = pw / aw, ph / ah
    cx, cy = mx * sx, my * sy
    x0 = int(min(max(0.0, cx - ZOOM_SIDE / 2), max(0.0, pw - ZOOM_SIDE)))
    y0 = int(min(max(0.0, cy - ZOOM_SIDE / 2), max(0.0, ph - ZOOM_SIDE)))
    ow, oh = int(min(ZOOM_SIDE, pw)), int(min(ZOOM_SIDE, ph))
    dst = np.array([[-x0, -y0], [pw - 1 - x0, -y0], [pw - 1 - x0, ph - 1 - y0],
                    [-x0, ph - 1 - y0]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    crop = cv2.warpPerspective(gray, m, (ow, oh), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    return _crop_ink(crop, scale)


def _text_layer_mask(page: Page, shape: tuple[int, int], region: _Region) -> np.ndarray | None:
    """Pixels of vector text (from the PDF text layer): not part of an embedded scan."""
    if not page.text_layer or region.quad is not None:
        return None
    h, w = shape
    m = np.zeros(shape, dtype=np.uint8)
    for s in page.text_layer:
        x0, y0, x1, y1 = s.bbox
        cv2.rectangle(m, (int(x0 * w) - 2, int(y0 * h) - 2), (int(x1 * w) + 2, int(y1 * h) + 2),
                      1, thickness=-1)
    return m.astype(bool)


def measure_clarity(page: Page) -> tuple[Measurement, ...]:
    """Measurements the profile compares with its thresholds (names/units: models/clarity)."""
    img = page.image
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    scanned = page.origin != "born_digital" or page.effective_dpi is not None
    # One area-downscale of the whole image serves the page search and, for a scan (no desk
    # around the page), the analysis itself; a photo's page is re-sampled from full size.
    h, w = gray.shape
    fa = min(1.0, ANALYSIS_LONG_SIDE / max(h, w))
    coarse = gray if fa == 1.0 else cv2.resize(
        gray, (max(1, round(w * fa)), max(1, round(h * fa))), interpolation=cv2.INTER_AREA)
    region = _Region(None, (0.0, 0.0, 1.0, 1.0))
    if page.origin != "born_digital":
        region = find_page_region(coarse)
    if region.quad is None:
        analysis, f = coarse, fa
    else:
        region = replace(region, quad=region.quad / fa)
        analysis, f = _analysis_image(gray, region)
    ink = find_ink(analysis)
    out: list[Measurement] = []
    pbox = region.bbox
    coverage = 100.0 * float(ink.mask.mean())
    out.append(Measurement("ink_coverage", round(coverage, 3), pbox))
    body_height = text_height(ink.stats)
    cut, cut_box = edge_cut(ink, body_height, region.open_sides)
    near: tuple[float, BBox | None] = (0.0, None)
    skew = None
    if page.origin == "image":
        skew = skew_search(ink.mask)
        # Only a scan or photo has image sides that may not be the paper's edges (a PDF's
        # page is the paper). The page is taken as A4: of its two sides the one that gives
        # the smaller mm per pixel (a cut page is short in one dimension only).
        ah, aw = analysis.shape
        mm_per_px = min(A4_SHORT_INCH * 25.4 / min(ah, aw), A4_LONG_INCH * 25.4 / max(ah, aw))
        near = near_edge_lines(ink, body_height, region.open_sides, mm_per_px,
                               vertical=skew is not None and skew[1])
        if region.quad is None and skew is not None and abs(skew[0]) <= SHORT_MAX_SKEW:
            short = short_of_a4(ink.mask)
            if short[0] > near[0]:
                near = short
    for more, more_box in (off_frame(region), cut_frame(ink, region.open_sides), near):
        if more > cut:
            cut, cut_box = more, more_box
    out.append(Measurement("edge_cut_pct", round(cut, 1), _inside(pbox, cut_box)))
    contrast = page_contrast(ink)
    if contrast is not None:
        out.append(Measurement("contrast", round(contrast, 1), pbox))
    if not scanned:
        return tuple(Measurement(m.name, float(m.value), m.region) for m in out)

    # Embedded scan in a born-digital page: judge only the ink outside the vector text.
    layer = (_text_layer_mask(page, analysis.shape, region)
             if page.origin == "born_digital" else None)
    scan_ink = ink if layer is None else find_ink(analysis, exclude=layer)
    height = text_height(scan_ink.stats)
    # Original pixels per analysis pixel: working→original (scan resolution) × analysis→working.
    orig_per_work = (page.effective_dpi / page.dpi) if page.effective_dpi else 1.0
    orig_per_analysis = orig_per_work / f
    pixel_dpi: float | None = None
    if region.quad is not None:
        q = region.quad
        sides = sorted((float(np.linalg.norm(q[1] - q[0])), float(np.linalg.norm(q[3] - q[0]))))
        # A4 either way round; the more generous reading of the two sides wins, so a sheet
        # cut by the frame (one side short) or of other proportions is not "low resolution".
        pixel_dpi = max(sides[1] / A4_LONG_INCH, sides[0] / A4_SHORT_INCH) * orig_per_work
    elif page.effective_dpi is not None:
        pixel_dpi = page.effective_dpi
        long_inch = max(page.width_pt, page.height_pt) / 72.0
        if long_inch > PAPER_MAX_INCH and round(pixel_dpi) in PLACEHOLDER_DPI:
            # A page larger than any paper at a software default resolution: the resolution
            # is a placeholder (a phone app's PDF places a photo at 72 DPI, a 50 × 70 cm page:
            # seed 8383 IMG_2092 read 72 DPI, LOW_RESOLUTION). Like an image file's, the page
            # is taken as A4. Any other stated resolution is kept: an enlarged low-resolution
            # scan keeps its scan's (seed 7373 doc_026: 91.6 DPI on a 65 cm page).
            pixel_dpi = page.effective_dpi * long_inch / A4_LONG_INCH
    if pixel_dpi is not None:
        out.append(Measurement("effective_dpi", round(pixel_dpi, 1), pbox))
    content_dpi = pixel_dpi
    if (page.stated_dpi is not None and region.quad is None and page.effective_dpi is not None
            and round(page.stated_dpi) not in PLACEHOLDER_DPI
            and max(page.width_pt, page.height_pt) / 72.0 * page.effective_dpi / page.stated_dpi > PAPER_MAX_INCH):
        # An image file whose own resolution makes it larger than any paper was enlarged after
        # it was scanned at that resolution (an uploader's resize keeps the tag): its content
        # has the stated resolution, as an enlarged scan placed in a PDF keeps its scan's
        # (above). Grain cannot show it on a clean or black-and-white scan (set H doc_066.tif:
        # 88 DPI stated, 1653 px wide, 1-bit). Placeholders (72, 96) say nothing.
        content_dpi = min(pixel_dpi or page.stated_dpi, page.stated_dpi)
    if height is not None:
        out.append(Measurement("text_height_px", round(height * orig_per_analysis, 1), pbox))
        sharp_ink, sharp_h, sharp_orig, scale = scan_ink, height, orig_per_analysis, f
        if height < SHARP_TEXT_PX and f < 1.0 and layer is None:
            # Small print was shrunk below a measurable stroke size: look again at a crop of
            # the densest text at a scale where the text is SHARP_TEXT_PX high (a photo's
            # sheet is rectified again for it).
            zoom = (_zoomed_ink(gray, scan_ink, f, height) if region.quad is None
                    else _zoomed_sheet_ink(gray, region.quad, scan_ink, f, height))
            if zoom is not None:
                sharp_ink, sharp_h, scale = zoom
                sharp_orig = orig_per_work / scale
        c = contrast_levels(sharp_ink, STEP_PERCENTILE)
        # A black-and-white scan's edges are a threshold's, sharp whatever the optics did:
        # blur before the threshold shows as blobs, not soft edges (two blurred fixture bw
        # scans read 100), and resampled for the analysis the jagged edges read as blur (a
        # sharp 300 DPI one read 22.5). No sharpness is measured on it.
        sigma = edge_sigma(sharp_ink, c) if c is not None and not is_bilevel(gray) else None
        if sigma is not None:
            s = _sharpness_from_sigma(sigma, sharp_h, sharp_orig,
                                      WARP_SIGMA if region.quad is not None else 0.0)
            enlarged = _enlargement(gray, region, sigma, scale)
            if enlarged is not None and pixel_dpi is not None:
                # The softness is the enlargement's: the content has fewer pixels than the
                # file. What softness remains beyond a sharp scan at that resolution is blur.
                content_dpi = min(content_dpi or pixel_dpi, page.dpi / enlarged)
                native = NATIVE_SIGMA * enlarged * scale
                blur = math.sqrt(max(sigma * sigma - SAMPLING_SIGMA**2 - native * native, 0.0))
                s = min(SHARPNESS_CAP, sharp_h / max(blur, 1e-6))
            out.append(Measurement("sharpness", round(s, 1), pbox))
    if content_dpi is not None:
        out.append(Measurement("apparent_dpi", round(content_dpi, 1), pbox))
    if page.origin != "image":  # an image page's skew was searched above, on the same ink
        skew = skew_search(scan_ink.mask)
    if skew is not None:
        # What a reviewer sees tilted is the page in the image: for a photo, the sheet's own
        # turn on the desk plus the text's turn on the sheet (both clockwise, in degrees).
        turn = -skew[0] + (quad_rotation(region.quad) if region.quad is not None else 0.0)
        out.append(Measurement("skew_deg", round(abs(turn), 2), pbox))
    return tuple(Measurement(m.name, float(m.value), m.region) for m in out)


def _enlargement(gray: np.ndarray, region: _Region, sigma: float, scale: float) -> float | None:
    """How many times a scan was enlarged after scanning (None: not enlarged, or a photo).

    Only a scan whose paper grain is coarse (``paper_grain``) counts as enlarged; the factor
    is its stroke-edge σ at working resolution over a sharp native scan's, capped so the
    content keeps at least MIN_CONTENT_DPI (more softness than that is blur, not size).
    Photos are not judged: phone pipelines smooth their noise and would all look enlarged.
    """
    if region.quad is not None:
        return None
    grain = paper_grain(gray)
    if grain is None or grain >= ENLARGED_GRAIN:
        return None
    sigma_work = math.sqrt(max(sigma * sigma - SAMPLING_SIGMA**2, 0.0)) / scale
    return max(1.0, sigma_work / NATIVE_SIGMA)



def _inside(outer: BBox, inner: BBox | None) -> BBox | None:
    """``inner`` (fractions of ``outer``) as fractions of the page image."""
    if inner is None:
        return None
    x0, y0, x1, y1 = outer
    w, h = x1 - x0, y1 - y0
    return (x0 + inner[0] * w, y0 + inner[1] * h, x0 + inner[2] * w, y0 + inner[3] * h)
