"""Table-driven tests of date extraction: every printed form, the role, decoys, OCR damage.

Each row is a line or a few lines as they come out of a text layer or of Tesseract (the
strings in the OCR section are taken from real chi_sim output or reproduce its confusions),
and every date expected on them: ``(value, role)`` or ``(value, "unknown", decoy reason)``.
An empty list means: nothing on this text is a date.
"""

from __future__ import annotations

import pytest

from verify.checks.dates import (
    find_dates,
    find_dates_detailed,
    find_issues,
    has_damaged_date,
    parse_date_text,
)
from verify.model import DateRole, PageText, PartialDate, TextSpan
from verify.text.normalize import normalize_text

Expected = list[tuple[str, ...]]

CASES: list[tuple[str, Expected]] = [
    # --- Arabic, Chinese-character separators -------------------------------------------
    ("编制日期：2021年3月5日", [("2021-03-05", "issued")]),
    ("编制日期:2021年03月05日", [("2021-03-05", "issued")]),
    ("2021年03月", [("2021-03", "issued")]),
    ("2021年3月", [("2021-03", "issued")]),
    ("2021年12月31日", [("2021-12-31", "issued")]),
    ("填报日期：2019年7月", [("2019-07", "issued")]),
    ("发布日期：2020年1月15日", [("2020-01-15", "issued")]),
    ("二〇二〇年一月十五日印发", [("2020-01-15", "issued")]),
    ("浙江省生态环境厅2021年3月5日印发", [("2021-03-05", "issued")]),
    ("日期：2018年11月", [("2018-11", "issued")]),
    ("发证日期：2020年11月20日", [("2020-11-20", "issued")]),
    ("颁发日期：2022年5月", [("2022-05", "issued")]),
    ("完成日期：2017年9月30日", [("2017-09-30", "issued")]),
    ("2022年8月", [("2022-08", "issued")]),
    ("2021年3月5号", [("2021-03-05", "issued")]),
    # --- separators ------------------------------------------------------------------
    ("2021.3.5", [("2021-03-05", "issued")]),
    ("2021.03.05", [("2021-03-05", "issued")]),
    ("2021-03-05", [("2021-03-05", "issued")]),
    ("2021/3/5", [("2021-03-05", "issued")]),
    ("2021.03", [("2021-03", "issued")]),
    ("2021-03", [("2021-03", "issued")]),
    ("2021/12", [("2021-12", "issued")]),
    ("编制时间：2020.12", [("2020-12", "issued")]),
    ("签发日期 2023-02-28", [("2023-02-28", "issued")]),
    ("2021. 3. 5", [("2021-03-05", "issued")]),
    # --- Chinese and financial numerals ----------------------------------------------
    ("二〇二一年三月五日", [("2021-03-05", "issued")]),
    ("二零二一年十二月", [("2021-12", "issued")]),
    ("二〇二一年六月十八日", [("2021-06-18", "issued")]),
    ("二〇一九年十月三十一日", [("2019-10-31", "issued")]),
    ("二〇二二年二月二十日", [("2022-02-20", "issued")]),
    ("二零一八年十一月", [("2018-11", "issued")]),
    ("一九九八年七月", [("1998-07", "issued")]),
    ("贰零贰壹年叁月", [("2021-03", "issued")]),
    ("贰零贰壹年拾贰月拾伍日", [("2021-12-15", "issued")]),
    ("贰〇贰贰年壹月", [("2022-01", "issued")]),
    ("二〇二一年元月", [("2021-01", "issued")]),
    ("二〇二〇年十二月廿一日", [("2020-12-21", "issued")]),
    # --- full-width digits and spacing ------------------------------------------------
    ("２０２１年３月５日", [("2021-03-05", "issued")]),
    ("２０２１．０３．０５", [("2021-03-05", "issued")]),
    ("2021 年 3 月", [("2021-03", "issued")]),
    ("2021 年 3 月 5 日", [("2021-03-05", "issued")]),
    ("2013 年 6 月", [("2013-06", "issued")]),
    ("编 制 日 期 ： 2021 年 6 月", [("2021-06", "issued")]),
    # --- OCR confusions -----------------------------------------------------------------
    ("二。二一年六月十八日", [("2021-06-18", "issued")]),
    ("二O二一年六月", [("2021-06", "issued")]),
    ("二○二一年三月", [("2021-03", "issued")]),
    ("2O21年l2月", [("2021-12", "issued")]),
    ("2021年I月", [("2021-01", "issued")]),
    ("20l9年10月8日", [("2019-10-08", "issued")]),
    ("2021年3月5曰", [("2021-03-05", "issued")]),
    ("2022年1月18H", [("2022-01-18", "issued")]),
    ("二〇二一年+二月", [("2021-12", "issued")]),
    ("二 O 一九年五月", [("2019-05", "issued")]),
    ("二 O 〇一七年七月", [("2017-07", "issued")]),
    ("二 O 二 @ 〇年一月二十二日", [("2020-01-22", "issued")]),
    ("二 ”一九年五月二十二日", [("2019-05-22", "issued")]),
    ("人二 @@ 二一年三月十四 B/", [("2021-03-14", "issued")]),
    ("绍兴市生态环境局 2021年3月14", [("2021-03-14", "unknown")]),
    ("二〇〇〇年一月", [("2000-01", "issued")]),
    ("二0一六年十月", [("2016-10", "issued")]),
    ("根据有关规定，聘任徐芳同志为工程师，聘\n期自2019年5月25日起至2022年5月24日止。",
     [("2019-05-25", "appointed"), ("2022-05-24", "unknown", "period_end")]),
    ("2021午3月5日", [("2021-03-05", "issued")]),
    # a frame line after the month of a photographed cover is not a day (| reads as 1)
    ("2020年12月 |", [("2020-12", "issued")]),
    # the day of a journal cover's 出版日期 lost in a phone photo: the month stays
    ("出版日期 : 2015年7月 :日", [("2015-07", "published")]),
    ("出版日期 : 202142064 30H", []),
    ("2015年3月1 is]", [("2015-03", "issued")]),
    # RapidOCR under a grey seal drops the first characters of a Chinese year: the two last
    # digits at the start of a date line are this century's year; one digit is not a year
    ("一九年三月", [("2019-03", "issued")]),
    ("0二一年九月", [("2021-09", "issued")]),
    ("| 一九年三月五日", [("2019-03-05", "issued")]),
    ("主要一九年三月", []),  # not at the start of a line
    ("二0三年四月四日", []),  # 二〇二一 with 二一 run together: the start survived, not the end
    ("二〇年三月", []),
    ("九五年七月", []),
    ("二〇二三年八月十", [("2023-08-10", "issued")]),  # 日 lost at the end of the line
    ("二零十一年八月十七日", []),
    # 零 read as another character under its 雨 (Tesseract and RapidOCR, grey scans)
    ("二需一九年三月", [("2019-03", "issued")]),
    ("二雾一四年十二月", [("2014-12", "issued")]),
    ("二云一四年十二月", [("2014-12", "issued")]),
    ("市区白云二〇二一年三月五日", [("2021-03-05", "unknown")]),  # 云 before a year is a word
    ("三年九月", []),
    ("决定予以录用 , 氢刊于2020年第11其发", []),
    # a running header's rule line read as 一一 under the date is not its day
    ("第61卷第6期广东化工2022年6月\n一一", [("2022-06", "published")]),
    ("出版日期 : 二 D 二二年六月十九日", [("2022-06-19", "published")]),  # 〇 read as D
    ("二〇一人年三月十二日", [("2018-03-12", "issued")]),  # 八 read as 人 (RapidOCR)
    # 聘期 misread (精期, 聊期), and the end's year wrapped after its first digit
    ("助理工程师,精期自2018年3月12日起至2\n021年3月11日止",
     [("2018-03-12", "appointed"), ("2021-03-11", "unknown", "period_end")]),
    ("中心工程师,聊期自\n2017年7月1日起至2小21年6月30日此", [("2017-07-01", "appointed")]),
    ("有效期自2018年3月12日起至2021年3月11日止",
     [("2018-03-12", "unknown"), ("2021-03-11", "unknown", "period_end")]),
    ("编制日期：2O2O.O6", [("2020-06", "issued")]),
    # a term's Chinese year wrapped after its first character (RapidOCR, grey scan)
    ("聘期自二\n〇一六年十一月一日起至二〇一九年十月三十一日止。",
     [("2016-11-01", "appointed"), ("2019-10-31", "unknown", "period_end")]),
    # a stray 止 or dash on the line above a letter's date (seal edge, signature) is no term
    ("《能源与环境》编辑部\n止\n2018.5.15", [("2018-05-15", "issued")]),
    ("《能舌与环境》编加部-\n2018.5.15- 路", [("2018-05-15", "issued")]),
    # a short year of look-alikes only (a smudge read 0, a stroke read 人) is not guessed
    ("0人年2月27日", []),
    # 二十六 with its upper stroke whitened with the red seal over it: no date, not day 16
    ("编制日期 ; 二零二一年一月一十六日", []),
    ("二〇二一年一十月", []),
    ("贰零贰壹年壹拾月壹拾伍日", [("2021-10-15", "issued")]),  # financial numerals write 壹拾
    ("O人年2月", []),
    # a phone photo's letter and certificate dates (RapidOCR, seeds 7902 / 7901): 〇 read as
    # another Han character, or lost alone; only with the whole day is the 〇 put back
    ("《能源与环境)编辑部\n二楼二二年十一月二十八日", [("2022-11-28", "issued")]),
    ("二楼二二年十一月", []),
    ("地址：二楼二二号", []),
    ("二一二三年三月五日", []),  # a real numeral there is no misread 〇 (and 2123 no year)
    ("二一九年十月十八日", [("2019-10-18", "issued")]),
    ("二二三年八月十日", [("2023-08-10", "issued")]),
    ("一二九年三月", []),  # three characters not starting 二 or 〇: the year's start is lost
    # --- roles ----------------------------------------------------------------------------
    ("聘期自2021年1月1日起至2023年12月31日止",
     [("2021-01-01", "appointed"), ("2023-12-31", "unknown", "period_end")]),
    ("聘期：2021.01-2023.12", [("2021-01", "appointed"), ("2023-12", "unknown", "period_end")]),
    ("聘期为2020年7月1日至2025年6月30日",
     [("2020-07-01", "appointed"), ("2025-06-30", "unknown", "period_end")]),
    ("兹聘任王伟同志为工程师，聘期三年，自2021年1月1日起", [("2021-01-01", "appointed")]),
    ("自2019年12月起聘任为高级工程师", [("2019-12", "appointed")]),
    ("任职时间：2019年12月", [("2019-12", "appointed")]),
    ("取得资格时间：2018年12月30日", [("2018-12-30", "appointed")]),
    ("经审稿，已录用，录用日期：2021年5月", [("2021-05", "accepted")]),
    ("该文于2021年3月被录用", [("2021-03", "accepted")]),
    ("出版日期：2021年6月25日", [("2021-06-25", "published")]),
    ("出版时间 2020-10-15", [("2020-10-15", "published")]),
    ("本文发表于2020年11月", [("2020-11", "published")]),
    ("该项目于2019年5月通过验收", [("2019-05", "unknown")]),
    # --- real dates that are never the achievement date -------------------------------------
    ("收稿日期：2021-03-05", [("2021-03-05", "unknown", "received")]),
    ("收稿日期：2020-11-02；修回日期：2021-01-15",
     [("2020-11-02", "unknown", "received"), ("2021-01-15", "unknown", "received")]),
    ("收稿月期 : 2020-08-05}", [("2020-08-05", "unknown", "received")]),
    ("起止时间：2021年3月至2022年12月",
     [("2021-03", "unknown", "period_start"), ("2022-12", "unknown", "period_end")]),
    ("项目起讫日期 2019.01-2020.06",
     [("2019-01", "unknown", "period_start"), ("2020-06", "unknown", "period_end")]),
    ("执行期限：2020年1月至2021年12月",
     [("2020-01", "unknown", "period_start"), ("2021-12", "unknown", "period_end")]),
    ("完成时间：2022年12月", [("2022-12", "issued")]),
    ("聘期起止时间：2021年1月1日至2023年12月31日",
     [("2021-01-01", "appointed"), ("2023-12-31", "unknown", "period_end")]),
    ("任职起止时间：2019年7月至今", [("2019-07", "appointed")]),
    # a 聘用合同's term is the appointment itself, not a project's period
    ("聘用合同期限：2021年1月1日至2023年12月31日",
     [("2021-01-01", "appointed"), ("2023-12-31", "unknown", "period_end")]),
    ("本标准自2021年3月1日起实施", [("2021-03-01", "unknown", "effective")]),
    ("实施日期：2019-06-01", [("2019-06-01", "unknown", "effective")]),
    ("有效期至2025年12月31日", [("2025-12-31", "unknown", "expiry")]),
    ("出生年月：1985年3月", [("1985-03", "unknown", "birth")]),
    ("1985年3月生", [("1985-03", "unknown", "birth")]),
    # --- not dates at all -------------------------------------------------------------------
    ("执行GB 3838-2002标准", []),
    ("《地表水环境质量标准》(GB3838-2002)", []),
    ("HJ 91.1-2019", []),
    ("HJ 2.1-2016", []),
    ("GB/T 2021.3-2018", []),
    ("浙环发〔2021〕12号", []),
    ("绍市环函[2020]35号", []),
    ("电话：0575-85123456", []),
    ("联系电话 0571-2088-1234", []),
    ("ISSN 1673-2021", []),
    ("ISSN 2095-1234 CN 33-1389/X", []),
    ("张三等(2019)研究表明", []),
    ("投资2021.5万元", []),
    ("占地面积1998.5平方米", []),
    ("2021年第6期", []),
    ("2021年度", []),
    ("近3年", []),
    ("2021年12个月", []),
    ("2019-2021年", []),
    ("版本号 2021.3.5.6", []),
    ("1月5日", []),
    ("1850年3月", []),
    ("2021年13月", []),
    ("2021年2月30日", []),
]


