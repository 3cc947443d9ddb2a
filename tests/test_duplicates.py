"""DUPLICATE: byte-identical files and near-identical pages across applicants (五(七))."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pymupdf
import pytest

from verify.bench import (
    ScanStyle,
    body_lines,
    born_digital_pdf,
    cover_lines,
    jpeg_bytes,
    project_title,
    scan_image,
    scanned_pdf,
)
from verify.checks.fingerprint import page_fingerprint, text_lines
from verify.duplicates import (
    FAIR_CHARS,
    FAIR_SHORT,
    GARBLED_LINE_CONF,
    SHAKY_MARK,
    DuplicateIndex,
    PagePrint,
    _could_agree,
    compare_text,
    compared_lines,
    contradicts,
    is_blank,
    page_similarity,
    prints_of,
)
from verify.model import DocumentReport, InputRef, PageText, TextSpan
from verify.options import Options
from verify.pages import open_document
from verify.pipeline import iter_reports
from verify.text.ocr import make_engine
from verify.text.read import read_page_text

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
    noisy = _ocr_noise(original, 0.02, 1)
    assert noisy != original
    same = compare_text(original, noisy)
    assert same.consistent and same.fields == () and 1 <= len(same.slips) <= same.slip_allowance
    other = compare_text(original, "".join(OTHER_COVER))
    assert not other.consistent
    fields = " ".join(a + "|" + b for a, b in other.fields)
    assert "张伟" in fields and "李强" in fields  # the leader differs, and so does the title
    assert any("挥发性" in a and "黑臭" in b for a, b in other.fields)


def test_text_cut_off_at_an_edge_is_not_a_difference() -> None:
    body = "".join(LETTER)
    cropped = body[len(LETTER[0]):]  # a slight crop lost the first line
    c = compare_text(body, cropped)
    assert c.consistent and c.cover_short == 1.0 and c.cover_long < 0.9


def test_a_changed_name_in_a_long_letter_is_a_difference() -> None:
    a = "".join(LETTER)
    b = a.replace("绍兴市生态环境科学研究院", "浙江清水湾环保科技有限公司")
    assert compare_text(a, b).fields and not compare_text(a, b).consistent


def test_a_changed_number_is_a_difference_but_one_misread_digit_is_a_slip() -> None:
    a = "关于聘任王思远同志的通知聘期自2015年2月19日起至2018年2月18日止编号PS37776"
    other_number = a.replace("37776", "41209")
    assert compare_text(a, other_number).fields == (("37776", "41209"),)
    misread = a.replace("2月19日", "2月13日")
    c = compare_text(a, misread)
    assert c.fields == () and c.slips == (("9", "3"),) and c.consistent


def test_two_misread_characters_pass_on_a_long_page_but_a_two_character_name_does_not() -> None:
    body = "".join(LETTER) * 2  # 200+ agreeing characters: a body page
    misread = body.replace("脱氮", "脐氨", 1)  # measured on a print-and-scan copy
    c = compare_text(body, misread)
    assert c.fields == (("脱氮", "脐氨"),) and c.agreed >= 200 and c.consistent
    letter = "".join(APPOINT)  # a short letter: the given name is what makes it someone's
    colleague = letter.replace("王思远", "王立新")
    c = compare_text(letter, colleague)
    assert c.fields == (("思远", "立新"), ("思远", "立新")) and not c.consistent


def test_grey_scan_garbage_is_noise_not_a_different_field() -> None:
    """Measured on set B (doc_118 vs doc_061): the letterhead number and the date line came
    back as Latin junk on one reading; that is no evidence of another document."""
    original = ["舟山服务(2015)445", "关于聘任王思远等同志专业技术职务的通知", "公司各部门:",
                "根据专业技术职务评聘有关规定,经研究决定:聘任王思远同志为助理工程",
                "师,聘期自2015年2月19日起至2018年2月18日止。聘期内享受相应待遇。",
                "特此通知。", "舟山市烂柯环境检测技术技术服务中心", "二〇一五年二月一日"]
    grey = ["FAYWARS(2015)44号", original[1], "公司各部让:", original[3],
            "师,聘期自2015年?月19日起至2018年2月18日止。聘期内享受相应待遇。",
            original[5], original[6], "=O-R-AA"]
    c = compare_text("".join(original), "".join(grey))
    assert c.fields == ()
    assert c.slips == (("门", "让"),)
    assert c.consistent and c.cover_short > 0.9
    # The same template for a colleague: other name, unit, date.
    colleague = ["舟山服务[2019]40号", "关于聘任郑一鸣等同志专业技术职务的通知", "公司各部门:",
                 "根据专业技术职务评聘有关规定,经研究决定:聘任郑一鸣同志为助理工程",
                 "师,聘期自2019年8月1日起至2022年7月31日止。聘期内享受相应待遇。",
                 "特此通知。", "舟山市天台环境检测技术技术服务中心", "二〇一九年八月一日"]
    c = compare_text("".join(grey), "".join(colleague))
    assert ("王思远", "郑一鸣") in c.fields and ("烂柯", "天台") in c.fields
    assert ("18", "22") in c.fields and not c.consistent  # the end of the term


def test_junk_around_a_name_does_not_hide_it_and_the_order_does_not_matter() -> None:
    """Both alignment orders are tried: one of them splits the name from its junk."""
    a = "|ae|)te4HeYj人IN.—nn4a|||J1i周海燕同志:在2021年度工作中表现突出,被评为优秀技术人员。绍兴市环境监测中心站"
    b = "=<>~\\)aebay4|荣誉证书||th||张敏同志:在2021年度工作中表现突出,被评为优秀技术人员。绍兴市环境监测中心站"
    assert compare_text(a, b).fields and compare_text(b, a).fields


def test_ruled_lines_and_lone_glyphs_in_junk_are_not_words() -> None:
    a = "学位证书黄玉兰,女,一九八〇年十二月生。授予工学硕士学位。二〇二一年五月"
    b = "==一一一FSSSFSFOSS=aeFe>黄玉兰,女,一九八〇年十二月生。授予工学硕士学位。人0于一年五月"
    c = compare_text(a, b)
    assert c.fields == () and c.consistent


# --------------------------------------------------------------------------- the index


def _print(doc: str, applicant: str, order: int, sha: str, phash: int, lines: tuple[str, ...],
           page: int = 1) -> PagePrint:
    return PagePrint(doc, doc, applicant, sha, page, phash, phash, lines, (1, order))


def _indexed(*prints: PagePrint) -> DuplicateIndex:
    """An index holding ``prints``, added one document at a time in this order."""
    index = DuplicateIndex()
    for p in prints:
        index.add([p])
    return index


def test_index_names_the_earlier_document_of_another_applicant() -> None:
    lines = tuple(LETTER[2:6])
    first = _print("/a/x.pdf", "A", 0, "s1", 0xF0F0F0F0F0F0F0F0, lines)
    same_applicant = _print("/a/y.pdf", "A", 1, "s2", 0xF0F0F0F0F0F0F0F1, lines)
    other = _print("/b/z.pdf", "B", 2, "s3", 0xF0F0F0F0F0F0F0F3, lines)
    index = _indexed(first, same_applicant, other)
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


APPOINT = ["舟山服务(2015)445号", "关于聘任王思远等同志专业技术职务的通知", "公司各部门：",
           "根据专业技术职务评聘有关规定，经研究决定：聘任王思远同志为助理工程",
           "师，聘期自2015年2月19日起至2018年2月18日止。聘期内享受相应待遇。",
           "特此通知。", "舟山市烂柯环境检测技术服务中心", "二〇一五年二月一日"]


def _compact(lines: list[str]) -> tuple[str, ...]:
    return tuple(ln.replace("，", ",").replace("：", ":") for ln in lines if len(ln) >= 4)


def test_a_colleagues_letter_that_matches_a_poor_copy_but_contradicts_the_original_is_not_a_hit() -> None:
    """The copy's OCR lost the lines with the name; the colleague's letter (same template, same
    date) agrees with the copy on everything the copy read, but the original shows another name."""
    original = _compact(APPOINT)
    copy = tuple(ln if "王思远" not in ln else "RIC[alasAAEMTisBUYEEBEADEeB" for ln in original)
    colleague = tuple(ln.replace("王思远", "郑一鸣") for ln in original)
    a = _print("/a/letter.pdf", "A", 0, "s1", 0x0F0F0F0F0F0F0F0F, original)
    b = _print("/b/copy.jpg", "B", 1, "s2", 0x0F0F0F0F0F0F0F0E, copy)
    c = _print("/c/letter.pdf", "C", 2, "s3", 0x0F0F0F0F0F0F0F0C, colleague)
    index = _indexed(a, b, c)
    assert page_similarity(c, b) is not None  # alone, the copy cannot tell them apart
    assert contradicts(c, a)
    (hit,) = index.find([b])
    assert hit.other_path == "/a/letter.pdf"
    assert index.find([c]) == ()


def test_a_photo_of_a_copy_is_found_through_its_text_lines() -> None:
    """Photos of the same page hash 20-36 bits apart (no shared pHash band); the lines OCR
    read, without the junk at their ends, still bring the original up as a candidate."""
    original = _compact(APPOINT)
    photo = tuple(f"|{ln}\\" if i % 2 else f"i{ln}|" for i, ln in enumerate(original))
    index = DuplicateIndex()
    a = _print("/a/letter.jpg", "A", 0, "s1", 0x0000000000000000, original)
    b = _print("/b/photo.jpg", "B", 1, "s2", 0x5A5A5A5A5A5A5A5A, photo)  # 32 bits apart
    index.add([a])
    index.add([b])
    (hit,) = index.find([b])
    assert hit.other_path == "/a/letter.jpg" and hit.similarity > 0.9


def test_a_page_that_read_little_needs_a_close_image() -> None:
    """Set B doc_116: the copy of a table read its title and unit (37 of 95 characters); what
    it read agrees, so a close image decides."""
    table = ("主要污染物排放统计表", "COD(t)氨氮(t)SO2(t)", "1.8620.6213.71", "4.8328.7220.30",
             "26.146.2026.34", "15.5724.406.36", "衢州市婺江节能环保有限责任公司")
    poor = ("主要污染物排放统计表", "erogee", "1月2月3月4月5月6月", "衢州市要江节能环保有限责任公司")
    a = PagePrint("/a/t.pdf", "a", "A", "s1", 1, 0, 0, table, (1, 0))
    close = PagePrint("/b/t.jpg", "b", "B", "s2", 1, 0x3FF, 0xFFFF, poor, (1, 1))  # 10 / 16 bits
    far = PagePrint("/b/t.jpg", "b", "B", "s2", 1, 0xFFFF, 0xFFFF, poor, (1, 1))  # 16 bits
    c = compare_text("".join(table), "".join(poor))
    assert c.consistent and c.cover_short > FAIR_SHORT and c.cover_long < FAIR_SHORT
    assert page_similarity(a, close) is not None
    assert page_similarity(a, far) is None
    # Less read still (title and unit, 24 characters agree): a very close pHash and dHash.
    little = ("主要污染物排放统计表", "衢州市要江节能环保有限责任公司")
    assert compare_text("".join(table), "".join(little)).agreed < FAIR_CHARS
    near = PagePrint("/b/t.jpg", "b", "B", "s2", 1, 0xFF, 0xFF, little, (1, 1))  # 8 / 8 bits
    assert page_similarity(a, near) is not None
    assert page_similarity(a, replace(near, dhash=0x1FFFF)) is None  # dHash 17 bits
    assert page_similarity(a, replace(near, phash=0xFFF)) is None  # pHash 12 bits


def test_fingerprint_survives_recompression_and_margin_crop() -> None:
    img = scan_image(COVER, None, ScanStyle(), seed=1)
    again = scan_image(COVER, None, ScanStyle(crop=0.03, jpeg_quality=30, noise=8.0), seed=2)
    other = scan_image(LETTER, None, ScanStyle(), seed=1)
    fa, fb, fo = (page_fingerprint(i) for i in (img, again, other))
    bits = (int(fa.phash, 16) ^ int(fb.phash, 16)).bit_count()
    assert bits <= 6
    assert (int(fa.phash, 16) ^ int(fo.phash, 16)).bit_count() > bits + 6


def _ocr_lines(path: Path) -> tuple[str, ...]:
    ref = InputRef(path.name, path, PurePosixPath(str(path.resolve())))
    _upright, text = read_page_text(open_document(ref).page(0), make_engine("tesseract"))
    return text_lines(text)


@pytest.mark.slow
def test_real_ocr_of_a_poor_rescan_agrees_and_a_colleagues_letter_differs_in_its_fields(tmp_path: Path) -> None:
    """Real Tesseract on rendered pages: a 150-DPI noisy, skewed, JPEG-40 re-scan of a letter
    reads with OCR noise but no differing field; the same template for a colleague (another
    name, term and number) differs in fields even though the images hash alike."""
    colleague = [ln.replace("王思远", "郑一鸣").replace("445", "518").replace("2015年2月19日", "2016年9月1日")
                 .replace("2018年2月18日", "2019年8月31日") for ln in APPOINT]
    pages = {
        "original": scan_image(APPOINT, None, ScanStyle(), seed=3),
        "copy": scan_image(APPOINT, None, ScanStyle(dpi=150, angle=0.5, noise=10.0), seed=4),
        "colleague": scan_image(colleague, None, ScanStyle(), seed=5),
    }
    lines = {}
    for name, img in pages.items():
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(jpeg_bytes(img, 40 if name == "copy" else 80))
        lines[name] = _ocr_lines(path)
    copy = compare_text("".join(lines["original"]), "".join(lines["copy"]))
    assert copy.fields == () and copy.consistent, copy
    assert copy.cover_short > 0.85 and copy.agreed > 80
    other = compare_text("".join(lines["original"]), "".join(lines["colleague"]))
    assert not other.consistent
    assert any("王思远" in a and "郑一鸣" in b for a, b in other.fields), other.fields
    prints = {name: PagePrint(f"/{name}", name, name, name, 1, int(fp.phash, 16), int(fp.dhash, 16),
                              lines[name], (1, i))
              for i, (name, fp) in enumerate((n, page_fingerprint(img)) for n, img in pages.items())}
    assert page_similarity(prints["copy"], prints["original"]) is not None
    assert page_similarity(prints["colleague"], prints["original"]) is None
    assert page_similarity(prints["colleague"], prints["copy"]) is None


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


def test_blank_pages_match_nothing(tmp_path: Path) -> None:
    """Two applicants' reports with blank pages: every blank page hashes alike (all bits 0),
    so before blank pages were left out two of three pages matched and the rule fired."""
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    born_digital_pdf(tmp_path / "A" / "report.pdf", [LETTER, [], []], numbered=False)
    born_digital_pdf(tmp_path / "B" / "report.pdf", [COVER, [], []], numbered=False)
    reports = _run((tmp_path,), None)
    evidence = reports["B/report.pdf"].evidence
    assert [is_blank(p) for p in evidence.pages] == [False, True, True]
    assert [p.phash for p in prints_of(evidence, "B", (1, 1))][1:] == [None, None]
    assert _dups(reports["B/report.pdf"]) == []


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


def test_the_subsequence_bound_prunes_only_pairs_no_tier_accepts() -> None:
    """``_could_agree`` skips the alignment; it must never skip a pair that would match."""
    rng = random.Random(5)
    pool = body_lines(rng, 60)
    pages = [tuple(rng.sample(pool, 12)) for _ in range(12)]
    pages += [tuple(_ocr_noise(line, 0.03, i) for line in pages[i]) for i in range(6)]  # copies
    pages += [pages[i][:4] for i in range(3)]  # cut-off copies
    pruned = kept = 0
    for i, la in enumerate(pages):
        for j, lb in enumerate(pages):
            for bits in (0, 8, 20):
                a = PagePrint("/a", "a", "A", "s1", 1, 0, 0, la, (1, 0))
                b = PagePrint("/b", "b", "B", "s2", 1, (1 << bits) - 1, (1 << bits) - 1, lb, (1, 1))
                if page_similarity(a, b) is not None:
                    assert _could_agree(a, b, bits, bits), (i, j, bits)
                    kept += 1
                elif not _could_agree(a, b, bits, bits):
                    pruned += 1
    assert kept >= 3 * 21 and pruned > 100  # copies matched, most different pages pruned


def test_a_logo_read_as_different_junk_on_two_copies_is_noise() -> None:
    """Two scans of one acceptance letter: its red letterhead's logo is read as junk with a
    few Han characters each time (set D doc_084/doc_119). Half junk is garbage, not a field."""
    body = "".join(COVER)
    c = compare_text("es人去" + body, "SS入二HH和上局立" + body)
    assert c.fields == () and c.consistent
    named = compare_text("|J1i周海燕" + body, "|J1i王思远" + body)  # a name behind junk still counts
    assert named.fields and not named.consistent


APPOINTMENT = ["聘书", "兹聘任周雪梅同志为嘉兴市双龙清洁能源技术服务中心工程师，聘期自",
               "2019年8月4日起至2022年8月3日止。", "嘉兴市双龙清洁能源技术服务中心",
               "二〇一九年八月四日", "编号：PS88754"]


def _read(lines: list[tuple[str, float]]) -> PageText:
    """A page text as OCR returns it: one span per line, each with its confidence."""
    spans = tuple(TextSpan(t, (0.1, 0.1 * i, 0.9, 0.1 * i + 0.05), c) for i, (t, c) in enumerate(lines))
    return PageText("\n".join(t for t, _ in lines), spans, "ocr", "tesseract", 70.0)


def test_a_red_border_read_as_han_characters_is_not_a_field() -> None:
    """Set E doc_037 / doc_118: two scans of one appointment certificate; its red border reads
    as a line of junk each time, Han characters among it (Tesseract line confidence 4.5). Those
    characters are left out; the digits of a low-confidence line stay."""
    body = [(line, 85.0) for line in APPOINTMENT]
    a = _read([*body, ("外EPEEREREEEEREREEEEEDEEE和和EREREEEREE本全生生人ET2", 4.5)])
    b = _read([("全一一Ex:", 38.5), *body, ("本仆仆臣人下下芷共生攻下一", 4.5)])
    la, lb = compared_lines(a), compared_lines(b)
    assert la[-1] == SHAKY_MARK + "EPEEREREEEEREREEEEEDEEEEREREEEREEET2" and lb[-1] == "编号:PS88754"
    assert compare_text("".join(la), "".join(lb)).fields == ()
    # Before: the junk's Han characters were a differing field and the copy was missed.
    assert compare_text("".join(text_lines(a)), "".join(text_lines(b))).fields
    number = _read([("iE48S:103996140980368", GARBLED_LINE_CONF - 1)])
    assert compared_lines(number) == (SHAKY_MARK + "iE48S:103996140980368",)


def test_a_misread_year_is_not_a_field_but_another_year_is() -> None:
    """Set C doc_013 / doc_118: the cover's date 二〇二〇年 read 二雾二零年 on one scan and
    二雪世只年 on the other. A stretch before 年/月/日 that is not all numerals is a misread
    number; two numbers that both read as numerals and differ are a field."""
    cover = "".join(COVER[:-1])
    c = compare_text(cover + "二雾二零年七月十四日", cover + "二雪世只年七月十四日")
    assert c.fields == () and c.consistent
    c = compare_text(cover + "二〇一九年七月十四日", cover + "二〇二〇年七月十四日")
    assert c.fields == (("一九", "二〇"),) and not c.consistent
    c = compare_text(cover + "2019年7月14日", cover + "2020年7月14日")
    assert c.fields and not c.consistent
    # Fixture pairs dev seed 72: a grey re-scan read the acceptance letter's date 二O〇一九年一月九日
    # as 去O〇-一大是一月九日; the stretch 九年 / 大是 lies inside a date the other page reads.
    c = compare_text(cover + "二O〇一九年一月九日", cover + "去O〇-一大是一月九日")
    assert c.fields == () and c.consistent
    # A name right before a differing date is not swallowed by the date.
    c = compare_text("兹证明王伟二〇一九年三月" + cover, "兹证明李强二〇二〇年三月" + cover)
    assert c.fields == (("王伟", "李强"), ("一九", "二〇"))
    # Fixture pairs dev seed 71: a seal over a certificate's date, read 二个本年从月<上林月b and
    # 去介王到年/月一十至目 on two scans; a name right after a date stays a field.
    number = "0证书编号:20158299"
    c = compare_text(cover + "二个本年从月<上林月b" + number, cover + "去介王到年/月一十至目|" + number)
    assert c.fields == ()
    assert compare_text("2021年10月王伟" + cover, "2021年10月李强" + cover).fields == (("王伟", "李强"),)
    # A differing word right after a date is still a field: 年度 is not a number slot's end.
    c = compare_text("2021年度" + cover + "王思远", "2021年度" + cover + "郑一鸣")
    assert c.fields == (("王思远", "郑一鸣"),)


def test_text_layers_differ_in_every_character_no_reader_misreads() -> None:
    """Fixture-pair seed 53: two colleagues' born-digital appointment letters, 孙德明 and 孙静.
    From OCR, 德明 / 静 has the shape of a slip; from two PDF text layers it is a name."""
    a = "".join(APPOINTMENT).replace("周雪梅", "孙德明")
    b = "".join(APPOINTMENT).replace("周雪梅", "孙静")
    assert compare_text(a, b).consistent  # OCR text: a tolerated slip
    exact = compare_text(a, b, exact=True)
    assert exact.fields == (("德明", "静"),) and not exact.consistent
    pa = PagePrint("/a", "a", "A", "s1", 1, 0, 0, (a,), (1, 0), exact=True)
    pb = PagePrint("/b", "b", "B", "s2", 1, 0, 0, (b,), (1, 1), exact=True)
    assert page_similarity(pa, pb) is None
    assert page_similarity(pa, replace(pb, exact=False)) is not None  # one side OCR: a slip


def _fixture_items(split: str, count: int, seed: int, files: tuple[str, ...]) -> list[object]:
    """Documents of a generated set, planned again (the generator is deterministic)."""
    from fixtures.gen.archive import plan_set

    _apps, items = plan_set(split, count, seed)
    by_file = {it.file: it for it in items}
    return [by_file[f] for f in files]


def _colleague(item: object, seed: int, file: str) -> object:
    """The same template, layout, unit and dates with another person's name (and, for an
    appointment, its title): a colleague's document, as bench/eval_duplicates draws it."""
    import copy

    from fixtures.gen.content import Pools

    other = copy.deepcopy(item)
    plan = other.plan  # type: ignore[attr-defined]
    rng = random.Random(seed)
    pools = Pools(plan.split)
    while plan.person.name == item.plan.person.name:  # type: ignore[attr-defined]
        plan.person = pools.person(rng)
    if plan.kind == "appointment":
        plan.title = f"聘任{plan.person.name}为{plan.rank}"
    elif plan.kind == "project_cover":
        plan.title = pools.project_title(rng)[0]
    other.delivery.seed = rng.randrange(1 << 30)  # type: ignore[attr-defined]
    other.file = file  # type: ignore[attr-defined]
    return other


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "original", "copy"), [
    # Set E: a 200-DPI scan of a 150-DPI grey scan of an appointment certificate in a red
    # border, which Tesseract reads as a line of Latin and Han junk at the top and the bottom
    # (confidence 4–8); the junk's Han characters differed (生人ET2 / 攻下一): missed.
    (8383, "A02/doc_037.pdf", "A11/doc_118.jpg"),
    # Set C: two 150-DPI scans of a sealed project cover; the date under the seal, 二零二零年,
    # read 二雾二零年 on one and 二雪世只年 on the other: missed.
    (6262, "A02/doc_013.pdf", "A11/doc_118.pdf"),
])
def test_a_copy_whose_junk_or_date_reads_differently_is_found_and_a_colleagues_is_not(
        tmp_path: Path, seed: int, original: str, copy: str) -> None:
    """Copies from the generated holdout sets C and E (``fixtures.generate --split holdout
    --count 120 --seed S``), rebuilt here, with a colleague's document from the same template
    (another name and title, scanned like the original) that must still differ."""
    from fixtures.generate import build_one

    orig, dup = _fixture_items("holdout", 120, seed, (original, copy))
    colleague = _colleague(orig, 7, "A13/doc_900.pdf")
    for it in (orig, dup, colleague):
        build_one(it, tmp_path)  # type: ignore[arg-type]
    reports = _run((tmp_path,), None)
    (hit,) = _dups(reports[copy])
    assert (hit["other_path"], hit["page"], hit["other_page"]) == (original, 1, 1)
    assert _dups(reports[original]) == []
    assert _dups(reports["A13/doc_900.pdf"]) == []


