"""Invitation codes: 13 characters of Crockford's base32 (65 random bits), printed as XXXX-XXXX-XXXXX.

Residents type them from a letter, so reading is forgiving: case, spaces and dashes do not matter,
O is read as 0 and I / L as 1 (those letters are never issued).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 13
BITS = LENGTH * 5  # 65 >= 60
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(typed: str | None) -> str:
    """What a resident typed, in the stored form ("" when it cannot be a code)."""
    if not typed:
        return ""
    text = str(typed).upper().replace("-", "").replace(" ", "").replace("\u3000", "").translate(_READ_AS)
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
