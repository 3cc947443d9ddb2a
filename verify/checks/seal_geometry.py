"""Seal candidates and their shape features (the geometry half of ``verify.checks.seals``).

A seal is found from two kinds of evidence:

* colour: red (or blue/purple, colour "other") ink that stands out from the local paper
  colour; a red letterhead is red too, so colour alone only proposes candidates;
* shape: a closed ring, ellipse or square border with a band of characters just inside it
  and usually a star in the centre. This is the only evidence in a greyscale or
  black-and-white scan.

Candidates are proposed on a downscaled copy of the page (``WORK_LONG_SIDE``): colour blobs,
Hough circles on the colour and darkness maps, and ring-shaped dark components. Each candidate
is refined (its border re-fitted along rays from the centre) and described by a radial
profile: the ink density as a function of the normalised distance from the centre (1.0 = the
border), per angle. The profile features feed a small logistic model (``models/seals``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

WORK_LONG_SIDE = 1000  # px: a 40 mm seal on A4 is ~135 px here, a 15 mm name seal ~50 px

# Seal size limits as fractions of the page's short side. 0.04 is a 9 mm stamp on A4 (or a
# seal in a photo of two certificates); 0.42 is a seal filling a cropped photo.
MIN_SIZE_FRAC = 0.04
MAX_SIZE_FRAC = 0.42

# Colour evidence in 0..255 units of "channel above the other channels, above the local paper".
# 18 keeps the pale pink of a faint seal (e.g. 240,205,205 on white); JPEG chroma noise
# around black text stays under ~12 at 4:2:0 subsampling.
COLOR_MIN = 18.0
BLUE_MIN = 40.0  # blue seal ink is saturated (40,70,170: 100); pale blue paper is ~40 here
BLUE_MIN_CLEAN = 20.0  # on a born-digital render: a faint blue e-seal's ring is 25-45
DARK_MIN = 0.28
FILLED_SQUARE_MAX_FILL = 0.9  # a 白文 name seal is 55-85% ink; a solid block ~100%
DARK_FLOOR = 0.1  # weakest border darkness still treated as ink (a faint grey seal ~0.15)

# Radial profile: distances (1.0 = border) and angles sampled per candidate.
_S = np.linspace(0.0, 1.4, 57, dtype=np.float32)  # step 0.025
_T = np.linspace(0.0, 2 * np.pi, 96, endpoint=False, dtype=np.float32)

FEATURE_NAMES = (
    "border_cov",  # fraction of angles with ink on the border band
    "border_mean",  # mean ink on the border band (max over the band's thickness)
    "border_contrast",  # border ink minus ink just outside
    "text_mean",  # ink in the character band (0.55..0.85)
    "text_cov",  # fraction of angles with ink in the character band
    "gap_mean",  # ink between characters and centre (0.3..0.5)
    "centre_mean",  # ink in the centre (0..0.22): the star
    "outside_mean",  # ink just outside the border (1.12..1.35)
    "fill",  # mean ink inside the border
    "longest_gap",  # longest run of angles without border ink (fraction of the turn)
    "axis_ratio",  # minor/major axis
    "rel_size",  # major axis / page short side
    "is_colour",  # 1 when the candidate came from a colour map
    "is_square",
    "texture",  # edge density inside (fingerprints and emblems are busy)
    "strength",  # colour strength of the ink (0..1), or darkness for grey
    "ring_peak",  # fraction of angles whose strongest ink (0.8..1.2) sits on the border line
    "inner_ring",  # a second thin closed ring inside (0.3..0.85): coverage x (1 - longest gap)
    "star",  # share of the centre disc (0..0.1) that is solid ink: the star
    "centre_solid",  # the same over 0..0.2: a star fills ~0.6-1.0, an emblem's drawing ~0.3
    "flat_colour",  # share of the disc in flat colour that the paper subtraction removed
)


@dataclass(frozen=True)
class Geometry:
    """An ellipse (or a square when ``square``) in work-image pixels."""

    cx: float
    cy: float
    a: float  # half-axis along the ellipse's own x after rotation by ``angle``
    b: float
    angle: float  # degrees
    square: bool = False

    def bbox_px(self) -> tuple[float, float, float, float]:
        if self.square or abs(self.angle) < 1e-6:
            return (self.cx - self.a, self.cy - self.b, self.cx + self.a, self.cy + self.b)
        t = math.radians(self.angle)
        hw = math.hypot(self.a * math.cos(t), self.b * math.sin(t))
        hh = math.hypot(self.a * math.sin(t), self.b * math.cos(t))
        return (self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh)


@dataclass(frozen=True)
class Maps:
    """The downscaled page and the ink maps candidates are judged on (float32, 0..1)."""

    scale: float  # work px per page px
    rgb: np.ndarray
    red: np.ndarray
    blue: np.ndarray
    dark: np.ndarray
    edges: np.ndarray  # uint8 0/255 Canny on grey
    clean: bool = False  # a born-digital render (no scan noise, white paper)
    # The colour maps before the local paper colour is subtracted (same units): a flat
    # painted area (a sky in a cover picture) is colour here and paper in ``red``/``blue``.
    red_raw: np.ndarray | None = None
    blue_raw: np.ndarray | None = None

    @property
    def short_side(self) -> int:
        return min(self.red.shape[:2])


PAPER_WINDOW_FRAC = 0.15  # of the work image's long side (~1.5 seal diameters on A4)


def _paper_level(channel: np.ndarray) -> np.ndarray:
    h, w = channel.shape
    q = cv2.resize(channel, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = 2 * (round(PAPER_WINDOW_FRAC * max(h, w) / 4) // 2) + 1
    bg = cv2.medianBlur(q, max(3, min(k, 255)))
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)


# A washed-out photo or scan (LOW_CONTRAST: ink and paper squeezed into ~100 grey levels)
# squeezes a seal's colour too: a faint seal's red fell to 5-15, under the colour cut. The
# colour maps of a raster page are stretched by its tonal range (the darkest 0.2% of pixels,
# i.e. text ink even on a sparse page, to the paper's 99th percentile) to 160 levels, up to
# 2.5x. Ordinary scans and photos span 170-250 and are not touched; a born-digital render is
# never washed out.
CONTRAST_FULL_RANGE = 160.0
CONTRAST_MAX_GAIN = 2.5


# A dark page (an under-exposed scan: paper at ~115 of 255) scales a seal's colour excess
# down with its paper: a faint red oval's excess fell to 10-15 where the same ink on white
# paper gives ~25, although the page's tonal range (~110 levels) is not squeezed enough for
# the stretch above to make up for it. The red map is also scaled to a paper of
# ``PAPER_WHITE``; paper at 230 or brighter (clean scans, renders, most photos) is untouched.
# Red only: scaling the blue map of a dim phone photo too made a pale printed blue emblem
# a blue-map seal (fp7801 A06/IMG_2061, 0.81); blue seal ink is saturated (its cut is 40).
PAPER_WHITE = 230.0


def _contrast_gain(grey: np.ndarray) -> tuple[float, float]:
    """The gain of the colour maps, and of the red map (also scaled to white paper)."""
    lo, hi = np.percentile(grey[::2, ::2], (0.2, 99))
    stretch = CONTRAST_FULL_RANGE / max(float(hi - lo), 1.0)
    paper = PAPER_WHITE / max(float(hi), 1.0)
    return (float(np.clip(stretch, 1.0, CONTRAST_MAX_GAIN)),
            float(np.clip(max(stretch, paper), 1.0, CONTRAST_MAX_GAIN)))


def build_maps(image: np.ndarray, clean_render: bool = False) -> Maps:
    """Downscale ``image`` and compute the colour and darkness maps.

    ``clean_render``: a born-digital page, drawn without noise or specks; it may be shrunk
    bilinearly when the reduction is under 2x.
    """
    h, w = image.shape[:2]
    scale = min(1.0, WORK_LONG_SIDE / max(h, w))
    # Area averaging keeps the specks of a 1-bit or noisy scan as grey (bilinear drops some:
    # 2 of 51 grey seals lost their proposal); a clean render shrunk under 2x loses nothing
    # bilinearly, at 1 ms instead of 6 (seal scores on born-digital pages moved < 0.01).
    fast = clean_render and scale > 0.5
    small = image if scale >= 1.0 else cv2.resize(
        image, (max(1, round(w * scale)), max(1, round(h * scale))),
        interpolation=cv2.INTER_LINEAR if fast else cv2.INTER_AREA)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2RGB)
    f = small.astype(np.int16)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    # Seal red is red to crimson (OpenCV hue ≤ 8 or ≥ 165, of 180); orange frames, gold
    # borders and brown text (hue 10-25) are not seal ink: their weight ramps to 0 at hue 14.
    hue = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)[..., 0].astype(np.float32)
    hue_w = np.where(hue > 90, np.clip((hue - 150.0) / 15.0, 0.0, 1.0),
                     np.clip((14.0 - hue) / 6.0, 0.0, 1.0))
    red = ((r - np.maximum(g, b)) * hue_w).astype(np.int16)
    # Blue/violet seals (colour "other"): blue above red and green, and dark enough that
    # light-blue security paper and sky-blue photo backgrounds do not count.
    # A born-digital render has white paper and no chroma noise: there a faint blue e-seal
    # (35-55% opacity: ~180,187,224, only 20-45 below the 200 cut of the scan rule) is
    # blue ink as it stands.
    blue = b - np.maximum(r, g) if clean_render else np.minimum(b - np.maximum(r, g), 200 - r)
    # Subtract the local paper colour (coloured certificate paper, pink guilloche): the
    # median over a window several times wider than a seal stroke, and wider than a filled
    # badge (else a filled red disc would turn into a red ring), is the paper. Computed on a
    # quarter-size copy: a 151 px median on the work image costs ~40 ms, on the copy ~2 ms.
    red8 = np.clip(red, 0, 255).astype(np.uint8)
    blue8 = np.clip(blue, 0, 255).astype(np.uint8)
    red_bg = _paper_level(red8)
    blue_bg = _paper_level(blue8)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    gain, red_gain = (1.0, 1.0) if clean_render else _contrast_gain(grey)
    red_rel = np.clip((red8.astype(np.float32) - red_bg) * red_gain, 0, 255)
    blue_rel = np.clip((blue8.astype(np.float32) - blue_bg) * gain, 0, 255)
    # Paper brightness: closing removes ink strokes, a blur smooths the lighting.
    kk = max(7, round(0.012 * max(small.shape[:2]))) | 1
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(
        cv2.MORPH_RECT, (kk, kk)))
    paper = cv2.blur(paper, (kk, kk)).astype(np.float32)
    dark = np.clip(1.0 - grey.astype(np.float32) / np.maximum(paper, 1.0), 0.0, 1.0)
    edges = cv2.Canny(grey, 60, 160)
    red_raw = np.clip(red8.astype(np.float32) * red_gain, 0, 255)
    blue_raw = np.clip(blue8.astype(np.float32) * gain, 0, 255)
    return Maps(scale, small, red_rel / 255.0, blue_rel / 255.0, dark, edges, clean_render,
                red_raw / 255.0, blue_raw / 255.0)


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class Proposal:
    mode: str  # "red" | "blue" | "dark"
    geom: Geometry
    source: str


def _size_ok(w: float, h: float, short: int) -> bool:
    lo, hi = MIN_SIZE_FRAC * short, MAX_SIZE_FRAC * short
    return lo <= max(w, h) <= hi and min(w, h) >= 0.35 * max(w, h)


def _colour_proposals(m: Maps, mode: str) -> list[Proposal]:
    cmap = m.red if mode == "red" else m.blue
    cut = COLOR_MIN if mode == "red" else BLUE_MIN_CLEAN if m.clean else BLUE_MIN
    mask = (cmap * 255 > cut).astype(np.uint8)
    if mask.sum() < 30:
        return []
    if mode == "red" and not m.clean:
        mask = _grow_faint(cmap, mask, cut)
    short = m.short_side
    out: list[Proposal] = []
    # Close the gaps between the characters of one seal; a seal is a blob once closed.
    k = max(5, round(0.02 * short)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    # Outer contours give each blob's box; 0.1 ms against ~4 ms for labelling the whole map.
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if not _size_ok(w, h, short) or cv2.countNonZero(closed[y:y + h, x:x + w]) < 20:
            continue
        g = Geometry(x + w / 2, y + h / 2, w / 2, h / 2, 0.0)
        out.append(Proposal(mode, g, "blob"))
        out.append(Proposal(mode, Geometry(g.cx, g.cy, g.a, g.b, 0.0, True), "blob"))
    out.extend(_hough(cmap, mode, short))
    return out


# A faint e-seal with uneven ink (one side at a red excess of ~5-10) leaves arcs of its ring
# 30-50 px apart on the work image, which the closing above (0.02 of the short side) does not
# join: no blob covers the seal (s6 A08/doc_043: the pieces scored <= 0.15). Closed 4x wider
# (0.08 of the short side, about half a seal's diameter) the arcs, lettering and star make
# one blob (IoU 0.97 with the seal, 0.74). Only for pages where nothing was accepted (wider
# closing also merges red letterhead text into blocks, which the model and gates then judge).
WIDE_CLOSING = 4


def wide_red_proposals(m: Maps) -> list[Proposal]:
    """Red blobs closed ``WIDE_CLOSING`` times wider than in ``propose`` (as ellipses)."""
    mask = (m.red * 255 > COLOR_MIN).astype(np.uint8)
    if mask.sum() < 30:
        return []
    if not m.clean:
        mask = _grow_faint(m.red, mask, COLOR_MIN)
    short = m.short_side
    k = (max(5, round(0.02 * short)) * WIDE_CLOSING) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[Proposal] = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if _size_ok(w, h, short):
            out.append(Proposal("red", Geometry(x + w / 2, y + h / 2, w / 2, h / 2, 0.0),
                                "wide"))
    return out


# A faint or pale seal on a raster page comes out of the colour map in pieces: stretches of
# its ring at 10-17 (a pale pink stamp, or a thin ring averaged with paper by the downscale)
# between pieces over the cut, too far apart for the closing to join (a faint oval on a dark
# scan: four arcs; seed 9502). Pixels over half the cut that touch the ink over the cut are
# ink too (hysteresis): chroma noise round black text (under ~12) joins only where it
# touches red ink already found.
FAINT_GROW_FRACTION = 0.5


def _grow_faint(cmap: np.ndarray, mask: np.ndarray, cut: float) -> np.ndarray:
    low = (cmap * 255 > FAINT_GROW_FRACTION * cut).astype(np.uint8)
    n, labels = cv2.connectedComponents(low, connectivity=8)
    if n <= 1:
        return mask
    keep = np.zeros(n, np.uint8)
    keep[np.unique(labels[mask > 0])] = 1
    keep[0] = 0
    return keep[labels]


HOUGH_LONG_SIDE = 500  # px: circle search runs on a half-size copy (~20 ms per map)
# Blur of a second circle search on the darkness map, which joins the specks of a worn ring
# in a black-and-white scan (1.6 and 2.2 tried: 2.2 found 2 more of 50 grey holdout seals,
# 1.6 none; the plain search stays for clean rings close to text).
DARK_HOUGH_SIGMA = 2.2
HOUGH_PERFECTNESS = 0.55  # HOUGH_GRADIENT_ALT param2: 1.0 = perfect circle; faint rings ~0.6


def _hough(strength: np.ndarray, mode: str, short: int, limit: int = 12,
           sigma: float = 0.8) -> list[Proposal]:
    """Circles by OpenCV's HOUGH_GRADIENT_ALT (far faster and more precise than the classic
    gradient method on text-heavy pages: 10-30 ms against 0.2-2.5 s measured here)."""
    h, w = strength.shape
    f = min(1.0, HOUGH_LONG_SIDE / max(h, w))
    top = max(float(strength.max()), 1e-3)
    img: np.ndarray = np.clip(strength * (255.0 / top), 0, 255).astype(np.uint8)
    if f < 1.0:
        img = cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))),
                         interpolation=cv2.INTER_AREA)
    img = cv2.GaussianBlur(img, (3, 3) if sigma <= 0.8 else (0, 0), sigma)
    rmin = max(5, round(MIN_SIZE_FRAC * short * f / 2))
    rmax = round(MAX_SIZE_FRAC * short * f / 2)
    circles = cv2.HoughCircles(img, cv2.HOUGH_GRADIENT_ALT, dp=1, minDist=rmin * 2, param1=60,
                               param2=HOUGH_PERFECTNESS, minRadius=rmin, maxRadius=rmax)
    out: list[Proposal] = []
    if circles is None:
        return out
    for cx, cy, r in circles[0][:limit]:
        out.append(Proposal(mode, Geometry(float(cx) / f, float(cy) / f, float(r) / f,
                                           float(r) / f, 0.0), "hough"))
    return out


def _dark_proposals(m: Maps) -> list[Proposal]:
    short = m.short_side
    out = (_hough(m.dark, "dark", short, limit=20)
           + _hough(m.dark, "dark", short, limit=8, sigma=DARK_HOUGH_SIGMA))
    ink = (m.dark > DARK_MIN).astype(np.uint8)
    n, _lab, stats, _cent = cv2.connectedComponentsWithStats(ink, connectivity=8)
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if not _size_ok(w, h, short):
            continue
        # A ring is thin: its pixels cover little of its box. A filled square is a name seal
        # cut in relief (白文) when it is nearly square and not solid (its characters are
        # paper): proposed as a square only; the gates and the model decide.
        if area > 0.45 * w * h:
            if area <= FILLED_SQUARE_MAX_FILL * w * h and 0.75 <= w / h <= 1.33:
                out.append(Proposal("dark", Geometry(x + w / 2, y + h / 2, w / 2, h / 2, 0.0,
                                                     True), "filled"))
            continue
        g = Geometry(x + w / 2, y + h / 2, w / 2, h / 2, 0.0)
        out.append(Proposal("dark", g, "ring"))
        out.append(Proposal("dark", Geometry(g.cx, g.cy, g.a, g.b, 0.0, True), "ring"))
    return out


# A worn 1-bit seal crossed by black type gives the circle search nothing (its ring is in
# pieces, the type is as black as the ring) while its solid star survives: measured at the
# truth circle, two such rings scored 0.97 and 0.47 under the grey model with every gate
# passed (seeds 9505 A07/doc_018, 9506 A11/doc_070), but no proposal came near them. The star
# is the seal's centre. An opening with a disc of 0.004 of the short side (~3 px here) removes
# text strokes and keeps the star's solid body (1-2 blobs left per page, ~5 ms); each
# squarish blob of a star's size proposes circles of 1/0.25, 1/0.3 and 1/0.37 times its
# half-size (a seal's star spans 0.25-0.35 of its radius), which the border refit then pulls
# onto the ring. Used only where nothing else was accepted (``seals._star_candidates``).
STAR_OPEN_FRAC = 0.004
STAR_MIN_FRAC, STAR_MAX_FRAC = 0.02, 0.1  # star width, of the short side
STAR_RADIUS_SHARES = (0.25, 0.3, 0.37)
# The opened star covers 0.46-0.58 of its box (the two seals above); solid blocks ~1, open
# line drawings and glyph remains less. A photo of a certificate left 17 star-sized blobs
# (+0.07 s), so at most the 5 closest to a star's cover are tried.
STAR_MIN_FILL, STAR_MAX_FILL, STAR_FILL = 0.35, 0.8, 0.55
STAR_MAX_BLOBS = 5


def star_proposals(m: Maps) -> list[Proposal]:
    """Circles centred on solid, star-sized blobs of the darkness map."""
    short = m.short_side
    ink = (m.dark > DARK_MIN).astype(np.uint8)
    r = max(1, round(STAR_OPEN_FRAC * short))
    core = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    n, _lab, stats, _cent = cv2.connectedComponentsWithStats(core, connectivity=8)
    blobs: list[tuple[float, int, int, int, int]] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        size = max(w, h)
        fill = area / (w * h)
        if (STAR_MIN_FRAC * short <= size <= STAR_MAX_FRAC * short and 0.7 <= w / h <= 1.4
                and STAR_MIN_FILL <= fill <= STAR_MAX_FILL):
            blobs.append((abs(fill - STAR_FILL), x, y, w, h))
    out: list[Proposal] = []
    for _d, x, y, w, h in sorted(blobs)[:STAR_MAX_BLOBS]:
        size = max(w, h)
        for share in STAR_RADIUS_SHARES:
            radius = size / 2 / share
            if 2 * radius <= MAX_SIZE_FRAC * short:
                out.append(Proposal("dark", Geometry(x + w / 2, y + h / 2, radius, radius, 0.0),
                                    "star"))
    return out


def propose(m: Maps, grey: bool = True) -> list[Proposal]:
    """Every candidate on the page; ``grey`` False skips the shape-only (dark ring) search,
    which is most of the cost on a page without colour ink."""
    out = _colour_proposals(m, "red") + _colour_proposals(m, "blue")
    return out + _dark_proposals(m) if grey else out


# --------------------------------------------------------------------------- profiles


def ink_map(m: Maps, mode: str) -> np.ndarray:
    return m.red if mode == "red" else m.blue if mode == "blue" else m.dark


def _grid(g: Geometry, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cos_t, sin_t = np.cos(_T), np.sin(_T)
    if g.square:
        norm = np.maximum(np.abs(cos_t), np.abs(sin_t))
        ux, uy = cos_t / norm, sin_t / norm
    else:
        ux, uy = cos_t, sin_t
    ex = scales[:, None] * g.a * ux[None, :]
    ey = scales[:, None] * g.b * uy[None, :]
    t = math.radians(g.angle)
    x = g.cx + ex * math.cos(t) - ey * math.sin(t)
    y = g.cy + ex * math.sin(t) + ey * math.cos(t)
    return x.astype(np.float32), y.astype(np.float32)


def _ray_points(g: Geometry, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One point per angle of ``_T``, each at its own normalised distance ``s[i]``."""
    cos_t, sin_t = np.cos(_T), np.sin(_T)
    ex, ey = s * g.a * cos_t, s * g.b * sin_t
    t = math.radians(g.angle)
    return (g.cx + ex * math.cos(t) - ey * math.sin(t), g.cy + ex * math.sin(t) + ey * math.cos(t))


