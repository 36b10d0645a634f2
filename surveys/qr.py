"""QR codes with segno (pure Python, no image library needed): SVG for print, PNG for documents."""

from __future__ import annotations

import io

import segno

ERROR_LEVEL = "m"  # survives a crease or a smudge on a posted letter


def _make(url: str):
    return segno.make(url, error=ERROR_LEVEL, micro=False)


def svg(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=True, title=url)
    return buffer.getvalue()


def svg_inline(url: str, *, scale: int = 8) -> str:
    """An <svg> element to put into a page (no XML declaration; sized by CSS through its viewBox)."""
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, omitsize=True,
                    svgclass="qr-code", title=url)
    return buffer.getvalue().decode()


def png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
