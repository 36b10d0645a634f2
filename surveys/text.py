"""Plain text from residents: stored as typed (control characters aside), escaped on output.

The kernel is getting one shared cleaner (``participation.core.text.plain_text``); until it exists on
this branch's base, the same rule lives here.
"""

from __future__ import annotations

import re
from typing import Any

try:  # pragma: no cover - depends on the kernel version
    from participation.core.text import plain_text as _kernel_plain_text
except ImportError:  # pragma: no cover
    _kernel_plain_text = None

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: Any) -> str:
    if _kernel_plain_text is not None:
        return _kernel_plain_text(value)
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()
