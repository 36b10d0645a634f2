"""Every URL that is not public refuses an anonymous visitor, and every staff / moderator / council
URL refuses a resident too. New URLs must be classified here, so nothing slips through unguarded."""

from __future__ import annotations

import io
import random
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from participation.core.registry import registry

pytestmark = pytest.mark.django_db

# Path templates (after argument substitution, without the /en/ prefix) by who may use them.
PUBLIC = [
    r"^/healthz$", r"^/readyz$", r"^/i18n/setlang/$", r"^/api/v1/", r"^/open311/v2/", r"^/media/", r"^/documents/",
    r"^/accounts/", r"^/_util/", r"^/$", r"^/open-data/", r"^/proposals/\d+/$", r"^/reports/$", r"^/reports/geojson/$",
    r"^/reports/nearby/$", r"^/reports/\d+/$", r"^/reports/photos/\d+/[a-z]+/$",
    r"^/results/$", r"^/results/consultation/\d+/$", r"^/results/\d+/$",
    r"^/s/\d+/$",  # a survey's short link (redirects to its page, which checks who may answer)
    # The admins' own sign-in, password reset and static helpers are public by nature.
    r"^/admin/(login|logout|password_reset|jsi18n|sprite)", r"^/django-admin/(login|logout)/",
    # outreach: the web app manifest and service worker, city-wide announcements, Atom feeds, and the
    # one-click unsubscribe link of e-mails (authorised by its signed token, RFC 8058).
    r"^/manifest.webmanifest$", r"^/sw.js$", r"^/outreach/announcements/", r"^/outreach/feeds/",
    r"^/outreach/unsubscribe/", r"^/outreach/line/webhook$",  # the webhook: signed by LINE (X-Line-Signature)
]
MEMBERS = [
    r"^/me/", r"^/moderation/flag/", r"^/proposals/new/\d+/$", r"^/proposals/\d+/(edit|withdraw|support|follow|comment)/$", r"^/proposals/\d+/withdraw/undo/$",
    r"^/proposals/comments/\d+/(edit|delete|vote)/$", r"^/reports/new/", r"^/reports/\d+/follow/$",
    r"^/results/\d+/follow/$",
    r"^/outreach/(settings|push|areas|consultations)/",
]
PRIVILEGED = [
    r"^/admin/", r"^/django-admin/", r"^/moderation/$", r"^/moderation/item/", r"^/moderation/audit-log",
    r"^/dashboard/", r"^/proposals/\d+/answer/$", r"^/reports/\d+/(update|assign|move|private)/$",
    r"^/reports/photos/\d+/hide/$", r"^/reports/triage/", r"^/reports/open311-keys/$",
    r"^/results/\d+/(update|link-report|link-proposal)/$", r"^/results/(from-proposal|link-proposal)/\d+/$",
    r"^/surveys/\d+/manage/",
]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _concrete(route: str, ids: dict[str, int]) -> str | None:
    """Turn a route into a path, using real object ids where the argument names them."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
    route = re.sub(r"^(en|ja)/", "", route)

    def value(name: str, converter: str = "") -> str:
        for key, object_id in ids.items():
            if key in name:
                return str(object_id)
        if converter in {"uuid"}:
            return "00000000-0000-4000-8000-000000000000"
        if converter in {"slug", "str"} or name in {"kind", "table", "key", "fmt", "code", "token"}:
            return {"kind": "comment", "table": "totals", "key": "proposals", "fmt": "json", "code": "x", "token": "x"}.get(name, "x")
        return str(ids.get("default", 1))

    route = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value(m.group(2), m.group(1) or ""), route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)
    if "(" in route or "[" in route or "*" in route:
        return None
    return "/" + route


def _matches(path: str, patterns: list[str]) -> bool:
    return any(re.search(p, path) for p in patterns)


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    for seeder in registry.demo_seeders:
        if seeder.name in {"accounts", "pages", "proposals", "reports"}:
            seeder.func(stdout=out, password="demo-pass-2026", set_password=True, rng=random.Random(1))
    from proposals.models import Comment, Proposal
    from reports_map.models import Report, ReportPhoto

    return {
        "proposal": Proposal.objects.first().pk, "comment": Comment.objects.first().pk,
        "consultation": Proposal.objects.first().consultation_id, "photo": ReportPhoto.objects.first().pk,
        "pk": Report.objects.first().pk, "request": Report.objects.first().pk, "object": Comment.objects.first().pk,
        "default": 1,
    }


def test_every_url_is_classified_and_guarded(client, seeded, user_factory):
    paths = sorted({p for route in _walk(get_resolver().url_patterns) if (p := _concrete(route, seeded))})
    unclassified = [p for p in paths if not (_matches(p, PUBLIC) or _matches(p, MEMBERS) or _matches(p, PRIVILEGED))
                    and not p.startswith("/((?:")]
    assert not unclassified, f"classify these URLs in {__file__}: {unclassified}"

    resident = user_factory("plainresident")
    problems = []
    for path in paths:
        if _matches(path, PUBLIC) or path.startswith("/((?:"):
            continue
        client.logout()
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            refused = response.status_code in (401, 403, 404, 405) or (
                response.status_code == 302 and ("login" in response["Location"] or "/accounts/" in response["Location"])
            )
            if not refused:
                problems.append(f"anonymous {method.upper()} {path} -> {response.status_code}")
        if _matches(path, PRIVILEGED):
            client.force_login(resident)
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                refused = response.status_code in (403, 404, 405) or (
                    response.status_code == 302 and "login" in response["Location"]
                )
                if not refused:
                    problems.append(f"resident {method.upper()} {path} -> {response.status_code}")
    assert not problems, "\n".join(problems)
