"""Seal cases of round 7, rebuilt one document at a time by the fixture generator (the same
bytes as in the generated sets) and checked with and without the rule that handles them.

- seed 9505 A05/IMG_2016.jpg: a red seal on a phone photo with half its ring faint; its
  solid star pushes its fill over the red second chance's limit for a plain ring;
- seed 9505 A09/doc_020.jpg: a 白文 name seal beside a round seal on a colour scan, fitted as
  an ellipse (``_filled_as_ellipse``), reported as the square it is;
- seed 9507 A06/IMG_2101.pdf: a blurred red 核心期刊 badge on a photo of a journal cover,
  no seal (the starless inner-ring emblem gate);
- seeds 9505 A07/doc_018.pdf and 9506 A11/doc_070.tif: worn 1-bit seals crossed by black
  type, found from their star (``star_proposals``; the second through the grey second
  chance).
"""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from tests import test_seals
from tests.test_seals import _iou, _open
from tests.test_seals_fixture_cases import _build, _found
from verify.checks import seals


def test_half_faint_red_seal_with_star_on_a_photo(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path, (truth,) = _build(tmp_path, 9505, "A05/IMG_2016.jpg")
    found = seals.find_seals(_open(path))
    assert len(found) == 1 and _iou(found[0].bbox, truth) >= 0.5 and found[0].color == "red"
    # its star also proposes it on the darkness map; without that, the red rule alone finds it
    monkeypatch.setattr(seals, "star_proposals", lambda m: [])
    assert _found(path, truth)
    monkeypatch.setattr(seals, "SECOND_CHANCE_RED_MAX_FILL_STARRED",
                        seals.SECOND_CHANCE_RED_MAX_FILL)
    assert not _found(path, truth)


def test_white_on_red_name_seal_fitted_as_ellipse(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path, truth = _build(tmp_path, 9505, "A09/doc_020.jpg")
    assert len(truth) == 2
    found = seals.find_seals(_open(path))
    assert len(found) == 2
    for t in truth:
        assert sum(_iou(s.bbox, t) >= 0.5 for s in found) == 1
    name = min(found, key=lambda s: s.bbox[2] - s.bbox[0])
    assert name.shape == "square" and name.color == "red"
    monkeypatch.setattr(seals, "_filled_as_ellipse", lambda c, threshold: False)
    assert len(seals.find_seals(_open(path))) == 1


def test_blurred_badge_on_a_cover_photo_is_no_seal(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path, truth = _build(tmp_path, 9507, "A06/IMG_2101.pdf")
    assert truth == []
    page = _open(path)
    assert seals.find_seals(page) == ()
    monkeypatch.setattr(seals, "GATE_EMBLEM_INNER_RING_STARLESS", seals.GATE_EMBLEM_INNER_RING)
    assert len(seals.find_seals(page)) == 1


@pytest.mark.parametrize(("seed", "file"), [(9505, "A07/doc_018.pdf"),
                                            (9506, "A11/doc_070.tif")])
def test_worn_black_and_white_seal_is_found_from_its_star(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, file: str) -> None:
    path, (truth,) = _build(tmp_path, seed, file)
    page = _open(path)
    found = seals.find_seals(page)
    assert len(found) == 1 and _iou(found[0].bbox, truth) >= 0.5 and found[0].shape == "round"
    monkeypatch.setattr(seals, "star_proposals", lambda m: [])
    assert seals.find_seals(page) == ()


BLUE = (0.16, 0.27, 0.67)


def test_filled_blue_logo_beside_a_blue_seal_is_no_companion(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A certificate's blue seal above a printed logo (a filled blue square with white letters,
    like the IAF mark under the issuing body's seal): the seal is found, the logo is not
    taken as its name seal (a 白文 name seal is red, or grey in a grey scan)."""
    monkeypatch.setattr(test_seals, "RED", BLUE)  # the letter's seal drawn in blue
    doc = pymupdf.open()
    page = test_seals._text_page(doc)
    truth = test_seals._round_seal(page, (420, 605), 62)
    x, y, side = 395.0, 690.0, 50.0
    page.draw_rect(pymupdf.Rect(x, y, x + side, y + side), color=BLUE, fill=BLUE, width=0)
    page.insert_text(pymupdf.Point(x + 5, y + side * 0.65), "IAF", fontname="helv",
                     fontsize=side * 0.42, color=(1, 1, 1))
    pdf = tmp_path / "blue.pdf"
    doc.save(pdf)
    w, h = page.rect.width, page.rect.height
    logo = (x / w, y / h, (x + side) / w, (y + side) / h)
    for path in (pdf, test_seals._scan(pdf, tmp_path / "blue.jpg")):
        found = seals.find_seals(_open(path))
        assert len(found) == 1 and _iou(found[0].bbox, truth) >= 0.5
        assert found[0].color == "other"
        cands = seals.seal_candidates(_open(path))
        assert max(_iou(c.bbox, logo) for c in cands) >= 0.5  # the logo is a candidate
    monkeypatch.setattr(seals, "_blue_block", lambda m, mode, g, f, ring: False)
    assert len(seals.find_seals(_open(tmp_path / "blue.jpg"))) == 2
