"""The errors services raise besides Django's ``ValidationError``, and the one permission guard.

``require(user, "proposals.add_proposal", consultation, message)`` is what every service and view
calls before it acts: the same permission name the templates, the API and the websocket check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class Conflict(Exception):
    """A write that conflicts with the current state (e.g. already supported): 409 in the API."""

    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code


def require(user, permission: str, obj=None, message=None) -> None:
    """Raise ``PermissionDenied`` (with ``message`` when given) unless ``user`` has ``permission``
    (on ``obj`` when given). No user at all is refused."""
    allowed = user is not None and (user.has_perm(permission, obj) if obj is not None else user.has_perm(permission))
    if not allowed:
        raise PermissionDenied(message) if message else PermissionDenied