def test_the_store_keeps_which_pages_are_text_layers_and_upgrades_an_old_store(tmp_path: Path) -> None:
    """A later run compares this run's born-digital pages as text layers (孙德明 / 孙静 is a
    name, not a slip) only if the store says they are; a store written before the column
    existed is upgraded in place and its pages count as OCR text."""
    import sqlite3

    from verify.cache import EvidenceStore
    from verify.model import PageEvidence, PageText

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE pages (doc TEXT NOT NULL, display TEXT NOT NULL, applicant TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, page INTEGER NOT NULL, phash TEXT, dhash TEXT, lines TEXT NOT NULL,"
        " run REAL NOT NULL, PRIMARY KEY (doc, page));"
        "INSERT INTO pages VALUES ('/old', 'old', 'A', 's0', 1, NULL, NULL, 'x', 1.0);")
    db.commit()
    db.close()
    store = EvidenceStore(path)
    pages = tuple(PageEvidence(n, 595, 842, "born_digital", None, PageText("…")) for n in (1, 2))
    store.put_pages("/new", "new", "B", "s1", pages, {1: ("甲",), 2: ("乙",)}, frozenset({1}))
    got = {(p.doc, p.page): p.exact for p in store.iter_pages()}
    store.close()
    assert got == {("/old", 1): False, ("/new", 1): True, ("/new", 2): False}


