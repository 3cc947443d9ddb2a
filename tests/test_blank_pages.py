"""An empty scanned page is measured, not OCR'd: Tesseract reads its grain as hundreds of
characters, slowly (76 s for one fixture page), and the page has nothing to read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from verify.bench import ScanStyle, scanned_pdf
from verify.model import Measurement
from verify.pipeline import INKLESS_PCT, _inkless

pytestmark = pytest.mark.slow

BODY = ["项目名称：曹娥江流域水质提升工程", "编制单位：绍兴市环境科学研究院", "编制日期：2021年6月"]


def test_inkless_is_decided_by_ink_coverage() -> None:
    assert _inkless((Measurement("ink_coverage", 0.0, None),))
    assert not _inkless((Measurement("ink_coverage", INKLESS_PCT * 2, None),))
    assert not _inkless(())  # nothing measured: read the page


def test_a_speckled_blank_scan_page_is_not_read_and_is_reported_blank(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    scanned_pdf(pdf, [BODY, [], BODY], ScanStyle(dpi=200, noise=8.0), numbered=False)
    res = run_cli("check", str(pdf), "--no-cache", "--quiet", "--format", "jsonl")
    row = json.loads(res.stdout)
    sources = [p["text_source"] for p in row["page_info"]]
    assert sources == ["ocr", "none", "ocr"], sources
    assert "环境科学研究院" in (row["issuing_unit"] or "")  # the pages with ink were read
    blank = [f for f in row["findings"] if f["code"] == "BLANK_PAGE"]
    assert [f["page"] for f in blank] == [2]
