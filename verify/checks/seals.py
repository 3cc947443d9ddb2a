"""Official seals (公章): find them on a page. Report contract ``seals[]``; notice 五(一)2.

``find_seals`` runs on every page as delivered (before any rotation to upright); bboxes are
fractions of that page. How it works (details in ``seal_geometry``): candidates are proposed
from colour blobs, Hough circles and ring-shaped dark components on a ~1000 px copy of the
page, refined along rays from their centre, described by a radial ink profile, and scored by
boosted trees fitted on synthetic pages: one model for colour-map candidates, one for grey
rings (``models/seals/README.md``). A born-digital page skips the grey search unless it is a
grey page holding a raster image (``may_hold_seal``, ``needs_grey_search``). Only accepted seals
are unwrapped and read (``seal_text``), and only when an OCR engine is given.

Evidence only: whether a missing seal is a finding is the profile's rule (SEAL_MISSING).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from ..debug import BLUE, GREEN, ORANGE, RED, PageCanvas
from ..model import BBox, Seal
from ..pages import Page
from ..text.ocr import OcrEngine
from .seal_geometry import (
    FEATURE_NAMES,
    WORK_LONG_SIDE,
    Geometry,
    Maps,
    Proposal,
    border_cover,
    build_maps,
    features,
    ink_map,
    line_free_dark,
    propose,
    refine,
    ring_colour,
    star_proposals,
    wide_red_proposals,
)
from .seal_text import SealUnitMatch, compare_seal_unit, read_seal_text, suppress_seal_ink

log = logging.getLogger(__name__)

__all__ = [
    "SealCandidate",
    "SealUnitMatch",
    "compare_seal_unit",
    "draw_seal_debug",
    "find_seals",
    "seal_candidates",
    "suppress_seal_ink",
]

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "seals"
# Two models: candidates found on a colour map (red, blue) and grey-ring candidates found on
# the darkness map. One model for both learnt from the many worn grey seals to accept weak
# rings, and then took blue guilloche ovals on real certificates for seals.
MODEL_PATHS = {"colour": MODEL_DIR / "seal_classifier.json",
               "grey": MODEL_DIR / "seal_classifier_grey.json"}
MODEL_PATH = MODEL_PATHS["colour"]
# Two candidates describe the same seal when their centres are within 30% of the seal's size
# of each other (an inner ring, a part) or they overlap with IoU > 0.6. Two real seals stamped
# over each other (project covers: unit + qualification seal) sit ≥ 0.4 sizes apart.
SAME_SEAL_CENTRE = 0.3
SAME_SEAL_IOU = 0.6
ROUND_MIN_AXIS_RATIO = 0.86  # minor/major at or above: "round" (perspective squeezes ~0.9)


@dataclass(frozen=True)
class BoostedTrees:
    """Gradient-boosted depth-2 trees on the logistic loss, evaluated in numpy.

    ``nodes[k]`` = (feature, threshold) for the root, then for its left and right children;
    ``leaves[k]`` = the four leaf values (left-left, left-right, right-left, right-right).
    Depth 2 lets a split depend on another (e.g. "ink between characters and centre" matters
    differently for colour and for grey candidates), which one logistic model could not do.
    """

    features: np.ndarray  # (n_trees, 3) int
    thresholds: np.ndarray  # (n_trees, 3) float
    leaves: np.ndarray  # (n_trees, 4) float
    base: float

    def score(self, x: np.ndarray) -> np.ndarray:
        f, t = self.features, self.thresholds
        root = x[:, f[:, 0]] > t[None, :, 0]  # (n, trees)
        left = x[:, f[:, 1]] > t[None, :, 1]
        right = x[:, f[:, 2]] > t[None, :, 2]
        leaf = np.where(root, 2 + right.astype(int), left.astype(int))
        z = self.base + np.take_along_axis(
            np.broadcast_to(self.leaves[None], (len(x), *self.leaves.shape)),
            leaf[..., None], axis=2)[..., 0].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


@dataclass(frozen=True)
class SealModel:
    feature_names: tuple[str, ...]
    trees: BoostedTrees
    threshold: float

    def score(self, x: np.ndarray) -> np.ndarray:
        """Scores of rows of all ``FEATURE_NAMES``; the model reads the ones it was fitted on."""
        cols = [FEATURE_NAMES.index(n) for n in self.feature_names]
        return self.trees.score(x[:, cols])


@cache
def load_model(path: Path = MODEL_PATH) -> SealModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    names = tuple(data["features"])
    if not set(names) <= set(FEATURE_NAMES):
        raise ValueError(f"seal model {path} was fitted on other features: {names}")
    trees = BoostedTrees(np.asarray(data["tree_features"], np.int64),
                         np.asarray(data["tree_thresholds"], np.float32),
                         np.asarray(data["tree_leaves"], np.float32), float(data["base"]))
    return SealModel(names, trees, float(data["threshold"]))


def model_family(mode: str) -> str:
    """Which model scores a candidate found on map ``mode``."""
    return "grey" if mode == "dark" else "colour"


@dataclass(frozen=True)
class SealCandidate:
    """One proposed seal with what was measured about it (for debugging and fitting)."""

    bbox: BBox  # page fractions
    mode: str  # "red" | "blue" | "dark": the map it was found and measured on
    source: str  # "blob" | "hough" | "ring"
    geometry: Geometry  # in work-image pixels
    features: tuple[float, ...]
    score: float
    accepted: bool

    @property
    def shape(self) -> str:
        g = self.geometry
        if g.square:
            return "square"
        return "round" if min(g.a, g.b) / max(g.a, g.b) >= ROUND_MIN_AXIS_RATIO else "oval"


def _bbox_frac(g: Geometry, m: Maps) -> BBox:
    h, w = m.red.shape
    x0, y0, x1, y1 = g.bbox_px()
    return (max(0.0, x0 / w), max(0.0, y0 / h), min(1.0, x1 / w), min(1.0, y1 / h))


def _iou(a: BBox, b: BBox) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# Hard gates before the model (why: the logistic model extrapolates badly far from its data;
# these hold for every seal drawn or photographed here and exclude whole trap families).
GATE_MIN_RING_PEAK = 0.4  # a drawn border: on 40% of the rays the ink peaks on the border
# line (real seals measured 0.44-1.0 on /work/shared/realworld; chance circles in text,
# guilloche or photos 0.02-0.35)
GATE_MAX_FILL = 0.5  # filled badges, bars and fingerprints are mostly ink
GATE_MAX_FILL_SQUARE = 0.88  # a 白文 name seal is 55-85% ink; a solid bar ~100%
# Sizes (major axis / page short side). A name seal is ≥ 14 mm, a round seal ≥ 30 mm: on A4
# (210 mm) 0.065 and 0.14; the minimums sit well below, but above a heading character (a
# 22 pt 国 or 回 is a square with strokes inside: 0.037).
GATE_MIN_SIZE = 0.055
GATE_MIN_SIZE_SQUARE = 0.065
GATE_MIN_AXIS_RATIO = 0.55  # an invoice oval is 0.7-0.75; perspective squeezes a little more
GATE_MIN_AXIS_RATIO_SQUARE = 0.75  # a long rectangle is a badge, a box or a table cell


# A printed emblem or a round 核心期刊 badge: a second closed thin ring inside the border
# (paper on both flanks) and no clear star. Measured (inner_ring) on round candidates
# scoring ≥ 0.45 of the dev fixture sets d1, d3, f3, g1 (seeds 7101, 7103, 7203, 7301) and
# realworld: emblems 0.39-0.67; 195 true seals ≤ 0.22 (bilingual seals with an inner ring
# 0.15: their text touches it). The star (0.40-0.46 on emblems, often 0.9-1.0 on seals but
# as low as 0.01 on worn grey seals) only spares a clearly starred ring.
GATE_EMBLEM_INNER_RING = 0.3
GATE_EMBLEM_MAX_STAR = 0.8
# An emblem whose inner ring is lost in a scan (inner_ring 0.20-0.23) still has its legend
# all round (text_cov 0.93-1.0) and a line drawing in the centre (centre_solid 0.30-0.38 on
# the dev emblems); seals with text all round had a solid star there (0.43-0.99, 14
# candidates on the same sets and realworld).
GATE_EMBLEM_TEXT_ROUND = 0.85
# Emblems are round, but a ring fitted on a scan comes out at 0.85-0.9; oval seals are 0.75.
GATE_EMBLEM_MIN_AXIS_RATIO = 0.8
GATE_EMBLEM_MAX_CENTRE = 0.4
# A blurred badge on a phone photo: the blur half fills the paper flanks of its inner ring
# (inner_ring 0.26, a red 核心期刊 badge on a photo of a journal cover, seed 9507, accepted at
# 0.55 on the darkness map; 9504's emblem photo at 0.55 is of the same kind). Its centre holds
# upright characters, no star (star 0.00, centre_solid 0.05). True seals reach inner_ring 0.22
# only with text touching an inner ring, and the generator's and real round seals carry a
# star; a ring with nothing solid at its centre and a clear part of an inner ring is an emblem.
GATE_EMBLEM_INNER_RING_STARLESS = 0.24
GATE_EMBLEM_STARLESS = 0.1  # star and centre_solid both under this: no star at all


def _has_inner_ring(v: dict[str, float]) -> bool:
    starless = v["star"] < GATE_EMBLEM_STARLESS and v["centre_solid"] < GATE_EMBLEM_STARLESS
    return bool(v["is_square"] <= 0.5 and v["axis_ratio"] >= GATE_EMBLEM_MIN_AXIS_RATIO
                and v["star"] < GATE_EMBLEM_MAX_STAR
                and v["inner_ring"] >= (GATE_EMBLEM_INNER_RING_STARLESS if starless
                                        else GATE_EMBLEM_INNER_RING))


def is_emblem(f: np.ndarray) -> bool:
    """Round, with a closed inner ring and no solid star: a printed emblem or badge."""
    v = dict(zip(FEATURE_NAMES, f, strict=True))
    if v["is_square"] > 0.5 or v["axis_ratio"] < GATE_EMBLEM_MIN_AXIS_RATIO:
        return False
    inner_ring = _has_inner_ring(v)
    legend_round = (v["text_cov"] >= GATE_EMBLEM_TEXT_ROUND
                    and v["centre_solid"] < GATE_EMBLEM_MAX_CENTRE)
    return bool(inner_ring or legend_round)


# A grey-map ring stands on paper: the ink just outside it (relative to the ring's own ink)
# was 0.11-0.21 on every true grey-ring candidate of the dev fixtures and realworld, up to
# 0.35 for a faint seal (with its star) on a washed-out photo, where the text around is
# darker than the ring; a bright disc in a dark halftone (the moon in a dithered landscape:
# 0.73, no star) and chance circles in guilloche (0.39-0.54, no star) stand in ink.
GATE_MAX_OUTSIDE_GREY = 0.3
GATE_MAX_OUTSIDE_GREY_STAR = 0.6
GATE_MIN_LINE_FREE_BORDER = 0.5
GATE_STARRED = 0.6  # share of the centre disc in solid ink that counts as a star here


# A colour candidate lying in a flat painted area: the sky of a journal cover's picture is
# blue "paper" after the local-paper subtraction, and its edges draw a chance oval (0.55 and
# 0.86 on a photo and a scan of covers, seeds 9101 and 7373). flat_colour on the colour
# candidates scoring >= 0.3 of the dev sets (s1, s2, dev2, d1, f1, p7801, fp7801, g7601, h1,
# hg, fx-dev) and realworld: 384 true seals <= 0.004; painted-area candidates 0.51-0.92.
GATE_MAX_FLAT_COLOUR = 0.2


def passes_gates(f: np.ndarray) -> bool:
    if is_emblem(f):
        return False
    v = dict(zip(FEATURE_NAMES, f, strict=True))
    if v["flat_colour"] > GATE_MAX_FLAT_COLOUR:
        return False
    if v["is_colour"] < 0.5 and v["outside_mean"] > (
            GATE_MAX_OUTSIDE_GREY_STAR if v["star"] >= GATE_STARRED
            else GATE_MAX_OUTSIDE_GREY):
        return False
    square = v["is_square"] > 0.5
    # A name seal cut in relief (白文) is a filled square (red, or grey in a grey scan) with
    # paper-white characters: mostly ink, but not solid (a bar of a chart is solid).
    # Its border is the edge of the ink block, so no ring peak: it must be closed all round.
    filled_name_seal = (square and GATE_MAX_FILL < v["fill"]
                        <= GATE_MAX_FILL_SQUARE and v["border_cov"] >= 0.8)
    return bool(
        (filled_name_seal
         or (v["fill"] <= GATE_MAX_FILL and v["ring_peak"] >= GATE_MIN_RING_PEAK))
        and v["rel_size"] >= (GATE_MIN_SIZE_SQUARE if square else GATE_MIN_SIZE)
        and v["axis_ratio"] >= (GATE_MIN_AXIS_RATIO_SQUARE if square else GATE_MIN_AXIS_RATIO)
    )


# An emblem or badge seen on another map, or in part. The inner-ring test reads one
# candidate on one map: a blue emblem's thin inner ring is lighter blue, under the blue map's
# cut (inner_ring 0.16 on the blue map, 0.64 on the darkness map at the same place: a photo
# of set E), and a candidate fitted on a badge's inner ring and legend (an oval inside it,
# axis 0.71) has no inner ring of its own (seed 9101, 0.63). So a candidate that is the same
# mark as a ring-shaped candidate with a closed inner ring and no star, on any map, or lies
# mostly inside it, is that emblem. Over the dev sets and realworld no accepted true seal
# coincided with such a ring (their dark-map rings: inner_ring <= 0.22); the legend-round
# emblem rule is not used here: a red seal over black text reads as a legend all round on the
# darkness map (5 true seals).
EMBLEM_PART_INSIDE = 0.7
EMBLEM_MIN_BORDER = 0.7


def _emblem_boxes(m: Maps, measured: list[tuple[Proposal, Geometry, np.ndarray]]) -> list[BBox]:
    out = []
    for _p, g, f in measured:
        v = dict(zip(FEATURE_NAMES, f, strict=True))
        if (_has_inner_ring(v) and v["ring_peak"] >= GATE_MIN_RING_PEAK
                and v["border_cov"] >= EMBLEM_MIN_BORDER and v["fill"] <= GATE_MAX_FILL
                and v["rel_size"] >= GATE_MIN_SIZE):
            out.append(_bbox_frac(g, m))
    return out


def _emblem_part(bbox: BBox, emblems: list[BBox]) -> bool:
    return any(_same_seal(bbox, e) or _inside(bbox, e) >= EMBLEM_PART_INSIDE for e in emblems)


def _inside(a: BBox, b: BBox) -> float:
    """Share of box ``a`` that lies inside box ``b``."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy / max((a[2] - a[0]) * (a[3] - a[1]), 1e-9)


