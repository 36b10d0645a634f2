"""The live-counts websocket: connect checks, counts on connect, broadcasts after commit only."""

import json
import subprocess

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from participation.config.asgi import application
from proposals import services, tally
from proposals.models import Proposal
from tests.conftest import requires_redis, start_asgi_server
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(consultation_id, origin=b"http://testserver"):
    return WebsocketCommunicator(application, f"/ws/consultations/{consultation_id}/", headers=[(b"origin", origin)])


@pytest.mark.asyncio
async def test_counts_on_connect_and_after_support(open_consultation, resident, other_resident):
    p = await sync_to_async(make_proposal)(open_consultation, resident)
    ws = communicator(open_consultation.pk)
    connected, _ = await ws.connect()
    assert connected
    first = await ws.receive_json_from(timeout=5)
    assert first == {"type": "counts", "consultation": open_consultation.pk, "proposals": 1, "comments": 0, "supports": 0}
    await sync_to_async(services.support_add)(proposal=p, user=other_resident)
    msg = await ws.receive_json_from(timeout=5)
    assert msg == {"type": "proposal", "id": p.pk, "supports": 1, "comments": 0}
    counts = await ws.receive_json_from(timeout=5)
    assert counts["type"] == "counts" and counts["supports"] == 1
    await sync_to_async(make_comment)(p, other_resident)
    msg = await ws.receive_json_from(timeout=5)
    assert msg == {"type": "proposal", "id": p.pk, "supports": 1, "comments": 1}
    await ws.disconnect()


@pytest.mark.asyncio
async def test_hidden_proposal_never_announced(open_consultation, resident, other_resident):
    p = await sync_to_async(make_proposal)(open_consultation, resident)
    await sync_to_async(Proposal.objects.filter(pk=p.pk).update)(hidden_at=timezone.now())
    p.hidden_at = timezone.now()
    await sync_to_async(tally.tally_recompute)(p.consultation_id)  # as moderation's hook does
    ws = communicator(open_consultation.pk)
    await ws.connect()
    first = await ws.receive_json_from(timeout=5)
    assert first["proposals"] == 0
    p.hidden_at = timezone.now()
    await sync_to_async(services.proposal_visibility_changed)(p)
    counts = await ws.receive_json_from(timeout=5)
    assert counts["type"] == "counts" and counts["proposals"] == 0
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


@pytest.mark.asyncio
async def test_rolled_back_write_is_not_announced(open_consultation, resident, other_resident):
    from django.db import transaction

    p = await sync_to_async(make_proposal)(open_consultation, resident)
    ws = communicator(open_consultation.pk)
    await ws.connect()
    await ws.receive_json_from(timeout=5)

    def support_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.support_add(proposal=p, user=other_resident)
            raise RuntimeError("boom")

    await sync_to_async(support_then_fail)()
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


@pytest.mark.asyncio
async def test_other_consultation_hears_nothing(open_consultation, support_consultation, resident, other_resident):
    p = await sync_to_async(make_proposal)(open_consultation, resident)
    ws = communicator(support_consultation.pk)
    await ws.connect()
    await ws.receive_json_from(timeout=5)
    await sync_to_async(services.support_add)(proposal=p, user=other_resident)
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


@pytest.mark.asyncio
async def test_refused_connections(open_consultation):
    from wagtail.models import Locale

    en = await sync_to_async(lambda: open_consultation.get_translation(Locale.objects.get(language_code="en")))()
    for cid, origin in ((999999, b"http://testserver"), (open_consultation.pk, b"http://evil.example")):
        ws = communicator(cid, origin)
        connected, _ = await ws.connect()
        assert not connected
    # One rule everywhere (participation.core.consultations): the English copy's id is the Japanese page.
    ws = communicator(en.pk)
    connected, _ = await ws.connect()
    assert connected
    first = await ws.receive_json_from(timeout=5)
    assert first["consultation"] == open_consultation.pk
    await ws.disconnect()
    await sync_to_async(type(open_consultation).objects.filter(pk=open_consultation.pk).update)(live=False)
    ws = communicator(open_consultation.pk)
    connected, _ = await ws.connect()
    assert not connected


@pytest.mark.asyncio
async def test_socket_is_read_only(open_consultation, resident):
    p = await sync_to_async(make_proposal)(open_consultation, resident)
    ws = communicator(open_consultation.pk)
    await ws.connect()
    await ws.receive_json_from(timeout=5)
    await ws.send_json_to({"type": "support", "id": p.pk})
    reply = await ws.receive_json_from(timeout=5)
    assert reply["type"] == "error"
    assert await sync_to_async(lambda: Proposal.objects.get(pk=p.pk).support_count)() == 0
    await ws.disconnect()


@requires_redis
def test_change_reaches_socket_in_another_process(open_consultation, resident, other_resident, tmp_path, settings):
    """daphne (another process) holds the socket; the change is made here; Redis carries it across."""
    import asyncio

    import websockets

    server = start_asgi_server(tmp_path, REDIS_URL=settings.REDIS_URL)
    try:
        p = make_proposal(open_consultation, resident)
        # The Redis layer of the test settings (pub/sub, with this test worker's prefix, as the server has it).
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
        from channels.layers import channel_layers

        channel_layers.backends.clear()

        async def run():
            url = server.url.replace("http", "ws") + f"/ws/consultations/{open_consultation.pk}/"
            async with websockets.connect(url, additional_headers={"Origin": server.url}) as ws:
                first = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert first["type"] == "counts" and first["proposals"] == 1
                await asyncio.to_thread(services.support_add, proposal=p, user=other_resident)
                msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert msg == {"type": "proposal", "id": p.pk, "supports": 1, "comments": 0}

        asyncio.run(run())
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
        from channels.layers import channel_layers

        channel_layers.backends.clear()