# Tesseract's readings of a fixture certificate (pair seed 9402, case 000): the 300-DPI scan, a
# re-scan of it handed in by another applicant, and a colleague's certificate of the same
# template (another name and sex, another day).
CERT_SCAN = ("三一一一", "和CD9", "宇位是昨|", "|冯思远,女,一九九O年四月生。在环境工程专业完成|",
             "了硕士研究生的学习计划,成绩合格,通过论文答辩,依照|",
             "《中华人民共和国学位条例》的规定,授予工学硕士学位。",
             "|湖州师范学院校长,郑破敏|", "|De年如月关目|", "湖州市生态环境局南浔分局|",
             "人证书编号,102885004476922|")
CERT_RESCAN = ("人<一SS", "|学位证书", "冯思远,女,一九九年四月生。在环境工程专业完成",
               "|了硕士研究生的学习计划,成绩合格,通过论文答辩,依昭|",
               "《中华人民共和国学位条例》的规定,授予工学硕士学位。1",
               "|湖州师范学院“校长,郑慧敏,", "|二@呈二年九月祥日|", "|湖州市生态环境局南泽分局1",
               "人证书编号,102885004476922|")
CERT_COLLEAGUE = ("六<一>erii", "。SS|", "学位证书", "|21|", "|郑婷婷,男,一九九O年四月生。在环境工程专业完成有",
                  "|了硕士研究生的学习计划,成绩合格,通过论文答辩”依照|",
                  "[《中华人民共和国学位条例》的规定,授予工学硕士学位。",
                  "|湖州师范学院”校长,郑慧敏|", "|二oO二二年九月六日|", "|湖州市生态环境局南浮分局|",
                  "|证书编号:102885004476922|", "一一>一|")


