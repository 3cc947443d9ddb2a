"""JSONL (one row per line, flushed per document) and JSON (an array) exporters."""

from __future__ import annotations

import json
from typing import TextIO

from ..model import DocumentReport
from .rows import to_row


def write_jsonl_row(report: DocumentReport, out: TextIO) -> None:
    out.write(json.dumps(to_row(report), ensure_ascii=False) + "\n")
    out.flush()


def write_json(reports: list[DocumentReport], out: TextIO) -> None:
    json.dump([to_row(r) for r in reports], out, ensure_ascii=False, indent=2)
    out.write("\n")
    out.flush()
