"""Seal text: unwrap the ring and read the curved unit name; compare it with the page's unit;
whiten seal ink so the printed text under a seal can be read.

Unwrapping: the unit name of a round seal runs clockwise along the upper arc, the tops of the
characters pointing outward. The seal ink is separated from black text (the lesser of stroke
darkness and red colour), the border ring is fitted (the detector's box may be short or
off-centre), and a polar transform (``cv2.warpPolar``) turns the arc opposite the gap between
the name's two ends into a straight line, read left to right by RapidOCR's recogniser as one
line. Measured (``bench/eval_seals.py fixtures DIR --text``, clean red round seals on the
detector's boxes, fresh seeds 7702 dev + holdout, 91 seals): CER 2.3-2.6 % born-digital,
16-23 % scans, 28-44 % phone photos; ~0.16 s per seal.
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
from .seal_geometry import Geometry

UNWRAP_RADIUS_PX = 160  # seal radius after resampling: characters come out ~40 px high
TEXT_BAND = (0.52, 0.95)  # normalised radii of the character band (border at 1.0)
OVAL_MIN_ASPECT = 1.18  # box aspect from which a seal is unwrapped as an oval (40×30 mm: 1.33)
CROP_MARGIN = 0.25  # share of the box added round it: room to find a border the box cut
_HAN = re.compile(r"[\u4e00-\u9fff〇（）()A-Za-z0-9]")
_SEAL_SUFFIX = re.compile(r"(专用章|合同章|财务章|公章|章)$")


def _seal_crop(page: Page, bbox: BBox, margin: float = CROP_MARGIN) -> np.ndarray:
    """A square crop round the box's centre, as wide as the box's longer side plus
    ``margin`` each way: a round seal whose box came out squashed (cut short by the detector)
    is still whole in it. Clipped at the page edge."""
    x0, y0, x1, y1 = bbox
    h, w = page.image.shape[:2]
    side_px = max((x1 - x0) * w, (y1 - y0) * h) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = side_px / 2 / w, side_px / 2 / h
    return page.crop((max(0.0, cx - hx), max(0.0, cy - hy), min(1.0, cx + hx),
                      min(1.0, cy + hy)))


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
    if float(np.percentile(excess, 99)) < 25:
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
    return np.clip(255 - 255 * np.clip(1.25 * ink, 0.0, 1.0), 0, 255).astype(np.uint8)


LOCAL_FLOOR = 0.3  # share of the seal's strongest ink below which local stretching stops


def _local_window(shape: tuple[int, ...]) -> int:
    return max(5, round(min(shape[0], shape[1]) / 10)) | 1


def _local_max(a: np.ndarray, win: int) -> np.ndarray:
    """The strongest value near each pixel, smoothed (a dilation, then a blur)."""
    m = cv2.dilate(a, np.ones((win, win), np.uint8))
    return cv2.blur(m, (win, win))


GAP_WINDOW_DEG = 100.0  # the name spans at most ~250-260° of a round seal: the gap is wider
NAME_ARC_DEG = 264.0  # arc kept for OCR, centred opposite the gap
STRIP_PAD_PX = 60  # white above and below the strip (see unwrap_ring)
STRIP_SQUEEZE = 0.85  # horizontal scale of the strip: characters square at the band middle


def _gap_angle(polar: np.ndarray) -> float:
    """Image angle (degrees) of the centre of the emptiest 100° of the character band.

    The window is as wide as the narrowest gap between the two ends of the name: a narrower
    one (50° before) lands beside the bottom text or serial number that sit in the gap, off
    its centre, and the strip then starts inside the name.
    """
    n, r = polar.shape
    # Ink of the name's characters spans the band radially; the serial number (a thin line
    # near the border) and the corners of the bottom text reach only its outer or inner part.
    # An angle counts by the lesser ink of the inner and the outer sub-band, so the gap they
    # sit in stays the emptiest stretch (seed 7701: a turned seal was cut in its name).
    dark = 255.0 - polar.astype(np.float32)
    inner = dark[:, round(0.66 * r):round(0.71 * r)].mean(axis=1)
    outer = dark[:, round(0.77 * r):round(0.82 * r)].mean(axis=1)
    ink = np.minimum(inner, outer)
    k = max(3, round(n * GAP_WINDOW_DEG / 360))
    wrapped = np.concatenate([ink, ink[:k]])
    window = np.convolve(wrapped, np.ones(k) / k, mode="valid")[:n]  # window i covers i..i+k
    return float((int(np.argmin(window)) + k / 2) * 360.0 / n % 360.0)


BORDER_SEARCH = (0.25, 0.85, 1.3)  # centre offset (share of radius), radius range searched
MIN_BORDER_DARKNESS = 40.0  # median ink (0-255) along the best circle to trust the fit


def _fit_border(ink: np.ndarray, centre: tuple[float, float],
                radius: float) -> tuple[float, float, float]:
    """Centre and radius of the seal's border ring: the circle along which the ink channel
    is darkest, searched around the box's centre and radius.

    The detector's box is not always tight (boxes 10-20 % short or off-centre put the border
    into the character band and the gap on the wrong side); a grid search over 21 × 21
    centres (±25 % of the radius) and 19 radii (0.85-1.3 ×) costs ~50 ms and puts the ring
    where it is.
    """
    h, w = ink.shape
    dark = cv2.GaussianBlur(255.0 - ink.astype(np.float32), (0, 0), max(1.0, radius * 0.02))
    angles = np.linspace(0, 2 * np.pi, 144, endpoint=False)
    cos, sin = np.cos(angles), np.sin(angles)
    span, r_lo, r_hi = BORDER_SEARCH
    offsets = np.linspace(-span, span, 21) * radius
    radii = np.linspace(r_lo, r_hi, 19) * radius
    best = (-1.0, centre[0], centre[1], radius)
    for dx in offsets:
        for dy in offsets:
            x = centre[0] + dx + radii[:, None] * cos[None, :]
            y = centre[1] + dy + radii[:, None] * sin[None, :]
            xi = np.clip(np.round(x).astype(int), 0, w - 1)
            yi = np.clip(np.round(y).astype(int), 0, h - 1)
            inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
            # median along the circle: a border ring is dark all round, a band of characters
            # or a cut-off edge is not
            # a circle partly outside the crop (a seal at the page edge) is judged on the
            # part inside, if that is most of it
            vals = np.where(inside, dark[yi, xi], np.nan)
            score = np.nan_to_num(np.nanmedian(vals, axis=1), nan=-1.0)
            score[inside.mean(axis=1) < 0.6] = -1.0
            j = int(np.argmax(score))
            if score[j] > best[0]:
                best = (float(score[j]), centre[0] + dx, centre[1] + dy, float(radii[j]))
    if best[0] < MIN_BORDER_DARKNESS:  # no ring anywhere (a borderless or very faint seal)
        return centre[0], centre[1], radius
    return best[1], best[2], best[3]


def unwrap_ring(crop: np.ndarray, geom_axes: tuple[float, float],
                start_deg: float | None = None, colour: str = "red") -> np.ndarray:
    """The character band of a round/oval seal as a straight strip (text upright, L→R).

    ``geom_axes`` are the seal's half-widths (x, y) in crop pixels; an oval is first
    stretched into a circle. ``start_deg`` is the image angle (0 = right, 90 = down) where
    the strip begins: the bottom of an upright seal.
    """
    ink = seal_ink_channel(crop, colour)
    h, w = ink.shape
    ax, ay = geom_axes
    size = 2 * UNWRAP_RADIUS_PX
    circle = cv2.resize(ink, (max(1, round(w * size / (2 * ax))),
                              max(1, round(h * size / (2 * ay)))),
                        interpolation=cv2.INTER_CUBIC)
    ch, cw = circle.shape
    cx, cy, radius = _fit_border(circle, (cw / 2, ch / 2), UNWRAP_RADIUS_PX)
    if abs(radius - UNWRAP_RADIUS_PX) > 1:  # bring the fitted border to the unwrap radius
        k = UNWRAP_RADIUS_PX / radius
        circle = cv2.resize(circle, (max(1, round(cw * k)), max(1, round(ch * k))),
                            interpolation=cv2.INTER_LINEAR)
        cx, cy = cx * k, cy * k
    # White all round: warpPolar fills samples outside the image with black, which read as a
    # thick ink arc where the crop met the page edge.
    pad = UNWRAP_RADIUS_PX
    circle = cv2.copyMakeBorder(circle, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    centre = (cx + pad, cy + pad)
    n_angle = round(2 * np.pi * UNWRAP_RADIUS_PX * 0.75)
    polar = cv2.warpPolar(circle, (UNWRAP_RADIUS_PX, n_angle), centre, UNWRAP_RADIUS_PX,
                          cv2.WARP_POLAR_LINEAR + cv2.INTER_LINEAR + cv2.WARP_FILL_OUTLIERS)
    # Rows are angles (0° = +x, clockwise on screen), columns radii. The strip starts in the
    # gap between the two ends of the name (the widest stretch of the character band without
    # ink), so a seal on a turned page or a name running far round is not cut in two; with
    # ``start_deg`` given, it starts there instead.
    # Only the arc opposite the gap is kept: the bottom text (专用章, 人事专用章) and the serial
    # number sit in the gap, and reach the character band at its corners; kept, RapidOCR read
    # them upside down as a few garbage characters at the ends of the name.
    arc = NAME_ARC_DEG
    if start_deg is None:
        start_deg = _gap_angle(polar) + (360.0 - arc) / 2
    else:
        arc = 360.0
    shift = round(start_deg / 360.0 * n_angle)
    polar = np.roll(polar, -shift, axis=0)[:round(arc / 360.0 * n_angle)]
    band = polar[:, round(TEXT_BAND[0] * UNWRAP_RADIUS_PX):round(TEXT_BAND[1] * UNWRAP_RADIUS_PX)]
    strip = np.ascontiguousarray(np.rot90(band, 1))  # outward = up, clockwise = left→right
    # Characters are wider at the outer edge: the strip is squeezed a little horizontally so
    # they look square at the band's middle.
    strip = cv2.resize(strip, (round(strip.shape[1] * STRIP_SQUEEZE), strip.shape[0]),
                       interpolation=cv2.INTER_AREA)
    # Wide white margins above and below: RapidOCR's detector scales the short side of its
    # input up to 736 px, and a bare 93-px strip came out so magnified that it found no text
    # at all on clean seals (3 of 21 on seed 7701); 60 px each way fixed them.
    return cv2.copyMakeBorder(strip, STRIP_PAD_PX, STRIP_PAD_PX, 16, 16, cv2.BORDER_CONSTANT,
                              value=255)


def _clean(text: str) -> str:
    return "".join(_HAN.findall(compact(text)))


def read_seal_text(page: Page, bbox: BBox, geom: Geometry | None, scale: float,
                   engine: OcrEngine) -> str:
    """OCR the curved unit name of one seal (round or oval): one OCR call on the unwrapped
    character band."""
    crop = _seal_crop(page, bbox)
    if crop.size == 0:
        return ""
    # Half-axes of the seal in crop pixels: the longer side of the box spans the seal, the
    # margin pads it; the border fit in unwrap_ring finds the ring itself.
    ph, pw = page.image.shape[:2]
    x0, y0, x1, y1 = bbox
    ax, ay = (x1 - x0) * pw / 2, (y1 - y0) * ph / 2
    if max(ax, ay) / max(min(ax, ay), 1.0) < OVAL_MIN_ASPECT:
        ax = ay = max(ax, ay)  # round: a box cut short on one side is not an oval
    strip = unwrap_ring(crop, (ax, ay), None, "red")
    # The strip starts in the gap, so the reading is already in order; re-ordering it round
    # its last unit-type word (the old fix for strips that started inside the name) turned
    # misread endings (有限益司) into wrong starts, and cost 1 point of CER on seeds 7701/7703.
    return _HAN_ONLY.sub("", _clean(_read_strip(strip, engine)))


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
    rows = np.flatnonzero(ink > 8.0)  # mean darkness of a row: a few strokes cross it
    if rows.size == 0:
        keep = STRIP_PAD_PX - 8
        return rgb[keep:rgb.shape[0] - keep]
    line = core[max(0, int(rows[0]) - 2):int(rows[-1]) + 3]
    return cv2.copyMakeBorder(line, 8, 8, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))


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
    prev = list(range(len(r) + 1))
    for i, ct in enumerate(t, 1):
        cur = [i]
        for j, cr in enumerate(r, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ct != cr)))
        prev = cur
    return prev[-1] / len(t)
