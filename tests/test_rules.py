"""Rules: evidence in, findings out, driven by the profile (no OCR: evidence built directly)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from verify.model import (
    Applicant,
    DateMention,
    DateRole,
    DocumentEvidence,
    InputRef,
    Kind,
    Measurement,
    PageEvidence,
    PageLabel,
    PageText,
    PartialDate,
    Seal,
    Status,
    Understanding,
)
from verify.pipeline import applicant_from_folder
from verify.profile import load_profile
from verify.report.rows import to_row
from verify.rules import DuplicateHit, RuleContext, judge

PROFILE = load_profile("shaoxing-2022")
SEAL = Seal(1, (0.6, 0.7, 0.8, 0.85), "round", "red", "某某公司", 0.97)


def _page(n: int = 1, seals: tuple[Seal, ...] = (), label: PageLabel | None = None,
          measurements: tuple[Measurement, ...] = ()) -> PageEvidence:
    return PageEvidence(n, 595, 842, "image", 200.0, PageText("…"), seals, measurements, label)


def _doc(kind: Kind, date: str | None = "2021-06-18", seals: tuple[Seal, ...] = (),
         title: str | None = None, pages: tuple[PageEvidence, ...] | None = None,
         path: str = "A01/x.pdf") -> DocumentEvidence:
    mention = (DateMention(1, date, PartialDate.parse(date), DateRole.issued) if date else None)
    pages = pages or (_page(seals=seals),)
    ref = InputRef(path, Path(path), PurePosixPath("/" + path), group=path.split("/")[0])
    understanding = Understanding(kind, achievement_date=mention,
                                  dates=(mention,) if mention else (), title=title)
    return DocumentEvidence(ref, "0" * 64, Status.ok, page_count=len(pages), pages=pages,
                            understanding=understanding)


def _codes(doc: DocumentEvidence, applicant: Applicant | None = None,
           siblings: tuple[DocumentEvidence, ...] = (), dups: tuple[DuplicateHit, ...] = ()) -> list[str]:
    applicant = applicant or Applicant("A01", PartialDate(2019, 1, 1), PartialDate(2022, 6, 30), "flag")
    return [f.code for f in judge(RuleContext(doc, applicant, siblings, dups), PROFILE).findings]


@pytest.mark.parametrize(
    ("kind", "sealed", "expected"),
    [
        (Kind.project_cover, False, ["SEAL_MISSING"]),
        (Kind.project_cover, True, []),
        (Kind.appointment, False, ["SEAL_MISSING"]),
        (Kind.certificate, False, []),  # certificates need no unit seal under this profile
        (Kind.paper_published, False, []),
    ],
)
def test_seal_missing_follows_profile_kinds(kind: Kind, sealed: bool, expected: list[str]) -> None:
    assert _codes(_doc(kind, seals=(SEAL,) if sealed else ())) == expected


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2018-12-31", ["BEFORE_APPOINTMENT"]),
        ("2018-12", ["BEFORE_APPOINTMENT"]),
        ("2019-01", []),  # month-only in the appointment month: not before it
        ("2019-01-01", []),
        ("2022-06-30", []),
        ("2022-06", []),  # month-only in the cutoff month: not after it
        ("2022-07-01", ["AFTER_CUTOFF"]),
    ],
)
def test_date_window_compares_at_printed_precision(date: str, expected: list[str]) -> None:
    assert _codes(_doc(Kind.certificate, date)) == expected


def test_date_finding_carries_its_evidence() -> None:
    report = judge(RuleContext(_doc(Kind.certificate, "2018-03-05"),
                               Applicant("A01", PartialDate(2019, 1, 1), None, "manifest")), PROFILE)
    (finding,) = report.findings
    ev = dict(finding.evidence)
    assert ev["date"] == "2018-03-05" and ev["boundary"] == "2019-01-01" and ev["page"] == 1
    assert finding.rule == "五(一)3" and finding.severity.value == "major"
    assert "2019-01-01" in finding.message and "早于" in finding.message


def test_date_missing_only_for_dated_kinds() -> None:
    assert _codes(_doc(Kind.certificate, None)) == ["DATE_MISSING"]
    assert _codes(_doc(Kind.other, None)) == []


def test_not_published_unless_the_folder_holds_the_publication() -> None:
    letter = _doc(Kind.paper_accepted, seals=(SEAL,), title="曹娥江流域水质模型的参数率定研究")
    assert _codes(letter) == ["NOT_PUBLISHED"]
    published = _doc(Kind.paper_published, title="曹娥江流域水质模型的参数率定研究", path="A01/y.pdf")
    other = _doc(Kind.paper_published, title="城市污水处理厂提标改造的工艺比选", path="A01/z.pdf")
    assert _codes(letter, siblings=(published,)) == []
    assert _codes(letter, siblings=(other,)) == ["NOT_PUBLISHED"]
    # The row says why there is no finding: the document that proves publication.
    applicant = Applicant("A01", PartialDate(2019, 1, 1), PartialDate(2022, 6, 30), "flag")
    proved = judge(RuleContext(letter, applicant, (other, published)), PROFILE)
    assert proved.publication_proof == ("A01/y.pdf",)
    assert to_row(proved)["publication_proof"] == ["A01/y.pdf"]
    assert "publication_proof" not in to_row(judge(RuleContext(letter, applicant, (other,)), PROFILE))


def test_a_letter_whose_title_was_not_extracted_is_matched_by_the_publication_title() -> None:
    text = "周婷同志：\n您的论文《曹娥江流域水质模型的参数\n率定研究》已被本刊录用，拟刊于2022年第3期。"
    page = replace(_page(seals=(SEAL,)), text=PageText(text))
    letter = _doc(Kind.paper_accepted, pages=(page,))
    published = _doc(Kind.paper_published, title="曹娥江流域水质模型的参数率定研究", path="A01/y.pdf")
    other = _doc(Kind.paper_published, title="城市污水处理厂提标改造的工艺比选", path="A01/z.pdf")
    assert _codes(letter, siblings=(published,)) == []
    assert _codes(letter, siblings=(other,)) == ["NOT_PUBLISHED"]


def test_clarity_severity_by_degree() -> None:
    t = next(t for t in PROFILE.thresholds if t.code == "BLURRY")
    limits = dict(t.levels)
    soft = _page(measurements=(Measurement("sharpness", limits[min(limits)] - 0.5),))
    doc = _doc(Kind.other, None, pages=(soft,))
    (finding,) = judge(RuleContext(doc, Applicant(None, None, None)), PROFILE).findings
    assert finding.code == "BLURRY" and finding.page == 1
    assert dict(finding.evidence)["measure"] == "sharpness"


def test_pages_missing_from_footers() -> None:
    pages = (_page(1, label=PageLabel(1, 4, "第1页 共4页")), _page(2, label=PageLabel(2, 4, "第2页 共4页")),
             _page(3, label=PageLabel(4, 4, "第4页 共4页")))
    assert _codes(_doc(Kind.other, None, pages=pages)) == ["PAGES_MISSING"]


def test_duplicate_names_the_other_applicant() -> None:
    hit = DuplicateHit(1, "B02/cover.pdf", 1, "B02", 0.98, False)
    report = judge(RuleContext(_doc(Kind.other, None), Applicant("A01", None, None), (), (hit,)), PROFILE)
    (finding,) = report.findings
    assert finding.code == "DUPLICATE" and "B02/cover.pdf" in finding.message and finding.rule == "五(七)"


def test_unreadable_gets_only_the_unreadable_finding() -> None:
    ref = InputRef("A01/bad.pdf", Path("bad.pdf"), PurePosixPath("/A01/bad.pdf"))
    doc = DocumentEvidence(ref, None, Status.unreadable, "empty file (0 bytes)", "文件为空（0 字节）")
    (finding,) = judge(RuleContext(doc, Applicant(None, None, None)), PROFILE).findings
    assert finding.code == "UNREADABLE" and finding.severity.value == "blocking"
    assert "文件为空" in finding.message


def test_appointment_date_from_the_folder() -> None:
    letter = _doc(Kind.appointment, "2020-04-16", seals=(SEAL,))
    applicant = applicant_from_folder(Applicant("A01", None, None, "none"), [letter])
    assert applicant.appointed == PartialDate(2020, 4, 16) and applicant.appointed_source == "folder"
    given = Applicant("A01", PartialDate(2019, 1, 1), None, "flag")
    assert applicant_from_folder(given, [letter]) is given


def test_shared_body_pages_alone_are_not_a_duplicate() -> None:
    """Two reports of one company share boilerplate pages; only the first page, an exact
    copy or most pages make a document a duplicate."""
    pages = tuple(_page(n) for n in (1, 2, 3, 4))
    doc = _doc(Kind.project_cover, seals=(SEAL,), pages=pages)
    body = (DuplicateHit(3, "B02/r.pdf", 3, "B02", 0.99, False),)
    assert "DUPLICATE" not in _codes(doc, dups=body)
    cover = (DuplicateHit(1, "B02/r.pdf", 1, "B02", 0.97, False),)
    assert "DUPLICATE" in _codes(doc, dups=cover)
    most = tuple(DuplicateHit(n, "B02/r.pdf", n, "B02", 0.97, False) for n in (2, 3, 4))
    assert _codes(doc, dups=most).count("DUPLICATE") == 3


def test_boilerplate_pages_matching_several_documents_are_not_a_copy_of_one() -> None:
    """Set G doc_056: pages 2 and 3 of a 3-page report matched two other applicants' reports,
    one page each. Two thirds of the pages matched, but of no one document."""
    doc = _doc(Kind.project_cover, seals=(SEAL,), pages=tuple(_page(n) for n in (1, 2, 3)))
    spread = (DuplicateHit(2, "B02/r.pdf", 2, "B02", 0.97, False),
              DuplicateHit(3, "C03/s.pdf", 2, "C03", 1.0, False))
    assert "DUPLICATE" not in _codes(doc, dups=spread)
    one = (DuplicateHit(2, "B02/r.pdf", 2, "B02", 0.97, False),
           DuplicateHit(3, "B02/r.pdf", 3, "B02", 1.0, False))
    assert _codes(doc, dups=one).count("DUPLICATE") == 2
    # with the first page matched, only that document's pages are named
    both = (DuplicateHit(1, "B02/r.pdf", 1, "B02", 0.97, False), *spread)
    report = judge(RuleContext(doc, Applicant("A01", None, None), (), both), PROFILE)
    assert sorted(f.page or 0 for f in report.findings if f.code == "DUPLICATE") == [1, 2]


def test_a_journal_issue_s_cover_shared_by_two_authors_is_not_a_duplicate() -> None:
    """Two colleagues published in one issue upload the same cover and contents pages; only
    the article page makes a publication a copy (dev pair seeds 71 and 73)."""
    def page(n: int, text: str) -> PageEvidence:
        return PageEvidence(n, 595, 842, "image", 200.0, PageText(text))
    cover = page(1, "环境科学与管理\nISSN 1673-1212\nCN 23-1532/X\n2021年第6期")
    contents = page(2, "目次\n曹娥江流域水质模型的参数率定研究 ……… 徐静（1）")
    article = page(3, "曹娥江流域水质模型的参数率定研究\n徐静\n摘要：本文…\n关键词：水质模型")
    doc = _doc(Kind.paper_published, pages=(cover, contents, article))
    front = tuple(DuplicateHit(n, "B02/j.pdf", n, "B02", 0.99, False) for n in (1, 2))
    assert "DUPLICATE" not in _codes(doc, dups=front)
    copied = (*front, DuplicateHit(3, "B02/j.pdf", 3, "B02", 0.97, False))
    assert _codes(doc, dups=copied).count("DUPLICATE") == 1  # the article page
    assert "DUPLICATE" in _codes(doc, dups=(DuplicateHit(1, "B02/j.pdf", 1, "B02", 1.0, True),))
    assert "DUPLICATE" not in _codes(_doc(Kind.paper_published, pages=(cover,)), dups=front[:1])
    # an article's later page prints the issue in its running header: still the article
    body = "环境科学与管理 2021年第6期\n" + "曹娥江干流的水质在丰水期明显改善，" * 30
    long_doc = _doc(Kind.paper_published, pages=(cover, contents, article, page(4, body), page(5, body)))
    assert "DUPLICATE" in _codes(long_doc, dups=tuple(DuplicateHit(n, "B02/j.pdf", n, "B02", 0.97, False)
                                                      for n in (4, 5)))
    # a report's cover is its own: matched alone it is a copy
    assert "DUPLICATE" in _codes(_doc(Kind.project_cover, seals=(SEAL,), pages=(cover, article)),
                                 dups=front[:1])


def test_not_published_matches_the_title_on_a_contents_page() -> None:
    """A publication delivered as cover and contents has no article heading to extract: the
    letter's title printed on the contents page, over the addressee's name, is the proof."""
    letter_page = PageEvidence(1, 595, 842, "image", 200.0,
                               PageText("录用通知\n徐静同志：\n您的论文《曹娥江流域水质模型的参数率定研究》"),
                               (SEAL,))
    letter = _doc(Kind.paper_accepted, title="曹娥江流域水质模型的参数率定研究", pages=(letter_page,))
    cover = PageEvidence(1, 595, 842, "image", 200.0, PageText("环境与发展\n2021年第6期"))

    def contents(author: str) -> PageEvidence:
        return PageEvidence(2, 595, 842, "image", 200.0, PageText(
            f"目  次\n城市污水处理厂提标改造的工艺比选 (3)\n张伟，李强\n"
            f"曹娥江流域水质模型的参数率定研宄 (9)\n{author}，王芳\n"))

    mine = _doc(Kind.paper_published, None, pages=(cover, contents("徐静")), path="A01/y.pdf")
    theirs = _doc(Kind.paper_published, None, pages=(cover, contents("赵磊")), path="A01/z.pdf")
    assert _codes(letter, siblings=(mine,)) == []
    assert _codes(letter, siblings=(theirs,)) == ["NOT_PUBLISHED"]


def test_not_published_names_an_unclear_publication_that_may_prove_it() -> None:
    """A blurred article page whose title the OCR could not read may be the proof: the finding
    stays (nothing proves publication) but names it for the reviewer to look at."""
    letter = _doc(Kind.paper_accepted, seals=(SEAL,), title="曹娥江流域水质模型的参数率定研究")
    blurred = (_page(measurements=(Measurement("sharpness", 8.0),)),)
    unread = _doc(Kind.paper_published, title=None, pages=blurred, path="A01/IMG_2012.pdf")
    clear_unread = _doc(Kind.paper_published, title=None, path="A01/contents.pdf")
    applicant = Applicant("A01", PartialDate(2019, 1, 1), PartialDate(2022, 6, 30), "flag")
    (finding,) = [f for f in judge(RuleContext(letter, applicant, (unread, clear_unread)),
                                   PROFILE).findings if f.code == "NOT_PUBLISHED"]
    assert dict(finding.evidence)["unclear_publications"] == "A01/IMG_2012.pdf"
    assert "A01/IMG_2012.pdf" in finding.message and "人工核对" in finding.message
    # a clear publication whose title was not extracted is another paper, not named
    (plain,) = judge(RuleContext(letter, applicant, (clear_unread,)), PROFILE).findings
    assert dict(plain.evidence)["unclear_publications"] is None
    assert plain.message.endswith("须补充期刊封面、目录页和论文页。")


def test_a_profile_note_with_a_stray_field_does_not_stop_the_run() -> None:
    """The note is the profile's text: a field it does not know, or a lone brace, shows as ?
    or as written, as in every message, instead of raising inside the rules."""
    profile = replace(PROFILE, extra={**PROFILE.extra,
                                      "unclear_publication_note": "见刊材料 {paths}（{title}）待核对"})
    letter = _doc(Kind.paper_accepted, seals=(SEAL,), title="曹娥江流域水质模型的参数率定研究")
    blurred = (_page(measurements=(Measurement("sharpness", 8.0),)),)
    unread = _doc(Kind.paper_published, title=None, pages=blurred, path="A01/IMG_2012.pdf")
    applicant = Applicant("A01", PartialDate(2019, 1, 1), PartialDate(2022, 6, 30), "flag")
    (finding,) = judge(RuleContext(letter, applicant, (unread,)), profile).findings
    assert finding.message.endswith("见刊材料 A01/IMG_2012.pdf（?）待核对")