def test_a_rescanned_certificate_with_four_slips_is_the_same_but_a_colleagues_is_not() -> None:
    """A re-scan of a 109-character certificate swaps four single characters (照/昭, 破/慧,
    浔/泽 and a border glyph): slips, not fields. The colleague's certificate swaps as many, but
    its holder's name differs, and that is a field."""
    copy = compare_text("".join(CERT_SCAN), "".join(CERT_RESCAN))
    assert copy.fields == () and len(copy.slips) == 4 and ("照", "昭") in copy.slips
    assert copy.consistent
    colleague = compare_text("".join(CERT_SCAN), "".join(CERT_COLLEAGUE))
    assert ("冯思远", "|郑婷婷") in colleague.fields and not colleague.consistent


def _reading_print(doc: str, text: PageText, order: int = 0) -> PagePrint:
    return PagePrint(doc, doc, doc.split("/")[0], doc, 1, 0, 0, compared_lines(text), (1, order))


# Tesseract's readings (text, line confidence) of a fixture appointment letter (pair seed 9401,
# case 000): the scan, another applicant's re-scan of it, and a colleague's letter from the
# same template. The red letterhead reads as a different garble every time, at 36–46.
LETTER_BODY = [("台州市婺江节能环保技术服务中心文件", 85.0), ("台州服务 [2019] 51号", 88.0),
               ("关于聘任徐慧敏等同志专业技术职务的通知", 88.0), ("公司各部门 :", 93.0),
               ("根据专业技术职务评聘有关规定 , 经研究决定 ;聘任徐营敏同志为工程师 ,", 83.0),
               ("聘期自2019年9月1日起至2022年8月31日止。聘期内享受相应待遇。", 91.0), ("特此通知。", 93.0),
               ("台州市婺江节能环保技术服务中心", 77.0)]
