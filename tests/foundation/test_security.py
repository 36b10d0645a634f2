"""Security headers: strict CSP on the public site, no unsafe-eval anywhere."""

import pytest


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
def test_public_pages_have_a_strict_csp(client, demo_pages):
    for path in ("/", "/en/", demo_pages[0].url, "/accounts/login/"):
        response = client.get(path)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_wagtail_admin_never_allows_eval(client, staff_user, demo_pages):
    client.force_login(staff_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-eval" not in header
    assert "gravatar" not in response.content.decode()


@pytest.mark.django_db
def test_no_template_uses_inline_script_or_style():
    """CSP forbids inline scripts and style attributes, so none of our templates may contain them."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", text):
            offenders.append(f"{path}: {match.group(0)}")
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path}: inline style or event handler")
    assert not offenders, "\n".join(offenders)
