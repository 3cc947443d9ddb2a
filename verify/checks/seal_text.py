"""Seal text: unwrap the ring and read the curved unit name; compare it with the page's unit;
whiten seal ink so the printed text under a seal can be read.

Unwrapping: the unit name of a round seal runs clockwise along the upper arc, the tops of the
characters pointing outward. The seal ink is separated from black text (the lesser of stroke
darkness and the seal's colour, red or blue (``seal_colour``); faded strokes that lost their
colour count by darkness away from black text), the border is fitted as a circle and then
as an ellipse (the detector's box may be short or off-centre; a photographed seal is an
ellipse), the character band is sampled along that ellipse all round (one ``cv2.remap``),
and the arc holding the name -- opposite the gap between its two ends, without blank band or
bottom-text corners -- is read left to right by RapidOCR's recogniser as one line (smoothed,
cut to its inked rows; a misread legal form at the end mended). When the page holds other
seals stamped over this one (co-signing units), their border lines -- fitted on their own
ink -- are filled in where they cut across this seal's rings, before the border fit and the
arc search.

Measured (``bench/eval_seals.py fixtures DIR --text``, clean red round seals on the
detector's boxes, seeds 9402 + 9404 + 9405 never used for tuning, 166 seals), before -> after
this design: CER 7.2 -> 2.4 % born-digital (60), 10.2 -> 7.8 % scans (69), 33.0 -> 28.6 %
phone photos (37, clarity-damaged ones included); 0.13-0.17 -> 0.055 s per seal
(models/seals/README.md, "Seal text"). What still fails: the other seal's characters
and star where two seals overlap (same ink in the same place: nothing separates them; a
pale seal under a strong one loses its name), stretches of a stamp faded to near nothing
(JPEG keeps neither their colour nor much darkness), characters under black text (toner
hides the ink), blurred photos.

Round 3 (photos, blue seals; models/seals/README.md, "Seal text, round 3"), untuned seeds
9604-9606, before -> after: born-digital 2.3 -> 2.6 % (50), scans 16.3 -> 13.5 % (44), phone
photos 23.6 -> 20.9 % (62; 21.4 -> 17.7 % on the 49 without clarity damage), blue round
seals 31.4 -> 16.2 % (7); 0.03-0.05 s per seal. Under JPEG's half-resolution colour the red
between the strokes of a bold printed line is averaged away: a name's start under the signing
unit's line, or on the pale side of an unevenly inked stamp, is still lost.

Round 4 (models/seals/README.md, "Seal text, round 4"): the strokes also from the luma, which
JPEG keeps at full resolution (``_luma_ink``), and the name's arc recentred on the star's
point when a faded end moved it (``_centre_on_star``). Untuned seeds 9610-9611, before ->
after: born-digital 3.1 -> 1.3 % (31), scans 11.0 -> 13.5 % (33), phone photos 24.1 -> 23.4 %
(67), all 15.8 -> 15.7 %; born-digital pages JPEG'd at q60-85 (tuning) 17.2 -> 13.4 %. On
scans and photos the change is within the recogniser's one-character noise; dropped
characters (ink gone from the image, under bold print, blurred photos) dominate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import cv2
import numpy as np

from ..model import BBox, Seal
from ..pages import Page
from ..text.normalize import compact
from ..text.ocr import OcrEngine

UNWRAP_RADIUS_PX = 160  # seal radius after resampling: characters come out ~40 px high
TEXT_BAND = (0.52, 0.95)  # normalised radii of the character band (border at 1.0)
OVAL_MIN_ASPECT = 1.18  # box aspect from which a seal is unwrapped as an oval (40×30 mm: 1.33)
CROP_MARGIN = 0.25  # share of the box added round it: room to find a border the box cut
_HAN = re.compile(r"[\u4e00-\u9fff〇（）()A-Za-z0-9]")
_SEAL_SUFFIX = re.compile(r"(专用章|合同章|财务章|公章|章)$")


def _seal_crop(page: Page, bbox: BBox, margin: float = CROP_MARGIN) -> np.ndarray:
    return page.crop(_crop_box(page, bbox, margin))


def _crop_box(page: Page, bbox: BBox, margin: float = CROP_MARGIN) -> BBox:
    """A square crop round the box's centre, as wide as the box's longer side plus
    ``margin`` each way: a round seal whose box came out squashed (cut short by the detector)
    is still whole in it. Clipped at the page edge."""
    x0, y0, x1, y1 = bbox
    h, w = page.image.shape[:2]
    side_px = max((x1 - x0) * w, (y1 - y0) * h) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = side_px / 2 / w, side_px / 2 / h
    return (max(0.0, cx - hx), max(0.0, cy - hy), min(1.0, cx + hx), min(1.0, cy + hy))


def seal_ink_channel(crop: np.ndarray, colour: str = "red") -> np.ndarray:
    """A grey image where seal ink is dark and everything else (black text too) is light.

    For a red seal: the shape of the strokes comes from the darkness of the green channel
    (red ink is dark there, at the full resolution of a JPEG's luma), gated by the red excess
    ``R - max(G, B)`` (black text has none, so characters printed over the seal vanish from
    the unwrapped ring). The excess alone is blotchy on JPEG scans, whose colour is stored at
    half resolution: on seed-7701 scans it turned whole names into unreadable smudges.
    """
    f = crop.astype(np.int16)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    excess = r - np.maximum(g, b) if colour == "red" else b - np.maximum(r, g)
    # A grey seal (no red anywhere): plain darkness. Judged on the 99th percentile: a pale or
    # patchy red seal covers only ~2-5 % of its crop with strong red, and the 95th percentile
    # (used before) sent 3 of 16 scans on seed 9401 down the grey path, black text and all.
    if float(np.percentile(excess, 99)) < MIN_SEAL_EXCESS:
        return cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    e = np.clip(excess, 0, None).astype(np.float32)
    hi = max(float(np.percentile(e, 99)), 1.0)
    # Stamps are inked unevenly (a pale side, a faded arc): ink is judged against the
    # strongest ink nearby (a window of ~1/10 of the seal), not the seal's overall strongest,
    # with a floor so bare paper is not stretched into noise.
    win = _local_window(crop.shape[:2])
    # colour: 1 where the red excess says seal ink (at half of the local ink's excess)
    colour_ink = np.clip(e / (0.5 * np.maximum(_local_max(e, win), LOCAL_FLOOR * hi)), 0.0, 1.0)
    dark_src = (g if colour == "red" else r).astype(np.float32)
    paper, inked = float(np.percentile(dark_src, 90)), float(np.percentile(dark_src, 1))
    dark = np.clip((paper - dark_src) / max(paper - inked, 1.0), 0.0, 1.0)
    dark = np.clip(dark / np.maximum(_local_max(dark * colour_ink, win), LOCAL_FLOOR), 0.0, 1.0)
    # Ink where both say so: the darkness gives the sharp stroke edges (a JPEG's colour is
    # blurred), the colour removes black text -- also the black text printed right beside or
    # under a red stroke, which a product (darkness × colour gate, dilated) let through as
    # fragments: on seeds 7701b/7703/7704h (96 seals) the minimum lowered the CER from 17.7 %
    # to 10.6 %, on born-digital pages from 11.4 % to 2.8 %.
    ink = np.minimum(dark, colour_ink)
    # The strokes once more from the luma, the only channel a JPEG keeps at full resolution
    # (``_luma_ink``), averaged with the above: on the born-digital tuning seals JPEG'd at
    # q60-85 (30) CER 17.2 -> 12.9 %, clean scans 9.7 -> 7.7 %, clean photos 15.7 -> 14.5 %,
    # born-digital 1.7 -> 1.1 % (seeds 9607-9609). Either map alone did worse: the luma map
    # alone keeps the outlines of black text (its antialiased edges are as dark as red ink)
    # and read born-digital seals at 12 %; the maximum of the two, 14.9 % on the JPEG'd ones.
    ink = 0.5 * (ink + _luma_ink(f, e, hi, win))
    # Faded ink: on a JPEG scan the thin strokes of a pale stretch of the stamp lose their
    # colour (chroma is stored at half resolution and quantised away) but keep their
    # darkness, and the colour gate erased them (能源与环境杂志社 read as 与环境). Where
    # the seal's colour is weak nearby, darkness counts as ink by itself, except on and
    # right round black text (dark in the seal's own channel, where red ink is bright).
    # Dev seeds 9401/9403 (40 scans): CER 14.6 -> 11.4 % and 11.1 -> 10.5 %; photos and
    # born-digital pages unchanged.
    own = (r if colour == "red" else b).astype(np.float32)
    black_core = (own < BLACK_TEXT_LEVEL * float(np.percentile(own, 90))).astype(np.uint8)
    grow = 2 * max(1, round(min(crop.shape[:2]) / 250)) + 1  # ~2 px at 200 DPI
    near_black = cv2.dilate(black_core, np.ones((grow, grow), np.uint8)) > 0
    faded = np.clip(1.0 - _local_max(e, win) / (FADED_EXCESS * hi), 0.0, 1.0)
    # The weakest darkness is not counted there: on a photo or a JPEG it is paper noise and
    # the grey ringing round black text, which filled the gaps between printed lines with
    # grey blocks (stretched by the local normalisation above) that the recogniser read as
    # strokes.
    faded_dark = np.clip((dark - FADED_DARK_FLOOR) / (1.0 - FADED_DARK_FLOOR), 0.0, 1.0)
    ink = np.maximum(ink, np.where(near_black, 0.0, FADED_WEIGHT * faded_dark * faded))
    return np.clip(255 - 255 * np.clip(1.25 * ink, 0.0, 1.0), 0, 255).astype(np.uint8)


def _luma_ink(f: np.ndarray, excess: np.ndarray, hi: float, win: int) -> np.ndarray:
    """Seal ink (0..1) whose stroke shape comes from the luma and whose place from the
    colour: where the seal's colour excess, smoothed to the scale a JPEG stores it at (half
    resolution), says seal ink is near, a pixel is ink by its luma darkness (1 at the seal
    ink's own luma level), except black text -- far darker in luma than red or blue ink --
    and the pixel round it.

    JPEG keeps the luma at full resolution and the colour at half: the colour (and the green
    channel, which carries most of the blurred colour difference) averages the red between
    the strokes of a bold printed line away; the luma does not. ``excess`` is the colour
    excess clipped at 0, ``hi`` its 99th percentile, ``win`` the local window."""
    r, g, b = (f[..., k].astype(np.float32) for k in range(3))
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    chroma_px = max(1.0, min(f.shape[:2]) / 250)  # ~2 working pixels: one JPEG colour sample
    smooth = cv2.GaussianBlur(excess, (0, 0), LUMA_GATE_SIGMA * chroma_px)
    floor = LOCAL_FLOOR * max(float(np.percentile(smooth, 99)), 1.0)
    near_seal = np.clip(smooth / (0.5 * np.maximum(_local_max(smooth, win), floor)), 0.0, 1.0)
    strong = excess > 0.6 * hi
    ink_luma = (float(np.median(luma[strong])) if int(strong.sum()) > 20
                else float(np.percentile(luma, 5)))
    paper = float(np.percentile(luma, 90))
    black = (luma < LUMA_BLACK_SHARE * ink_luma).astype(np.uint8)
    black = cv2.dilate(black, np.ones((3, 3), np.uint8))  # and its 1-px antialiased rim
    dark = np.clip((paper - luma) / max(paper - ink_luma, 1.0), 0.0, 1.0)
    dark[black > 0] = 0.0
    dark = np.clip(dark / np.maximum(_local_max(dark * near_seal, win), LOCAL_FLOOR), 0.0, 1.0)
    return np.minimum(dark, near_seal)


# Tuned on seeds 9607-9609 (the average of both maps, all 128 tuning seals with the 30
# JPEG'd born-digital ones): black below 0.6 of the ink's luma 13.0 % (0.45: 13.2, 0.7:
# 13.4); the colour smoothed by 1.5 colour samples (0: 13.8, 3: 13.2); black grown by 1 px
# (0 px: 14.0 at 0.45; 2 px: 14.6). Before this map: 14.9 %.
LUMA_BLACK_SHARE = 0.6
LUMA_GATE_SIGMA = 1.5


# Black text: darker than this share of the paper in the seal's own channel (red ink, even
# the darkest of the generator's, keeps >= 0.76 of it). At 0.5 the grey, JPEG-blurred edges
# of black characters escaped the exclusion below and came through as the outlines of
# printed text; 0.7 lowered the tuning photos' CER (seeds 9601-9603, 60) from 26.5 to 25.7 %
# (0.6: 26.0 %), born-digital and scans unchanged.
def seal_colour(crop: np.ndarray) -> str:
    """"blue" when the crop's strongest colour is a blue seal's (its blue excess, judged on
    the 99th percentile as in ``seal_ink_channel``, is a seal's and beats the red excess),
    else "red" (which falls back to plain darkness for a grey seal)."""
    f = crop.astype(np.int16)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    red = float(np.percentile(r - np.maximum(g, b), 99))
    blue = float(np.percentile(b - np.maximum(r, g), 99))
    return "blue" if blue >= MIN_SEAL_EXCESS and blue > red else "red"


MIN_SEAL_EXCESS = 25  # 99th-percentile colour excess from which a crop holds coloured seal ink
BLACK_TEXT_LEVEL = 0.7
# Darkness (share of the ink's) below which the faded path counts nothing; with the level
# above, tuning photos 25.7 -> 24.3 % (0.1: 24.0 %, 0.2: 24.4 %, 0.3: 24.9 %), scans 6.3 %
# (10 seals) and born-digital 1.0 -> 1.4 % (one character on 14 seals).
FADED_DARK_FLOOR = 0.15
FADED_EXCESS = 0.5  # colour fully faded where the nearby red excess is 0 ... this share of
#                     the seal's strongest; the two below and this tried on dev seeds only
FADED_WEIGHT = 0.8  # weight of bare darkness as ink where the colour has faded


LOCAL_FLOOR = 0.3  # share of the seal's strongest ink below which local stretching stops


def _local_window(shape: tuple[int, ...]) -> int:
    return max(5, round(min(shape[0], shape[1]) / 10)) | 1


def _local_max(a: np.ndarray, win: int) -> np.ndarray:
    """The strongest value near each pixel, smoothed (a dilation, then a blur)."""
    m = cv2.dilate(a, np.ones((win, win), np.uint8))
    return cv2.blur(m, (win, win))


GAP_MIN_DEG = 60.0  # a gap between the name's ends narrower than this is not trusted
GAP_WINDOW_DEG = 100.0  # without one, the emptiest stretch this wide is the gap
NAME_MARGIN_DEG = 8.0  # arc kept beyond each end of the name (a faint last stroke)
NAME_MAX_DEG = 264.0  # the name never runs further round (the generator's longest: 250°)
STRIP_PAD_PX = 60  # white above and below the strip (see unwrap_ring)
STRIP_SQUEEZE = 0.85  # horizontal scale of the strip: characters square at the band middle
STRIP_BLUR_SIGMA = 1.0  # px, Gaussian smoothing of the strip before it is read (unwrap_ring)
# Sub-bands (normalised radius) that the name's characters cross and the bottom text
# (0.42-0.62) and serial number (0.75-0.85) do not both reach: see _name_arc.
INNER_SUB_BAND = (0.66, 0.71)
OUTER_SUB_BAND = (0.77, 0.82)


@dataclass(frozen=True)
class Ring:
    """A seal's border as an ellipse in the pixels it was fitted on: centre, half-axes and
    the angle (degrees, y down) of the ``a`` axis. A circle when ``a == b``.

    A phone photo's perspective turns a round seal into an ellipse (up to ~10 % between the
    axes on the fixtures, ~15 % on a page photographed 30° off square); the parameter angle
    of the ellipse is then the seal's own angle plus a constant, so sampling at equal
    parameter steps reads the seal undistorted."""

    cx: float
    cy: float
    a: float
    b: float
    angle: float = 0.0

    def points(self, t: np.ndarray, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel positions of parameter angles ``t`` (radians, clockwise on screen from the
        ``a`` axis) at ``rho`` times the border (broadcast together)."""
        ca, sa = np.cos(np.radians(self.angle)), np.sin(np.radians(self.angle))
        u, v = rho * self.a * np.cos(t), rho * self.b * np.sin(t)
        return self.cx + u * ca - v * sa, self.cy + u * sa + v * ca


BORDER_SEARCH = (0.25, 0.85, 1.3)  # centre offset (share of radius), radius range searched
MIN_BORDER_DARKNESS = 40.0  # median ink (0-255) along the best circle to trust the fit
_RING_ANGLES = np.linspace(0, 2 * np.pi, 144, endpoint=False)


def _circle_scores(dark: np.ndarray, cxs: np.ndarray, cys: np.ndarray,
                   radii: np.ndarray) -> np.ndarray:
    """Median darkness along every circle of the grid (centres cxs × cys, radii), judged on
    the part inside the image (a seal at the page edge) if that is most of it, else -1."""
    h, w = dark.shape
    x = cxs[:, None, None, None] + radii[None, None, :, None] * np.cos(_RING_ANGLES)
    y = cys[None, :, None, None] + radii[None, None, :, None] * np.sin(_RING_ANGLES)
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    vals = dark[np.clip(np.round(y), 0, h - 1).astype(np.intp),
                np.clip(np.round(x), 0, w - 1).astype(np.intp)]
    vals = np.sort(np.where(inside, vals, np.inf), axis=-1)  # outside samples sort last
    n_in = inside.sum(axis=-1)
    med = np.take_along_axis(vals, (np.maximum(n_in, 1)[..., None] - 1) // 2, axis=-1)[..., 0]
    return np.where(n_in >= 0.6 * len(_RING_ANGLES), med, -1.0)


def _fit_border(ink: np.ndarray, centre: tuple[float, float],
                radius: float) -> tuple[float, float, float] | None:
    """Centre and radius of the seal's border ring: the circle along which the ink channel
    is darkest (median all round: a border ring is dark all round, a band of characters or
    a cut-off edge is not), searched around the box's centre and radius.

    The detector's box is not always tight (boxes 10-20 % short or off-centre put the border
    into the character band and the gap on the wrong side). Coarse to fine: centres ±25 % of
    the radius and radii 0.85-1.3 × in steps of 5 % on a blurred map, then ±5 % round the
    best in steps of 2.5 % / 1.25 %; the same optimum as the full fine grid (21 × 21 × 19)
    on the dev seals in ~8 ms instead of ~50-100 ms.
    """
    dark = 255.0 - ink.astype(np.float32)
    span, r_lo, r_hi = BORDER_SEARCH
    coarse = cv2.GaussianBlur(dark, (0, 0), max(1.0, radius * 0.04))
    offs = np.linspace(-span, span, 11) * radius
    radii = np.linspace(r_lo, r_hi, 10) * radius
    sc = _circle_scores(coarse, centre[0] + offs, centre[1] + offs, radii)
    i, j, k = np.unravel_index(int(np.argmax(sc)), sc.shape)
    cx, cy, r = centre[0] + offs[i], centre[1] + offs[j], radii[k]
    fine = cv2.GaussianBlur(dark, (0, 0), max(1.0, radius * 0.02))
    offs = np.linspace(-0.05, 0.05, 5) * radius
    radii = r + np.linspace(-0.05, 0.05, 9) * radius
    sc = _circle_scores(fine, cx + offs, cy + offs, radii)
    i, j, k = np.unravel_index(int(np.argmax(sc)), sc.shape)
    if sc[i, j, k] < MIN_BORDER_DARKNESS:  # no ring anywhere (a borderless or very faint seal)
        return None
    return float(cx + offs[i]), float(cy + offs[j]), float(radii[k])


ELLIPSE_RAYS = 180
ELLIPSE_SEARCHES_FIRST = ((0.85, 1.2), (0.8, 1.4))  # radii (share of the circle) searched
ELLIPSE_SEARCH = (0.92, 1.08)  # ... and round the first ellipse
MAX_ELLIPSE_ASPECT = 1.3  # longer over shorter axis accepted from the border fit


def _sample(img: np.ndarray, x: np.ndarray, y: np.ndarray,
            interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    return cv2.remap(img, x.astype(np.float32), y.astype(np.float32), interpolation,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _fit_ellipse(ink: np.ndarray, cx: float, cy: float, r: float) -> Ring:
    """The border as an ellipse, refined from the fitted circle: along each of 180 rays the
    outermost strong ink near the current ring (the border is the seal's outermost ink),
    then ``cv2.fitEllipse`` on the rays where the border is inked, refitted without the
    points farthest off; then once more round that ellipse, searching narrowly.

    The first search starts at 0.85-1.2 × the circle, or wide (0.8-1.4 ×): on a photographed
    seal the best circle hugs the ellipse on three sides and misses it by ~15 % of the radius
    on the fourth (seed 9401, IMG_2041), but searched wide a square name seal stamped beside
    the round one pulled the ellipse onto itself (seed 9403). Of the circle and the two
    ellipses, the one the border follows best wins (``_support``); an ellipse must also be
    nearly round and near the circle."""
    circle = Ring(cx, cy, r, r)
    smooth = cv2.GaussianBlur(ink, (0, 0), max(1.0, r * 0.01))
    best, best_support = circle, _support(smooth, circle)
    for first in ELLIPSE_SEARCHES_FIRST:
        ring = circle
        for search in (first, ELLIPSE_SEARCH):
            found = _border_points(smooth, ring, search)
            if found is None:
                break
            ring = _robust_ellipse(found)
        long_, short = max(ring.a, ring.b), min(ring.a, ring.b)
        if (ring is circle or long_ / max(short, 1e-6) > MAX_ELLIPSE_ASPECT
                or not 0.85 * r <= np.sqrt(ring.a * ring.b) <= 1.2 * r
                or np.hypot(ring.cx - cx, ring.cy - cy) > 0.2 * r):
            continue
        support = _support(smooth, ring)
        if support > best_support:
            best, best_support = ring, support
    return best


def _support(smooth: np.ndarray, ring: Ring) -> float:
    """Share of 180 rays whose border (the outermost strong ink within ±8 %) lies within
    2.5 % of ``ring``'s radius of it: ~0.9 on a well-fitted border, far less on a ring
    pulled onto something else."""
    found = _border_points(smooth, ring, ELLIPSE_SEARCH)
    if found is None:
        return 0.0
    ca, sa = np.cos(np.radians(ring.angle)), np.sin(np.radians(ring.angle))
    dx, dy = found[:, 0] - ring.cx, found[:, 1] - ring.cy
    u, v = (dx * ca + dy * sa) / ring.a, (-dx * sa + dy * ca) / ring.b
    return float(np.sum(np.abs(np.hypot(u, v) - 1.0) <= 0.025)) / ELLIPSE_RAYS


def _border_points(smooth: np.ndarray, ring: Ring,
                   search: tuple[float, float]) -> np.ndarray | None:
    """Border positions (x, y) along rays through ``ring``: on each ray, the darkest point
    of the outermost run of strong ink within ``search`` (shares of the ring's radius)."""
    t = np.linspace(0, 2 * np.pi, ELLIPSE_RAYS, endpoint=False)[:, None]
    n = max(8, round(max(ring.a, ring.b) * (search[1] - search[0])))
    rho = np.linspace(search[0], search[1], n)[None, :]
    xs, ys = ring.points(t, rho)
    dark = 255.0 - _sample(smooth, xs, ys).astype(np.float32)
    strong = dark >= np.maximum(MIN_BORDER_DARKNESS, 0.6 * dark.max(axis=1, keepdims=True))
    # outermost strong sample, then back inwards to the end of its run: that run's peak
    idx = np.arange(n)[None, :]
    last = np.where(strong, idx, -1).max(axis=1)
    below = np.where(~strong & (idx < last[:, None]), idx, -1).max(axis=1)
    run = (idx > below[:, None]) & (idx <= last[:, None])
    k = np.argmax(np.where(run, dark, -1.0), axis=1)
    rows = np.arange(ELLIPSE_RAYS)
    peak = dark[rows, k]
    ok = (last >= 0) & (peak >= max(MIN_BORDER_DARKNESS, 0.5 * float(np.median(peak))))
    if ok.sum() < ELLIPSE_RAYS // 3:
        return None
    return np.stack([xs[rows, k], ys[rows, k]], axis=1)[ok]


def _robust_ellipse(pts: np.ndarray) -> Ring:
    """``cv2.fitEllipse`` on the points, refitted once without the 20 % farthest off."""
    ring = None
    for _ in range(2):
        (ex, ey), (ew, eh), ang = cv2.fitEllipse(pts.astype(np.float32))
        ring = Ring(float(ex), float(ey), ew / 2, eh / 2, float(ang))
        # radial misfit of each point: its distance from the centre in the ellipse's units
        ca, sa = np.cos(np.radians(ring.angle)), np.sin(np.radians(ring.angle))
        dx, dy = pts[:, 0] - ring.cx, pts[:, 1] - ring.cy
        u, v = (dx * ca + dy * sa) / ring.a, (-dx * sa + dy * ca) / ring.b
        miss = np.abs(np.hypot(u, v) - 1.0)
        keep = miss <= max(float(np.percentile(miss, 80)), 0.01)
        if keep.all() or keep.sum() < ELLIPSE_RAYS // 3:
            break
        pts = pts[keep]
    assert ring is not None
    return ring


def fit_ring(ink: np.ndarray, centre: tuple[float, float], radius: float) -> Ring:
    """The seal's border ring in ``ink`` (seal ink dark): a circle searched round the box's
    centre and radius, then refined to an ellipse (a photographed seal)."""
    fit = _fit_border(ink, centre, radius)
    if fit is None:  # no ring found: the box is all we know
        return Ring(centre[0], centre[1], radius, radius)
    return _fit_ellipse(ink, *fit)


def _polar_band(ink: np.ndarray, ring: Ring) -> np.ndarray:
    """The character band all round the seal as a strip: columns are parameter angles
    clockwise from the ring's ``a`` axis, row 0 the band's outer edge (tops of the
    characters up), ``UNWRAP_RADIUS_PX`` pixels per border radius."""
    lo, hi = TEXT_BAND
    n_rows = round((hi - lo) * UNWRAP_RADIUS_PX)
    # columns: 1 px of arc at the middle of the band, squeezed (see STRIP_SQUEEZE)
    n_cols = round(2 * np.pi * UNWRAP_RADIUS_PX * 0.75 * STRIP_SQUEEZE)
    t = np.linspace(0, 2 * np.pi, n_cols, endpoint=False)[None, :]
    rho = np.linspace(hi, lo, n_rows)[:, None]
    xs, ys = ring.points(t, rho)
    return _sample(ink, xs, ys, cv2.INTER_CUBIC)


def _band_rows(band: np.ndarray, sub: tuple[float, float]) -> np.ndarray:
    lo, hi = TEXT_BAND
    n = band.shape[0]
    r0 = round((hi - sub[1]) / (hi - lo) * (n - 1))
    r1 = round((hi - sub[0]) / (hi - lo) * (n - 1)) + 1
    return band[r0:r1]


def _name_arc(band: np.ndarray, star_phase: float | None = None) -> tuple[int, int]:
    """First column and length (columns, wrapping round) of the unit name in the 360° band.

    The name is one run of characters round the upper arc; the gap between its two ends is
    the widest stretch of the band without ink. An angle counts by the lesser ink of an inner
    and an outer sub-band, which the name's characters both cross: the serial number (a thin
    line near the border) and the middle of the bottom text (专用章) reach only one of them,
    so the gap they sit in stays empty. The arc kept is the rest, plus a small margin,
    centred opposite the gap and at most ``NAME_MAX_DEG``: the corners of the bottom text
    do reach both sub-bands, and break the gap into three; its middle part is the widest
    and centred like the whole, and the cap then cuts the corners off (kept, RapidOCR read
    them upside down as garbage characters at the ends of the name). For a short name
    (嘉兴学院, 144°) the fixed 264° arc used before left so much empty band that RapidOCR
    invented a first character (東嘉兴学院).
    """
    n = band.shape[1]
    deg = n / 360.0
    dark = 255.0 - band.astype(np.float32)
    ink = np.minimum(_band_rows(dark, INNER_SUB_BAND).mean(axis=0),
                     _band_rows(dark, OUTER_SUB_BAND).mean(axis=0))
    k = max(3, round(4 * deg))  # smooth over ~4°: strokes of one character merge
    smooth = np.convolve(np.concatenate([ink[-k:], ink, ink[:k]]), np.ones(k) / k,
                         mode="same")[k:k + n]
    level = max(0.15 * float(np.percentile(smooth, 90)), 2.0)
    gap_start, gap_len = _gap_run(smooth <= level, deg)
    cap = round(NAME_MAX_DEG * deg)
    if gap_len >= GAP_MIN_DEG * deg:
        gap_centre = gap_start + gap_len / 2.0
        length = min(cap, n - gap_len + 2 * min(round(NAME_MARGIN_DEG * deg), gap_len // 3))
    else:  # no clear gap (a faint seal): the emptiest 100° window, as before
        w = max(3, round(GAP_WINDOW_DEG * deg))
        window = np.convolve(np.concatenate([ink, ink[:w]]), np.ones(w) / w, mode="valid")[:n]
        gap_centre = int(np.argmin(window)) + w / 2.0
        length = cap
    start = round(gap_centre + n / 2.0 - length / 2.0) % n
    inked = np.roll(smooth > level, -start)[:length]
    cut_front, cut_back = _stray_ends(inked, deg)
    start, length = start + cut_front, length - cut_front - cut_back
    # Recentred on the star only after a clear gap: on the emptiest-window path (no gap,
    # short names on a capped arc) it cut the last character of 湖州师范学院 and 温州大学.
    # Tuning seeds 9607-9609 (128 seals): CER 13.0 -> 12.9 % (born-digital 1.1 -> 0.6 %,
    # 4 names mended, 1 JPEG'd one worse); a scans-only set (seed 9609, 31): 14.9 -> 14.5 %.
    if star_phase is not None and gap_len >= GAP_MIN_DEG * deg:
        start, length = _centre_on_star(start, length, star_phase, n, cap)
    return start % n, length


STAR_RADII = (0.12, 0.28)  # radii (share of the border) crossing the star's arms (its tips: 0.3)
STAR_MIN_STRENGTH = 0.5  # five-fold share of the star's ink from which its points are trusted
STAR_SHIFT_DEG = (8.0, 36.0)  # the name is recentred when the star's point is this far off


def _star_phase(circle: np.ndarray, ring: Ring, n: int) -> float | None:
    """The column (of an ``n``-column band, modulo n/5) of the star's five points, or None
    when the seal shows no clear star.

    The star of a round seal points at the middle of the unit name (GB official seals; the
    fixture generator draws them so). Sampled round the centre across its arms, the ink is
    five-fold: the phase of that harmonic gives the points, whatever the name's ink."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rho = np.linspace(STAR_RADII[0], STAR_RADII[1], 12)[:, None]
    xs, ys = ring.points(t[None, :], rho)
    profile = (255.0 - _sample(circle, xs, ys).astype(np.float32)).mean(axis=0)
    total = float(profile.sum())
    if total <= 0:
        return None
    c5 = complex(np.sum(profile * np.exp(-5j * t)))
    if 2 * abs(c5) / total < STAR_MIN_STRENGTH:
        return None
    return float((-np.angle(c5) / 5) % (2 * np.pi / 5) / (2 * np.pi) * n)


def _centre_on_star(start: int, length: int, star_phase: float, n: int,
                    cap: int) -> tuple[int, int]:
    """The arc (start, length) made symmetric round the star's point nearest its middle,
    when that point is 8-36° off it, reaching as far each way as the arc's farther end.

    The gap between the name's ends is found from the ink: a faded end of the name (an
    unevenly inked stamp) or one under black text widens the gap on its side, the arc is
    centred off the name and its faded end cut (衢州市生态环境保护综合行政执法队 read as
    ...行政, 嘉兴市双龙清洁能源有限责任公司 as ...有限责). On most tuning seals the star's
    point lies within 5° of the middle of the arc found from the ink; off by more, it is
    the arc that is wrong (a faded end), or the star under black text."""
    middle = start + length / 2.0
    step = n / 5.0
    off = ((star_phase - middle + step / 2.0) % step) - step / 2.0
    deg = n / 360.0
    if not STAR_SHIFT_DEG[0] * deg <= abs(off) <= STAR_SHIFT_DEG[1] * deg:
        return start, length
    centre = middle + off
    half = min(max(centre - start, start + length - centre), cap / 2.0)
    return round(centre - half), round(2 * half)


END_GLYPH_MAX_DEG = 30.0  # a stray end piece is at most one character wide
END_BLANK_MIN_DEG = 12.0  # and stands off the name by at least this ...
END_BLANK_SPACES = 2.0  # ... and by this many of the name's widest inner blanks


def _stray_ends(inked: np.ndarray, deg: float) -> tuple[int, int]:
    """Columns to cut off the front and the back of the arc: a lone glyph at an end, set
    off from the name by a blank wider than any inside it -- a corner character of the
    bottom text (人事专用章 under a short name: 東浙江理工大学業)."""
    padded = np.concatenate([[False], inked, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(starts) == 0:
        return 0, 0
    pad = round(NAME_MARGIN_DEG * deg)
    # Empty band at the ends (the arc was capped, not cut to the name) goes first: RapidOCR
    # invented characters in it (東浙江理工大学業: 44° of blank band each side).
    first, last = int(starts[0]), int(ends[-1])
    if len(starts) >= 4:
        blanks = starts[1:] - ends[:-1]
        inner = float(blanks[1:-1].max()) if len(blanks) > 2 else 0.0
        limit = max(END_BLANK_MIN_DEG * deg, END_BLANK_SPACES * inner)
        lone_front = blanks[0] >= limit and ends[0] - starts[0] <= END_GLYPH_MAX_DEG * deg
        lone_back = blanks[-1] >= limit and ends[-1] - starts[-1] <= END_GLYPH_MAX_DEG * deg
        # The bottom text is centred under the name, so its corners come in pairs, or stick
        # out past the mirror image of the name's other end; a lone piece that does neither
        # is a character of the name set off by a faint one (低碳世界杂·社).
        centre, slack = len(inked) / 2.0, END_BLANK_MIN_DEG * deg
        if lone_front and (lone_back or centre - first > ends[-1] - centre + slack):
            first = int(starts[1])
        if lone_back and (lone_front or last - centre > centre - starts[0] + slack):
            last = int(ends[-2])
    return max(0, first - pad), max(0, len(inked) - last - pad)


GAP_PIECE_MIN_DEG = 40.0  # an empty stretch this wide beyond a lone glyph is still the gap
# ... when the glyph is no wider than this: a bottom-text corner reaches into the band by a
# few degrees (5-10° on the generator's seals), while a real seal's short name is spread
# round the arc with 40-50° between characters ~25° wide (重庆大学, realworld set): a 30°
# limit took its characters one by one into the gap and left one to read.
GAP_GLYPH_MAX_DEG = 15.0


def _gap_run(empty: np.ndarray, deg: float) -> tuple[int, int]:
    """Start and length of the gap between the name's ends: the longest empty run, grown
    over a lone glyph on either side when another wide empty run lies beyond it.

    The corners of the bottom text break the gap into three; under a short name the side
    pieces are the longest (嘉兴学院 over 业务专用章: 75°, 65°, 75°), and taken alone they
    put the strip's middle 70° off the name's, with a corner glyph read as 尊 at its end.
    """
    n = len(empty)
    start, length = _longest_run(empty)
    if length == 0 or length == n:
        return start, length
    glyph_max, piece_min = round(GAP_GLYPH_MAX_DEG * deg), round(GAP_PIECE_MIN_DEG * deg)
    for _ in range(4):  # at most two corner glyphs each side
        grown = False
        after = empty[(start + length + np.arange(n - length)) % n]  # clockwise beyond the gap
        glyph = int(np.argmax(after)) if after.any() else n
        if 0 < glyph <= glyph_max:
            piece = int(np.argmin(after[glyph:])) if not after[glyph:].all() else n
            if piece >= piece_min and length + glyph + piece < n:
                length += glyph + piece
                grown = True
        before = empty[(start - 1 - np.arange(n - length)) % n]  # anticlockwise before it
        glyph = int(np.argmax(before)) if before.any() else n
        if 0 < glyph <= glyph_max:
            piece = int(np.argmin(before[glyph:])) if not before[glyph:].all() else n
            if piece >= piece_min and length + glyph + piece < n:
                start, length = (start - glyph - piece) % n, length + glyph + piece
                grown = True
        if not grown:
            break
    return start, length


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """Start and length of the longest circular run of True (0, 0 when none)."""
    n = len(flags)
    if flags.all():
        return 0, n
    if not flags.any():
        return 0, 0
    first_false = int(np.argmin(flags))
    rolled = np.roll(flags, -first_false)  # no run wraps round the end now
    padded = np.concatenate([[False], rolled, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    i = int(np.argmax(ends - starts))
    return (int(starts[i]) + first_false) % n, int(ends[i] - starts[i])


def unwrap_ring(crop: np.ndarray, geom_axes: tuple[float, float],
                others: tuple[OtherRing, ...] = ()) -> np.ndarray:
    """The unit name of a round/oval seal as a straight strip (text upright, L→R).

    ``geom_axes`` are the seal's half-widths (x, y) in crop pixels; an oval is first
    stretched into a circle. The border is fitted (``fit_ring``), the character band
    sampled all round along it, and the arc holding the name cut out (``_name_arc``).
    ``others`` are the border lines of other seals stamped over this one (``OtherRing``, in
    crop pixels): they are filled in where they cross this seal's rings
    (``_blank_other_rings``). The ink is separated as red seal ink (``seal_ink_channel``).
    """
    ink = seal_ink_channel(crop, seal_colour(crop))
    h, w = ink.shape
    ax, ay = geom_axes
    fx, fy = UNWRAP_RADIUS_PX / ax, UNWRAP_RADIUS_PX / ay
    # to a circle of about the unwrap radius (INTER_AREA when shrinking: a 300-DPI seal is
    # ~1.5× that, and point sampling it would alias thin strokes)
    circle = cv2.resize(ink, (max(1, round(w * fx)), max(1, round(h * fy))),
                        interpolation=cv2.INTER_AREA if fx * fy < 1 else cv2.INTER_CUBIC)
    ch, cw = circle.shape
    if others:
        # before the border fit and the search for the name's arc, not only for the reading:
        # on 24 rendered pairs (dev fonts) CER 13.1 % filled for the reading only, 11.1 % so.
        # (Whitening the other's star as well, tried, did worse: 10.2 -> 11.1 % on 72.)
        circle = _blank_other_rings(circle, others, fx, fy, (cw / 2 / fx, ch / 2 / fy))
    ring = fit_ring(circle, (cw / 2, ch / 2), UNWRAP_RADIUS_PX)
    band = _polar_band(circle, ring)
    start, length = _name_arc(band, _star_phase(circle, ring, band.shape[1]))
    strip = np.roll(band, -start, axis=1)[:, :length]
    # Smoothed before reading: on a photo or a JPEG the ink map carries speckle (paper noise
    # stretched where the ink is pale, 8×8 blocks of quantised colour), which the recogniser
    # took for strokes. Tuning seals (seeds 9601-9603, 84): born-digital 2.4 -> 0.6 %, the
    # born-digital pages JPEG'd at q60-85 14.5 -> 13.1 %, photos and scans within ±1 point;
    # sigma 0.7 and 1.5 and a 3×3 median did no better.
    strip = cv2.GaussianBlur(np.ascontiguousarray(strip), (0, 0), STRIP_BLUR_SIGMA)
    # Wide white margins above and below: RapidOCR's detector scales the short side of its
    # input up to 736 px, and a bare 93-px strip came out so magnified that it found no text
    # at all on clean seals (3 of 21 on seed 7701); 60 px each way fixed them.
    return cv2.copyMakeBorder(np.ascontiguousarray(strip), STRIP_PAD_PX, STRIP_PAD_PX, 16, 16,
                              cv2.BORDER_CONSTANT, value=255)


OTHER_RING_HALF_WIDTH = 0.06  # half-width (share of radius) when the line cannot be measured
# The other's line is removed only where it crosses this seal's rings at 45° or more
# (sine 0.7): where it runs along the characters' rows, filling it in erased their strokes
# (two born-digital pairs on seed 9401 went from 1 wrong character to 2-3 each), while a
# line left lying along the rows barely disturbs the recogniser. Chosen on 24 rendered pairs
# (dev fonts): CER 16.1 % untouched, 13.1 % filled everywhere, 11.2 % at 45°.
MIN_CROSSING_SINE = 0.7


@dataclass(frozen=True)
class OtherRing:
    """The border line of another seal stamped over this one, in this seal's crop pixels:
    centre, radius and the line's half-width (all in pixels)."""

    cx: float
    cy: float
    r: float
    half: float


def _blank_other_rings(ink: np.ndarray, others: tuple[OtherRing, ...], fx: float,
                       fy: float, own: tuple[float, float]) -> np.ndarray:
    """``ink`` (the crop scaled by ``fx``, ``fy``) with the border lines of the other seals
    stamped over it filled in; ``own`` is this seal's centre in crop pixels."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    mask = np.zeros((h, w), np.uint8)
    for o in others:
        # distance from the other's border line, in crop pixels
        ox, oy = xx / fx - o.cx, yy / fy - o.cy
        dist = np.hypot(ox, oy)
        off = np.abs(dist - o.r)
        sx, sy = xx / fx - own[0], yy / fy - own[1]
        sin = np.abs(ox * sy - oy * sx) / np.maximum(dist * np.hypot(sx, sy), 1e-6)
        mask[(off <= o.half) & (sin >= MIN_CROSSING_SINE)] = 255
    if not mask.any():
        return ink
    # Filled in from round about rather than whitened: the strokes the line crossed are
    # joined again (blanking cut them: 16.2 % CER on the rendered pairs, filling 13.1 %).
    return cv2.inpaint(ink, mask, 3, cv2.INPAINT_TELEA)


def _other_ring(page: Page, bbox: BBox) -> tuple[float, float, float, float] | None:
    """The border line of the seal in ``bbox`` fitted on its own ink: centre and radius in
    page pixels and the line's half-width in pixels; None when no ring is found."""
    crop = _seal_crop(page, bbox)
    if crop.size == 0:
        return None
    ph, pw = page.image.shape[:2]
    r0 = max(bbox[2] - bbox[0], 0.0) * pw / 2
    r0 = max(r0, (bbox[3] - bbox[1]) * ph / 2)
    ink = seal_ink_channel(crop, "red")
    ch, cw = ink.shape
    fit = _fit_border(ink, (cw / 2, ch / 2), r0)
    if fit is None:
        return None
    cx, cy, r = fit
    half = _ring_half_width(ink, cx, cy, r) * r
    x0, y0 = _crop_origin(page, bbox)
    return cx + x0, cy + y0, r, half


def _crop_origin(page: Page, bbox: BBox) -> tuple[int, int]:
    """Page pixel where ``_seal_crop`` starts (as ``Page.crop`` cuts)."""
    ph, pw = page.image.shape[:2]
    box = _crop_box(page, bbox)
    return int(box[0] * pw), int(box[1] * ph)


def _ring_half_width(ink: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Half the width of the border line of the circle (cx, cy, r), as a share of r: the
    radii round r along which the median darkness stays above half the peak's, plus a
    pixel each way (antialiasing, a fit a pixel off)."""
    rho = np.linspace(0.88, 1.12, 49)
    dark = 255.0 - ink.astype(np.float32)
    med = _circle_scores(dark, np.array([cx]), np.array([cy]), rho * r)[0, 0]
    if med.max() <= 0:
        return OTHER_RING_HALF_WIDTH
    k = int(np.argmax(med))
    above = med >= 0.5 * med[k]
    lo = k
    while lo > 0 and above[lo - 1]:
        lo -= 1
    hi = k
    while hi < len(rho) - 1 and above[hi + 1]:
        hi += 1
    return float(max(abs(rho[lo] - 1), abs(rho[hi] - 1))) + 1.5 / r


def _clean(text: str) -> str:
    return "".join(_HAN.findall(compact(text)))


def read_seal_text(page: Page, bbox: BBox, engine: OcrEngine,
                   others: tuple[BBox, ...] = ()) -> str:
    """OCR the curved unit name of one seal (round or oval): one OCR call on the unwrapped
    character band. Only the seal's box is needed (not the detector's ellipse): the border
    is fitted on the seal's own ink. ``others``: the other round seals' boxes on the page."""
    strip = seal_strip(page, bbox, others)
    return "" if strip is None else read_strip_text(strip, engine)


def seal_strip(page: Page, bbox: BBox, others: tuple[BBox, ...] = ()) -> np.ndarray | None:
    """The unwrapped unit name of the seal in ``bbox`` (grey, text upright and left to
    right), or None for an empty crop. For ``read_strip_text``, or to look at."""
    crop = _seal_crop(page, bbox)
    if crop.size == 0:
        return None
    # Half-axes of the seal in crop pixels: the longer side of the box spans the seal, the
    # margin pads it; the border fit in unwrap_ring finds the ring itself.
    ph, pw = page.image.shape[:2]
    x0, y0, x1, y1 = bbox
    ax, ay = (x1 - x0) * pw / 2, (y1 - y0) * ph / 2
    if max(ax, ay) / max(min(ax, ay), 1.0) < OVAL_MIN_ASPECT:
        ax = ay = max(ax, ay)  # round: a box cut short on one side is not an oval
    return unwrap_ring(crop, (ax, ay), _rings_over(page, bbox, others))


def _rings_over(page: Page, bbox: BBox, others: tuple[BBox, ...]) -> tuple[OtherRing, ...]:
    """The border lines of the other seals stamped over the one in ``bbox`` (whose boxes
    overlap its box), in its crop's pixels."""
    x0, y0, x1, y1 = bbox
    x0c, y0c = _crop_origin(page, bbox)
    rings = []
    for ob in others:
        if tuple(ob) == tuple(bbox) or ob[2] <= x0 or ob[0] >= x1 or ob[3] <= y0 or ob[1] >= y1:
            continue
        found = _other_ring(page, ob)
        if found is not None:
            cx, cy, r, half = found
            rings.append(OtherRing(cx - x0c, cy - y0c, r, half))
    return tuple(rings)


def read_strip_text(strip: np.ndarray, engine: OcrEngine) -> str:
    """The unit name read from an unwrapped strip (Han characters and brackets only)."""
    # The strip starts in the gap, so the reading is already in order; re-ordering it round
    # its last unit-type word (the old fix for strips that started inside the name) turned
    # misread endings (有限益司) into wrong starts, and cost 1 point of CER on seeds 7701/7703.
    return _mend_legal_form(_HAN_ONLY.sub("", _clean(_read_strip(strip, engine))))


# A company's name ends in its legal form, one of a closed set (公司法: 有限责任公司 /
# 股份有限公司; 有限公司 as most seals abbreviate the first). Longest first: on a tie the
# fuller form is kept.
LEGAL_FORMS = ("有限责任公司", "股份有限公司", "有限公司")


def _mend_legal_form(text: str) -> str:
    """The reading with a misread legal form at its end put right: the ending (one character
    shorter to one longer than the form) nearest to a form, when at most a third of the
    form's characters differ (有限贵任公司, 有限公, 有公司, 有限公司司). Only the ending is
    touched, and only towards a form it nearly is. Tuning readings (seeds 9601-9603): photos
    24.3 -> 23.1 % (9 of 60 endings mended, none made worse), scans 6.3 -> 5.6 % (1 of 10),
    born-digital unchanged."""
    best: tuple[int, str, int] | None = None  # (distance, form, characters replaced)
    for form in LEGAL_FORMS:
        for k in range(max(3, len(form) - 1), len(form) + 2):
            if k > len(text):
                break
            d = _edit_distance(text[-k:], form)
            if d <= len(form) // 3 and (best is None or d < best[0]):
                best = (d, form, k)
    if best is None or best[0] == 0:
        return text
    return text[:-best[2]] + best[1]


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _read_strip(strip: np.ndarray, engine: OcrEngine) -> str:
    """The text of the unwrapped strip, read as one line.

    RapidOCR's text detector is skipped when the engine allows it: the strip is one line by
    construction, and the detector found no text at all on some slightly arched strips
    (a seal centre a few pixels off) or split the name into pieces whose order then had to be
    guessed. The recogniser alone reads the whole strip in ~10 ms instead of ~400 ms. Other
    engines (Tesseract, a worker proxy) get the padded strip through ``read``.
    """
    rgb = cv2.cvtColor(strip, cv2.COLOR_GRAY2RGB)
    line_reader = getattr(engine, "read_line", None)  # RapidOCR, in process or in its child
    if callable(line_reader) and getattr(engine, "name", "") == "rapidocr":
        return str(line_reader(_tight_line(rgb)))
    res = engine.read(rgb)
    # spans left to right: the engine returns pieces of one line in no fixed order
    return "".join(s.text for s in sorted(res.spans, key=lambda s: s.bbox[0]))


def _tight_line(rgb: np.ndarray) -> np.ndarray:
    """The strip cut to the rows that hold ink, with 8 px of white above and below.

    The recogniser scales a line image to 48 px high: the character band is taller than
    the characters (it must hold large and small ones), and left in, its empty rows shrank
    the characters to ~25 px. Cutting to the inked rows lowered the CER from 15.1 % to 13.8 %
    on the tuning seals (seeds 7701/7703, 59 seals).
    """
    core = rgb[STRIP_PAD_PX:rgb.shape[0] - STRIP_PAD_PX]
    ink = (255.0 - core[..., 0].astype(np.float32)).mean(axis=1)
    # A row holds characters when a few strokes cross it: its mean darkness above 8 and above
    # the strip's own background (its palest rows) by a share of its darkest row. On a photo
    # the paper's noise alone makes every row of the band darker than 8 (mean 10-30), and the
    # fixed level kept the whole band: on the tuning photos (60) the share lowered the CER
    # from 28.5 to 26.6 %, born-digital and scans unchanged (0.25: 27.0 %, 0.15: 28.2 %).
    base = float(np.percentile(ink, 10))
    rows = np.flatnonzero(ink > max(8.0, base + ROW_INK_SHARE * (float(ink.max()) - base)))
    if rows.size == 0:
        keep = STRIP_PAD_PX - 8
        return rgb[keep:rgb.shape[0] - keep]
    line = core[max(0, int(rows[0]) - 2):int(rows[-1]) + 3]
    return cv2.copyMakeBorder(line, 8, 8, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))


ROW_INK_SHARE = 0.35  # see _tight_line
_HAN_ONLY = re.compile(r"[A-Za-z0-9]")  # serial numbers, stray Latin: not the unit name
# --------------------------------------------------------------------------- unit matching

_UNIT_END = (r"(?:有限责任公司|股份有限公司|有限公司|公司|大学|学院|学校|研究院|研究所|医院|中心|"
             r"委员会|协会|学会|局|厅|部|院|站|所|社|馆|办公室|政府|集团|银行|出版社|编辑部)")
_LABELLED = re.compile(r"(?:编制单位|申报单位|主持单位|承担单位|完成单位|颁发单位|发证单位|"
                       r"单位名称|盖章单位|出具单位|建设单位|施工单位|设计单位)[:：]?\s*"
                       r"([^\s:：，,。；;]{2,40})")
_UNIT = re.compile(r"([\u4e00-\u9fff（）()]{1,30}" + _UNIT_END + ")")  # greedy: the whole name


MIN_MATCH_CHARS = 4  # seal characters read before a reading can confirm the page's unit


@dataclass(frozen=True)
class SealUnitMatch:
    """The unit printed on the page against the unit on the seal. A mismatch is a hint for
    the reviewer (a seal of another unit, or an OCR misread), never an accusation."""

    seal_text: str
    page_unit: str | None
    source: str  # "labelled" (编制单位：…) | "signature" (落款) | "letterhead" | "none"
    similarity: float  # 0..1: longest common subsequence share of the shorter name

    @property
    def matches(self) -> bool:
        # A reading of a few characters (a faded or half-read seal: 上司, 诸暨限公司 on seed
        # 7702) is found in almost any unit name: it says nothing either way.
        return (self.page_unit is not None and self.similarity >= 0.6
                and len(_clean(self.seal_text)) >= MIN_MATCH_CHARS)


def _strip_seal_suffix(text: str) -> str:
    return _SEAL_SUFFIX.sub("", text)


def unit_similarity(a: str, b: str) -> float:
    """Share of the shorter name found, in order, in the longer one (OCR-tolerant)."""
    a, b = _strip_seal_suffix(_clean(a)), _strip_seal_suffix(_clean(b))
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    blocks = SequenceMatcher(None, short, long_, autojunk=False).get_matching_blocks()
    return sum(bl.size for bl in blocks) / len(short)


def compare_seal_unit(seal_text: str, page_text: str) -> SealUnitMatch:
    """Find the unit the page names (labelled field, the signature lines at the end, or the
    letterhead) and how closely the seal's text matches it. Chooses the best-matching of the
    page's candidate units within the most specific source found."""
    lines = [compact(line) for line in page_text.splitlines() if compact(line)]
    choices: list[tuple[str, str]] = []
    for line in lines:
        for mt in _LABELLED.finditer(line):
            choices.append(("labelled", mt.group(1)))
    if not choices:
        for line in reversed(lines[-8:]):  # 落款: the unit name signing at the end
            found = _UNIT.fullmatch(line) or _UNIT.search(line)
            if found and len(line) <= 30:
                choices.append(("signature", found.group(1)))
    if not choices:
        for line in lines[:3]:  # 红头: "XX大学文件" / the issuing unit on the first lines
            head = _UNIT.search(line.removesuffix("文件"))
            if head:
                choices.append(("letterhead", head.group(1)))
    if not choices:
        return SealUnitMatch(seal_text, None, "none", 0.0)
    scored = [(unit_similarity(seal_text, unit), src, unit) for src, unit in choices]
    sim, src, unit = max(scored, key=lambda t: t[0])
    return SealUnitMatch(seal_text, unit, src, round(sim, 3))


# --------------------------------------------------------------------------- ink suppression

SUPPRESS_MARGIN = 0.08  # fraction of the seal size added around its box
SUPPRESS_MIN_EXCESS = 22  # R - max(G, B) above which a pixel counts as seal ink


def suppress_seal_ink(page: Page, seals: tuple[Seal, ...] | list[Seal]) -> Page:
    """The page with seal-coloured pixels inside (slightly enlarged) seal boxes turned white,
    so the printed text under a seal (the signing unit, the date) can be OCR'd.

    Inside each box a pixel is replaced by its grey value taken from the seal's own channel
    (red for a red seal: the "red channel trick"): red ink turns near-white, black text stays
    black, and the text pixels the seal ink was mixed into keep their darkness. Only near
    seals: elsewhere the same trick would erase red letterhead text. Grey seals are left as
    they are (their ink cannot be told from text by colour).
    """
    coloured = [s for s in seals if s.color == "red" or s.color == "other"]
    if not coloured:
        return page
    img = page.image.copy()
    h, w = img.shape[:2]
    changed = False
    for s in coloured:
        x0, y0, x1, y1 = s.bbox
        mx, my = SUPPRESS_MARGIN * (x1 - x0), SUPPRESS_MARGIN * (y1 - y0)
        px0, py0 = max(0, int((x0 - mx) * w)), max(0, int((y0 - my) * h))
        px1, py1 = min(w, int((x1 + mx) * w) + 1), min(h, int((y1 + my) * h) + 1)
        roi = img[py0:py1, px0:px1]
        f = roi.astype(np.int16)
        r, g, b = f[..., 0], f[..., 1], f[..., 2]
        if s.color == "red":
            excess, channel = r - np.maximum(g, b), r
        else:
            excess, channel = b - np.maximum(r, g), b
        ink = excess > SUPPRESS_MIN_EXCESS
        if not ink.any():
            continue  # a grey seal: nothing separable by colour
        ink = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        # Lighten by the channel where the seal ink is transparent; push pure seal ink white.
        grey = channel.astype(np.float32)
        grey = np.clip((grey - 40) * 255.0 / 175.0, 0, 255).astype(np.uint8)
        roi[ink] = np.repeat(grey[ink][:, None], 3, axis=1)
        changed = True
    if not changed:
        return page
    return replace(page, image=img)


def seal_text_cer(truth: str, read: str) -> float:
    """Character error rate of a seal reading (edit distance / truth length)."""
    t, r = _clean(truth), _clean(read)
    if not t:
        return 0.0 if not r else 1.0
    return _edit_distance(t, r) / len(t)
