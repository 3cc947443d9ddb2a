"""Seal detection on real rendered pages: PDFs drawn here with PyMuPDF (text, a red seal as
vector graphics), scans made from them (greyscale, turned), and the real-world set when it
is present beside the repository (``../shared/realworld``)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import pymupdf
import pytest

from verify.checks.seals import (
    compare_seal_unit,
    draw_seal_debug,
    find_seals,
    seal_candidates,
    suppress_seal_ink,
)
from verify.debug import PageCanvas
from verify.model import BBox, InputRef, Seal
from verify.pages import Page, open_document

# CI keeps shared/ beside the clone; VERIFY_REALWORLD points elsewhere (e.g. from a worktree).
REALWORLD = Path(os.environ.get(
    "VERIFY_REALWORLD", Path(__file__).resolve().parents[1].parent / "shared" / "realworld"))
RED = (0.84, 0.12, 0.15)
UNIT = "绍兴市建筑设计研究院有限公司"
BODY = ("根据有关规定经研究决定同意该项目通过验收现将有关事项通知如下"
        "请各单位认真组织实施确保工作质量")


def _iou(a: BBox, b: BBox) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _text_page(doc: pymupdf.Document, letterhead: bool = False) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)  # A4 in points
    if letterhead:  # 红头: big red title and a red rule with a star
        page.insert_text((95, 90), "绍兴市建筑设计研究院文件", fontname="china-s", fontsize=30,
                         color=RED)
        page.draw_line((50, 125), (545, 125), color=RED, width=2.5)
        _star(page, (297, 125), 9)
    page.insert_text((200, 165), "关于项目验收的证明", fontname="china-s", fontsize=18)
    for i in range(14):
        page.insert_text((60, 210 + i * 24), BODY[i % 7:i % 7 + 28], fontname="china-s",
                         fontsize=12)
    page.insert_text((340, 600), UNIT, fontname="china-s", fontsize=12)
    page.insert_text((370, 622), "2021年3月5日", fontname="china-s", fontsize=12)
    return page


def _star(page: pymupdf.Page, centre: tuple[float, float], r: float) -> None:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.38
        t = -math.pi / 2 + k * math.pi / 5
        pts.append(pymupdf.Point(centre[0] + rr * math.cos(t), centre[1] + rr * math.sin(t)))
    page.draw_polyline([*pts, pts[0]], color=RED, fill=RED, width=0)


def _round_seal(page: pymupdf.Page, centre: tuple[float, float], radius: float,
                text: str = UNIT) -> BBox:
    """A round seal as vector graphics: ring, unit name along the upper arc, star."""
    cx, cy = centre
    page.draw_circle(pymupdf.Point(cx, cy), radius, color=RED, width=radius * 0.06)
    n = len(text)
    size = radius * 0.26
    span = math.radians(min(250.0, 22.0 * n + 40))
    for i, ch in enumerate(text):
        t = 1.5 * math.pi + (i - (n - 1) / 2) * span / max(n - 1, 1)
        x = cx + radius * 0.74 * math.cos(t)
        y = cy + radius * 0.74 * math.sin(t)
        # rotate the glyph so its top points outward
        deg = math.degrees(t) + 90
        pivot = pymupdf.Point(x, y)
        page.insert_text(pymupdf.Point(x - size / 2, y + size * 0.35), ch, fontname="china-s",
                         fontsize=size, color=RED, morph=(pivot, pymupdf.Matrix(-deg)))
    _star(page, (cx, cy), radius * 0.28)
    w, h = page.rect.width, page.rect.height
    return ((cx - radius) / w, (cy - radius) / h, (cx + radius) / w, (cy + radius) / h)


def _open(path: Path) -> Page:
    ref = InputRef(path.name, path, PurePosixPath(str(path.resolve())))
    return open_document(ref).page(0)


@pytest.fixture(scope="module")
def sealed_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BBox]:
    """A born-digital letter with a red round seal over the signing unit and the date."""
    doc = pymupdf.open()
    page = _text_page(doc)
    truth = _round_seal(page, (420, 605), 62)
    path = tmp_path_factory.mktemp("seals") / "sealed.pdf"
    doc.save(path)
    return path, truth


def _scan(pdf: Path, out: Path, grey: bool = False, turn: int = 0) -> Path:
    """Render the PDF at 150 DPI, optionally greyscale and turned clockwise; save as JPEG."""
    doc = pymupdf.open(pdf)
    pix = doc[0].get_pixmap(dpi=150)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]
    img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    if grey:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    for _ in range(turn // 90):
        img = cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
    cv2.imwrite(str(out), img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return out


def _best(seals: tuple[Seal, ...], truth: BBox) -> Seal:
    assert seals, "no seal found"
    return max(seals, key=lambda s: _iou(s.bbox, truth))


def test_red_round_seal_on_born_digital_page(sealed_pdf: tuple[Path, BBox]) -> None:
    path, truth = sealed_pdf
    page = _open(path)
    assert page.origin == "born_digital"
    seals = find_seals(page)
    assert len(seals) == 1
    s = seals[0]
    assert _iou(s.bbox, truth) >= 0.5
    assert (s.shape, s.color, s.page) == ("round", "red", 1)
    assert 0.0 < s.score <= 1.0


def test_grey_seal_in_greyscale_scan(sealed_pdf: tuple[Path, BBox], tmp_path: Path) -> None:
    path, truth = sealed_pdf
    page = _open(_scan(path, tmp_path / "grey.jpg", grey=True))
    img = page.image.astype(int)
    assert np.abs(img[..., 0] - img[..., 2]).max() <= 12  # really grey: no colour to use
    seals = find_seals(page)
    assert len(seals) == 1
    s = _best(seals, truth)
    assert _iou(s.bbox, truth) >= 0.5
    assert s.color == "other" and s.shape == "round"


def test_seal_on_turned_scan_has_stored_page_coordinates(sealed_pdf: tuple[Path, BBox],
                                                         tmp_path: Path) -> None:
    path, (x0, y0, x1, y1) = sealed_pdf
    page = _open(_scan(path, tmp_path / "turned.jpg", turn=90))
    # turned 90° clockwise: stored (x, y) = (1 - y_upright, x_upright)
    truth = (1 - y1, x0, 1 - y0, x1)
    s = _best(find_seals(page), truth)
    assert _iou(s.bbox, truth) >= 0.5
    assert s.color == "red"


def test_red_letterhead_without_seal_has_no_seal(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc, letterhead=True)
    path = tmp_path / "redhead.pdf"
    doc.save(path)
    page = _open(path)
    red = page.image[..., 0].astype(int) - page.image[..., 1:].max(axis=2)
    assert (red > 100).sum() > 2000  # the letterhead is really red
    assert find_seals(page) == ()
    assert find_seals(_open(_scan(path, tmp_path / "redhead.jpg"))) == ()


def test_letterhead_and_seal_on_one_page(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = _text_page(doc, letterhead=True)
    truth = _round_seal(page, (420, 605), 62)
    path = tmp_path / "both.pdf"
    doc.save(path)
    seals = find_seals(_open(path))
    assert len(seals) == 1 and _iou(seals[0].bbox, truth) >= 0.5


def test_suppress_seal_ink_whitens_seal_and_keeps_text(sealed_pdf: tuple[Path, BBox],
                                                       tmp_path: Path) -> None:
    doc = pymupdf.open()
    page_pdf = _text_page(doc, letterhead=True)
    truth = _round_seal(page_pdf, (420, 605), 62)
    path = tmp_path / "both.pdf"
    doc.save(path)
    page = _open(path)
    seals = find_seals(page)
    cleaned = suppress_seal_ink(page, seals)
    assert cleaned is not page and cleaned.image.shape == page.image.shape

    def redness(img: np.ndarray) -> np.ndarray:
        return img[..., 0].astype(int) - img[..., 1:].max(axis=2)

    h, w = page.image.shape[:2]
    x0, y0, x1, y1 = truth
    box = (slice(int(y0 * h), int(y1 * h)), slice(int(x0 * w), int(x1 * w)))
    assert (redness(page.image[box]) > 60).sum() > 500
    assert (redness(cleaned.image[box]) > 60).sum() == 0
    # the black signature text under the seal is still there
    dark_before = (page.image[box].max(axis=2) < 80).sum()
    dark_after = (cleaned.image[box].max(axis=2) < 80).sum()
    assert dark_before > 100 and dark_after >= 0.8 * dark_before
    # the red letterhead far from the seal is untouched
    top = (slice(0, int(0.2 * h)), slice(None))
    assert np.array_equal(page.image[top], cleaned.image[top])


def test_candidates_expose_features_and_debug_drawing(sealed_pdf: tuple[Path, BBox]) -> None:
    path, truth = sealed_pdf
    page = _open(path)
    cands = seal_candidates(page)
    accepted = [c for c in cands if c.accepted]
    assert len(accepted) == 1 and _iou(accepted[0].bbox, truth) >= 0.5
    assert any(not c.accepted for c in cands) or len(cands) == 1
    assert all(len(c.features) == len(cands[0].features) for c in cands)
    canvas = draw_seal_debug(page, cands)
    assert isinstance(canvas, PageCanvas)
    assert canvas.image.shape == page.image.shape
    assert not np.array_equal(canvas.image, page.image)


def test_compare_seal_unit() -> None:
    page_text = f"工作证明\n兹证明……\n编制单位：{UNIT}\n2021年3月5日"
    same = compare_seal_unit(UNIT, page_text)
    assert same.page_unit == UNIT and same.source == "labelled"
    assert same.similarity == 1.0 and same.matches
    misread = compare_seal_unit("绍兴市建筑设汁研究院有限公司", page_text)  # one OCR slip
    assert misread.matches and misread.similarity >= 0.9
    other = compare_seal_unit("宁波港口工程建设集团有限公司", page_text)
    assert not other.matches and other.similarity < 0.6
    signed = compare_seal_unit("浙江工业大学", "聘任通知\n……\n浙江工业大学\n2020年9月1日")
    assert signed.source == "signature" and signed.matches
    assert compare_seal_unit("某公司", "").page_unit is None


@pytest.mark.slow
def test_seal_text_is_read_from_the_unwrapped_ring(sealed_pdf: tuple[Path, BBox]) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from verify.checks.seal_text import seal_text_cer
    from verify.text.ocr import make_engine

    path, _truth = sealed_pdf
    seals = find_seals(_open(path), make_engine("rapidocr"))
    assert len(seals) == 1
    assert seal_text_cer(UNIT, seals[0].text) <= 0.1, seals[0].text


# --------------------------------------------------------------------------- real world


def _realworld() -> list[dict[str, object]]:
    if not (REALWORLD / "labels.jsonl").exists():
        return []
    lines = (REALWORLD / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


needs_realworld = pytest.mark.skipif(not _realworld(), reason="shared/realworld not present")


@needs_realworld
@pytest.mark.parametrize("name", [
    "official_notice_redheader_seal_p4.jpg",  # seal over signature and date, red rules below
    "certificate_iso_blue_round_seal.jpg",  # blue oval stamp next to a round blue logo
    "settlement_statement_2_round_seals.jpg",  # two pale seals over a table
    "certificate_honor_rotated90_seal.jpg",  # photo turned 90°, calligraphy over the seal
])
def test_realworld_seals_are_found_where_labelled(name: str) -> None:
    label = next(d for d in _realworld() if d["file"] == name)
    seals = find_seals(_open(REALWORLD / name))
    truths = label["seals"]
    assert isinstance(truths, list)
    for t in truths:
        assert max(_iou(s.bbox, tuple(t["bbox"])) for s in seals) >= 0.5
        best = max(seals, key=lambda s: _iou(s.bbox, tuple(t["bbox"])))
        assert best.color == t["color"]


@needs_realworld
@pytest.mark.parametrize("name", [
    "official_notice_redheader_noseal_p1.jpg",  # 红头 letterhead, no seal
    "court_record_scan_red_fingerprint_noseal.jpg",  # red fingerprint
    "annual_report_red_graphics_noseal.jpg",  # red bar chart, flags
    "certificate_mathworks_rotated90_noseal.jpg",  # round medal icon, logo
])
def test_realworld_traps_have_no_seal(name: str) -> None:
    assert find_seals(_open(REALWORLD / name)) == ()


@needs_realworld
def test_realworld_document_precision_and_recall() -> None:
    tp = fp = fn = 0
    for d in _realworld():
        found = bool(find_seals(_open(REALWORLD / str(d["file"]))))
        truth = bool(d["has_seal"])
        tp += truth and found
        fp += found and not truth
        fn += truth and not found
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.9