def _same_seal(a: BBox, b: BBox) -> bool:
    if _iou(a, b) > SAME_SEAL_IOU:
        return True
    size = max(a[2] - a[0], a[3] - a[1], b[2] - b[0], b[3] - b[1], 1e-6)
    dx = ((a[0] + a[2]) - (b[0] + b[2])) / 2
    dy = ((a[1] + a[3]) - (b[1] + b[3])) / 2
    return bool(math.hypot(dx, dy) < SAME_SEAL_CENTRE * size)


def _measure(m: Maps, props: list[Proposal]) -> list[tuple[Proposal, Geometry, np.ndarray]]:
    """Refine and describe every proposal once. A blob or ring component is tried as an
    ellipse and as a square; only the shape whose border holds more ink is kept."""
    out: list[tuple[Proposal, Geometry, np.ndarray]] = []
    seen: list[tuple[str, Geometry]] = []
    pending: dict[tuple[str, str, int, int], tuple[Proposal, Geometry, np.ndarray]] = {}
    for p in props:
        ink = ink_map(m, p.mode)
        g = refine(ink, refine(ink, p.geom))  # twice: a circle guess converges on an oval
        # Proposals from several sources often converge on the same border: measure once.
        if any(mode == p.mode and gg.square == g.square and abs(gg.cx - g.cx) < 2
               and abs(gg.cy - g.cy) < 2 and abs(gg.a - g.a) < 2 for mode, gg in seen):
            continue
        seen.append((p.mode, g))
        f = features(m, p.mode, g)
        if p.source == "hough":
            out.append((p, g, f))
            continue
        key = (p.mode, p.source, round(p.geom.cx), round(p.geom.cy))
        other = pending.get(key)
        if other is None or (passes_gates(f), f[1]) > (passes_gates(other[2]), other[2][1]):
            pending[key] = (p, g, f)
    out.extend(pending.values())
    return out


