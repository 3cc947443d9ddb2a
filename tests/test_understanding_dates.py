"""Table-driven tests of the achievement date when OCR damaged one reading of it: a digit
dropped (2022年1月 for 2022年10月), zeros of a Chinese year doubled or lost (二OO二 for
二〇二〇), a label or a stray mark on the line above a letter's date. Each row is the text of
page 1 as the first reading gave it, the second reading (or None), and the date expected."""

from __future__ import annotations

import pytest

from verify.checks.understanding import understand_document
from verify.model import Kind, PageEvidence, PageText

CERT = ("继续教育证书\n陈慧敏同志参加排污许可管理业务培训，完成规定课程，考核合格，"
        "共计30学时。特发此证。\n金华市环境科学研究所\n")
COVER = "曹娥江流域综合治理工程\n环境影响报告书\n编制单位：绍兴市环境科学研究院\n"
LETTER = ("《能源与环境》编辑部\n录用证明\n黄雪梅同志：\n您撰写的论文《SBR协同VOCs治理的试验研究》"
          "(收稿日期：2018-02-22)经本刊编辑部初审、专家外审和终审，\n符合本刊用稿要求，决定予以录用，"
          "拟刊于2018年第8期发表。特此证明。\n")

CASES: list[tuple[str, str, str | None, Kind, str | None]] = [
    # (name, first reading, second reading, kind, achievement date)
    ("month digit dropped in the first reading", CERT + "2022年1月", CERT + "2022年10月",
     Kind.certificate, "2022-10"),
    ("month digit dropped in the second reading", CERT + "2022年10月", CERT + "2022年1月",
     Kind.certificate, "2022-10"),
    ("day digit dropped", CERT + "2021年3月3日\n", CERT + "2021年3月30日", Kind.certificate,
     "2021-03-30"),
    ("two different dates are not a dropped digit", CERT + "2021年3月5日", CERT + "2021年3月8日",
     Kind.certificate, "2021-03-08"),
    ("zeros of a Chinese year doubled and lost: the Arabic date of the same month decides",
     COVER + "二 OO 二年一月三十日\n项目自2020年1月启动", None, Kind.project_cover, "2020-01-30"),
    ("a Chinese year with one zero is not second-guessed",
     COVER + "二〇一九年一月三十日\n项目自2091年1月启动", None, Kind.project_cover, "2019-01-30"),
    ("a year of look-alikes is not guessed", CERT + "0人年2月27日", None, Kind.certificate, None),
    ("a stray 止 above the letter's date is no term", LETTER + "《能源与环境》编辑部\n止\n2018.5.15",
     None, Kind.paper_accepted, "2018-05-15"),
    ("a dash after the unit is no term", LETTER + "《能舌与环境》编加部-\n2018.5.15- 路", None,
     Kind.paper_accepted, "2018-05-15"),
    ("an acceptance before its receipt is a misreading",
     LETTER.replace("2018-02-22", "2018-06-03") + "《能源与环境》编辑部\n2018年05月26日", None,
     Kind.paper_accepted, None),
    ("…and the second reading's date after the receipt is taken",
     LETTER.replace("2018-02-22", "2018-06-03") + "《能源与环境》编辑部\n2018年05月26日",
     "《能源与环境》编辑部\n2018年09月26日", Kind.paper_accepted, "2018-09-26"),
    ("a Chinese month that lost its 一 in one reading is the longer one (fx-e doc_015)",
     COVER + "编制日期 : 二〇一四年十月", "编制日期：二〇一四年十一月", Kind.project_cover, "2014-11"),
    ("…whichever reading lost it",
     COVER + "编制日期 : 二〇一四年十一月", "编制日期：二〇一四年十月", Kind.project_cover, "2014-11"),
    ("…and a day's 一 (二十日 for 二十一日)",
     COVER + "二〇二一年三月二十日", "二〇二一年三月二十一日", Kind.project_cover, "2021-03-21"),
    ("a year misread decades ahead is no date (set G doc_069: 2049 for 2019)",
     LETTER + "《能源与环境》编辑部\n2049年10月10日", None, Kind.paper_accepted, None),
    ("a project's period above the cover's date line is no issue date (bench cover, OCR text)",
     "项目编号 :Z9- 2022- 017 科技项目验收报告 项目名称 : 工业园区大气污染溯源评估方法研究\n"
     "承担单位 : 浙江绿源环境工程有限公司\n项目负责人 : 张伟\n起止时间 : 2021年3月至2022年12月\n"
     "浙江绿源环境工程有限公司\n2022年12月28日", None, Kind.project_cover, "2022-12-28"),
    ("a term's year wrapped after its first character",
     "聘书\n兹聘任胡磊同志为温州市天台节能环保技术服务中心工程师,聘期自二\n"
     "〇一六年十一月一日起至二〇一九年十月三十一日止。\n温州市天台节能环保技术服务中心", None,
     Kind.appointment, "2016-11-01"),
]


def _page(text: str, number: int = 1) -> PageEvidence:
    return PageEvidence(number, 595, 842, "image", 200.0,
                        PageText(text, source="ocr", mean_conf=80.0))


@pytest.mark.parametrize(("name", "first", "second", "kind", "date"), CASES,
                         ids=[c[0] for c in CASES])
def test_achievement_date_after_ocr_damage(name: str, first: str, second: str | None,
                                           kind: Kind, date: str | None) -> None:
    reread = {1: PageText(second, source="ocr")} if second is not None else None
    u = understand_document((_page(first),), reread)
    assert u.kind is kind
    assert (str(u.achievement_date.value) if u.achievement_date else None) == date


def test_a_longer_date_on_another_page_is_another_date() -> None:
    cover = _page(COVER + "编制日期：2022年1月")
    body = _page("1 总论\n报告日期：2022年11月\n本项目位于绍兴市柯桥区。", 2)
    u = understand_document((cover, body))
    assert u.kind is Kind.project_cover
    assert u.achievement_date is not None and str(u.achievement_date.value) == "2022-01"


def _article(title: str) -> PageText:
    from verify.model import TextSpan

    lines = [(title, (0.15, 0.08, 0.85, 0.12)),
             ("王伟 李娜", (0.40, 0.14, 0.60, 0.16)),
             ("摘要：以某电镀园区为例，研究了电镀废水的处理工艺。", (0.10, 0.20, 0.90, 0.22)),
             ("关键词：电镀废水；处理工艺", (0.10, 0.23, 0.60, 0.25)),
             ("第41卷第6期 环境与发展 2021年6月", (0.10, 0.02, 0.90, 0.04))]
    spans = tuple(TextSpan(t, b) for t, b in lines)
    return PageText("\n".join(t for t, _ in lines), spans, source="ocr", mean_conf=60.0)


def test_publication_title_garbled_in_the_first_reading_comes_from_the_second() -> None:
    first = _article("电镀废水PABEERUSMEAVOCS处理研究")
    page = PageEvidence(1, 595, 842, "image", 200.0, first)
    second = _article("电镀废水深度处理工艺的研究")
    assert understand_document((page,)).title == "电镀废水PABEERUSMEAVOCS处理研究"
    u = understand_document((page,), {1: second})
    assert u.kind is Kind.paper_published
    assert u.title == "电镀废水深度处理工艺的研究"
