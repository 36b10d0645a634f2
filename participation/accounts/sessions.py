"""Sessions read from the cache and written through to the database (Django's ``cached_db``), for a cache that
may be down: then the database answers alone, and the request goes on (settings.SESSION_ENGINE)."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except Exception:  # the cache failed after the database was read: read it again, without the cache
            logger.warning("session cache unavailable", exc_info=True)
            return DatabaseStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:
            return DatabaseStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception:  # the database row is what counts; the cached copy expires with the session
            logger.warning("session cache unavailable", exc_info=True)
            DatabaseStore.delete(self, session_key)