def seal_candidates(page: Page, maps: Maps | None = None) -> tuple[SealCandidate, ...]:
    """Every candidate with its features and score, best first; ``accepted`` marks the seals.

    Acceptance: score over the model threshold, and not overlapping a better accepted one.
    """
    if not may_hold_seal(page):
        return ()
    m = maps if maps is not None else build_maps(page.image, page.origin == "born_digital")
    colour_page = is_colour_page(m)
    grey = needs_grey_search(page, colour_page)
    measured = _measure(m, propose(m, grey=grey))
    if not measured:
        if not grey:
            return ()
        stars = _star_candidates(m, [], colour_page)
        if not any(c.accepted for c in stars):  # as on the main path: only when nothing was kept
            # (one star proposes three concentric radii: a second one must not join the first)
            stars = _second_chance(m, stars, colour_page, None)
        return tuple(sorted(stars, key=lambda c: -c.score))
    x = np.stack([f for _, _, f in measured])
    family = np.array([model_family(p.mode) for p, _, _ in measured])
    scores = np.zeros(len(measured))
    thresholds = np.zeros(len(measured))
    for name in ("colour", "grey"):
        sel = family == name
        if sel.any():
            model = load_model(MODEL_PATHS[name])
            scores[sel] = model.score(x[sel])
            thresholds[sel] = model.threshold
    order = np.argsort(-scores)
    cands: list[SealCandidate] = []
    kept: list[BBox] = []
    emblems = _emblem_boxes(m, measured)
    no_lines: np.ndarray | None = None  # the darkness map without long lines, when needed
    for i in order:
        p, g, f = measured[i]
        bbox = _bbox_frac(g, m)
        ring = ("grey" if not colour_page or p.mode != "dark" or scores[i] < thresholds[i]
                else _ring_ink(m, g))
        # A filled square in blue is a block of a figure or a button, not a name seal (白文
        # name seals are red; a blue block's corner passed as one on a scanned article), also
        # when found on the darkness map of a colour page (a printed logo, blue with white
        # letters, under a blue seal on a scanned certificate: 0.51).
        blue_block = _blue_block(m, p.mode, g, f, ring)
        ok = (bool(scores[i] >= thresholds[i]) and passes_gates(_gate_features(m, g, f, ring))
              and not blue_block
              and (not colour_page or p.mode != "dark" or ring != "grey"
                   or _ink_colour(m, g) != "grey")
              and not any(_same_seal(bbox, k) for k in kept)
              and not _emblem_part(bbox, emblems))
        if ok and p.mode == "dark":
            # A grey ring must stay a ring once the page's long straight lines are gone:
            # chance circles in a table are drawn by its rules (0.18-0.43 left of 0.55-0.61
            # on the dev sets' project-cover tables); true grey rings kept ≥ 0.95 of their
            # coverage (≥ 0.60), also where stamped over table lines.
            no_lines = line_free_dark(m) if no_lines is None else no_lines
            ok = border_cover(no_lines, g, m.dark) >= GATE_MIN_LINE_FREE_BORDER
        if ok:
            kept.append(bbox)
        cands.append(SealCandidate(bbox, p.mode, p.source, g, tuple(float(v) for v in f),
                                   float(scores[i]), ok))
    if not kept:
        cands += _wide_candidates(m, emblems)
        if grey and not any(c.accepted for c in cands):
            cands += _star_candidates(m, emblems, colour_page)
        kept = [c.bbox for c in cands if c.accepted]
        cands.sort(key=lambda c: -c.score)
    if kept:
        cands = _companions(m, cands, colour_page, no_lines, emblems)
    else:
        cands = _second_chance(m, [c for c in cands if not _emblem_part(c.bbox, emblems)],
                               colour_page, no_lines) + [
            c for c in cands if _emblem_part(c.bbox, emblems)]
        cands.sort(key=lambda c: -c.score)
    return tuple(cands)


