"""Named domain events, delivered after the surrounding transaction commits.

A service calls ``publish("proposals.support_changed", proposal_id=..., consultation_id=...)``;
subscribers registered with ``subscribe`` run only once the write is durable, so a rolled-back
write is never announced. Payloads carry ids and counts only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event_name: str, handler: Handler) -> None:
    """Register ``handler(event_name, payload)``; ``"*"`` receives every event."""
    if handler not in _subscribers[event_name]:
        _subscribers[event_name].append(handler)


def publish(event_name: str, **payload: Any) -> None:
    """Deliver the event to its subscribers after the current transaction commits.

    Cached reads of what the event names get new stamps at once and again after the commit (freshness)."""
    from participation.core import freshness

    freshness.on_publish(event_name, payload)
    transaction.on_commit(lambda: _deliver(event_name, payload), robust=True)


def _deliver(event_name: str, payload: dict[str, Any]) -> None:
    for handler in [*_subscribers.get(event_name, []), *_subscribers.get("*", [])]:
        try:
            handler(event_name, payload)
        except Exception:  # a broken subscriber must not break the others
            logger.exception("event subscriber %r failed for %s", handler, event_name)
