"""Line glyphs for DUPLICATE: a misreading has the glyphs of what was printed, a colleague's
other name other glyphs (verify.checks.fingerprint.line_glyph, verify.duplicates._compare)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from verify.bench import ScanStyle, born_digital_pdf, jpeg_bytes, scan_image
from verify.cache import EvidenceStore
from verify.checks.fingerprint import GLYPH_HEIGHT, glyph_page, glyph_strip, line_glyphs, page_fingerprint
from verify.duplicates import (
    GLYPH_SAME,
    DuplicateIndex,
    PagePrint,
    compare_text,
    glyph_similarity,
    page_similarity,
    prints_of,
)
from verify.model import DocumentEvidence, InputRef, PageEvidence, PageText, Status, TextSpan
from verify.pages import open_document
from verify.text.ocr import make_engine
from verify.text.read import read_page_text, text_from_layer

LETTER = ["丽水责任〔2020〕5号", "关于聘任韩德明等同志专业技术职务的通知", "公司各部门：",
          "根据专业技术职务评聘有关规定，经研究决定：聘任韩德明同志为助理工程",
          "师，聘期三年。", "特此通知。", "丽水市烂柯污染治理有限责任公司", "二〇二〇年三月一日"]
COLLEAGUE = [ln.replace("韩德明", "徐春燕") for ln in LETTER]


def _ref(path: Path, display: str | None = None) -> InputRef:
    return InputRef(display or path.name, path, PurePosixPath(str(path.resolve())))


def _evidence(path: Path, text: PageText, image: np.ndarray, display: str | None = None) -> DocumentEvidence:
    """A one-page document's evidence as the worker builds it: hashes, text, line glyphs."""
    fp = page_fingerprint(image)
    page = PageEvidence(1, 595, 842, "image", 300.0, text, fingerprint=fp.phash, dhash=fp.dhash,
                        line_glyphs=line_glyphs(glyph_page(image), text))
    return DocumentEvidence(_ref(path, display), path.name, Status.ok, page_count=1, pages=(page,))


def _misread(text: PageText, printed: str, read: str) -> PageText:
    """``text`` as if OCR had read ``printed`` as ``read`` on every line that holds it (at the
    same confidence): the misreadings seen on fixture copies (为表彰 → 为才朝 at 84–94)."""
    spans = tuple(replace(s, text=s.text.replace(printed, read)) for s in text.spans)
    return replace(text, text="\n".join(s.text for s in spans), spans=spans)


def test_a_line_glyph_is_a_small_level_strip_of_the_line(tmp_path: Path) -> None:
    """A born-digital letter: each text-layer line becomes a GLYPH_HEIGHT-pixel strip about one
    height per Han character, a few hundred bytes; a box over white paper gives none."""
    pdf = tmp_path / "letter.pdf"
    born_digital_pdf(pdf, [LETTER], numbered=False)
    page = open_document(_ref(pdf)).page(0)
    text = text_from_layer(page)
    glyphs = line_glyphs(glyph_page(page.image), text)
    assert len(glyphs) == len(text.spans) == len(LETTER)
    title = glyph_strip(glyphs[1])
    assert title is not None and title.shape[0] == GLYPH_HEIGHT
    per_char = title.shape[1] / len("关于聘任韩德明等同志专业技术职务的通知")
    assert 0.9 * GLYPH_HEIGHT <= per_char <= 1.3 * GLYPH_HEIGHT, per_char
    assert 0.15 < float(title.mean()) < 0.6  # ink and paper, not a block of either
    assert sum(map(len, glyphs)) < 6000
    blank = line_glyphs(glyph_page(page.image), PageText("x", (TextSpan("x", (0.02, 0.95, 0.2, 0.98)),)))
    assert blank == (b"",)


