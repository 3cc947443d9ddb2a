"""A ``DocumentReport`` as the contract's JSON row (schema v1)."""

from __future__ import annotations

from typing import Any

from ..model import SCHEMA_VERSION, DocumentReport, Status

Row = dict[str, Any]


def _bbox(b: tuple[float, float, float, float]) -> list[float]:
    return [round(min(1.0, max(0.0, v)), 4) for v in b]


def to_row(report: DocumentReport) -> Row:
    """The report contract's row for one document (field order as in the contract)."""
    ev = report.evidence
    ok = ev.status is Status.ok
    row: Row = {
        "schema": SCHEMA_VERSION,
        "path": ev.ref.display,
        "sha256": ev.sha256,
        "status": ev.status.value,
        "error": ev.error,
        "pages": ev.page_count,
        "kind": ev.understanding.kind.value,
        "achievement_date": str(ev.understanding.achievement_date.value) if ev.understanding.achievement_date else None,
        "seals": [
            {"page": s.page, "bbox": _bbox(s.bbox), "shape": s.shape, "color": s.color,
             "text": s.text, "score": round(s.score, 3), "page_unit": s.page_unit,
             "unit_similarity": s.unit_similarity}
            for s in ev.seals
        ],
        "dates": [
            {"page": d.page, "text": d.text, "value": str(d.value), "role": d.role.value}
            for d in ev.understanding.dates
        ],
        "findings": [
            {"code": f.code, "severity": f.severity.value, "page": f.page, "rule": f.rule,
             "message": f.message, "points": f.points, "evidence": dict(f.evidence)}
            for f in report.findings
        ],
    }
    # Added fields (the contract allows additions, never renames):
    if report.applicant is not None:
        a = report.applicant
        row["applicant"] = {
            "folder": a.folder,
            "appointed": str(a.appointed) if a.appointed else None,
            "cutoff": str(a.cutoff) if a.cutoff else None,
            "appointed_source": a.appointed_source,
        }
    if ok:
        row["title"] = ev.understanding.title
        row["issuing_unit"] = ev.understanding.issuing_unit
        if report.publication_proof:  # an acceptance letter whose paper the folder shows published
            row["publication_proof"] = list(report.publication_proof)
        row["page_info"] = [
            {"page": p.number, "origin": p.origin, "text_source": p.text.source,
             "effective_dpi": round(p.effective_dpi, 1) if p.effective_dpi else None,
             "rotation": p.text.rotation,
             "measurements": {m.name: round(m.value, 3) for m in p.measurements}}
            for p in ev.pages
        ]
    row["seconds"] = round(ev.seconds, 3)
    return row
