"""Text that residents type, in and out: ``plain_text`` on the way in (once, in the service that
writes it), ``csv_safe`` on the way out to a spreadsheet.

Plain text is stored as typed and escaped where it is shown (templates autoescape, JSON is JSON):
``a &lt;b&gt; c``, ``x < y > z`` and ``<script>alert(1)</script>hi`` are stored and shown exactly
so, never as markup. Rich text (staff pages) is Wagtail's business, not this module's.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

# Characters a spreadsheet reads as the start of a formula (CSV injection).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_KEPT_CONTROLS = frozenset("\n\t")


def _kept(char: str) -> bool:
    if char in _KEPT_CONTROLS:
        return True
    category = unicodedata.category(char)
    # Cc: C0/C1 control characters (NUL, escape, ...); Cs: lone surrogates, which no database stores.
    return category not in ("Cc", "Cs")


def plain_text(value: Any) -> str:
    """What a resident typed, ready to store: newlines normalised to ``\\n``, control characters
    (other than newline and tab) dropped, surrounding whitespace trimmed. Nothing else changes:
    markup and entities stay the characters they are. Idempotent, so a second call changes nothing."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isprintable():  # the common case (no control character at all) skips the scan
        text = "".join(char for char in text if _kept(char))
    return text.strip()


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet will not evaluate: text starting with = + - @ tab or CR gets a leading '.
    Numbers stay numbers, dates become ISO 8601, None an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(CSV_FORMULA_PREFIXES):
        return "'" + text
    return text
