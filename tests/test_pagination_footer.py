"""Reading a page number again from the footer of a scanned page (real rendering, real
Tesseract): a whole-page OCR misreads a lone ``- 2 -``, and a grey scan's footer strip is
mostly paper grain that Tesseract turns into noise unless the paper is whitened first."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import pdf_of_images
from verify.checks.pagination import parse_page_label, read_footer_label, whiten_paper
from verify.model import InputRef
from verify.options import Options
from verify.pages import Page
from verify.pipeline import Worker, check_document
from verify.text.ocr import TesseractEngine

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
DPI = 200
A4 = (round(8.27 * DPI), round(11.69 * DPI))


def scanned_page(footer: str, body_lines: int = 12, paper: int = 236, noise: float = 5.0,
                 seed: int = 0) -> np.ndarray:
    """A grey A4 scan at 200 DPI: body text, a 9 pt centred footer 13 mm from the bottom,
    tinted paper with sensor noise."""
    w, h = A4
    img = Image.new("L", (w, h), paper)
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(FONT, round(12 * DPI / 72), index=2)
    small = ImageFont.truetype(FONT, round(9 * DPI / 72), index=2)
    y = round(0.1 * h)
    for _ in range(body_lines):
        draw.text((round(0.12 * w), y), "项目建成后各污染物排放量均可满足总量控制要求。", font=body,
                  fill=30)
        y += round(12 * DPI / 72 * 1.8)
    if footer:
        draw.text(((w - small.getlength(footer)) / 2, h - round(13 / 25.4 * DPI) - 25), footer,
                  font=small, fill=30)
    arr = np.asarray(img).astype(np.float32)
    arr += np.random.default_rng(seed).normal(0, noise, arr.shape)
    return np.clip(arr, 0, 255).astype(np.uint8)


def as_page(grey: np.ndarray, number: int = 2) -> Page:
    h, w = grey.shape
    rgb = np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    return Page(number=number, image=rgb, dpi=DPI, width_pt=w / DPI * 72, height_pt=h / DPI * 72,
                effective_dpi=DPI, origin="image")


def test_whiten_paper_keeps_ink_and_clears_grain() -> None:
    page = scanned_page("- 3 -")
    band = page[round(0.9 * A4[1]):]
    clean = whiten_paper(band)
    ink = band < 150
    assert ink.sum() > 40  # the footer's strokes
    assert (clean[ink] == band[ink]).all()  # ink untouched
    paper = band > 218
    assert (clean[paper] == 255).all()  # grain (236, σ 5) within 18 levels is paper
    assert (clean == 255).mean() > 0.99
    # A strip with no ink at all comes out white but for a few 4σ specks: nothing for the
    # OCR to invent.
    assert (whiten_paper(scanned_page("")[-200:]) == 255).mean() > 0.9995


@pytest.mark.slow
def test_grey_strip_footer_misread_by_the_page_engine_is_read_right_alone() -> None:
    """Formerly the known failure of #5: the page plan's strip OCR (``--psm 6``, chi_sim) of
    this grey, grainy page reads its ``3/5`` footer as ``3/15`` even whitened. The footer line
    read alone (``--psm 7``, chi_sim, then eng for a line of digits) reads ``3/5``; the
    pipeline does so for a label whose total disagrees with the document's
    (``test_pipeline_reads_misread_footers_again``)."""
    page = scanned_page("3/5", noise=6.0)
    strip = page[round(0.915 * A4[1]):]
    strip_labels = [parse_page_label(s.text) for s in TesseractEngine().read(whiten_paper(strip)).spans]
    label = read_footer_label(as_page(page), TesseractEngine("chi_sim", psm=7),
                              TesseractEngine("eng", psm=7))
    assert label is not None and (label.number, label.total) == (3, 5), strip_labels


@pytest.mark.slow
def test_pipeline_reads_misread_footers_again(tmp_path: Path) -> None:
    """A 5-page grey scan numbered ``n/5`` (pages 3–4 read as header/footer strips only).
    Without the footer re-read the pipeline read page 2's footer as a bare ``265`` and page
    5's as ``5/15``; with it every page's label is right."""
    images = [Image.fromarray(scanned_page(f"{n}/5", noise=6.0, seed=0 if n == 3 else n))
              for n in range(1, 6)]
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_of_images(images, dpi=DPI))
    worker = Worker(Options(paths=(path,), jobs=1, reread_ocr="none"))
    evidence = check_document(InputRef("report.pdf", path, PurePosixPath(path.as_posix())), worker)
    assert [p.text_scope for p in evidence.pages] == ["full", "full", "strips", "strips", "full"]
    assert [(p.label.number, p.label.total) if p.label else None for p in evidence.pages] == \
        [(n, 5) for n in range(1, 6)]


@pytest.mark.slow
@pytest.mark.parametrize(("footer", "number", "total"),
                         [("- 2 -", 2, None), ("第 4 页 共 7 页", 4, 7), ("3/5", 3, 5)])
def test_read_footer_label(footer: str, number: int, total: int | None) -> None:
    label = read_footer_label(as_page(scanned_page(footer)), TesseractEngine("chi_sim", psm=7))
    assert label is not None and (label.number, label.total) == (number, total)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_footer_line_chi_sim_reads_without_slash_is_read_again_in_eng(seed: int) -> None:
    """On these grey scans chi_sim alone reads the ``3/5`` line as ``315`` (no label);
    ``eng`` on the same line reads ``3/5``."""
    page = as_page(scanned_page("3/5", noise=6.0, seed=seed))
    chi_sim = TesseractEngine("chi_sim", psm=7)
    assert read_footer_label(page, chi_sim) is None
    label = read_footer_label(page, chi_sim, TesseractEngine("eng", psm=7))
    assert label is not None and (label.number, label.total) == (3, 5)


def test_no_footer_reads_nothing() -> None:
    """A page whose lowest line is body text (wider than a page number) is not OCR'd."""

    class Refuses:
        name = "refuses"

        def read(self, image: np.ndarray) -> None:
            raise AssertionError("no OCR expected")

        def orientation(self, image: np.ndarray) -> int:
            return 0

    long_body = scanned_page("", body_lines=36)
    assert read_footer_label(as_page(long_body), Refuses()) is None  # type: ignore[arg-type]
    assert read_footer_label(as_page(scanned_page("")), Refuses()) is None  # type: ignore[arg-type]


