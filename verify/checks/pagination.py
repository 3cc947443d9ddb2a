"""Printed page numbers (``第 3 页 共 5 页``, ``- 3 -``, ``3/5``) for PAGES_MISSING."""

from __future__ import annotations

from ..model import PageLabel, PageText


def find_page_label(text: PageText) -> PageLabel | None:
    """The page number printed in the header or footer, if any. Not implemented yet."""
    return None
