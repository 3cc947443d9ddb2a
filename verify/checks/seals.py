"""Official seals (公章): find them on a page. Report contract ``seals[]``."""

from __future__ import annotations

from ..model import Seal
from ..pages import Page


def find_seals(page: Page) -> tuple[Seal, ...]:
    """Every seal on ``page`` (bbox as page fractions). No detector yet: returns none."""
    return ()
