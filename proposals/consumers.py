"""Live counts for a consultation: ``/ws/consultations/<page id>/``.

connect(): the page must exist, be live and be the default-language page, and the user must
hold ``proposals.view_consultation_live``; then join the group and send the counts at once.
Broadcasts come from ``proposals.registration.broadcast_change`` after commit.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from participation.core import consultations, live
from proposals.selectors import consultation_counts


@database_sync_to_async
def _authorised_counts(user, consultation_id: int):
    page = consultations.get(consultation_id)
    if page is None or not user.has_perm("proposals.view_consultation_live", page):
        return None
    return consultation_counts(consultation_id=page.pk)


class ConsultationCountsConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def connect(self):
        try:
            consultation_id = int(self.scope["url_route"]["kwargs"]["consultation_id"])
        except (KeyError, TypeError, ValueError):
            await self.close()
            return
        counts = await _authorised_counts(self.scope.get("user"), consultation_id)
        if counts is None:
            await self.close()
            return
        self.group = live.group_name("consultation", counts["consultation"])  # the canonical id
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(counts)

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Read-only socket: clients cannot change anything through it."""
        await self.send_json({"type": "error", "detail": "read-only"})

    async def live_message(self, event):
        text = event.get("text")  # serialised once by live.broadcast for every socket of the group
        await (self.send(text_data=text) if text is not None else self.send_json(event["payload"]))
