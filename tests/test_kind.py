"""Kind, achievement date, title and unit on real generated documents.

Each document is drawn as a real PDF with a CJK TrueType font (a born-digital text layer); the
slow tests render the same pages to a 200-DPI greyscale scan with noise and read them with
real Tesseract, so the scorer is tested on the OCR text it meets in production.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import pymupdf
import pytest

from verify.checks.kind import classify_kind
from verify.checks.understanding import Understanding, same_paper, understand_document
from verify.model import InputRef, Kind, PageEvidence
from verify.pages import open_document
from verify.text.ocr import make_engine
from verify.text.read import read_page_text

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

# A line: (text, font size pt, "c" centred | "l" left | "r" right, y in pt from the top).
Line = tuple[str, float, str, float]


def _body(text: str, y0: float, size: float = 10.5, per_line: int = 38) -> list[Line]:
    chunks = [text[i : i + per_line] for i in range(0, len(text), per_line)]
    return [(c, size, "l", y0 + i * size * 1.8) for i, c in enumerate(chunks)]


COVER = [
    ("绍兴市滨海工业区污水处理厂提标改造工程", 22, "c", 180),
    ("环境影响报告书", 26, "c", 230),
    ("（报批稿）", 14, "c", 270),
    ("建设单位：绍兴市鉴湖水务有限公司", 14, "c", 520),
    ("编制单位：浙江某环境科技有限公司", 14, "c", 550),
    ("编制日期：二〇二一年六月", 14, "c", 580),
]
REPORT_BODY = [
    ("1 总论", 14, "l", 80),
    ("1.1 项目由来", 12, "l", 110),
    *_body("绍兴市滨海工业区污水处理厂位于滨海工业区，设计规模10万吨/日。为满足排放要求，"
           "建设单位拟实施提标改造工程。根据《中华人民共和国环境影响评价法》及《建设项目环境"
           "保护管理条例》的规定，本项目应编制环境影响报告书。", 135),
    ("1.2 编制依据", 12, "l", 260),
    *_body("（1）《地表水环境质量标准》(GB 3838-2002)；（2）《环境影响评价技术导则 总纲》"
           "(HJ 2.1-2016)；（3）《污水综合排放标准》(GB 8978-1996)。", 285),
    ("1.3 评价等级与评价范围", 12, "l", 360),
    *_body("根据导则，地表水环境评价等级为二级，评价范围为排放口上游500米至下游3000米。"
           "项目概况、工程分析、环境现状调查见后续章节。", 385),
]
JOURNAL_COVER = [
    ("环境科学与管理", 30, "c", 120),
    ("月刊", 14, "c", 170),
    ("2021年第6期", 16, "c", 200),
    ("主管：某省科学技术厅  主办：某省环境科学学会", 11, "c", 650),
    ("ISSN 1673-1212  CN 23-1532/X", 11, "c", 680),
    ("出版日期：2021年6月25日", 11, "c", 710),
]
ARTICLE = [
    ("膜生物反应器在印染废水处理中的应用研究", 18, "c", 90),
    ("王伟1，李芳2", 11, "c", 130),
    ("（1.绍兴市某环境工程有限公司，浙江 绍兴 312000）", 9, "c", 150),
    *_body("摘要：以某印染企业废水为对象，研究了膜生物反应器对COD和氨氮的去除效果。结果表明，"
           "系统运行稳定，出水满足标准要求。", 180, 10),
    ("关键词：膜生物反应器；印染废水；COD", 10, "l", 240),
    ("中图分类号：X703  文献标识码：A  文章编号：1673-1212(2021)06-0045-03", 9, "l", 260),
    *_body("印染废水具有水量大、色度高、成分复杂的特点。近年来膜生物反应器因其出水水质好、"
           "占地面积小而得到广泛应用。本文结合工程实例，分析其处理效果。", 290),
    ("收稿日期：2021-03-05", 9, "l", 760),
]
ACCEPTANCE = [
    ("录用通知", 24, "c", 110),
    ("王伟 同志：", 12, "l", 180),
    *_body("您的论文《膜生物反应器在印染废水处理中的应用研究》经专家审稿，符合本刊要求，"
           "已被本刊录用，拟刊于2021年第9期。请按要求修改稿件。", 210, 12),
    ("特此通知。", 12, "l", 300),
    ("《环境科学与管理》编辑部", 12, "r", 560),
    ("2021年5月10日", 12, "r", 590),
]
APPOINTMENT = [
    ("聘  书", 32, "c", 150),
    *_body("兹聘任王伟同志为工程师，聘期自2020年1月1日起至2024年12月31日止。", 260, 14, 28),
    ("绍兴市某环境工程有限公司", 14, "r", 560),
    ("二〇一九年十二月二十日", 14, "r", 590),
]
CERTIFICATE = [
    ("荣誉证书", 32, "c", 150),
    *_body("王伟同志：在2021年度生态环境保护工作中表现突出，被评为先进工作者，特发此证，"
           "以资鼓励。", 260, 14, 28),
    ("绍兴市生态环境局", 14, "r", 560),
    ("2022年1月18日", 14, "r", 590),
]
NOTICE_ABOUT_PUBLICATION = [
    ("关于《环境科学与管理》2021年第6期出版的通知", 16, "c", 100),
    ("各有关单位：", 12, "l", 150),
    *_body("《环境科学与管理》2021年第6期已于近日出版，现将有关事项通知如下：请各作者于"
           "2021年7月15日前领取样刊。征稿工作照常进行。", 180, 12),
    ("特此通知。", 12, "l", 260),
    ("《环境科学与管理》编辑部", 12, "r", 560),
    ("2021年6月30日", 12, "r", 590),
]

DOCS: dict[str, tuple[list[list[Line]], Kind, str | None, bool]] = {
    # name: (pages, kind, achievement date, cover_missing)
    "cover": ([COVER, REPORT_BODY], Kind.project_cover, "2021-06", False),
    "report_no_cover": ([REPORT_BODY], Kind.project_cover, None, True),
    "journal": ([JOURNAL_COVER, ARTICLE], Kind.paper_published, "2021-06-25", False),
    "acceptance": ([ACCEPTANCE], Kind.paper_accepted, "2021-05-10", False),
    "appointment": ([APPOINTMENT], Kind.appointment, "2020-01-01", False),
    "certificate": ([CERTIFICATE], Kind.certificate, "2022-01-18", False),
    "notice": ([NOTICE_ABOUT_PUBLICATION], Kind.other, None, False),
}


def _pdf(pages: list[list[Line]], path: Path) -> Path:
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        page.insert_font(fontname="zh", fontfile=FONT)
        font = pymupdf.Font(fontfile=FONT)
        for text, size, align, y in lines:
            width = font.text_length(text, fontsize=size)
            x = {"c": (595 - width) / 2, "l": 72.0, "r": 595 - 72 - width}[align]
            page.insert_text((x, y), text, fontname="zh", fontsize=size)
    doc.save(path)
    return path


def _scan(pdf: Path, out: Path, seed: int) -> list[Path]:
    """Each page rendered at 200 DPI, greyscale, with sensor noise and JPEG compression."""
    rng = np.random.default_rng(seed)
    paths = []
    with pymupdf.open(pdf) as doc:
        for i, page in enumerate(doc):
            pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
            img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
            noisy = np.clip(img.astype(np.int16) + rng.normal(0, 12, img.shape), 0, 255)
            p = out / f"{pdf.stem}-{i + 1}.jpg"
            cv2.imwrite(str(p), noisy.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 70])
            paths.append(p)
    return paths


def _ref(path: Path) -> InputRef:
    return InputRef(path.name, path, PurePosixPath(str(path.resolve())))


def _evidence(paths: list[Path], ocr: bool) -> tuple[PageEvidence, ...]:
    engine = make_engine("tesseract") if ocr else None
    out = []
    number = 0
    for path in paths:
        doc = open_document(_ref(path))
        for i in range(doc.page_count):
            page = doc.page(i)
            number += 1
            if engine is None:
                assert page.origin == "born_digital"
                from verify.text.read import text_from_layer

                text = text_from_layer(page)
            else:
                page, text = read_page_text(page, engine)
            out.append(PageEvidence(number, page.width_pt, page.height_pt, page.origin,
                                    page.effective_dpi, text))
        doc.close()
    return tuple(out)


def _check(u: Understanding, kind: Kind, date: str | None, cover_missing: bool) -> None:
    assert u.kind is kind, u.kind_reason
    assert (str(u.achievement_date.value) if u.achievement_date else None) == date
    assert u.cover_missing is cover_missing


@pytest.mark.parametrize("name", list(DOCS))
def test_born_digital(name: str, tmp_path: Path) -> None:
    pages, kind, date, cover_missing = DOCS[name]
    evidence = _evidence([_pdf(pages, tmp_path / f"{name}.pdf")], ocr=False)
    _check(understand_document(evidence), kind, date, cover_missing)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DOCS))
def test_tesseract_scan(name: str, tmp_path: Path) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    pages, kind, date, cover_missing = DOCS[name]
    scans = _scan(_pdf(pages, tmp_path / f"{name}.pdf"), tmp_path, seed=len(name))
    evidence = _evidence(scans, ocr=True)
    assert evidence[0].text.source == "ocr"
    _check(understand_document(evidence), kind, date, cover_missing)


def test_titles_units_and_roles(tmp_path: Path) -> None:
    ev = _evidence([_pdf([COVER], tmp_path / "c.pdf")], ocr=False)
    u = understand_document(ev)
    assert u.title == "绍兴市滨海工业区污水处理厂提标改造工程"
    assert u.issuing_unit == "浙江某环境科技有限公司"
    ev = _evidence([_pdf([ACCEPTANCE], tmp_path / "a.pdf")], ocr=False)
    u = understand_document(ev)
    assert u.title == "膜生物反应器在印染废水处理中的应用研究"
    assert u.issuing_unit == "环境科学与管理编辑部"
    assert u.achievement_date is not None and u.achievement_date.role.value == "accepted"
    ev = _evidence([_pdf([JOURNAL_COVER, ARTICLE], tmp_path / "j.pdf")], ocr=False)
    u = understand_document(ev)
    assert same_paper(u.title, "膜生物反应器在印染废水处理中的应用研究")
    assert u.issue == "2021年第6期"
    # The received date (收稿日期) of the article is a date but never the achievement date.
    received = [d for d in u.dates if d.text == "2021-03-05"]
    assert received and received[0].role.value == "unknown"


def test_monthly_issue_without_printed_date(tmp_path: Path) -> None:
    cover = [ln for ln in JOURNAL_COVER if not ln[0].startswith("出版日期")]
    ev = _evidence([_pdf([cover, ARTICLE], tmp_path / "m.pdf")], ocr=False)
    u = understand_document(ev)
    assert u.kind is Kind.paper_published
    assert u.achievement_date is not None and str(u.achievement_date.value) == "2021-06"
    bimonthly = [(t.replace("月刊", "双月刊"), s, a, y) for t, s, a, y in cover]
    ev = _evidence([_pdf([bimonthly, ARTICLE], tmp_path / "b.pdf")], ocr=False)
    assert understand_document(ev).achievement_date is None


def test_empty_document_is_other() -> None:
    assert classify_kind(()).kind is Kind.other
    assert understand_document(()).kind is Kind.other


@pytest.mark.parametrize(("a", "b", "same"), [
    ("膜生物反应器在印染废水处理中的应用研究", "膜生物反应器在印染废水处理中的应用研究", True),
    ("膜生物反应器在印染废水处理中的应用研究", "膜生物反应器在印染废水处理中的应用研宄", True),
    ("膜生物反应器在印染废水处理中的应用研究", "膜生物反应器 在印染废水 处理中的应用研究。", True),
    ("A2/O工艺在城镇污水处理厂中的应用研究", "A2/0工艺在城镇污水处理厂中的应用研究", True),
    ("基于在线监测技术的河道水质提升分析", "基于在线监测技术的河道水质提升分忻", True),
    ("膜生物反应器在印染废水处理中的应用研究", "臭氧催化氧化在印染废水处理中的应用研究", False),
    ("MBBR工艺优化探讨", "芬顿氧化工艺优化探讨", False),
    ("印染废水处理中芬顿氧化的效果评价", "污泥处置中芬顿氧化的效果评价", False),
    ("膜生物反应器在印染废水处理中的应用研究", None, False),
    ("电镀废水处理生物滤池的实践与思考", "电镀废水处理生物滤池的实践导思考", True),
    ("人工湿地对电镀废水处理的影响机制研究", "SBR对电镀废水处理的影响机制研究", False),  # ratio 0.80
])
def test_same_paper(a: str, b: str | None, same: bool) -> None:
    assert same_paper(a, b) is same


def _page(lines: list[tuple[str, tuple[float, float, float, float]]], conf: float = 80.0
          ) -> PageEvidence:
    from verify.model import PageText, TextSpan

    spans = tuple(TextSpan(t, b) for t, b in lines)
    text = PageText("\n".join(t for t, _ in lines), spans, source="ocr", mean_conf=conf)
    return PageEvidence(1, 595, 842, "image", 200.0, text)


COVER_OCR = [  # Tesseract's reading of a scanned cover whose date lies under the seal
    ("舟山南湖新区电镀园区迁建项目", (0.25, 0.26, 0.76, 0.30)),
    ("排污许可申请报告", (0.37, 0.32, 0.64, 0.35)),
    ("(公示本 )", (0.46, 0.37, 0.55, 0.40)),
    ("委托单位 : 骨山市焉江生态环境研究有限责任公司", (0.25, 0.68, 0.73, 0.72)),
    ("舟山市普陀清洁能源设计院有限公司", (0.28, 0.74, 0.70, 0.76)),
    ("20224035", (0.42, 0.78, 0.55, 0.80)),  # garbled date: not a page number
]


def test_garbled_cover_is_still_a_cover_and_a_second_reading_dates_it() -> None:
    from verify.checks.understanding import wants_reread
    from verify.model import PageText

    page = _page(COVER_OCR)
    u = understand_document((page,))
    assert u.kind is Kind.project_cover and not u.cover_missing
    assert u.achievement_date is None and wants_reread(u)
    red = PageText("舟山南湖新区电镀园区迁建项目\n排污许可申请报告\n(公示本)\n"
                   "委托单位:舟山市瓯江生态环境研究有限责任公司\n舟山市普陀清洁能源设计院有限公司\n"
                   "2022年03月", source="ocr")
    u = understand_document((page,), {1: red})
    assert u.achievement_date is not None and str(u.achievement_date.value) == "2022-03"
    assert u.issuing_unit == "舟山市普陀清洁能源设计院有限公司"


def test_poorly_read_page_asks_for_a_second_reading() -> None:
    u = understand_document((_page([("PFS C5 SiR", (0.4, 0.1, 0.7, 0.2))], conf=30.0),))
    assert u.kind is Kind.other and u.poorly_read


def test_second_reading_restores_a_day_lost_under_the_seal() -> None:
    """The first reading lost the day (``…十二月`` under the seal); the red-channel reading
    has it: the achievement date becomes exact, with the role of the first reading."""
    from verify.checks.understanding import understand_document, wants_reread
    from verify.model import PageEvidence, PageText

    first = "项目名称：曹娥江水质监测评估\n委托单位：绍兴市水务集团\n编制单位：绍兴市环境科学研究院\n二零二一年十二月"
    page = PageEvidence(1, 595, 842, "image", 200.0, PageText(first, source="ocr"))
    u = understand_document((page,))
    assert u.kind.value == "project_cover" and str(u.achievement_date.value) == "2021-12"
    assert wants_reread(u)
    second = PageText("绍兴市环境科学研究院\n二零二一年十二月九日", source="ocr")
    again = understand_document((page,), {1: second})
    assert str(again.achievement_date.value) == "2021-12-09"
    assert again.achievement_date.role == u.achievement_date.role


def _ocr_page(text: str, number: int = 1, conf: float = 80.0) -> PageEvidence:
    from verify.model import PageText

    return PageEvidence(number, 595, 842, "image", 200.0,
                        PageText(text, source="ocr", mean_conf=conf))


# Tesseract's reading of a skewed scan of a bulletin on papers: its title and addressees
# garbled, the papers' list and 拟刊于 left (the acceptance-letter words).
BULLETIN_OCR = ("ay 市普陀环境规划这于设寺院有限公司文件\n* T2021 ee at way\n各部门 ; 人现将有\n"
                "关人情况通报如下。 CRAMP A HB 待正式发表后予以认定。\nPS ag ae ai 站已发表 =\n"
                "Kp te pes 《遥感监测对 Vocs 治理的影响机制研究 ) ee Re\n"
                "RF IB «VOCs 治理 SBR 的实跨与思考》 » ERA 拟刊于下 -其。\n")


def test_bulletin_about_papers_is_not_an_acceptance_letter() -> None:
    assert understand_document((_ocr_page(BULLETIN_OCR),)).kind is Kind.other
    listing = ("技术人员论文情况\n孙晨曦《电化学氧化协同湖泊富营养化控制的试验研究》，已发表。\n"
               "郑婷婷《遥感监测对VOCs治理的影响机制研究》，已发表。\n"
               "陈子涵《VOCs治理SBR的实践与思考》，已录用，拟刊于下一期。\n")
    assert understand_document((_ocr_page(listing),)).kind is Kind.other


def test_report_body_citing_standards_is_not_a_list_of_papers() -> None:
    from verify.checks.kind import lists_papers

    body = ("执行《地表水环境质量标准》(GB3838-2002)、《污水综合排放标准》(GB8978-1996)、"
            "《工业企业厂界环境噪声排放标准》(GB12348-2008)，2019年发布。")
    assert not lists_papers(body)


def test_appointment_notice_with_garbled_title_word() -> None:
    text = ("湖州市稚菠环境规划设计有限责任公司文件\n关于险任徐各等同志专业技术职务的通知\n"
            "公司各部门：\n")
    assert understand_document((_ocr_page(text),)).kind is Kind.appointment


def test_acceptance_letter_title_from_the_second_reading_with_ocr_brackets() -> None:
    """The first reading lost the closing bracket; RapidOCR's reading has the title between
    《 and ) — and the journal's name in 《》 is never taken for the paper."""
    from verify.model import PageText

    first = ("《广东化工》编辑部\n用稿通知书\n您 “《们 ) 抽罕的论文《电化学氧信对农村生活污水治理的区 wa\n"
             "决定予以录用 , 氢刊于2020年第11其发\n《广东化工》 eae\n")
    page = _ocr_page(first)
    u = understand_document((page,))
    assert u.kind is Kind.paper_accepted and u.title is None
    second = PageText("《广东化工》编辑部\n用稿通知书\n谢婷婷同志:\n"
                      "您(们)撰写的论文《电化学氧化对农村生活污水治理的影响机制研究)\n"
                      "(稿件编号:广东2020436,收稿日期:2020-04-08)经本刊编辑部初审\n"
                      "《广东化工)编辑部\n2020年7月6日", source="ocr")
    u = understand_document((page,), {1: second})
    assert u.title == "电化学氧化对农村生活污水治理的影响机制研究"
    assert str(u.achievement_date.value) == "2020-07-06"


