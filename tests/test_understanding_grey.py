"""The grey-scan second reading (``verify.text.read.read_second``): a red seal scanned in grey
is mid-grey ink over the date (text ink is black), or black like the text in a black-and-white
scan; the lines around the seal are read again at the page's resolution. Real images drawn
with Pillow, real RapidOCR."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from PIL import Image, ImageDraw

from verify.checks.dates import find_dates
from verify.model import InputRef, PageText, Seal
from verify.pages import Page, open_document
from verify.text.read import grey_seal_cut, is_grey

from .conftest import cjk_font, star_points

SEAL_GREY = 120  # a red seal's ink (luminance ~80 of 255) scanned grey, lighter when faint
RING = (720, 1180, 1120, 1580)  # the seal's box on a 1240 × 1754 page (150 DPI A4)


def _grey_cover(tmp_path: Path, colour: bool = False) -> Page:
    im = Image.new("RGB", (1240, 1754), (246, 246, 246))
    draw = ImageDraw.Draw(im)
    font = cjk_font(44)
    draw.text((250, 400), "曹娥江流域综合治理工程", fill=(0, 0, 0), font=font)
    draw.text((250, 480), "环境影响报告书", fill=(0, 0, 0), font=font)
    draw.text((640, 1300), "绍兴市环境科学研究院", fill=(10, 10, 10), font=font)
    draw.text((700, 1400), "二零一九年三月", fill=(10, 10, 10), font=font)
    ink = (200, 40, 40) if colour else (SEAL_GREY,) * 3
    draw.ellipse(RING, outline=ink, width=14)
    star = star_points((RING[0] + RING[2]) / 2, (RING[1] + RING[3]) / 2)
    draw.polygon(star, fill=ink)
    draw.text((RING[0] + 90, RING[1] + 40), "绍兴市环境科学研究院", fill=ink, font=cjk_font(30))
    path = tmp_path / ("colour.png" if colour else "grey.png")
    im.save(path)
    doc = open_document(InputRef(path.name, path, PurePosixPath(str(path))))
    return doc.page(0)


def _cut(page: Page) -> np.ndarray:
    grey = np.ascontiguousarray(page.image[..., 0])
    return grey_seal_cut(grey, grey)


def test_grey_seal_ink_turns_white_and_text_stays(tmp_path: Path) -> None:
    page = _grey_cover(tmp_path)
    assert is_grey(page.image)
    before, after = page.image[..., 0], _cut(page)
    seal_ink = np.abs(before.astype(int) - SEAL_GREY) < 20
    text_ink = before < 60
    assert seal_ink.sum() > 2000 and text_ink.sum() > 2000
    assert (after[seal_ink] == 255).mean() > 0.95  # the ring, the star, the seal's own text
    assert (after[text_ink] == before[text_ink]).all()  # every text pixel kept


def test_colour_page_is_left_to_the_red_channel(tmp_path: Path) -> None:
    page = _grey_cover(tmp_path, colour=True)
    assert not is_grey(page.image)


def test_black_and_white_scan_keeps_every_pixel(tmp_path: Path) -> None:
    page = _grey_cover(tmp_path)
    bw = np.where(page.image[..., 0] < 200, 0, 255).astype(np.uint8)
    assert np.array_equal(grey_seal_cut(bw, bw), bw)  # no pixel between ink and paper


SEAL_BOX = (RING[0] / 1240, RING[1] / 1754, RING[2] / 1240, RING[3] / 1754)


@pytest.mark.slow
@pytest.mark.parametrize("black", [False, True], ids=["grey-seal", "black-and-white"])
def test_rapidocr_reads_the_date_under_a_grey_seal(tmp_path: Path, black: bool) -> None:
    from verify.text.ocr import make_engine
    from verify.text.read import read_second

    page = _grey_cover(tmp_path)
    if black:  # a black-and-white scan: the seal is as black as the text
        bw = np.where(page.image < 200, 0, 255).astype(np.uint8)
        page = replace(page, image=bw)
    seal = Seal(1, SEAL_BOX, "round", "other", "", 1.0)
    text = read_second(page, [seal], make_engine("rapidocr"))
    dates = {str(d.value) for d in find_dates(PageText(text.text, text.spans), 1)}
    assert dates == {"2019-03"}


@pytest.mark.parametrize(("line", "others", "kept"), [
    ("2011年11月", [["201年11月"], ["201年11月"]], False),  # a digit swapped once under the ring
    ("二〇二一年五月十日", [["D二一年五月十元白"], ["二〇二一年五月十丸日"]], False),
    ("二〇二一年六月", [["0上一年六月"], ["二O二一年六月"]], True),  # read alike by both windows
    ("编制日期:二零二二年二月二十六日", [["编制日期:二零二二年二月二十六日"], []], True),
    ("嘉兴学院校长:何雪梅", [[], []], True),  # no date: a line for the kind and the unit
])
def test_a_window_date_needs_a_second_reading(line: str, others: list[list[str]],
                                              kept: bool) -> None:
    from verify.model import TextSpan
    from verify.text.read import _confirmed

    box = (0.1, 0.5, 0.6, 0.55)
    assert _confirmed(TextSpan(line, box), [[TextSpan(t, box) for t in o] for o in others]) is kept