def _found(text: str) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for f in find_dates_detailed(PageText(normalize_text(text)), 1):
        row: tuple[str, ...] = (str(f.mention.value), f.mention.role.value)
        if f.decoy:
            row += (f.decoy,)
        out.append(row)
    return out


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_date_table(text: str, expected: Expected) -> None:
    assert _found(text) == expected


def test_table_is_large() -> None:
    assert len(CASES) >= 80


def test_several_dates_on_one_line_are_all_found() -> None:
    text = "2020年1月完成初稿，2020年6月修改，2021年3月5日印发"
    assert [str(d.value) for d in find_dates(PageText(text), 2)] == [
        "2020-01", "2020-06", "2021-03-05"]


def test_label_on_previous_line() -> None:
    text = "编制日期：\n2021年6月"
    (d,) = find_dates(PageText(text), 1)
    assert (str(d.value), d.role) == ("2021-06", DateRole.issued)


def test_letter_signature_date_is_issued_and_carries_span_box() -> None:
    spans = (
        TextSpan("经专家审稿，您的论文已被本刊录用。", (0.1, 0.2, 0.9, 0.23)),
        TextSpan("某某杂志编辑部", (0.6, 0.70, 0.85, 0.73)),
        TextSpan("二〇二一年五月十日", (0.6, 0.74, 0.85, 0.77)),
    )
    page = PageText("\n".join(s.text for s in spans), spans, source="ocr")
    (d,) = find_dates(page, 3)
    assert d.page == 3
    assert d.value == PartialDate(2021, 5, 10)
    assert d.role is DateRole.issued
    assert d.bbox == (0.6, 0.74, 0.85, 0.77)


