"""Page labels in headers/footers and the gaps they reveal (PAGES_MISSING)."""

from __future__ import annotations

import pytest

from verify.checks.pagination import PageGap, find_page_label, pages_gap, parse_page_label
from verify.model import PageLabel, PageText, TextSpan


@pytest.mark.parametrize(
    ("line", "number", "total"),
    [
        ("第 3 页 共 5 页", 3, 5),
        ("第3页/共5页", 3, 5),
        ("第3页，共5页", 3, 5),
        ("共 5 页 第 3 页", 3, 5),
        ("共5页第3页", 3, 5),
        ("- 3 -", 3, None),
        ("— 12 —", 12, None),
        ("3/5", 3, 5),
        ("3 / 5", 3, 5),
        ("Page 3 of 5", 3, 5),
        ("page 3/5", 3, 5),
        ("Page 7", 7, None),
        ("第三页 共五页", 3, 5),
        ("第十二页 共十五页", 12, 15),
        ("第 1 頁 共 2 頁", 1, 2),  # traditional 頁
        # OCR noise seen in Tesseract footers: O for 0, l for 1, spaces inside, 贞 for 页
        ("第 l 页 共 2 页", 1, 2),
        ("第1O页 共 12 页", 10, 12),
        ("第 2 贞 共 3 页", 2, 3),
        ("第 3 页 共 2 页", 3, None),  # a misread total is dropped, the number kept
        ("第３页 共５页", 3, 5),  # full-width digits
    ],
)
def test_parse_page_label(line: str, number: int, total: int | None) -> None:
    label = parse_page_label(line)
    assert label is not None, line
    assert (label.number, label.total) == (number, total)


@pytest.mark.parametrize(
    "line",
    ["2021/3", "12/3", "发文日期：2022年5月3日", "共计 5 项", "页码", "Page of", "- - -",
     "第 0 页", "第一章 总则"],
)
def test_not_a_page_label(line: str) -> None:
    assert parse_page_label(line) is None


def _text(lines: list[tuple[str, float]]) -> PageText:
    spans = tuple(TextSpan(t, (0.1, y, 0.9, y + 0.02)) for t, y in lines)
    return PageText("\n".join(t for t, _ in lines), spans, source="ocr")


def test_find_page_label_uses_footer_not_body() -> None:
    # The body mentions "第2页" in a sentence; the footer has the real label.
    text = _text([("详见附件第2页说明", 0.40), ("第 4 页 共 6 页", 0.95)])
    label = find_page_label(text)
    assert label is not None and (label.number, label.total) == (4, 6)


def test_find_page_label_header() -> None:
    text = _text([("Page 2 of 9", 0.03), ("正文内容", 0.5)])
    label = find_page_label(text)
    assert label is not None and (label.number, label.total) == (2, 9)


def test_find_page_label_none_in_body_only() -> None:
    assert find_page_label(_text([("见第3页", 0.5)])) is None


def _labels(*pairs: tuple[int, int | None] | None) -> list[PageLabel | None]:
    return [None if p is None else PageLabel(p[0], p[1], "") for p in pairs]


