"""Grey seals where colour cannot help, and which pages the grey search runs on.

Pages are real: a letter drawn with PyMuPDF (the seal as vector graphics, as in
``test_seals``), rendered, then turned into a worn black-and-white scan or wrapped as a scan
with an invisible OCR text layer (what OCRmyPDF writes).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pymupdf

from tests.test_seals import BODY, _iou, _open, _round_seal, _text_page
from verify.checks.seals import find_seals, may_hold_seal, needs_grey_search
from verify.model import BBox


def _letter(tmp_path: Path, seal: bool = True) -> tuple[Path, BBox | None]:
    doc = pymupdf.open()
    page = _text_page(doc)
    truth = _round_seal(page, (420, 605), 62) if seal else None
    path = tmp_path / ("letter.pdf" if seal else "plain.pdf")
    doc.save(path)
    return path, truth


def _render_grey(pdf: Path, dpi: int = 150) -> np.ndarray:
    pix = pymupdf.open(pdf)[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()


def test_worn_seal_in_black_and_white_scan(tmp_path: Path) -> None:
    """A 1-bit scan of a worn seal: the ring survives only as specks (every pixel of seal ink
    kept with probability 0.25), so no connected ring and no clean circle is left."""
    pdf, truth = _letter(tmp_path)
    assert truth is not None
    grey = _render_grey(pdf)
    h, w = grey.shape
    rng = np.random.default_rng(7)
    seal_zone = np.zeros_like(grey, dtype=bool)
    x0, y0, x1, y1 = truth
    seal_zone[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)] = True
    red_ink = seal_zone & (grey < 200) & (grey > 40)  # the seal's red is mid-grey, text black
    worn = red_ink & (rng.random(grey.shape) > 0.25)
    bw = np.where((grey < 160) & ~worn, 0, 255).astype(np.uint8)
    ring = bw[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)]
    n, _ = cv2.connectedComponents((ring == 0).astype(np.uint8))
    assert n > 150  # really broken into specks
    path = tmp_path / "worn.png"
    cv2.imwrite(str(path), bw)
    page = _open(path)
    seals = find_seals(page)
    assert seals, "worn 1-bit seal not found"
    best = max(seals, key=lambda s: _iou(s.bbox, truth))
    assert _iou(best.bbox, truth) >= 0.5
    assert best.color == "other" and best.shape == "round"


def _ocr_layer_scan(pdf: Path, out: Path) -> Path:
    """The letter as a greyscale scan image on a PDF page with invisible text over it."""
    grey = _render_grey(pdf)
    ok, png = cv2.imencode(".png", grey)
    assert ok
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=png.tobytes())
    for i in range(6):
        page.insert_text((60, 210 + i * 24), BODY[i:i + 20], fontname="china-s", fontsize=12,
                         render_mode=3)
    doc.save(out)
    return out


def test_grey_scan_with_ocr_text_layer_is_searched(tmp_path: Path) -> None:
    pdf, truth = _letter(tmp_path)
    assert truth is not None
    page = _open(_ocr_layer_scan(pdf, tmp_path / "ocrd.pdf"))
    assert page.origin == "born_digital" and page.effective_dpi is not None
    assert may_hold_seal(page) and needs_grey_search(page, colour_page=False)
    seals = find_seals(page)
    assert len(seals) == 1 and _iou(seals[0].bbox, truth) >= 0.5
    assert seals[0].color == "other"


def test_which_pages_get_the_grey_search(tmp_path: Path) -> None:
    plain, _ = _letter(tmp_path, seal=False)
    page = _open(plain)
    # black text only, no raster image: an e-seal would be colour, so nothing to look for
    assert page.origin == "born_digital" and page.effective_dpi is None
    assert not may_hold_seal(page)
    assert find_seals(page) == ()
    sealed, truth = _letter(tmp_path)
    coloured = _open(sealed)
    assert may_hold_seal(coloured)
    assert not needs_grey_search(coloured, colour_page=True)  # found by its red instead
    assert truth is not None
    assert _iou(find_seals(coloured)[0].bbox, truth) >= 0.5
    scan = tmp_path / "scan.png"
    cv2.imwrite(str(scan), _render_grey(sealed))
    assert needs_grey_search(_open(scan), colour_page=False)
    assert needs_grey_search(_open(scan), colour_page=True)  # a colour scan: weak red seals