def test_glyphs_tell_a_misread_name_from_a_colleagues_name(tmp_path: Path) -> None:
    """The born-digital letter against a 300-DPI, 0.4°-skewed, noisy re-scan of it and against
    a colleague's scan of the same template, each with the text layer's boxes: where the
    re-scan's text is made to read 韩德明 as 韩估朋, the glyphs there are the original's; the
    colleague's 徐春燕 has other glyphs."""
    pdf = tmp_path / "letter.pdf"
    born_digital_pdf(pdf, [LETTER], numbered=False)
    page = open_document(_ref(pdf)).page(0)
    text = text_from_layer(page)
    original = prints_of(_evidence(pdf, text, page.image), "A", (1, 0))[0]
    copy_img = scan_image(LETTER, None, ScanStyle(dpi=300, angle=0.4, noise=8.0), seed=7)
    copy = prints_of(_evidence(tmp_path / "copy.jpg", _misread(text, "德明", "估朋"), copy_img), "B", (1, 1))[0]
    sibling_img = scan_image(COLLEAGUE, None, ScanStyle(dpi=200, noise=6.0), seed=8)
    sibling_text = PageText("\n".join(COLLEAGUE), tuple(replace(s, text=t) for s, t in zip(text.spans, COLLEAGUE,
                                                                                           strict=True)))
    sibling = prints_of(_evidence(tmp_path / "other.jpg", sibling_text, sibling_img), "C", (1, 2))[0]

    misread = compare_text(original.text, copy.text)
    assert ("德明", "估朋") in misread.fields
    sims = [glyph_similarity(original, copy, at) for at in misread.field_at]
    assert all(s is not None and s >= GLYPH_SAME for s in sims), sims
    other = compare_text(original.text, sibling.text)
    assert ("韩德明", "徐春燕") in other.fields
    sims = [glyph_similarity(original, sibling, at) for at in other.field_at]
    assert all(s is not None and s < GLYPH_SAME for s in sims), sims

    assert page_similarity(copy, original) is not None
    assert page_similarity(sibling, original) is None
    # Without glyphs (a store from before them) the misreading is a field, as it was.
    assert page_similarity(replace(copy, glyphs=()), original) is None


def test_the_store_keeps_line_glyphs_and_an_old_store_has_none(tmp_path: Path) -> None:
    """Glyphs go into the store's pages with their lines and come back aligned with them; a
    store written before the column existed is upgraded in place, its pages without glyphs."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE pages (doc TEXT NOT NULL, display TEXT NOT NULL, applicant TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, page INTEGER NOT NULL, phash TEXT, dhash TEXT, lines TEXT NOT NULL,"
        " run REAL NOT NULL, exact INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (doc, page));"
        "INSERT INTO pages VALUES ('/old', 'old', 'A', 's0', 1, NULL, NULL, '甲乙丙丁', 1.0, 0);")
    db.commit()
    db.close()
    store = EvidenceStore(path)
    pages = (PageEvidence(1, 595, 842, "image", 300.0, PageText("…")),)
    strips = (b"\x01\x02", b"", b"\x03" * 300)
    store.put_pages("/new", "new", "B", "s1", pages, {1: ("甲乙丙丁", "戊己庚辛", "壬癸子丑")},
                    frozenset(), {1: strips})
    got = {p.doc: p.glyphs for p in store.iter_pages()}
    # an earlier run's pages are indexed without their strips; a comparison reads them
    bare = {p.doc: p.glyphs for p in store.iter_pages(glyphs=False)}
    one = (store.page_glyphs("/new", 1), store.page_glyphs("/old", 1), store.page_glyphs("/none", 1))
    store.close()
    assert got == {"/old": (), "/new": strips}
    assert bare == {"/old": (), "/new": ()}
    assert one == (strips, (), ())


def test_an_earlier_runs_pages_read_their_glyphs_only_when_compared(tmp_path: Path) -> None:
    """The index of stored pages holds no strips (10^5 scanned pages held ~0.6 GB of them);
    each print reads its page's from the store when a comparison asks."""
    from verify.pipeline import _stored_index

    doc = tmp_path / "A" / "orig.png"
    doc.parent.mkdir()
    doc.write_bytes(b"")  # the file is still there: its stored pages are evidence
    store = EvidenceStore(tmp_path / "store.sqlite3")
    pages = (PageEvidence(1, 595, 842, "image", 300.0, PageText("…")),)
    strips = (b"\x01\x02", b"\x03" * 30)
    store.put_pages(str(doc), "A/orig.png", "A", "s1", pages, {1: ("甲乙丙丁", "戊己庚辛")},
                    frozenset(), {1: strips})
    index = _stored_index(store, set())
    (stored,) = [p for prints in index._by_sha.values() for p in prints]
    assert stored.glyphs == () and stored.strips == strips
    store.close()


