"""DUPLICATE: byte-identical files and near-identical pages across applicants (五(七))."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pymupdf
import pytest

from verify.bench import (
    ScanStyle,
    born_digital_pdf,
    cover_lines,
    jpeg_bytes,
    scan_image,
    scanned_pdf,
)
from verify.checks.fingerprint import page_fingerprint
from verify.duplicates import DuplicateIndex, PagePrint, compare_text
from verify.model import DocumentReport
from verify.options import Options
from verify.pipeline import iter_reports

COVER = cover_lines("挥发性有机物在线监测关键技术研究", "浙江绿源环境工程有限公司", "张伟", "SX2021-779", 2021)
OTHER_COVER = cover_lines("城市黑臭水体整治示范工程", "浙江绿源环境工程有限公司", "李强", "SX2021-316", 2021)
LETTER = ["关于开展污水处理厂提标改造工作的函", "",
          "本项目针对城镇污水处理厂提标改造中的脱氮除磷问题开展了系统研究。",
          "课题组在现场开展了为期十二个月的连续监测，取得了大量第一手数据。",
          "根据监测结果，出水总氮浓度稳定低于每升十毫克，达到设计要求。",
          "研究成果已在三个污水处理厂推广应用，取得了良好的环境效益。", "",
          "绍兴市生态环境科学研究院", "2021年6月18日"]


def _dups(report: DocumentReport) -> list[dict[str, object]]:
    return [dict(f.evidence) for f in report.findings if f.code == "DUPLICATE"]


# --------------------------------------------------------------------------- text comparison


def _ocr_noise(text: str, rate: float, seed: int) -> str:
    """Scattered single-character substitutions, as Tesseract makes them."""
    rng = random.Random(seed)
    return "".join(rng.choice("口日曰天广厂") if rng.random() < rate else ch for ch in text)


def test_ocr_noise_is_the_same_text_but_another_title_is_not() -> None:
    original = "".join(COVER)
    noisy = _ocr_noise(original, 0.05, 1)
    assert noisy != original
    same = compare_text(original, noisy)
    assert same.same and same.ratio > 0.9
    other = compare_text(original, "".join(OTHER_COVER))
    assert not other.same
    assert other.distinct >= 11  # the title run alone is longer than any OCR slip


def test_text_cut_off_at_an_edge_is_not_a_difference() -> None:
    body = "".join(LETTER)
    cropped = body[len(LETTER[0]):]  # a slight crop lost the first line
    assert compare_text(body, cropped).same


def test_a_changed_name_in_a_long_letter_is_a_difference() -> None:
    a = "".join(LETTER)
    b = a.replace("绍兴市生态环境科学研究院", "浙江清水湾环保科技有限公司")
    assert not compare_text(a, b).same


# --------------------------------------------------------------------------- the index


def _print(doc: str, applicant: str, order: int, sha: str, phash: int, lines: tuple[str, ...],
           page: int = 1) -> PagePrint:
    return PagePrint(doc, doc, applicant, sha, page, phash, phash, lines, (1, order))


def test_index_names_the_earlier_document_of_another_applicant() -> None:
    lines = tuple(LETTER[2:6])
    index = DuplicateIndex()
    first = _print("/a/x.pdf", "A", 0, "s1", 0xF0F0F0F0F0F0F0F0, lines)
    same_applicant = _print("/a/y.pdf", "A", 1, "s2", 0xF0F0F0F0F0F0F0F1, lines)
    other = _print("/b/z.pdf", "B", 2, "s3", 0xF0F0F0F0F0F0F0F3, lines)
    for p in (first, same_applicant, other):
        index.add([p])
    assert index.find([first]) == ()  # the original
    assert index.find([same_applicant]) == ()  # the same applicant may reuse their own page
    (hit,) = index.find([other])
    assert (hit.other_path, hit.other_applicant, hit.page, hit.other_page, hit.exact) == \
        ("/a/x.pdf", "A", 1, 1, False)


def test_index_reports_byte_identical_files_as_exact() -> None:
    index = DuplicateIndex()
    a = _print("/a/x.pdf", "A", 0, "same", 1, ())
    b = _print("/b/x.pdf", "B", 1, "same", 1, ())
    index.add([a])
    index.add([b])
    (hit,) = index.find([b])
    assert hit.exact and hit.similarity == 1.0 and hit.other_path == "/a/x.pdf"


def test_fingerprint_survives_recompression_and_margin_crop() -> None:
    img = scan_image(COVER, None, ScanStyle(), seed=1)
    again = scan_image(COVER, None, ScanStyle(crop=0.03, jpeg_quality=30, noise=8.0), seed=2)
    other = scan_image(LETTER, None, ScanStyle(), seed=1)
    fa, fb, fo = (page_fingerprint(i) for i in (img, again, other))
    bits = (int(fa.phash, 16) ^ int(fb.phash, 16)).bit_count()
    assert bits <= 6
    assert (int(fa.phash, 16) ^ int(fo.phash, 16)).bit_count() > bits + 6


# --------------------------------------------------------------------------- end to end


def _run(paths: tuple[Path, ...], cache: Path | None) -> dict[str, DocumentReport]:
    return {r.evidence.ref.display: r for r in
            iter_reports(Options(paths=paths, jobs=1, cache=cache, quiet=True))}


def test_born_digital_copies_across_applicants_and_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "round1", tmp_path / "round2"
    (first / "张三").mkdir(parents=True)
    (second / "李四").mkdir(parents=True)
    (second / "王五").mkdir(parents=True)
    born_digital_pdf(first / "张三" / "letter.pdf", [LETTER, COVER])
    # Byte-identical copy, and a re-saved copy (other bytes, same pages), in a later run.
    shutil.copy(first / "张三" / "letter.pdf", second / "李四" / "copy.pdf")
    doc = pymupdf.open(first / "张三" / "letter.pdf")
    doc.set_metadata({"title": "resaved"})
    doc.save(second / "王五" / "resaved.pdf", garbage=4, deflate=False)
    doc.close()
    cache = tmp_path / "cache.sqlite3"

    run1 = _run((first,), cache)
    assert _dups(run1["张三/letter.pdf"]) == []

    run2 = _run((second,), cache)
    (exact,) = _dups(run2["李四/copy.pdf"])
    assert exact["exact"] is True and exact["other_path"] == "张三/letter.pdf"
    assert exact["other_applicant"] == "张三"
    near = _dups(run2["王五/resaved.pdf"])
    # Both pages found, each naming the same page of the first run's document (the copy in
    # 李四's folder is later in this run's order than the stored original).
    assert sorted((d["page"], d["other_page"], d["other_path"]) for d in near) == \
        [(1, 1, "张三/letter.pdf"), (2, 2, "张三/letter.pdf")]

    # The first run's folder deleted: its documents are no longer evidence.
    shutil.rmtree(first)
    run3 = _run((second,), cache)
    assert _dups(run3["李四/copy.pdf"]) == []
    (again,) = {(d["other_path"]) for d in _dups(run3["王五/resaved.pdf"])}
    assert again == "李四/copy.pdf"


@pytest.mark.slow
def test_rescanned_cover_is_a_duplicate_but_a_template_sibling_is_not(tmp_path: Path) -> None:
    for name in ("A", "B", "C", "D"):
        (tmp_path / name).mkdir()
    scanned_pdf(tmp_path / "A" / "cover.pdf", [COVER], ScanStyle(), numbered=False, seed=1)
    rescan = scan_image(COVER, None, ScanStyle(angle=0.6, noise=6.0, shift=(25, -30)), seed=9)
    (tmp_path / "B" / "cover.jpg").write_bytes(jpeg_bytes(rescan, 60))
    scanned_pdf(tmp_path / "C" / "cover.pdf", [OTHER_COVER], ScanStyle(), numbered=False, seed=1)
    # The same applicant's own second copy is not a cross-applicant duplicate.
    shutil.copy(tmp_path / "A" / "cover.pdf", tmp_path / "A" / "z-copy.pdf")
    shutil.copy(tmp_path / "A" / "cover.pdf", tmp_path / "D" / "same-bytes.pdf")
    reports = _run((tmp_path,), None)
    assert _dups(reports["A/cover.pdf"]) == []
    assert _dups(reports["A/z-copy.pdf"]) == []
    (hit,) = _dups(reports["B/cover.jpg"])
    assert (hit["other_path"], hit["other_page"], hit["exact"]) == ("A/cover.pdf", 1, False)
    assert _dups(reports["C/cover.pdf"]) == []  # same template, another project
    (exact,) = _dups(reports["D/same-bytes.pdf"])
    assert exact["exact"] is True and exact["other_path"] == "A/cover.pdf"
    finding = next(f for f in reports["B/cover.jpg"].findings if f.code == "DUPLICATE")
    assert "A/cover.pdf" in finding.message and "A" in finding.message
