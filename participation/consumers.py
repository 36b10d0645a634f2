"""Websocket consumer for the council dashboard: /ws/dashboard/ (participation.view_dashboard)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from participation.live import broadcast, group_name

DASHBOARD_GROUP = group_name("dashboard", "all")


class DashboardConsumer(AsyncJsonWebsocketConsumer):
    """Sends the current counts on connect and fresh counts after every committed change."""

    async def connect(self):
        user = self.scope.get("user")
        allowed = await database_sync_to_async(lambda: bool(user and user.has_perm("participation.view_dashboard")))()
        if not allowed:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(DASHBOARD_GROUP, self.channel_name)
        await self.accept()
        await self.send_json(await database_sync_to_async(_payload)())

    async def disconnect(self, code):
        await self.channel_layer.group_discard(DASHBOARD_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """The dashboard only listens; anything a client sends is ignored."""

    async def live_message(self, event):
        await self.send_json(event["payload"])


def _payload():
    from participation.dashboard import live_payload

    return live_payload()


def on_any_event(event_name: str, payload: dict) -> None:
    """Subscribed to every event (after commit): push fresh totals to open dashboards."""
    broadcast(DASHBOARD_GROUP, _payload())
