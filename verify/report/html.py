"""One self-contained HTML file for reviewers: per-applicant summary, per-document findings and
page pictures with the seals, dates and problem regions drawn on them.

Everything is read from the same ``DocumentReport`` objects as the JSONL rows (counts, points,
messages, bboxes), so the two outputs cannot disagree. The file has no external reference:
CSS and JS are inlined from ``templates/``, pictures are data URIs, fonts are the reader's own.
Reviewer-facing text is Chinese; a toggle swaps the UI labels to English (finding messages stay
as the profile wrote them).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path

from ..model import BBox, DocumentReport, Finding, Severity, Status
from ..profile import Profile
from .thumbnails import PageImages, pages_to_show, render_pages

log = logging.getLogger(__name__)

SEVERITIES_DESC = (Severity.blocking, Severity.major, Severity.minor, Severity.info)
UNGROUPED = "（未分组）"

# UI labels. Chinese is what the page is rendered with; the English table is sent to the page
# for the language toggle. ``{n}`` is filled from the element's ``data-n``.
LABELS_ZH: dict[str, str] = {
    "title": "职称评审材料预审报告",
    "lang.toggle": "English",
    "generated": "生成时间",
    "profile": "评审规则",
    "sec.summary": "申报人汇总",
    "sec.unreadable": "无法读取的文件",
    "sec.docs": "材料明细",
    "col.applicant": "申报人",
    "col.docs": "材料数",
    "col.unreadable": "无法读取",
    "col.points": "建议扣分",
    "col.state": "状态",
    "col.appointed": "现职称聘任时间",
    "col.cutoff": "截止日期",
    "col.severity": "严重程度",
    "col.code": "代码",
    "col.rule": "条款",
    "col.message": "说明",
    "col.page": "页",
    "sev.blocking": "阻断",
    "sev.major": "严重",
    "sev.minor": "一般",
    "sev.info": "提示",
    "sev.none": "无问题",
    "state.ok": "可提交",
    "state.fix": "需整改",
    "filter.applicant": "申报人",
    "filter.all": "全部",
    "filter.severity": "严重程度",
    "filter.code": "问题类型",
    "filter.onlyProblems": "仅显示有问题的材料",
    "filter.clear": "清除筛选",
    "filter.shown": "显示 {n} 份材料",
    "sort.label": "排序",
    "sort.input": "原始顺序",
    "sort.path": "文件名",
    "sort.worst": "严重程度",
    "sort.points": "建议扣分",
    "sort.date": "业绩日期",
    "sort.kind": "材料类型",
    "doc.applicant": "申报人",
    "doc.kind": "类型",
    "doc.date": "业绩日期",
    "doc.pages": "页数",
    "doc.seals": "公章",
    "doc.points": "建议扣分",
    "doc.noDate": "未识别",
    "doc.noSeal": "未发现",
    "doc.proof": "见刊证明",
    "doc.noFindings": "未发现问题",
    "doc.reason": "原因",
    "dup.link": "查看对方材料",
    "page.n": "第 {n} 页",
    "pages.partial": "共 {n} 页：只显示前 3 页和有公章、日期或问题的页",
    "pages.none": "无法生成页面图片",
    "legend": "图例",
    "legend.seal": "公章",
    "legend.date": "所用业绩日期",
    "legend.region": "清晰度问题区域",
    "viewer.close": "关闭",
    "viewer.hint": "点击缩略图查看大图",
    "footer": "本报告与 JSONL 输出来自同一检查结果。建议扣分为本规则配置的建议值，最终由评审委员会决定。",
    "totals": "共 {n} 位申报人",
    "code.UNREADABLE": "无法读取",
    "code.SEAL_MISSING": "未盖公章",
    "code.COVER_MISSING": "缺少封面",
    "code.NOT_PUBLISHED": "未见刊",
    "code.BEFORE_APPOINTMENT": "早于聘任",
    "code.AFTER_CUTOFF": "晚于截止日",
    "code.DATE_MISSING": "日期未识别",
    "code.BLURRY": "模糊",
    "code.LOW_RESOLUTION": "分辨率低",
    "code.SKEWED": "倾斜",
    "code.LOW_CONTRAST": "对比度不足",
    "code.CROPPED": "内容截断",
    "code.BLANK_PAGE": "空白页",
    "code.PAGES_MISSING": "缺页",
    "code.DUPLICATE": "重复材料",
}

LABELS_EN: dict[str, str] = {
    "title": "Title-evaluation evidence: pre-screening report",
    "lang.toggle": "中文",
    "generated": "Generated",
    "profile": "Rules profile",
    "sec.summary": "Applicants",
    "sec.unreadable": "Unreadable files",
    "sec.docs": "Documents",
    "col.applicant": "Applicant",
    "col.docs": "Documents",
    "col.unreadable": "Unreadable",
    "col.points": "Suggested deduction",
    "col.state": "State",
    "col.appointed": "Appointed",
    "col.cutoff": "Cutoff",
    "col.severity": "Severity",
    "col.code": "Code",
    "col.rule": "Rule",
    "col.message": "Message",
    "col.page": "Page",
    "sev.blocking": "Blocking",
    "sev.major": "Major",
    "sev.minor": "Minor",
    "sev.info": "Info",
    "sev.none": "No findings",
    "state.ok": "Ready to submit",
    "state.fix": "Needs fixing",
    "filter.applicant": "Applicant",
    "filter.all": "All",
    "filter.severity": "Severity",
    "filter.code": "Finding",
    "filter.onlyProblems": "Only documents with findings",
    "filter.clear": "Clear filters",
    "filter.shown": "{n} documents shown",
    "sort.label": "Sort by",
    "sort.input": "Input order",
    "sort.path": "File name",
    "sort.worst": "Severity",
    "sort.points": "Deduction",
    "sort.date": "Achievement date",
    "sort.kind": "Kind",
    "doc.applicant": "Applicant",
    "doc.kind": "Kind",
    "doc.date": "Achievement date",
    "doc.pages": "Pages",
    "doc.seals": "Seals",
    "doc.points": "Suggested deduction",
    "doc.noDate": "not found",
    "doc.noSeal": "none found",
    "doc.proof": "Published in",
    "doc.noFindings": "No findings",
    "doc.reason": "Reason",
    "dup.link": "Open the other document",
    "page.n": "Page {n}",
    "pages.partial": "{n} pages: showing the first 3 and pages with a seal, date or finding",
    "pages.none": "No page pictures could be made",
    "legend": "Legend",
    "legend.seal": "Seal",
    "legend.date": "Date used",
    "legend.region": "Clarity problem",
    "viewer.close": "Close",
    "viewer.hint": "Click a thumbnail for a larger view",
    "footer": "This report and the JSONL output come from the same check results. "
              "Deductions are this profile's suggestions; the committee decides.",
    "totals": "{n} applicants",
    "code.UNREADABLE": "Unreadable",
    "code.SEAL_MISSING": "Seal missing",
    "code.COVER_MISSING": "Cover missing",
    "code.NOT_PUBLISHED": "Not published",
    "code.BEFORE_APPOINTMENT": "Before appointment",
    "code.AFTER_CUTOFF": "After cutoff",
    "code.DATE_MISSING": "Date missing",
    "code.BLURRY": "Blurry",
    "code.LOW_RESOLUTION": "Low resolution",
    "code.SKEWED": "Skewed",
    "code.LOW_CONTRAST": "Low contrast",
    "code.CROPPED": "Cropped",
    "code.BLANK_PAGE": "Blank page",
    "code.PAGES_MISSING": "Pages missing",
    "code.DUPLICATE": "Duplicate",
    "kind.project_cover": "Project cover",
    "kind.paper_accepted": "Paper accepted",
    "kind.paper_published": "Paper published",
    "kind.appointment": "Appointment",
    "kind.certificate": "Certificate",
    "kind.other": "Other",
}


# --------------------------------------------------------------------------- summary


def applicant_key(report: DocumentReport) -> str:
    """The applicant a document belongs to: the manifest/folder name, else its group folder."""
    if report.applicant is not None and report.applicant.folder:
        return report.applicant.folder
    return report.evidence.ref.group or UNGROUPED


@dataclass(frozen=True)
class ApplicantSummary:
    """One row of the summary table."""

    key: str
    documents: int
    unreadable: int
    by_severity: Mapping[Severity, int]
    points: float
    needs_fix: bool
    appointed: str | None
    cutoff: str | None


def summarize(reports: Sequence[DocumentReport], profile: Profile) -> list[ApplicantSummary]:
    """Per applicant, in order of first appearance: counts, suggested deduction (the sum of
    ``Finding.points``) and whether the folder can be submitted as it is (no finding of a
    severity the profile fails on; the same test as the exit code)."""
    groups: dict[str, list[DocumentReport]] = {}
    for r in reports:
        groups.setdefault(applicant_key(r), []).append(r)
    out = []
    for key, members in groups.items():
        findings = [f for r in members for f in r.findings]
        by_sev = {s: sum(1 for f in findings if f.severity is s) for s in SEVERITIES_DESC}
        applicant = next((r.applicant for r in members if r.applicant is not None), None)
        out.append(ApplicantSummary(
            key=key,
            documents=len(members),
            unreadable=sum(1 for r in members if r.evidence.status is Status.unreadable),
            by_severity=by_sev,
            points=round(sum(f.points for f in findings), 2),
            needs_fix=any(f.severity in profile.fail_severities for f in findings),
            appointed=str(applicant.appointed) if applicant and applicant.appointed else None,
            cutoff=str(applicant.cutoff) if applicant and applicant.cutoff else None,
        ))
    return out


# --------------------------------------------------------------------------- overlays


@dataclass(frozen=True)
class Overlay:
    """A box drawn over a page picture, in page fractions (the contract's bbox frame)."""

    kind: str  # "seal" | "date" | "region"
    bbox: BBox
    label: str


def _clamp(b: BBox) -> BBox:
    x0, y0, x1, y1 = (min(1.0, max(0.0, v)) for v in b)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def page_overlays(report: DocumentReport, page: int) -> list[Overlay]:
    """Seals (with the read text), the achievement date used (when its position is known) and
    the regions behind clarity findings (when the measurement has one), on one page."""
    ev = report.evidence
    out = [Overlay("seal", _clamp(s.bbox), f"公章：{s.text}" if s.text else "公章")
           for s in ev.seals if s.page == page]
    d = ev.understanding.achievement_date
    if d is not None and d.page == page and d.bbox is not None:
        out.append(Overlay("date", _clamp(d.bbox), f"业绩日期：{d.text}（{d.value}）"))
    page_ev = next((p for p in ev.pages if p.number == page), None)
    if page_ev is not None:
        for f in report.findings:
            measure = dict(f.evidence).get("measure")
            if f.page != page or not isinstance(measure, str):
                continue
            m = page_ev.measurement(measure)
            if m is not None and m.region is not None:
                out.append(Overlay("region", _clamp(m.region), f"{f.code}：{f.message}"))
    return out


# --------------------------------------------------------------------------- HTML pieces


def _t(key: str, n: object | None = None, tag: str = "span", cls: str = "") -> str:
    """A translatable label: Chinese text now, English via the toggle."""
    text = LABELS_ZH.get(key, key)
    attrs = f' data-i18n="{escape(key)}"'
    if n is not None:
        text = text.replace("{n}", str(n))
        attrs += f' data-n="{escape(str(n))}"'
    if cls:
        attrs += f' class="{escape(cls)}"'
    return f"<{tag}{attrs}>{escape(text)}</{tag}>"


def _pct(v: float) -> str:
    return f"{v * 100:.3f}%"


def _points(v: float) -> str:
    return f"{v:g}"


def doc_anchor(index: int) -> str:
    return f"doc-{index}"


def _applicant_anchor(key: str) -> str:
    return "app-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _summary_html(summaries: Sequence[ApplicantSummary]) -> str:
    head = ["<tr>", f'<th data-sort-type="text">{_t("col.applicant")}</th>',
            f'<th data-sort-type="num">{_t("col.docs")}</th>',
            f'<th data-sort-type="num">{_t("col.unreadable")}</th>']
    head += [f'<th data-sort-type="num">{_t("sev." + s.value, cls="sev sev-" + s.value)}</th>'
             for s in SEVERITIES_DESC]
    head += [f'<th data-sort-type="num">{_t("col.points")}</th>',
             f'<th data-sort-type="num">{_t("col.state")}</th>',
             f'<th data-sort-type="text">{_t("col.appointed")}</th>',
             f'<th data-sort-type="text">{_t("col.cutoff")}</th>', "</tr>"]
    rows = []
    for s in summaries:
        state = ('<span class="state fix">' + _t("state.fix") + "</span>" if s.needs_fix
                 else '<span class="state ok">' + _t("state.ok") + "</span>")
        cells = [
            f'<td data-col="applicant" data-sort="{escape(s.key)}"><a href="#docs" class="pick-applicant" '
            f'data-applicant="{escape(s.key)}">{escape(s.key)}</a></td>',
            f'<td data-col="documents" data-sort="{s.documents}">{s.documents}</td>',
            f'<td data-col="unreadable" data-sort="{s.unreadable}">{s.unreadable}</td>',
        ]
        cells += [f'<td data-col="{sev.value}" data-sort="{s.by_severity[sev]}"'
                  f'{" class=zero" if not s.by_severity[sev] else ""}>{s.by_severity[sev]}</td>'
                  for sev in SEVERITIES_DESC]
        cells += [
            f'<td data-col="points" data-sort="{s.points}">{_points(s.points)}</td>',
            f'<td data-col="state" data-sort="{int(s.needs_fix)}" data-state="{"fix" if s.needs_fix else "ok"}">'
            f"{state}</td>",
            f'<td data-col="appointed" data-sort="{escape(s.appointed or "")}">{escape(s.appointed or "—")}</td>',
            f'<td data-col="cutoff" data-sort="{escape(s.cutoff or "")}">{escape(s.cutoff or "—")}</td>',
        ]
        rows.append(f'<tr id="{_applicant_anchor(s.key)}" data-applicant="{escape(s.key)}">'
                    + "".join(cells) + "</tr>")
    return ('<table id="summary" class="sortable"><thead>' + "".join(head) + "</thead><tbody>"
            + "\n".join(rows) + "</tbody></table>")


def _unreadable_html(reports: Sequence[DocumentReport]) -> str:
    items = []
    for i, r in enumerate(reports):
        ev = r.evidence
        if ev.status is not Status.unreadable:
            continue
        reason = ev.error_zh or ev.error or "原因未知"
        items.append(f'<li data-index="{i}"><a href="#{doc_anchor(i)}">{escape(ev.ref.display)}</a>'
                     f' — <span class="reason">{escape(reason)}</span>'
                     f' <span class="muted">({escape(ev.error or "")})</span></li>')
    if not items:
        return ""
    return (f'<section id="unreadable"><h2>{_t("sec.unreadable")} ({len(items)})</h2>'
            f'<ul>{"".join(items)}</ul></section>')


class DocumentIndex:
    """Finds a report row by the path a DUPLICATE finding names. Display paths are relative
    to the folder argument, so two applicants may both have ``doc_001.png``: the other
    applicant's name decides."""

    def __init__(self, reports: Sequence[DocumentReport]) -> None:
        self._by_path: dict[str, list[tuple[str, int]]] = {}
        for i, r in enumerate(reports):
            self._by_path.setdefault(r.evidence.ref.display, []).append((applicant_key(r), i))

    def find(self, path: str, applicant: str | None, not_index: int) -> int | None:
        candidates = [(a, i) for a, i in self._by_path.get(path, []) if i != not_index]
        for a, i in candidates:
            if a == applicant:
                return i
        return candidates[0][1] if candidates else None


def _link_to(target: int, inner: str) -> str:
    """A link (``inner``: HTML) to document ``target``'s entry in the report."""
    return f'<a class="dup-link" href="#{doc_anchor(target)}" data-target="{doc_anchor(target)}">{inner}</a>'


def _doc_link(path: str, applicant: str | None, index: int, documents: DocumentIndex) -> str:
    """``path`` as a link to its document's entry in the report (plain text if not in it)."""
    target = documents.find(path, applicant, index)
    return escape(path) if target is None else _link_to(target, escape(path))


def _finding_row(f: Finding, index: int, documents: DocumentIndex, shown: Collection[int]) -> str:
    message = escape(f.message)
    if f.code == "DUPLICATE":
        evidence = dict(f.evidence)
        other, other_applicant = evidence.get("other_path"), evidence.get("other_applicant")
        target = (documents.find(other, other_applicant if isinstance(other_applicant, str) else None,
                                 index) if isinstance(other, str) else None)
        if target is not None:
            message += " " + _link_to(target, f"{_t('dup.link')} → {escape(str(other))}")
    if f.page is None:
        page = '<td class="page"></td>'
    elif f.page in shown:  # a click opens that page in the viewer
        page = f'<td class="page"><span class="page-link" data-page="{f.page}">{f.page}</span></td>'
    else:
        page = f'<td class="page">{f.page}</td>'
    return (f'<tr class="finding" data-code="{escape(f.code)}" data-severity="{f.severity.value}">'
            f'<td>{_t("sev." + f.severity.value, cls="sev sev-" + f.severity.value)}</td>'
            f'<td class="code"><code>{escape(f.code)}</code> {_t("code." + f.code, cls="code-name")}</td>'
            f'<td class="rule">{escape(f.rule)}</td><td class="msg">{message}</td>{page}</tr>')


def _page_figure(report: DocumentReport, images: PageImages) -> str:
    boxes = []
    for o in page_overlays(report, images.number):
        x0, y0, x1, y1 = o.bbox
        boxes.append(
            f'<div class="box {o.kind}" data-kind="{o.kind}" '
            f'data-bbox="{x0:.4f},{y0:.4f},{x1:.4f},{y1:.4f}" title="{escape(o.label)}" '
            f'style="left:{_pct(x0)};top:{_pct(y0)};width:{_pct(x1 - x0)};height:{_pct(y1 - y0)}">'
            f'<span class="lbl">{escape(o.label)}</span></div>')
    t, v = images.thumb, images.view
    return (f'<figure class="page" data-page="{images.number}">'
            f'<div class="frame" tabindex="0" role="button">'
            f'<img class="thumb" alt="page {images.number}" src="{t.data_uri()}" width="{t.width}" '
            f'height="{t.height}" data-full="{v.data_uri()}" data-full-w="{v.width}" '
            f'data-full-h="{v.height}" loading="lazy">{"".join(boxes)}</div>'
            f'<figcaption>{_t("page.n", images.number)}</figcaption></figure>')


def _doc_html(index: int, report: DocumentReport, profile: Profile,
              images: Mapping[int, PageImages], documents: DocumentIndex) -> str:
    ev = report.evidence
    worst = report.worst
    codes = sorted({f.code for f in report.findings})
    sevs = sorted({f.severity.value for f in report.findings})
    points = round(sum(f.points for f in report.findings), 2)
    date = ev.understanding.achievement_date
    attrs = {
        "id": doc_anchor(index),
        "class": f"doc worst-{worst.value if worst else 'none'}",
        "data-index": str(index),
        "data-applicant": applicant_key(report),
        "data-codes": " ".join(codes),
        "data-sevs": " ".join(sevs),
        "data-worst": str(worst.rank if worst else -1),
        "data-points": _points(points),
        "data-date": str(date.value) if date else "",
        "data-kind": ev.understanding.kind.value,
        "data-path": ev.ref.display,
    }
    open_tag = "<article " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"
    badge = _t(f"sev.{worst.value}" if worst else "sev.none",
               cls=f"sev sev-{worst.value if worst else 'none'}")
    facts = [f'<dt>{_t("doc.applicant")}</dt><dd>{escape(applicant_key(report))}</dd>']
    if ev.status is Status.unreadable:
        facts.append(f'<dt>{_t("doc.reason")}</dt><dd class="reason">'
                     f"{escape(ev.error_zh or ev.error or '')}</dd>")
    else:
        kind_name = profile.kind_names.get(ev.understanding.kind, ev.understanding.kind.value)
        facts.append(f'<dt>{_t("doc.kind")}</dt><dd>'
                     f'<span data-i18n="kind.{ev.understanding.kind.value}">{escape(kind_name)}</span></dd>')
        if date is not None:
            date_text = (f'<span class="date-value">{escape(str(date.value))}</span> '
                         f'<span class="muted">（{_t("page.n", date.page)}“{escape(date.text)}”）</span>')
        else:
            date_text = _t("doc.noDate", cls="muted")
        facts.append(f'<dt>{_t("doc.date")}</dt><dd>{date_text}</dd>')
        facts.append(f'<dt>{_t("doc.pages")}</dt><dd>{ev.page_count}</dd>')
        seal_text = "；".join(f"{escape(s.text or '（文字未识别）')}（{_t('page.n', s.page)}）"
                             for s in ev.seals)
        facts.append(f'<dt>{_t("doc.seals")}</dt><dd>'
                     f'{seal_text or _t("doc.noSeal", cls="muted")}</dd>')
        if report.publication_proof:  # why an acceptance letter has no NOT_PUBLISHED
            links = "；".join(_doc_link(p, applicant_key(report), index, documents)
                             for p in report.publication_proof)
            facts.append(f'<dt>{_t("doc.proof")}</dt><dd class="proof">{links}</dd>')
    facts.append(f'<dt>{_t("doc.points")}</dt><dd class="points">{_points(points)}</dd>')
    facts = [f'<div class="fact">{x}</div>' for x in facts]  # keeps each label with its value
    if report.findings:
        findings = ('<table class="findings"><thead><tr>'
                    f'<th>{_t("col.severity")}</th><th>{_t("col.code")}</th><th>{_t("col.rule")}</th>'
                    f'<th>{_t("col.message")}</th><th>{_t("col.page")}</th></tr></thead><tbody>'
                    + "".join(_finding_row(f, index, documents, set(images)) for f in report.findings)
                    + "</tbody></table>")
    else:
        findings = f'<p class="clean">{_t("doc.noFindings")}</p>'
    pages = ""
    if ev.status is Status.ok:
        shown = pages_to_show(report)
        figures = "".join(_page_figure(report, images[n]) for n in shown if n in images)
        note = ""
        if ev.page_count > len(shown):
            note = f'<p class="muted pages-note">{_t("pages.partial", ev.page_count)}</p>'
        elif shown and not figures:
            note = f'<p class="muted pages-note">{_t("pages.none")}</p>'
        pages = f'<div class="pages">{figures}{note}</div>'
    return (f"{open_tag}<header>{badge}<h3 class=\"path\">{escape(ev.ref.display)}</h3></header>"
            f'<div class="body"><div class="info"><dl class="facts">{"".join(facts)}</dl>{findings}</div>'
            f"{pages}</div></article>")


def _filters_html(reports: Sequence[DocumentReport], summaries: Sequence[ApplicantSummary]) -> str:
    options = [f'<option value="" data-i18n="filter.all">{LABELS_ZH["filter.all"]}</option>']
    options += [f'<option value="{escape(s.key)}">{escape(s.key)}</option>' for s in summaries]
    sev_counts = {s: sum(1 for r in reports for f in r.findings if f.severity is s)
                  for s in SEVERITIES_DESC}
    sev_chips = "".join(
        f'<button type="button" class="chip sev-chip sev-{s.value}" data-sev="{s.value}" '
        f'aria-pressed="false">{_t("sev." + s.value)} <b>{sev_counts[s]}</b></button>'
        for s in SEVERITIES_DESC if sev_counts[s])
    code_counts: dict[str, int] = {}
    for r in reports:
        for f in r.findings:
            code_counts[f.code] = code_counts.get(f.code, 0) + 1
    code_chips = "".join(
        f'<button type="button" class="chip code-chip" data-code="{escape(c)}" aria-pressed="false">'
        f'<code>{escape(c)}</code> {_t("code." + c)} <b>{n}</b></button>'
        for c, n in sorted(code_counts.items()))
    sorts = "".join(f'<option value="{k}" data-i18n="sort.{k}">{LABELS_ZH["sort." + k]}</option>'
                    for k in ("input", "worst", "points", "path", "date", "kind"))
    return (
        '<div id="filters">'
        f'<label>{_t("filter.applicant")} <select id="f-applicant">{"".join(options)}</select></label>'
        f'<div class="chips"><span class="chips-label">{_t("filter.severity")}</span>{sev_chips}</div>'
        f'<div class="chips"><span class="chips-label">{_t("filter.code")}</span>{code_chips}</div>'
        f'<label><input type="checkbox" id="f-problems"> {_t("filter.onlyProblems")}</label>'
        f'<label>{_t("sort.label")} <select id="sort">{sorts}</select></label>'
        f'<button type="button" id="f-clear">{_t("filter.clear")}</button>'
        f'<span id="shown" data-i18n="filter.shown" data-n="{len(reports)}">'
        f'{LABELS_ZH["filter.shown"].format(n=len(reports))}</span>'
        "</div>")


def _legend_html() -> str:
    return (f'<p class="legend">{_t("legend")}: <span class="swatch seal"></span>{_t("legend.seal")} '
            f'<span class="swatch date"></span>{_t("legend.date")} '
            f'<span class="swatch region"></span>{_t("legend.region")} · {_t("viewer.hint")}</p>')


# --------------------------------------------------------------------------- assembly


def _template(name: str) -> str:
    return (resources.files("verify.report") / "templates" / name).read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no '</script>' or '<!--' can appear)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render_html(reports: Sequence[DocumentReport], profile: Profile,
                images: Mapping[int, Mapping[int, PageImages]],
                generated: datetime | None = None) -> str:
    """The whole report as one HTML string. ``images[i]`` holds the page pictures of
    ``reports[i]`` (missing entries just show no picture)."""
    generated = generated or datetime.now().astimezone()
    summaries = summarize(reports, profile)
    documents = DocumentIndex(reports)
    fixes = sum(1 for s in summaries if s.needs_fix)
    header = (
        f'<header id="top"><h1>{_t("title")}</h1>'
        f'<button type="button" id="lang-toggle">{_t("lang.toggle")}</button>'
        f'<p class="meta">{_t("profile")}: {escape(profile.title)} ({escape(profile.name)}) · '
        f'{_t("generated")}: {escape(generated.strftime("%Y-%m-%d %H:%M"))}</p></header>')
    totals = (f'<p class="totals">{_t("totals", len(summaries))} · {_t("col.docs")} {len(reports)} · '
              f'{_t("state.fix")} <b id="total-fix">{fixes}</b> · '
              f'{_t("state.ok")} <b id="total-ok">{len(summaries) - fixes}</b></p>')
    docs = "\n".join(_doc_html(i, r, profile, images.get(i, {}), documents)
                     for i, r in enumerate(reports))
    body = (
        header
        + f'<main><section id="applicants"><h2>{_t("sec.summary")}</h2>{totals}'
        + _summary_html(summaries) + "</section>"
        + _unreadable_html(reports)
        + f'<section id="docs"><h2>{_t("sec.docs")}</h2>' + _filters_html(reports, summaries)
        + _legend_html() + f'<div id="doc-list">{docs}</div></section></main>'
        + f'<footer>{_t("footer", tag="p")}</footer>'
        + f'<div id="viewer" hidden><div class="vbar"><span id="vcaption"></span>'
        f'<button type="button" id="vclose">{_t("viewer.close")} ✕</button></div>'
        f'<div class="vscroll"><div class="vframe"><img id="vimg" alt=""></div></div></div>'
    )
    parts = {
        "TITLE": escape(f"{LABELS_ZH['title']} — {profile.name}"),
        "CSS": _template("report.css"),
        "JS": _template("report.js"),
        "LABELS": _script_json({"zh": LABELS_ZH, "en": LABELS_EN}),
        "BODY": body,
    }
    # One pass, so text inside the body can never be mistaken for a placeholder.
    return re.sub(r"%%([A-Z]+)%%", lambda m: parts[m.group(1)], _template("report.html"))


def collect_images(reports: Sequence[DocumentReport],
                   render: Callable[[DocumentReport], Mapping[int, PageImages]] | None = None,
                   ) -> dict[int, Mapping[int, PageImages]]:
    """Page pictures for every readable document, rendered one document at a time in this
    process (only the pictures are kept, never the full-resolution pages)."""
    render = render or (lambda r: render_pages(r.evidence.ref, pages_to_show(r)))
    out: dict[int, Mapping[int, PageImages]] = {}
    for i, r in enumerate(reports):
        if r.evidence.status is Status.ok:
            out[i] = render(r)
    return out


def write_html(reports: Iterable[DocumentReport], profile: Profile, path: Path) -> None:
    """Write the self-contained HTML report for ``reports`` to ``path``."""
    reports = list(reports)
    html = render_html(reports, profile, collect_images(reports))
    path.write_text(html, encoding="utf-8")
    log.info("HTML report: %s (%d documents, %.1f MB)", path, len(reports),
             len(html.encode("utf-8")) / 1e6)


__all__ = ["ApplicantSummary", "applicant_key", "page_overlays", "render_html",
           "summarize", "write_html"]
