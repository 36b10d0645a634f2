"""Websocket consumer for the council dashboard: /ws/dashboard/ (participation.view_dashboard)."""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from participation.core.live import broadcast, group_name

DASHBOARD_GROUP = group_name("dashboard", "all")


class DashboardConsumer(AsyncJsonWebsocketConsumer):
    """Sends the current counts on connect and fresh counts after every committed change."""

    coalesce_seconds = 0.25

    async def connect(self):
        self._dirty = False
        self._refresh = None
        user = self.scope.get("user")
        allowed = await database_sync_to_async(lambda: bool(user and user.has_perm("participation.view_dashboard")))()
        if not allowed:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(DASHBOARD_GROUP, self.channel_name)
        await self.accept()
        await self.send_json(await database_sync_to_async(_payload)())

    async def disconnect(self, code):
        refresh = getattr(self, "_refresh", None)
        if refresh is not None and not refresh.done():
            refresh.cancel()
        await self.channel_layer.group_discard(DASHBOARD_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """The dashboard only listens; anything a client sends is ignored."""

    async def live_message(self, event):
        """Something changed: recompute once for a burst of events (the counts are read here, so an
        event costs nothing while no dashboard is open)."""
        self._dirty = True
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.ensure_future(self._send_fresh_counts())

    async def _send_fresh_counts(self):
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(self.coalesce_seconds)
            await self.send_json(await database_sync_to_async(_payload)())


def _payload():
    from participation.dashboard.selectors import live_payload

    return live_payload()


def on_any_event(event_name: str, payload: dict) -> None:
    """Subscribed to every event (after commit): tell open dashboards to refresh (ids only, no query).
    A notification to a resident changes no figure of the dashboard."""
    if event_name == "participation.notification_sent":
        return
    broadcast(DASHBOARD_GROUP, {"type": "dashboard.changed", "event": event_name})