def test_journal_cover_day_read_again_when_damaged() -> None:
    """出版日期 2015年7月 :日 on a photographed cover: a damaged date asks for a second
    reading, whose day makes the publication date exact."""
    from verify.checks.understanding import wants_reread
    from verify.model import PageText

    cover = _ocr_page("科技创新与应用\n月刊\n2015年第7其\n总第267期\n出版日期 : 2015年7月 :日\n"
                      "ISSN 7657-3590\nCN 54-6550/X 主管 : 衢州市科学技术协会")
    article = _ocr_page("第5卷第7期 科技创新与应用 2015年7月\n摘要：针对\n关键词：污染治理", 2)
    u = understand_document((cover, article))
    assert u.kind is Kind.paper_published and str(u.achievement_date.value) == "2015-07"
    assert u.poorly_read and wants_reread(u)
    red = PageText("科技创新与应用\n2015年第7期\n出版日期:2015年7月1日\nISSN 7657-3590", source="ocr")
    assert str(understand_document((cover, article), {1: red}).achievement_date.value) == "2015-07-01"


CONTENTS = ("目 次\n人工湿地协同农村生活污水治理的试验研究 (14)\n孙静，胡慧敏\n"
            "人工湿地协同电镀废水处理的试验研究 (17)\ngepek\n"
            "SBR协同VOCs治理的试验研究 (20)\n李四，王五\n")