# Second chance for a page's only grey ring. Worn grey rings crossed by text lines and rings
# on low-contrast scans scored 0.28-0.49 under the grey model (threshold 0.5). On pages where
# nothing else was accepted, a large round/oval grey ring that passes every gate, keeps its
# border once the long lines are gone and scores >= 0.25 is taken. Chosen on the near-miss
# grey candidates of g7601, grey41b/43b, g1, realworld, hg and h1 (42 candidates 0.1-0.5):
# the 6 true rings scored 0.28-0.49, had no inner ring (inner_ring 0.02-0.11) and stood on
# clean paper (outside_mean 0.03-0.15). The negatives at >= 0.25 with their border line-free:
# worn emblems and 核心期刊 badges whose inner ring half survives (inner_ring 0.20-0.25), a
# badge on a phone photo standing in print (outside_mean 0.27), a small oval (rel_size 0.07)
# and a filled square.
SECOND_CHANCE_SCORE = 0.25
SECOND_CHANCE_MIN_SIZE = 0.12
SECOND_CHANCE_MAX_FILL = 0.45
SECOND_CHANCE_MAX_INNER_RING = 0.15
SECOND_CHANCE_MAX_OUTSIDE = 0.2
# A seal has characters inside its ring: edges cover 3-27% of its box (true grey-map seals
# scoring >= 0.25 on the dev sets and realworld: texture >= 0.032). An empty ring does not get
# the second chance: the outline of a bright disc in a grey-scanned cover picture (texture
# 0.011, seed 9101) was taken once a badge's part on the same page was no longer accepted.
SECOND_CHANCE_MIN_TEXTURE = 0.025


# Second chance for a page's only red ring. A red oval seal on a phone photo with half its
# ring worn away (partial ink) scored 0.48 under the colour model (threshold 0.5). Red
# near-misses (gates passed, nothing accepted on the page, score >= 0.15) over ~1000
# documents (fx-final/2/3, fx-holdout, g7601, h1-h3, p7801, fp7801, dev2, f1, d1, hg): that
# seal (rel_size 0.13, fill 0.10) and two red fingerprints (score 0.36-0.37, rel_size
# 0.07-0.08, fill 0.39-0.41); at 0.3 a circle inside a red rectangular badge of the synthetic
# holdout pages (0.32) was taken too, hence 0.4. The blue near-misses are 核心期刊 badges and
# figure ovals, so blue gets no second chance.
SECOND_CHANCE_RED_SCORE = 0.4
SECOND_CHANCE_RED_MIN_SIZE = 0.1
SECOND_CHANCE_RED_MAX_FILL = 0.3
# A solid star adds ink to the fill: a red seal on a phone photo with half its ring faint
# (score 0.47, fill 0.31, star 1.00; seed 9505 IMG_2016) missed the cut above by 0.01. A
# starred ring (star >= SECOND_CHANCE_STAR) may fill up to the grey second chance's limit.
# Red starred candidates with score >= 0.2 on the pages with nothing accepted of the tuning
# sets (9505-9507, fx-dev): that seal and three fingerprints or red blocks, filled 0.64-0.84.
SECOND_CHANCE_RED_MAX_FILL_STARRED = 0.45