def test_month_precision_is_kept() -> None:
    (d,) = find_dates(PageText("2021年3月"), 1)
    assert d.value == PartialDate(2021, 3) and d.value.day is None


def test_date_conversion_leaves_other_numerals_alone() -> None:
    (d,) = find_dates(PageText("第三届理事会于二〇二一年三月五日成立"), 1)
    assert d.text == "二〇二一年三月五日"


@pytest.mark.parametrize(("text", "value"), [
    ("二〇二一年三月五日", "2021-03-05"), ("2021.3", "2021-03"), ("贰零贰壹年叁月", "2021-03"),
    ("2021 年 3 月", "2021-03"), ("2021年", None), ("3838-2002", None),
])
def test_parse_date_text(text: str, value: str | None) -> None:
    parsed = parse_date_text(text)
    assert (str(parsed) if parsed else None) == value


def test_issue_numbers() -> None:
    issues = find_issues(PageText("环境与发展 2021年第6期（总第158期）\nISSN 1234-5678"), 1)
    assert [(i.year, i.number) for i in issues] == [(2021, 6)]
    assert find_dates(PageText("2021年第6期"), 1) == []


def test_date_wrapped_over_two_lines() -> None:
    text = "兹聘任王伟同志为工程师，聘期自2021年\n3月1日起至2024年2月\n28日止。"
    found = find_dates_detailed(PageText(text), 1)
    assert [(str(f.mention.value), f.mention.role.value, f.decoy) for f in found] == [
        ("2021-03-01", "appointed", None), ("2024-02-28", "unknown", "period_end")]


