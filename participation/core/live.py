"""Websocket group names and broadcasting (always called after commit, via events)."""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def group_name(kind: str, object_id: int | str) -> str:
    """The one place that builds channel-layer group names, e.g. ``consultation.12``."""
    return f"{kind}.{object_id}"


def broadcast(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` (ids and counts only) to every socket in ``group``.

    Consumers relay messages of type ``live.message``; ``message`` is what the browser receives. It is
    serialised once here (``text``), not once per socket: a consumer sends that text as it is.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    text = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    try:
        async_to_sync(layer.group_send)(group, {"type": "live.message", "payload": message, "text": text})
    except Exception:  # the write already committed; a down channel layer must not undo it
        logger.exception("broadcast to %s failed", group)
