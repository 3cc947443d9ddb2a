"""Second seals and faint seals on dark pages (``seals._companions``,
``seal_geometry._grow_faint`` and the paper scaling of ``_contrast_gain``).

Real rendered pages: the letter of ``test_seals`` with its round seal and a 白文 name seal
(a red square, the name cut out in white) beside it, born-digital and scanned; and the
sealed letter scanned under-exposed (paper at ~115 of 255) with its seal faded.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from tests.test_seals import RED, _iou, _open, _round_seal, _scan, _text_page
from verify.checks.seal_geometry import _contrast_gain, build_maps
from verify.checks.seals import _ring_ink, _star_ink, find_seals, seal_candidates
from verify.model import BBox


def _name_seal(page: pymupdf.Page, corner: tuple[float, float], side: float,
               name: str = "王建华") -> BBox:
    """A 白文 name seal: a filled red square with the name (2x2 characters) in white."""
    x, y = corner
    page.draw_rect(pymupdf.Rect(x, y, x + side, y + side), color=RED, fill=RED, width=0)
    chars = [*name, "印"][:4]
    size = side * 0.4
    for k, ch in enumerate(chars):  # read top-right, bottom-right, top-left, bottom-left
        col, row = 1 - k // 2, k % 2
        page.insert_text(pymupdf.Point(x + side * 0.08 + col * side * 0.44,
                                       y + side * 0.08 + (row + 0.85) * side * 0.44),
                         ch, fontname="china-s", fontsize=size, color=(1, 1, 1))
    w, h = page.rect.width, page.rect.height
    return (x / w, y / h, (x + side) / w, (y + side) / h)


@pytest.fixture(scope="module")
def two_seals_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BBox, BBox]:
    doc = pymupdf.open()
    page = _text_page(doc)
    round_box = _round_seal(page, (420, 605), 62)
    name_box = _name_seal(page, (290, 585), 48)
    path = tmp_path_factory.mktemp("companion") / "two_seals.pdf"
    doc.save(path)
    return path, round_box, name_box


def test_name_seal_beside_round_seal_is_found(two_seals_pdf: tuple[Path, BBox, BBox]) -> None:
    path, round_box, name_box = two_seals_pdf
    page = _open(path)
    cands = seal_candidates(page)
    name = max(cands, key=lambda c: _iou(c.bbox, name_box))
    # the model alone scores this square under its threshold: the companion rule takes it
    assert name.geometry.square and name.score < 0.5 and name.accepted
    seals = find_seals(page)
    assert len(seals) == 2
    assert max(_iou(s.bbox, round_box) for s in seals if s.shape == "round") >= 0.5
    assert max(_iou(s.bbox, name_box) for s in seals if s.shape == "square") >= 0.5


def test_name_seal_alone_is_not_taken_by_the_companion_rule(tmp_path: Path) -> None:
    """Without an accepted seal on the page the same square is judged by the model alone."""
    doc = pymupdf.open()
    page = _text_page(doc)
    name_box = _name_seal(page, (290, 585), 48)
    path = tmp_path / "name_only.pdf"
    doc.save(path)
    cands = seal_candidates(_open(path))
    name = max(cands, key=lambda c: _iou(c.bbox, name_box))
    assert _iou(name.bbox, name_box) >= 0.5 and not name.accepted


def _dark_faint_scan(pdf: Path, out: Path, fade: float, exposure: float) -> Path:
    """The page scanned at 150 DPI with its red ink faded towards the paper (``fade`` of
    the way) and every pixel scaled by ``exposure`` (an under-exposed scan)."""
    doc = pymupdf.open(pdf)
    pix = doc[0].get_pixmap(dpi=150)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3).astype(float)
    red = (img[..., 0] - img[..., 1:].max(axis=2)) > 30
    img[red] = img[red] + fade * (255.0 - img[red])
    img = np.clip(img * exposure, 0, 255).astype(np.uint8)
    cv2.imwrite(str(out), cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return out


def test_faint_seal_on_under_exposed_scan_is_found(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = _text_page(doc)
    truth = _round_seal(page, (420, 605), 62)
    pdf = tmp_path / "letter.pdf"
    doc.save(pdf)
    scan = _open(_dark_faint_scan(pdf, tmp_path / "dark.jpg", fade=0.8, exposure=0.46))
    paper = np.percentile(scan.image[..., 1], 99)
    assert 100 <= paper <= 125  # really under-exposed
    seals = find_seals(scan)
    assert len(seals) == 1 and _iou(seals[0].bbox, truth) >= 0.5
    assert seals[0].color == "red"


def test_dark_letterhead_page_has_no_seal(tmp_path: Path) -> None:
    """The paper scaling must not turn a red letterhead on a dark scan into a seal."""
    doc = pymupdf.open()
    _text_page(doc, letterhead=True)
    pdf = tmp_path / "redhead.pdf"
    doc.save(pdf)
    scan = _open(_dark_faint_scan(pdf, tmp_path / "dark_redhead.jpg", fade=0.5, exposure=0.46))
    assert find_seals(scan) == ()


def test_scanned_name_seal_beside_round_seal(two_seals_pdf: tuple[Path, BBox, BBox],
                                             tmp_path: Path) -> None:
    path, round_box, name_box = two_seals_pdf
    seals = find_seals(_open(_scan(path, tmp_path / "two.jpg")))
    assert max(_iou(s.bbox, round_box) for s in seals) >= 0.5
    assert max(_iou(s.bbox, name_box) for s in seals) >= 0.5


def test_colour_maps_of_a_dark_scan_are_scaled_to_white_paper(tmp_path: Path) -> None:
    """An under-exposed scan (paper ~115) has its red map scaled ~2x; a normal scan of the
    same page (paper ~250) is not scaled at all."""
    doc = pymupdf.open()
    page = _text_page(doc)
    truth = _round_seal(page, (420, 605), 62)
    pdf = tmp_path / "letter.pdf"
    doc.save(pdf)
    dark = _open(_dark_faint_scan(pdf, tmp_path / "dark.jpg", fade=0.6, exposure=0.46))
    normal = _open(_dark_faint_scan(pdf, tmp_path / "normal.jpg", fade=0.6, exposure=1.0))
    m_dark, m_normal = build_maps(dark.image), build_maps(normal.image)
    grey = cv2.cvtColor(m_dark.rgb, cv2.COLOR_RGB2GRAY)
    gain, red_gain = _contrast_gain(grey)
    assert 1.9 <= red_gain <= 2.2 and gain < 1.7  # the blue map keeps the tonal stretch only
    assert _contrast_gain(cv2.cvtColor(m_normal.rgb, cv2.COLOR_RGB2GRAY)) == (1.0, 1.0)
    # the seal's red reads about as strong on the dark scan as on the normal one
    h, w = m_dark.red.shape
    x0, y0, x1, y1 = truth
    box = (slice(int(y0 * h), int(y1 * h)), slice(int(x0 * w), int(x1 * w)))
    ratio = np.percentile(m_dark.red[box], 98) / np.percentile(m_normal.red[box], 98)
    assert 0.8 <= ratio <= 1.25


def _grey_ring_seal(page: pymupdf.Page, centre: tuple[float, float], radius: float,
                    star_colour: tuple[float, float, float]) -> BBox:
    """A seal whose ring and lettering print pale grey-pink (a pale stamp thinned by blur)
    and whose solid star is ``star_colour``."""
    pale = (0.57, 0.55, 0.55)
    cx, cy = centre
    page.draw_circle(pymupdf.Point(cx, cy), radius, color=pale, width=radius * 0.06)
    for i, ch in enumerate("绍兴市建筑设计研究院"):
        t = math.radians(200 + i * 14.5)
        page.insert_text(pymupdf.Point(cx + radius * 0.74 * math.cos(t) - 6,
                                       cy + radius * 0.74 * math.sin(t) + 4), ch,
                         fontname="china-s", fontsize=radius * 0.22, color=pale)
    pts = []
    for k in range(10):
        rr = radius * 0.26 if k % 2 == 0 else radius * 0.26 * 0.38
        t = -math.pi / 2 + k * math.pi / 5
        pts.append(pymupdf.Point(cx + rr * math.cos(t), cy + rr * math.sin(t)))
    page.draw_polyline([*pts, pts[0]], color=star_colour, fill=star_colour, width=0)
    w, h = page.rect.width, page.rect.height
    return ((cx - radius) / w, (cy - radius) / h, (cx + radius) / w, (cy + radius) / h)


@pytest.mark.parametrize(("star", "is_seal"), [(RED, True), ((0.1, 0.1, 0.1), False)])
def test_grey_ring_on_colour_scan_is_a_seal_only_with_a_coloured_star(
        tmp_path: Path, star: tuple[float, float, float], is_seal: bool) -> None:
    doc = pymupdf.open()
    page = _text_page(doc, letterhead=True)  # red letterhead: a colour page either way
    truth = _grey_ring_seal(page, (420, 690), 62, star)
    pdf = tmp_path / "pale.pdf"
    doc.save(pdf)
    scan = _open(_scan(pdf, tmp_path / "pale.jpg"))
    m = build_maps(scan.image)
    ring = max((c for c in seal_candidates(scan, m) if c.mode == "dark"),
               key=lambda c: _iou(c.bbox, truth))
    assert _iou(ring.bbox, truth) >= 0.5 and _ring_ink(m, ring.geometry) == "grey"
    assert _star_ink(m, ring.geometry) == ("red" if is_seal else "grey")
    seals = find_seals(scan)
    if is_seal:
        assert len(seals) == 1 and _iou(seals[0].bbox, truth) >= 0.5
        assert seals[0].color == "red"
    else:
        assert seals == ()