@pytest.mark.parametrize(("title", "author", "found"), [
    ("人工湿地协同电镀废水处理的试验研究", "徐静", True),  # author line unread: the title tells
    ("人工湿地协同电镀废水处理的试验研宄", "徐静", True),  # one OCR error in the title
    ("SBR协同VOCs治理的试验研究", "李四", True),
    ("SBR协同VOCs治理的试验研究", "徐静", False),  # listed, but another author's paper
    ("人工湿地协同农村生活污水治理的试验研究", "徐静", False),
    ("人工湿地对电镀废水处理的影响机制研究", None, False),  # a different paper of the field
])
def test_contents_page_mentions_the_paper(title: str, author: str | None, found: bool) -> None:
    from verify.checks.understanding import mentions_title

    assert mentions_title(title, [_ocr_page(CONTENTS)], author) is found


def test_letter_addressee() -> None:
    from verify.checks.understanding import letter_addressee

    assert letter_addressee([_ocr_page("《广东化工》编辑部\n用稿通知书\n徐静同志 :\n您")]) == "徐静"
    assert letter_addressee([_ocr_page("论文录用证明\n孙雪梅网志:\n您(们)")]) == "孙雪梅"
    assert letter_addressee([_ocr_page("论文录用证明\n您的论文")]) is None


