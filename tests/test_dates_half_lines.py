"""A date line read as half a date is read again on its own (``verify.text.read.
date_lines_again``), and the new reading is kept only when the half date sides with it
(``verify.checks.dates.agreement``). Real images drawn with Pillow, real Tesseract."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from verify.checks.dates import agreement, find_dates, is_half_date
from verify.model import InputRef, PageText, TextSpan
from verify.pages import Page, open_document

from .conftest import cjk_font, star_points


@pytest.mark.parametrize(("line", "half"), [
    ("二9二二年→月三十日", True),  # set H doc_021, RapidOCR on the red channel
    ("2015年7月 :日", True),  # a month-only date and what is left of its day
    ("二〇二一年十二月 |l", True),
    ("二〇一九年九月二十四扫", True),  # 日 read as 扫 (seed 9305, a degree certificate)
    ("年二月十八日", True),  # the year lost under a ring
    ("1年六月", True),
    ("2021521", True),  # 2021.5.21 without its dots (a blurred scan, set H doc_089)
    ("证书编号:20156946", False),
    ("二〇二二年一月三十日", False),  # a whole date
    ("二〇二二年一月", False),  # a month-only date, printed so
    ("吴慧敏,男,一九九五年十二月生。在环境", False),  # a birth month in body text
    ("2021年度工作总结", False),
])
def test_half_date_lines(line: str, half: bool) -> None:
    assert is_half_date(line) is half


@pytest.mark.parametrize(("damaged", "again", "matched", "unknown", "conflicts"), [
    # 9 for 〇 (an Arabic digit in a Chinese year tells nothing), → for 一
    ("二9二二年→月三十日", "二 OO 二 二 年 一 月 三 十 日", 5, 2, 0),
    ("二9二二年→月三十日", "二〇二二年一月三日", 3, 2, 1),  # 三十 against 三: lost or invented
    ("二〇一九年三月五日", "二〇一八年三月五日", 5, 0, 1),  # 九 against 八
    ("2O21年1O月5H", "2021年10月5日", 7, 0, 0),
    ("一九年三月", "二〇一九年三月", 3, 2, 0),  # a year whose start the ring took
    ("二〇一九年九月二十四扫", "二〇一九年九月二十四日", 8, 0, 0),  # a day without its 日
    ("二〇一九年九月二十扫", "二〇一九年九月二十四日", 5, 0, 1),
])
def test_agreement_of_a_damaged_reading(damaged: str, again: str, matched: int, unknown: int,
                                        conflicts: int) -> None:
    a = agreement(damaged, again)
    assert a is not None
    assert (a.matched, a.unknown, a.conflicts) == (matched, unknown, conflicts)


def test_a_date_without_its_dots() -> None:
    assert agreement("2021521", "2021.5.21") == agreement("2021521", "2021-5-21")
    a = agreement("2021521", "2021.5.21")
    assert a is not None and (a.matched, a.conflicts) == (7, 0)
    b = agreement("2021521", "2021.5.2")  # a digit lost
    assert b is not None and b.conflicts == 1


def test_a_day_the_half_date_does_not_show_is_not_vouched_for() -> None:
    a = agreement("二O二二年五月 |", "二〇二二年五月二十日")
    assert a is not None and a.conflicts == 0 and a.year_matched == 4
    assert not a.day_vouched  # the day comes from the new reading alone
    b = agreement("二9二二年→月三十日", "二OO二二年一月三十日")
    assert b is not None and b.day_vouched
    # a day without 日 at the end of the new reading (seed 9308: 二0二二年五月20, the 20 read
    # from the seal or a speck, for a certificate dated 二〇二二年五月)
    assert agreement("二O二二年五月 |", "二0二二年五月20") is None


def test_no_agreement_without_a_month() -> None:
    assert agreement("二9二二年", "二〇二二年一月三十日") is None


RING = (300, 1100, 700, 1500)  # a seal's box on a 1654 × 2339 page (200 DPI A4)
DATE_AT = (330, 1300)


def _sealed_letter(tmp_path: Path, date: str) -> Page:
    """A signature block whose date line a red seal crosses (as set H doc_021)."""
    im = Image.new("RGB", (1654, 2339), (248, 248, 246))
    draw = ImageDraw.Draw(im)
    font = cjk_font(34)
    draw.text((330, 1200), "浙江海洋大学    校长：张国栋", fill=(15, 15, 15), font=font)
    draw.text(DATE_AT, date, fill=(15, 15, 15), font=font)
    # seal ink over toner multiplies (the toner stays black, the paper turns red)
    seal = Image.new("RGB", im.size, (255, 255, 255))
    sd = ImageDraw.Draw(seal)
    ink = (215, 40, 45)
    sd.ellipse(RING, outline=ink, width=12)
    star = star_points((RING[0] + RING[2]) / 2, (RING[1] + RING[3]) / 2)
    sd.polygon(star, fill=ink)
    sd.text((RING[0] + 100, RING[1] + 40), "浙江海洋大学", fill=ink, font=cjk_font(40))
    im = ImageChops.multiply(im, seal)
    path = tmp_path / "letter.png"
    im.save(path)
    return open_document(InputRef(path.name, path, PurePosixPath(str(path)))).page(0)


def _line_box(chars: int) -> tuple[float, float, float, float]:
    return (DATE_AT[0] / 1654, (DATE_AT[1] - 4) / 2339,
            (DATE_AT[0] + 36 * chars) / 1654, (DATE_AT[1] + 44) / 2339)


@pytest.mark.slow
@pytest.mark.parametrize("engine", [None, "rapidocr"], ids=["tesseract", "rapidocr-recogniser"])
def test_a_half_date_under_a_red_seal_is_read_again(tmp_path: Path, engine: str | None) -> None:
    from verify.text.ocr import make_engine
    from verify.text.read import date_lines_again

    page = _sealed_letter(tmp_path, "二〇二二年一月三十日")
    spans = [TextSpan("浙江海洋大学校长:张国栋", (0.2, 0.51, 0.6, 0.53)),
             TextSpan("二9二二年→月三十日", _line_box(10))]
    again = date_lines_again(page, spans, make_engine(engine) if engine else None)
    assert len(again) == 1
    assert again[0].bbox == spans[1].bbox  # the new reading stands where the half date was
    assert {str(d.value) for d in find_dates(PageText(again[0].text), 1)} == {"2022-01-30"}


@pytest.mark.slow
def test_a_new_reading_the_half_date_contradicts_is_dropped(tmp_path: Path) -> None:
    from verify.text.read import date_lines_again

    # The page prints 二〇二二年一月三十日; a (made-up) first reading whose day is 二十 does
    # not side with what the line reads now: nothing is kept rather than one of the two.
    page = _sealed_letter(tmp_path, "二〇二二年一月三十日")
    assert date_lines_again(page, [TextSpan("二9二二年→月二十日", _line_box(10))]) == []


def test_pieces_of_one_line_are_joined() -> None:
    from verify.text.read import _rows

    pieces = [TextSpan("年二月十八日", (0.50, 0.70, 0.70, 0.72)),
              TextSpan("二零一", (0.40, 0.701, 0.48, 0.721)),
              TextSpan("衢州市生态环境保护综合行政执法队", (0.40, 0.66, 0.80, 0.68))]
    rows = _rows(pieces)
    assert [r.text for r in rows] == ["二零一年二月十八日"]
    assert rows[0].bbox == (0.40, 0.70, 0.70, 0.721)


def _band(tmp_path: Path, ink: tuple[int, int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    from verify.text.read import _date_line_image

    im = Image.new("RGB", (1654, 600), (248, 248, 246))
    ImageDraw.Draw(im).text((330, 300), "二〇二二年一月三十日", fill=(15, 15, 15), font=cjk_font(34))
    if ink is not None:
        seal = Image.new("RGB", im.size, (255, 255, 255))
        ImageDraw.Draw(seal).ellipse((420, 200, 620, 400), outline=ink, width=12)
        im = ImageChops.multiply(im, seal)
    path = tmp_path / f"line-{ink}.png"
    im.save(path)
    page = open_document(InputRef(path.name, path, PurePosixPath(str(path)))).page(0)
    line = _date_line_image(page, (330 / 1654, 296 / 600, 700 / 1654, 344 / 600))
    assert line is not None and line[2] == pytest.approx(48, abs=1)
    return line[0], line[1]


@pytest.mark.parametrize("ink", [(215, 40, 45), (40, 70, 200)], ids=["red-seal", "blue-seal"])
def test_seal_ink_leaves_the_date_line(tmp_path: Path, ink: tuple[int, int, int]) -> None:
    grey, binary = _band(tmp_path, ink)
    _, plain = _band(tmp_path, None)
    assert grey.min() < 60  # the text stays black
    # the binarised line holds the text's ink only: as much as without the seal (the ring
    # alone would add over 1,000 black pixels across the band's rows; its anti-aliased edge a few)
    assert abs(int((binary == 0).sum()) - int((plain == 0).sum())) < 0.1 * (plain == 0).sum()
