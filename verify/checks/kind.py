"""What a document is: a small keyword scorer over its first pages, plus page layout.

The weights are data (``KIND_WEIGHTS``): a keyword adds its weight to a kind once per document
when it occurs on one of the first pages (later pages count ``LATER_PAGE_FACTOR`` of it).
Keywords of four or more characters also match with one OCR error (Tesseract chi_sim, ~5% CER:
a keyword of 4–6 characters is misread about one time in four), through the ``regex`` module's
fuzzy matching (installed with dateparser). Keys that start with ``re:`` are regular
expressions. Weights were set by hand from what each kind of page prints (cover labels, journal
front matter, letter formulas) and checked on the fixture generator's ``dev`` split only.

A report whose first page is not its cover is still project evidence: kind ``project_cover``
with ``cover_missing``. A notice *about* publication (征稿启事, 关于…出版的通知) is ``other``:
the notice words carry weight for ``other``, and a publication needs front-matter evidence
(ISSN/CN, 第X期, 摘要/关键词), not the word 出版.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..model import Kind, PageEvidence, PageText
from ..text.normalize import compact

log = logging.getLogger(__name__)

KIND_WEIGHTS: dict[Kind, dict[str, float]] = {
    Kind.project_cover: {
        "项目名称": 3.0, "委托单位": 3.0, "建设单位": 2.5, "编制单位": 3.0, "编制日期": 2.5,
        "承担单位": 2.0, "评价单位": 2.0, "编制人员": 2.0, "项目负责人": 1.0, "审定": 1.0,
        "报告书": 2.0, "报告表": 2.0, "可行性研究报告": 2.0, "研究报告": 1.5, "报告": 1.0,
        "环境影响": 1.5, "验收": 1.0, "应急预案": 2.0, "设计说明": 1.5, "说明书": 1.0,
        "评估报告": 1.5, "申请报告": 1.5, "课题": 1.5, "项目": 0.5, "工程": 0.5, "规划": 1.0,
        "编制": 1.5,
        # the body of a report (its cover missing): chapters and the words every report uses
        "总论": 2.0, "编制依据": 3.0, "项目概况": 2.5, "评价等级": 2.0, "评价范围": 2.0,
        "环境现状": 2.0, "工程分析": 2.0, "建设内容": 2.0, "评价标准": 1.5, "建设地点": 1.5,
        "re:第[一二三四五六七八九十1-9]章": 2.0,
    },
    Kind.paper_published: {
        "re:ISSN[ :：]*[0-9O]{4}-?[0-9O]{3}[0-9XO]": 2.5, "re:CN[ :：]*[0-9]{2}-[0-9]{4}": 2.0,
        "re:[0-9]{4}年第[0-9]{1,2}期": 2.5, "re:第[0-9]{1,3}卷": 1.5, "re:总第[0-9]+期": 1.5,
        "目次": 3.0, "目录": 1.0, "摘要": 3.0, "关键词": 3.0, "中图分类号": 3.0,
        "文献标识码": 3.0, "文章编号": 2.5, "作者简介": 2.0, "参考文献": 1.5, "主办": 1.5,
        "主管": 1.0, "月刊": 1.5, "期刊": 0.5, "Abstract": 1.5,
        "Keywords": 1.5, "出版": 0.5,
        # a reference list entry: …[J].环境工程,2016,36(4):12-15 (year, volume, issue, pages)
        r"re:[0-9]{4}[,，][0-9]{1,3}[(（][0-9]{1,2}[)）][:：][0-9]+": 2.5, r"re:\[J\]": 1.0,
        # 文献标识码：A, its label often garbled by OCR (文62码:A编号)
        r"re:码[:：;]?[ \t]*[A-E](?![A-Za-z0-9])": 2.0,
    },
    Kind.paper_accepted: {
        "录用": 4.0, "录用通知": 4.0, "录用证明": 4.0, "用稿通知": 5.0, "拟刊于": 3.0,
        "拟于": 2.0, "拟安排": 2.0, "审稿": 2.0, "稿件": 2.0, "大作": 2.0, "来稿": 1.5,
        "版面费": 2.0, "刊出": 1.0, "编辑部": 1.0, "特此证明": 1.0,
    },
    Kind.appointment: {
        "聘书": 5.0, "兹聘任": 5.0, "兹聘请": 4.0, "聘任": 3.0, "聘期": 3.0, "受聘": 2.0,
        "聘为": 2.0, "聘用": 1.5, "职称证书": 4.0, "专业技术资格证书": 4.0, "专业技术职务": 2.0,
        "任职资格": 3.0, "资格名称": 2.0, "评审通过": 2.0, "评审委员会": 2.0,
        "工程师": 0.5,
        # the title of an appointment notice: 关于聘任XX等同志专业技术职务的通知
        "re:聘任.{0,24}(?:通知|决定|通和|文件)": 4.0,
        # …the same title when OCR garbles 聘 (关于险任徐静等同志专业技术职务的通知)
        "专业技术职务的通知": 3.0,
        # a term of office, even when OCR garbles 聘期 (贡期自2017年9月9日起至2020年9月8日止)
        "re:自[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日起至[0-9]{4}年": 3.0,
    },
    Kind.certificate: {
        "证书": 3.0, "荣誉证书": 4.0, "获奖证书": 4.0, "荣获": 3.0, "授予": 1.5,
        "学位证书": 4.0, "毕业证书": 4.0, "学位": 2.0, "学士": 1.5, "硕士": 1.5, "博士": 1.5,
        "继续教育": 3.0, "学时": 3.0, "学分": 2.0, "培训": 2.0, "结业": 2.0, "合格证书": 3.0,
        "特发此证": 3.0, "以资鼓励": 3.0, "被评为": 3.0, "证书编号": 1.5, "先进": 2.0,
        "re:[一二三]等奖": 2.0, "进步奖": 2.0, "获奖": 1.5, "荣誉": 1.5, "表彰": 1.5,
    },
    Kind.other: {
        "特此通知": 2.0, "各有关单位": 2.0, "通知": 1.5, "征稿": 4.0, "征文": 3.0, "启事": 3.0,
        "合同": 3.0, "甲方": 2.0, "乙方": 2.0, "结算": 3.0, "发票": 3.0, "决定书": 3.0,
        "处分": 2.0, "公告": 2.0, "通报": 2.0, "会议纪要": 3.0, "申请表": 2.0, "情况说明": 2.0,
        "纳税人识别号": 3.0, "开户行": 2.0, "校验码": 2.0, "价税合计": 3.0,
    },
}

MIN_SCORE = 3.0  # below this no kind is claimed: ``other``
LATER_PAGE_FACTOR = 0.6  # page 1 decides most; later pages (journal contents/article) help
PAGES_READ = 3  # a kind shows on the first pages; reading more only adds noise
FUZZY_MIN_LEN = 4  # shorter keywords only match exactly (one error in 2–3 characters is noise)
SPARSE_CHARS = 350  # a cover or certificate prints fewer characters than this
COVER_LABELS = ("项目名称", "委托单位", "建设单位", "编制单位", "编制日期", "承担单位", "评价单位")
REPORT_WORDS = ("报告书", "报告表", "报告", "说明书", "预案", "方案", "规划", "课题")


NOTICE_DAMPING = 0.3  # a notice mentioning 录用/发表 keeps under a third of its paper score
_NOTICE = regex.compile(
    # OCR reads the colon after the addressees as ; at times
    r"关于.{2,40}的(?:通知|通报|公告|决定|函)|(?:各有关单位|各部门|各单位|各科室)[:：;；]"
    r"|特此(?:通知|通报|公告)|(?:(?:通知|通报|公告)如下){e<=1}")
_ACCEPTANCE_TITLE = regex.compile(r"(?:录用|用稿)(?:通知|证明)")
# A paper listed with what became of it: 《title》，已发表 / 已录用 / 发表于《…》. Titles of
# standards and regulations in 《》 (a report's body cites several) are not followed by these.
_LISTED_TITLE = regex.compile(
    r"[《〈<«](?P<t>[^《》〈〉<>«»\n]{6,60})[》〉>»)].{0,12}?(?:发表|录用|刊出|刊于|见刊)")
LISTED_PAPERS = 3  # a letter names one paper; a bulletin listing papers names several


def is_notice(flat: str) -> bool:
    """A notice, bulletin or announcement (not an acceptance letter, which says 录用通知)."""
    return bool(_NOTICE.search(flat)) and not _ACCEPTANCE_TITLE.search(flat)


def lists_papers(flat: str) -> bool:
    """Several different paper titles on one page: a list (通报, 名单), not one paper's proof."""
    return len({m.group("t") for m in _LISTED_TITLE.finditer(flat)}) >= LISTED_PAPERS