LETTER_SCAN = [("< 也人 < 下二各已 S 2如2 Iv", 36.0), *LETTER_BODY, ("年月日", 46.0)]
LETTER_RESCAN = [("人 < 下十 -wb 二刀愉", 46.0), ("台州市要江节能环保技术服务中心文件", 83.0), ("一 -一", 50.0),
                 ("台州服务 [2019] 51号", 81.0), ("关于聘任徐茂敏等同志专业技术职务的通知", 79.0),
                 ("公司各部门 :", 94.0), ("根据专业技术职务评聘有关规定 , 经研究决定 : 聘任徐慧敏同志为工程师 ,", 86.0),
                 ("聘期自2019年9月1日起至2022年8月31日止。聘期内享受相应待遇。", 92.0), ("特此通知。", 93.0),
                 ("台州市婺江节能环保技术服务中心", 85.0), ("OO 年如月只", 40.0)]
LETTER_COLLEAGUE = [("< 矛食 < 下二上各已 SS 22 iv", 40.0), ("台州市婺江节能环保技术服务中心文件", 81.0),
                    ("台州服务 [2019] 51号", 89.0), ("关于聘任赵一鸣等同志专业技术职务的通知", 93.0),
                    ("公司各部门 ;", 87.0),
                    ("根据专业技术职务评聘有关规定 , 经研究决定 : 聘任赵一鸣同志为工程师 ,", 88.0),
                    ("聘期自2019年9月1日起至2022年8月31日止。聘期内享受相应待遇。", 91.0), ("特此通知。", 93.0),
                    ("台州市婺江节能环保技术服务中心", 80.0), ("@ 力年刘有司。目", 28.0)]