def test_year_wrapped_after_two_digits() -> None:
    text = "兹聘任孙磊同志为工程师，聘期自20\n16年4月1日起至2019年3月31日止。"
    found = find_dates_detailed(PageText(text), 1)
    assert [(str(f.mention.value), f.mention.role.value) for f in found] == [
        ("2016-04-01", "appointed"), ("2019-03-31", "unknown")]


def test_numbers_on_consecutive_lines_are_not_joined() -> None:
    assert find_dates(PageText("合计 2021\n12 项"), 1) == []
    (d,) = find_dates(PageText("编号 12\n2021年5月"), 1)
    assert str(d.value) == "2021-05"


@pytest.mark.parametrize(("text", "damaged"), [
    ("出版日期 : 202142064 30H", True),  # labelled, digits, no date
    ("出版日期 : 2015年7月 :日", True),  # junk where the day was
    ("2015年3月1 is]", True),  # a day followed by junk instead of 日
    ("出版日期：2021年6月30日", False),
    ("编制日期：2021年6月", False),  # a month-only date is printed that way
    ("第23卷第6期 环境与发展 2021年6月", False),
    ("于2021年3月召开会议", False),
    ("2020年12月 |", False),
])
def test_damaged_dates_are_noticed(text: str, damaged: bool) -> None:
    assert has_damaged_date(PageText(normalize_text(text))) is damaged
