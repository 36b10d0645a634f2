"""Small builders for moderation tests (real proposals and comments through the proposals services), and
the texts every surface must store and show exactly as typed."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def make_proposal(author, consultation, title: str = "公園にベンチを増やしてください", body: str = "高齢者が休める場所が足りません。"):
    from proposals.services import proposal_create

    return proposal_create(author=author, consultation=consultation, title=f"{title} {next(_counter)}", body=body)


def make_comment(proposal, author, body: str = "賛成です。夏は日陰も欲しいです。"):
    from proposals.services import comment_create

    return comment_create(proposal=proposal, author=author, body=body)


def residents(user_factory, n: int, prefix: str = "flagger"):
    return [user_factory(f"{prefix}{i}") for i in range(1, n + 1)]


# What residents type that a sanitizer would change: an entity, bare angle brackets, a script.
TYPED = ["a &lt;b&gt; c", "x < y > z", "<script>alert(1)</script>hi"]


def assert_shown_escaped(html: str, typed: str) -> None:
    """The page shows ``typed`` as text: escaped, and never as the markup itself."""
    from django.utils.html import escape

    assert escape(typed) in html
    if typed != escape(typed):
        assert typed not in html
