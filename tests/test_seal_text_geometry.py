"""Seal text, the hard cases: a photographed seal (an ellipse), a short name with bottom text
(the strip is cut to the name), a faded stamp on a JPEG scan with black text across it, and
the ink channel's choices that these rest on. Seals are the fixture generator's own drawing."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from fixtures.gen.fonts import SEAL_FONTS
from fixtures.gen.seals import MM, MarkSpec, render_mask
from verify.checks.seal_text import (
    STRIP_PAD_PX,
    STRIP_SQUEEZE,
    UNWRAP_RADIUS_PX,
    fit_ring,
    read_seal_text,
    seal_ink_channel,
    seal_strip,
    seal_text_cer,
)
from verify.model import BBox
from verify.pages import Page

A4_MM = (210, 297)


def _blank_page(dpi: float) -> np.ndarray:
    w, h = (round(v / 25.4 * dpi) for v in A4_MM)
    return np.full((h, w, 3), 248, np.uint8)


def _stamp(img: np.ndarray, spec: MarkSpec, dpi: float, cx: int, cy: int) -> float:
    """Multiply the seal's ink into ``img`` centred at (cx, cy), as a stamp on toner does;
    returns the seal's radius in pixels."""
    mask = render_mask(spec, dpi / 72)
    side = mask.shape[0]
    x0, y0 = cx - side // 2, cy - side // 2
    roi = img[y0:y0 + side, x0:x0 + side].astype(np.float32)
    col = np.array(spec.color, np.float32) / 255.0
    img[y0:y0 + side, x0:x0 + side] = np.clip(roi * (1 - mask[..., None] * (1 - col)), 0,
                                              255).astype(np.uint8)
    return spec.width * dpi / 72 / 2


def _page(img: np.ndarray, dpi: float) -> Page:
    h, w = img.shape[:2]
    return Page(number=1, image=img, dpi=dpi, width_pt=w * 72 / dpi, height_pt=h * 72 / dpi,
                effective_dpi=dpi, origin="image")


def _box(cx: float, cy: float, rx: float, ry: float, shape: tuple[int, ...]) -> BBox:
    h, w = shape[:2]
    return ((cx - rx) / w, (cy - ry) / h, (cx + rx) / w, (cy + ry) / h)


def _seal(unit: str, angle: float = 0.0, bottom: str = "", strength: float = 0.95,
          uneven: float = 0.0, font: tuple[str, int] = SEAL_FONTS["holdout"][0]) -> MarkSpec:
    return MarkSpec("seal_round", unit, bottom, 42 * MM, 42 * MM, angle, (205, 30, 40), font,
                    seed=5, strength=strength, uneven=uneven)


# --------------------------------------------------------------------------- the ring


def test_an_elliptical_border_is_fitted_as_an_ellipse() -> None:
    """A photographed round seal is an ellipse: 170 × 148 px half-axes turned 30°, found from
    a box 15 px off-centre with a radius of 160 (a circle would be 11 px off at its ends)."""
    ink = np.full((520, 520), 255, np.uint8)
    cv2.ellipse(ink, (262, 250), (170, 148), 30, 0, 360, 0, 9)
    for k in range(8):  # characters inside the band: strokes the fit must not take
        a = np.radians(200 + 20 * k)
        cv2.putText(ink, "X", (int(262 + 110 * np.cos(a)) - 15, int(250 + 100 * np.sin(a)) + 15),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 5)
    ring = fit_ring(ink, (247.0, 260.0), 160.0)
    long_, short = max(ring.a, ring.b), min(ring.a, ring.b)
    assert abs(ring.cx - 262) <= 3 and abs(ring.cy - 250) <= 3
    # the border's centre line: the outline is drawn 9 px thick round the 170 × 148 ellipse
    assert abs(long_ - 170) <= 5 and abs(short - 148) <= 5
    axis = ring.angle if ring.a >= ring.b else ring.angle + 90
    assert abs((axis - 30 + 90) % 180 - 90) <= 4


def test_a_round_border_stays_a_circle() -> None:
    ink = np.full((480, 480), 255, np.uint8)
    cv2.circle(ink, (240, 240), 160, 0, 9)
    ring = fit_ring(ink, (247.0, 233.0), 150.0)  # the box off the ring: the fit must move
    assert abs(ring.cx - 240) <= 2 and abs(ring.cy - 240) <= 2
    assert abs(ring.a - ring.b) <= 3 and abs(ring.a - 160) <= 4