@dataclass(frozen=True)
class KindDecision:
    kind: Kind
    reason: str
    cover_missing: bool
    scores: tuple[tuple[Kind, float], ...]


@lru_cache(maxsize=512)
def _pattern(keyword: str) -> regex.Pattern[str]:
    if keyword.startswith("re:"):
        return regex.compile(keyword[3:], regex.IGNORECASE)
    escaped = regex.escape(keyword)
    if len(keyword) >= FUZZY_MIN_LEN:
        return regex.compile(f"(?:{escaped}){{e<=1}}")
    return regex.compile(escaped)


def keyword_hits(text: str, keywords: dict[str, float]) -> dict[str, float]:
    """The keywords found in ``text`` (already compacted) with their weights."""
    return {k: w for k, w in keywords.items() if _pattern(k).search(text)}


def has_keyword(text: str, keyword: str) -> bool:
    return _pattern(keyword).search(text) is not None


def page_is_sparse(text: PageText) -> bool:
    return len(compact(text.text)) < SPARSE_CHARS


# "1 总论", "1.2 编制依据", "第一章 概述": section headings of a report's body (not "2021年").
_SECTION_HEADING = regex.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}(?![\d年月])|第[一二三四五六七八九十\d]+[章节])\s*[一-鿿]",
    regex.MULTILINE)
