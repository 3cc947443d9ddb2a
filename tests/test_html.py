"""The HTML report: summary counts, overlays, self-containment, size; and, in a real headless
Chromium (Debian's package, driven by Playwright), that it loads cleanly, filters, and draws the
seal box where the JSONL puts the seal.

Inputs are real files made here: page images drawn with Pillow (Chinese text, a red seal at a
known place), PDFs made with PyMuPDF. The overlay tests build ``DocumentReport``s with known
seals and run them through the real rules (``verify.rules.judge``); the end-to-end test runs the
real pipeline through the CLI.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from verify.model import (
    Applicant,
    DateMention,
    DateRole,
    DocumentEvidence,
    DocumentReport,
    InputRef,
    Kind,
    Measurement,
    PageEvidence,
    PageText,
    PartialDate,
    Seal,
    Severity,
    Status,
    Understanding,
)
from verify.profile import Profile, load_profile, parse_profile
from verify.report.html import doc_anchor, page_overlays, render_html, summarize, write_html
from verify.report.rows import to_row
from verify.report.thumbnails import VIEW_LONG_SIDE, encode, pages_to_show, render_pages
from verify.rules import DuplicateHit, RuleContext, judge

from .conftest import CJK_FONT, pdf_of_images, pdf_of_pages

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
GENERATED = datetime(2026, 11, 27, 9, 30)

SEAL_BBOX = (0.58, 0.66, 0.86, 0.86)  # where the drawn seal is, as page fractions
DATE_BBOX = (0.55, 0.88, 0.90, 0.92)
BLUR_REGION = (0.10, 0.20, 0.60, 0.45)


# --------------------------------------------------------------------------- real input files


def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(CJK_FONT, px)


def page_image(lines: list[str], seal: tuple[tuple[float, float, float, float], str] | None = None,
               date: str | None = None, size: tuple[int, int] = (1240, 1754),
               noise_seed: int | None = None) -> Image.Image:
    """An A4 page at 150 DPI: Chinese text lines, optionally a red round seal filling
    ``seal[0]`` (page fractions) with ``seal[1]`` written inside, and a date line at
    DATE_BBOX. ``noise_seed`` adds scanner-like grain so the compressed size is realistic."""
    w, h = size
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    font = _font(40)
    y = 160
    for line in lines:
        draw.text((120, y), line, fill=(20, 20, 20), font=font)
        y += 72
    if date is not None:
        draw.text((int(DATE_BBOX[0] * w) + 10, int(DATE_BBOX[1] * h)), date, fill="black",
                  font=_font(44))
    if seal is not None:
        (x0, y0, x1, y1), text = seal
        box = (int(x0 * w), int(y0 * h), int(x1 * w) - 1, int(y1 * h) - 1)
        red = (215, 25, 30)
        draw.ellipse(box, outline=red, width=14)
        cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        r = (box[2] - box[0]) // 8
        star = [(cx + r * math.cos(math.radians(-90 + 72 * k)),
                 cy + r * math.sin(math.radians(-90 + 72 * k))) for k in (0, 2, 4, 1, 3)]
        draw.polygon(star, fill=red)
        small = _font(28)
        tw = draw.textlength(text[:8], font=small)
        draw.text((cx - tw / 2, cy + r + 12), text[:8], fill=red, font=small)
    if noise_seed is not None:
        rng = np.random.default_rng(noise_seed)
        arr = np.asarray(im, dtype=np.int16) + rng.normal(0, 6, (h, w, 1)).astype(np.int16)
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return im


def save_jpeg(im: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, format="JPEG", quality=88)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def scanned_pdf(pages: list[Image.Image], path: Path, dpi: float = 150) -> Path:
    return _write(path, pdf_of_images(pages, dpi))


def born_digital_pdf(pages: list[list[str]], path: Path) -> Path:
    return _write(path, pdf_of_pages(pages))


def ref_for(root: Path, path: Path, index: int) -> InputRef:
    rel = path.relative_to(root)
    return InputRef(rel.as_posix(), path, PurePosixPath(path.resolve().as_posix()), None, index,
                    rel.parts[0] if len(rel.parts) > 1 else "")


def page_ev(number: int, seals: tuple[Seal, ...] = (),
            measurements: tuple[Measurement, ...] = ()) -> PageEvidence:
    return PageEvidence(number, 595.0, 842.0, "image", 150.0, PageText("", source="ocr"),
                        seals, measurements)


# --------------------------------------------------------------------------- a constructed case


def test_profile() -> Profile:
    """The bundled profile plus a sharpness threshold, so a clarity finding (with a region)
    goes through the real rules."""
    from importlib import resources

    data = json.loads((resources.files("verify.profiles") / "shaoxing-2022.json")
                      .read_text(encoding="utf-8"))
    data["clarity"] = {"BLURRY": {"measure": "sharpness", "below": {"minor": 50.0}}}
    return parse_profile(data, "test")


test_profile.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


SEAL_TEXT = "绍兴市某环境工程有限公司"


def constructed_reports(root: Path, profile: Profile) -> list[DocumentReport]:
    """Two applicants, five documents, with seals, a dated box, a blurred region, a duplicate
    across applicants and an unreadable file; judged by the real rules."""
    cover_img = page_image(["项目名称：某市水环境综合治理工程", "项目负责单位：某环境工程有限公司",
                            "项目验收报告（封面）"],
                           seal=(SEAL_BBOX, SEAL_TEXT), date="二〇一九年六月十八日", noise_seed=1)
    cover_a = save_jpeg(cover_img, root / "甲-张三" / "项目封面.jpg")
    cover_b = root / "乙-李四" / "项目封面.jpg"
    cover_b.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(cover_a, cover_b)
    letter_pages = [page_image([f"论文录用通知 第 {i} 页", "《环境科学》编辑部"], noise_seed=10 + i)
                    for i in range(1, 6)]
    letter = scanned_pdf(letter_pages, root / "甲-张三" / "论文录用证明.pdf")
    broken = root / "甲-张三" / "损坏.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    cert = save_jpeg(page_image(["荣誉证书", "授予 李四 同志 2022 年度先进个人"],
                                seal=((0.30, 0.60, 0.62, 0.82), "某市生态环境局"),
                                noise_seed=3), root / "乙-李四" / "证书.jpg")

    appointed = Applicant("甲-张三", PartialDate(2020, 1, 1), None, "manifest")
    appointed_b = Applicant("乙-李四", PartialDate(2018, 1, 1), None, "manifest")
    cover_seal = Seal(1, SEAL_BBOX, "round", "red", SEAL_TEXT, 0.97)
    date = DateMention(1, "二〇一九年六月十八日", PartialDate(2019, 6, 18), DateRole.issued, DATE_BBOX)

    def cover(path: Path, index: int) -> DocumentEvidence:
        return DocumentEvidence(ref_for(root, path, index), "0" * 64, Status.ok, page_count=1,
                                pages=(page_ev(1, (cover_seal,)),),
                                understanding=Understanding(Kind.project_cover, dates=(date,),
                                                            achievement_date=date,
                                                            title="某市水环境综合治理工程"))

    doc0 = cover(cover_a, 0)
    doc1 = DocumentEvidence(
        ref_for(root, letter, 1), "1" * 64, Status.ok, page_count=5,
        pages=tuple(page_ev(n, measurements=(Measurement("sharpness", 20.0 if n == 5 else 300.0,
                                                         BLUR_REGION if n == 5 else None),))
                    for n in range(1, 6)),
        understanding=Understanding(
            Kind.paper_accepted, title="某流域水质模型研究",
            achievement_date=DateMention(2, "2021年3月", PartialDate(2021, 3), DateRole.accepted,
                                         None)),
    )
    doc2 = DocumentEvidence(ref_for(root, broken, 2), "2" * 64, Status.unreadable,
                            error="PDF cannot be opened: broken", error_zh="PDF 文件损坏或不完整，无法打开")
    doc3 = cover(cover_b, 3)
    cert_date = DateMention(1, "2022年12月", PartialDate(2022, 12), DateRole.issued, None)
    doc4 = DocumentEvidence(ref_for(root, cert, 4), "4" * 64, Status.ok, page_count=1,
                            pages=(page_ev(1, (Seal(1, (0.30, 0.60, 0.62, 0.82), "round", "red",
                                                    "某市生态环境局", 0.9),)),),
                            understanding=Understanding(Kind.certificate, dates=(cert_date,),
                                                        achievement_date=cert_date))
    dup_0 = DuplicateHit(1, doc3.ref.display, 1, "乙-李四", 1.0, True)
    dup_3 = DuplicateHit(1, doc0.ref.display, 1, "甲-张三", 1.0, True)
    return [
        judge(RuleContext(doc0, appointed, (doc1, doc2), (dup_0,)), profile),
        judge(RuleContext(doc1, appointed, (doc0, doc2)), profile),
        judge(RuleContext(doc2, appointed), profile),
        judge(RuleContext(doc3, appointed_b, (doc4,), (dup_3,)), profile),
        judge(RuleContext(doc4, appointed_b, (doc3,)), profile),
    ]


@dataclass(frozen=True)
class Case:
    profile: Profile
    reports: list[DocumentReport]
    html: Path  # the report written by write_html


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("case")
    profile = test_profile()
    reports = constructed_reports(root, profile)
    out = root / "report.html"
    write_html(reports, profile, out)
    return Case(profile, reports, out)


# --------------------------------------------------------------------------- fast tests


def test_the_case_has_the_findings_the_overlays_need(case: Case) -> None:
    reports = case.reports
    codes = [sorted(f.code for f in r.findings) for r in reports]
    assert codes[0] == ["BEFORE_APPOINTMENT", "DUPLICATE"]
    assert codes[1] == ["BLURRY", "NOT_PUBLISHED", "SEAL_MISSING"]
    assert codes[2] == ["UNREADABLE"]
    assert codes[4] == []


def test_summary_counts_and_points_match_the_rows(case: Case) -> None:
    profile = case.profile
    reports = case.reports
    rows = [to_row(r) for r in reports]
    summaries = {s.key: s for s in summarize(reports, profile)}
    assert list(summaries) == ["甲-张三", "乙-李四"]
    for key, s in summaries.items():
        mine = [row for row in rows if row["applicant"]["folder"] == key]
        assert s.documents == len(mine)
        sev = Counter(f["severity"] for row in mine for f in row["findings"])
        assert {k.value: v for k, v in s.by_severity.items() if v} == dict(sev)
        assert s.points == pytest.approx(sum(f["points"] for row in mine for f in row["findings"]))
        assert s.unreadable == sum(row["status"] == "unreadable" for row in mine)
    # 甲 has major and blocking findings; 乙 has one major (DUPLICATE): both must fix.
    assert summaries["甲-张三"].needs_fix and summaries["甲-张三"].points == 2 + 2 + 2 + 2 + 0.5
    assert summaries["乙-李四"].by_severity[Severity.major] == 1


def test_a_clean_applicant_can_submit(tmp_path: Path) -> None:
    profile = load_profile("shaoxing-2022")
    img = save_jpeg(page_image(["证书"]), tmp_path / "丙" / "证书.jpg")
    d = DateMention(1, "2022年5月", PartialDate(2022, 5), DateRole.issued)
    doc = DocumentEvidence(ref_for(tmp_path, img, 0), None, Status.ok, page_count=1,
                           pages=(page_ev(1),),
                           understanding=Understanding(Kind.certificate, achievement_date=d))
    report = judge(RuleContext(doc, Applicant("丙", None, None)), profile)
    [s] = summarize([report], profile)
    assert not s.needs_fix and s.points == 0
    html = render_html([report], profile, {}, GENERATED)
    assert 'data-state="ok"' in html and "可提交" in html


def test_pages_shown_are_the_first_three_and_the_pointed_ones(case: Case) -> None:
    reports = case.reports
    assert pages_to_show(reports[1]) == (1, 2, 3, 5)  # BLURRY on page 5
    assert pages_to_show(reports[2]) == ()  # unreadable


def test_overlays_seal_date_and_region(case: Case) -> None:
    reports = case.reports
    kinds = {(o.kind, o.bbox) for o in page_overlays(reports[0], 1)}
    assert kinds == {("seal", SEAL_BBOX), ("date", DATE_BBOX)}
    assert SEAL_TEXT in next(o.label for o in page_overlays(reports[0], 1) if o.kind == "seal")
    # The acceptance letter's date has no bbox: no box; its blurred page has the region.
    assert page_overlays(reports[1], 2) == []
    assert [(o.kind, o.bbox) for o in page_overlays(reports[1], 5)] == [("region", BLUR_REGION)]


def test_report_is_self_contained_and_escapes_text(case: Case) -> None:
    out = case.html
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"<script[^>]+src=", html)
    # every picture is inline
    assert all(src.startswith("data:image/") for src in re.findall(r'<img[^>]* src="([^"]*)"', html))
    # DUPLICATE links point to the other applicant's document, both ways
    assert re.search(r'class="dup-link" href="#doc-3"', html)
    assert re.search(r'class="dup-link" href="#doc-0"', html)
    assert "损坏.pdf" in html and "PDF 文件损坏或不完整，无法打开" in html


def test_hostile_paths_are_escaped(tmp_path: Path) -> None:
    profile = load_profile("shaoxing-2022")
    bad = tmp_path / "x" / '<img src=x onerror=alert(1)>".pdf'
    bad.parent.mkdir()
    bad.write_bytes(b"not a pdf")
    doc = DocumentEvidence(ref_for(tmp_path, bad, 0), None, Status.unreadable, error="<b>",
                           error_zh="</script><script>alert(2)</script>")
    html = render_html([judge(RuleContext(doc, Applicant("x", None, None)), profile)], profile, {})
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html


def test_pictures_are_screen_sized_and_small(case: Case) -> None:
    reports = case.reports
    pics = render_pages(reports[0].evidence.ref, (1,))
    view, thumb = pics[1].view, pics[1].thumb
    assert max(view.width, view.height) == VIEW_LONG_SIDE
    assert view.width / view.height == pytest.approx(1240 / 1754, rel=0.01)  # same frame
    assert thumb.mime in ("image/webp", "image/jpeg") and len(thumb.data) < 40_000
    tiny = encode(np.zeros((50, 40, 3), np.uint8), VIEW_LONG_SIDE)
    assert (tiny.width, tiny.height) == (40, 50)  # never enlarged


def test_size_per_document_stays_under_the_100_documents_budget(case: Case) -> None:
    """50 MB for 100 documents is 500 kB a document; grainy scans are the expensive case."""
    reports = case.reports
    out = case.html
    readable = [r for r in reports if r.evidence.status is Status.ok]
    pages = sum(len(pages_to_show(r)) for r in readable)
    size = out.stat().st_size
    assert size / len(reports) < 500_000, f"{size / len(reports) / 1e3:.0f} kB per document"
    assert size / pages < 250_000, f"{size / pages / 1e3:.0f} kB per shown page"


# --------------------------------------------------------------------------- browser tests


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: scripts/setup.sh installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Loaded:
    """A report opened in a fresh page, with every console message, page error and request."""

    def __init__(self, browser: Any, path: Path, width: int = 1400, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def assert_clean(self) -> None:
        assert self.errors == []
        assert [m for m in self.console if m.startswith(("error", "warning"))] == []
        assert [u for u in self.requests if not u.startswith(("file:", "data:"))] == []

    def visible_docs(self) -> list[str]:
        return list(self.page.eval_on_selector_all(
            "article.doc", "els => els.filter(e => !e.hidden && e.offsetParent !== null)"
                           ".map(e => e.dataset.path)"))

    def summary(self) -> dict[str, dict[str, str]]:
        return dict(self.page.eval_on_selector_all("#summary tbody tr", """rows => rows.map(r =>
            [r.dataset.applicant, Object.fromEntries([...r.cells].map(c =>
                [c.dataset.col, c.dataset.sort]))])"""))


def _rect(el: Any) -> dict[str, float]:
    box = el.bounding_box()
    assert box is not None
    return dict(box)


def _fractions(inner: dict[str, float], outer: dict[str, float]) -> tuple[float, ...]:
    return ((inner["x"] - outer["x"]) / outer["width"], (inner["y"] - outer["y"]) / outer["height"],
            (inner["x"] + inner["width"] - outer["x"]) / outer["width"],
            (inner["y"] + inner["height"] - outer["y"]) / outer["height"])


def _red_extent(png: bytes) -> tuple[float, float, float, float]:
    """The bounding box of seal-red pixels in a screenshot, as fractions of it."""
    arr = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = arr[..., 0], arr[..., 1], arr[..., 2]
    ys, xs = np.nonzero((r > 150) & (g < 110) & (b < 110))
    h, w = arr.shape[:2]
    return xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h


@pytest.mark.slow
def test_seal_box_is_drawn_where_the_jsonl_puts_the_seal(browser: Any, case: Case) -> None:
    reports = case.reports
    out = case.html
    row = to_row(reports[0])
    [seal] = row["seals"]
    view = Loaded(browser, out)
    view.assert_clean()
    frame = view.page.locator("#doc-0 figure.page[data-page='1'] .frame")
    img = frame.locator("img.thumb")
    box = frame.locator(".box.seal")
    assert box.count() == 1
    got = _fractions(_rect(box), _rect(img))
    assert got == pytest.approx(seal["bbox"], abs=0.012)  # 170 px thumbnail: 2 px

    # Larger view: the same box, and the drawn seal's red pixels are inside it.
    frame.click()
    vimg = view.page.locator("#viewer img#vimg")
    view.page.wait_for_function("document.getElementById('vimg').complete && "
                                "document.getElementById('vimg').naturalWidth > 0")
    assert view.page.locator("#viewer").is_visible()
    vbox = view.page.locator("#viewer .box.seal")
    big = _fractions(_rect(vbox), _rect(vimg))
    assert big == pytest.approx(seal["bbox"], abs=0.004)
    assert SEAL_TEXT in vbox.inner_text()
    # hide the overlays, then find the red ink in a screenshot of the enlarged page
    view.page.evaluate("document.querySelectorAll('#viewer .box').forEach(b => b.style.display='none')")
    red = _red_extent(vimg.screenshot())
    assert red == pytest.approx(seal["bbox"], abs=0.01)
    view.page.keyboard.press("Escape")
    assert not view.page.locator("#viewer").is_visible()
    view.assert_clean()
    view.page.close()


@pytest.mark.slow
def test_date_and_region_boxes_and_duplicate_link(browser: Any, case: Case) -> None:
    out = case.html
    view = Loaded(browser, out)
    img = view.page.locator("#doc-0 figure.page[data-page='1'] img.thumb")
    date_box = view.page.locator("#doc-0 figure.page[data-page='1'] .box.date")
    assert _fractions(_rect(date_box), _rect(img)) == pytest.approx(DATE_BBOX, abs=0.012)
    pages = view.page.eval_on_selector_all("#doc-1 figure.page", "els => els.map(e => e.dataset.page)")
    assert pages == ["1", "2", "3", "5"]
    region = view.page.locator("#doc-1 figure.page[data-page='5'] .box.region")
    img5 = view.page.locator("#doc-1 figure.page[data-page='5'] img.thumb")
    assert _fractions(_rect(region), _rect(img5)) == pytest.approx(BLUR_REGION, abs=0.012)
    # The viewer pages through the shown pages with the arrow keys (1, 2, 3, 5).
    view.page.click("#doc-1 figure.page[data-page='1'] .frame")
    for _ in range(3):
        view.page.keyboard.press("ArrowRight")
    assert view.page.inner_text("#vcaption") == "甲-张三/论文录用证明.pdf — 第 5 页"
    assert view.page.locator("#viewer .box.region").count() == 1
    view.page.keyboard.press("ArrowRight")  # no page after the last: stays
    assert view.page.inner_text("#vcaption").endswith("第 5 页")
    view.page.keyboard.press("Escape")
    # The duplicate link jumps to the other applicant's document, even when filtered out.
    view.page.select_option("#f-applicant", "甲-张三")
    assert "乙-李四/项目封面.jpg" not in view.visible_docs()
    view.page.click("#doc-0 a.dup-link")
    assert view.page.evaluate("location.hash") == "#doc-3"
    assert "乙-李四/项目封面.jpg" in view.visible_docs()
    view.assert_clean()
    view.page.close()


@pytest.mark.slow
def test_language_toggle_and_sorting(browser: Any, case: Case) -> None:
    out = case.html
    view = Loaded(browser, out)
    p = view.page
    assert p.inner_text("h1") == "职称评审材料预审报告"
    p.click("#lang-toggle")
    assert p.inner_text("h1").startswith("Title-evaluation")
    assert p.locator("#summary td[data-col='state']").first.inner_text() == "Needs fixing"
    assert p.inner_text("#lang-toggle") == "中文"
    p.click("#lang-toggle")
    assert p.inner_text("h1") == "职称评审材料预审报告"
    assert p.locator("#summary td[data-col='state']").first.inner_text() == "需整改"
    # sort by severity: the unreadable (blocking) document comes first
    p.select_option("#sort", "worst")
    first = p.eval_on_selector_all("article.doc", "els => els.map(e => e.dataset.path)")
    assert first[0] == "甲-张三/损坏.pdf" and first[-1] == "乙-李四/证书.jpg"
    # sort the summary by suggested deduction (click twice: descending)
    head = p.locator("#summary thead th").nth(7)
    head.click()
    head.click()
    keys = p.eval_on_selector_all("#summary tbody tr", "rs => rs.map(r => r.dataset.applicant)")
    assert keys == ["甲-张三", "乙-李四"]
    head.click()
    keys = p.eval_on_selector_all("#summary tbody tr", "rs => rs.map(r => r.dataset.applicant)")
    assert keys == ["乙-李四", "甲-张三"]
    view.assert_clean()
    p.close()


def _pipeline_input(root: Path) -> None:
    """Two applicant folders of real files for the real pipeline."""
    save_jpeg(page_image(["荣誉证书", "授予 张三 同志 二〇二二年度先进工作者称号", "二〇二二年十二月"],
                         seal=((0.55, 0.62, 0.85, 0.83), "某市生态环境局")), root / "甲" / "证书.jpg")
    born_digital_pdf([["某市水环境综合治理工程 验收报告", "第 1 页 共 3 页"],
                      ["二、项目实施情况", "第 3 页 共 3 页"]], root / "甲" / "验收报告.pdf")
    (root / "乙").mkdir()
    (root / "乙" / "损坏.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3 broken")
    (root / "乙" / "说明.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 60 + b"word/document.xml")
    save_jpeg(page_image(["聘 书", "兹聘任 李四 同志为 工程师", "聘期自 2019 年 7 月起"], noise_seed=5),
              root / "乙" / "聘书.jpg")


@pytest.mark.slow
def test_end_to_end_real_pipeline_report_matches_jsonl(
        browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from verify.cli import main

    root = tmp_path / "input"
    _pipeline_input(root)
    out = tmp_path / "report.html"
    main(["check", str(root), "--format", "jsonl", "--html", str(out), "--jobs", "1", "--quiet"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(rows) == 5

    view = Loaded(browser, out)
    view.assert_clean()
    view.page.screenshot(path=str(tmp_path / "first-screen.png"))
    assert (tmp_path / "first-screen.png").stat().st_size > 10_000

    # Summary counts equal the JSONL's.
    summary = view.summary()
    by_app: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_app.setdefault(row["applicant"]["folder"], []).append(row)
    assert set(summary) == set(by_app) == {"甲", "乙"}
    for key, mine in by_app.items():
        cells = summary[key]
        assert int(cells["documents"]) == len(mine)
        assert int(cells["unreadable"]) == sum(r["status"] == "unreadable" for r in mine)
        sev = Counter(f["severity"] for r in mine for f in r["findings"])
        for s in ("blocking", "major", "minor", "info"):
            assert int(cells[s]) == sev.get(s, 0), (key, s)
        assert float(cells["points"]) == pytest.approx(sum(f["points"] for r in mine for f in r["findings"]))
        fails = any(f["severity"] in ("major", "blocking") for r in mine for f in r["findings"])
        assert cells["state"] == str(int(fails))
    assert int(summary["乙"]["unreadable"]) == 2  # the broken PDF and the Word file

    # Unreadable documents are listed with their reason.
    reasons = view.page.eval_on_selector_all("#unreadable li", "ls => ls.map(l => l.innerText)")
    for row in rows:
        if row["status"] == "unreadable":
            assert any(row["path"] in text for text in reasons)

    # A filter click hides exactly the documents without that finding.
    all_paths = [r["path"] for r in rows]
    assert sorted(view.visible_docs()) == sorted(all_paths)
    view.page.click(".code-chip[data-code='UNREADABLE']")
    expected = sorted(r["path"] for r in rows if any(f["code"] == "UNREADABLE" for f in r["findings"]))
    assert sorted(view.visible_docs()) == expected
    assert view.page.inner_text("#shown") == f"显示 {len(expected)} 份材料"
    view.page.click(".code-chip[data-code='UNREADABLE']")  # off again
    view.page.select_option("#f-applicant", "甲")
    assert sorted(view.visible_docs()) == sorted(r["path"] for r in by_app["甲"])
    view.page.click("#f-clear")
    assert len(view.visible_docs()) == len(rows)

    # Thumbnails exist for every readable document, with the document's page count.
    for row in rows:
        n = view.page.locator(f"article.doc[data-path='{row['path']}'] figure.page").count()
        assert n == (min(row["pages"], 3) if row["status"] == "ok" else 0)
    view.assert_clean()
    view.page.close()


def test_rendering_a_truncated_pdf_prints_nothing_to_stdout(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The JSONL rows go to stdout; MuPDF's own error lines must not land between them."""
    whole = born_digital_pdf([["第一页 正文"], ["第二页 正文"]], tmp_path / "whole.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 3])  # an upload broken off a third of the way
    render_pages(ref_for(tmp_path, cut, 0), (1, 2))
    out, _ = capfd.readouterr()
    assert out == ""


def test_duplicate_link_picks_the_other_applicants_document_when_names_repeat(tmp_path: Path) -> None:
    """``verify check A01 A02`` gives display paths relative to each folder: both applicants
    can have ``doc_001.png``; the link must go to the other applicant's one."""
    profile = load_profile("shaoxing-2022")
    docs = []
    for index, folder in enumerate(("A01", "A02")):
        path = save_jpeg(page_image(["同一页"]), tmp_path / folder / "doc_001.png")
        ref = InputRef("doc_001.png", path, PurePosixPath(path.as_posix()), None, index, "")
        docs.append(DocumentEvidence(ref, None, Status.ok, page_count=1, pages=(page_ev(1),)))
    reports = [judge(RuleContext(docs[i], Applicant(a, None, None),
                                 duplicates=(DuplicateHit(1, "doc_001.png", 1, b, 0.99, False),)), profile)
               for i, (a, b) in enumerate((("A01", "A02"), ("A02", "A01")))]
    html = render_html(reports, profile, {}, GENERATED)
    doc0 = html[html.index('id="doc-0"'):html.index('id="doc-1"')]
    doc1 = html[html.index('id="doc-1"'):]
    assert 'class="dup-link" href="#doc-1"' in doc0
    assert 'class="dup-link" href="#doc-0"' in doc1


def test_a_published_letter_links_to_its_proof(tmp_path: Path) -> None:
    profile = load_profile("shaoxing-2022")
    title = "曹娥江流域水质模型的参数率定研究"
    letter_img = save_jpeg(page_image(["录用通知"]), tmp_path / "丁" / "录用.jpg")
    paper_img = save_jpeg(page_image(["论文"]), tmp_path / "丁" / "论文.jpg")
    d = DateMention(1, "2022年5月", PartialDate(2022, 5), DateRole.accepted)
    letter = DocumentEvidence(ref_for(tmp_path, letter_img, 0), None, Status.ok, page_count=1,
                              pages=(page_ev(1),),
                              understanding=Understanding(Kind.paper_accepted, achievement_date=d, title=title))
    paper = DocumentEvidence(ref_for(tmp_path, paper_img, 1), None, Status.ok, page_count=1,
                             pages=(page_ev(1),),
                             understanding=Understanding(Kind.paper_published, achievement_date=d, title=title))
    applicant = Applicant("丁", None, None)
    reports = [judge(RuleContext(letter, applicant, (paper,)), profile),
               judge(RuleContext(paper, applicant, (letter,)), profile)]
    assert "NOT_PUBLISHED" not in [f.code for f in reports[0].findings]
    html = render_html(reports, profile, {}, GENERATED)
    link = re.search(r'class="proof"><a class="dup-link" href="#([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link is not None and link.group(1) == doc_anchor(1)
    assert link.group(2) == reports[1].evidence.ref.display
