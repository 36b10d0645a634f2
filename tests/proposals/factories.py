"""Helpers for proposals tests."""

from __future__ import annotations

from proposals import services


def make_proposal(consultation, author, title="公園にベンチを増やしてほしい", body="高齢者が休める場所が少ないです。", **kw):
    return services.proposal_create(author=author, consultation=consultation, title=title, body=body, **kw)


def make_comment(proposal, author, body="賛成です。", stance="for", parent=None):
    return services.comment_create(proposal=proposal, author=author, body=body, stance=stance, parent=parent)