def test_needs_footer_reread() -> None:
    from verify.checks.pagination import needs_footer_reread
    from verify.model import PageLabel

    assert needs_footer_reread(None)
    assert needs_footer_reread(PageLabel(230, None, "230"))  # a misread "- 3 -"
    assert not needs_footer_reread(PageLabel(3, None, "- 3 -"))
    assert not needs_footer_reread(PageLabel(3, 5, "第3页共5页"))


@pytest.mark.slow
def test_footer_of_an_upside_down_page_is_the_top_line_turned_over() -> None:
    """A page delivered upside down (OSD may miss it: seed 7305 IMG_2034) prints its page
    number at the top, turned: ``footer_lines`` cuts that line turned back upright too."""
    from verify.checks.pagination import footer_lines, read_footer_line

    upside_down = np.ascontiguousarray(scanned_page("第 2 页 共 4 页", body_lines=30)[::-1, ::-1])
    lines = footer_lines(as_page(upside_down))
    assert lines.upright is None  # the bottom holds the first body line: too wide for a label
    assert lines.turned is not None
    label = read_footer_line(lines.turned, TesseractEngine("chi_sim", psm=7))
    assert label is not None and (label.number, label.total) == (2, 4)


def sideways_photo(footer: str, seed: int = 0, long_side: int = 1800) -> np.ndarray:
    """``scanned_page`` lying on a dark desk, photographed sideways at a slight angle and
    delivered ``long_side`` px wide (the fixtures' photo PDFs: ~1800): the sheet's top is at
    the image's left (the page must be turned 90° clockwise to be read)."""
    page = scanned_page(footer, body_lines=14, seed=seed)
    h, w = page.shape
    desk_h, desk_w = round(h * 1.2), round(w * 1.25)
    src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    dst = np.float32([[0.1 * w, 0.08 * h], [1.13 * w, 0.1 * h], [1.15 * w, 1.1 * h],
                      [0.12 * w, 1.12 * h]])
    m = cv2.getPerspectiveTransform(src, dst)
    sheet = cv2.warpPerspective(page, m, (desk_w, desk_h), flags=cv2.INTER_AREA,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=70)
    f = long_side / max(sheet.shape)
    sheet = cv2.resize(sheet, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(np.rot90(sheet, 1))  # turned a quarter counter-clockwise


@pytest.mark.slow
def test_footer_of_a_sideways_photo_is_cut_on_the_sheet_turned_upright() -> None:
    """Seed 7373 IMG_2115: a report photographed sideways, OCR turned it 90° and read no page
    number; ``footer_lines`` cuts the footer of the sheet turned either way sideways too, and
    the line for the OCR's rotation reads ``2/3``."""
    from verify.checks.pagination import footer_lines, read_footer_line

    photo = sideways_photo("2/3")
    assert photo.shape[1] > photo.shape[0]
    lines = footer_lines(as_page(photo))
    assert sorted(r for r, _ in lines.by_rotation) == [0, 90, 180, 270]
    line = lines.line(90)
    assert line is not None
    label = read_footer_line(line, TesseractEngine("chi_sim", psm=7), TesseractEngine("eng", psm=7))
    assert label is not None and (label.number, label.total) == (2, 3)
    # The other sides hold the body text's line ends or its first line: no label-sized line.
    assert lines.line(270) is None
    # A portrait page is cut upright and upside down only.
    assert [r for r, _ in footer_lines(as_page(scanned_page("2/3"))).by_rotation] == [0, 180]


@pytest.mark.slow
def test_pipeline_reads_the_footers_of_a_sideways_photographed_report(tmp_path: Path) -> None:
    """A two-page report photographed sideways whose last page is gone (``n/3``): the pipeline
    turns each page, reads its footer on the side the OCR's rotation points to, and the
    labels show the missing page 3."""
    from verify.checks.pagination import pages_gap

    images = [Image.fromarray(sideways_photo(f"{n}/3", seed=n)) for n in (1, 2)]
    path = tmp_path / "IMG_0001.pdf"
    path.write_bytes(pdf_of_images(images, dpi=DPI))
    worker = Worker(Options(paths=(path,), jobs=1, reread_ocr="none"))
    evidence = check_document(InputRef(path.name, path, PurePosixPath(path.as_posix())), worker)
    assert [p.text.rotation for p in evidence.pages] == [90, 90]
    labels = [p.label for p in evidence.pages]
    assert [(lab.number, lab.total) if lab else None for lab in labels] == [(1, 3), (2, 3)]
    gap = pages_gap(labels, len(labels))
    assert gap is not None and gap.missing == (3,)
