"""Seals the fifth round found missing because their colour was read from the whole box
(dev seeds 9102/9104; set D reported): on a colour page a ring found on the darkness map is a
seal only when it is seal ink, and the median ink of its box reads grey when large black
text fills the box (a red seal stamped over the signing unit's name) or the seal is pale
(pink on a blurred photo). The ring's own colour, read where the ring is inked
(``ring_colour``), decides now; a neutral ring over the same text stays no seal.

Also the second chance for a blue ring with a solid star (a blue seal whose ring is partly
worn away scored under the threshold on both maps).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

import tests.test_seals as ts
from fixtures.gen.fonts import SERIF_B
from fixtures.gen.seals import BLUE_INK, MM, RED_INKS, MarkSpec, outline, render_mask
from verify.checks import seal_geometry
from verify.checks.seal_geometry import FEATURE_NAMES, build_maps, ring_colour
from verify.checks.seals import (
    SECOND_CHANCE_STAR,
    SealCandidate,
    _ink_colour,
    _second_chance,
    find_seals,
    seal_candidates,
)
from verify.model import BBox

UNIT = "绍兴市建筑设计研究院有限公司"
DPI = 150
SEAL_CENTRE = (430.0, 600.0)  # pt: on the signing block


def _letter(pdf: Path) -> None:
    """A letter with a red letterhead (a colour page) and a signing block in large black
    type: the unit's name on two lines and the date, where the seal is stamped."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((120, 90), "绍兴市建筑设计研究院文件", fontname="china-s", fontsize=26,
                     color=(0.85, 0.1, 0.12))
    page.draw_line(pymupdf.Point(60, 110), pymupdf.Point(535, 110), color=(0.85, 0.1, 0.12),
                   width=2)
    for i in range(14):
        page.insert_text((60, 160 + i * 24), "根据有关规定经研究决定同意该项目通过验收现将有关事项"
                         [i % 5:i % 5 + 24], fontname="china-s", fontsize=12)
    cx, cy = SEAL_CENTRE
    for k, line in enumerate(("绍兴市建筑设计", "研究院有限公司", "2021年3月5日")):
        page.insert_text((cx - 75, cy - 22 + 30 * k), line, fontname="china-s", fontsize=21)
    doc.save(pdf)