def _red_second_chance(c: SealCandidate) -> bool:
    v = dict(zip(FEATURE_NAMES, c.features, strict=True))
    max_fill = (SECOND_CHANCE_RED_MAX_FILL_STARRED if v["star"] >= SECOND_CHANCE_STAR
                else SECOND_CHANCE_RED_MAX_FILL)
    return (c.mode == "red" and c.score >= SECOND_CHANCE_RED_SCORE and not c.geometry.square
            and v["rel_size"] >= SECOND_CHANCE_RED_MIN_SIZE
            and v["fill"] <= max_fill and passes_gates(np.array(c.features)))


# Second chance for a blue ring with a solid star. A blue seal on a phone photo with the
# lower third of its ring worn away scored 0.31 (blue map) and 0.44 (darkness map; ring blue on
# 92% of its inked rays), star 0.99-1.0. A darkness-map ring must be seal ink as in the first
# pass (blue on half its inked rays). On the dev colour pages with nothing accepted (seeds
# 9101-9104, p7801, fp7801, h1, p1, d1, f1, fx-dev), the gated candidates with a coloured
# ring and score >= 0.1 that are not seals had a star of at most 0.75 (small printed
# emblems, rel_size 0.06) or were filled blue badges (fill 0.87); a printed emblem's centre
# is a line drawing (star 0.40-0.46), a seal's star is solid. Red rings keep their own
# second chance (0.4: a circle inside a red badge scored 0.32).
SECOND_CHANCE_STAR_SCORE = 0.3
SECOND_CHANCE_STAR = 0.9
SECOND_CHANCE_STAR_MIN_SIZE = 0.1


def _starred_second_chance(m: Maps, c: SealCandidate, colour_page: bool) -> bool:
    v = dict(zip(FEATURE_NAMES, c.features, strict=True))
    if (not colour_page or c.mode == "red" or c.score < SECOND_CHANCE_STAR_SCORE
            or c.geometry.square or v["star"] < SECOND_CHANCE_STAR
            or v["rel_size"] < SECOND_CHANCE_STAR_MIN_SIZE):
        return False  # (a red ring has the red second chance, at a higher score)
    f = np.array(c.features)
    if c.mode == "dark":
        ink = _ring_ink(m, c.geometry)
        if ink == "grey":
            ink = _star_ink(m, c.geometry)
        if ink == "grey":
            return False
        f = _gate_features(m, c.geometry, f, ink)
    return passes_gates(f)


# The star of a darkness-map ring read for colour. A pale or blurred seal on a phone photo
# can have its ring coloured on under half its rays (pink thinned by blur and by the black
# text it crosses: G A06/IMG_2113, red on the star 88, ring "grey"; a faint blue seal on a
# photo, fp7801 A02/IMG_2041, blue 25), while its solid star keeps its colour. Starred
# darkness-map rings (star >= 0.85, score >= 0.2, size >= 0.08) on the colour pages with
# nothing accepted of 13 sets (9501/9502, fx-holdout, A-H, p7801, fp7801; ~2200 pages):
# the 2 seals had a red (88) or blue (25) star, the 10 others (green and blue-green badges,
# black logos, grey photographed emblems) had a star at 0 on both colour maps.
STAR_DISC = 0.15  # of the ring's smaller half-axis: inside the star's solid body
STAR_MIN_INK = 20  # px of ink in the disc (work image) to read a colour from
STAR_RED_MIN = 20  # median red-map level (0-255) of the star's ink
STAR_BLUE_MIN = 15


def _star_ink(m: Maps, g: Geometry) -> str:
    """"red", "blue" or "grey": the colour of the solid ink at the centre of ``g``."""
    h, w = m.red.shape
    r = STAR_DISC * min(g.a, g.b)
    x0, x1 = max(0, int(g.cx - r)), min(w, int(g.cx + r) + 1)
    y0, y1 = max(0, int(g.cy - r)), min(h, int(g.cy + r) + 1)
    if x1 <= x0 or y1 <= y0:
        return "grey"
    yy, xx = np.mgrid[y0:y1, x0:x1]
    ink = (((xx - g.cx) ** 2 + (yy - g.cy) ** 2) <= r * r) & (m.dark[y0:y1, x0:x1] > 0.2)
    if int(ink.sum()) < STAR_MIN_INK:
        return "grey"
    if float(np.median(m.red[y0:y1, x0:x1][ink])) * 255 >= STAR_RED_MIN:
        return "red"
    if float(np.median(m.blue[y0:y1, x0:x1][ink])) * 255 >= STAR_BLUE_MIN:
        return "blue"
    return "grey"


def _second_chance(m: Maps, cands: list[SealCandidate], colour_page: bool,
                   no_lines: np.ndarray | None) -> list[SealCandidate]:
    for k, c in enumerate(cands):  # best score first
        if _red_second_chance(c) or _starred_second_chance(m, c, colour_page):
            out = list(cands)
            out[k] = replace(c, accepted=True)
            return out
        v = dict(zip(FEATURE_NAMES, c.features, strict=True))
        if (c.mode != "dark" or c.score < SECOND_CHANCE_SCORE or c.geometry.square
                or v["rel_size"] < SECOND_CHANCE_MIN_SIZE or v["fill"] > SECOND_CHANCE_MAX_FILL
                or v["inner_ring"] > SECOND_CHANCE_MAX_INNER_RING
                or v["outside_mean"] > SECOND_CHANCE_MAX_OUTSIDE
                or v["texture"] < SECOND_CHANCE_MIN_TEXTURE
                or not passes_gates(np.array(c.features))
                or (colour_page and not _ink_is_red(m, c.geometry))):
            continue
        no_lines = line_free_dark(m) if no_lines is None else no_lines
        if border_cover(no_lines, c.geometry, m.dark) < GATE_MIN_LINE_FREE_BORDER:
            continue
        out = list(cands)
        out[k] = replace(c, accepted=True)
        return out
    return cands