def _photographed_seal(unit: str) -> tuple[Page, BBox, np.ndarray]:
    """A seal at 150 DPI on a page photographed at a slant: the page's corners pulled in
    unevenly, so the seal comes out an ellipse (~18 % between its axes, its long axis at ~30°)."""
    dpi = 150.0
    img = _blank_page(dpi)
    h, w = img.shape[:2]
    cx, cy = int(w * 0.6), int(h * 0.6)
    r = _stamp(img, _seal(unit, angle=15.0), dpi, cx, cy)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = np.array([[w * 0.3, h * 0.1], [w * 0.95, 0], [w * 0.9, h], [0, h * 0.8]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(img, m, (w, h), borderValue=(90, 80, 70))
    t = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    outline = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1).astype(np.float32)
    warped = cv2.perspectiveTransform(outline[None], m)[0]
    (x0, y0), (x1, y1) = warped.min(axis=0), warped.max(axis=0)
    box = (x0 / w, y0 / h, x1 / w, y1 / h)
    return _page(photo, dpi), box, warped


def test_a_photographed_seal_is_unwrapped_along_its_ellipse() -> None:
    unit = "绍兴市柯桥区兰亭固废处置研究院有限公司"
    page, box, warped = _photographed_seal(unit)
    (_, _), (ew, eh), _ = cv2.fitEllipse(warped)
    assert max(ew, eh) / min(ew, eh) > 1.08  # the test's premise: really an ellipse
    strip = seal_strip(page, box)
    assert strip is not None
    # the name lies straight along the strip: the inked rows of its left and right thirds
    # are the same (a circle misfit on an ellipse bends it up and down by ~10 px)
    core = 255.0 - strip[STRIP_PAD_PX:-STRIP_PAD_PX, 16:-16].astype(np.float32)
    third = core.shape[1] // 3

    def centre_row(part: np.ndarray) -> float:
        rows = part.mean(axis=1)
        return float((rows * np.arange(len(rows))).sum() / max(rows.sum(), 1e-6))

    assert abs(centre_row(core[:, :third]) - centre_row(core[:, -third:])) <= 4


@pytest.mark.slow
def test_a_photographed_seal_is_read() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    unit = "绍兴市柯桥区兰亭固废处置研究院有限公司"
    page, box, _ = _photographed_seal(unit)
    text = read_seal_text(page, box, make_engine("rapidocr"))
    assert seal_text_cer(unit, text) <= 0.1, text


# --------------------------------------------------------------------------- the arc


def _short_name_page() -> tuple[Page, BBox]:
    dpi = 200.0
    img = _blank_page(dpi)
    h, w = img.shape[:2]
    cx, cy = int(w * 0.5), int(h * 0.5)
    r = _stamp(img, _seal("嘉兴学院", angle=-40.0, bottom="业务专用章"), dpi, cx, cy)
    return _page(img, dpi), _box(cx, cy, r, r, img.shape)


def test_a_short_name_strip_is_cut_to_the_name() -> None:
    """嘉兴学院 spans 144° of the ring; the strip holds it and a margin, not the 264° it
    used to (whose empty band RapidOCR filled with an invented first character), and not
    the corners of the bottom text 业务专用章 (40° beyond the name's ends)."""
    page, box = _short_name_page()
    strip = seal_strip(page, box)
    assert strip is not None
    per_degree = 2 * np.pi * UNWRAP_RADIUS_PX * 0.75 * STRIP_SQUEEZE / 360
    arc_deg = (strip.shape[1] - 32) / per_degree
    assert 130 <= arc_deg <= 175, arc_deg
    core = strip[STRIP_PAD_PX:-STRIP_PAD_PX, 16:-16]
    inked_cols = np.flatnonzero((core < 128).sum(axis=0) >= 2)
    # ink starts and ends within the margin (8°) of the strip's ends: nothing stray beyond
    assert inked_cols[0] <= 12 * per_degree and inked_cols[-1] >= core.shape[1] - 12 * per_degree


@pytest.mark.slow
def test_a_short_name_is_read_without_invented_characters() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    page, box = _short_name_page()
    assert read_seal_text(page, box, make_engine("rapidocr")) == "嘉兴学院"


# --------------------------------------------------------------------------- the ink


def test_a_pale_red_seal_keeps_black_text_out() -> None:
    """A pale stamp covers little of its crop with red (a 4-px ring: ~2.5 %): it is still
    a red seal, and the black text across it is not seal ink."""
    crop = np.full((400, 400, 3), 250, np.uint8)
    cv2.circle(crop, (200, 200), 150, (225, 130, 140), 4)
    crop[190:205, 60:340] = (25, 25, 25)  # a black stroke of text across the seal
    ink = seal_ink_channel(crop)
    assert ink[197, 200] > 200  # black text: gone
    assert ink[50, 200] < 120  # the ring: ink


def test_faded_ink_without_colour_counts_unless_it_is_black_text() -> None:
    """JPEG stores colour at half resolution: a faded stretch of a stamp keeps the darkness
    of its thin strokes but loses their red. Away from the seal's strong red, that darkness
    counts as ink; black text (and its anti-aliased edge) still does not."""
    crop = np.full((400, 400, 3), 250, np.uint8)
    cv2.circle(crop, (200, 200), 170, (205, 40, 50), 8)  # the well-inked side of the ring
    crop[300:340, 240:243] = (205, 40, 50)  # strong red strokes near the faded stroke's
    crop[120:124, 130:200] = (212, 212, 212)  # a faded stroke, its red lost
    crop[200:203, 120:260] = (30, 30, 30)  # black text ...
    crop[203:204, 120:260] = (150, 150, 150)  # ... with a grey anti-aliased edge
    ink = seal_ink_channel(crop)
    assert ink[122, 165] < 200, ink[122, 165]
    assert ink[201, 190] > 230 and ink[203, 190] > 230
    assert ink[60, 60] > 240  # paper


def _faded_scan(unit: str) -> tuple[Page, BBox]:
    """A 200-DPI colour scan (JPEG quality 55, colour at half resolution) of a stamp inked
    unevenly (one side at ~40 %), with two lines of black text across its lower half."""
    dpi = 200.0
    img = _blank_page(dpi)
    h, w = img.shape[:2]
    cx, cy = int(w * 0.55), int(h * 0.6)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for dy in (40, 110):
        cv2.putText(img, "2021 Shaoxing 12 31", (cx - 300, cy + dy), font, 1.6, (20, 20, 20), 3)
    r = _stamp(img, _seal(unit, angle=8.0, bottom="专用章", strength=0.8, uneven=0.6), dpi,
               cx, cy)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=55)
    scan = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return _page(scan, dpi), _box(cx, cy, r, r, scan.shape)