# A cover label is a field name followed by its colon (OCR turns ： into ; at times).
_COVER_LABEL = regex.compile("(?:" + "|".join(COVER_LABELS) + "){e<=1}[:：;；,，.]")
# The printed number of a later page: 第2页, a footer line "- 2 -" or "2/5".
_LATER_PAGE_NUMBER = regex.compile(
    r"第(?:[2-9]|\d{2,3})页|^[-—]?\s*(?:[2-9]|\d{2,3})\s*[-—]?$|^(?:[2-9]|\d{2,3})\s*/\s*\d+$",
    regex.MULTILINE)
BODY_WORDS = ("编制依据", "项目概况", "评价等级", "评价范围", "环境现状", "工程分析", "总论",
              "概述")


# The issue line of a journal cover: only the issue on its line (OCR may leave stray marks).
_ISSUE_LINE = regex.compile(r"^[^\S\n]*[0-9]{4}[^\S\n]*年[^\S\n]*第[^\S\n]*[0-9]{1,2}[^\S\n]*期[^\S\n]*$",
                            regex.MULTILINE)
# With the issue keyword (2.5) it makes a cover that shows nothing else (a phone photo whose
# contents page is unreadable) a publication: 2.5 + 1.0 ≥ MIN_SCORE.
ISSUE_LINE_WEIGHT = 1.0


# A journal issue's front matter (its cover, its contents): every author published in the issue
# uploads the same pages. The applicant's own article page prints its abstract and keywords.
_FRONT_MATTER = regex.compile(
    r"ISSN|CN[ :：]*[0-9]{2}-[0-9]{4}|目次|目录|[0-9]{4}年第[0-9]{1,2}期|总第[0-9]+期")
_ARTICLE = regex.compile(r"摘要|关键词|Abstract|Keywords|中图分类号|文献标识码", regex.IGNORECASE)


_CONTENTS = regex.compile(r"目次|目录")


def is_journal_front_matter(text: PageText) -> bool:
    """A journal's cover or contents page: the issue's marks, none of an article's, and
    sparse (a cover) or a contents list. An article's later pages print the issue in their
    running header (环境科学与管理 2021年第6期) but are full pages of text."""
    flat = compact(text.text)
    return (bool(_FRONT_MATTER.search(flat)) and not _ARTICLE.search(flat)
            and (page_is_sparse(text) or bool(_CONTENTS.search(flat))))