def test_article_page_known_by_its_reference_list() -> None:
    """An article page whose 摘要/关键词 labels OCR lost still cites like an article."""
    text = ("工业园区废气治理中芬顿氧化的效果评价\n何晓明，谢丽娟\n"
            "针对工业园区废气治理中存在的问题，结合工程实例，分析了主要影响因素。\n"
            "[1] 韩俊杰.城镇污水处理厂提标改造实践[J].环境工程,2016,36(4):12-15.\n")
    assert understand_document((_ocr_page(text),)).kind is Kind.paper_published


def test_hardly_read_first_page_asks_for_a_second_reading() -> None:
    """A journal cover photographed: OCR read only its title on the colour band."""
    from verify.checks.understanding import wants_reread

    u = understand_document((_ocr_page("绿色科技", conf=95.0),))
    assert u.kind is Kind.other and u.poorly_read and wants_reread(u)
    assert not understand_document((_ocr_page("绿色科技与环保工程技术研究中心年度工作总结报告",
                                              conf=95.0),)).poorly_read


def test_garbled_letter_title_asks_for_the_second_reading() -> None:
    from verify.checks.understanding import garbled_title, wants_reread
    from verify.model import PageText

    first = _ocr_page("《环境与发展》编辑部\n录用通知\n罗思远同志：\n"
                      "您撰写的论文《浅析VOCsPABEERUSMEA》（稿件编号：环境2021952）\n"
                      "经本刊编辑部初审、专家外审和终审，决定予以录用。\n2021年3月5日")
    u = understand_document((first,))
    assert u.title is not None and garbled_title(u.title) and wants_reread(u)
    second = PageText("您撰写的论文《浅析VOCs治理遥感监测技术》(稿件编号:环境2021952)", source="ocr")
    assert understand_document((first,), {1: second}).title == "浅析VOCs治理遥感监测技术"
    assert not garbled_title("基于MBBR的污泥处置分析")


@pytest.mark.parametrize(("text", "kind"), [
    # a phone photo of a journal issue: only the cover's name and issue line were read
    ("科技创新与应用\n2022年第3期", "paper_published"),
    ("科技创新与应用\n 2022 年第 3 期 ", "paper_published"),
    # an issue inside a sentence is a letter's, not a cover's
    ("科技创新与应用\n本文拟刊于2022年第3期发表", "paper_accepted"),
    ("科技创新与应用\n本刊2022年第3期起改版", "other"),
])
def test_issue_line_on_a_sparse_first_page(text: str, kind: str) -> None:
    from verify.checks.kind import classify_kind
    from verify.model import PageEvidence, PageText

    page = PageEvidence(1, 595, 842, "image", 200.0, PageText(text, source="ocr"))
    assert classify_kind((page,)).kind.value == kind