@pytest.mark.parametrize(
    ("labels", "count", "missing", "duplicated"),
    [
        # complete
        (_labels((1, 5), (2, 5), (3, 5), (4, 5), (5, 5)), 5, (), ()),
        # a gap in the middle (第3页 after 第1页)
        (_labels((1, 5), (3, 5), (4, 5), (5, 5)), 4, (2,), ()),
        # shorter than declared: 共5页 with 4 pages, the last one gone
        (_labels((1, 5), (2, 5), (3, 5), (4, 5)), 4, (5,), ()),
        # first page gone: reported as first_missing, not in missing (see the test below)
        (_labels((2, 3), (3, 3)), 2, (), ()),
        # unlabelled cover, then page 2 gone: only 2 is missing, not 1
        (_labels(None, (3, 5), (4, 5), (5, 5)), 4, (2,), ()),
        # a duplicated page number
        (_labels((1, 3), (2, 3), (2, 3), (3, 3)), 4, (), (2,)),
        # unread footers do not make gaps
        (_labels((1, 4), None, None, (4, 4)), 4, (), ()),
        # no total, unlabelled cover, then "- 3 -": page 2 is gone
        (_labels(None, (3, None), (4, None)), 3, (2,), ()),
        # a journal excerpt numbered 45-47 with no total: no start gap
        (_labels((45, None), (46, None), (47, None)), 3, (), ()),
        # ...but a jump inside it is a gap
        (_labels((45, None), (46, None), (49, None)), 3, (47, 48), ()),
        # an isolated OCR misread (8 for 3) is ignored, not a gap plus a duplicate
        (_labels((1, 5), (2, 5), (8, 5), (4, 5), (5, 5)), 5, (), ()),
        # a stray unlabeled extra page (attachment) is not a problem
        (_labels((1, 2), None, (2, 2)), 3, (), ()),
    ],
)
def test_pages_gap(labels: list[PageLabel | None], count: int, missing: tuple[int, ...],
                   duplicated: tuple[int, ...]) -> None:
    gap = pages_gap(labels, count)
    assert isinstance(gap, PageGap)
    assert gap.missing == missing
    assert gap.duplicated == duplicated
    assert gap.problem == bool(missing or duplicated)


def test_pages_gap_no_labels() -> None:
    assert pages_gap([None, None], 2) is None


def test_describe_zh() -> None:
    gap = pages_gap(_labels((1, 5), (2, 5), (3, 5), (4, 5)), 4)
    assert gap is not None
    assert gap.describe_zh() == "缺第5页；页脚标注共5页，实有4页"


def test_bare_number_only_as_lowest_footer_line() -> None:
    label = find_page_label(_text([("正文", 0.5), ("7", 0.96)]))
    assert label is not None and (label.number, label.total) == (7, None)
    assert find_page_label(_text([("7", 0.5)])) is None  # a number in the body
    assert find_page_label(_text([("7", 0.05)])) is None  # a bare number in the header


def test_a_border_across_the_page_read_as_a_digit_is_no_page_number() -> None:
    """A blurred certificate scan's bottom border read as ``3`` (87 % of the width, confidence
    7; set H doc_040) is not page 3; a narrow ``3`` is, at any confidence (Tesseract gives
    lone digits 0–93)."""
    border = TextSpan("3", (0.06, 0.956, 0.93, 0.963), conf=7.0)
    body = TextSpan("正文", (0.1, 0.5, 0.9, 0.52), conf=90.0)
    assert find_page_label(PageText("正文\n3", (body, border), source="ocr")) is None
    number = TextSpan("3", (0.49, 0.956, 0.51, 0.963), conf=0.0)
    label = find_page_label(PageText("正文\n3", (body, number), source="ocr"))
    assert label is not None and label.number == 3
    wide_but_sure = TextSpan("3", (0.06, 0.956, 0.93, 0.963), conf=90.0)
    assert find_page_label(PageText("正文\n3", (body, wide_but_sure), source="ocr")) is not None


def test_missing_first_page_is_reported_apart() -> None:
    gap = pages_gap(_labels((2, 3), (3, 3)), 2)
    assert gap is not None and gap.first_missing and not gap.problem
    assert gap.describe_zh() == "首页（第1页）缺失；页脚标注共3页，实有2页"


def test_misread_leading_footer_is_a_numbered_page_not_the_cover() -> None:
    """A report whose cover is gone: its first page's blurred ``2/4`` read as a bare ``4``
    (ignored as a misreading) still prints a number, so what is missing before ``3/4`` is
    page 1 (the cover), not page 2."""
    gap = pages_gap(_labels((4, None), (3, 4), (4, 4)), 3)
    assert gap is not None and gap.ignored == (1,)
    assert gap.first_missing and gap.missing == () and not gap.problem
    # An unlabelled first page (a cover prints no footer) before "3/4" is page 1: 2 is gone.
    gap = pages_gap(_labels(None, (3, 4), (4, 4)), 3)
    assert gap is not None and gap.missing == (2,) and not gap.first_missing
