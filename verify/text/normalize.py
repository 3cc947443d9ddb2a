"""Normalise text before any matching.

Tesseract's ``chi_sim`` puts spaces between Han characters (``2021 年 3 月``); PDFs carry
full-width digits and compatibility forms. NFKC folds the forms; then spaces between CJK
characters and digits are dropped, so patterns see ``2021年3月``.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef〇"
# A space is dropped when a CJK character stands on either side of it and the other side is
# a CJK character or a digit/punctuation that belongs to the same token.
_SPACE_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[{_CJK}0-9])")
_SPACE_BEFORE_CJK = re.compile(rf"(?<=[{_CJK}0-9])[ \t\u00a0]+(?=[{_CJK}])")
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "［": "[", "］": "]"})


def normalize_text(text: str) -> str:
    """NFKC, unify bracket variants, drop spaces between CJK characters and digits."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_BRACKETS)
    text = _SPACE_AFTER_CJK.sub("", text)
    text = _SPACE_BEFORE_CJK.sub("", text)
    return text


def compact(text: str) -> str:
    """Normalised text without any whitespace (for keyword and title matching)."""
    return re.sub(r"\s+", "", normalize_text(text))
