"""The kernel's shared helpers: plain_text and csv_safe (core/text), require (core/errors),
safe_next (core/http), localized (core/i18n)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import translation

from participation.core.errors import require
from participation.core.http import safe_next
from participation.core.i18n import localized
from participation.core.text import csv_safe, plain_text

TYPED = ["a &lt;b&gt; c", "x < y > z", "<script>alert(1)</script>hi", "<b>太字</b> & 'quote' \"dq\"",
         "行1\n\t行2", "絵文字👍‍🔥 と全角　スペース"]


@pytest.mark.parametrize("typed", TYPED)
def test_plain_text_keeps_what_was_typed(typed):
    assert plain_text(typed) == typed
    assert plain_text(plain_text(typed)) == typed  # idempotent: a second call changes nothing


@pytest.mark.parametrize(("raw", "stored"), [
    ("  穴\r\nが\rある  ", "穴\nが\nある"),
    ("a\x00b\x1bc\x7fd\x85e", "abcde"),
    ("\ud800lone surrogate", "lone surrogate"),
    (None, ""),
    (42, "42"),
    (" \x00 \n ", ""),
])
def test_plain_text_drops_controls_and_normalises_newlines(raw, stored):
    assert plain_text(raw) == stored


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("道路", "道路"), ("<script>alert(1)</script>hi", "<script>alert(1)</script>hi"), (3, 3), (-2.5, -2.5),
    (None, ""), (True, True),
])
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


class _User:
    def __init__(self, *perms):
        self.perms = set(perms)

    def has_perm(self, perm, obj=None):
        return perm in self.perms


def test_require():
    require(_User("a.b"), "a.b")
    require(_User("a.b"), "a.b", object())
    with pytest.raises(PermissionDenied) as info:
        require(_User(), "a.b", message="いいえ")
    assert str(info.value) == "いいえ"
    with pytest.raises(PermissionDenied) as info:
        require(None, "a.b")
    assert str(info.value) == ""


def test_safe_next():
    factory = RequestFactory()
    assert safe_next(factory.post("/x", {"next": "/proposals/1/"})) == "/proposals/1/"
    assert safe_next(factory.get("/x", {"next": "/a/?b=1"})) == "/a/?b=1"
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert safe_next(factory.post("/x", {"next": bad}), "/fallback/") == "/fallback/"
    assert safe_next(factory.post("/x")) is None


def test_localized():
    with translation.override("en"):
        assert localized("道路", "Road") == "Road"
        assert localized("道路", "") == "道路"
    with translation.override("ja"):
        assert localized("道路", "Road") == "道路"


def test_no_template_turns_escaping_off():
    """User text is escaped on output: no template marks anything safe or switches autoescape off
    (staff rich text goes through Wagtail's |richtext, which sanitises)."""
    import re

    from django.conf import settings

    pattern = re.compile(r"\|\s*safe(seq)?\b|autoescape\s+off")
    offenders = [str(p) for p in (settings.BASE_DIR / "templates").rglob("*.html") if pattern.search(p.read_text())]
    assert offenders == []