def _judged(m: Maps, measured: list[tuple[Proposal, Geometry, np.ndarray]], threshold: float,
            accept: Callable[[Proposal, Geometry, np.ndarray, BBox], bool]) -> list[SealCandidate]:
    """Measured proposals scored, best first, each accepted when it scores over ``threshold``,
    is not the same seal as one accepted before it and ``accept`` takes it (the later passes
    below judge their own proposals this way, each with its own gates)."""
    if not measured:
        return []
    scores = _score(np.stack([f for _, _, f in measured]), [p.mode for p, _, _ in measured])
    out: list[SealCandidate] = []
    kept: list[BBox] = []
    for i in np.argsort(-scores):
        p, g, f = measured[i]
        bbox = _bbox_frac(g, m)
        ok = (bool(scores[i] >= threshold) and not any(_same_seal(bbox, k) for k in kept)
              and accept(p, g, f, bbox))
        if ok:
            kept.append(bbox)
        out.append(SealCandidate(bbox, p.mode, p.source, g, tuple(float(v) for v in f),
                                 float(scores[i]), ok))
    return out


def _wide_candidates(m: Maps, emblems: list[BBox]) -> list[SealCandidate]:
    """Red blobs closed wider (``wide_red_proposals``), judged as in the first pass, on a
    page where nothing was accepted. A wide blob that repeats a candidate already measured
    scores as that one did (rejected): no need to filter."""
    return _judged(m, _measure(m, wide_red_proposals(m)), load_model(MODEL_PATHS["colour"]).threshold,
                   lambda p, g, f, bbox: passes_gates(f) and not _emblem_part(bbox, emblems))


def _star_candidates(m: Maps, emblems: list[BBox], colour_page: bool) -> list[SealCandidate]:
    """Circles centred on star-like blobs (``star_proposals``) on a page where nothing was
    accepted, judged as darkness-map candidates are in the first pass (threshold, gates, seal
    ink on a colour page, the border kept without the long lines); the grey second chance
    then also sees them."""
    no_lines: list[np.ndarray] = []  # the page without its long lines, made once if asked

    def accept(p: Proposal, g: Geometry, f: np.ndarray, bbox: BBox) -> bool:
        ring = _ring_ink(m, g) if colour_page else "grey"
        if not (passes_gates(_gate_features(m, g, f, ring)) and not _blue_block(m, p.mode, g, f, ring)
                and (not colour_page or ring != "grey" or _ink_colour(m, g) != "grey")
                and not _emblem_part(bbox, emblems)):
            return False
        if not no_lines:
            no_lines.append(line_free_dark(m))
        return border_cover(no_lines[0], g, m.dark) >= GATE_MIN_LINE_FREE_BORDER

    return _judged(m, _measure(m, star_proposals(m)), load_model(MODEL_PATHS["grey"]).threshold, accept)


def _score(x: np.ndarray, modes: list[str]) -> np.ndarray:
    family = np.array([model_family(mode) for mode in modes])
    scores = np.zeros(len(modes))
    for name in ("colour", "grey"):
        sel = family == name
        if sel.any():
            scores[sel] = load_model(MODEL_PATHS[name]).score(x[sel])
    return scores


# The second seal of a page. A name seal (a square, 14-20 mm) is stamped beside the unit's
# round seal, and a co-signing unit's seal beside the first; the model, fitted on all
# candidates, scores a small outlined or 白文 square lower than a round seal (0.34-0.46 on
# seeds 9501/9502, threshold 0.5), and a second round seal whose ring is thin against its
# characters can miss the ring-peak gate by a hair (0.39-0.40, scores 0.71-0.75). On a page
# where a seal was accepted, a candidate on the same map is taken when it would pass every
# gate and:
# - a square scoring >= 0.2 whose centre is within 2 widths of an accepted seal's centre;
# - a round or oval ring scoring over the model's threshold, with ring_peak >= 0.33, within 3
#   widths.
# Measured on the pages with an accepted seal of seeds 9501/9502, fx-holdout and sets A-E
# (1400 pages): the true name seals scored 0.30-0.46 (a 白文 square drawn in a test 0.30);
# the squares passing the gates that are not seals scored 0.07-0.13 and lay 2.3-3.6 widths
# away (the square reading of emblems and badges); the rejected non-seal rings scoring
# >= 0.5 all had ring_peak >= 0.79 (they fail other gates). The page already counts as
# sealed, so this changes only seal-level results, never a document's.
COMPANION_SQUARE_SCORE = 0.2
COMPANION_SQUARE_DIST = 2.0
COMPANION_RING_PEAK = 0.33
COMPANION_RING_DIST = 3.0


# A 白文 name seal (a block of ink with paper characters) is often fitted as an ellipse: the
# blob is tried as both shapes and the ellipse's border holds as much ink as the square's.
# As an ellipse it fails the fill gate (a ring is not filled), although the model likes it
# (0.52-0.76 on three name seals beside a round seal, seeds 9505; the one non-seal filled
# ellipse beside a seal on the tuning sets, a fingerprint, scored 0.44 and had no border
# peak). Beside an accepted seal, a filled (0.5-0.88), squarish (axis >= 0.75) ellipse scoring
# over the threshold is judged as a square.
def _filled_as_ellipse(c: SealCandidate, threshold: float) -> bool:
    v = dict(zip(FEATURE_NAMES, c.features, strict=True))
    return bool(not c.geometry.square and c.score >= threshold
                and GATE_MAX_FILL < v["fill"] <= GATE_MAX_FILL_SQUARE
                and v["axis_ratio"] >= GATE_MIN_AXIS_RATIO_SQUARE)