def profile(ink: np.ndarray, g: Geometry, scales: np.ndarray = _S) -> np.ndarray:
    """Ink sampled at (distance, angle): shape (len(scales), len(_T))."""
    x, y = _grid(g, scales)
    return cv2.remap(ink, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _band(s0: float, s1: float) -> slice:
    i0 = int(np.searchsorted(_S, s0 - 1e-6))
    i1 = int(np.searchsorted(_S, s1 + 1e-6))
    return slice(i0, max(i1, i0 + 1))


def refine(ink: np.ndarray, g: Geometry) -> Geometry:
    """Re-fit the border: the outermost strong ink along each ray, then an ellipse fit."""
    if g.square:
        return _refine_square(ink, g)
    scales = np.linspace(0.7, 1.35, 27, dtype=np.float32)
    p = profile(ink, g, scales)
    peak = p.max(axis=0)
    level = max(0.5 * float(np.median(peak)), 1e-3)
    # 0.35 of the ray's peak: a grey seal's ring is lighter than black text crossing it.
    strong = p >= np.maximum(0.35 * peak[None, :], level)
    has = peak >= level
    if has.sum() < 0.5 * len(_T):
        return g
    idx = len(scales) - 1 - np.argmax(strong[::-1, :], axis=0)  # outermost strong sample
    s = scales[idx]
    xs, ys = _ray_points(g, s)
    sel = has & (np.abs(s - np.median(s[has])) < 0.22)
    if sel.sum() < 0.45 * len(_T):
        return g
    pts = np.stack([xs[sel], ys[sel]], axis=1).astype(np.float32)
    (cx, cy), (d1, d2), ang = cv2.fitEllipse(pts)
    if not (np.isfinite(d1) and np.isfinite(d2)) or min(d1, d2) < 4:
        return g
    # One robust pass: text touching the seal pulls single rays outward; refit on the points
    # within 6% of the first fit.
    t = math.radians(ang)
    dx, dy = pts[:, 0] - cx, pts[:, 1] - cy
    u = (dx * math.cos(t) + dy * math.sin(t)) / (d1 / 2)
    v = (-dx * math.sin(t) + dy * math.cos(t)) / (d2 / 2)
    inl = np.abs(np.sqrt(u * u + v * v) - 1.0) < 0.06
    if inl.sum() >= max(12, 0.5 * len(pts)):
        (cx, cy), (d1, d2), ang = cv2.fitEllipse(pts[inl])
        if not (np.isfinite(d1) and np.isfinite(d2)) or min(d1, d2) < 4:
            return g
    a, b = d1 / 2, d2 / 2
    if max(a, b) > 1.5 * max(g.a, g.b) or min(a, b) < 0.5 * min(g.a, g.b):
        return g
    if max(a, b) / max(min(a, b), 1e-3) < 1.04:  # a circle: drop the meaningless angle
        r = (a + b) / 2
        return Geometry(float(cx), float(cy), r, r, 0.0)
    return Geometry(float(cx), float(cy), float(a), float(b), float(ang))


def _refine_square(ink: np.ndarray, g: Geometry) -> Geometry:
    """Tighten a square candidate to the ink inside a slightly enlarged box."""
    h, w = ink.shape
    x0 = max(0, int(g.cx - 1.15 * g.a))
    x1 = min(w, int(g.cx + 1.15 * g.a) + 1)
    y0 = max(0, int(g.cy - 1.15 * g.b))
    y1 = min(h, int(g.cy + 1.15 * g.b) + 1)
    crop = ink[y0:y1, x0:x1]
    if crop.size == 0:
        return g
    level = max(0.35 * float(crop.max()), 1e-3)
    cols = np.where((crop >= level).mean(axis=0) > 0.25)[0]
    rows = np.where((crop >= level).mean(axis=1) > 0.25)[0]
    if len(cols) < 2 or len(rows) < 2:
        return g
    bx0, bx1 = x0 + cols[0], x0 + cols[-1] + 1
    by0, by1 = y0 + rows[0], y0 + rows[-1] + 1
    return Geometry((bx0 + bx1) / 2, (by0 + by1) / 2, (bx1 - bx0) / 2, (by1 - by0) / 2, 0.0,
                    True)


def features(m: Maps, mode: str, g: Geometry) -> np.ndarray:
    ink = ink_map(m, mode)
    p = profile(ink, g)
    x0, y0, x1, y1 = (int(v) for v in g.bbox_px())
    h, w = ink.shape
    # Ink is judged relative to this candidate's own border strength (the median over rays of
    # the strongest ink on the border band): a faint grey seal among black text, or a pale
    # pink one, then looks like any other seal; text crossing it saturates at 1.
    ref = float(np.median(p[_band(0.88, 1.08)].max(axis=0)))
    ref = max(ref, COLOR_MIN / 255.0 if mode != "dark" else DARK_FLOOR)
    pn = np.clip(p / ref, 0.0, 1.0)  # ink relative to this candidate's own ink strength
    on = pn > 0.45
    border = pn[_band(0.88, 1.08)].max(axis=0)
    border_on = border > 0.45
    outside = pn[_band(1.12, 1.35)]
    text = pn[_band(0.55, 0.85)]
    gaps = _longest_false_run(border_on) / len(_T)
    edges = m.edges[max(0, y0):min(h, y1 + 1), max(0, x0):min(w, x1 + 1)]
    inside_ink = on[_band(0.0, 0.95)]
    strength = float(np.median(p[_band(0.0, 0.95)][inside_ink])) if inside_ink.any() else 0.0
    return np.array([
        float(border_on.mean()),
        float(border.mean()),
        float(border.mean() - outside.mean()),
        float(text.mean()),
        float(on[_band(0.55, 0.85)].any(axis=0).mean()),
        float(pn[_band(0.3, 0.5)].mean()),
        float(pn[_band(0.0, 0.22)].mean()),
        float(outside.mean()),
        float(pn[_band(0.0, 1.0)].mean()),
        float(gaps),
        float(min(g.a, g.b) / max(g.a, g.b, 1e-3)),
        float(2 * max(g.a, g.b) / m.short_side),
        0.0 if mode == "dark" else 1.0,
        1.0 if g.square else 0.0,
        float((edges > 0).mean()) if edges.size else 0.0,
        min(1.0, strength * (1.0 if mode == "dark" else 4.0)),
        _ring_peak(pn),
        _inner_ring(pn),
        float((pn[_band(0.0, 0.1)] > 0.45).mean()),
        float((pn[_band(0.0, 0.2)] > 0.45).mean()),
        _flat_colour(m, mode, g, on),
    ], dtype=np.float32)


def _flat_colour(m: Maps, mode: str, g: Geometry, on: np.ndarray) -> float:
    """Share of the disc (0..0.95) whose raw colour is at least half the border's but which
    the local-paper subtraction took for paper: the candidate lies in a flat painted area
    (the sky of a journal cover's picture, whose edges become a chance ring once the area
    is subtracted as "paper"). Seal ink on white or tinted paper keeps its colour after the
    subtraction, so this stays near 0 for seals; 0 on the darkness map."""
    raw = m.red_raw if mode == "red" else m.blue_raw if mode == "blue" else None
    if raw is None:
        return 0.0
    pr = profile(raw, g)
    ref = max(float(np.median(pr[_band(0.88, 1.08)].max(axis=0))), COLOR_MIN / 255.0)
    disc = _band(0.0, 0.95)
    return float(((pr[disc] >= 0.5 * ref) & ~on[disc]).mean())


def _ring_peak(pn: np.ndarray) -> float:
    """A drawn border puts the strongest ink of every ray at the same distance (near 1.0; a
    thick square border peaks a little inside); text or a table grid under a chance circle
    puts it anywhere. The peak of a ray is the centre of its samples within 80% of its
    maximum, so a thick (saturated) stroke peaks at its middle, not its inner edge."""
    band = _band(0.8, 1.2)
    seg = pn[band]
    top = seg.max(axis=0)
    near = seg >= 0.8 * top[None, :]
    pos = _S[band][:, None]
    arg = (near * pos).sum(axis=0) / np.maximum(near.sum(axis=0), 1)
    strong = top > 0.45
    if strong.sum() < 3:
        return 0.0
    centre = float(np.median(arg[strong]))
    if abs(centre - 1.0) > 0.12:
        return 0.0
    return float((strong & (np.abs(arg - centre) <= 0.06)).mean())


# A thin line at distance s: ink at s (±1 sample) and paper all along 3-5 samples (0.075-0.125
# of the radius) inside and outside it. A seal's characters are 0.2-0.3 of the radius tall,
# so a character band is no thin line (the strokes of a character always fall in one of the
# flanks); a printed emblem's or badge's inner ring (at 0.6-0.82) is.
_INNER_LO, _INNER_HI, _INNER_SIDE = 0.3, 0.85, 3


def _inner_ring(pn: np.ndarray) -> float:
    """How completely a thin ring concentric with the border runs inside it: the coverage of
    the best such ring times one minus its longest gap (1.0 = a closed ring). Printed
    emblems and 核心期刊 badges have one (a border, a band of text, an inner ring); official
    seals have none inside their character band, except bilingual seals (with a star)."""
    i0 = int(np.searchsorted(_S, _INNER_LO))
    i1 = int(np.searchsorted(_S, _INNER_HI))
    k = _INNER_SIDE
    best = 0.0
    covers: list[tuple[float, np.ndarray]] = []
    for j in range(i0, i1):
        core = pn[j - 1:j + 2].max(axis=0)
        inner = pn[j - k - 2:j - k + 1].max(axis=0)
        outer = pn[j + k:j + k + 3].max(axis=0)
        thin = (core > 0.45) & (inner < 0.5 * core) & (outer < 0.5 * core)
        covers.append((float(thin.mean()), thin))
    for cov, thin in sorted(covers, key=lambda c: -c[0])[:3]:  # the gap only for the best
        best = max(best, cov * (1.0 - _longest_false_run(thin) / len(thin)))
    return best


# Table rules and other straight lines: dark runs longer than 12% of the page's short side (a
# seal's ring is curved: its straightest stretch, at the top, is ~0.3 of its diameter, under
# 6% of the page). Grey lines of a scan count (darkness over 0.1).
LINE_MIN_FRAC = 0.12
LINE_INK = 0.1


# A photographed or skewed page tilts its table rules by 1-3 degrees; a 1-2 px rule tilted
# 1.5 degrees leaves a horizontal run of ~60 px, shorter than the line length, so the rules
# are also looked for along lines tilted by these angles (the ink turned the other way, opened,
# turned back). A seal's ring is no straighter at any angle.
LINE_TILTS = (0.0, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0)


def line_free_dark(m: Maps) -> np.ndarray:
    """The darkness map with long straight lines, horizontal or vertical within a few
    degrees (and a pixel around them), removed: what is left of a chance circle drawn by a
    table's rules."""
    ink = (m.dark > LINE_INK).astype(np.uint8)
    n = max(15, round(LINE_MIN_FRAC * m.short_side))
    h, w = ink.shape
    horizontal = cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1))
    vertical = cv2.getStructuringElement(cv2.MORPH_RECT, (1, n))
    lines: np.ndarray = np.zeros_like(ink)
    for tilt in LINE_TILTS:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
        turned = ink if tilt == 0 else cv2.warpAffine(ink, turn, (w, h), flags=cv2.INTER_NEAREST)
        found: np.ndarray = cv2.max(cv2.morphologyEx(turned, cv2.MORPH_OPEN, horizontal),
                        cv2.morphologyEx(turned, cv2.MORPH_OPEN, vertical))
        if tilt != 0:
            found = cv2.warpAffine(found, turn, (w, h), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
        lines = cv2.max(lines, found)
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    return np.where(lines > 0, np.float32(0), m.dark)


def border_cover(ink: np.ndarray, g: Geometry, ref_ink: np.ndarray | None = None) -> float:
    """``border_cov`` of ``g`` on ``ink``, the ink judged against the border strength measured
    on ``ref_ink`` (default ``ink``)."""
    p = profile(ink, g)
    pr = p if ref_ink is None else profile(ref_ink, g)
    ref = max(float(np.median(pr[_band(0.88, 1.08)].max(axis=0))), DARK_FLOOR)
    return float((np.clip(p / ref, 0.0, 1.0)[_band(0.88, 1.08)].max(axis=0) > 0.45).mean())


def _longest_false_run(on: np.ndarray) -> int:
    """Longest circular run of False in ``on`` (the widest gap in a border)."""
    if on.all():
        return 0
    if not on.any():
        return len(on)
    seq = np.roll(on, -int(np.argmax(on)))  # start at an "on" sample: no run wraps around
    best = run = 0
    for v in seq:
        run = 0 if v else run + 1
        best = max(best, run)
    return best


# The colour of a ring is read where it is inked: on each ray, at the darkest sample of the
# border band (and one sample either side: the colour maps are a little sharper than the
# darkness map's peak). A ray counts as coloured at RING_COLOUR_MIN of 255 (the red or blue
# excess over the local paper); a pale pink ring on a blurred photo reads 8-15 there, black
# text and grey printing 0-3.
RING_COLOUR_MIN = 8.0


def ring_colour(m: Maps, g: Geometry) -> tuple[float, float]:
    """(red, blue): the share of the border's inked rays (darkness at least 0.45 of the
    border's median peak) whose ink is red, resp. blue. Black text crossing a seal or
    printed under it takes a few rays; the box as a whole can still be mostly black ink."""
    band = _band(0.86, 1.1)
    pd = profile(m.dark, g)[band]
    k = pd.argmax(axis=0)
    j = np.arange(pd.shape[1])
    peak = pd[k, j]
    inked = peak >= 0.45 * max(float(np.median(peak)), DARK_FLOOR)
    n = int(inked.sum())
    if n == 0:
        return 0.0, 0.0
    shares = []
    for cmap in (m.red, m.blue):
        pc = profile(cmap, g)[band]
        near = np.maximum.reduce([pc[np.clip(k + d, 0, len(pc) - 1), j] for d in (-1, 0, 1)])
        shares.append(float(((near * 255 >= RING_COLOUR_MIN) & inked).sum() / n))
    return shares[0], shares[1]
