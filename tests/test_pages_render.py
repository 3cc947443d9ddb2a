"""A scanned PDF page that is one full-page JPEG is decoded by OpenCV, not rendered by MuPDF:
the same pixels, and anything else on the page still goes through MuPDF."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import pymupdf
import pytest

from verify.model import InputRef
from verify.pages import _scan_image, open_document


def _scan(tmp_path: Path, grey: bool, mark: bool = False) -> Path:
    rng = np.random.default_rng(3)
    img = np.full((1754, 1240, 3), 235, np.uint8)  # A4 at 150 DPI
    for y in range(150, 1600, 40):  # text-like rows of dark ink
        img[y:y + 14, 120:120 + int(rng.integers(400, 1000))] = 30
    img[200:260, 900:1000] = (200, 40, 40)  # a red mark: colour must survive
    if grey:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    ok, jpeg = cv2.imencode(".jpg", img if grey else cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=jpeg.tobytes())
    if mark:
        page.draw_circle((300, 400), 60, color=(1, 0, 0), width=4)
    path = tmp_path / f"scan-{grey}-{mark}.pdf"
    doc.save(path)
    return path


def _mupdf(path: Path, scale: float) -> np.ndarray:
    with pymupdf.open(path) as doc:
        pix = doc[0].get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csRGB,
                                alpha=False)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3).copy()


@pytest.mark.parametrize("grey", [False, True])
def test_a_jpeg_page_decodes_to_mupdf_s_pixels(tmp_path: Path, grey: bool) -> None:
    path = _scan(tmp_path, grey)
    ref = InputRef(path.name, path, PurePosixPath(str(path)))
    page = open_document(ref).page(0)
    assert page.origin == "image" and round(page.dpi) == 150
    with pymupdf.open(path) as doc:
        assert _scan_image(doc[0], doc[0].get_image_info(), page.dpi / 72) is not None  # the OpenCV path was taken
    expected = _mupdf(path, page.dpi / 72)
    assert page.image.shape == expected.shape
    assert np.abs(page.image.astype(np.int16) - expected).mean() < 0.5
    if not grey:
        assert page.image[230, 950, 0] > 150 > page.image[230, 950, 1]  # red stays red (RGB)
    with pymupdf.open(path) as doc:  # reduced: a 100-DPI body page of the 150-DPI scan
        small = _scan_image(doc[0], doc[0].get_image_info(), 100 / 72)
    assert small is not None and small.shape == _mupdf(path, 100 / 72).shape


def test_a_mark_drawn_over_the_scan_is_rendered_by_mupdf(tmp_path: Path) -> None:
    path = _scan(tmp_path, grey=False, mark=True)
    with pymupdf.open(path) as doc:
        assert _scan_image(doc[0], doc[0].get_image_info(), 150 / 72) is None
    page = open_document(InputRef(path.name, path, PurePosixPath(str(path)))).page(0)
    ring = page.image[int(340 * 150 / 72):int(460 * 150 / 72), int(240 * 150 / 72):int(360 * 150 / 72)]
    assert ((ring[:, :, 0] > 200) & (ring[:, :, 1] < 80)).sum() > 100  # the red circle is there


def test_a_huge_image_is_decoded_once_for_both_readings(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The second reading asks for page 1 again: a huge image (libvips, reduced) is not
    decoded twice, and each page gets pixels of its own."""
    import verify.pages as pages

    monkeypatch.setattr(pages, "LARGE_IMAGE_PIXELS", 1000)
    calls: list[int] = []
    decode = pages.ImageDocument._decode_reduced

    def counted(self: pages.ImageDocument, index: int, w0: int, h0: int) -> tuple[np.ndarray, int, int]:
        calls.append(index)
        return decode(self, index, w0, h0)

    monkeypatch.setattr(pages.ImageDocument, "_decode_reduced", counted)
    path = tmp_path / "big.png"
    cv2.imwrite(str(path), np.full((300, 200, 3), 200, np.uint8))
    doc = open_document(InputRef(path.name, path, PurePosixPath(str(path))))
    first, again = doc.page(0), doc.page(0)
    assert calls == [0]
    assert first.image.shape == again.image.shape == (300, 200, 3)
    first.image[0, 0] = 0
    assert again.image[0, 0, 0] == 200


def test_a_pdf_page_that_draws_nothing_is_rendered_small_and_a_drawing_is_not(tmp_path: Path) -> None:
    """An empty page (no content at all) has nothing to read: it is rendered at
    ``EMPTY_PAGE_DPI``; a page of vector drawing only (text turned to outlines, a chart) may
    need OCR and keeps the working resolution."""
    from verify.pages import EMPTY_PAGE_DPI, WORK_DPI

    doc = pymupdf.open()
    doc.new_page()
    drawn = doc.new_page()
    drawn.draw_rect(pymupdf.Rect(100, 100, 300, 200), color=(0, 0, 0), width=2)
    path = tmp_path / "pages.pdf"
    doc.save(path)
    source = open_document(InputRef("pages.pdf", path, PurePosixPath(str(path))))
    empty, drawing = source.page(0), source.page(1)
    assert empty.dpi == pytest.approx(EMPTY_PAGE_DPI, rel=0.01) and (empty.image == 255).all()
    assert drawing.dpi == pytest.approx(WORK_DPI, rel=0.01) and (drawing.image < 128).any()
