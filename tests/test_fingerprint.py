"""Page fingerprints and line glyph strips: the fast forms give the numbers of the plain ones."""

from __future__ import annotations

import zlib
from dataclasses import replace
from pathlib import Path, PurePosixPath

import cv2
import numpy as np

from verify.bench import born_digital_pdf
from verify.checks.fingerprint import (
    GLYPH_HEIGHT,
    INK_QUANTILE,
    LAYER_GLYPH_MAX_CHARS,
    LAYER_RUNNING_LINES,
    _quantiles,
    content_box,
    glyph_page,
    glyph_strip,
    line_glyph,
    line_glyphs,
)
from verify.model import InputRef
from verify.pages import open_document
from verify.text.normalize import compact
from verify.text.read import text_from_layer


def test_quantiles_from_counts_are_numpys_quantiles_of_the_coordinates() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        counts = rng.integers(0, 4, size=int(rng.integers(1, 60))) * (rng.random(1) < 0.9)
        counts[int(rng.integers(0, len(counts)))] += 1  # at least one pixel
        coords = np.repeat(np.arange(len(counts)), counts)
        qs = (INK_QUANTILE, 0.3, 1 - INK_QUANTILE)
        assert np.allclose(_quantiles(counts, qs), np.quantile(coords, qs))


def test_content_box_is_the_ink_between_its_quantiles() -> None:
    page = np.full((400, 300), 255, np.uint8)
    cv2.putText(page, "ABC 123", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    page[5, 290] = 0  # a speck far off: inside 0.5 % of the ink, ignored
    _t, ink = cv2.threshold(page, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    x0, x1 = np.quantile(xs, [INK_QUANTILE, 1 - INK_QUANTILE])
    y0, y1 = np.quantile(ys, [INK_QUANTILE, 1 - INK_QUANTILE])
    assert content_box(page) == (int(x0), int(y0), int(x1) + 1, int(y1) + 1)
    assert 35 <= content_box(page)[0] <= 45 and content_box(page)[2] < 290


def test_a_line_strip_is_glyph_height_and_a_strip_of_another_height_is_none() -> None:
    page = np.full((200, 800), 255, np.uint8)
    cv2.putText(page, "HELLO WORLD", (20, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    strip = glyph_strip(line_glyph(page, (0.0, 0.38, 0.6, 0.52)))
    assert strip is not None and strip.shape[0] == GLYPH_HEIGHT and strip.shape[1] > 5 * GLYPH_HEIGHT
    width = 40  # an earlier version's 16-px strip: not compared
    old = zlib.compress(width.to_bytes(2, "big") + np.packbits(np.ones((16, width), bool), axis=1).tobytes())
    assert glyph_strip(old) is None


def test_a_text_layers_running_text_gets_no_strip_its_short_lines_do(tmp_path: Path) -> None:
    """A report page's running text (many 34-character lines) is a born-digital page's glyph
    time and holds no field: its long lines get no strip, its title keeps one. A letter's few
    long lines keep theirs, and so does running text read by OCR."""
    title = "关于聘任韩德明等同志专业技术职务的通知"
    prose = "根据专业技术职务评聘有关规定经研究决定聘任韩德明同志为助理工程师聘期三年"
    assert len(title) <= LAYER_GLYPH_MAX_CHARS < len(prose)
    for name, count, stripped in (("report", LAYER_RUNNING_LINES + 1, True), ("letter", 3, False)):
        pdf = tmp_path / f"{name}.pdf"
        born_digital_pdf(pdf, [[title] + [prose] * count], numbered=False)
        page = open_document(InputRef(pdf.name, pdf, PurePosixPath(str(pdf)))).page(0)
        text = text_from_layer(page)
        assert [compact(s.text) for s in text.spans] == [title] + [prose] * count
        glyphs = line_glyphs(glyph_page(page.image), text)
        assert glyph_strip(glyphs[0]) is not None
        assert all((g == b"") == stripped for g in glyphs[1:]), name
        as_ocr = line_glyphs(glyph_page(page.image), replace(text, source="ocr"))
        strip = glyph_strip(as_ocr[1])
        assert strip is not None and strip.shape[1] > 25 * GLYPH_HEIGHT