@pytest.mark.slow
def test_a_faded_stamp_on_a_jpeg_scan_is_read() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    unit = "诸暨市东湖环境监测研究院有限公司"
    page, box = _faded_scan(unit)
    text = read_seal_text(page, box, make_engine("rapidocr"))
    assert seal_text_cer(unit, text) <= 0.15, text


def _spread_name_page() -> tuple[Page, BBox]:
    """A real seal's short name is spread round the arc (重庆大学 over ~240°, 40-50° between
    characters), unlike the generator's, which packs it into 144°."""
    from PIL import ImageDraw

    from fixtures.gen.seals import _arc_text

    dpi = 200.0
    img = _blank_page(dpi)
    h, w = img.shape[:2]
    r = 42 * MM * dpi / 72 / 2
    side = int(2 * r) + 8
    mask_img = Image.new("L", (side, side), 0)
    c = side / 2
    ImageDraw.Draw(mask_img).ellipse((c - r, c - r, c + r, c + r), outline=255,
                                     width=int(0.07 * r))
    _arc_text(mask_img, "重庆大学", c, c, 0.72 * r, 0.72 * r, int(0.3 * r), 240.0,
              SEAL_FONTS["holdout"][0])
    mask = np.asarray(mask_img, np.float32) / 255.0
    cx, cy = int(w * 0.5), int(h * 0.5)
    x0, y0 = cx - side // 2, cy - side // 2
    roi = img[y0:y0 + side, x0:x0 + side].astype(np.float32)
    col = np.array((205, 30, 40), np.float32) / 255.0
    img[y0:y0 + side, x0:x0 + side] = (roi * (1 - mask[..., None] * (1 - col))).astype(np.uint8)
    return _page(img, dpi), _box(cx, cy, r, r, img.shape)


def test_a_spread_out_short_name_is_kept_whole() -> None:
    page, box = _spread_name_page()
    strip = seal_strip(page, box)
    assert strip is not None
    per_degree = 2 * np.pi * UNWRAP_RADIUS_PX * 0.75 * STRIP_SQUEEZE / 360
    assert (strip.shape[1] - 32) / per_degree >= 200  # all four characters, not one


@pytest.mark.slow
def test_a_spread_out_short_name_is_read() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    page, box = _spread_name_page()
    assert read_seal_text(page, box, make_engine("rapidocr")) == "重庆大学"
