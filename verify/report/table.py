"""A plain-text table for a terminal: one line per document, then its findings."""

from __future__ import annotations

import unicodedata
from typing import TextIO

from ..model import DocumentReport, Status


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, n: int) -> str:
    if _width(s) > n:
        while _width(s) > n - 1:
            s = s[1:]
        s = "…" + s
    return s + " " * (n - _width(s))


def write_table(reports: list[DocumentReport], out: TextIO) -> None:
    header = f"{_pad('document', 44)} {_pad('status', 10)} {_pad('kind', 16)} " \
             f"{_pad('date', 10)} {'seals':>5}  findings"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for r in reports:
        ev = r.evidence
        codes = ", ".join(f"{f.code}({f.severity.value})" for f in r.findings) or "-"
        status = ev.status.value if ev.status is Status.ok else "UNREADABLE"
        date = str(ev.understanding.achievement_date.value) if ev.understanding.achievement_date else "-"
        out.write(f"{_pad(ev.ref.display, 44)} {_pad(status, 10)} {_pad(ev.understanding.kind.value, 16)} "
                  f"{_pad(date, 10)} {len(ev.seals):>5}  {codes}\n")
        for f in r.findings:
            page = f" p{f.page}" if f.page else ""
            out.write(f"    {f.code}{page} [{f.rule}] {f.message}\n")
    n_fail = sum(1 for r in reports if r.worst and r.worst.rank >= 2)
    out.write(f"\n{len(reports)} documents, {n_fail} with major or blocking findings\n")
    out.flush()
