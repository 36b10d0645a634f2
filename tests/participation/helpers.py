"""Small builders for moderation tests: real proposals and comments through the proposals services."""

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
