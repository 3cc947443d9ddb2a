"""Faint seals and seal-like printed marks, drawn with the fixture generator's own seal
drawing (``fixtures.gen.seals``) onto PDFs made here: a faint red or blue e-seal on a
born-digital page (its colour spreads only 25-60 over grey), a printed school emblem (a
ring, a band of text, an inner ring, no star) that is not a seal, and a faint seal on a
washed-out scan."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import pymupdf
import pytest

from fixtures.gen.fonts import SERIF_B
from fixtures.gen.seals import (
    BLUE_INK,
    MM,
    PALE_PINK,
    MarkSpec,
    mask_to_rgba_png,
    outline,
    render_mask,
)
from verify.checks.seals import _has_colour, find_seals, may_hold_seal
from verify.model import BBox, InputRef
from verify.pages import Page, open_document

UNIT = "绍兴市建筑设计研究院有限公司"
BODY = "根据有关规定经研究决定同意该项目通过验收现将有关事项通知如下请各单位认真组织实施"
FONT = (SERIF_B, 2)


def _iou(a: BBox, b: BBox) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _letter(doc: pymupdf.Document) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)
    page.insert_text((200, 120), "关于项目验收的证明", fontname="china-s", fontsize=18)
    for i in range(16):
        page.insert_text((60, 170 + i * 24), BODY[i % 9:i % 9 + 28], fontname="china-s",
                         fontsize=12)
    page.insert_text((340, 620), UNIT, fontname="china-s", fontsize=12)
    page.insert_text((370, 642), "2021年3月5日", fontname="china-s", fontsize=12)
    return page


def _stamp(page: pymupdf.Page, spec: MarkSpec, cx: float, cy: float) -> BBox:
    """Place the mark as the generator does on a born-digital page (an RGBA PNG)."""
    s = 250 / 72
    mask = render_mask(spec, s)
    side = mask.shape[0] / s
    page.insert_image(pymupdf.Rect(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2),
                      stream=mask_to_rgba_png(mask, spec.color))
    pts = outline(spec) + np.array([cx, cy])
    w, h = page.rect.width, page.rect.height
    return (pts[:, 0].min() / w, pts[:, 1].min() / h, pts[:, 0].max() / w, pts[:, 1].max() / h)


def _seal(color: tuple[int, int, int], strength: float, seed: int = 3) -> MarkSpec:
    d = 42 * MM
    return MarkSpec("seal_round", UNIT, "", d, d, 12.0, color, FONT, seed, strength,
                    partial=0.2)


def _open(path: Path, number: int = 0) -> Page:
    return open_document(InputRef(path.name, path, PurePosixPath(str(path.resolve())))).page(
        number)


@pytest.mark.parametrize(("color", "strength"), [
    ((205, 30, 40), 0.35),  # seal red at 35% ink
    (PALE_PINK, 0.45),  # the generator's pale pink
    (BLUE_INK, 0.4),  # a faint blue e-seal
])
def test_faint_e_seal_on_born_digital_page(tmp_path: Path, color: tuple[int, int, int],
                                           strength: float) -> None:
    doc = pymupdf.open()
    truth = _stamp(_letter(doc), _seal(color, strength), 420, 625)
    path = tmp_path / "faint.pdf"
    doc.save(path)
    page = _open(path)
    assert page.origin == "born_digital" and page.effective_dpi is None
    # The case that was lost: the page is no colour page by the scan rule (spread > 60)...
    assert not _has_colour(page.image)
    # ...yet it holds colour ink, so it is searched, and the seal is found where it is.
    assert may_hold_seal(page)
    seals = find_seals(page)
    assert len(seals) == 1
    assert _iou(seals[0].bbox, truth) >= 0.6
    assert seals[0].color == ("other" if color == BLUE_INK else "red")


def test_grey_born_digital_page_is_not_searched(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _letter(doc)
    path = tmp_path / "plain.pdf"
    doc.save(path)
    assert not may_hold_seal(_open(path))


def _emblem(color: tuple[int, int, int]) -> MarkSpec:
    return MarkSpec("emblem", "浙江工业大学学报杂志社", "1958", 28 * MM, 28 * MM, 0.0, color, FONT,
                    11, 1.0)


def _scan(pdf: Path, out: Path, contrast: float = 1.0) -> Path:
    """The PDF's first page at 200 DPI as a colour JPEG; ``contrast`` < 1 squeezes the tonal
    range around the paper (a washed-out photo or scan)."""
    pix = pymupdf.open(pdf)[0].get_pixmap(dpi=200)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]
    img = (255 - (255 - img.astype(np.float32)) * contrast) - 20 * (1 - contrast)
    rng = np.random.default_rng(5)
    img = np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    cv2.imwrite(str(out), cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return out


@pytest.mark.parametrize("color", [(170, 25, 35), (30, 60, 150)])
def test_printed_emblem_is_no_seal_but_the_seal_beside_it_is(tmp_path: Path,
                                                              color: tuple[int, int, int]
                                                              ) -> None:
    """A school emblem printed at the top of a letter (red or blue) has a ring and a band of
    characters like a seal; its inner ring and the missing star tell it apart."""
    doc = pymupdf.open()
    page = _letter(doc)
    emblem = _stamp(page, _emblem(color), 297, 70)
    truth = _stamp(page, _seal((205, 30, 40), 0.9), 420, 625)
    path = tmp_path / "emblem.pdf"
    doc.save(path)
    for p in (_open(path), _open(_scan(path, tmp_path / "emblem.jpg"))):
        seals = find_seals(p)
        assert len(seals) == 1, seals
        assert _iou(seals[0].bbox, truth) >= 0.6
        assert _iou(seals[0].bbox, emblem) == 0.0


def test_faint_seal_on_washed_out_scan(tmp_path: Path) -> None:
    """Tonal range squeezed to 30% (LOW_CONTRAST): the faint seal's red falls under the
    colour cut unless the colour maps are stretched by the page's range."""
    doc = pymupdf.open()
    truth = _stamp(_letter(doc), _seal((220, 45, 45), 0.35, seed=8), 420, 625)
    path = tmp_path / "faint.pdf"
    doc.save(path)
    page = _open(_scan(path, tmp_path / "washed.jpg", contrast=0.3))
    grey = cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY)
    lo, hi = np.percentile(grey, (1, 99))
    assert hi - lo < 100  # really washed out
    seals = find_seals(page)
    assert seals and max(_iou(s.bbox, truth) for s in seals) >= 0.6