def _stamped_photo(tmp_path: Path, color: tuple[int, int, int], strength: float,
                   blur: int = 3) -> tuple[Path, BBox]:
    """The letter rendered at 150 DPI, the generator's round seal multiplied onto it (ink
    over ink, as a stamp prints), then dimmed, noised, blurred and saved as a JPEG."""
    pdf = tmp_path / "letter.pdf"
    _letter(pdf)
    pix = pymupdf.open(pdf)[0].get_pixmap(dpi=DPI)
    paper = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    img = paper.astype(np.float32)
    spec = MarkSpec("seal_round", UNIT, "", 42 * MM, 42 * MM, 8.0, color, (SERIF_B, 2), 5,
                    strength)
    s = DPI / 72
    mask = render_mask(spec, s)
    side = mask.shape[0]
    x0 = round(SEAL_CENTRE[0] * s - side / 2)
    y0 = round(SEAL_CENTRE[1] * s - side / 2)
    tint = 1.0 - mask[..., None] * (1.0 - np.asarray(color, np.float32) / 255.0)
    img[y0:y0 + side, x0:x0 + side] *= tint
    rng = np.random.default_rng(5)
    noisy = np.clip(img * 0.92 + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(noisy, (blur, blur), 0)
    out = tmp_path / "photo.jpg"
    cv2.imwrite(str(out), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    pts = outline(spec) + np.array(SEAL_CENTRE)
    return out, (pts[:, 0].min() / 595, pts[:, 1].min() / 842,
                 pts[:, 0].max() / 595, pts[:, 1].max() / 842)


@pytest.fixture
def no_colour_proposals(monkeypatch: pytest.MonkeyPatch) -> None:
    """The red map proposes nothing, as on the dev photos whose seal's red excess fell
    under the colour cut (8-15 of 255) or whose red ring was cut by black strokes: the seal
    can then only be found by its shape on the darkness map."""
    monkeypatch.setattr(seal_geometry, "COLOR_MIN", 256.0)


@pytest.mark.parametrize(("color", "strength", "blur"), [
    (RED_INKS[0], 0.95, 3),  # red seal over the signing block
    ((235, 170, 180), 0.6, 5),  # pale pink on a blurred photo
])
@pytest.mark.usefixtures("no_colour_proposals")
def test_coloured_ring_over_black_text_is_a_seal(tmp_path: Path, color: tuple[int, int, int],
                                                 strength: float, blur: int) -> None:
    path, truth = _stamped_photo(tmp_path, color, strength, blur)
    page = ts._open(path)
    best = ts._best(find_seals(page), truth)
    assert ts._iou(best.bbox, truth) >= 0.5
    assert best.color == "red"
    m = build_maps(page.image, False)
    ring = next(c for c in seal_candidates(page, m) if c.accepted)
    assert ring.mode == "dark" and ts._iou(ring.bbox, truth) >= 0.5
    # the box's median ink is the black type; the ring is red where it is inked
    assert _ink_colour(m, ring.geometry) == "grey"
    red, blue = ring_colour(m, ring.geometry)
    assert red >= 0.6 and blue < 0.1


@pytest.mark.usefixtures("no_colour_proposals")
def test_neutral_ring_over_black_text_is_no_seal(tmp_path: Path) -> None:
    path, truth = _stamped_photo(tmp_path, (70, 70, 70), 0.95)
    page = ts._open(path)
    assert find_seals(page) == ()
    m = build_maps(page.image, False)
    rings = [c for c in seal_candidates(page, m) if c.mode == "dark"
             and ts._iou(c.bbox, truth) >= 0.5]
    # the model likes its shape (a grey seal would be one), its ink is not seal ink
    assert rings and max(c.score for c in rings) >= 0.9
    assert all(max(ring_colour(m, c.geometry)) < 0.1 for c in rings)


def _with(c: SealCandidate, score: float, **feature: float) -> SealCandidate:
    f = list(c.features)
    for name, value in feature.items():
        f[FEATURE_NAMES.index(name)] = value
    return replace(c, score=score, accepted=False, features=tuple(f))


@pytest.mark.usefixtures("no_colour_proposals")
def test_starred_second_chance_band(tmp_path: Path) -> None:
    path, _truth = _stamped_photo(tmp_path, BLUE_INK, 0.95)
    page = ts._open(path)
    m = build_maps(page.image, False)
    ring = next(c for c in seal_candidates(page, m) if c.accepted)
    assert ring.features[FEATURE_NAMES.index("star")] >= 0.6  # the generator's star, drawn
    assert _second_chance(m, [_with(ring, 0.35, star=0.95)], True, None)[0].accepted
    # under the score, a star that is no solid star (an emblem's drawing), small, filled,
    # red (red rings have their own band) or not of seal ink: not taken
    assert not _second_chance(m, [replace(_with(ring, 0.35, star=0.95), mode="red")], True,
                              None)[0].accepted
    assert not _second_chance(m, [_with(ring, 0.25, star=0.95)], True, None)[0].accepted
    assert not _second_chance(m, [_with(ring, 0.35, star=SECOND_CHANCE_STAR - 0.2)], True,
                              None)[0].accepted
    # a filled blue mark (a badge) on the blue map
    assert not _second_chance(m, [replace(_with(ring, 0.35, star=0.95, fill=0.55),
                                          mode="blue")], True, None)[0].accepted
    # the same candidate moved onto the black body text: no coloured ring there
    moved = replace(_with(ring, 0.35, star=0.95), geometry=replace(ring.geometry, cx=180.0,
                                                                   cy=300.0))
    assert max(ring_colour(m, moved.geometry)) < 0.1
    assert not _second_chance(m, [moved], True, None)[0].accepted
    assert not _second_chance(m, [_with(ring, 0.35, star=0.95, rel_size=0.08)], True,
                              None)[0].accepted
