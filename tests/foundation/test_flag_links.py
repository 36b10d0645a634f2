"""Residents reach the flag form from every flaggable item; anonymous visitors don't see the link."""

import io
import random

import pytest

from participation.core.registry import registry

pytestmark = pytest.mark.django_db


def test_flag_links_on_proposals_and_comments(client):
    for seeder in registry.demo_seeders:
        if seeder.name in {"accounts", "pages", "proposals"}:
            seeder.func(stdout=io.StringIO(), password="pw-for-tests-2026", set_password=True, rng=random.Random(1))
    from participation.models import User
    from proposals.models import Comment

    comment = Comment.objects.visible().filter(deleted_at__isnull=True).first()
    url = f"/proposals/{comment.proposal_id}/"
    assert "flag-link" not in client.get(url).content.decode()
    client.force_login(User.objects.get(username="resident9"))
    body = client.get(url).content.decode()
    assert f"/moderation/flag/proposal/{comment.proposal_id}/" in body
    assert f"/moderation/flag/comment/{comment.pk}/" in body