def test_a_letterhead_both_pages_read_shakily_is_no_field_but_a_colleagues_name_is() -> None:
    """The letterhead garbled at 36 on the scan and 46 on the re-scan (二各已S2如2Iv / 十-wb二刀愉)
    has the shape of a field, but neither reading is text: the re-scan is the same letter. The
    colleague's letterhead is as garbled, and the name read at 88–93 (赵一鸣) is a field."""
    scan = _reading_print("A/scan.png", _read(LETTER_SCAN), 0)
    rescan = _reading_print("B/rescan.pdf", _read(LETTER_RESCAN), 2)
    colleague = _reading_print("C/other.png", _read(LETTER_COLLEAGUE), 1)
    assert scan.shaky and scan.shaky[0][0] == 0 and "二各已" in scan.text[slice(*scan.shaky[0])]
    without_shaky = compare_text(scan.text, rescan.text)
    assert any("二刀愉" in b for _, b in without_shaky.fields)  # the old reading: a field
    assert page_similarity(rescan, scan) is not None
    assert page_similarity(colleague, scan) is None
    assert ("徐慧敏", "赵一鸣") in compare_text(scan.text, colleague.text, False, scan.shaky, colleague.shaky).fields
    index = DuplicateIndex()
    index.add([scan])
    index.add([colleague])
    assert index.find([colleague]) == ()
    (hit,) = index.find([rescan])
    assert hit.other_path == "A/scan.png" and hit.other_applicant == "A"


def test_a_number_both_pages_read_shakily_still_differs() -> None:
    """Certificate numbers under a seal read at 29–50 on two colleagues' certificates stay a
    number that differs: digits on both sides are not a garble."""
    head = ("学位证书编号与姓名均在下方", 90.0)
    a = _reading_print("A/a.png", _read([head, ("。:::>证书编号©103975727530053", 45.0)]))
    b = _reading_print("B/b.png", _read([head, ("iE48S:103996140980368", 40.0)]))
    c = compare_text(a.text, b.text, False, a.shaky, b.shaky)
    assert c.fields and all(x.isdigit() for f in c.fields for x in f[0] + f[1])