def test_table_rules_draw_no_ring_but_a_stamped_ring_stays() -> None:
    """A circle in a table cell has border ink where it touches the rules (how the grey search
    finds chance rings in tables); once long straight lines are removed none is left, while a
    real ring stamped over the same table keeps its border."""
    from verify.checks.seal_geometry import Geometry, border_cover, build_maps, line_free_dark

    img = np.full((1400, 1000, 3), 250, np.uint8)
    for y in range(200, 1300, 140):  # a grey-scanned table: rules every 140 px
        cv2.line(img, (100, y), (900, y), (90, 90, 90), 2)
    for x in (100, 380, 660, 900):
        cv2.line(img, (x, 200), (x, 1260), (90, 90, 90), 2)
    cv2.circle(img, (700, 900), 110, (120, 120, 120), 7)  # a grey seal's ring over the table
    m = build_maps(img)
    s = m.scale
    chance = Geometry(240 * s, 270 * s, 70 * s, 70 * s, 0.0)  # touches the cell's two rules
    ring = Geometry(700 * s, 900 * s, 110 * s, 110 * s, 0.0)
    no_lines = line_free_dark(m)
    assert no_lines[round(480 * s), round(500 * s)] == 0.0  # a rule is gone
    assert border_cover(m.dark, ring) >= 0.95
    assert border_cover(no_lines, ring, m.dark) >= 0.8
    assert border_cover(m.dark, chance) > 0.25  # the rules above and below it
    assert border_cover(no_lines, chance, m.dark) == 0.0
