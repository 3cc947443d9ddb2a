"""False seals the fourth round removed (dev seeds 9101/9102; sets D and E reported):

- a journal cover's picture: its flat blue sky is "paper" once the local paper colour is
  subtracted, and the sky's edges draw a chance blue oval (``flat_colour`` gate);
- a blue emblem whose thin inner ring is too light for the blue map: the emblem test sees
  the inner ring only on the darkness map, so a candidate that is the same mark as (or lies
  inside) an inner-ringed ring on any map is that emblem;
- a table photographed 1-3 degrees off: its rules are removed along tilted lines too.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

import tests.test_seals as ts
from verify.checks import seals as seals_mod
from verify.checks.seal_geometry import (
    FEATURE_NAMES,
    Geometry,
    border_cover,
    build_maps,
    line_free_dark,
)
from verify.checks.seals import find_seals, seal_candidates

SKY = (0.38, 0.50, 0.86)
CLOUD = (0.55, 0.64, 0.90)


def _cover(doc: pymupdf.Document) -> pymupdf.Page:
    """A journal cover: title, and a picture of a blue sky with a lighter cloud band, a
    pale sun and green hills (as the fixture generator draws covers)."""
    page = doc.new_page(width=595, height=842)
    page.draw_rect(pymupdf.Rect(0, 0, 595, 200), color=None, fill=(0.15, 0.15, 0.25))
    page.insert_text((150, 120), "节能与环保", fontname="china-s", fontsize=48, color=(1, 1, 1))
    page.insert_text((380, 260), "2023年第6期", fontname="china-s", fontsize=18)
    pic = pymupdf.Rect(60, 300, 535, 620)
    page.draw_rect(pic, color=None, fill=SKY)
    page.draw_oval(pymupdf.Rect(70, 310, 525, 470), color=None, fill=CLOUD)
    page.draw_circle(pymupdf.Point(420, 360), 30, color=None, fill=(0.93, 0.85, 0.55))
    hills = [pymupdf.Point(60, 470), pymupdf.Point(200, 430), pymupdf.Point(300, 480),
             pymupdf.Point(420, 440), pymupdf.Point(535, 460), pymupdf.Point(535, 620),
             pymupdf.Point(60, 620), pymupdf.Point(60, 470)]
    page.draw_polyline(hills, color=None, fill=(0.18, 0.5, 0.3), closePath=True)
    page.insert_text((60, 700), "出版日期：二〇二三年十一月十八日", fontname="china-s", fontsize=12)
    return page


def _photo(pdf: Path, out: Path, tilt: float = 0.0) -> Path:
    """The page as a phone photo: 150 DPI, dimmer, sensor noise, blur, turned by ``tilt``
    degrees on a grey background, JPEG."""
    pix = pymupdf.open(pdf)[0].get_pixmap(dpi=150)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]
    rng = np.random.default_rng(11)
    img = np.clip(img.astype(np.float32) * 0.92 + rng.normal(0, 4, img.shape), 0, 255)
    img = img.astype(np.uint8)
    if tilt:
        h, w = img.shape[:2]
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
        img = cv2.warpAffine(img, turn, (w, h), borderValue=(120, 120, 120))
    img = cv2.GaussianBlur(img, (3, 3), 0)
    cv2.imwrite(str(out), cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return out


def test_cover_picture_sky_is_no_seal(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _cover(doc)
    doc.save(tmp_path / "cover.pdf")
    page = ts._open(_photo(tmp_path / "cover.pdf", tmp_path / "cover.jpg"))
    assert find_seals(page) == ()
    # The model likes the sky's edges (a closed border on the blue map once the sky is
    # subtracted as paper); they stand in flat colour, which the gate rejects.
    liked = [c for c in seal_candidates(page) if c.mode == "blue" and c.score >= 0.8]
    assert liked
    for c in liked:
        assert c.features[FEATURE_NAMES.index("flat_colour")] > 0.5
        assert not seals_mod.passes_gates(np.array(c.features))


def test_seal_on_a_cover_with_a_picture_is_found(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = _cover(doc)
    truth = ts._round_seal(page, (420, 740), 60)
    doc.save(tmp_path / "cover.pdf")
    photo = ts._open(_photo(tmp_path / "cover.pdf", tmp_path / "cover.jpg"))
    found = find_seals(photo)
    assert len(found) == 1 and ts._iou(found[0].bbox, truth) >= 0.6
    assert found[0].color == "red"
    seal = next(c for c in seal_candidates(photo) if c.accepted)
    assert seal.features[FEATURE_NAMES.index("flat_colour")] < 0.05


def _blue_emblem(page: pymupdf.Page, cx: float, cy: float, r: float) -> None:
    """A printed school emblem in blue: a thick dark ring, a thin light inner ring, the name
    along the top, a book drawn in the centre, a year."""
    dark, light = (0.18, 0.25, 0.65), (0.55, 0.58, 0.85)
    page.draw_circle(pymupdf.Point(cx, cy), r, color=dark, width=r * 0.07)
    page.draw_circle(pymupdf.Point(cx, cy), r * 0.62, color=light, width=r * 0.04)
    for i, ch in enumerate("温州大学"):
        t = math.radians(200 + i * 47)
        x, y = cx + r * 0.81 * math.cos(t), cy + r * 0.81 * math.sin(t)
        page.insert_text((x - r * 0.09, y + r * 0.07), ch, fontname="china-s",
                         fontsize=r * 0.2, color=light)
    page.draw_rect(pymupdf.Rect(cx - r * 0.3, cy - r * 0.1, cx + r * 0.3, cy + r * 0.22),
                   color=dark, width=r * 0.03)
    page.draw_line((cx, cy - r * 0.1), (cx, cy + r * 0.22), color=dark, width=r * 0.03)
    page.insert_text((cx - r * 0.2, cy - r * 0.25), "1933", fontsize=r * 0.15, color=light)


def test_blue_emblem_with_a_light_inner_ring_is_no_seal(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.draw_rect(pymupdf.Rect(30, 30, 565, 812), color=(0.7, 0.55, 0.2), width=6)
    _blue_emblem(page, 297, 130, 38)
    page.insert_text((200, 260), "学位证书", fontname="china-s", fontsize=40)
    for i in range(4):
        page.insert_text((90, 360 + 30 * i), ts.BODY[i:i + 26], fontname="china-s", fontsize=14)
    doc.save(tmp_path / "cert.pdf")
    photo = ts._open(_photo(tmp_path / "cert.pdf", tmp_path / "cert.jpg", tilt=1.5))
    assert find_seals(photo) == ()
    # Without the emblem test across maps and parts, a ring fitted inside the emblem (its
    # inner ring, book and year) is taken for a seal.
    monkeypatch.setattr(seals_mod, "_emblem_boxes", lambda m, measured: [])
    assert find_seals(photo)


def test_tilted_table_rules_are_removed_and_a_ring_is_kept() -> None:
    img = np.full((1000, 707, 3), 235, np.uint8)
    for k in range(6):  # table rules across the page, tilted 2.5 degrees
        y0 = 200 + 40 * k
        cv2.line(img, (80, y0), (620, y0 + round(540 * math.tan(math.radians(2.5)))),
                 (60, 60, 60), 2)
    cv2.circle(img, (350, 700), 70, (90, 90, 90), 5)
    m = build_maps(img)
    no_lines = line_free_dark(m)
    xs = np.linspace(120, 580, 50).astype(int)
    ys = (240 + (xs - 80) * math.tan(math.radians(2.5))).round().astype(int)
    assert (m.dark[ys, xs] > 0.3).mean() > 0.9  # the rule is ink ...
    assert (no_lines[ys, xs] == 0).mean() > 0.95  # ... and is gone
    ring = Geometry(350, 700, 70, 70, 0.0)
    assert border_cover(no_lines, ring, m.dark) > 0.95