def test_a_colleagues_name_that_differs_in_one_character_twice_is_not_five_slips() -> None:
    """Tesseract's readings of two colleagues' appointment letters (dev pair seed 74, case 006):
    韩佳琪 / 陈佳琪, printed twice, another day, and two seal-covered characters misread. Five
    single swapped characters, but one of them twice alike: a name, not a misreading."""
    letter = ["绍兴市上虞区会稽水务有限公司文件", "绍兴有限[2016]38号", "关于聘任{}等同志专业技术职务的通知",
              "公司各部门:",
              "根据专业技术职务评聘有关规定,经研究决定;:聘任{}同志为助理工程",
              "师,聘期自二〇一六年七月{}日起至二〇一九年七月二十一日止。聘期内亭", "受相应待遇。", "特此通知。"]
    a = "".join(letter).format("韩佳琪", "韩佳琪", "二十三") + "绍兴市上不区会移水务有限公司"
    b = "".join(letter).format("陈佳琪", "陈佳琪", "二十二") + "绍兴市上钻区会稽水务有限公司"
    c = compare_text(a, b)
    assert c.fields == () and c.slips.count(("韩", "陈")) == 2 and len(c.slips) == 5
    assert not c.consistent
    # Five different slips on a letter this long are a re-scan's misreadings.
    misread = {"聘任韩": "聘任转", "聘期": "骋期", "二十三": "二十二", "特此": "持此", "有限公司文件": "有限公司文伴"}
    a_copy = a
    for word, reading in misread.items():
        a_copy = a_copy.replace(word, reading, 1)
    copy = compare_text(a, a_copy)
    assert len(copy.slips) == 5 and len(set(copy.slips)) == 5 and copy.consistent


# Tesseract's readings (text, line confidence) of a fixture appointment letter (pair seed 9404,
# case 005), grey scans: the original, another applicant's copy and a colleague's letter. The
# logo above the letterhead reads as junk, and its last glyph runs into the letterhead's 衢.
def _grey_letter(logo: tuple[str, float], head: tuple[str, float], name: str) -> list[tuple[str, float]]:
    return [logo, head, ("衢州责任 [2018] 2号", 84.0), (f"关于聘任{name}等同志专业技术职务的通知", 90.0),
            ("公司各部门 :", 94.0), (f"根据专业技术职务评聘有关规定 , 经研究决定 , 聘任{name}同志为工程师 ,", 85.0),
            ("聘期自2018年2月11日起至2021年2月10日止。聘期内享受相应待遇。", 82.0), ("特此通知。", 93.0),
            ("衢州市太湖生态环境研究有限责任公司", 92.0), ("二 O 一八年二月一日", 92.0)]


def test_a_logo_garbled_on_both_pages_does_not_make_the_next_lines_misread_a_field() -> None:
    """Original: logo ``:7这 E 导 N 坪`` (41), then ``御州市…`` (81) for 衢州市; copy: ``、 Ai 三后 N 二``
    (33), then ``衢州市…``. Aligned, 坪御 / 二衢 has a field's shape; without the ends both pages
    read in shaky lines it is 御 / 衢, a slip. The colleague's letter (宋静) stays apart."""
    original = _reading_print("A/orig.bmp", _read(_grey_letter(
        (":7这 E 导 N 坪", 41.0), ("御州市太湖生态环境研究有限责任公司文件", 81.0), "唐慧敏")), 0)
    copy = _reading_print("B/copy.bmp", _read(_grey_letter(
        ("、 Ai 三后 N 二", 33.0), ("衢州市太湖生态环境研究有限责任公司文件", 70.0), "唐慧敏")), 2)
    colleague = _reading_print("C/other.bmp", _read(_grey_letter(
        ("Y 7这 = 扯 N 二", 27.0), ("衢州市太湖生态环境研究有限责任公司文件", 93.0), "宋静")), 1)
    assert compare_text(original.text, copy.text).fields == (("坪御", "二衢"),)  # without shaky lines
    c = compare_text(original.text, copy.text, False, original.shaky, copy.shaky)
    assert c.fields == () and ("御", "衢") in c.slips
    assert page_similarity(copy, original) is not None
    assert ("唐慧敏", "宋静") in compare_text(original.text, colleague.text, False, original.shaky,
                                            colleague.shaky).fields
    assert page_similarity(colleague, original) is None


def test_a_border_read_as_a_row_of_yi_and_ren_is_not_a_field() -> None:
    """Pair seed 9401, case 017: a born-digital award certificate (its text layer ends with the
    seal's legend) and Tesseract's reading of a trimmed copy, whose frame reads as a row of
    一 and 人. Aligned against the legend that row has a field's shape (一人, 一全); it is a
    ruled line. The holder's name still differs on a colleague's certificate."""
    layer = ("获奖证书", "为表彰在科学技术进步中做出突出贡献者,特颁发此证书。项目名称:嘉兴市",
             "科学技术进步奖;奖励等级:一等奖;获奖者:张健。", "衢州市生态环境保护综合行政执法队", "2019年06月",
             "证书编号:20181342", "湖州市生态环境局南浔分局", "业务专用章")
    ocr = ("|奖证书", "|钛天1,", "1为表彰在科学技术进步中做出突出贡献者,特颁发此证书。项目名称:嘉兴市)",
           "|科学技术进步奖;奖励等级:一等奖;获奖者:张健。",
           "人湖州市生态环境局南浔分局衢州市生态环境保护综合行政执法队|",
           "2019年06月|", "人证书编号:20181342由", "PKDrC一一一<人>一人>一>人>一>一人一人一全一一一一一一-一一一|")
    copy = compare_text("".join(layer), "".join(ocr))
    assert copy.fields == () and copy.consistent
    colleague = compare_text("".join(layer), "".join(ocr).replace("张健", "陈德明"))
    assert ("张健", "陈德明") in colleague.fields