def looks_like_cover(text: PageText) -> bool:
    """A report's cover: sparse, with a cover label or a report-type word, no body sections."""
    flat = compact(text.text)
    if not flat or not page_is_sparse(text):
        return False
    headings = len(_SECTION_HEADING.findall(text.text))
    body = sum(has_keyword(flat, k) for k in BODY_WORDS)
    if headings + body >= 3 or _LATER_PAGE_NUMBER.search(text.text) or "名单" in flat:
        return False  # a body page, a numbered later page, the staff list (编制人员名单表)
    if _COVER_LABEL.search(flat):
        return True
    return _report_type_title(text)


def _report_type_title(text: PageText) -> bool:
    """A centred line in the upper part of the page that names a report type (…报告书)."""
    for s in text.spans:
        centre = (s.bbox[0] + s.bbox[2]) / 2
        line = compact(s.text)
        if (abs(centre - 0.5) < 0.12 and s.bbox[1] < 0.6 and len(line) >= 4
                and any(line.endswith(w) or w + "(" in line for w in REPORT_WORDS)):
            return True
    if not text.spans:  # no boxes: a short line that is a report type
        return any(len(ln) <= 30 and ln.strip().endswith(REPORT_WORDS)
                   for ln in text.text.split("\n"))
    return False


def classify_kind(pages: Sequence[PageEvidence]) -> KindDecision:
    """Kind of the document from its first pages' text and layout."""
    totals: dict[Kind, float] = dict.fromkeys(Kind, 0.0)
    hits_by_kind: dict[Kind, dict[str, float]] = {k: {} for k in Kind}
    for i, page in enumerate(pages[:PAGES_READ]):
        factor = 1.0 if i == 0 else LATER_PAGE_FACTOR
        flat = compact(page.text.text)
        if not flat:
            continue
        for kind, keywords in KIND_WEIGHTS.items():
            for k, w in keyword_hits(flat, keywords).items():
                if k not in hits_by_kind[kind] or hits_by_kind[kind][k] < w * factor:
                    hits_by_kind[kind][k] = w * factor
    for kind in Kind:
        totals[kind] = sum(hits_by_kind[kind].values())
    # A notice or bulletin *about* papers (关于…论文发表及录用情况的通报, 出版通知) is not a
    # paper: notice form damps the paper kinds (a 聘任 notice stays an appointment).
    first_flat = compact(pages[0].text.text) if pages else ""
    if first_flat and (is_notice(first_flat) or lists_papers(first_flat)):
        for kind in (Kind.paper_accepted, Kind.paper_published):
            totals[kind] *= NOTICE_DAMPING
        totals[Kind.other] += 2.0
        hits_by_kind[Kind.other]["<notice form>"] = 2.0
    # Layout: a sparse first page with cover labels or a centred report-type title is a cover
    # (not merely a sparse page with a big centred line: a statistics table has one too).
    first = pages[0].text if pages else PageText("")
    if looks_like_cover(first):
        totals[Kind.project_cover] += 2.0
        hits_by_kind[Kind.project_cover]["<centred sparse cover>"] = 2.0
    # A journal issue's cover prints the issue on a line of its own (2022年第3期) under the
    # journal's name; a letter mentions an issue inside a sentence (拟刊于2018年第8期发表).
    if page_is_sparse(first) and _ISSUE_LINE.search(first.text):
        totals[Kind.paper_published] += ISSUE_LINE_WEIGHT
        hits_by_kind[Kind.paper_published]["<issue line on a cover>"] = ISSUE_LINE_WEIGHT
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    scores = tuple((k, round(v, 2)) for k, v in ranked)
    if best_score < MIN_SCORE or best is Kind.other:
        kind = Kind.other
        reason = f"未识别出材料类型（最高得分 {best.value} {best_score:.1f}）"
    else:
        kind = best
        words = "、".join(sorted(hits_by_kind[best], key=lambda k: -hits_by_kind[best][k])[:5])
        reason = f"关键词：{words}（得分 {best_score:.1f}）"
    cover_missing = kind is Kind.project_cover and bool(pages) and not looks_like_cover(first)
    log.debug("kind scores %s", scores)
    return KindDecision(kind, reason, cover_missing, scores)
