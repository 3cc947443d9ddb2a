"""A landscape photo of a portrait page taken sideways, where Tesseract's OSD is unsure (it
answered 0 on the journal covers and contents pages of seeds 7901/7902): ``ocr_page`` reads the
page turned both ways sideways and keeps the best reading. Real image drawn with Pillow, real
Tesseract; OSD's unsure answer is reproduced by making it answer 0."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from PIL import Image, ImageDraw

from verify.checks.dates import find_dates
from verify.model import InputRef
from verify.pages import Page, open_document
from verify.text.ocr import TesseractEngine, make_engine
from verify.text.read import ocr_page

from .conftest import cjk_font

LINES = ("能源与环境", "双月刊", "2023年第6期", "出版日期：2023年11月15日", "ISSN 1674-6817")


def _sideways_cover(tmp_path: Path, turn_ccw: int) -> Page:
    im = Image.new("RGB", (1240, 1754), (240, 238, 232))
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(LINES):
        draw.text((220, 300 + i * 160), line, fill=(20, 20, 20), font=cjk_font(64 if i else 110))
    path = tmp_path / f"cover-{turn_ccw}.png"
    im.rotate(turn_ccw, expand=True).save(path)  # Pillow turns counter-clockwise
    return open_document(InputRef(path.name, path, PurePosixPath(str(path)))).page(0)


@pytest.mark.slow
@pytest.mark.parametrize("turn_ccw", [90, 270])
def test_unsure_osd_sideways_page_is_read_turned(tmp_path: Path, turn_ccw: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TesseractEngine, "orientation", lambda self, image: 0)
    page = _sideways_cover(tmp_path, turn_ccw)
    assert page.image.shape[1] > page.image.shape[0] * 1.15  # landscape as delivered
    upright, text = ocr_page(page, make_engine("tesseract"))
    assert text.rotation == turn_ccw  # turned back clockwise by as much
    assert upright.image.shape[0] > upright.image.shape[1]
    assert text.mean_conf is not None and text.mean_conf > 55
    assert "2023-11-15" in {str(d.value) for d in find_dates(text, 1)}


@pytest.mark.slow
def test_portrait_page_read_well_is_not_turned(tmp_path: Path) -> None:
    page = _sideways_cover(tmp_path, 0)
    _, text = ocr_page(page, make_engine("tesseract"))
    assert text.rotation == 0
    assert "2023-11-15" in {str(d.value) for d in find_dates(text, 1)}