def test_a_date_whose_month_unit_is_misread_is_still_a_date() -> None:
    """Pair seed 9403, case 015: a project cover's date read 二零二三年五朋 (月 as 朋) on the
    original and 有二而月 (36) on the re-scan. With a year and a month's number it is a date,
    and its differing stretch a misread number. A colleague's cover, another project, differs."""
    head = "".join(["项目编号 :, HP-2019-088", "{}", "环境风险评估报告", "〈报批稿 )",
                    "委托单位 : 湖州市括苍环境检测技术设计院有限公司", "{}市雁荡节能环保设计院有限公司"])
    original = head.format("舟山练市镇再生水三地下水环境调查", "衢") + "二零二三年五朋"
    copy = head.format("丹山练市镇再生水厂地下水环境调查", "衙") + "有二而月"
    c = compare_text(original, copy)
    assert c.fields == () and c.consistent
    colleague = head.format("湖州莲都区光伏发电项目迁建项目", "衢") + "呈过二三年而月"
    assert any("光伏" in b for _, b in compare_text(original, colleague).fields)


# Tesseract's readings of a fixture certificate photographed (pair seed 9405, case 016) and of
# another applicant's recompressed copy of that photo: every line of the copy gained a glyph
# from the frame (人为表彰…, 和证书编号…) or lost one character (梁宏伟, 南津), and the photos'
# pHashes are 28 bits apart, so neither a whole line nor a hash band is shared.
CERT_PHOTO = ("|为表彰在科学技术进步中做出突出贡献者,特颁发此证书。项目名称;浙江省|",
              "生态环境科学技术奖,奖励等级,二等奖,获奖者,梁安伟。", ")湖州市生态环境局南浔分局,",
              "()证书编号,20167828", "\ue000neee")
CERT_PHOTO_COPY = ("\ue000让一一一十夕全书", "狼天让|",
                   "人为表彰在科学技术进步中做出突出贡献者,特颁发此证书。项目名称:浙江省|",
                   "1生态环境科学技术奖;奖励等级;二等奖,获奖者:梁宏伟。人", "湖州市生态环境局南津分局",
                   "和证书编号,20167828|")


def test_a_copy_whose_every_line_differs_a_little_is_still_a_candidate() -> None:
    """The index finds candidates by runs of characters, not only by whole lines."""
    from verify.duplicates import _line_keys

    original = PagePrint("A/orig.jpg", "A/orig.jpg", "A", "a", 1, 0x95606ACA6A1E6B97, 0x80CCCCDCDCD4FCFE,
                         CERT_PHOTO, (1, 0))
    copy = PagePrint("B/copy.jpg", "B/copy.jpg", "B", "b", 1, 0xD43D3F853E946A21, 0xF6C88C8CC4C4CCCC,
                     CERT_PHOTO_COPY, (1, 1))
    assert not _line_keys(original.lines) & _line_keys(copy.lines)  # no whole line in common
    assert page_similarity(copy, original) is not None
    index = DuplicateIndex()
    index.add([original])
    index.add([copy])
    hits = index.find([copy])
    assert [(h.page, h.other_path, h.other_page) for h in hits] == [(1, "A/orig.jpg", 1)]


def test_boilerplate_runs_shared_by_many_pages_do_not_make_every_page_a_candidate() -> None:
    """Runs of characters on more than ``GRAM_MAX_POSTINGS`` pages are a template's wording:
    of 100 report pages that share it (and each have their own sentence), a page's candidates
    by runs are the few that share most, not all 100."""
    from verify.duplicates import GRAM_CANDIDATES, GRAM_MAX_POSTINGS, _gram_keys

    rng = random.Random(5)
    boiler = "根据浙江省生态环境厅关于做好职称评审工作的通知文件精神现将有关事项通知如下"
    prints = [PagePrint(f"A{i}/r.pdf", f"A{i}/r.pdf", f"A{i}", f"s{i}", 1, None, None,
                        (boiler + f"项目编号SX2021{i:03d}{project_title(rng)}{project_title(rng)}",), (1, i))
              for i in range(100)]
    index = DuplicateIndex()
    index.add(prints)
    assert max(len(index._grams[k]) for k in _gram_keys(prints[0].text_chars)) == 100 > GRAM_MAX_POSTINGS
    candidates = index._candidates(prints[0])
    assert 1 < len(candidates) <= GRAM_CANDIDATES + 1
    assert ("A0/r.pdf", 1) in candidates  # the page itself shares most


def test_pages_of_one_template_are_not_all_candidates_of_each_other() -> None:
    """300 certificates of one template (its lines on every page, hashes 0–12 bits apart): a
    page's candidates are its own rarer lines' pages and its nearest images, a bounded few."""
    from verify.bench import template_prints
    from verify.duplicates import GRAM_CANDIDATES, IMAGE_CANDIDATES, LINE_MAX_POSTINGS

    prints = template_prints(300)
    index = DuplicateIndex()
    index.add(prints)
    assert len(index._lines[prints[0].lines[1]]) == 300 > LINE_MAX_POSTINGS
    for p in prints[:20]:
        candidates = index._candidates(p)
        assert (p.doc, 1) in candidates and len(candidates) <= IMAGE_CANDIDATES + GRAM_CANDIDATES + 2
