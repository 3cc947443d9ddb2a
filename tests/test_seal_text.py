"""Seal text: the curved unit name of real rendered round seals (the fixture generator's own
seal drawing), unwrapped and read by RapidOCR."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from fixtures.gen.fonts import SEAL_FONTS
from fixtures.gen.seals import MM, MarkSpec, render_mask
from verify.checks.seal_text import (
    STRIP_PAD_PX,
    OtherRing,
    Ring,
    _blank_other_rings,
    _centre_on_star,
    _fit_border,
    _mend_legal_form,
    _star_phase,
    _tight_line,
    compare_seal_unit,
    fit_ring,
    read_seal_text,
    seal_colour,
    seal_ink_channel,
    seal_strip,
    seal_text_cer,
)
from verify.model import BBox
from verify.pages import Page

DPI = 200.0
PX_PER_PT = DPI / 72


def _page_with_seal(spec: MarkSpec, overprint: str | None = None,
                    rows: int = 0) -> tuple[Page, BBox]:
    """An A4 page at 200 DPI with the seal stamped (alpha-blended ink) at its lower right;
    ``overprint`` puts a line of black text across the seal, as a signing unit would be;
    ``rows`` lines of a ruled table of black text run across the seal (a form's rows)."""
    h, w = round(297 / 25.4 * DPI), round(210 / 25.4 * DPI)
    img = np.full((h, w, 3), 250, np.uint8)
    if overprint:
        cv2.putText(img, overprint, (int(w * 0.45), int(h * 0.71)), cv2.FONT_HERSHEY_SIMPLEX,
                    2.0, (20, 20, 20), 4)
    for k in range(rows):
        y = int(h * 0.7) + (k - rows // 2) * 70
        cv2.putText(img, "Project 2021-03 Unit: ACME Environmental Co.", (int(w * 0.3), y),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.3, (25, 25, 25), 3)
        cv2.line(img, (int(w * 0.25), y + 22), (int(w * 0.95), y + 22), (25, 25, 25), 2)
    mask = render_mask(spec, PX_PER_PT)
    side = mask.shape[0]
    cx, cy = int(w * 0.62), int(h * 0.7)
    x0, y0 = cx - side // 2, cy - side // 2
    roi = img[y0:y0 + side, x0:x0 + side].astype(np.float32)
    a = mask[..., None] * 0.92
    blended = roi * (1 - a) + np.array(spec.color, np.float32) * a
    img[y0:y0 + side, x0:x0 + side] = np.clip(blended, 0, 255).astype(np.uint8)
    r = spec.width * PX_PER_PT / 2
    mid_x, mid_y = x0 + side / 2, y0 + side / 2
    bbox = ((mid_x - r) / w, (mid_y - r) / h, (mid_x + r) / w, (mid_y + r) / h)
    page = Page(number=1, image=img, dpi=DPI, width_pt=w * 72 / DPI, height_pt=h * 72 / DPI,
                effective_dpi=DPI, origin="image")
    return page, bbox


def _seal(unit: str, angle: float, font: tuple[str, int], bottom: str = "",
          number: str = "") -> MarkSpec:
    return MarkSpec("seal_round", unit, bottom, 42 * MM, 42 * MM, angle, (205, 30, 40), font,
                    seed=11, strength=0.95, number=number)


CLEAN_SEALS = [
    # unit, angle (° counter-clockwise), font, bottom text, serial number
    ("绍兴市生态环境局", 0.0, SEAL_FONTS["dev"][0], "", ""),
    ("诸暨市东湖环保科技有限公司", 25.0, SEAL_FONTS["dev"][1], "专用章", ""),
    ("台州市烂柯节能环保设计院有限公司", -30.0, SEAL_FONTS["holdout"][0], "",
     "3306021234567"),
    ("浙江理工大学", 170.0, SEAL_FONTS["holdout"][1], "人事专用章", ""),  # a turned seal
]


@pytest.mark.slow
def test_clean_round_seals_are_read_within_the_cer_bound() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    engine = make_engine("rapidocr")
    cers = []
    for unit, angle, font, bottom, number in CLEAN_SEALS:
        page, bbox = _page_with_seal(_seal(unit, angle, font, bottom, number))
        text = read_seal_text(page, bbox, engine)
        cer = seal_text_cer(unit, text)
        # the bottom text and the serial number stay out of the reading
        assert "专用章" not in text and not any(c.isdigit() for c in text), text
        assert cer <= 0.25, (unit, text)
        cers.append(cer)
    assert float(np.mean(cers)) <= 0.10, cers


@pytest.mark.slow
def test_seal_text_ignores_black_text_printed_over_the_seal() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    unit = "嵊州市若耶水务研究院有限公司"
    page, bbox = _page_with_seal(_seal(unit, 10.0, SEAL_FONTS["dev"][0]), overprint="2021 ABCD")
    text = read_seal_text(page, bbox, make_engine("rapidocr"))
    assert seal_text_cer(unit, text) <= 0.15, text


def test_ink_channel_keeps_red_strokes_and_drops_black_text() -> None:
    crop = np.full((120, 120, 3), 250, np.uint8)
    crop[20:30, 10:110] = (205, 30, 40)  # a red stroke
    crop[70:80, 10:110] = (20, 20, 20)  # a black stroke
    crop[90:95, 10:110] = (235, 150, 160)  # a pale red stroke (unevenly inked stamp)
    ink = seal_ink_channel(crop)
    assert ink[25, 60] < 60  # red: dark
    assert ink[75, 60] > 200  # black text: gone
    assert ink[50, 60] > 240  # paper: white
    assert ink[92, 60] < 160  # pale red: still visible


def test_border_fit_finds_a_ring_the_box_missed() -> None:
    ink = np.full((480, 480), 255, np.uint8)
    cv2.circle(ink, (262, 228), 178, 0, 10)  # the true border
    cv2.putText(ink, "TEXT", (150, 200), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 8)
    cx, cy, r = _fit_border(ink, (240.0, 240.0), 160.0)  # the box: off-centre and small
    assert abs(cx - 262) <= 6 and abs(cy - 228) <= 6 and abs(r - 178) <= 8


def test_border_fit_keeps_the_box_without_a_ring() -> None:
    ink = np.full((300, 300), 255, np.uint8)
    assert _fit_border(ink, (150.0, 150.0), 100.0) is None
    assert fit_ring(ink, (150.0, 150.0), 100.0) == Ring(150.0, 150.0, 100.0, 100.0)


def test_a_ring_exactly_on_the_box_is_found_not_taken_for_no_ring() -> None:
    """The box's own centre and radius are on the search grid: a perfect fit returns them,
    which once read as "no ring found" (review)."""
    ink = np.full((400, 400), 255, np.uint8)
    cv2.circle(ink, (200, 200), 160, 0, 9)
    assert _fit_border(ink, (200.0, 200.0), 160.0) == pytest.approx((200.0, 200.0, 160.0), abs=2.5)


def test_unit_comparison_is_a_tolerant_hint() -> None:
    page = "关于XX项目的报告\n……\n编制单位：嵊州市若耶水务研究院有限公司\n2021年3月"
    slip = compare_seal_unit("嵊州市若邯水务研究院有限公", page)  # two OCR slips
    assert slip.matches and slip.page_unit == "嵊州市若耶水务研究院有限公司"
    assert slip.source == "labelled"
    other = compare_seal_unit("诸暨市东湖环保科技有限公司", page)
    assert not other.matches and other.similarity < 0.6
    empty = compare_seal_unit("", page)  # nothing read from the seal: no claim either way
    assert not empty.matches and empty.similarity == 0.0
    scrap = compare_seal_unit("限公司", page)  # a half-read seal: found in any company name
    assert scrap.similarity == 1.0 and not scrap.matches


@pytest.mark.slow
def test_the_workers_engine_in_its_own_process_reads_seals_as_one_line() -> None:
    """The pipeline reads seal text through the second reading's out-of-process RapidOCR:
    the strip must reach the recogniser alone there too (``read_line``), not the detector."""
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import OutOfProcessEngine

    engine = OutOfProcessEngine("rapidocr", det_max_side=960)
    try:
        unit, angle, font, bottom, number = CLEAN_SEALS[0]
        page, bbox = _page_with_seal(_seal(unit, angle, font, bottom, number))
        text = read_seal_text(page, bbox, engine)
        assert seal_text_cer(unit, text) <= 0.10, (unit, text)
    finally:
        engine.close()


def _page_with_pair(first: MarkSpec, second: MarkSpec, offset: tuple[float, float],
                    ) -> tuple[Page, BBox, BBox]:
    """Two seals stamped over each other (co-signing units): the second's centre ``offset``
    (shares of its diameter) from the first's; the ink of the second darkens the first's
    where they cross, as stamp ink does."""
    h, w = 1400, 1400
    img = np.full((h, w, 3), 248, np.uint8)
    boxes = []
    side_pt = first.width * PX_PER_PT
    for spec, (dx, dy) in ((first, (0.0, 0.0)), (second, offset)):
        mask = render_mask(spec, PX_PER_PT)
        side = mask.shape[0]
        cx, cy = w / 2 + dx * side_pt - side_pt / 3, h / 2 + dy * side_pt - side_pt / 3
        x0, y0 = int(cx - side / 2), int(cy - side / 2)
        roi = img[y0:y0 + side, x0:x0 + side].astype(np.float32)
        a = mask[..., None] * 0.9
        ink = roi * np.array(spec.color, np.float32) / 255.0
        img[y0:y0 + side, x0:x0 + side] = np.clip(roi * (1 - a) + ink * a, 0, 255).astype(np.uint8)
        r = spec.width * PX_PER_PT / 2
        mid_x, mid_y = x0 + side / 2, y0 + side / 2
        boxes.append(((mid_x - r) / w, (mid_y - r) / h, (mid_x + r) / w, (mid_y + r) / h))
    page = Page(number=1, image=img, dpi=DPI, width_pt=w * 72 / DPI, height_pt=h * 72 / DPI,
                effective_dpi=DPI, origin="image")
    return page, boxes[0], boxes[1]


@pytest.mark.slow
def test_two_seals_stamped_over_each_other_are_both_read() -> None:
    """Co-signing units: each seal's ring crosses the other's name. Told where the other
    seal is, the reader removes its border line from the strip."""
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    engine = make_engine("rapidocr")
    units = ("嘉兴市瓯江污染治理有限责任公司", "宁波市鉴湖环境监测有限公司")
    first = _seal(units[0], 10.0, SEAL_FONTS["holdout"][0], "合同专用章")
    second = replace(_seal(units[1], -20.0, SEAL_FONTS["holdout"][1], "专用章"), seed=12,
                     color=(200, 35, 45))
    page, box_a, box_b = _page_with_pair(first, second, (0.6, 0.0))  # side by side, 40 % over
    cers = []
    for unit, box, other in ((units[0], box_a, box_b), (units[1], box_b, box_a)):
        text = read_seal_text(page, box, engine, (other,))
        assert seal_text_cer(unit, text) <= 0.2, (unit, text)
        cers.append(seal_text_cer(unit, text))
    # untold (no other seal passed), the two read 7 % and 23 % (宁波湖环境监测有限公)
    assert float(np.mean(cers)) <= 0.12, cers


def test_the_other_seals_line_is_filled_where_it_crosses_the_characters() -> None:
    """The other seal's border is removed where it cuts across this seal's rings, and left
    where it runs along them (filling it there would erase the characters' strokes)."""
    ink = np.full((400, 400), 255, np.uint8)
    cv2.circle(ink, (200, 200), 160, 0, 6)  # this seal's border
    cv2.circle(ink, (420, 200), 160, 0, 6)  # the other's, centred 220 px to the right
    cv2.line(ink, (230, 120), (230, 280), 0, 4)  # a stroke of this seal's name
    other = OtherRing(420.0, 200.0, 160.0, 5.0)
    out = _blank_other_rings(ink, (other,), 1.0, 1.0, (200.0, 200.0))
    # 120 px from this seal's centre (its character band) the other's line cuts across the
    # rings at ~77°: filled; on the line between the centres it runs along them: kept
    assert ink[115, 284] < 50 and out[115, 284] > 200
    assert out[200, 260] < 50
    # this seal's own border and the stroke stay
    assert out[200, 40] < 50 and out[150, 230] < 80
    # nothing away from the other's line changes
    assert np.array_equal(out[:, :235] > 128, ink[:, :235] > 128)


def test_a_misread_legal_form_at_the_end_is_mended() -> None:
    # readings of the tuning photos: one or two characters of the legal form misread
    assert _mend_legal_form("温州市钱塘清浩能源有贵任公司") == "温州市钱塘清浩能源有限责任公司"
    assert _mend_legal_form("温州市钱明洁能源有限责纪公司") == "温州市钱明洁能源有限责任公司"
    assert _mend_legal_form("绍光市鉴湖环保究院有限公") == "绍光市鉴湖环保究院有限公司"
    assert _mend_legal_form("泰州市鉴湖际少建股份有限公司司") == "泰州市鉴湖际少建股份有限公司"
    # correct forms, other unit types and far-off endings are left as read
    assert _mend_legal_form("嵊州市鉴湖环保科技股份有限公司") == "嵊州市鉴湖环保科技股份有限公司"
    assert _mend_legal_form("丽水市太湖环境规划设计有限责任公司") == "丽水市太湖环境规划设计有限责任公司"
    assert _mend_legal_form("浙江理工大学") == "浙江理工大学"
    assert _mend_legal_form("中国电信集团公司") == "中国电信集团公司"
    assert _mend_legal_form("环境科学与管理杂志社") == "环境科学与管理杂志社"
    assert _mend_legal_form("公司") == "公司"
    assert _mend_legal_form("") == ""


def test_a_noisy_pale_seal_is_cut_to_the_rows_of_its_characters() -> None:
    """A pale stamp on a noisy JPEG (a photo's paper): the noise left in the unwrapped band
    must not keep the recogniser's line as tall as the whole band (the characters then
    shrink when it is scaled to the recogniser's height)."""
    unit, angle, font, bottom, number = CLEAN_SEALS[1]
    page, bbox = _page_with_seal(replace(_seal(unit, angle, font, bottom, number),
                                         strength=0.5, uneven=0.6))
    rng = np.random.default_rng(3)
    img = page.image.astype(np.float32) + rng.normal(0, 5, page.image.shape[:2])[..., None]
    ok, buf = cv2.imencode(".jpg", np.clip(img, 0, 255).astype(np.uint8),
                           [cv2.IMWRITE_JPEG_QUALITY, 70])
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert ok and decoded is not None
    noisy = replace(page, image=decoded)
    heights = []
    for p in (page, noisy):
        strip = seal_strip(p, bbox)
        assert strip is not None
        band_rows = strip.shape[0] - 2 * STRIP_PAD_PX
        line = _tight_line(cv2.cvtColor(strip, cv2.COLOR_GRAY2RGB))
        assert line.shape[0] < band_rows
        heights.append(line.shape[0])
    # the noisy page's line within a few rows of the clean page's (the fixed darkness level
    # used before kept 66 rows here against 54)
    assert heights[1] <= heights[0] + 4, heights


@pytest.mark.slow
def test_a_blue_seal_is_read_by_its_colour_not_its_darkness() -> None:
    """A blue seal over the rows of a form: read from darkness alone (as every seal without
    red once was) the black rows filled the ring and the names came out as 平物态境制 or
    nothing; separated by their blue, as red seals are by their red, they are read."""
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    engine = make_engine("rapidocr")
    cers = []
    for unit, angle, font, bottom, number in CLEAN_SEALS:
        spec = replace(_seal(unit, angle, font, bottom, number), color=(40, 60, 170))
        page, bbox = _page_with_seal(spec, rows=5)
        assert seal_colour(page.crop(bbox)) == "blue"
        text = read_seal_text(page, bbox, engine)
        cers.append(seal_text_cer(unit, text))
    assert float(np.mean(cers)) <= 0.10, cers


def test_the_seal_colour_is_told_by_the_strongest_colour_excess() -> None:
    crop = np.full((100, 100, 3), 250, np.uint8)
    assert seal_colour(crop) == "red"  # no colour: the red path, which falls back to grey
    crop[40:50, 10:90] = (20, 20, 20)  # black text alone
    assert seal_colour(crop) == "red"
    crop[10:20, 10:90] = (40, 60, 170)  # blue ink
    assert seal_colour(crop) == "blue"
    crop[60:80, 10:90] = (205, 30, 40)  # ... and more strongly red ink
    assert seal_colour(crop) == "red"


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """``img`` (RGB) through OpenCV's JPEG encoder (4:2:0: colour at half resolution)."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def test_pale_red_strokes_between_black_strokes_survive_jpeg() -> None:
    # A pale stretch of a stamp under bold print: thin pale red strokes each between two
    # black ones. JPEG keeps their colour only at half resolution, averaged with the black;
    # their luma (kept at full resolution) still tells them from the black and the paper.
    crop = np.full((160, 160, 3), 250, np.uint8)
    crop[10:20, 10:150] = (205, 30, 40)  # a strong red stroke: the seal's ink level
    for k in range(6):
        x = 20 + 20 * k
        crop[60:140, x:x + 4] = (20, 20, 20)
        crop[60:140, x + 4:x + 7] = (232, 150, 158)
        crop[60:140, x + 7:x + 11] = (20, 20, 20)
    ink = seal_ink_channel(_jpeg(crop, 60))
    red = [int(ink[100, 20 + 20 * k + 5]) for k in range(6)]
    black = [int(ink[100, 20 + 20 * k + d]) for k in range(6) for d in (1, 9)]
    assert max(red) < 70, red  # the colour-only map left them at 112-119 (pale grey)
    assert min(black) > 200, black
    assert ink[40, 80] > 240  # paper


@pytest.mark.slow
def test_a_jpeg_seal_under_printed_rows_is_read() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.text.ocr import make_engine

    engine = make_engine("rapidocr")
    cers = []
    for unit, angle, font, bottom, number in CLEAN_SEALS:
        page, bbox = _page_with_seal(_seal(unit, angle, font, bottom, number), rows=3)
        page = replace(page, image=_jpeg(page.image, 65))
        cers.append(seal_text_cer(unit, read_seal_text(page, bbox, engine)))
    assert float(np.mean(cers)) <= 0.10, cers


@pytest.mark.parametrize("angle", [0.0, 25.0, -30.0, 170.0])
def test_the_star_points_at_the_middle_of_the_name(angle: float) -> None:
    # The generator draws the name centred on the top and the star pointing up, as GB
    # official seals are; turned by ``angle`` (counter-clockwise) the name's middle is at
    # 270 - angle degrees clockwise from +x on screen, and one of the star's points with it.
    unit, _, font, bottom, number = CLEAN_SEALS[1]
    page, bbox = _page_with_seal(_seal(unit, angle, font, bottom, number))
    crop = page.crop(bbox)
    ink = seal_ink_channel(crop)
    h, w = ink.shape
    ring = Ring(w / 2, h / 2, w / 2, w / 2)
    n = 720
    phase = _star_phase(ink, ring, n)
    assert phase is not None
    off = (phase * 360 / n - (270 - angle)) % 72
    assert min(off, 72 - off) <= 3.0, (phase * 360 / n, angle)


def test_no_star_is_found_on_a_ring_without_one() -> None:
    ink = np.full((400, 400), 255, np.uint8)
    cv2.circle(ink, (200, 200), 190, 0, 8)
    cv2.circle(ink, (200, 200), 40, 0, -1)  # a round emblem, not a star
    assert _star_phase(ink, Ring(200, 200, 190, 190), 720) is None


def test_a_name_cut_short_on_one_side_is_recentred_on_the_star() -> None:
    # Ink seen from column 100 to 250 (of 720, 2 per degree): the arc's middle is 175; the
    # star's point at 205 says the name's middle lies 15° further on (its far end faded).
    start, length = _centre_on_star(100, 150, star_phase=205.0 % 144, n=720, cap=528)
    assert (start, length) == (100, 210)  # symmetric round 205, out to the far end (100)
    # a point within 8° of the middle: left alone
    assert _centre_on_star(100, 150, star_phase=180.0 % 144, n=720, cap=528) == (100, 150)
