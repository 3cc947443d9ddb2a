"""The page reader: OCR in a background thread, texts back by page, memory bounded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from tests.conftest import pdf_of_images
from verify.bench import ScanStyle, scanned_pdf
from verify.checks.pagination import find_page_label
from verify.model import InputRef, TextSpan
from verify.pageplan import (
    MAX_QUEUED_PAGES,
    PENDING,
    STRIP_BATCH,
    STRIP_GAP_PX,
    PageReader,
    _cut_strips,
)
from verify.pages import Page, open_document
from verify.text.ocr import OcrResult, make_engine


class SlowEngine:
    """An engine that takes its time and reports the image height it was given, so a test
    can see which call read which page and how many pages were waiting meanwhile."""

    name = "slow"

    def __init__(self, seconds: float, fail: bool = False) -> None:
        self.seconds = seconds
        self.fail = fail
        self.calls = 0
        self.lock = threading.Lock()

    def read(self, image: np.ndarray) -> OcrResult:
        time.sleep(self.seconds)
        with self.lock:
            self.calls += 1
        if self.fail:
            raise RuntimeError("engine broke")
        return OcrResult((TextSpan(f"h{image.shape[0]}", (0.1, 0.1, 0.9, 0.2), 90.0),), 90.0)

    def orientation(self, image: np.ndarray) -> int:
        return 0


def scanned_pages(tmp_path: Path, count: int) -> list[Page]:
    """Real image pages: a scanned-style PDF rendered by the pipeline's page module."""
    from PIL import Image

    images = [Image.new("RGB", (620, 877), (250, 250, 250)) for _ in range(count)]
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_of_images(images, dpi=75))
    doc = open_document(InputRef("scan.pdf", path, PurePosixPath(path.as_posix())))
    pages = [doc.page(i) for i in range(count)]
    doc.close()
    assert all(p.origin == "image" for p in pages)
    return pages


def test_every_page_gets_its_text_and_strips_are_read_in_batches(tmp_path: Path) -> None:
    pages = scanned_pages(tmp_path, STRIP_BATCH + 3)
    engine = SlowEngine(0.0)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reader = PageReader(engine, pool)
        pending = [reader.read_full(p) if p.number <= 2 else reader.read_strips(p) for p in pages]
        texts = reader.collect(finish=True)
    assert all(t.source == PENDING for t in pending)
    assert sorted(texts) == [p.number for p in pages]
    # Two whole pages, then the strips of STRIP_BATCH pages in one call and the rest in one more.
    assert engine.calls == 2 + 2
    full_height = pages[0].image.shape[0]
    assert texts[1].text == f"h{full_height}" and texts[1].source == "ocr"
    assert all(t.source == "ocr" and t.engine == "slow" for t in texts.values())
    # A strip batch is one stacked image: its one span lands on the page it was drawn over.
    strip_spans = [s for n in range(3, 3 + STRIP_BATCH) for s in texts[n].spans]
    assert len(strip_spans) == 1 and strip_spans[0].text != f"h{full_height}"


def test_pages_wait_for_the_reader_at_most_a_few_at_a_time(tmp_path: Path) -> None:
    pages = scanned_pages(tmp_path, 6)
    engine = SlowEngine(0.15)
    waiting: list[int] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        reader = PageReader(engine, pool)
        for p in pages:
            reader.read_full(p)
            waiting.append(p.number - engine.calls)
        texts = reader.collect(finish=True)
    assert len(texts) == 6
    assert max(waiting) <= MAX_QUEUED_PAGES + 1  # queued plus the one just submitted


def test_an_ocr_error_reaches_the_document_and_cancel_drops_the_queue(tmp_path: Path) -> None:
    pages = scanned_pages(tmp_path, 3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reader = PageReader(SlowEngine(0.0, fail=True), pool)
        reader.read_full(pages[0])
        with pytest.raises(RuntimeError, match="engine broke"):
            reader.collect(finish=True)
        slow = SlowEngine(0.2)
        reader = PageReader(slow, pool)
        for p in pages:
            reader.read_full(p)
        reader.cancel()
        assert reader.collect(finish=True) == {}
    assert slow.calls < 3  # the last page was never read


def test_strips_are_ink_on_white_paper_and_blank_strips_white(tmp_path: Path) -> None:
    """The strips the page reader sends to the OCR: grey paper with sensor noise goes white,
    a footer's strokes keep their ink, a footer-less page's bottom strip is all white."""
    rng = np.random.default_rng(3)
    grey = np.clip(235 + rng.normal(0, 6, (1170, 827)), 0, 255).astype(np.uint8)
    blank = Page(number=1, image=np.repeat(grey[:, :, None], 3, axis=2), dpi=100,
                 width_pt=595.0, height_pt=842.0, effective_dpi=100, origin="image")
    footed = grey.copy()
    footed[1110:1125, 350:480] = 60  # a footer's strokes, 95 % down the page
    page = Page(number=2, image=np.repeat(footed[:, :, None], 3, axis=2), dpi=100,
                width_pt=595.0, height_pt=842.0, effective_dpi=100, origin="image")
    strips = _cut_strips(page)
    bottom = strips.image[strips.top_height + STRIP_GAP_PX:]
    row = 1110 - strips.bottom_offset
    assert (bottom[row + 1:row + 14, 352:478] == 60).mean() > 0.95  # ink kept as it was
    ink_free = np.ones(bottom.shape, bool)
    ink_free[row - 2:row + 17, 348:482] = False
    assert (bottom[ink_free] == 255).all()  # paper noise (σ 6) is gone
    assert (strips.image[:strips.top_height] == 255).all()
    assert (_cut_strips(blank).image == 255).all()


@pytest.mark.slow
def test_page_numbers_of_a_noisy_scanned_report_are_read_from_strips(tmp_path: Path) -> None:
    """A 300-DPI grey scan with sensor noise and JPEG: Tesseract read 14 of 30 footers of
    such a report before the strips were cleaned."""
    path = tmp_path / "report.pdf"
    scanned_pdf(path, [[f"第{n}章 监测结果"] for n in range(1, 13)], ScanStyle(noise=6.0), seed=13)
    doc = open_document(InputRef("report.pdf", path, PurePosixPath(path.as_posix())))
    pages = [doc.page(i) for i in range(doc.page_count)]
    doc.close()
    with ThreadPoolExecutor(max_workers=1) as pool:
        reader = PageReader(make_engine("tesseract"), pool)
        for p in pages:
            reader.read_strips(p)
        texts = reader.collect(finish=True)
    labels = {n: find_page_label(t) for n, t in texts.items()}
    read = [n for n, lab in labels.items() if lab is not None and (lab.number, lab.total) == (n, 12)]
    assert len(read) >= 11, labels
