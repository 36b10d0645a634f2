"""The dashboard websocket /ws/dashboard/: permission in connect(), counts on connect, updates after commit."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from participation.config.asgi import application
from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(user) -> bytes:
    if user is None:
        return b""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def connect_as(user):
    cookie = await sync_to_async(session_cookie)(user)
    headers = [(b"origin", b"http://testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    ws = WebsocketCommunicator(application, "/ws/dashboard/", headers=headers)
    connected, code = await ws.connect()
    return ws, connected, code


async def wait_for(ws, condition, attempts: int = 20):
    """Messages coalesce bursts of events; read until the expected counts arrive."""
    for _ in range(attempts):
        message = await ws.receive_json_from(timeout=5)
        assert message["type"] == "dashboard.counts"
        if condition(message):
            return message
    raise AssertionError("the expected counts never arrived")


@pytest.mark.asyncio
@pytest.mark.parametrize("role", ["anonymous", "resident", "moderator"])
async def test_refused_without_the_dashboard_permission(role, resident, moderator):
    user = {"anonymous": None, "resident": resident, "moderator": moderator}[role]
    ws, connected, code = await connect_as(user)
    assert not connected
    assert code == 4403
    await ws.disconnect()


@pytest.mark.asyncio
async def test_council_gets_counts_on_connect_and_after_each_change(council_member, open_consultation, resident,
                                                                    other_resident, moderator):
    proposal = await sync_to_async(make_proposal)(resident, open_consultation)
    ws, connected, _ = await connect_as(council_member)
    assert connected
    first = await ws.receive_json_from(timeout=5)
    assert first["type"] == "dashboard.counts"
    assert first["totals"]["proposals"] == 1 and first["totals"]["comments"] == 0
    comment = await sync_to_async(make_comment)(proposal, other_resident)
    latest = await wait_for(ws, lambda m: m["totals"]["comments"] == 1)
    assert latest["kpis"]["opinion_posts"] == 2
    await sync_to_async(moderation.item_hide)(actor=moderator, kind="comment", object_id=comment.pk, reason="x")
    latest = await wait_for(ws, lambda m: m["totals"]["comments"] == 0)
    # only ids and counts, never text
    assert "body" not in str(latest) and "賛成" not in str(latest)
    assert set(latest) == {"type", "totals", "kpis"}
    await ws.disconnect()


@pytest.mark.asyncio
async def test_staff_may_connect_and_messages_from_the_client_are_ignored(staff_user):
    ws, connected, _ = await connect_as(staff_user)
    assert connected
    await ws.receive_json_from(timeout=5)
    assert await ws.receive_nothing(timeout=0.5)
    await ws.send_json_to({"type": "dashboard.counts", "totals": {"proposals": 999}})
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


@pytest.mark.asyncio
async def test_a_burst_of_events_is_one_refresh(council_member, open_consultation, resident, user_factory):
    from participation.core.events import _deliver

    ws, connected, _ = await connect_as(council_member)
    assert connected
    await ws.receive_json_from(timeout=5)
    await sync_to_async(lambda: [_deliver("proposals.support_added", {"proposal_id": 1}) for _ in range(20)])()
    refreshes = [await ws.receive_json_from(timeout=5)]
    while not await ws.receive_nothing(timeout=1):
        refreshes.append(await ws.receive_json_from(timeout=5))
    assert len(refreshes) < 5  # 20 events, a handful of recomputations at most
    await ws.disconnect()