def _blue_block(m: Maps, mode: str, g: Geometry, f: np.ndarray, ring: str) -> bool:
    """A filled square in blue: a block of a figure, a button or a printed logo, not a name
    seal (白文 name seals are red; a blue block's corner passed as one on a scanned article,
    and a blue logo with white letters under a blue seal on a scanned certificate scored 0.51
    on the darkness map). ``ring``: the ring colour of a darkness-map candidate ("grey" skips
    the ink test: a grey scan has no blue)."""
    if not g.square or f[FEATURE_NAMES.index("fill")] <= GATE_MAX_FILL:
        return False
    return mode == "blue" or (mode == "dark" and ring != "grey" and _ink_colour(m, g) == "blue")


def _centre_distance(a: Geometry, b: Geometry) -> float:
    """Centre distance of ``a`` from ``b`` in widths of ``b``."""
    return math.hypot(a.cx - b.cx, a.cy - b.cy) / max(2 * max(b.a, b.b), 1e-6)


def _companions(m: Maps, cands: list[SealCandidate], colour_page: bool,
                no_lines: np.ndarray | None, emblems: list[BBox]) -> list[SealCandidate]:
    out = list(cands)
    rp = FEATURE_NAMES.index("ring_peak")
    threshold = {name: load_model(MODEL_PATHS[name]).threshold for name in ("colour", "grey")}
    for k, c in enumerate(out):  # best score first
        kept = [o for o in out if o.accepted]
        if c.accepted or any(_same_seal(c.bbox, o.bbox) for o in kept) or _emblem_part(
                c.bbox, emblems):
            continue
        same_map = [o for o in kept if o.mode == c.mode]
        if not same_map:
            continue
        dist = min(_centre_distance(c.geometry, o.geometry) for o in same_map)
        f = np.array(c.features)
        if _filled_as_ellipse(c, threshold[model_family(c.mode)]):
            # a 白文 name seal fitted as an ellipse: judged, and reported, as the square it is
            if dist > COMPANION_SQUARE_DIST:
                continue
            x0, y0, x1, y1 = c.geometry.bbox_px()
            c = replace(c, geometry=Geometry((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2,
                                             (y1 - y0) / 2, 0.0, True))
            f[FEATURE_NAMES.index("is_square")] = 1.0
        elif c.geometry.square:
            if c.score < COMPANION_SQUARE_SCORE or dist > COMPANION_SQUARE_DIST:
                continue
        else:
            if (c.score < threshold[model_family(c.mode)] or dist > COMPANION_RING_DIST
                    or f[rp] < COMPANION_RING_PEAK):
                continue
            f[rp] = max(f[rp], GATE_MIN_RING_PEAK)
        ring = "grey"
        if colour_page and c.mode == "dark":
            ring = _ring_ink(m, c.geometry)
            if ring == "grey":
                continue
        if not passes_gates(_gate_features(m, c.geometry, f, ring)) or _blue_block(
                m, c.mode, c.geometry, f, "blue" if c.mode == "dark" else ring):
            continue
        if c.mode == "dark":
            no_lines = line_free_dark(m) if no_lines is None else no_lines
            if border_cover(no_lines, c.geometry, m.dark) < GATE_MIN_LINE_FREE_BORDER:
                continue
        out[k] = replace(c, accepted=True)
    return out


COLOUR_PAGE_CHROMA = 60  # max-min channel spread of a clearly coloured pixel
COLOUR_PAGE_MIN_SHARE = 0.0004  # share of such pixels that makes a page a colour page


def is_colour_page(m: Maps) -> bool:
    """A colour scan, photo or render (as opposed to a greyscale or black-and-white scan).

    On a colour page a seal is printed in colour, so a neutral grey ring (a printed emblem,
    a round logo, a circle in a drawing) is not a seal there.
    """
    return _colour_share(m.rgb[::2, ::2]) > COLOUR_PAGE_MIN_SHARE


def _colour_share(rgb: np.ndarray, chroma: int = COLOUR_PAGE_CHROMA) -> float:
    """Share of pixels whose channels spread over ``chroma`` (OpenCV on uint8 planes: ~20x
    faster than a numpy reduction over the channel axis)."""
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    spread = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    _, over = cv2.threshold(spread, chroma, 1, cv2.THRESH_BINARY)  # spread > chroma
    return cv2.countNonZero(over) / max(spread.size, 1)


# A born-digital render has no scan noise or JPEG chroma: any pixel whose channels spread
# over 20 is drawn in colour. A faint e-seal (35-55% opacity, or pale pink) spreads only
# 25-60 and covered 0.2-0.5% of its page on the faint fixtures, so the colour-page test
# (spread > 60) called 3 of 8 faint born-digital seal pages seal-free; anti-aliased black
# text and the paper tints of the generator and of office templates spread under 10.
SEAL_INK_CHROMA = 20


def _has_colour(image: np.ndarray, chroma: int = COLOUR_PAGE_CHROMA) -> bool:
    """``is_colour_page`` on a strided view of the full page (no maps needed)."""
    if image.ndim == 2:
        return False
    step = max(1, round(2 * max(image.shape[:2]) / WORK_LONG_SIDE))  # is_colour_page's density
    return _colour_share(image[::step, ::step], chroma) > COLOUR_PAGE_MIN_SHARE


def may_hold_seal(page: Page) -> bool:
    """False for a born-digital page with neither colour nor a raster image: its seal would
    have to be a grey vector drawing, which no e-seal is (they are red or blue, however
    faint)."""
    return page.origin != "born_digital" or page.effective_dpi is not None or _has_colour(
        page.image, SEAL_INK_CHROMA)


def needs_grey_search(page: Page, colour_page: bool) -> bool:
    """The shape-only search for grey rings (about half the cost of a page) is for grey and
    black-and-white scans, and for colour scans where a seal's red is too weak for the colour
    map. A born-digital colour page's seal is colour ink (an e-seal image or vector drawing),
    found by colour; a born-digital grey page is searched only when it holds a raster image
    (a greyscale scan with an OCR text layer)."""
    return page.origin != "born_digital" or (not colour_page and page.effective_dpi is not None)


# Median blue-map level (0-255) of the ink inside a grey-map candidate from which it counts
# as blue seal ink. Faint blue/violet seals on phone photos have a blue excess of only 20-25
# (under the blue map's darkness cut, so no blue-map candidate) and were found only by their
# shape, then dropped as "not red" (2 of 4 missed photo documents on p7801-faint).
INK_BLUE_MIN = 15


# A grey-map candidate on a colour page is seal ink when its ring is coloured on at least
# half of its inked rays. The median colour of all ink in its box (``_ink_colour``) reads grey
# when black text fills the box (a red seal stamped over a signature block on a photo: the
# ring red on 66-76% of its rays, the box median grey) or when the seal is pale (a pale pink
# seal on a blurred photo: red excess 8-15, ring red on 60%; a faint blue seal on a scan: blue
# on 58%). Grey-map candidates scoring over the model's threshold that are not seals on the
# dev colour pages (seeds 9101-9104, p7801, fp7801, h1, d1, f1, p1; circles of charts,
# photographed tables, a round logo) had 0 coloured rays; a blue 核心期刊 badge (score 0.36,
# under the threshold) had 0.51.
RING_COLOURED_SHARE = 0.5


def _ring_ink(m: Maps, g: Geometry) -> str:
    """"red", "blue" or "grey": the colour of the ring of ``g`` where it is inked."""
    red, blue = ring_colour(m, g)
    if max(red, blue) < RING_COLOURED_SHARE:
        return "grey"
    return "red" if red >= blue else "blue"


def _gate_features(m: Maps, g: Geometry, f: np.ndarray, ring: str) -> np.ndarray:
    """The features the gates read. A grey-map candidate whose ring is coloured ink has its
    fill read on that colour's map: black text printed under the seal is not the seal's ink
    (a red seal over a signature block filled 0.50 of its box on the darkness map, 0.30 on
    the red map)."""
    fi = FEATURE_NAMES.index("fill")
    if ring == "grey" or f[fi] <= GATE_MAX_FILL:
        return f
    out = f.copy()
    out[fi] = features(m, ring, g)[fi]
    return out


def _ink_is_red(m: Maps, g: Geometry) -> bool:
    return _ink_colour(m, g) == "red"


def _ink_colour(m: Maps, g: Geometry) -> str:
    """"red" or "blue" when the median ink inside ``g`` is clearly that colour, else "grey"."""
    h, w = m.red.shape
    x0, y0, x1, y1 = (int(v) for v in g.bbox_px())
    sl = (slice(max(0, y0), min(h, y1 + 1)), slice(max(0, x0), min(w, x1 + 1)))
    ink = m.dark[sl] > 0.2
    if ink.sum() < 10:
        return "grey"
    if float(np.median(m.red[sl][ink])) * 255 > 25:
        return "red"
    return "blue" if float(np.median(m.blue[sl][ink])) * 255 > INK_BLUE_MIN else "grey"


def _colour_of(m: Maps, c: SealCandidate) -> str:
    if c.mode == "red":
        return "red"
    if c.mode == "blue":
        return "other"
    # A grey-map candidate: red when the ink inside it is clearly red (a red seal in a colour
    # scan found by its shape), else "other" (greyscale or black-and-white scan).
    h, w = m.red.shape
    x0, y0, x1, y1 = c.bbox
    crop_red = m.red[int(y0 * h):int(y1 * h) + 1, int(x0 * w):int(x1 * w) + 1]
    crop_dark = m.dark[int(y0 * h):int(y1 * h) + 1, int(x0 * w):int(x1 * w) + 1]
    ink = crop_dark > 0.2
    if ink.sum() >= 10 and float(np.median(crop_red[ink])) * 255 > 25:
        return "red"
    if _ring_ink(m, c.geometry) == "red":
        return "red"
    return "red" if _star_ink(m, c.geometry) == "red" else "other"  # a pale ring, a red star


def find_seals(page: Page, engine: OcrEngine | None = None) -> tuple[Seal, ...]:
    """Every seal on ``page`` (bbox as fractions of the page as stored), best first.

    ``text`` is the curved unit name read from the unwrapped ring when ``engine`` is given,
    else "".
    """
    if not may_hold_seal(page):
        return ()
    m = build_maps(page.image, page.origin == "born_digital")
    seals = []
    accepted = [c for c in seal_candidates(page, m) if c.accepted]
    for c in accepted:
        text = ""
        if engine is not None and c.shape != "square":
            try:
                # the other seals: one stamped over this one has its border line removed
                text = read_seal_text(page, c.bbox, engine,
                                      tuple(o.bbox for o in accepted
                                            if o is not c and o.shape != "square"))
            except Exception as exc:  # OCR trouble on one seal must not lose the seal
                log.warning("seal text OCR failed on page %d: %s", page.number, exc)
        seals.append(Seal(page.number, tuple(round(v, 4) for v in c.bbox),  # type: ignore[arg-type]
                          c.shape, _colour_of(m, c), text, round(c.score, 3)))
    return tuple(seals)


def draw_seal_debug(page: Page, candidates: tuple[SealCandidate, ...] | None = None,
                    show_masks: bool = True) -> PageCanvas:
    """The page with the seal-colour masks tinted and every candidate boxed with its score.

    Green: accepted seal; orange: rejected candidate scoring over half the threshold; weaker
    candidates are not drawn (there can be dozens in dense text).
    """
    m = build_maps(page.image, page.origin == "born_digital")
    cands = candidates if candidates is not None else seal_candidates(page, m)
    canvas = PageCanvas(page.image)
    if show_masks:
        canvas.draw_mask(m.red * 255 > 18, RED, 0.35)
        canvas.draw_mask(m.blue * 255 > 18, BLUE, 0.35)
    threshold = load_model().threshold
    for c in sorted(cands, key=lambda c: c.score):
        if c.accepted:
            canvas.draw_rect(c.bbox, GREEN, f"{c.shape} {c.mode} {c.score:.2f}")
        elif c.score >= 0.5 * threshold:
            canvas.draw_rect(c.bbox, ORANGE, f"{c.mode} {c.score:.2f}", thickness=1)
    return canvas