def test_glyphs_are_stored_once_and_come_back_with_the_evidence(tmp_path: Path) -> None:
    """The evidence is stored without its line glyphs, the pages table keeps them once (the
    spans' strips and which one each compared line has): the cached evidence is the evidence,
    the stored page's strips are its print's, and the misread copy is found from either."""
    pdf = tmp_path / "letter.pdf"
    born_digital_pdf(pdf, [[*LETTER, "第1页"]], numbered=False)  # a short span: no compared line
    page = open_document(_ref(pdf)).page(0)
    evidence = replace(_evidence(pdf, text_from_layer(page), page.image), sha256="s-letter")
    copy_img = scan_image(LETTER, None, ScanStyle(dpi=300, angle=0.4, noise=8.0), seed=7)
    read = replace(text_from_layer(page), source="ocr")
    copy = prints_of(_evidence(tmp_path / "copy.jpg", _misread(read, "德明", "估朋"), copy_img), "B", (1, 1))[0]
    first = prints_of(evidence, "A", (1, 0))
    assert len(first[0].glyphs) == len(first[0].lines) < len(evidence.pages[0].line_glyphs)

    store = EvidenceStore(tmp_path / "store.sqlite3")
    store.put("k", evidence)
    # a run killed before the applicant's put_pages: its fingerprints and glyphs are nowhere,
    # so the evidence is read again rather than compared by text alone from then on
    assert store.get("k", _ref(pdf)) is None
    store.put_pages(str(pdf), "letter.pdf", "A", "s-letter", evidence.pages,
                    {p.page: p.lines for p in first}, frozenset(), {p.page: p.glyphs for p in first})
    (blob,) = store._db.execute("SELECT blob FROM evidence").fetchone()
    assert len(blob) < sum(map(len, evidence.pages[0].line_glyphs))  # not in the evidence's bytes
    cached = store.get("k", _ref(pdf))
    stored = list(store.iter_pages())
    plan = str(store._db.execute("EXPLAIN QUERY PLAN SELECT page FROM pages WHERE sha256=?", ("x",)).fetchall())
    assert "pages_sha256" in plan  # a cache hit looks its pages up by index, not by a scan
    store.close()
    assert cached is not None and cached.pages == evidence.pages
    assert stored[0].glyphs == first[0].glyphs and stored[0].lines == first[0].lines
    again = PagePrint(stored[0].doc, stored[0].display, "A", "s-letter", 1, first[0].phash, first[0].dhash,
                      stored[0].lines, (0, 0), stored[0].exact, stored[0].glyphs)
    assert page_similarity(copy, again) is not None
    assert page_similarity(copy, replace(again, glyphs=())) is None  # by text alone: a field


@pytest.mark.slow
def test_real_ocr_a_misread_copy_is_found_and_a_colleagues_letter_is_not(tmp_path: Path) -> None:
    """Real Tesseract on rendered scans: the original at 300 DPI, a 0.5°-skewed JPEG re-scan
    whose reading is then given a misread name (韩德明 read 韩估朋, as OCR misreads two or
    three characters at high confidence), and a colleague's letter of the same template. The
    index finds the copy by its glyphs (and would not by its text alone), and not the
    colleague's letter."""
    engine = make_engine("tesseract")
    images = {
        "A/orig.jpg": scan_image(LETTER, None, ScanStyle(), seed=3),
        "B/copy.jpg": scan_image(LETTER, None, ScanStyle(angle=0.5, noise=10.0), seed=4),
        "C/other.jpg": scan_image(COLLEAGUE, None, ScanStyle(), seed=5),
    }
    prints: dict[str, list[PagePrint]] = {}
    for order, (name, img) in enumerate(images.items()):
        path = tmp_path / name
        path.parent.mkdir()
        path.write_bytes(jpeg_bytes(img, 40 if name.startswith("B") else 80))
        page = open_document(_ref(path)).page(0)
        _upright, text = read_page_text(page, engine)
        if name.startswith("B"):
            assert "德明" in text.text, text.text
            text = _misread(text, "德明", "估朋")
        prints[name] = prints_of(_evidence(path, text, page.image, name), name[0], (1, order))
    index = DuplicateIndex()
    for p in prints.values():
        index.add(p)
    (hit,) = index.find(prints["B/copy.jpg"])
    assert hit.other_path == "A/orig.jpg" and hit.page == hit.other_page == 1
    assert index.find(prints["C/other.jpg"]) == ()
    text_only = DuplicateIndex()
    for p in prints.values():
        text_only.add([replace(x, glyphs=()) for x in p])
    assert text_only.find([replace(x, glyphs=()) for x in prints["B/copy.jpg"]]) == ()
